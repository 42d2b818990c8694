package app

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"sync"

	"github.com/tafel-schule/tafel/rooms"
	"github.com/tafel-schule/tafel/studentlinks"
)

// fakeRooms is an in-memory rooms file with the store's rules (valid
// rooms, unique names, copies in and out).
type fakeRooms struct {
	mu      sync.Mutex
	rooms   []rooms.Room
	pol     rooms.Policy
	addErr  error
	calls   []string // "add NAME", "update NAME", "remove NAME"
	lists   int
	updates int
	// gate, when set, holds List until it is closed. The main window loads
	// its rooms in the background as soon as it is built, and in the test
	// driver fyne.Do runs on that goroutine: the gate keeps the load from
	// touching widgets while New is still building them.
	gate chan struct{}
}

func newFakeRooms(rs ...rooms.Room) *fakeRooms {
	return &fakeRooms{rooms: rs}
}

// fakeRoom makes a valid room; slides are given as file names.
func fakeRoom(name, preset string, slides ...string) rooms.Room {
	r, err := rooms.NewRoom(name, preset)
	if err != nil {
		panic(err)
	}
	for _, s := range slides {
		r.Slides = append(r.Slides, rooms.Slide{Path: filepath.Join("/slides", s), Name: s, Size: 2_400_000, Pages: 3})
	}
	return *r
}

func (f *fakeRooms) List() []rooms.Room {
	f.mu.Lock()
	gate := f.gate
	f.mu.Unlock()
	if gate != nil {
		<-gate
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lists++
	return append([]rooms.Room(nil), f.rooms...)
}

func (f *fakeRooms) find(name string) int {
	for i := range f.rooms {
		if f.rooms[i].Name == name {
			return i
		}
	}
	return -1
}

func (f *fakeRooms) Get(name string) (rooms.Room, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if i := f.find(name); i >= 0 {
		return f.rooms[i], nil
	}
	return rooms.Room{}, &rooms.Error{Code: rooms.CodeRoomNotFound, Detail: name}
}

func (f *fakeRooms) Add(name, preset string) (rooms.Room, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, "add "+name)
	if f.addErr != nil {
		return rooms.Room{}, f.addErr
	}
	if f.find(name) >= 0 {
		return rooms.Room{}, &rooms.Error{Code: rooms.CodeRoomExists, Detail: name}
	}
	r, err := rooms.NewRoom(name, preset)
	if err != nil {
		return rooms.Room{}, err
	}
	f.rooms = append(f.rooms, *r)
	return *r, nil
}

func (f *fakeRooms) Update(name string, fn func(r *rooms.Room) error) (rooms.Room, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, "update "+name)
	f.updates++
	i := f.find(name)
	if i < 0 {
		return rooms.Room{}, &rooms.Error{Code: rooms.CodeRoomNotFound, Detail: name}
	}
	c := f.rooms[i]
	c.Slides = append([]rooms.Slide(nil), c.Slides...)
	if err := fn(&c); err != nil {
		return rooms.Room{}, err
	}
	if err := c.Validate(); err != nil {
		return rooms.Room{}, err
	}
	if j := f.find(c.Name); j >= 0 && j != i {
		return rooms.Room{}, &rooms.Error{Code: rooms.CodeRoomExists, Detail: c.Name}
	}
	f.rooms[i] = c
	return c, nil
}

func (f *fakeRooms) Remove(name string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, "remove "+name)
	i := f.find(name)
	if i < 0 {
		return &rooms.Error{Code: rooms.CodeRoomNotFound, Detail: name}
	}
	f.rooms = append(f.rooms[:i], f.rooms[i+1:]...)
	return nil
}

func (f *fakeRooms) Policy() rooms.Policy {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.pol
}

func (f *fakeRooms) room(name string) (rooms.Room, bool) {
	r, err := f.Get(name)
	return r, err == nil
}

func (f *fakeRooms) callLog() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.calls...)
}

// fakeURL is a signed link that prints redacted, like the real ones.
type fakeURL string

func (u fakeURL) Reveal() string { return string(u) }
func (u fakeURL) String() string { return "[redacted]" }

// fakeLessons scripts the lesson services. CheckSlides refuses files whose
// name contains "bad"; AddSlides attaches the rest to rooms (when set),
// reporting progress in two steps.
type fakeLessons struct {
	mu    sync.Mutex
	rooms *fakeRooms

	starts     []string
	checked    [][]string
	added      [][]string
	addErr     error
	uploaded   bool          // AddSlides reports the files as sent into a running lesson
	progressed chan struct{} // AddSlides signals after its first progress report …
	release    chan struct{} // … and then waits for this

	classLists []string
	links      []studentlinks.Link
	notes      []string
	linksErr   error
	sheets     []string // "open" or the saved path
	sheetErr   error
	startRes   LessonStarted
	started    chan string
	startWaits bool // Start waits for its context to end and returns its error
}

