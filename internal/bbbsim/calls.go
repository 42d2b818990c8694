package bbbsim

import (
	"sort"
	"time"
)

// validateMeetingID is MeetingIDConstraint.
func validateMeetingID(id string) (key, msg string, ok bool) {
	switch {
	case id == "":
		return keyMissingMeetingID, msgMissingMeetingID, false
	case javaLen(id) < 2 || javaLen(id) > 256:
		return keyValidationError, "Meeting ID must be between 2 and 256 characters", false
	case containsByte(id, ','):
		return keyValidationError, "Meeting ID cannot contain ','", false
	}
	return "", "", true
}

func containsByte(s string, c byte) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return true
		}
	}
	return false
}

func (f *frontend) notFoundMsg() string {
	if f.flavor == FlavorScalelite {
		return msgScaleliteNotFound
	}
	return msgMeetingNotFound
}

// javaDate formats like java.util.Date.toString() on a UTC server.
func javaDate(ms int64) string {
	return time.UnixMilli(ms).UTC().Format("Mon Jan 02 15:04:05 MST 2006")
}

func handleIsMeetingRunning(rc *reqCtx, p params, _ *input) {
	if key, msg, ok := validateMeetingID(p.get("meetingID")); !ok {
		writeXML(rc.w, errorXML(key, msg))
		return
	}
	s := rc.s
	s.lock()
	m := s.meetings[p.get("meetingID")]
	running := m != nil && m.running()
	s.mu.Unlock()
	var x xmlBuilder
	x.open("response")
	x.elem("returncode", "SUCCESS")
	x.boolElem("running", running)
	x.close("response")
	writeXML(rc.w, x.String())
}

func handleGetMeetingInfo(rc *reqCtx, p params, _ *input) {
	id := p.get("meetingID")
	if key, msg, ok := validateMeetingID(id); !ok {
		writeXML(rc.w, errorXML(key, msg))
		return
	}
	s := rc.s
	s.lock()
	m := s.meetings[id]
	if m == nil {
		s.mu.Unlock()
		writeXML(rc.w, errorXML(keyNotFound, rc.f.notFoundMsg()))
		return
	}
	var x xmlBuilder
	x.open("response")
	x.elem("returncode", "SUCCESS")
	s.meetingInfoXML(&x, m)
	x.boolElem("isBreakout", m.settings.IsBreakout)
	x.close("response")
	s.mu.Unlock()
	writeXML(rc.w, x.String())
}

// meetingInfoXML writes the fields shared by getMeetingInfo and
// getMeetings, in the order of get-meeting-info.ftlx.
func (s *Server) meetingInfoXML(x *xmlBuilder, m *meeting) {
	x.elem("meetingName", m.name)
	x.elem("meetingID", m.extID)
	x.elem("internalMeetingID", m.intID)
	x.intElem("createTime", m.createTime)
	x.elem("createDate", javaDate(m.createTime))
	x.elem("voiceBridge", m.voiceBridge)
	x.elem("dialNumber", s.cfg.DialNumber)
	if m.attendeePW != "" {
		x.elem("attendeePW", m.attendeePW)
	}
	if m.moderatorPW != "" {
		x.elem("moderatorPW", m.moderatorPW)
	}
	present := m.present()
	x.boolElem("running", m.running())
	x.intElem("duration", int64(m.settings.Duration))
	x.boolElem("hasUserJoined", m.everJoined)
	x.boolElem("recording", m.settings.Record)
	x.boolElem("hasBeenForciblyEnded", m.forciblyEnded)
	x.intElem("startTime", m.createTime)
	x.intElem("endTime", m.endTime)
	x.intElem("participantCount", int64(len(present)))
	x.intElem("listenerCount", 0)
	x.intElem("voiceParticipantCount", 0)
	x.intElem("videoCount", 0)
	x.intElem("maxUsers", int64(m.settings.MaxParticipants))
	x.intElem("moderatorCount", int64(m.moderatorCount()))
	x.open("attendees")
	for _, u := range present {
		x.open("attendee")
		x.elem("userID", u.externUserID)
		x.elem("fullName", u.fullName)
		x.elem("role", u.role)
		x.boolElem("isPresenter", u.presenter)
		x.boolElem("isListeningOnly", false)
		x.boolElem("hasJoinedVoice", false)
		x.boolElem("hasVideo", false)
		x.elem("clientType", "HTML5")
		x.open("customdata")
		for _, kv := range u.customData {
			x.dynElem(kv.Key, kv.Value)
		}
		x.close("customdata")
		x.close("attendee")
	}
	x.close("attendees")
	x.open("metadata")
	for _, kv := range m.metadata {
		x.dynElem(kv.Key, kv.Value)
	}
	x.close("metadata")
}

func handleGetMeetings(rc *reqCtx, _ params, _ *input) {
	s := rc.s
	s.lock()
	ms := make([]*meeting, 0, len(s.meetings))
	for _, m := range s.meetings {
		ms = append(ms, m)
	}
	sort.Slice(ms, func(i, j int) bool {
		if ms[i].createTime != ms[j].createTime {
			return ms[i].createTime < ms[j].createTime
		}
		return ms[i].extID < ms[j].extID
	})
	var x xmlBuilder
	x.open("response")
	x.elem("returncode", "SUCCESS")
	if len(ms) == 0 {
		x.b.WriteString("<meetings/>")
		x.elem("messageKey", keyNoMeetings)
		x.elem("message", msgNoMeetings)
	} else {
		x.open("meetings")
		for _, m := range ms {
			x.open("meeting")
			s.meetingInfoXML(&x, m)
			x.boolElem("isBreakout", m.settings.IsBreakout)
			x.close("meeting")
		}
		x.close("meetings")
	}
	x.close("response")
	s.mu.Unlock()
	writeXML(rc.w, x.String())
}

func handleEnd(rc *reqCtx, p params, _ *input) {
	id := p.get("meetingID")
	if key, msg, ok := validateMeetingID(id); !ok {
		writeXML(rc.w, errorXML(key, msg))
		return
	}
	s := rc.s
	now := s.lock()
	m := s.meetings[id]
	if m == nil {
		s.mu.Unlock()
		writeXML(rc.w, errorXML(keyNotFound, rc.f.notFoundMsg()))
		return
	}
	// The legacy password is optional, but checked when sent.
	if pw, ok := p.lookup("password"); ok && pw != m.moderatorPW {
		s.mu.Unlock()
		writeXML(rc.w, errorXML("invalidPassword", "You must supply the moderator password for this call."))
		return
	}
	// bbb-web only forwards the request to akka-apps; the meeting ends
	// asynchronously, never within this call.
	if m.endRequested.IsZero() && !m.ended {
		m.endRequested = now
	}
	s.mu.Unlock()
	writeXML(rc.w, messageXML("SUCCESS", keySentEnd, msgSentEnd))
}

// handleSignOut removes a session (client-internal call, no checksum).
func handleSignOut(rc *reqCtx, p params, _ *input) {
	s := rc.s
	now := s.lock()
	if u := s.sessions[p.get("sessionToken")]; u != nil {
		u.m.leave(u, now)
		delete(s.sessions, u.token)
	}
	s.mu.Unlock()
	writeXML(rc.w, "<response><returncode>SUCCESS</returncode></response>")
}
