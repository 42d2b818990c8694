package app

import (
	"context"
	"sort"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"

	"github.com/tafel-schule/tafel/rooms"
)

// Options configure the UI beyond the domain services.
type Options struct {
	// TrayAvailable reports whether a system tray host exists right now
	// (on Linux a StatusNotifierWatcher); nil means "no tray". It is asked
	// at start and again before each hide, because at login Tafel may
	// start before the shell's tray.
	TrayAvailable func() bool
	// Demo marks the demo pool (the title says so).
	Demo bool
	// Icon is the app and tray icon.
	Icon fyne.Resource
}

// UI is Tafel's desktop interface: one main window, the pre-flight window,
// dialogs and the tray menu. Create it with New; all methods run on the
// Fyne goroutine.
type UI struct {
	app  fyne.App
	svc  Services
	opts Options

	main      fyne.Window
	preflight fyne.Window

	trayMenu *fyne.Menu // nil until SetupTray found a tray
	// roomsHooks run (on the Fyne goroutine) after any change to the rooms.
	roomsHooks []func()
	// lessonHooks run (on the Fyne goroutine) after a lesson started.
	lessonHooks []func(room string, res LessonStarted)

	// ctx ends when the UI quits; long-running work derives from it.
	ctx    context.Context
	cancel context.CancelFunc
	// busy holds the rooms whose lesson start is in flight, so a double
	// click does not start twice.
	busyMu sync.Mutex
	busy   map[string]bool
	// closing counts close requests still deciding between hide and quit.
	closing sync.WaitGroup

	// mv is the main window's state (mainwindow.go: rooms list, selected
	// room, slides and links views); set by buildMain.
	mv *mainView
}

// New builds the UI on a (real or test) Fyne app.
func New(a fyne.App, svc Services, opts Options) *UI {
	u := &UI{app: a, opts: opts, busy: map[string]bool{}}
	u.ctx, u.cancel = context.WithCancel(context.Background())
	// Every change to the rooms, from any window, refreshes the tray menu
	// and the views that list rooms.
	if svc.Rooms != nil {
		svc.Rooms = &notifyingRooms{Rooms: svc.Rooms, changed: func() { fyne.Do(u.roomsChanged) }}
	}
	u.svc = svc
	title := t("app.name")
	if opts.Demo {
		title = t("ui.app.title_demo")
	}
	u.main = a.NewWindow(title)
	if opts.Icon != nil {
		u.main.SetIcon(opts.Icon)
	}
	u.main.SetMaster()
	u.main.SetContent(u.buildMain())
	u.main.Resize(fyne.NewSize(900, 620))
	u.main.SetCloseIntercept(u.closeMain)
	u.addShortcuts(u.main)
	return u
}

// MainWindow is the main window (shown by ShowMain).
func (u *UI) MainWindow() fyne.Window { return u.main }

// ShowMain brings the main window to the front.
func (u *UI) ShowMain() {
	u.main.Show()
	u.main.RequestFocus()
}

// Quit stops background work and ends the app.
func (u *UI) Quit() {
	u.cancel()
	u.app.Quit()
}

// onRoomsChanged registers f to run after any change to the rooms.
func (u *UI) onRoomsChanged(f func()) { u.roomsHooks = append(u.roomsHooks, f) }

// onLessonStarted registers f to run after a lesson started.
func (u *UI) onLessonStarted(f func(room string, res LessonStarted)) {
	u.lessonHooks = append(u.lessonHooks, f)
}

// roomsChanged runs the hooks; the main window reloads the rooms in the
// background and then rebuilds the tray menu (setRooms).
func (u *UI) roomsChanged() {
	for _, f := range u.roomsHooks {
		f()
	}
}

// closeMain hides the window into the tray when that is both wanted and
// safe; otherwise closing quits, as for any normal window. A window hidden
// into a missing tray (stock GNOME) would be lost. The settings file and
// the D-Bus probe are read off the UI goroutine.
func (u *UI) closeMain() {
	if u.trayMenu == nil || u.svc.Settings == nil || u.opts.TrayAvailable == nil {
		u.Quit()
		return
	}
	u.closing.Add(1)
	go func() {
		defer u.closing.Done()
		hide := u.svc.Settings.Load().CloseToTray && u.opts.TrayAvailable()
		fyne.Do(func() {
			if hide {
				u.main.Hide()
				return
			}
			u.Quit()
		})
	}()
}

// SetupTray installs the tray icon and menu, and reports whether a tray
// host shows them right now. It must run before the app's Run (Fyne 2.8.1
// starts its tray only then); cmd/tafel calls it when a tray host exists.
// Should the host go away later, fyne.io/systray registers again when it
// returns, and closing the window quits meanwhile: hiding into the tray is
// decided at each close against the host present then (closeMain).
func (u *UI) SetupTray() bool {
	desk, ok := u.app.(desktop.App)
	if !ok {
		return false
	}
	if u.opts.Icon != nil {
		desk.SetSystemTrayIcon(u.opts.Icon)
	}
	u.trayMenu = u.buildTrayMenu()
	desk.SetSystemTrayMenu(u.trayMenu)
	return u.opts.TrayAvailable != nil && u.opts.TrayAvailable()
}

