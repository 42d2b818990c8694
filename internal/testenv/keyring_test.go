//go:build linux

package testenv

import (
	"os"
	"syscall"
	"testing"
	"time"
)

// StartKeyring's daemons are gone after the test, and the bus address was
// only set for the test's duration.
func TestKeyringDaemonsStopped(t *testing.T) {
	before := os.Getenv("DBUS_SESSION_BUS_ADDRESS")
	var pids []int
	var addr string
	t.Run("inner", func(t *testing.T) {
		s := StartKeyring(t)
		addr = s.Address
		if os.Getenv("DBUS_SESSION_BUS_ADDRESS") != s.Address {
			t.Fatal("bus address not set for the test")
		}
		for _, p := range s.procs {
			pids = append(pids, p.Process.Pid)
		}
		if len(pids) != 2 {
			t.Fatalf("want dbus-daemon and gnome-keyring-daemon, got %d processes", len(pids))
		}
	})
	if addr == "" {
		t.Skip("keyring not available")
	}
	if got := os.Getenv("DBUS_SESSION_BUS_ADDRESS"); got != before {
		t.Fatalf("bus address leaked: %q", got)
	}
	deadline := time.Now().Add(5 * time.Second)
	for _, pid := range pids {
		for syscall.Kill(pid, 0) == nil {
			if time.Now().After(deadline) {
				t.Fatalf("process %d still running", pid)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
}
