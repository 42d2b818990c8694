package bbbsim

import (
	"testing"
	"time"
)

// TestExpiry: §14.5 – meetings expire on the injectable clock.
func TestExpiry(t *testing.T) {
	t.Run("nobody joins: gone after 5 minutes", func(t *testing.T) {
		e := newEnv(t, Config{})
		e.create("room-1")
		// An API join (the connectivity probe) does not count as joining.
		e.join("room-1", "Probe", "VIEWER")
		e.clock.Advance(5*time.Minute - time.Millisecond)
		wantKey(t, e.call("getMeetingInfo", "meetingID=room-1"), "SUCCESS", "")
		e.clock.Advance(time.Millisecond)
		r := e.call("getMeetingInfo", "meetingID=room-1")
		wantKey(t, r, "FAILED", keyNotFound)
		if r.Message != msgMeetingNotFound {
			t.Fatalf("message %q", r.Message)
		}
		if r := e.call("isMeetingRunning", "meetingID=room-1"); r.ReturnCode != "SUCCESS" || r.Running != "false" {
			t.Fatalf("isMeetingRunning unknown: %s", r.Raw)
		}
		wantKey(t, e.join("room-1", "A", "VIEWER"), "FAILED", keyInvalidMeetingID)
		h := e.s.History()
		if len(h) != 1 || h[0].EndReason != EndReasonNeverJoined || h[0].ForciblyEnded {
			t.Fatalf("history %+v", h)
		}
	})
	t.Run("custom meetingExpireIfNoUserJoinedInMinutes", func(t *testing.T) {
		e := newEnv(t, Config{})
		e.create("room-1", "meetingExpireIfNoUserJoinedInMinutes=2")
		e.clock.Advance(2 * time.Minute)
		if _, ok := e.s.Meeting("room-1"); ok {
			t.Fatal("hooks must apply expiry too")
		}
	})
	t.Run("last user left: gone after 1 minute", func(t *testing.T) {
		e := newEnv(t, Config{})
		e.create("room-1")
		r := e.join("room-1", "Lehrerin", "MODERATOR")
		e.clock.Advance(4 * time.Minute)
		if resp, _ := e.enter(r.SessionToken); resp.StatusCode != 200 {
			t.Fatal("client page")
		}
		e.clock.Advance(time.Hour) // joined meetings do not expire while someone is in
		if r := e.call("isMeetingRunning", "meetingID=room-1"); r.Running != "true" {
			t.Fatal("should still run")
		}
		if err := e.s.Leave(r.SessionToken); err != nil {
			t.Fatal(err)
		}
		if r := e.call("isMeetingRunning", "meetingID=room-1"); r.Running != "false" {
			t.Fatal("nobody is in the meeting")
		}
		e.clock.Advance(59 * time.Second)
		wantKey(t, e.call("getMeetingInfo", "meetingID=room-1"), "SUCCESS", "")
		e.clock.Advance(time.Second)
		wantKey(t, e.call("getMeetingInfo", "meetingID=room-1"), "FAILED", keyNotFound)
		if h := e.s.History(); h[0].EndReason != EndReasonLastUserLeft {
			t.Fatalf("reason %q", h[0].EndReason)
		}
	})
	t.Run("meetingExpireWhenLastUserLeftInMinutes=0 disables", func(t *testing.T) {
		e := newEnv(t, Config{})
		e.create("room-1", "meetingExpireWhenLastUserLeftInMinutes=0")
		r := e.join("room-1", "A", "MODERATOR")
		_ = e.s.EnterClient(r.SessionToken)
		_ = e.s.Leave(r.SessionToken)
		e.clock.Advance(24 * time.Hour)
		if _, ok := e.s.Meeting("room-1"); !ok {
			t.Fatal("meeting expired although disabled")
		}
	})
	t.Run("duration", func(t *testing.T) {
		e := newEnv(t, Config{})
		e.create("room-1", "duration=45")
		r := e.join("room-1", "A", "MODERATOR")
		_ = e.s.EnterClient(r.SessionToken)
		e.clock.Advance(45 * time.Minute)
		if _, ok := e.s.Meeting("room-1"); ok {
			t.Fatal("duration elapsed")
		}
	})
	t.Run("endWhenNoModerator", func(t *testing.T) {
		e := newEnv(t, Config{})
		e.create("room-1", "endWhenNoModerator=true", "endWhenNoModeratorDelayInMinutes=2")
		mod := e.join("room-1", "Lehrerin", "MODERATOR")
		kid := e.join("room-1", "Kind", "VIEWER")
		_ = e.s.EnterClient(mod.SessionToken)
		_ = e.s.EnterClient(kid.SessionToken)
		_ = e.s.Leave(mod.SessionToken)
		e.clock.Advance(2 * time.Minute)
		if _, ok := e.s.Meeting("room-1"); ok {
			t.Fatal("meeting without moderator must end")
		}
		if h := e.s.History(); h[0].EndReason != EndReasonNoModerator {
			t.Fatalf("reason %q", h[0].EndReason)
		}
	})
}

// TestEndIsAsynchronous: §14.12 – end answers sentEndMeetingRequest and the
// meeting ends afterwards; it stays visible as forcibly ended for a while.
func TestEndIsAsynchronous(t *testing.T) {
	e := newEnv(t, Config{EndDelay: 3 * time.Second})
	e.create("room-1")
	r := e.join("room-1", "A", "MODERATOR")
	_ = e.s.EnterClient(r.SessionToken)
	end := e.call("end", "meetingID=room-1")
	if end.Raw != "<response><returncode>SUCCESS</returncode><messageKey>sentEndMeetingRequest</messageKey><message>A request to end the meeting was sent.  Please wait a few seconds, and then use the getMeetingInfo or isMeetingRunning API calls to verify that it was ended.</message></response>" {
		t.Fatalf("F6 end: %s", end.Raw)
	}
	if r := e.call("isMeetingRunning", "meetingID=room-1"); r.Running != "true" {
		t.Fatal("end must not be synchronous")
	}
	e.clock.Advance(3 * time.Second)
	if r := e.call("isMeetingRunning", "meetingID=room-1"); r.Running != "false" {
		t.Fatal("meeting should have ended")
	}
	info := e.call("getMeetingInfo", "meetingID=room-1")
	if info.ForciblyEnded != "true" || info.EndTime != t0.Add(3*time.Second).UnixMilli() || len(info.Attendees) != 0 {
		t.Fatalf("ended meeting: %s", info.Raw)
	}
	wantKey(t, e.join("room-1", "B", "VIEWER"), "FAILED", keyForciblyEnded)
	e.clock.Advance(time.Minute)
	wantKey(t, e.call("getMeetingInfo", "meetingID=room-1"), "FAILED", keyNotFound)
	wantKey(t, e.call("end", "meetingID=room-1"), "FAILED", keyNotFound)
	if h := e.s.History(); len(h) != 1 || h[0].EndReason != EndReasonEndCall || !h[0].ForciblyEnded {
		t.Fatalf("history %+v", h)
	}
	t.Run("end with wrong legacy password", func(t *testing.T) {
		e.create("room-2")
		wantKey(t, e.call("end", "meetingID=room-2&password=nope"), "FAILED", "invalidPassword")
	})
}
