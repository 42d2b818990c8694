package backend

import (
	"errors"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tafel-schule/tafel/checkhistory"
	"github.com/tafel-schule/tafel/rooms"
)

// The teacher's loop: a slide attached before the lesson goes up with the
// start, the moderator link opens in the configured browser, Live is
// saved, and a recent audio check skips BBB's echo test.
func TestStartLesson(t *testing.T) {
	e := newEnv(t)
	e.addPoolAndRoom("Mathe 7b")
	s := e.b.Settings()
	a := s.Load()
	a.Browser, a.TeacherName = "firefox", "Frau Müller"
	if err := s.Save(a); err != nil {
		t.Fatal(err)
	}
	l := e.b.Lessons()

	// Not running yet: attached only.
	slide := e.pdf("bruchrechnung.pdf", 3)
	added, err := l.AddSlides(e.ctx(), "mathe 7B", []string{slide}, nil)
	if err != nil || len(added.Attached) != 1 || len(added.Uploaded) != 0 || len(added.Warnings) != 0 || !added.Checks[0].OK || added.Checks[0].Pages != 3 {
		t.Fatalf("attach before start: %v %+v", err, added)
	}

	e.history.Record(checkhistory.Audio, checkhistory.Entry{Time: time.Now().Add(-5 * time.Minute), Verdict: "pass"})
	var progressed atomic.Int64
	res, err := l.Start(e.ctx(), "Mathe 7b", func(sent, total int64) { progressed.Store(total) })
	if err != nil {
		t.Fatalf("start: %s", l.Explain(err))
	}
	if res.Room != "Mathe 7b" || res.AlreadyRunning || !res.EchoTestSkipped || len(res.SlidesSent) != 1 || len(res.Warnings) != 0 {
		t.Fatalf("start result: %+v", res)
	}
	if progressed.Load() <= 0 {
		t.Fatal("no upload progress")
	}
	link, browser := e.lastOpened()
	if browser != "firefox" || !strings.HasPrefix(link, e.api+"/join?") || !strings.Contains(link, "role=MODERATOR") ||
		!strings.Contains(link, "userdata-bbb_skip_check_audio_on_first_join=true") || !strings.Contains(link, "fullName=Frau+M%C3%BCller") {
		t.Fatal("moderator link parameters")
	}
	room, _ := e.b.Rooms().Get("Mathe 7b")
	m, ok := e.sim.Meeting(room.MeetingID)
	if !ok || room.Live == nil || room.Live.CreateTime != m.CreateTime || len(room.Live.Uploaded) != 1 {
		t.Fatalf("Live not saved: %+v", room.Live)
	}
	if ps := e.sim.Presentations(room.MeetingID); len(ps) == 0 || !strings.Contains(ps[len(ps)-1].Name, "bruchrechnung") {
		t.Fatalf("presentations: %+v", ps)
	}

	// Again: joins the running meeting, sends nothing twice; without a
	// recent audio check the echo test stays.
	e.history.Record(checkhistory.Audio, checkhistory.Entry{Time: time.Now().Add(-2 * time.Hour), Verdict: "pass"})
	res, err = l.Start(e.ctx(), "Mathe 7b", nil)
	if err != nil || !res.AlreadyRunning || res.EchoTestSkipped || len(res.SlidesSent) != 0 {
		t.Fatalf("second start: %v %+v", err, res)
	}
	if link, _ := e.lastOpened(); strings.Contains(link, "skip_check_audio") {
		t.Fatal("echo test skipped without a recent audio check")
	}

	// A browser that fails: a typed error with a sentence, no link in it.
	e.openErr = errors.New("exec: firefox: not found " + link)
	_, err = l.Start(e.ctx(), "Mathe 7b", nil)
	if !errors.Is(err, &rooms.Error{Code: rooms.CodeOpenFailed}) {
		t.Fatalf("open failure: %v", err)
	}
	msg := l.Explain(err)
	noLeak(t, "open failure message", msg)
	if !strings.Contains(msg, "browser") {
		t.Fatalf("open failure message: %s", msg)
	}
}

