package app

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/tafel-schule/tafel/rooms"
)

// mwEnv is a main window on a test app with fake services.
type mwEnv struct {
	t       *testing.T
	u       *UI
	m       *mainView
	rooms   *fakeRooms
	lessons *fakeLessons
}

// newMW builds the UI over rs and waits until the rooms are shown.
func newMW(t *testing.T, rs *fakeRooms) *mwEnv {
	t.Helper()
	a := test.NewTempApp(t)
	fl := &fakeLessons{rooms: rs, links: fakeLinks()}
	gate := make(chan struct{})
	rs.mu.Lock()
	rs.gate = gate
	rs.mu.Unlock()
	u := New(a, Services{Rooms: rs, Lessons: fl, Settings: &fakeSettings{}}, Options{})
	close(gate) // New is done: the first load may show its rooms now
	e := &mwEnv{t: t, u: u, m: u.mv, rooms: rs, lessons: fl}
	t.Cleanup(func() {
		e.settle()
		if lv := u.mv.linksWin; lv != nil {
			lv.win.Close()
		}
		e.settle()
	})
	e.settle()
	return e
}

// settle waits for the main window's background work (fyne.Do runs inline
// in the test driver, so the UI is up to date afterwards).
func (e *mwEnv) settle() {
	e.t.Helper()
	done := make(chan struct{})
	go func() {
		e.m.bg.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		e.t.Fatal("background work of the main window did not finish")
	}
}

// top is the topmost dialog over the main window, or nil.
func (e *mwEnv) top() fyne.CanvasObject { return e.u.main.Canvas().Overlays().Top() }

// mwTexts collects the visible texts under o.
func mwTexts(o fyne.CanvasObject) []string {
	var out []string
	mwWalk(o, func(o fyne.CanvasObject) {
		switch w := o.(type) {
		case *widget.Label:
			out = append(out, w.Text)
		case *widget.Button:
			out = append(out, w.Text)
		case *widget.Check:
			out = append(out, w.Text)
		}
	})
	return out
}

// mwWalk visits the visible objects under o, widgets before their parts.
func mwWalk(o fyne.CanvasObject, f func(fyne.CanvasObject)) {
	if o == nil || !o.Visible() {
		return
	}
	f(o)
	switch w := o.(type) {
	case *widget.Label, *widget.Button, *widget.Check:
		return
	case *fyne.Container:
		for _, c := range w.Objects {
			mwWalk(c, f)
		}
	case fyne.Widget:
		for _, c := range test.WidgetRenderer(w).Objects() {
			mwWalk(c, f)
		}
	}
}

// mwButton finds the visible button with text under o.
func mwButton(t *testing.T, o fyne.CanvasObject, text string) *widget.Button {
	t.Helper()
	var found *widget.Button
	mwWalk(o, func(o fyne.CanvasObject) {
		if b, ok := o.(*widget.Button); ok && b.Text == text && found == nil {
			found = b
		}
	})
	if found == nil {
		t.Fatalf("no button %q in %q", text, mwTexts(o))
	}
	return found
}

func mwHas(texts []string, want string) bool {
	for _, s := range texts {
		if strings.Contains(s, want) {
			return true
		}
	}
	return false
}

func (e *mwEnv) assertShown(o fyne.CanvasObject, want ...string) {
	e.t.Helper()
	texts := mwTexts(o)
	for _, w := range want {
		if !mwHas(texts, w) {
			e.t.Errorf("%q not shown; shown: %q", w, texts)
		}
	}
}

// mwT is the package's t, for tests whose *testing.T hides it.
var mwT = t

func twoRooms() *fakeRooms {
	return newFakeRooms(fakeRoom("Mathe 7b", rooms.PresetLesson, "Brüche.pdf", "Übungen.pptx"),
		fakeRoom("Elternabend 7b", rooms.PresetParents))
}

