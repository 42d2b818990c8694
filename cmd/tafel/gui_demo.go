package main

import (
	"context"
	"fmt"
	"os"
	"runtime"

	"github.com/tafel-schule/tafel/config"
	"github.com/tafel-schule/tafel/internal/demo"
)

// demoInstanceID keeps the demo apart from a running real Tafel: both may
// run at once, and a second `tafel demo` brings the first to the front.
const demoInstanceID = appID + ".demo"

// runDemoGUI starts the demo pool (simulator and TURN in-process) with a
// throwaway workspace and runs the desktop app on it. browser, if set,
// opens join links instead of the system default (tests pass a recorder).
func runDemoGUI(ctx context.Context, e env, listen, browser string) int {
	s, err := demo.Launch(ctx, demo.Options{Listen: listen})
	if err != nil {
		fmt.Fprintln(e.stderr, e.tr.T("demo.failed", map[string]any{"Error": err}))
		return exitFail
	}
	defer s.Close()
	ws := s.Workspace
	if browser != "" {
		u, err := config.LoadUser(ws.ConfigPath)
		if err == nil {
			u.Browser = browser
			err = config.SaveUser(ws.ConfigPath, u)
		}
		if err != nil {
			fmt.Fprintln(e.stderr, e.tr.T("demo.failed", map[string]any{"Error": err}))
			return exitFail
		}
	}
	fmt.Fprintln(e.stderr, e.tr.T("demo.gui_running", map[string]any{"URL": s.Pool.APIURL}))
	return showApp(ctx, e, guiConfig{
		instanceID: demoInstanceID,
		configDir:  ws.ConfigDir,
		secrets:    ws.Secrets,
		history:    ws.History,
		demo:       true,
	})
}

// hasDisplay reports whether a window can open here: on Linux and BSD an X
// or Wayland display must be set; elsewhere there always is one.
func hasDisplay() bool {
	switch runtime.GOOS {
	case "windows", "darwin":
		return true
	}
	return os.Getenv("DISPLAY") != "" || os.Getenv("WAYLAND_DISPLAY") != ""
}
