package bbbsim

import (
	"crypto/sha1"
	"encoding/hex"
	"net/http"
	"slices"
	"strconv"
)

var guestPolicies = []string{"ALWAYS_ACCEPT", "ALWAYS_DENY", "ASK_MODERATOR", "ALWAYS_ACCEPT_AUTH"}

// validateCreate is CreateMeeting's bean validation plus the controller's
// own checks, in a fixed order (bbb-web reports one violation).
func validateCreate(p params, rawQuery params) (key, msg string, ok bool) {
	id := p.get("meetingID")
	if key, msg, ok := validateMeetingID(id); !ok {
		return key, msg, false
	}
	name := p.get("name")
	switch {
	case name == "":
		return keyValidationError, "You must provide a meeting name", false
	case javaLen(name) < 2 || javaLen(name) > 64:
		return keyValidationError, "Meeting name must be between 2 and 64 characters", false
	}
	for _, k := range []string{"attendeePW", "moderatorPW"} {
		if v, present := p.lookup(k); present {
			if v == "" {
				return keyValidationError, "You must provide your password", false
			}
			if javaLen(v) < 2 || javaLen(v) > 64 {
				return keyValidationError, "Password must be between 8 and 20 characters", false
			}
		}
	}
	if !isIntegral(p.get("voiceBridge")) {
		return keyValidationError, "Voice bridge must be an integral value", false
	}
	if !isJavaBoolean(p.get("isBreakoutRoom")) {
		return keyValidationError, "You must provide a boolean value (true or false) for the breakout room", false
	}
	if !isJavaBoolean(p.get("record")) {
		return keyValidationError, "Record must be a boolean value (true or false)", false
	}
	if gp, present := p.lookup("guestPolicy"); present && gp != "" && !slices.Contains(guestPolicies, gp) {
		return keyValidationError, "Invalid guest policy", false
	}
	// The controller compares the unsanitized meetingID with its sanitized
	// form: control characters make the ID invalid rather than silently
	// stripped.
	if raw, _ := rawQuery.lookup("meetingID"); raw != id && raw != "" {
		return keyValidationError, "Invalid meeting ID", false
	}
	if javaParseBoolean(p.get("isBreakout")) && p.get("parentMeetingID") == "" {
		return "parentMeetingIdMissing", "No parent meeting ID was provided for the breakout room", false
	}
	return "", "", true
}

// rawParams decodes the URL query without sanitizing, for the check above.
func rawParams(raw string) params { return parseQueryUnsanitized(raw) }

func internalID(extID string, createTime int64) string {
	sum := sha1.Sum([]byte(extID))
	return hex.EncodeToString(sum[:]) + "-" + strconv.FormatInt(createTime, 10)
}

