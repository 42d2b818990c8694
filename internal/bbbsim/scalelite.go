package bbbsim

import (
	"net/http"
	"strings"
)

// scaleliteSpec is Scalelite's routes.rb: everything else, wrong methods
// included, reaches the catch-all unsupportedRequest.
func (f *frontend) scaleliteSpec(call string) (callSpec, bool) {
	switch call {
	case "create":
		return callSpec{methods: getOrPost, types: formOrXML, handle: handleCreate}, true
	case "join":
		return callSpec{methods: getOnly, handle: handleScaleliteJoin}, true
	case "isMeetingRunning":
		return callSpec{methods: getOrPost, types: formOnly, handle: handleIsMeetingRunning}, true
	case "getMeetingInfo":
		return callSpec{methods: getOrPost, types: formOnly, handle: handleGetMeetingInfo}, true
	case "getMeetings":
		return callSpec{methods: getOrPost, types: formOnly, handle: handleGetMeetings}, true
	case "end":
		return callSpec{methods: getOrPost, types: formOnly, handle: handleEnd}, true
	case "insertDocument":
		return callSpec{methods: postOnly, types: xmlOnly, handle: handleScaleliteInsert}, true
	case "getRecordings":
		return callSpec{methods: getOrPost, types: formOnly, handle: handleGetRecordings}, true
	case "updateRecordings":
		return callSpec{methods: getOrPost, types: formOnly, handle: handleUpdateRecordings}, true
	case "publishRecordings":
		return callSpec{methods: getOnly, handle: handlePublishRecordings}, true
	case "deleteRecordings":
		return callSpec{methods: getOnly, handle: handleDeleteRecordings}, true
	}
	return callSpec{}, false
}

// handleScaleliteJoin re-signs the join for the node and always answers
// 302, also for redirect=false: the client must follow it to the node,
// which sets JSESSIONID for its own host.
func handleScaleliteJoin(rc *reqCtx, p params, _ *input) {
	id := p.get("meetingID")
	if id == "" {
		writeXML(rc.w, errorXML(keyMissingMeetingID, "You must specify a meeting ID for the meeting."))
		return
	}
	s := rc.s
	s.lock()
	m := s.meetings[id]
	exists := m != nil && !m.ended
	node := s.nodeURL
	s.mu.Unlock()
	if !exists {
		writeXML(rc.w, errorXML(keyNotFound, msgScaleliteNotFound))
		return
	}
	if node == "" {
		writeXML(rc.w, errorXML(keyServerUnavailable, msgServerUnavailable))
		return
	}
	// Rails' query_parameters: the last value of a repeated key wins, in
	// the position of its first occurrence; URI.encode_www_form re-encodes.
	var keys []string
	last := map[string]string{}
	for _, kv := range p {
		if kv.Key == "checksum" {
			continue
		}
		if _, seen := last[kv.Key]; !seen {
			keys = append(keys, kv.Key)
		}
		last[kv.Key] = kv.Value
	}
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, wwwFormEncode(k)+"="+wwwFormEncode(last[k]))
	}
	q := strings.Join(parts, "&")
	sum := sign("sha256", "join", q, s.cfg.NodeSecret)
	rc.w.Header().Set("Location", node+apiPrefix+"/join?"+q+"&checksum="+sum)
	rc.w.WriteHeader(http.StatusFound)
}

// handleScaleliteInsert: Scalelite ≥1.5.1 routes insertDocument only for
// exactly application/xml.
func handleScaleliteInsert(rc *reqCtx, p params, in *input) {
	if rc.r.Header.Get("Content-Type") != ctXML {
		writeXML(rc.w, errorXML(keyUnsupportedRequest, msgUnsupportedRequest))
		return
	}
	handleInsertDocument(rc, p, in)
}
