//go:build linux

package testenv

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Xvfb comes up on a free display, answers X clients, and screenshots work;
// a second server gets another display.
func TestXvfbStartsAndScreenshots(t *testing.T) {
	d1 := StartXvfb(t)
	d2 := StartXvfb(t)
	if d1 == d2 || !strings.HasPrefix(d1, ":") {
		t.Fatalf("displays %q and %q", d1, d2)
	}
	xdotool := LookPath(t, "xdotool", "xdotool")
	cmd := exec.Command(xdotool, "getdisplaygeometry")
	cmd.Env = append(os.Environ(), "DISPLAY="+d1)
	out, err := cmd.CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "1280 800" {
		t.Fatalf("xdotool getdisplaygeometry on %s: %q, %v", d1, out, err)
	}
	shot := filepath.Join(t.TempDir(), "root.png")
	Screenshot(t, d1, shot)
	b, err := os.ReadFile(shot)
	if err != nil || !bytes.HasPrefix(b, []byte("\x89PNG")) {
		t.Fatalf("screenshot %s: %d bytes, %v", shot, len(b), err)
	}
	// No window yet: the wait gives up in time instead of hanging.
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	if id, err := FindWindow(ctx, xdotool, d1, "nothing here", 50*time.Millisecond); err == nil {
		t.Fatalf("found window %s on an empty display", id)
	}
}

func TestXvfbStopFreesDisplay(t *testing.T) {
	x, err := LaunchXvfb(LookPath(t, "Xvfb", "xvfb"))
	if err != nil {
		t.Fatal(err)
	}
	x.Stop()
	x.Stop()
	lock := "/tmp/.X" + strings.TrimPrefix(x.Display, ":") + "-lock"
	if _, err := os.Stat(lock); err == nil {
		t.Fatalf("%s left after Stop", lock)
	}
}

func TestXvfbEnvDropsRealSession(t *testing.T) {
	t.Setenv("WAYLAND_DISPLAY", "wayland-0")
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/run/user/1000/bus")
	t.Setenv("XDG_CONFIG_HOME", "/home/real/.config")
	h := t.TempDir()
	env := strings.Join(XEnv(":42", "unix:path=/tmp/x", h), "\n") + "\n"
	for _, bad := range []string{"WAYLAND_DISPLAY=", "/run/user/1000/bus", "/home/real"} {
		if strings.Contains(env, bad) {
			t.Errorf("XEnv keeps %q", bad)
		}
	}
	for _, want := range []string{"DISPLAY=:42\n", "DBUS_SESSION_BUS_ADDRESS=unix:path=/tmp/x\n", "HOME=" + h + "\n", "XDG_CONFIG_HOME=" + h + "/.config\n", "XDG_RUNTIME_DIR=" + h + "/.run\n"} {
		if !strings.Contains(env, want) {
			t.Errorf("XEnv lacks %q", want)
		}
	}
	if fi, err := os.Stat(filepath.Join(h, ".cache")); err != nil || !fi.IsDir() {
		t.Errorf("XEnv did not create ~/.cache: %v", err)
	}
}
