package main

// The desktop app: `tafel` without arguments, and `tafel demo`. This file
// only wires — language, the Fyne app, single instance, tray, services —
// and is the one place that imports fyne.io/fyne/v2/app.

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strings"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/lang"

	tafelui "github.com/tafel-schule/tafel/app"
	"github.com/tafel-schule/tafel/assets"
	"github.com/tafel-schule/tafel/backend"
	"github.com/tafel-schule/tafel/checkhistory"
	"github.com/tafel-schule/tafel/config"
	"github.com/tafel-schule/tafel/internal/singleinstance"
	"github.com/tafel-schule/tafel/internal/trayhost"
	"github.com/tafel-schule/tafel/translations"
)

// appID names Fyne's preferences, the .desktop file and notifications; the
// same string is in FyneApp.toml.
const appID = "schule.tafel.app"

// guiFlags are the options of the GUI path.
var guiFlagNames = map[string]bool{"--hidden": true, "-hidden": true}

func isGUIFlag(a string) bool { return guiFlagNames[a] }

// guiConfig is what runGUI needs beyond the command line.
type guiConfig struct {
	instanceID string
	configDir  string // "" = the user's config dir
	adminDir   string // "" = school IT's (config.AdminDir or --config-dir)
	secrets    config.Secrets
	history    *checkhistory.Store
	demo       bool
	hidden     bool // start in the tray (autostart), if a tray exists
}

// runGUI: `tafel [--hidden]`.
func runGUI(ctx context.Context, e env, args []string) int {
	fs := newFlags(e, "tafel", "cli.usage")
	hidden := fs.Bool("hidden", false, "")
	if err := fs.Parse(args); err != nil {
		return flagError(e, err, "cli.usage")
	}
	if !hasDisplay() {
		fmt.Fprintln(e.stderr, e.tr.T("gui.no_display"))
		return exitUsage
	}
	if !displayReachable() {
		fmt.Fprintln(e.stderr, e.tr.T("gui.display_unreachable", map[string]any{"Display": displayName()}))
		return exitUsage
	}
	return showApp(ctx, e, guiConfig{instanceID: appID, hidden: *hidden, adminDir: e.configDir})
}

// showApp runs the desktop app until it quits or ctx ends.
func showApp(ctx context.Context, e env, gc guiConfig) int {
	// A "show" may arrive before the Fyne app exists (backend.Open can wait
	// seconds for the rooms file lock): fyne.Do would then panic on a nil
	// CurrentApp, so it is only called once the UI is there, and an earlier
	// request is remembered and served when the window is first shown.
	var ui atomic.Pointer[tafelui.UI]
	var showPending atomic.Bool
	inst, err := singleinstance.Listen(gc.instanceID, func() {
		showPending.Store(true)
		if u := ui.Load(); u != nil {
			fyne.Do(func() {
				if showPending.Swap(false) {
					u.ShowMain()
				}
			})
		}
	})
	switch {
	case errors.Is(err, singleinstance.ErrAnotherInstance):
		fmt.Fprintln(e.stderr, e.tr.T("gui.already_running"))
		return exitOK
	case errors.Is(err, singleinstance.ErrNotResponding):
		// Another Tafel holds the lock but hangs. A second one next to it
		// would share its files and tray icon: say so and stop.
		fmt.Fprintln(e.stderr, e.tr.T("gui.not_responding"))
		return exitFail
	case err != nil:
		// Not fatal: Tafel runs, only a second launch cannot find it.
		slog.Warn("single instance", "err", err)
	default:
		defer inst.Close()
	}

	if gc.secrets == nil {
		gc.secrets = config.Keyring{}
	}
	gc.secrets = scrubbedSecrets{gc.secrets}
	b, openErr := backend.Open(backend.Options{ConfigDir: gc.configDir, AdminDir: gc.adminDir, Secrets: gc.secrets, History: gc.history, Lang: e.lang})
	if b == nil {
		fmt.Fprintln(e.stderr, e.tr.T("gui.start_failed", map[string]any{"Detail": openErr.Error()}))
		return exitFail
	}
	defer b.Close()
	lang := guiLanguage(e.lang, b.Settings().Load().Language)
	loadFyneTranslations(lang)
	// The report window builds from the same sources as `tafel report`.
	report := backend.NewReport(reportGatherer(lang, gc.adminDir, gc.secrets, gc.history), translations.New(lang), nil)
	defer report.Close()

	a := fyneapp.NewWithID(appID)
	icon := fyne.NewStaticResource("tafel.png", assets.Icon)
	a.SetIcon(icon)
	svc := tafelui.Services{
		Rooms:     b.Rooms(),
		Lessons:   b.Lessons(),
		Settings:  b.Settings(),
		Setup:     b.Setup(),
		Preflight: newPreflightService(b, gc),
		Report:    report,
	}
	u := tafelui.New(a, svc, tafelui.Options{TrayAvailable: trayhost.Available, Demo: gc.demo, Icon: icon})
	ui.Store(u)
	// Fyne 2.8.1 starts its tray only when it is set up before Run, and a
	// tray costs a hidden helper window (measured: +9 MB RSS, +20 ms to
	// the first window). So Tafel sets it up when a tray host is there at
	// start; without one (stock GNOME) it is a normal window. An autostart
	// (--hidden) may run before the desktop's tray at login: it waits a
	// little for one to appear.
	trayNow := false
	if trayhost.Available() || gc.hidden && waitForTrayHost(ctx, trayWaitAtLogin) {
		trayNow = u.SetupTray()
	}
	if !gc.hidden || !trayNow || showPending.Swap(false) {
		u.ShowMain()
	}
	a.Lifecycle().SetOnStarted(func() {
		// Tafel idles in the tray all day: hand the start-up garbage (font
		// and icon decoding, JSON) back to the OS once the window is up,
		// instead of keeping it until the heap would grow that far again.
		time.AfterFunc(startupSettle, debug.FreeOSMemory)
		if openErr != nil {
			u.ShowNotice(b.Lessons().Explain(openErr))
		}
		// The keyring may wait for an unlock prompt: ask off the UI thread.
		go func() {
			if svc.Setup.NeedsPool() {
				fyne.Do(func() {
					u.ShowMain()
					u.ShowFirstRun(func() {})
				})
			}
		}()
	})
	stop := context.AfterFunc(ctx, func() { fyne.Do(u.Quit) })
	defer stop()
	a.Run()
	return exitOK
}

