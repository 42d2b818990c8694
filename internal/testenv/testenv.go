// Package testenv is the one place where Tafel's tests start real components:
// the BBB simulator today, and coturn, PulseAudio, Xvfb, dbus with
// gnome-keyring and network namespaces as the issues that need them land.
//
// Rule: a test that needs a component starts and stops it itself. Locally a
// missing component skips the test with the install hint; under CI=true it
// fails, so CI can never pass by silently testing less.
package testenv

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// InCI reports whether the tests run in CI (CI=true), where missing
// components are failures instead of skips.
func InCI() bool { return os.Getenv("CI") == "true" }

// Missing reports a component the test cannot run without: a skip locally, a
// failure in CI. hint says how to get it, e.g. "apt-get install coturn".
func Missing(t testing.TB, what, hint string) {
	t.Helper()
	if InCI() {
		t.Fatalf("%s is required in CI but missing; install it with: %s", what, hint)
	}
	t.Skipf("%s is missing (install it with: %s); skipping", what, hint)
}

// LookPath returns the path of command cmd from Debian package pkg, or ends
// the test through Missing.
func LookPath(t testing.TB, cmd, pkg string) string {
	t.Helper()
	p, err := exec.LookPath(cmd)
	if err != nil {
		for _, dir := range []string{"/usr/sbin", "/sbin", "/usr/bin"} {
			if c := filepath.Join(dir, cmd); isExecutable(c) {
				return c
			}
		}
		Missing(t, cmd, "apt-get install "+pkg)
	}
	return p
}

func isExecutable(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0
}

// FreePort returns a loopback port that was free a moment ago for network
// "tcp" or "udp". Components that cannot listen on port 0 themselves need it.
func FreePort(t testing.TB, network string) int {
	t.Helper()
	switch network {
	case "udp":
		c, err := net.ListenPacket("udp4", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		return c.LocalAddr().(*net.UDPAddr).Port
	default:
		l, err := net.Listen("tcp4", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		return l.Addr().(*net.TCPAddr).Port
	}
}

// TempHome points HOME and the XDG directories at a fresh temporary folder for
// the rest of the test, so components never touch the real user's files.
func TempHome(t testing.TB) string {
	t.Helper()
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, ".config"))
	t.Setenv("XDG_CACHE_HOME", filepath.Join(home, ".cache"))
	t.Setenv("XDG_DATA_HOME", filepath.Join(home, ".local", "share"))
	// School IT's admin directory (config.EnvConfigDir): empty unless a
	// test writes admin files into it, whatever this machine has in
	// /etc/xdg/tafel.
	t.Setenv("TAFEL_CONFIG_DIR", filepath.Join(home, "admin"))
	return home
}
