package app

import (
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/tafel-schule/tafel/rooms"
)

// trayApp is the test app plus a system tray, recording what Tafel sets
// and whether it quit.
type trayApp struct {
	fyne.App
	mu    sync.Mutex
	menu  *fyne.Menu
	icon  fyne.Resource
	quits int
}

func (a *trayApp) SetSystemTrayMenu(m *fyne.Menu) { a.mu.Lock(); a.menu = m; a.mu.Unlock() }
func (a *trayApp) SetSystemTrayIcon(r fyne.Resource) {
	a.mu.Lock()
	a.icon = r
	a.mu.Unlock()
}
func (a *trayApp) SetSystemTrayWindow(fyne.Window) {}
func (a *trayApp) Quit()                           { a.mu.Lock(); a.quits++; a.mu.Unlock() }

func (a *trayApp) trayMenu() *fyne.Menu { a.mu.Lock(); defer a.mu.Unlock(); return a.menu }
func (a *trayApp) quitCount() int       { a.mu.Lock(); defer a.mu.Unlock(); return a.quits }

// trayEnv builds the UI on a tray-capable test app; tray says whether a
// tray host exists (it can change while the app runs).
type trayEnv struct {
	app     *trayApp
	u       *UI
	rooms   *fakeRooms
	lessons *fakeLessons
	set     *fakeSettings
	tray    *bool
}

func newTrayEnv(t *testing.T, tray bool, rs ...rooms.Room) *trayEnv {
	t.Helper()
	a := &trayApp{App: test.NewTempApp(t)}
	fr := newFakeRooms(rs...)
	gate := make(chan struct{})
	fr.gate = gate
	fl := &fakeLessons{rooms: fr, links: fakeLinks()}
	set := &fakeSettings{s: AppSettings{CloseToTray: true}}
	e := &trayEnv{app: a, rooms: fr, lessons: fl, set: set, tray: &tray}
	e.u = New(a, Services{Rooms: fr, Lessons: fl, Settings: set, Preflight: &fakePreflight{}},
		Options{TrayAvailable: func() bool { return *e.tray }, Icon: fyne.NewStaticResource("i.png", []byte{1})})
	close(gate)
	t.Cleanup(func() { e.u.mv.bg.Wait() })
	e.u.mv.bg.Wait()
	return e
}

func menuLabels(m *fyne.Menu) []string {
	var out []string
	for _, it := range m.Items {
		if it.IsSeparator {
			out = append(out, "---")
			continue
		}
		out = append(out, it.Label)
	}
	return out
}

func findItem(m *fyne.Menu, label string) *fyne.MenuItem {
	for _, it := range m.Items {
		if it.Label == label {
			return it
		}
	}
	return nil
}

func TestTrayMenuListsRoomsAndActions(t *testing.T) {
	e := newTrayEnv(t, true, fakeRoom("Mathe 7b", rooms.PresetLesson), fakeRoom("Elternabend", rooms.PresetParents))
	if !e.u.SetupTray() {
		t.Fatal("SetupTray found no tray although one exists")
	}
	m := e.app.trayMenu()
	got := menuLabels(m)
	want := []string{"Elternabend", "Mathe 7b", "---", "Check headset and network", "Open Tafel", "---", "Quit Tafel"}
	if len(got) != len(want) {
		t.Fatalf("tray menu %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("tray menu %q, want %q", got, want)
		}
	}
	room := findItem(m, "Mathe 7b")
	if room.ChildMenu == nil || len(room.ChildMenu.Items) != 4 {
		t.Fatalf("room submenu: %+v", room.ChildMenu)
	}
	sub := menuLabels(room.ChildMenu)
	for i, w := range []string{"Start lesson", "Copy student links", "Show links and QR codes …", "Add slides …"} {
		if sub[i] != w {
			t.Errorf("room submenu item %d = %q, want %q", i, sub[i], w)
		}
	}
	if quit := findItem(m, "Quit Tafel"); !quit.IsQuit {
		t.Error("Quit is not marked IsQuit: Fyne would add its own untranslated Quit item")
	}
	if e.app.icon == nil {
		t.Error("no tray icon set")
	}

	// "Start lesson" from the tray runs the whole flow (no check is due).
	findItem(room.ChildMenu, "Start lesson").Action()
	waitFor(t, func() bool { e.lessons.mu.Lock(); defer e.lessons.mu.Unlock(); return len(e.lessons.starts) == 1 })
	mwWaitStartDone(t, e.u, "Mathe 7b") // its last UI step must not outlive the test app
	e.lessons.mu.Lock()
	if e.lessons.starts[0] != "Mathe 7b" {
		t.Errorf("started %q", e.lessons.starts[0])
	}
	e.lessons.mu.Unlock()
}

