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
	"sync"
	"testing"
	"time"
)

// Coturn is a real coturn TURN server on loopback, configured as bbb-install
// configures it (use-auth-secret with a static secret, fingerprint), with an
// optional TLS listener (as the standalone-TURN setup on port 443).
type Coturn struct {
	Host    string // 127.0.0.1
	Port    int    // UDP and TCP listening port
	TLSPort int    // TLS (and DTLS) listening port; 0 without CoturnOptions.TLS
	Secret  string // static-auth-secret
	Realm   string
	// CA issued the TLS certificate (IP SAN 127.0.0.1, DNS localhost); its
	// Pool is what the code under test must trust. nil without TLS.
	CA *TestCA
	// RelayMin and RelayMax bound the relayed ports (e.g. for loss rules).
	RelayMin, RelayMax int
	cmd                *exec.Cmd
	log                *SyncBuffer
}

// CoturnOptions configure StartCoturn; zero values pick test defaults.
type CoturnOptions struct {
	Secret string
	Realm  string
	// Port is the UDP/TCP listening port; 0 picks a free one. Inside a
	// fresh network namespace tests use the real 3478.
	Port int
	// TLS adds a TLS listener with a certificate from CA (a fresh TestCA if
	// nil) on TLSPort (0 picks a free one; 443 inside a namespace).
	TLS     bool
	TLSPort int
	CA      *TestCA
	// DenyLoopbackPeers leaves out allow-loopback-peers, as production
	// servers do: relays are allocated, but relay-to-relay traffic between
	// loopback addresses is silently dropped (a "server peer policy").
	DenyLoopbackPeers bool
}

// URL returns the TURN URL for transport "udp" or "tcp" (turn:), or "tls"
// (turns:…?transport=tcp on the TLS port).
func (c *Coturn) URL(transport string) string {
	if transport == "tls" {
		return fmt.Sprintf("turns:%s:%d?transport=tcp", c.Host, c.TLSPort)
	}
	return fmt.Sprintf("turn:%s:%d?transport=%s", c.Host, c.Port, transport)
}

// StartCoturn starts turnserver for the duration of the test and waits until
// it accepts connections. It is stopped in t.Cleanup.
func StartCoturn(t testing.TB, opt CoturnOptions) *Coturn {
	t.Helper()
	bin := LookPath(t, "turnserver", "coturn")
	c, err := LaunchCoturn(bin, t.TempDir(), opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		c.Stop()
		if t.Failed() {
			t.Logf("coturn log:\n%s", lastLines(c.Log(), 40))
		}
	})
	return c
}

// LaunchCoturn is StartCoturn for programs that are not tests (benchmarks):
// bin is the turnserver binary, dir a private scratch directory. The caller
// must call Stop.
func LaunchCoturn(bin, dir string, opt CoturnOptions) (*Coturn, error) {
	if opt.Secret == "" {
		opt.Secret = "tafel-test-turn-secret"
	}
	if opt.Realm == "" {
		opt.Realm = "tafel.test"
	}
	port := opt.Port
	if port == 0 {
		p, err := freePort("tcp")
		if err != nil {
			return nil, err
		}
		port = p
	}
	relayLo := 40000 + (port % 20000)
	if relayLo > 65000 {
		relayLo = 45000
	}
	c := &Coturn{Host: "127.0.0.1", Port: port, Secret: opt.Secret, Realm: opt.Realm,
		RelayMin: relayLo, RelayMax: relayLo + 200, log: &SyncBuffer{}}
	conf := []string{
		"listening-ip=127.0.0.1",
		"relay-ip=127.0.0.1",
		"listening-port=" + strconv.Itoa(port),
		fmt.Sprintf("min-port=%d", c.RelayMin),
		fmt.Sprintf("max-port=%d", c.RelayMax),
		"use-auth-secret",
		"static-auth-secret=" + opt.Secret,
		"realm=" + opt.Realm,
		"fingerprint",
		"no-cli",
		"no-multicast-peers",
		"pidfile=" + filepath.Join(dir, "turnserver.pid"),
		"userdb=" + filepath.Join(dir, "turndb"),
	}
	if !opt.DenyLoopbackPeers {
		// Tests relay between peers on loopback; production servers deny this.
		conf = append(conf, "allow-loopback-peers")
	}
	if !opt.TLS {
		conf = append(conf, "no-tls", "no-dtls")
	} else {
		c.CA = opt.CA
		if c.CA == nil {
			ca, err := NewCA("Tafel test TURN CA")
			if err != nil {
				return nil, err
			}
			c.CA = ca
		}
		certPEM, keyPEM, err := c.CA.Issue("127.0.0.1", "localhost")
		if err != nil {
			return nil, err
		}
		certPath, keyPath := filepath.Join(dir, "turn-cert.pem"), filepath.Join(dir, "turn-key.pem")
		if err := os.WriteFile(certPath, certPEM, 0o600); err != nil {
			return nil, err
		}
		if err := os.WriteFile(keyPath, keyPEM, 0o600); err != nil {
			return nil, err
		}
		c.TLSPort = opt.TLSPort
		if c.TLSPort == 0 {
			p, err := freePort("tcp")
			if err != nil {
				return nil, err
			}
			c.TLSPort = p
		}
		conf = append(conf, "tls-listening-port="+strconv.Itoa(c.TLSPort), "cert="+certPath, "pkey="+keyPath,
			"no-tlsv1", "no-tlsv1_1")
	}
	confPath := filepath.Join(dir, "turnserver.conf")
	if err := os.WriteFile(confPath, []byte(strings.Join(conf, "\n")+"\n"), 0o600); err != nil {
		return nil, err
	}
	c.cmd = exec.Command(bin, "-c", confPath)
	c.cmd.Stdout, c.cmd.Stderr = c.log, c.log
	if err := c.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start coturn: %w", err)
	}
	ports := []int{port}
	if c.TLSPort != 0 {
		ports = append(ports, c.TLSPort)
	}
	deadline := time.Now().Add(10 * time.Second)
	for _, p := range ports {
		for {
			conn, err := net.DialTimeout("tcp", net.JoinHostPort(c.Host, strconv.Itoa(p)), 200*time.Millisecond)
			if err == nil {
				conn.Close()
				break
			}
			if time.Now().After(deadline) {
				c.Stop()
				return nil, fmt.Errorf("coturn did not start listening on %d: %v\n%s", p, err, lastLines(c.Log(), 20))
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	return c, nil
}

// Stop kills the server and waits for it; safe to call twice.
func (c *Coturn) Stop() {
	if c.cmd == nil || c.cmd.Process == nil {
		return
	}
	_ = c.cmd.Process.Kill()
	_ = c.cmd.Wait()
}

// Log returns what coturn printed so far.
func (c *Coturn) Log() string { return c.log.String() }

// SyncBuffer collects a child process's output (written by the exec copier
// goroutine) while tests read it.
type SyncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *SyncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *SyncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
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

// freePort is FreePort without a test.
func freePort(network string) (int, error) {
	if network == "udp" {
		c, err := net.ListenPacket("udp4", "127.0.0.1:0")
		if err != nil {
			return 0, err
		}
		defer c.Close()
		return c.LocalAddr().(*net.UDPAddr).Port, nil
	}
	l, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
