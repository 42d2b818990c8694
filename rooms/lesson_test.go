package rooms

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tafel-schule/tafel/bbbclient"
	"github.com/tafel-schule/tafel/checkhistory"
	"github.com/tafel-schule/tafel/internal/bbbsim"
)

func roleOf(t *testing.T, e *simEnv, meetingID, name string) string {
	t.Helper()
	m, ok := e.sim.Meeting(meetingID)
	if !ok {
		t.Fatalf("meeting %s not found", meetingID)
	}
	for _, u := range m.Users {
		if u.FullName == name {
			return u.Role
		}
	}
	t.Fatalf("no user %q in meeting", name)
	return ""
}

// Start a lesson: create with the preset's settings and the slides, the
// teacher's moderator link with createTime works in a "browser", and a
// second start is idempotent and adds only new slides via insertDocument.
func TestStartLessonRoundTrip(t *testing.T) {
	e := newSim(t, bbbsim.Config{})
	ctx := testCtx(t)
	dir := t.TempDir()
	room, _ := NewRoom("Mathe 7b", PresetLesson)
	room.Welcome = "Hallo <Klasse>!"
	room.AddSlide(writeSlide(t, dir, "bruchrechnung.pdf", 3))
	room.AddSlide(writeSlide(t, dir, "aufgaben.pdf", 1))

	res, err := StartLesson(ctx, e.pool, room, StartOptions{TeacherName: "Frau Müller", SkipEchoTest: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Meeting.Existed || len(res.SlidesSent) != 2 || len(res.SlideIssues) != 0 {
		t.Fatalf("first start: %+v", res)
	}
	if room.Live == nil || room.Live.CreateTime != res.Meeting.CreateTime || len(room.Live.Uploaded) != 2 {
		t.Fatalf("live state: %+v", room.Live)
	}
	m, _ := e.sim.Meeting(room.MeetingID)
	st := m.Settings
	if st.Record || !st.MuteOnStart || !st.WebcamsOnlyForModerator || !st.Lock.DisablePrivateChat ||
		!st.Lock.DisableNotes || !st.Lock.LockOnJoin || st.MeetingExpireWhenLastUserLeftInMinutes != 1 ||
		st.AllowPromoteGuestToModerator || st.Welcome != "Hallo &lt;Klasse&gt;!" || m.Name != "Mathe 7b" {
		t.Fatalf("server applied: %+v welcome %q", st, st.Welcome)
	}
	if err := e.sim.WaitConversions(ctx); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range e.sim.Presentations(room.MeetingID) {
		if p.Default {
			t.Fatal("BBB's default.pdf should be replaced by the room's slides")
		}
		if p.Status != bbbsim.StatusConverted || p.FromInsert {
			t.Fatalf("presentation %+v", p)
		}
		names = append(names, p.Name)
	}
	if strings.Join(names, ",") != "bruchrechnung.pdf,aufgaben.pdf" {
		t.Fatalf("presentations: %v", names)
	}

	// The teacher's link: MODERATOR, createTime, echo test skipped on the
	// first join only; printing it never shows the checksum.
	u, _ := url.Parse(res.URL.Reveal())
	q := u.Query()
	if q.Get("role") != "MODERATOR" || q.Get("createTime") == "" || q.Get("userdata-bbb_skip_check_audio_on_first_join") != "true" ||
		q.Get("userdata-bbb_auto_join_audio") != "true" || q.Has("password") {
		t.Fatalf("moderator URL query: %v", q)
	}
	if s := res.URL.String(); strings.Contains(s, "checksum") || strings.Contains(s, "?") {
		t.Fatalf("JoinURL prints %q", s)
	}
	if err := CheckJoinURL(res.URL, e.cfg.URL); err != nil {
		t.Fatal(err)
	}
	if status, key, _ := browse(t, res.URL.Reveal()); status != 200 || key != "" {
		t.Fatalf("teacher join: %d %q", status, key)
	}
	if roleOf(t, e, room.MeetingID, "Frau Müller") != "MODERATOR" {
		t.Fatal("teacher must be moderator")
	}

	// Second start: same meeting, nothing re-uploaded.
	e.sim.ResetRequests()
	res2, err := StartLesson(ctx, e.pool, room, StartOptions{TeacherName: "Frau Müller"})
	if err != nil {
		t.Fatal(err)
	}
	if !res2.Meeting.Existed || res2.Meeting.CreateTime != res.Meeting.CreateTime || len(res2.SlidesSent) != 0 {
		t.Fatalf("second start: %+v", res2)
	}
	for _, r := range e.sim.Requests() {
		if r.Method == "POST" {
			t.Fatalf("second start must not upload anything: %s %s", r.Method, r.Call)
		}
	}
	if u2, _ := url.Parse(res2.URL.Reveal()); u2.Query().Has("userdata-bbb_skip_check_audio_on_first_join") {
		t.Fatal("echo test skipped without a recent audio check")
	}

	// A new slide while the lesson runs goes in with insertDocument.
	room.AddSlide(writeSlide(t, dir, "hausaufgabe.pdf", 2))
	res3, err := StartLesson(ctx, e.pool, room, StartOptions{TeacherName: "Frau Müller"})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(res3.SlidesSent, ",") != "hausaufgabe.pdf" {
		t.Fatalf("third start sent %v", res3.SlidesSent)
	}
	e.sim.WaitConversions(ctx)
	ps := e.sim.Presentations(room.MeetingID)
	if len(ps) != 3 || !ps[2].FromInsert || ps[2].Name != "hausaufgabe.pdf" || ps[2].Status != bbbsim.StatusConverted {
		t.Fatalf("after insert: %+v", ps)
	}
}

// Settings apply only to a new meeting instance: changed while running,
// the old settings stay (BBB ignores them); after the end, the re-create
// uses the new ones, gets a new createTime, and the slides go up again.
func TestRecreateWithDifferentSettings(t *testing.T) {
	e := newSim(t, bbbsim.Config{})
	ctx := testCtx(t)
	room, _ := NewRoom("Elternabend 5a", PresetLesson)
	room.AddSlide(writeSlide(t, t.TempDir(), "agenda.pdf", 1))
	first, err := StartLesson(ctx, e.pool, room, StartOptions{TeacherName: "Herr Roth"})
	if err != nil {
		t.Fatal(err)
	}
	room.Preset = PresetParents
	if err := room.SetOverride(Policy{}, "mute_on_start", "false"); err != nil {
		t.Fatal(err)
	}
	again, err := StartLesson(ctx, e.pool, room, StartOptions{TeacherName: "Herr Roth"})
	if err != nil {
		t.Fatal(err)
	}
	m, _ := e.sim.Meeting(room.MeetingID)
	if !again.Meeting.Existed || m.Settings.GuestPolicy != "ALWAYS_ACCEPT" || !m.Settings.MuteOnStart {
		t.Fatalf("running meeting must keep its settings: %+v", m.Settings)
	}
	if err := e.pool.End(ctx, room.MeetingID); err != nil {
		t.Fatal(err)
	}
	// Wait for the asynchronous end.
	deadline := time.Now().Add(10 * time.Second)
	for {
		st, err := e.pool.Status(ctx, room.MeetingID)
		if err != nil {
			t.Fatal(err)
		}
		if !st.Exists {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("meeting did not end")
		}
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(2 * time.Millisecond) // createTime has millisecond resolution
	re, err := StartLesson(ctx, e.pool, room, StartOptions{TeacherName: "Herr Roth"})
	if err != nil {
		t.Fatal(err)
	}
	m, _ = e.sim.Meeting(room.MeetingID)
	if re.Meeting.Existed || re.Meeting.CreateTime == first.Meeting.CreateTime || m.Settings.GuestPolicy != "ASK_MODERATOR" ||
		m.Settings.MuteOnStart || m.Settings.WebcamsOnlyForModerator {
		t.Fatalf("re-create: %+v settings %+v", re.Meeting, m.Settings)
	}
	if len(re.SlidesSent) != 1 || room.Live.CreateTime != re.Meeting.CreateTime {
		t.Fatalf("slides must go up again for the new instance: %+v", re)
	}
	// The old moderator link (old createTime) no longer works.
	if _, key, _ := browse(t, first.URL.Reveal()); key != "mismatchCreateTimeParam" {
		t.Fatalf("stale teacher link: %q", key)
	}
}

// Student links: VIEWER only, tamper-proof, stable user IDs, revoked by
// rotating the meeting ID; parents' evening links wait for approval.
func TestViewerLinks(t *testing.T) {
	e := newSim(t, bbbsim.Config{})
	ctx := testCtx(t)
	room, _ := NewRoom("Bio 9c", PresetLesson)
	link, err := e.pool.ViewerJoinURL(ctx, room.MeetingID, 0, Participant{Name: "Ada Lovelace", UserID: "s-ada"})
	if err != nil {
		t.Fatal(err)
	}
	q, _ := url.ParseQuery(strings.SplitN(link.Reveal(), "?", 2)[1])
	if q.Get("role") != "VIEWER" || q.Has("createTime") || q.Has("password") || q.Get("userID") != "s-ada" {
		t.Fatalf("viewer link query: %v", q)
	}
	// Before the lesson runs, the link leads nowhere.
	if _, key, _ := browse(t, link.Reveal()); key != "invalidMeetingIdentifier" {
		t.Fatalf("link before the lesson: %q", key)
	}
	res, err := StartLesson(ctx, e.pool, room, StartOptions{TeacherName: "Frau Kim"})
	if err != nil {
		t.Fatal(err)
	}
	if status, key, _ := browse(t, link.Reveal()); status != 200 || key != "" {
		t.Fatalf("student join: %d %q", status, key)
	}
	if roleOf(t, e, room.MeetingID, "Ada Lovelace") != "VIEWER" {
		t.Fatal("student must be a viewer")
	}
	// Tampering: a student edits role=VIEWER to MODERATOR.
	for _, tamper := range []func(string) string{
		func(s string) string { return strings.Replace(s, "role=VIEWER", "role=MODERATOR", 1) },
		func(s string) string { return s + "&role=MODERATOR" },
		func(s string) string { return strings.Replace(s, "fullName=Ada", "fullName=Admin", 1) },
	} {
		bad := tamper(link.Reveal())
		if _, key, _ := browse(t, bad); key != "checksumError" {
			t.Fatalf("tampered link accepted: key %q", key)
		}
	}
	// A link pinned to this lesson.
	pinned, _ := e.pool.ViewerJoinURL(ctx, room.MeetingID, res.Meeting.CreateTime, Participant{Name: "Bob"})
	if status, key, _ := browse(t, pinned.Reveal()); status != 200 || key != "" {
		t.Fatalf("pinned link: %d %q", status, key)
	}

	// Rotating the meeting ID revokes every old link for good.
	old := room.RotateMeetingID()
	if err := e.pool.End(ctx, old); err != nil {
		t.Fatal(err)
	}
	if _, err := StartLesson(ctx, e.pool, room, StartOptions{TeacherName: "Frau Kim"}); err != nil {
		t.Fatal(err)
	}
	waitGone(t, e, old)
	if _, key, _ := browse(t, link.Reveal()); key != "meetingForciblyEnded" && key != "invalidMeetingIdentifier" {
		t.Fatalf("old link after rotation: %q", key)
	}

	// Parents' evening: guests wait for the moderator.
	pe, _ := NewRoom("Elternabend", PresetParents)
	if _, err := StartLesson(ctx, e.pool, pe, StartOptions{TeacherName: "Frau Kim"}); err != nil {
		t.Fatal(err)
	}
	s, _ := pe.Settings(Policy{})
	guest, _ := e.pool.ViewerJoinURL(ctx, pe.MeetingID, 0, Participant{Name: "Familie Schulz", Guest: s.GuestsWait()})
	_, _, final := browse(t, guest.Reveal())
	if !strings.Contains(final.Path, "guestWait") {
		t.Fatalf("parent should wait for approval, landed on %s", final.Path)
	}
}

func waitGone(t *testing.T, e *simEnv, id string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if st, _ := e.pool.Status(context.Background(), id); !st.Exists {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("meeting %s still exists", id)
}

func TestPoolCheckStatusAndICE(t *testing.T) {
	e := newSim(t, bbbsim.Config{TURN: []bbbsim.TURNServer{{URL: "turn:127.0.0.1:3478?transport=udp", Secret: "ts"}}})
	ctx := testCtx(t)
	if err := e.pool.Check(ctx); err != nil {
		t.Fatal(err)
	}
	wrong, _ := NewDirectPool(e.cfg, "not-the-secret", DirectOptions{})
	if err := wrong.Check(ctx); !errors.Is(err, bbbclient.ErrChecksum) {
		t.Fatalf("wrong secret: %v", err)
	} else if strings.Contains(err.Error(), "not-the-secret") {
		t.Fatal("error contains the secret")
	}
	ice, err := e.pool.ICEServers(ctx)
	if err != nil || len(ice.TURNServers) != 1 {
		t.Fatalf("ICE: %v %v", ice, err)
	}
	for _, m := range e.sim.Meetings() {
		if strings.HasPrefix(m.MeetingID, "tafel-probe-") && !m.Ended {
			t.Fatal("probe meeting must be ended")
		}
	}
	st, err := e.pool.Status(ctx, "nope-"+NewMeetingID())
	if err != nil || st.Exists {
		t.Fatalf("unknown meeting status: %+v %v", st, err)
	}
}

func TestStartLessonSlideIssues(t *testing.T) {
	e := newSim(t, bbbsim.Config{})
	ctx := testCtx(t)
	dir := t.TempDir()
	room, _ := NewRoom("Physik", "")
	room.AddSlide(Slide{Path: dir + "/gone.pdf", Name: "gone.pdf"})
	big := writeSlide(t, dir, "ok.pdf", 1)
	room.AddSlide(big)
	e.pool.cfg.MaxInlineBytes = 200 // nothing fits inline
	res, err := StartLesson(ctx, e.pool, room, StartOptions{TeacherName: "T"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.SlideIssues) != 2 || res.SlideIssues[0].Code != CodeSlideMissing || res.SlideIssues[1].Code != CodeSlideTooLarge {
		t.Fatalf("issues: %+v", res.SlideIssues)
	}
	if res.URL.IsZero() {
		t.Fatal("the lesson still starts without the slides")
	}
}

func TestEchoTestPassed(t *testing.T) {
	h := &checkhistory.Store{Path: t.TempDir() + "/h.json"}
	now := time.Now()
	if EchoTestPassed(h, now) {
		t.Fatal("no history")
	}
	h.Record(checkhistory.Audio, checkhistory.Entry{Time: now.Add(-10 * time.Minute), Verdict: "pass"})
	if !EchoTestPassed(h, now) {
		t.Fatal("10 minutes ago")
	}
	h.Record(checkhistory.Audio, checkhistory.Entry{Time: now.Add(-31 * time.Minute), Verdict: "pass"})
	if EchoTestPassed(h, now) {
		t.Fatal("31 minutes ago")
	}
	h.Record(checkhistory.Audio, checkhistory.Entry{Time: now, Verdict: "fail"})
	if EchoTestPassed(h, now) {
		t.Fatal("failed check")
	}
	for code, want := range map[string]bool{"OK": true, "OK_LEAK": true, "OK_NOISY": false, "LEAK": false, "RETRY": false} {
		verdict := "pass"
		if !want {
			verdict = "warn"
		}
		h.Record(checkhistory.Audio, checkhistory.Entry{Time: now, Verdict: verdict, Code: code})
		if got := EchoTestPassed(h, now); got != want {
			t.Errorf("%s (%s): skip BBB's echo test = %v, want %v", code, verdict, got, want)
		}
	}
	// A pass whose code says some echo remains never skips it.
	h.Record(checkhistory.Audio, checkhistory.Entry{Time: now, Verdict: "pass", Code: "LEAK"})
	if EchoTestPassed(h, now) {
		t.Error("LEAK skipped BBB's echo test")
	}
}

func TestCheckJoinURL(t *testing.T) {
	pool := "https://bbb.schule.example/bigbluebutton/api"
	for _, c := range []struct {
		u  string
		ok bool
	}{
		{"https://bbb.schule.example/bigbluebutton/api/join?x=1", true},
		{"http://bbb.schule.example/bigbluebutton/api/join?x=1", false},
		{"https://evil.example/bigbluebutton/api/join?x=1", false},
		{"javascript:alert(1)", false},
	} {
		if err := CheckJoinURL(NewJoinURL(c.u), pool); (err == nil) != c.ok {
			t.Errorf("%s: %v", c.u, err)
		}
	}
	if err := CheckJoinURL(NewJoinURL("http://127.0.0.1:9/bigbluebutton/api/join"), "http://127.0.0.1:9/bigbluebutton/api"); err != nil {
		t.Fatal(err)
	}
}

// The same loop behind Scalelite (joins are redirected to the node) and
// on an old BBB 2.4 (no insertDocument: a new slide during the lesson is
// reported, the lesson still starts).
func TestStartLessonFlavors(t *testing.T) {
	t.Run("scalelite", func(t *testing.T) {
		e := newSim(t, bbbsim.Config{Flavor: bbbsim.FlavorScalelite})
		ctx := testCtx(t)
		dir := t.TempDir()
		room, _ := NewRoom("Geschichte 8", "")
		room.AddSlide(writeSlide(t, dir, "rom.pdf", 2))
		res, err := StartLesson(ctx, e.pool, room, StartOptions{TeacherName: "Herr Adler"})
		if err != nil || len(res.SlidesSent) != 1 {
			t.Fatalf("%+v %v", res, err)
		}
		if status, key, final := browse(t, res.URL.Reveal()); status != 200 || key != "" || !strings.Contains(final.Path, "html5client") {
			t.Fatalf("teacher join via Scalelite: %d %q %s", status, key, final.Path)
		}
		room.AddSlide(writeSlide(t, dir, "karthago.pdf", 1))
		res, err = StartLesson(ctx, e.pool, room, StartOptions{TeacherName: "Herr Adler"})
		if err != nil || strings.Join(res.SlidesSent, ",") != "karthago.pdf" || len(res.SlideIssues) != 0 {
			t.Fatalf("insert via Scalelite: %+v %v", res, err)
		}
		link, _ := e.pool.ViewerJoinURL(ctx, room.MeetingID, res.Meeting.CreateTime, Participant{Name: "Schüler A"})
		if status, key, _ := browse(t, link.Reveal()); status != 200 || key != "" {
			t.Fatalf("student via Scalelite: %d %q", status, key)
		}
	})
	t.Run("bbb24", func(t *testing.T) {
		e := newSim(t, bbbsim.Config{Flavor: bbbsim.FlavorBBB24})
		ctx := testCtx(t)
		dir := t.TempDir()
		room, _ := NewRoom("Musik 5", "")
		room.AddSlide(writeSlide(t, dir, "noten.pdf", 1))
		if res, err := StartLesson(ctx, e.pool, room, StartOptions{TeacherName: "Frau Bach"}); err != nil || len(res.SlidesSent) != 1 {
			t.Fatalf("%+v %v", res, err)
		}
		room.AddSlide(writeSlide(t, dir, "lied.pdf", 1))
		res, err := StartLesson(ctx, e.pool, room, StartOptions{TeacherName: "Frau Bach"})
		if err != nil || res.URL.IsZero() || len(res.SlideIssues) != 1 || res.SlideIssues[0].Code != CodeSlideUpload {
			t.Fatalf("2.4 has no insertDocument: %+v %v", res, err)
		}
	})
}