func TestTrayMenuFollowsRoomChanges(t *testing.T) {
	e := newTrayEnv(t, true, fakeRoom("Mathe 7b", rooms.PresetLesson))
	e.u.SetupTray()
	if _, err := e.u.svc.Rooms.Add("Physik 8a", rooms.PresetLesson); err != nil {
		t.Fatal(err)
	}
	e.u.mv.bg.Wait()
	if findItem(e.app.trayMenu(), "Physik 8a") == nil {
		t.Fatalf("new room missing from the tray: %q", menuLabels(e.app.trayMenu()))
	}
	if err := e.u.svc.Rooms.Remove("Mathe 7b"); err != nil {
		t.Fatal(err)
	}
	e.u.mv.bg.Wait()
	if findItem(e.app.trayMenu(), "Mathe 7b") != nil {
		t.Fatal("removed room still in the tray")
	}
}

func TestNoTrayHostKeepsANormalWindow(t *testing.T) {
	e := newTrayEnv(t, false, fakeRoom("Mathe 7b", rooms.PresetLesson))
	if e.u.SetupTray() {
		t.Fatal("SetupTray claimed a tray host where there is none")
	}
	// The menu is installed anyway, for a tray host that appears later.
	if e.app.trayMenu() == nil {
		t.Fatal("no tray menu installed for a later tray host")
	}
	e.u.ShowMain()
	e.u.closeMain()
	e.u.closing.Wait()
	if e.app.quitCount() != 1 {
		t.Fatal("closing the window without a tray must quit, not hide into nothing")
	}
}

func TestCloseHidesIntoTrayOnlyWhileItExists(t *testing.T) {
	e := newTrayEnv(t, true, fakeRoom("Mathe 7b", rooms.PresetLesson))
	e.u.SetupTray()
	e.u.ShowMain()
	e.u.closeMain()
	e.u.closing.Wait()
	if e.app.quitCount() != 0 {
		t.Fatal("closing with a tray and close-to-tray on quit the app")
	}
	// The shell's tray went away (extension disabled): closing now quits.
	*e.tray = false
	e.u.ShowMain()
	e.u.closeMain()
	e.u.closing.Wait()
	if e.app.quitCount() != 1 {
		t.Fatal("closing after the tray host vanished must quit")
	}
	// The setting off: a tray is there, but closing quits.
	*e.tray = true
	e.set.s.CloseToTray = false
	e.u.closeMain()
	e.u.closing.Wait()
	if e.app.quitCount() != 2 {
		t.Fatal("close-to-tray off must quit")
	}
}

func TestStartLessonIgnoresDoubleStart(t *testing.T) {
	e := newTrayEnv(t, false, fakeRoom("Mathe 7b", rooms.PresetLesson))
	started := make(chan string) // Start blocks until the test reads
	e.lessons.mu.Lock()
	e.lessons.started = started
	e.lessons.mu.Unlock()
	e.u.StartLesson("Mathe 7b")
	e.u.StartLesson("Mathe 7b") // a double click while the first runs
	// Both clicks have passed the "is a check due?" step (the first start
	// is now waiting in Start); without this the second could arrive after
	// the first had finished, and starting again would then be right.
	serviceCalls.Wait()
	<-started
	waitFor(t, func() bool { e.u.busyMu.Lock(); defer e.u.busyMu.Unlock(); return len(e.u.busy) == 0 })
	select {
	case <-started:
		t.Fatal("the second click started the lesson again")
	case <-time.After(100 * time.Millisecond):
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached in 10 s")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Regression: a change to the rooms rebuilt the tray menu by reading the
// rooms file on the Fyne goroutine; with the file busy (another Tafel
// holding its lock) the whole UI froze. The menu now follows the rooms the
// main window loads in the background.
func TestRoomsChangeDoesNotReadOnUIGoroutine(t *testing.T) {
	e := newTrayEnv(t, true, fakeRoom("Mathe 7b", rooms.PresetLesson))
	e.u.SetupTray()
	gate := make(chan struct{})
	e.rooms.mu.Lock()
	e.rooms.gate = gate // List blocks: the rooms file is busy
	e.rooms.mu.Unlock()
	returned := make(chan struct{})
	go func() {
		e.u.roomsChanged() // as the Fyne goroutine runs it
		close(returned)
	}()
	select {
	case <-returned:
	case <-time.After(5 * time.Second):
		t.Error("roomsChanged waited for the rooms file")
	}
	close(gate)
	<-returned
	e.u.mv.bg.Wait()
	if findItem(e.app.trayMenu(), "Mathe 7b") == nil {
		t.Errorf("tray menu lost the room: %q", menuLabels(e.app.trayMenu()))
	}
}

// Fyne re-applies the first menu it was given once the tray host answers,
// so a refresh must change that menu in place, not hand over a new one.
func TestTrayRefreshKeepsTheFirstMenu(t *testing.T) {
	e := newTrayEnv(t, true)
	e.u.SetupTray()
	first := e.app.trayMenu()
	if _, err := e.u.svc.Rooms.Add("Physik 8a", rooms.PresetLesson); err != nil {
		t.Fatal(err)
	}
	e.u.mv.bg.Wait()
	if e.app.trayMenu() != first {
		t.Fatal("the refresh set a new *fyne.Menu; Fyne would bring back the stale first one")
	}
	if findItem(first, "Physik 8a") == nil {
		t.Fatalf("first menu not updated: %q", menuLabels(first))
	}
}
