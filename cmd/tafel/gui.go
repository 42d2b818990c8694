package main

// The desktop app: `tafel` without arguments, and `tafel demo`. This file
// only wires — language, the Fyne app, single instance, tray, services —
// and is the one place that imports fyne.io/fyne/v2/app.

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"

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
	return showApp(ctx, e, guiConfig{instanceID: appID, hidden: *hidden})
}

// showApp runs the desktop app until it quits or ctx ends.
func showApp(ctx context.Context, e env, gc guiConfig) int {
	var ui atomic.Pointer[tafelui.UI]
	inst, err := singleinstance.Listen(gc.instanceID, func() {
		fyne.Do(func() {
			if u := ui.Load(); u != nil {
				u.ShowMain()
			}
		})
	})
	switch {
	case errors.Is(err, singleinstance.ErrAnotherInstance):
		fmt.Fprintln(e.stderr, e.tr.T("gui.already_running"))
		return exitOK
	case err != nil:
		// Not fatal: Tafel runs, only a second launch cannot find it.
		slog.Warn("single instance", "err", err)
	default:
		defer inst.Close()
	}

	b, openErr := backend.Open(backend.Options{ConfigDir: gc.configDir, Secrets: gc.secrets, History: gc.history, Lang: e.lang})
	if b == nil {
		fmt.Fprintln(e.stderr, e.tr.T("gui.start_failed", map[string]any{"Detail": openErr.Error()}))
		return exitFail
	}
	defer b.Close()
	language := e.lang
	if language == "" {
		language = b.Settings().Load().Language
	}
	loadFyneTranslations(language)

	a := fyneapp.NewWithID(appID)
	icon := fyne.NewStaticResource("tafel.png", assets.Icon)
	a.SetIcon(icon)
	svc := tafelui.Services{
		Rooms:     b.Rooms(),
		Lessons:   b.Lessons(),
		Settings:  b.Settings(),
		Setup:     b.Setup(),
		Preflight: newPreflightService(b, gc),
	}
	u := tafelui.New(a, svc, tafelui.Options{TrayAvailable: trayhost.Available, Demo: gc.demo, Icon: icon})
	ui.Store(u)
	tray := u.SetupTray()
	if !gc.hidden || !tray {
		u.ShowMain()
	}
	a.Lifecycle().SetOnStarted(func() {
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
	if translations.Normalize(sys.LanguageString()) == translations.Normalize(language) {
		return // the OS already picks it, and Fyne's own words stay translated
	}
	if err := lang.AddTranslationsForLocale(data, sys); err != nil {
		slog.Error("translations", "lang", language, "err", err)
	}
}
