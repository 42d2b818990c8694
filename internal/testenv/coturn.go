package testenv

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Coturn is a real coturn TURN server on loopback, configured as bbb-install
// configures it (use-auth-secret with a static secret, fingerprint).
type Coturn struct {
	Host   string // 127.0.0.1
	Port   int    // UDP and TCP listening port
	Secret string // static-auth-secret
	Realm  string
	cmd    *exec.Cmd
	log    *bytes.Buffer
}

// CoturnOptions configure StartCoturn; zero values pick test defaults.
type CoturnOptions struct {
	Secret string
	Realm  string
}

// URL returns the turn: URL for transport "udp" or "tcp".
func (c *Coturn) URL(transport string) string {
	return fmt.Sprintf("turn:%s:%d?transport=%s", c.Host, c.Port, transport)
}

// StartCoturn starts turnserver for the duration of the test and waits until
// it accepts connections. It is stopped in t.Cleanup.
func StartCoturn(t testing.TB, opt CoturnOptions) *Coturn {
	t.Helper()
	bin := LookPath(t, "turnserver", "coturn")
	if opt.Secret == "" {
		opt.Secret = "tafel-test-turn-secret"
	}
	if opt.Realm == "" {
		opt.Realm = "tafel.test"
	}
	dir := t.TempDir()
	port := FreePort(t, "tcp")
	relayLo := 40000 + (port % 20000)
	if relayLo > 65000 {
		relayLo = 45000
	}
	conf := strings.Join([]string{
		"listening-ip=127.0.0.1",
		"relay-ip=127.0.0.1",
		"listening-port=" + strconv.Itoa(port),
		fmt.Sprintf("min-port=%d", relayLo),
		fmt.Sprintf("max-port=%d", relayLo+200),
		"use-auth-secret",
		"static-auth-secret=" + opt.Secret,
		"realm=" + opt.Realm,
		"fingerprint",
		"no-tls", "no-dtls", "no-cli",
		// Tests relay between peers on loopback; production servers deny this.
		"allow-loopback-peers",
		"no-multicast-peers",
		"pidfile=" + filepath.Join(dir, "turnserver.pid"),
		"userdb=" + filepath.Join(dir, "turndb"),
	}, "\n") + "\n"
	confPath := filepath.Join(dir, "turnserver.conf")
	if err := os.WriteFile(confPath, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	c := &Coturn{Host: "127.0.0.1", Port: port, Secret: opt.Secret, Realm: opt.Realm, log: &bytes.Buffer{}}
	c.cmd = exec.Command(bin, "-c", confPath)
	c.cmd.Stdout, c.cmd.Stderr = c.log, c.log
	if err := c.cmd.Start(); err != nil {
		t.Fatalf("start coturn: %v", err)
	}
	t.Cleanup(func() {
		_ = c.cmd.Process.Kill()
		_ = c.cmd.Wait()
		if t.Failed() {
			t.Logf("coturn log:\n%s", lastLines(c.log.String(), 40))
		}
	})
	deadline := time.Now().Add(10 * time.Second)
	for {
		conn, err := net.DialTimeout("tcp", net.JoinHostPort(c.Host, strconv.Itoa(port)), 200*time.Millisecond)
		if err == nil {
			conn.Close()
			return c
		}
		if time.Now().After(deadline) {
			t.Fatalf("coturn did not start listening on %d: %v\n%s", port, err, lastLines(c.log.String(), 20))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// AllocateWithUClient proves a credential against the server with coturn's
// own independent client (turnutils_uclient): it allocates a relay and echoes
// a few packets through it. It returns nil when the allocation worked.
func (c *Coturn) AllocateWithUClient(ctx context.Context, t testing.TB, username, password string, tcp bool) error {
	t.Helper()
	bin := LookPath(t, "turnutils_uclient", "coturn")
	args := []string{"-u", username, "-w", password, "-p", strconv.Itoa(c.Port), "-n", "2", "-m", "1", "-y", "-l", "100"}
	if tcp {
		args = append(args, "-t")
	}
	args = append(args, c.Host)
	out, err := exec.CommandContext(ctx, bin, args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("turnutils_uclient: %v: %s", err, lastLines(string(out), 3))
	}
	if !strings.Contains(string(out), "Total lost packets 0") {
		return fmt.Errorf("turnutils_uclient: packets lost: %s", lastLines(string(out), 3))
	}
	return nil
}

func lastLines(s string, n int) string {
	var lines []string
	sc := bufio.NewScanner(strings.NewReader(s))
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
