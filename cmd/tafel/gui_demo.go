package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

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
	if !displayReachable() {
		fmt.Fprintln(e.stderr, e.tr.T("gui.display_unreachable", map[string]any{"Display": displayName()}))
		return exitUsage
	}
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
		adminDir:   demoAdminDir(e, ws.ConfigDir),
		secrets:    ws.Secrets,
		history:    ws.History,
		demo:       true,
	})
}

// demoAdminDir keeps this machine's admin files (a managed pool would
// replace the demo pool) out of the demo, unless --config-dir asks for a
// folder of them: IT can then preview its locks on the demo.
func demoAdminDir(e env, workspace string) string {
	if e.configDir != "" {
		return e.configDir
	}
	return filepath.Join(workspace, "no-admin-files")
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

// displayReachable reports whether a window can really open: a DISPLAY or
// WAYLAND_DISPLAY that names no running server (an ended ssh -X session, a
// crashed X server) otherwise ends in a GLFW panic with a stack trace, as
// Fyne only logs the failed initialisation. It dials the display's socket:
// microseconds, where a trial GLFW start would add its whole start-up to
// Tafel's launch time.
func displayReachable() bool {
	switch runtime.GOOS {
	case "windows", "darwin":
		return true
	}
	if w := os.Getenv("WAYLAND_DISPLAY"); w != "" {
		if !filepath.IsAbs(w) {
			w = filepath.Join(os.Getenv("XDG_RUNTIME_DIR"), w)
		}
		if canDial("unix", w) {
			return true
		}
	}
	host, num, ok := parseDisplay(os.Getenv("DISPLAY"))
	if !ok {
		return false
	}
	if host == "" || host == "unix" {
		// Xorg and Xvfb listen on both; the abstract one survives a
		// cleaned /tmp.
		return canDial("unix", "@/tmp/.X11-unix/X"+strconv.Itoa(num)) || canDial("unix", "/tmp/.X11-unix/X"+strconv.Itoa(num))
	}
	return canDial("tcp", net.JoinHostPort(host, strconv.Itoa(6000+num))) // e.g. ssh -X: localhost:10
}

// parseDisplay splits an X11 DISPLAY "[host]:N[.screen]".
func parseDisplay(d string) (host string, num int, ok bool) {
	i := strings.LastIndex(d, ":")
	if i < 0 {
		return "", 0, false
	}
	n, _, _ := strings.Cut(d[i+1:], ".")
	num, err := strconv.Atoi(n)
	if err != nil || num < 0 || num > 59535 {
		return "", 0, false
	}
	return d[:i], num, true
}

func canDial(network, addr string) bool {
	c, err := net.DialTimeout(network, addr, 2*time.Second)
	if err != nil {
		return false
	}
	c.Close()
	return true
}

// displayName is the display the app would use, for messages.
func displayName() string {
	if d := os.Getenv("WAYLAND_DISPLAY"); d != "" && os.Getenv("DISPLAY") == "" {
		return d
	}
	return os.Getenv("DISPLAY")
}
