//go:build linux

package testenv

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Xvfb is a virtual X server for smoke tests and GUI benchmarks
// (desktop-platform.md §17.3): no window manager, Mesa llvmpipe for GL.
type Xvfb struct {
	Display string // ":N", for DISPLAY
	cmd     *exec.Cmd
	log     *SyncBuffer
	done    chan struct{}
}

// xvfbScreen is big enough for Tafel's windows and small enough to keep
// screenshots and the server's memory small.
const xvfbScreen = "1280x800x24"

// StartXvfb starts Xvfb on a free display number for the duration of the
// test and returns its DISPLAY value (":N"). It is stopped in t.Cleanup.
// The test process's own DISPLAY is not changed: pass the value to the
// programs under test (XEnv builds a complete environment).
func StartXvfb(t testing.TB) string {
	t.Helper()
	bin := LookPath(t, "Xvfb", "xvfb")
	x, err := LaunchXvfb(bin)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		x.Stop()
		if t.Failed() {
			t.Logf("Xvfb %s log:\n%s", x.Display, lastLines(x.Log(), 20))
		}
	})
	return x.Display
}

// LaunchXvfb is StartXvfb for programs that are not tests (benchmarks): bin
// is the Xvfb binary. It returns once the server accepts connections; the
// caller must call Stop.
func LaunchXvfb(bin string) (*Xvfb, error) {
	// -displayfd: Xvfb picks a free display itself (no races between
	// parallel tests over lock files) and writes the number to the pipe
	// only once it is ready for clients.
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	x := &Xvfb{log: &SyncBuffer{}, done: make(chan struct{})}
	x.cmd = exec.Command(bin, "-displayfd", "3", "-screen", "0", xvfbScreen, "-nolisten", "tcp", "-noreset")
	x.cmd.ExtraFiles = []*os.File{w}
	x.cmd.Stdout, x.cmd.Stderr = x.log, x.log
	x.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := x.cmd.Start(); err != nil {
		w.Close()
		return nil, fmt.Errorf("start Xvfb: %w", err)
	}
	w.Close()
	go func() { x.cmd.Wait(); close(x.done) }()
	num := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(r).ReadString('\n')
		num <- strings.TrimSpace(line)
	}()
	select {
	case n := <-num:
		if _, err := strconv.Atoi(n); err != nil {
			x.Stop()
			return nil, fmt.Errorf("Xvfb reported no display number (%q):\n%s", n, lastLines(x.Log(), 20))
		}
		x.Display = ":" + n
	case <-time.After(30 * time.Second):
		x.Stop()
		return nil, fmt.Errorf("Xvfb did not become ready in 30 s:\n%s", lastLines(x.Log(), 20))
	}
	return x, nil
}

// Pid is the server's process ID.
func (x *Xvfb) Pid() int { return x.cmd.Process.Pid }

// Log returns what Xvfb printed so far.
func (x *Xvfb) Log() string { return x.log.String() }

// Stop terminates the server (it removes its lock file on SIGTERM) and
// waits for it; safe to call twice.
func (x *Xvfb) Stop() {
	if x.cmd == nil || x.cmd.Process == nil {
		return
	}
	_ = x.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-x.done:
	case <-time.After(5 * time.Second):
		_ = x.cmd.Process.Kill()
		<-x.done
	}
}

