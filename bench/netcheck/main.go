// Command netcheck is the network pre-flight benchmark of `make bench`
// (issue 3). Against one real coturn (UDP/TCP 3478, TLS 443) in a fresh
// network namespace it prints, side by side, the median of N runs of:
//
//  1. open network: Tafel's full verdict over all three transports (relay,
//     loop, paced probes, MOS) vs one turnutils_uclient UDP run (coturn's own
//     test client) against the same server. Goals: ≤ 1.5 s and ≤ 0.3×.
//  2. UDP and TCP 3478 silently dropped (nftables): Tafel's time to the
//     correct verdict (only_tls) vs pion's defaults (time until pion itself
//     gives up on the UDP and the TCP URL). Goal: ≤ 5 s.
//
// It re-executes itself under unshare(1) (rootless when not root), so the
// host's firewall is never touched. Exit code 1 when a goal is missed.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/pion/webrtc/v4"
	"github.com/tafel-schule/tafel/internal/testenv"
	"github.com/tafel-schule/tafel/netcheck"
)

const childEnv = "TAFEL_BENCH_NETCHECK_NETNS"

func main() {
	runs := flag.Int("n", 5, "runs per figure (median)")
	pionRef := flag.Duration("pion-ref-cap", 20*time.Second, "cap for the pion-defaults reference in the dropped scenario (0 skips it)")
	flag.Parse()
	if os.Getenv(childEnv) == "" {
		os.Exit(reexec())
	}
	os.Exit(bench(*runs, *pionRef))
}

// reexec runs this program again inside a fresh network namespace.
func reexec() int {
	self, err := os.Executable()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	args := []string{"--net"}
	if os.Geteuid() != 0 {
		args = []string{"--user", "--map-root-user", "--net"}
	}
	cmd := exec.Command("unshare", append(append(args, "--", self), os.Args[1:]...)...)
	cmd.Env = append(os.Environ(), childEnv+"=1")
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			return ee.ExitCode()
		}
		fmt.Fprintln(os.Stderr, "unshare:", err, "(needs root or unprivileged user namespaces)")
		return 2
	}
	return 0
}

func must(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
}

func run(name string, args ...string) {
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		must(fmt.Errorf("%s %s: %v: %s", name, strings.Join(args, " "), err, out))
	}
}