func (f *fakeLessons) Start(ctx context.Context, room string, progress func(sent, total int64)) (LessonStarted, error) {
	f.mu.Lock()
	f.starts = append(f.starts, room)
	res, started, waits := f.startRes, f.started, f.startWaits
	f.mu.Unlock()
	if started != nil {
		started <- room
	}
	if waits {
		<-ctx.Done()
		return LessonStarted{}, ctx.Err()
	}
	res.Room = room
	return res, nil
}

func (f *fakeLessons) CheckSlides(ctx context.Context, room string, paths []string) []SlideCheck {
	f.mu.Lock()
	f.checked = append(f.checked, append([]string(nil), paths...))
	f.mu.Unlock()
	var out []SlideCheck
	for _, p := range paths {
		name := filepath.Base(p)
		c := SlideCheck{Path: p, Name: name, OK: true, Pages: 4, Size: 1000}
		if filepath.Ext(name) == ".heic" || strings.Contains(name, "bad") {
			c.OK = false
			c.Message = "“" + name + "” cannot be shown: save it as PDF."
		}
		out = append(out, c)
	}
	return out
}

func (f *fakeLessons) AddSlides(ctx context.Context, room string, paths []string, progress func(sent, total int64)) (SlidesAdded, error) {
	f.mu.Lock()
	f.added = append(f.added, append([]string(nil), paths...))
	addErr, rs, uploaded, progressed, release := f.addErr, f.rooms, f.uploaded, f.progressed, f.release
	f.mu.Unlock()
	progress(500_000, 1_000_000)
	if progressed != nil {
		progressed <- struct{}{}
	}
	if release != nil {
		select {
		case <-release:
		case <-ctx.Done():
			return SlidesAdded{}, ctx.Err()
		}
	}
	if addErr != nil {
		return SlidesAdded{}, addErr
	}
	progress(1_000_000, 1_000_000)
	var res SlidesAdded
	for _, p := range paths {
		name := filepath.Base(p)
		res.Attached = append(res.Attached, name)
		if uploaded {
			res.Uploaded = append(res.Uploaded, name)
		}
		if rs != nil {
			_, _ = rs.Update(room, func(r *rooms.Room) error {
				r.AddSlide(rooms.Slide{Path: p, Name: name, Size: 1000, Pages: 4})
				return nil
			})
		}
	}
	return res, nil
}

func (f *fakeLessons) StudentLinks(ctx context.Context, room, classList string) (ClassLinks, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.classLists = append(f.classLists, classList)
	if f.linksErr != nil {
		return ClassLinks{}, f.linksErr
	}
	return ClassLinks{Room: room, Class: "7b", Links: append([]studentlinks.Link(nil), f.links...), Notes: f.notes}, nil
}

func (f *fakeLessons) SaveSheet(links ClassLinks, path string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sheets = append(f.sheets, path)
	return f.sheetErr
}

func (f *fakeLessons) OpenSheet(links ClassLinks) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sheets = append(f.sheets, "open")
	return f.sheetErr
}

// Explain never repeats links; it marks its output so tests see it was used.
func (f *fakeLessons) Explain(err error) string {
	var re *rooms.Error
	if errors.As(err, &re) {
		return "Explained: " + re.Code
	}
	return "Explained: " + err.Error()
}

func (f *fakeLessons) snapshot() fakeLessons {
	f.mu.Lock()
	defer f.mu.Unlock()
	return fakeLessons{starts: append([]string(nil), f.starts...), checked: f.checked, added: f.added,
		classLists: append([]string(nil), f.classLists...), sheets: append([]string(nil), f.sheets...)}
}

// fakeSettings keeps AppSettings in memory.
type fakeSettings struct {
	mu sync.Mutex
	s  AppSettings
}

func (f *fakeSettings) Load() AppSettings {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.s
}

func (f *fakeSettings) Save(s AppSettings) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.s = s
	return nil
}

func (f *fakeSettings) Locked(string) bool { return false }

// fakeLinks are three students' links.
func fakeLinks() []studentlinks.Link {
	var out []studentlinks.Link
	for i, n := range []string{"Ada Lovelace", "Alan Turing", "Grace Hopper"} {
		out = append(out, studentlinks.Link{
			Student: studentlinks.Student{Name: n, Line: i + 1},
			UserID:  "u" + string(rune('1'+i)),
			URL:     fakeURL("https://bbb.example.org/bigbluebutton/api/join?fullName=" + string(rune('A'+i)) + "&checksum=secret" + string(rune('1'+i))),
		})
	}
	return out
}
