package testenv

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// netnsEnv marks a test process re-executed inside a fresh network namespace;
// its value is the name of the (sub)test that runs there.
const netnsEnv = "TAFEL_TESTENV_NETNS"

// InNetns runs the calling test in a fresh, empty network namespace, so it can
// build a hostile network with nftables without touching the host. The test
// binary re-executes itself under unshare(1) (rootless with --map-root-user
// when not root), running only this test; inside, loopback is up and nothing
// else exists.
//
// Use it as the first statement of a (sub)test:
//
//	if !testenv.InNetns(t) { return } // parent: the child ran and was reported
//	testenv.Nft(t, "add rule inet t input udp dport 3478 drop")
//
// Why re-exec instead of switching namespaces in-process: a Go program's
// sockets are created on whatever OS thread a goroutine happens to run on, so
// only a whole process can live reliably in one namespace.
func InNetns(t *testing.T) bool {
	t.Helper()
	if os.Getenv(netnsEnv) == t.Name() {
		if out, err := exec.Command(LookPath(t, "ip", "iproute2"), "link", "set", "lo", "up").CombinedOutput(); err != nil {
			t.Fatalf("ip link set lo up: %v: %s", err, out)
		}
		return true
	}
	if os.Getenv(netnsEnv) != "" {
		t.Skip("another test runs in this namespace")
	}
	unshare := LookPath(t, "unshare", "util-linux")
	LookPath(t, "ip", "iproute2")
	if err := netnsUsable(unshare); err != nil {
		Missing(t, "network namespaces (unshare --net)", "run as root or enable unprivileged user namespaces: "+err.Error())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	args := append(unshareArgs(), "--", os.Args[0], "-test.run="+runPattern(t.Name()), "-test.v", "-test.count=1", "-test.timeout=150s")
	cmd := exec.CommandContext(ctx, unshare, args...)
	cmd.Env = append(os.Environ(), netnsEnv+"="+t.Name())
	out, err := cmd.CombinedOutput()
	text := string(out)
	switch {
	case err != nil:
		t.Errorf("test in network namespace failed: %v\n%s", err, text)
	case strings.Contains(text, "--- SKIP: "+t.Name()):
		t.Skipf("skipped in network namespace:\n%s", lastLines(text, 5))
	case !strings.Contains(text, "--- PASS: "+t.Name()):
		t.Errorf("test did not run in the network namespace:\n%s", text)
	default:
		t.Logf("ran in a fresh network namespace:\n%s", text)
	}
	return false
}

// InsideNetns reports whether this process is a test re-executed by InNetns.
func InsideNetns() bool { return os.Getenv(netnsEnv) != "" }

// Nft applies an nftables ruleset (nft -f syntax) inside the namespace of a
// test started with InNetns. It refuses to run anywhere else, so a test can
// never change the host's firewall.
func Nft(t testing.TB, ruleset string) {
	t.Helper()
	if !InsideNetns() {
		t.Fatal("testenv.Nft outside a test network namespace: refusing to touch the host firewall")
	}
	cmd := exec.Command(LookPath(t, "nft", "nftables"), "-f", "-")
	cmd.Stdin = strings.NewReader(ruleset)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("nft: %v: %s\nruleset:\n%s", err, out, ruleset)
	}
}

func unshareArgs() []string {
	if os.Geteuid() == 0 {
		return []string{"--net"}
	}
	return []string{"--user", "--map-root-user", "--net"}
}

var (
	netnsOnce sync.Once
	netnsErr  error
)

func netnsUsable(unshare string) error {
	netnsOnce.Do(func() {
		out, err := exec.Command(unshare, append(unshareArgs(), "--", "true")...).CombinedOutput()
		if err != nil {
			netnsErr = fmt.Errorf("%v: %s", err, strings.TrimSpace(string(out)))
		}
	})
	return netnsErr
}

// runPattern turns "TestA/sub_b" into "^TestA$/^sub_b$" for -test.run.
func runPattern(name string) string {
	parts := strings.Split(name, "/")
	for i, p := range parts {
		parts[i] = "^" + regexp.QuoteMeta(p) + "$"
	}
	return strings.Join(parts, "/")
}