func TestMainWindowShowsRoomsAndFirstRoom(t *testing.T) {
	e := newMW(t, twoRooms())
	if n := e.m.list.Length(); n != 2 {
		t.Fatalf("list shows %d rooms, want 2", n)
	}
	if e.m.selected != "Mathe 7b" || e.m.title.Text != "Mathe 7b" {
		t.Fatalf("selected %q, title %q; want the first room", e.m.selected, e.m.title.Text)
	}
	e.assertShown(e.u.main.Canvas().Content(),
		"Start lesson", "Preset “Lesson”", mwT("rooms.preset.lesson.explain"), mwT("ui.room.never_moderator"),
		"Brüche.pdf (pages: 3, 2.4 MB)", "Übungen.pptx", "No class list chosen yet.",
		"Check headset and network", "Settings", "New room")

	// Choosing the other room shows it.
	e.m.list.Select(1)
	if e.m.title.Text != "Elternabend 7b" {
		t.Fatalf("title %q after selecting the second room", e.m.title.Text)
	}
	e.assertShown(e.m.detail, "Preset “Parents' evening”", "No slides yet.")
}

func TestMainWindowWithoutRooms(t *testing.T) {
	e := newMW(t, newFakeRooms())
	if e.m.detail.Visible() {
		t.Fatal("room details shown without a room")
	}
	e.assertShown(e.u.main.Canvas().Content(), mwT("ui.main.no_rooms"), "Create your first room")
	test.Tap(e.m.firstBtn)
	if e.m.editor == nil {
		t.Fatal("“Create your first room” opened no editor")
	}
}

func TestMainWindowRoomsChangedElsewhere(t *testing.T) {
	e := newMW(t, twoRooms())
	// A change through the services (tray, CLI hook) refreshes the list.
	if _, err := e.u.svc.Rooms.Add("Physik 9a", rooms.PresetLesson); err != nil {
		t.Fatal(err)
	}
	e.settle()
	if n := e.m.list.Length(); n != 3 {
		t.Fatalf("list shows %d rooms after an add elsewhere, want 3", n)
	}
	if e.m.selected != "Mathe 7b" {
		t.Fatalf("selection moved to %q", e.m.selected)
	}
}