// XEnv is an environment for a GUI program under test: this process's
// environment without anything that leads to the real desktop session
// (DISPLAY, WAYLAND_DISPLAY, the session bus, HOME and the XDG
// directories), then DISPLAY=display, DBUS_SESSION_BUS_ADDRESS=busAddress
// (none if "") and HOME=home. It creates home's ~/.config, ~/.cache,
// ~/.local/share and a private XDG_RUNTIME_DIR (home/.run) as a desktop
// session has them: Fyne cannot create its cache below a missing ~/.cache.
// Without WAYLAND_DISPLAY, Fyne ≥ 2.8 (GLFW 3.4) picks X11.
func XEnv(display, busAddress, home string) []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch k {
		case "DISPLAY", "WAYLAND_DISPLAY", "XDG_SESSION_TYPE", "DBUS_SESSION_BUS_ADDRESS", "XAUTHORITY",
			"HOME", "XDG_RUNTIME_DIR", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME":
			continue
		}
		env = append(env, kv)
	}
	dirs := []struct{ key, path string }{
		{"XDG_CONFIG_HOME", filepath.Join(home, ".config")},
		{"XDG_CACHE_HOME", filepath.Join(home, ".cache")},
		{"XDG_DATA_HOME", filepath.Join(home, ".local", "share")},
		{"XDG_RUNTIME_DIR", filepath.Join(home, ".run")},
	}
	env = append(env, "DISPLAY="+display, "HOME="+home)
	for _, d := range dirs {
		_ = os.MkdirAll(d.path, 0o700) // a failure shows up in the program under test
		env = append(env, d.key+"="+d.path)
	}
	if busAddress != "" {
		env = append(env, "DBUS_SESSION_BUS_ADDRESS="+busAddress)
	}
	if os.Getenv("LANG") == "" {
		env = append(env, "LANG=C.UTF-8")
	}
	return env
}

// Screenshot saves the whole screen of display as a PNG at path with
// ImageMagick's import.
func Screenshot(t testing.TB, display, path string) {
	t.Helper()
	bin := LookPath(t, "import", "imagemagick")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "-display", display, "-window", "root", path)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("screenshot of %s: %v\n%s", display, err, out)
	}
}

// WaitForWindow waits until a viewable (mapped) window whose title is
// exactly name exists on display and returns its X window ID. It fails the
// test after timeout.
func WaitForWindow(t testing.TB, display, name string, timeout time.Duration) string {
	t.Helper()
	bin := LookPath(t, "xdotool", "xdotool")
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	id, err := FindWindow(ctx, bin, display, name, 100*time.Millisecond)
	if err != nil {
		t.Fatalf("window %q on %s: %v", name, display, err)
	}
	return id
}

// WaitForWindowGone waits until no viewable window titled exactly name is
// left on display (closed, hidden or unmapped); it fails the test after
// timeout.
func WaitForWindowGone(t testing.TB, display, name string, timeout time.Duration) {
	t.Helper()
	bin := LookPath(t, "xdotool", "xdotool")
	deadline := time.Now().Add(timeout)
	for len(VisibleWindows(context.Background(), bin, display, name)) > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("window %q still shown on %s after %s", name, display, timeout)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// FindWindow is WaitForWindow for programs that are not tests: it polls
// xdotool (binary xdotool) every interval until a viewable window titled
// exactly name exists on display, or ctx ends. Polling instead of
// `xdotool search --sync` keeps the deadline in our hands (--sync polls
// every 0.5 s and never gives up).
func FindWindow(ctx context.Context, xdotool, display, name string, interval time.Duration) (string, error) {
	for {
		if ids := VisibleWindows(ctx, xdotool, display, name); len(ids) > 0 {
			return ids[0], nil
		}
		select {
		case <-ctx.Done():
			return "", errors.New("no such window appeared in time")
		case <-time.After(interval):
		}
	}
}

// VisibleWindows looks once for viewable windows titled name (matched as
// titlePattern describes) on display and returns their X window IDs
// (decimal, as xdotool prints them).
func VisibleWindows(ctx context.Context, xdotool, display, name string) []string {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, xdotool, "search", "--onlyvisible", "--name", "^"+titlePattern(name)+"$")
	cmd.Env = append(os.Environ(), "DISPLAY="+display)
	out, _ := cmd.Output() // exit 1 means "none"
	return strings.Fields(string(out))
}

// titlePattern quotes name for xdotool's regular expressions. xdotool
// matches non-ASCII titles byte-wise (an en dash is three bytes no "."
// matches), so each run of non-ASCII characters becomes ".*".
func titlePattern(name string) string {
	var b strings.Builder
	ascii := func(r rune) bool { return r < 0x80 }
	inRun := false
	for _, r := range name {
		if ascii(r) {
			b.WriteString(regexp.QuoteMeta(string(r)))
			inRun = false
			continue
		}
		if !inRun {
			b.WriteString(".*")
			inRun = true
		}
	}
	return b.String()
}