// Slides added while the lesson runs go up at once and are recorded; a
// refused file is reported with the reason and not attached.
func TestAddSlidesRunning(t *testing.T) {
	e := newEnv(t)
	e.addPoolAndRoom("Bio 9c")
	l := e.b.Lessons()
	if _, err := l.Start(e.ctx(), "Bio 9c", nil); err != nil {
		t.Fatal(l.Explain(err))
	}
	good := e.pdf("zelle.pdf", 2)
	corrupt := e.pdf("kaputt.pdf", 1)
	os.WriteFile(corrupt, []byte("%PDF-1.7\nthis is not a pdf at all\n"), 0o600)
	empty := e.pdf("leer.pdf", 1)
	os.WriteFile(empty, nil, 0o600)
	missing := e.pdf("weg.pdf", 1)
	os.Remove(missing)

	checks := l.CheckSlides(e.ctx(), "Bio 9c", []string{good, corrupt, empty, missing})
	if len(checks) != 4 || !checks[0].OK || checks[0].Name != "zelle.pdf" || checks[0].Size == 0 {
		t.Fatalf("checks: %+v", checks)
	}
	for _, c := range checks[1:] {
		if c.OK || isKey(c.Message) {
			t.Fatalf("refused file: %+v", c)
		}
		noLeak(t, "slide message", c.Message, c.Path)
	}
	if room, _ := e.b.Rooms().Get("Bio 9c"); len(room.Slides) != 0 {
		t.Fatal("CheckSlides attached something")
	}

	var calls atomic.Int64
	res, err := l.AddSlides(e.ctx(), "Bio 9c", []string{good, corrupt}, func(sent, total int64) { calls.Add(1) })
	if err != nil || len(res.Checks) != 2 || res.Checks[1].OK || res.Checks[1].Message == "" {
		t.Fatalf("add: %v %+v", err, res)
	}
	if len(res.Attached) != 1 || len(res.Uploaded) != 1 || res.Uploaded[0] != "zelle.pdf" || len(res.Warnings) != 0 || calls.Load() == 0 {
		t.Fatalf("add while running: %+v", res)
	}
	room, _ := e.b.Rooms().Get("Bio 9c")
	var fromInsert bool
	for _, p := range e.sim.Presentations(room.MeetingID) {
		fromInsert = fromInsert || p.FromInsert && strings.Contains(p.Name, "zelle")
	}
	if !fromInsert || len(room.Slides) != 1 || !room.Uploaded(room.Live.CreateTime, room.Slides[0]) {
		t.Fatalf("upload not recorded: %+v", room)
	}
	// The same file again: attached already, not sent twice.
	res, err = l.AddSlides(e.ctx(), "Bio 9c", []string{good}, nil)
	if err != nil || len(res.Uploaded) != 0 {
		t.Fatalf("again: %v %+v", err, res)
	}

	// Unknown room: an error that names it.
	if _, err := l.AddSlides(e.ctx(), "Nope", []string{good}, nil); !errors.Is(err, rooms.ErrRoomNotFound) || !strings.Contains(l.Explain(err), "Nope") {
		t.Fatalf("unknown room: %v", err)
	}
}

// A pool that went away while slides are added: attached for later, with
// a warning that says why.
func TestAddSlidesPoolUnreachable(t *testing.T) {
	e := newEnv(t)
	e.addPoolAndRoom("Kunst 5a")
	e.secrets.Delete(e.ctx(), "pool:Schul-BBB")
	res, err := e.b.Lessons().AddSlides(e.ctx(), "Kunst 5a", []string{e.pdf("bild.pdf", 1)}, nil)
	if err != nil || len(res.Attached) != 1 || len(res.Warnings) != 2 || !strings.Contains(res.Warnings[0], "keyring") {
		t.Fatalf("%v %+v", err, res)
	}
	// Start says the same.
	_, err = e.b.Lessons().Start(e.ctx(), "Kunst 5a", nil)
	var pe *PoolError
	if !errors.As(err, &pe) || pe.Pool != "Schul-BBB" || !strings.Contains(e.b.Explain(err), "Schul-BBB") {
		t.Fatalf("start without secret: %v", err)
	}
}

// The GUI calls the services from several goroutines at once.
func TestConcurrentUse(t *testing.T) {
	e := newEnv(t)
	e.addPoolAndRoom("Mathe 7b")
	if _, err := e.b.Rooms().Add("Physik 8a", "staff"); err != nil {
		t.Fatal(err)
	}
	l := e.b.Lessons()
	slide := e.pdf("a.pdf", 1)
	errs := make(chan error, 8)
	for i := 0; i < 2; i++ {
		go func() { _, err := l.Start(e.ctx(), "Mathe 7b", nil); errs <- err }()
		go func() { _, err := l.AddSlides(e.ctx(), "Physik 8a", []string{slide}, nil); errs <- err }()
		go func() { e.b.Rooms().List(); _ = e.b.Settings().Save(AppSettings{TeacherName: "X"}); errs <- nil }()
		go func() { e.b.Setup().NeedsPool(); _ = l.Explain(rooms.ErrRoomNotFound); errs <- nil }()
	}
	for i := 0; i < 8; i++ {
		if err := <-errs; err != nil {
			t.Error(l.Explain(err))
		}
	}
	if r, _ := e.b.Rooms().Get("Physik 8a"); len(r.Slides) != 1 {
		t.Fatalf("slides: %+v", r.Slides)
	}
}
