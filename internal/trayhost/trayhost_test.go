//go:build linux

package trayhost

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/tafel-schule/tafel/internal/testenv"
)

// On a private bus: no watcher → false; the fake watcher → true; it goes
// away → false again (the probe is live, not cached).
func TestTrayAvailableFollowsWatcher(t *testing.T) {
	addr := testenv.StartSessionBus(t)
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", addr)
	if Available() {
		t.Fatal("Available() without a watcher")
	}
	w, err := testenv.LaunchSNIWatcher(addr)
	if err != nil {
		t.Fatal(err)
	}
	if !Available() {
		w.Close()
		t.Fatal("Available() = false with a watcher on the bus")
	}
	w.Close()
	deadline := time.Now().Add(10 * time.Second)
	for Available() {
		if time.Now().After(deadline) {
			t.Fatal("Available() stays true after the watcher left")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// No session bus at all (a bare X session, an SSH login): false, fast, and
// no bus is auto-launched (dbus-launch may be installed).
func TestTrayAvailableWithoutBus(t *testing.T) {
	empty := t.TempDir()
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "")
	t.Setenv("XDG_RUNTIME_DIR", empty)
	t.Setenv("DISPLAY", "")
	t.Setenv("PATH", empty) // even if godbus tried dbus-launch, it finds none
	// godbus also looks at /run/user/<uid>/bus (not XDG_RUNTIME_DIR); on a
	// desktop machine that is the real bus.
	if _, err := os.Stat(fmt.Sprintf("/run/user/%d/bus", os.Getuid())); err == nil {
		t.Skip("a real session bus exists at /run/user/<uid>/bus")
	}
	start := time.Now()
	if Available() {
		t.Fatal("Available() without any bus")
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("probe took %s", d)
	}
	if v := os.Getenv("DBUS_SESSION_BUS_ADDRESS"); v != "" {
		t.Fatalf("probe set DBUS_SESSION_BUS_ADDRESS=%q (a bus was launched)", v)
	}
}

// A bus address that leads nowhere (the bus died): false.
func TestTrayAvailableDeadBus(t *testing.T) {
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path="+t.TempDir()+"/gone")
	if Available() {
		t.Fatal("Available() on a dead bus")
	}
}

// A bus that accepts the connection but never answers: the context ends the
// probe.
func TestTrayAvailableHungBus(t *testing.T) {
	dir, err := os.MkdirTemp("", "th-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	ln, err := listenUnix(dir + "/bus")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path="+dir+"/bus")
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	if AvailableContext(ctx) {
		t.Fatal("AvailableContext on a silent bus")
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("probe took %s despite the context", d)
	}
}
