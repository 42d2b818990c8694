package app

import (
	"fyne.io/fyne/v2"
)

// Options configure the UI beyond the domain services.
type Options struct {
	// TrayAvailable reports whether a system tray host exists right now
	// (on Linux a StatusNotifierWatcher); nil means "yes". It is asked at
	// start and again before each hide, because at login Tafel may start
	// before the shell's tray.
	TrayAvailable func() bool
	// Demo marks the demo pool (a banner says so).
	Demo bool
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
}

// New builds the UI on a (real or test) Fyne app.
func New(a fyne.App, svc Services, opts Options) *UI {
	u := &UI{app: a, svc: svc, opts: opts}
	u.main = a.NewWindow(t("app.name"))
	u.main.SetContent(u.buildMain())
	u.main.Resize(fyne.NewSize(900, 620))
	return u
}

// MainWindow is the main window (shown by ShowMain).
func (u *UI) MainWindow() fyne.Window { return u.main }

// ShowMain brings the main window to the front.
func (u *UI) ShowMain() {
	u.main.Show()
	u.main.RequestFocus()
}
