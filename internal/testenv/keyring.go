//go:build linux

package testenv

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
)

// SecretService is a private D-Bus session bus, optionally with a real
// gnome-keyring-daemon whose fresh login keyring is unlocked, all below one
// scratch directory (keyrings land in Home/.local/share/keyrings). Nothing
// of the user's own session is touched.
type SecretService struct {
	Address string // the bus's DBUS_SESSION_BUS_ADDRESS
	Home    string // HOME of the keyring daemon
	procs   []*exec.Cmd
}

// busConfig is a minimal session bus: no service activation at all, so a
// Secret Service exists only if we start one (and nothing outlives Stop).
const busConfig = `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir=%s</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
`

// StartKeyring gives the test a real Secret Service (gnome-keyring with an
// unlocked login keyring) on a private bus and points the test process at
// it (DBUS_SESSION_BUS_ADDRESS). Everything is stopped in t.Cleanup. The
// test must not run in parallel with others that use the session bus.
func StartKeyring(t testing.TB) *SecretService {
	t.Helper()
	return startForTest(t, true)
}

// StartBusWithoutSecretService gives the test a private session bus on
// which no Secret Service exists (a headless machine, a minimal desktop),
// for testing the "no password store" message.
func StartBusWithoutSecretService(t testing.TB) *SecretService {
	t.Helper()
	return startForTest(t, false)
}

func startForTest(t testing.TB, withKeyring bool) *SecretService {
	t.Helper()
	bus := LookPath(t, "dbus-daemon", "dbus-daemon")
	gk := ""
	if withKeyring {
		gk = LookPath(t, "gnome-keyring-daemon", "gnome-keyring")
	}
	// Unix socket paths are limited to ~108 bytes; t.TempDir() can be long.
	dir, err := os.MkdirTemp("", "tafel-kr-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	s, err := LaunchSecretService(bus, gk, dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", s.Address)
	// Registered after Setenv, so it runs before the variable is restored.
	t.Cleanup(s.Stop)
	return s
}

// LaunchSecretService is StartKeyring for programs that are not tests
// (benchmarks): busBin is dbus-daemon, keyringBin gnome-keyring-daemon (""
// for a bus without a Secret Service), dir a private scratch directory. The
// caller sets DBUS_SESSION_BUS_ADDRESS for whatever should use it and calls
// Stop.
func LaunchSecretService(busBin, keyringBin, dir string) (*SecretService, error) {
	run := filepath.Join(dir, "run")
	home := filepath.Join(dir, "home")
	for _, d := range []string{run, home} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return nil, err
		}
	}
	conf := filepath.Join(dir, "bus.conf")
	if err := os.WriteFile(conf, fmt.Appendf(nil, busConfig, run), 0o600); err != nil {
		return nil, err
	}
	s := &SecretService{Home: home}
	env := append(cleanEnv(), "HOME="+home, "XDG_RUNTIME_DIR="+run, "XDG_DATA_HOME="+filepath.Join(home, ".local", "share"))

	bus := exec.Command(busBin, "--config-file="+conf, "--nofork", "--print-address=1")
	bus.Env = env
	bus.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	out, err := bus.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := bus.Start(); err != nil {
		return nil, err
	}
	s.procs = append(s.procs, bus)
	addr := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(out).ReadString('\n')
		addr <- strings.TrimSpace(line)
	}()
	select {
	case s.Address = <-addr:
	case <-time.After(10 * time.Second):
	}
	if s.Address == "" {
		s.Stop()
		return nil, errors.New("testenv: dbus-daemon printed no address")
	}
	if keyringBin == "" {
		return s, nil
	}

	// --unlock reads the login password from stdin and creates (or
	// unlocks) the login keyring with it; --foreground keeps it our child.
	gk := exec.Command(keyringBin, "--foreground", "--unlock", "--components=secrets")
	gk.Env = append(env, "DBUS_SESSION_BUS_ADDRESS="+s.Address)
	gk.Stdin = strings.NewReader("tafel-test-keyring-password")
	gk.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := gk.Start(); err != nil {
		s.Stop()
		return nil, err
	}
	s.procs = append(s.procs, gk)
	if err := waitForName(s.Address, "org.freedesktop.secrets", 15*time.Second); err != nil {
		s.Stop()
		return nil, err
	}
	return s, nil
}

// cleanEnv drops session variables that would let a child find the real
// user session.
func cleanEnv() []string {
	var out []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch k {
		case "DBUS_SESSION_BUS_ADDRESS", "HOME", "XDG_RUNTIME_DIR", "XDG_DATA_HOME", "DISPLAY", "WAYLAND_DISPLAY":
			continue
		}
		out = append(out, kv)
	}
	return out
}

// waitForName polls the bus until name has an owner.
func waitForName(addr, name string, timeout time.Duration) error {
	conn, err := dbus.Connect(addr)
	if err != nil {
		return fmt.Errorf("testenv: connect to private bus: %w", err)
	}
	defer conn.Close()
	deadline := time.Now().Add(timeout)
	for {
		var has bool
		err := conn.BusObject().Call("org.freedesktop.DBus.NameHasOwner", 0, name).Store(&has)
		if err == nil && has {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("testenv: %s did not appear on the bus within %s", name, timeout)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Stop kills the daemons (keyring first, then the bus) and waits for them.
// It also closes this process's shared session-bus connection if it points
// at the stopped bus, so the next test connects afresh.
func (s *SecretService) Stop() {
	for i := len(s.procs) - 1; i >= 0; i-- {
		p := s.procs[i]
		if p.Process != nil {
			p.Process.Signal(syscall.SIGTERM)
			done := make(chan struct{})
			go func() { p.Wait(); close(done) }()
			select {
			case <-done:
			case <-time.After(5 * time.Second):
				p.Process.Kill()
				<-done
			}
		}
	}
	s.procs = nil
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") == s.Address {
		if c, err := dbus.SessionBus(); err == nil {
			c.Close()
		}
	}
}