// refreshTray rebuilds the menu: Fyne's tray shows a new menu only when it
// is set again. The items change inside the one *fyne.Menu given first,
// because Fyne 2.8.1 applies that first menu again once the tray host has
// answered (driver_desktop.go runSystray): a new Menu set in between would
// be replaced by the stale first one (a tray showing "No rooms yet" while
// the window lists them).
func (u *UI) refreshTray() {
	desk, ok := u.app.(desktop.App)
	if !ok || u.trayMenu == nil {
		return
	}
	u.trayMenu.Items = u.buildTrayMenu().Items
	desk.SetSystemTrayMenu(u.trayMenu)
}

// buildTrayMenu: each room with its actions, then the check, the window
// and Quit. Every action here also exists in the main window, because tray
// menus are not keyboard-reachable everywhere.
func (u *UI) buildTrayMenu() *fyne.Menu {
	var items []*fyne.MenuItem
	for _, r := range u.sortedRooms() {
		name := r.Name
		item := fyne.NewMenuItem(name, nil)
		item.ChildMenu = fyne.NewMenu(name,
			fyne.NewMenuItem(t("ui.tray.start"), func() { u.StartLesson(name) }),
			fyne.NewMenuItem(t("ui.tray.copy_links"), func() { u.CopyLinks(name) }),
			fyne.NewMenuItem(t("ui.tray.show_sheet"), func() { u.ShowMain(); u.ShowLinks(name) }),
			fyne.NewMenuItem(t("ui.tray.add_slides"), func() { u.ShowMain(); u.AddSlidesDialog(name) }),
		)
		items = append(items, item)
	}
	if len(items) == 0 {
		none := fyne.NewMenuItem(t("ui.tray.no_rooms"), nil)
		none.Disabled = true
		items = append(items, none)
	}
	quit := fyne.NewMenuItem(t("ui.tray.quit"), u.Quit)
	quit.IsQuit = true
	items = append(items,
		fyne.NewMenuItemSeparator(),
		fyne.NewMenuItem(t("ui.tray.check"), u.ShowPreflight),
		fyne.NewMenuItem(t("ui.tray.open"), u.ShowMain),
		fyne.NewMenuItemSeparator(),
		quit,
	)
	return fyne.NewMenu(t("app.name"), items...)
}

// sortedRooms are the rooms the main window loaded last. Asking the service
// here would read the rooms file on the Fyne goroutine, and that can wait
// seconds for another Tafel process's file lock with the UI frozen.
func (u *UI) sortedRooms() []rooms.Room {
	if u.mv == nil {
		return nil
	}
	list := append([]rooms.Room(nil), u.mv.rooms...)
	sort.SliceStable(list, func(i, j int) bool { return list[i].Name < list[j].Name })
	return list
}

// addShortcuts makes the main actions reachable from the keyboard in any
// window: Ctrl+P pre-flight, Ctrl+, settings, Ctrl+Q quit (Cmd on macOS).
func (u *UI) addShortcuts(w fyne.Window) {
	add := func(key fyne.KeyName, f func()) {
		w.Canvas().AddShortcut(&desktop.CustomShortcut{KeyName: key, Modifier: fyne.KeyModifierShortcutDefault},
			func(fyne.Shortcut) { f() })
	}
	add(fyne.KeyP, u.ShowPreflight)
	add(fyne.KeyComma, u.ShowSettings)
	add(fyne.KeyQ, u.Quit)
}

// notify sends a desktop notification. It is a convenience only: every
// state notified about is also visible in a window.
func (u *UI) notify(title, body string) {
	u.app.SendNotification(fyne.NewNotification(title, body))
}

// notifyingRooms reports every successful change.
type notifyingRooms struct {
	Rooms
	changed func()
}

func (n *notifyingRooms) Add(name, preset string) (rooms.Room, error) {
	r, err := n.Rooms.Add(name, preset)
	if err == nil {
		n.changed()
	}
	return r, err
}

func (n *notifyingRooms) Update(name string, f func(r *rooms.Room) error) (rooms.Room, error) {
	r, err := n.Rooms.Update(name, f)
	if err == nil {
		n.changed()
	}
	return r, err
}

func (n *notifyingRooms) Remove(name string) error {
	err := n.Rooms.Remove(name)
	if err == nil {
		n.changed()
	}
	return err
}

// ShowNotice shows a plain message on the main window.
func (u *UI) ShowNotice(msg string) {
	dialog.ShowInformation(t("app.name"), msg, u.main)
}