func handleCreate(rc *reqCtx, p params, in *input) {
	s := rc.s
	if key, msg, ok := validateCreate(p, rawParams(rc.r.URL.RawQuery)); !ok {
		writeXML(rc.w, errorXML(key, msg))
		return
	}
	id := p.get("meetingID")
	now := s.lock()
	if old := s.meetings[id]; old != nil && !old.ended {
		apw, hasA := p.lookup("attendeePW")
		mpw, hasM := p.lookup("moderatorPW")
		// Groovy: (existing.viewerPW.equals(params.attendeePW) &&
		// existing.moderatorPW.equals(params.moderatorPW)) ||
		// (!params.attendeePW && !params.moderatorPW). Sending only one of
		// the two passwords, even the right one, is idNotUnique.
		same := hasA && hasM && apw == old.attendeePW && mpw == old.moderatorPW
		if same || (apw == "" && mpw == "") {
			body := s.createXML(old, keyDuplicateWarning, msgDuplicateWarning)
			s.mu.Unlock()
			// New parameters and module XML are ignored on a repeat.
			writeXML(rc.w, body)
			return
		}
		s.mu.Unlock()
		writeXML(rc.w, errorXML(keyIDNotUnique, msgIDNotUnique))
		return
	}
	vb := p.get("voiceBridge")
	if vb != "" {
		for mid, o := range s.meetings {
			if mid != id && !o.ended && o.voiceBridge == vb {
				s.mu.Unlock()
				writeXML(rc.w, errorsXML("nonUniqueVoiceBridge", "The selected voice bridge is already in use."))
				return
			}
		}
	} else {
		vb = s.uniqueVoiceBridgeLocked()
	}
	createTime := now.UnixMilli()
	if old := s.meetings[id]; old != nil {
		// A forcibly ended meeting still in memory is replaced; its join
		// links die with it because createTime changes.
		if createTime <= old.createTime {
			createTime = old.createTime + 1
		}
		s.removeLocked(id, old)
	}
	m := &meeting{
		extID:       id,
		intID:       internalID(id, createTime),
		name:        p.get("name"),
		createTime:  createTime,
		created:     now,
		attendeePW:  p.get("attendeePW"),
		moderatorPW: p.get("moderatorPW"),
		voiceBridge: vb,
		settings:    parseSettings(p, s.cfg.DefaultDisabledFeatures),
		metadata:    metadataOf(p),
	}
	for _, kv := range p {
		if kv.Key != "checksum" {
			m.params = append(m.params, kv)
		}
	}
	// processPassword: bbb-web invents passwords nobody asked for.
	if m.attendeePW == "" {
		m.attendeePW = randString(8, mixedAlnum)
	}
	if m.moderatorPW == "" {
		m.moderatorPW = randString(8, mixedAlnum)
	}
	s.meetings[id] = m
	s.mu.Unlock()

	if _, err := rc.uploadDocuments(m, in, p, false); err != nil {
		// XmlSlurper throws after the meeting was created: the client sees a
		// server error although the meeting exists.
		http.Error(rc.w, "500 Internal Server Error", http.StatusInternalServerError)
		return
	}
	s.mu.Lock()
	body := s.createXML(m, "", "")
	s.mu.Unlock()
	writeXML(rc.w, body)
}

func (s *Server) uniqueVoiceBridgeLocked() string {
	for {
		vb := strconv.Itoa(10000 + randIntN(90000))
		inUse := false
		for _, o := range s.meetings {
			inUse = inUse || (!o.ended && o.voiceBridge == vb)
		}
		if !inUse {
			return vb
		}
	}
}

// createXML is create-meeting.ftlx.
func (s *Server) createXML(m *meeting, key, msg string) string {
	var x xmlBuilder
	x.open("response")
	x.elem("returncode", "SUCCESS")
	x.elem("meetingID", m.extID)
	x.elem("internalMeetingID", m.intID)
	x.elem("parentMeetingID", "bbb-none")
	x.elem("attendeePW", m.attendeePW)
	x.elem("moderatorPW", m.moderatorPW)
	x.intElem("createTime", m.createTime)
	x.elem("voiceBridge", m.voiceBridge)
	x.elem("dialNumber", s.cfg.DialNumber)
	x.elem("createDate", javaDate(m.createTime))
	x.boolElem("hasUserJoined", m.everJoined)
	x.intElem("duration", int64(m.settings.Duration))
	x.boolElem("hasBeenForciblyEnded", m.forciblyEnded)
	x.elem("messageKey", key)
	x.elem("message", msg)
	x.close("response")
	return x.String()
}

func handleInsertDocument(rc *reqCtx, p params, in *input) {
	id := p.get("meetingID")
	if key, msg, ok := validateMeetingID(id); !ok {
		writeXML(rc.w, errorXML(key, msg))
		return
	}
	s := rc.s
	s.lock()
	m := s.meetings[id]
	if m != nil && m.ended {
		m = nil
	}
	s.mu.Unlock()
	if m == nil {
		writeXML(rc.w, messageXML("FAILED", "", "Meeting with id ["+id+"] not found."))
		return
	}
	res, err := rc.uploadDocuments(m, in, p, true)
	switch {
	case err != nil:
		http.Error(rc.w, "500 Internal Server Error", http.StatusInternalServerError)
	case res == uploadDisabled:
		writeXML(rc.w, messageXML("FAILED", "", msgPresentationDisabled))
	case res == uploadIgnored:
		// bbb-web logs "called without a payload - ignoring" and renders
		// nothing: an empty 200 response, not XML.
		rc.w.Header().Set("Cache-Control", "no-cache")
		rc.w.WriteHeader(http.StatusOK)
	default:
		writeXML(rc.w, messageXML("SUCCESS", "", msgInsertUploading))
	}
}