func TestMainWindowStartButton(t *testing.T) {
	e := newMW(t, twoRooms())
	e.lessons.started = make(chan string, 1)
	test.Tap(e.m.startBtn)
	select {
	case room := <-e.lessons.started:
		if room != "Mathe 7b" {
			t.Fatalf("started %q, want the selected room", room)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the start button did not start the lesson")
	}
	mwWaitStartDone(t, e.u, "Mathe 7b")
}

// mwWaitStartDone waits until StartLesson's goroutine has finished.
func mwWaitStartDone(t *testing.T, u *UI, room string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		u.busyMu.Lock()
		busy := u.busy[room]
		u.busyMu.Unlock()
		if !busy {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the lesson start did not finish")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestMainWindowFocusOrder: Tab walks the window in reading order, and
// every action is a focusable widget.
func TestMainWindowFocusOrder(t *testing.T) {
	e := newMW(t, twoRooms())
	m := e.m
	slideRemove := func(i int) fyne.Focusable {
		row := m.slides.list.Objects[i].(*fyne.Container)
		for _, o := range row.Objects {
			if b, ok := o.(*widget.Button); ok {
				return b
			}
		}
		t.Fatalf("slide row %d has no button", i)
		return nil
	}
	want := []struct {
		name string
		obj  fyne.Focusable
	}{
		{"check", m.checkBtn}, {"settings", m.settingsBtn},
		{"rooms list", m.list}, {"new room", m.newBtn},
		{"start", m.startBtn}, {"edit", m.editBtn}, {"remove", m.removeBtn},
		{"add slides", m.slides.addBtn}, {"remove slide 1", slideRemove(0)}, {"remove slide 2", slideRemove(1)},
		{"show links", m.links.showBtn}, {"copy links", m.links.copyBtn}, {"new links", m.links.rotateBtn},
	}
	c := e.u.main.Canvas()
	for _, w := range want {
		test.FocusNext(c)
		if c.Focused() != w.obj {
			t.Fatalf("Tab reached %T, want %s", c.Focused(), w.name)
		}
	}
	test.FocusNext(c)
	if c.Focused() != m.checkBtn {
		t.Fatalf("after the last action Tab reached %T, want the first again", c.Focused())
	}
}

// mwShortcut types Ctrl+key (Cmd on macOS) on the canvas. The test canvas
// hides the software canvas that handles shortcuts, hence reflection.
func mwShortcut(t *testing.T, c fyne.Canvas, key fyne.KeyName) {
	t.Helper()
	sc := &desktop.CustomShortcut{KeyName: key, Modifier: fyne.KeyModifierShortcutDefault}
	if s, ok := c.(fyne.Shortcutable); ok {
		s.TypedShortcut(sc)
		return
	}
	v := reflect.ValueOf(c)
	if v.Kind() == reflect.Pointer {
		v = v.Elem()
	}
	if f := v.FieldByName("WindowlessCanvas"); f.IsValid() && f.CanInterface() {
		if s, ok := f.Interface().(fyne.Shortcutable); ok {
			s.TypedShortcut(sc)
			return
		}
	}
	t.Fatalf("canvas %T takes no shortcuts", c)
}

// TestMainWindowKeyboardOnly picks a room and opens its editor without a
// mouse: Tab to the list, arrow down, space, then Ctrl+E.
func TestMainWindowKeyboardOnly(t *testing.T) {
	e := newMW(t, twoRooms())
	c := e.u.main.Canvas()
	c.Focus(e.m.list)
	e.m.list.TypedKey(&fyne.KeyEvent{Name: fyne.KeyDown})
	e.m.list.TypedKey(&fyne.KeyEvent{Name: fyne.KeySpace})
	if e.m.selected != "Elternabend 7b" {
		t.Fatalf("keyboard selected %q", e.m.selected)
	}
	mwShortcut(t, c, fyne.KeyE)
	if e.m.editor == nil || e.m.editor.orig == nil || e.m.editor.orig.Name != "Elternabend 7b" {
		t.Fatal("Ctrl+E did not open the editor of the selected room")
	}
	if c.Focused() != e.m.editor.name {
		t.Fatalf("the editor opened with focus on %T, want the name field", c.Focused())
	}
	// Space on the focused start button starts; here: the shortcut.
	e.m.editor.close()
	e.lessons.started = make(chan string, 1)
	mwShortcut(t, c, fyne.KeyReturn)
	select {
	case room := <-e.lessons.started:
		if room != "Elternabend 7b" {
			t.Fatalf("Ctrl+Enter started %q", room)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("Ctrl+Enter did not start the lesson")
	}
	mwWaitStartDone(t, e.u, "Elternabend 7b")
}

func TestMainWindowMarkup(t *testing.T) {
	e := newMW(t, twoRooms())
	test.AssertRendersToMarkup(t, "mainwindow.xml", e.u.main.Canvas())
}

func TestFmtSize(t *testing.T) {
	for n, want := range map[int64]string{0: "0 KB", 1: "1 KB", 850_000: "850 KB", 2_400_000: "2.4 MB", 12_345_678: "12.3 MB"} {
		if got := fmtSize(n); got != want {
			t.Errorf("fmtSize(%d) = %q, want %q", n, got, want)
		}
	}
}

// Regression: a successful start was only announced by a desktop
// notification (which may never arrive, §6); the window now says it too.
func TestMainWindowSaysLessonStarted(t *testing.T) {
	e := newMW(t, twoRooms())
	test.Tap(e.m.startBtn)
	mwWaitStartDone(t, e.u, "Mathe 7b")
	e.settle()
	want := t2("ui.main.started_at", map[string]any{"Room": "Mathe 7b", "Time": time.Now().Format("15:04")})
	if !containsText(shownTexts(e.m.startedBox), want) && !containsText(shownTexts(e.m.startedBox),
		t2("ui.main.started_at", map[string]any{"Room": "Mathe 7b", "Time": time.Now().Add(-time.Minute).Format("15:04")})) {
		t.Errorf("after the start the room shows %q, want %q", shownTexts(e.m.startedBox), want)
	}
}

// Regression: the "starting" dialog had no button; a start waiting for a
// slow pool could only time out after five minutes. Cancel ends it
// quietly (no "could not start" message).
func TestLessonStartCanBeCancelled(t *testing.T) {
	e := newMW(t, twoRooms())
	e.lessons.mu.Lock()
	e.lessons.started = make(chan string, 1)
	e.lessons.startWaits = true
	e.lessons.mu.Unlock()
	test.Tap(e.m.startBtn)
	<-e.lessons.started
	var stop *widget.Button
	for _, o := range e.u.main.Canvas().Overlays().List() {
		walkObjects(o, func(o fyne.CanvasObject) {
			if b, ok := o.(*widget.Button); ok && b.Text == t2("ui.lesson.cancel") {
				stop = b
			}
		})
	}
	if stop == nil {
		t.Fatal("the start dialog has no cancel button")
	}
	test.Tap(stop)
	mwWaitStartDone(t, e.u, "Mathe 7b")
	for _, o := range e.u.main.Canvas().Overlays().List() {
		if o.Visible() && containsText(shownTexts(o), t2("ui.lesson.failed_title")) {
			t.Error("cancelling shows a failure message")
		}
	}
	if len(e.m.startedBox.Objects) != 0 {
		t.Error("a cancelled start is shown as started")
	}
}

// walkObjects visits o and everything inside it.
func walkObjects(o fyne.CanvasObject, f func(fyne.CanvasObject)) {
	f(o)
	switch w := o.(type) {
	case *fyne.Container:
		for _, c := range w.Objects {
			walkObjects(c, f)
		}
	case fyne.Widget:
		for _, c := range test.WidgetRenderer(w).Objects() {
			walkObjects(c, f)
		}
	}
}

// Regression: choosing another room kept the scroll position of the last
// one, so the new room showed halfway down, without its title and start
// button.
func TestMainWindowNewRoomStartsAtTop(t *testing.T) {
	e := newMW(t, twoRooms())
	e.u.main.Resize(fyne.NewSize(900, 400))
	e.m.right.ScrollToBottom()
	if e.m.right.Offset.Y == 0 {
		t.Fatal("precondition: the room must need scrolling at 900×400")
	}
	e.m.list.Select(1)
	if e.m.right.Offset.Y != 0 {
		t.Errorf("the newly chosen room is shown scrolled to y=%.0f", e.m.right.Offset.Y)
	}
}

// Regression: the room shortcuts also fired behind an open dialog:
// Ctrl+Enter while editing a room started its lesson, and Ctrl+O opened a
// file chooser over an error message.
func TestMainWindowShortcutsQuietBehindDialogs(t *testing.T) {
	e := newMW(t, twoRooms())
	c := e.u.main.Canvas()
	mwShortcut(t, c, fyne.KeyE)
	if e.m.editor == nil {
		t.Fatal("Ctrl+E opened no editor")
	}
	e.lessons.started = make(chan string, 1)
	mwShortcut(t, c, fyne.KeyReturn)
	mwShortcut(t, c, fyne.KeyO)
	select {
	case room := <-e.lessons.started:
		t.Fatalf("Ctrl+Enter in the room editor started %q", room)
	case <-time.After(200 * time.Millisecond):
	}
	if n := len(c.Overlays().List()); n != 1 {
		t.Errorf("%d dialogs open, want only the editor", n)
	}
	e.m.editor.close()
	mwShortcut(t, c, fyne.KeyReturn)
	select {
	case <-e.lessons.started:
	case <-time.After(20 * time.Second):
		t.Fatal("Ctrl+Enter did not start the lesson once the editor was closed")
	}
	mwWaitStartDone(t, e.u, "Mathe 7b")
}