// trayWaitAtLogin is how long an autostart waits for the desktop's tray.
const trayWaitAtLogin = 15 * time.Second

// waitForTrayHost polls for a tray host until one appears or max passes.
func waitForTrayHost(ctx context.Context, max time.Duration) bool {
	ctx, cancel := context.WithTimeout(ctx, max)
	defer cancel()
	for {
		if trayhost.AvailableContext(ctx) {
			return true
		}
		select {
		case <-ctx.Done():
			return false
		case <-time.After(500 * time.Millisecond):
		}
	}
}

// startupSettle is when the window has finished its first loads.
const startupSettle = 5 * time.Second

// guiLanguage is the window's language: --lang, else the saved setting,
// else the one the backend's messages follow (translations.FromEnvironment).
// Always naming it keeps Fyne from choosing by its own, different reading
// of the OS locale (LANGUAGE, or a language Tafel does not speak), which
// would mix two languages in one window.
func guiLanguage(explicit, saved string) string {
	switch {
	case explicit != "":
		return translations.Normalize(explicit)
	case saved != "":
		return translations.Normalize(saved)
	}
	return translations.FromEnvironment()
}

// loadFyneTranslations loads de.json and en.json into Fyne's lang before
// any UI exists. An explicit language is also loaded under the system
// locale's name, which wins Fyne's locale match (Fyne has no "set
// language" call: fyne-io/fyne#5333; supersonic does the same).
func loadFyneTranslations(language string) {
	for _, l := range translations.Languages {
		data, err := translations.FS.ReadFile(l + ".json")
		if err == nil {
			err = lang.AddTranslationsForLocale(data, fyne.Locale(l))
		}
		if err != nil {
			slog.Error("translations", "lang", l, "err", err)
		}
	}
	if language == "" {
		return
	}
	data, err := translations.FS.ReadFile(translations.Normalize(language) + ".json")
	if err != nil {
		return
	}
	sys := lang.SystemLocale()
	// Only an exact base-language match may skip the override: Normalize
	// would map "it" or "fr" to "en", but Fyne then picks by its own list
	// (LANGUAGE=it:de gives German), not English.
	if base, _, _ := strings.Cut(strings.ToLower(sys.String()), "-"); base == translations.Normalize(language) {
		return // the OS already picks it, and Fyne's own words stay translated
	}
	// Fyne's own words first, then Tafel's: both under the OS locale, so
	// Fyne's dialogs ("Abbrechen", "Ordner öffnen") speak Tafel's language.
	if base, err := translations.FyneFS.ReadFile("fyne/base." + translations.Normalize(language) + ".json"); err == nil {
		if err := lang.AddTranslationsForLocale(base, sys); err != nil {
			slog.Error("translations", "lang", language, "err", err)
		}
	}
	if err := lang.AddTranslationsForLocale(data, sys); err != nil {
		slog.Error("translations", "lang", language, "err", err)
	}
}
