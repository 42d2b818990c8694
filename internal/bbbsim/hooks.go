package bbbsim

import (
	"errors"
	"fmt"
	"sort"
)

// Test hooks. None of these is reachable over HTTP; each one first applies
// the expiry rules that are due on Config.Clock, like every request does.

// ErrUnknownSession is returned by hooks given a session token the server
// does not know (never issued, or its meeting is gone).
var ErrUnknownSession = errors.New("bbbsim: unknown session token")

// ErrUnknownMeeting is returned by hooks given a meetingID with no meeting.
var ErrUnknownMeeting = errors.New("bbbsim: unknown meeting")

// Meetings returns the meetings the server holds (including forcibly
// ended ones not yet removed), oldest first.
func (s *Server) Meetings() []MeetingState {
	s.lock()
	defer s.mu.Unlock()
	out := make([]MeetingState, 0, len(s.meetings))
	for _, m := range s.meetings {
		out = append(out, m.snapshot())
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].CreateTime != out[j].CreateTime {
			return out[i].CreateTime < out[j].CreateTime
		}
		return out[i].MeetingID < out[j].MeetingID
	})
	return out
}

// Meeting returns the current instance of meetingID.
func (s *Server) Meeting(meetingID string) (MeetingState, bool) {
	s.lock()
	defer s.mu.Unlock()
	if m := s.meetings[meetingID]; m != nil {
		return m.snapshot(), true
	}
	return MeetingState{}, false
}

// History returns removed meeting instances (expired, or ended and past
// EndedRetention), oldest first; at most the last 200.
func (s *Server) History() []MeetingState {
	s.lock()
	defer s.mu.Unlock()
	out := make([]MeetingState, 0, len(s.history))
	for _, m := range s.history {
		out = append(out, m.snapshot())
	}
	return out
}

// Presentations returns the uploads of the current (or else the most
// recently removed) instance of meetingID, in upload order. Call
// WaitConversions first to see final outcomes.
func (s *Server) Presentations(meetingID string) []Presentation {
	s.lock()
	defer s.mu.Unlock()
	m := s.meetings[meetingID]
	for i := len(s.history) - 1; m == nil && i >= 0; i-- {
		if s.history[i].extID == meetingID {
			m = s.history[i]
		}
	}
	if m == nil {
		return nil
	}
	out := make([]Presentation, 0, len(m.presentations))
	for _, p := range m.presentations {
		out = append(out, *p)
	}
	return out
}

// EnterClient makes a join's user really join, as loading the HTML5 client
// with the session token does, but without the JSESSIONID check. Guests
// still waiting or denied, and full meetings, are refused.
func (s *Server) EnterClient(sessionToken string) error {
	now := s.lock()
	defer s.mu.Unlock()
	u := s.sessions[sessionToken]
	switch {
	case u == nil:
		return ErrUnknownSession
	case u.m.ended:
		return fmt.Errorf("bbbsim: meeting %q has ended", u.m.extID)
	case u.guestStatus != GuestAllow:
		return fmt.Errorf("bbbsim: guest status is %s", u.guestStatus)
	case u.m.reachedMaxParticipants(u):
		return errors.New("bbbsim: " + keyMaxParticipants)
	}
	u.m.enter(u, now)
	return nil
}

// Leave makes the user of a session leave the meeting (closing the tab).
func (s *Server) Leave(sessionToken string) error {
	now := s.lock()
	defer s.mu.Unlock()
	u := s.sessions[sessionToken]
	if u == nil {
		return ErrUnknownSession
	}
	u.m.leave(u, now)
	return nil
}

// LeaveUser makes every present user of meetingID with external userID
// leave.
func (s *Server) LeaveUser(meetingID, userID string) error {
	now := s.lock()
	defer s.mu.Unlock()
	m := s.meetings[meetingID]
	if m == nil {
		return ErrUnknownMeeting
	}
	for _, u := range m.present() {
		if u.externUserID == userID {
			m.leave(u, now)
		}
	}
	return nil
}

// ApproveGuest answers a waiting guest's request, as a moderator in the
// meeting would.
func (s *Server) ApproveGuest(sessionToken string, allow bool) error {
	s.lock()
	defer s.mu.Unlock()
	u := s.sessions[sessionToken]
	if u == nil {
		return ErrUnknownSession
	}
	if allow {
		u.guestStatus = GuestAllow
	} else {
		u.guestStatus = GuestDeny
	}
	return nil
}

// EndMeeting ends meetingID at once, as a moderator's "End meeting" would
// (hasBeenForciblyEnded=true; removed after EndedRetention).
func (s *Server) EndMeeting(meetingID string) error {
	now := s.lock()
	defer s.mu.Unlock()
	m := s.meetings[meetingID]
	if m == nil {
		return ErrUnknownMeeting
	}
	m.end(now, EndReasonHook, true)
	return nil
}

// Requests returns the requests received so far, oldest first.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// ResetRequests clears the request log.
func (s *Server) ResetRequests() {
	s.mu.Lock()
	s.requests = nil
	s.mu.Unlock()
}