func lookup(cmd string) string {
	if p, err := exec.LookPath(cmd); err == nil {
		return p
	}
	for _, d := range []string{"/usr/sbin", "/usr/bin", "/sbin"} {
		if _, err := os.Stat(filepath.Join(d, cmd)); err == nil {
			return filepath.Join(d, cmd)
		}
	}
	must(fmt.Errorf("%s not found (apt-get install coturn nftables iproute2)", cmd))
	return ""
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func secs(d time.Duration) string { return fmt.Sprintf("%.3f s", d.Seconds()) }

func bench(n int, pionCap time.Duration) int {
	run(lookup("ip"), "link", "set", "lo", "up")
	dir, err := os.MkdirTemp("", "tafel-bench-netcheck")
	must(err)
	defer os.RemoveAll(dir)
	c, err := testenv.LaunchCoturn(lookup("turnserver"), dir, testenv.CoturnOptions{Port: 3478, TLS: true, TLSPort: 443})
	must(err)
	defer c.Stop()
	peer := exec.Command(lookup("turnutils_peer"), "-L", "127.0.0.1", "-p", "3480")
	must(peer.Start())
	defer func() { _ = peer.Process.Kill(); _ = peer.Wait() }()
	time.Sleep(200 * time.Millisecond)

	urls := []string{c.URL("udp"), c.URL("tcp"), c.URL("tls")}
	src := netcheck.NewTURNRESTSource(urls, c.Secret)
	opt := netcheck.Options{RootCAs: c.CA.Pool()}
	check := func() (time.Duration, *netcheck.Report) {
		start := time.Now()
		rep, err := netcheck.Run(context.Background(), src, opt)
		must(err)
		d := time.Since(start)
		time.Sleep(300 * time.Millisecond) // let the background closes free the allocations
		return d, rep
	}
	ok := true
	fmt.Printf("netcheck benchmark: coturn on 127.0.0.1 (UDP/TCP 3478, TLS 443) in a fresh network namespace, median of %d runs\n\n", n)

	// 1. Open network.
	check() // warm-up (first TLS handshake, page faults)
	var tafel, uclient []time.Duration
	verdicts := map[string]int{}
	for range n {
		d, rep := check()
		tafel = append(tafel, d)
		verdicts[string(rep.Verdict)+"/"+string(rep.Category)]++
	}
	for range n {
		start := time.Now()
		out, err := exec.Command(lookup("turnutils_uclient"), "-n", "5", "-m", "1", "-u", "bench", "-W", c.Secret,
			"-e", "127.0.0.1", "-r", "3480", "-p", "3478", "127.0.0.1").CombinedOutput()
		d := time.Since(start)
		if err != nil {
			fmt.Fprintf(os.Stderr, "turnutils_uclient: %v\n%s\n", err, out)
			return 2
		}
		uclient = append(uclient, d)
	}
	mt, mu := median(tafel), median(uclient)
	ratio := mt.Seconds() / mu.Seconds()
	fmt.Println("1. open network, full verdict (3 transports: relay, loop, probes, MOS)")
	fmt.Printf("   %-44s %10s   (verdicts: %v)\n", "tafel netcheck.Run, 3 transports in parallel", secs(mt), verdicts)
	fmt.Printf("   %-44s %10s   (UDP only, -n 5 -m 1)\n", "turnutils_uclient (reference)", secs(mu))
	fmt.Printf("   ratio tafel/uclient: %.2f×   goals: ≤ 1.5 s %s, ≤ 0.3× %s\n\n", ratio, mark(mt <= 1500*time.Millisecond), mark(ratio <= 0.3))
	ok = ok && mt <= 1500*time.Millisecond && ratio <= 0.3

	// 2. UDP and TCP 3478 silently dropped: only TLS on 443 gets through.
	nft := exec.Command(lookup("nft"), "-f", "-")
	nft.Stdin = strings.NewReader("table inet schoolfw {\n chain input {\n type filter hook input priority 0; policy accept;\n" +
		" udp dport { 3478, 443 } drop\n tcp dport 3478 drop\n }\n}\n")
	if out, err := nft.CombinedOutput(); err != nil {
		must(fmt.Errorf("nft: %v: %s", err, out))
	}
	var dropped []time.Duration
	correct := 0
	for range n {
		d, rep := check()
		dropped = append(dropped, d)
		if rep.Verdict == netcheck.Warn && rep.Category == netcheck.CatOnlyTLS {
			correct++
		}
	}
	md := median(dropped)
	fmt.Println("2. UDP and TCP 3478 silently dropped (only TLS 443 open)")
	fmt.Printf("   %-44s %10s   (correct verdict only_tls: %d/%d)\n", "tafel netcheck.Run, time to verdict", secs(md), correct, n)
	if pionCap > 0 {
		udp, tcp := pionDefaults(c, pionCap)
		fmt.Printf("   %-44s %10s   (pion gives up on turn:…:3478 UDP, 1 run)\n", "pion defaults, UDP URL (reference)", udp)
		fmt.Printf("   %-44s %10s   (pion's own TCP dial, 1 run)\n", "pion defaults, TCP URL (reference)", tcp)
	}
	fmt.Printf("   goal: ≤ 5 s %s, verdict correct in every run %s\n", mark(md <= 5*time.Second), mark(correct == n))
	ok = ok && md <= 5*time.Second && correct == n
	if !ok {
		return 1
	}
	return 0
}

func mark(b bool) string {
	if b {
		return "✓"
	}
	return "✗ MISSED"
}

// pionDefaults measures how long pion's stock settings take to give up on a
// silently dropped UDP and TCP TURN URL (gathering complete without a
// relay), capped.
func pionDefaults(c *testenv.Coturn, limit time.Duration) (udp, tcp string) {
	res := make(chan [2]string, 2)
	for _, u := range []string{c.URL("udp"), c.URL("tcp")} {
		go func() {
			cred := netcheck.NewTURNRESTSource([]string{u}, c.Secret)
			servers, _ := cred.ICEServers(context.Background())
			pc, err := webrtc.NewPeerConnection(webrtc.Configuration{ICETransportPolicy: webrtc.ICETransportPolicyRelay,
				ICEServers: []webrtc.ICEServer{{URLs: []string{u}, Username: servers[0].Username, Credential: servers[0].Credential}}})
			if err != nil {
				res <- [2]string{u, err.Error()}
				return
			}
			defer func() { go pc.Close() }()
			done := make(chan struct{})
			pc.OnICECandidate(func(ic *webrtc.ICECandidate) {
				if ic == nil {
					close(done)
				}
			})
			_, _ = pc.CreateDataChannel("x", nil)
			offer, _ := pc.CreateOffer(nil)
			start := time.Now()
			_ = pc.SetLocalDescription(offer)
			select {
			case <-done:
				res <- [2]string{u, secs(time.Since(start))}
			case <-time.After(limit):
				res <- [2]string{u, "> " + secs(limit) + " (capped)"}
			}
		}()
	}
	for range 2 {
		r := <-res
		if strings.Contains(r[0], "transport=tcp") {
			tcp = r[1]
		} else {
			udp = r[1]
		}
	}
	return udp, tcp
}
