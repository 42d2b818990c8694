// Command preflight is the whole-pre-flight benchmark of `make bench`
// (issue 6 item 3). It starts a real coturn, a PulseAudio daemon that looks
// like a teacher's headset (the mic does not hear the speaker, quiet room
// noise) and the BBB simulator handing out coturn's UDP and TCP URLs, then
// prints the median of N runs of:
//
//   - preflight.Runner.Run: audio, network and pool at the same time under
//     one deadline (wall time, and the sound device start within it);
//   - the reference: the same three checks one after another in the same
//     run (audio.Check, netcheck.Run, pool.Check), i.e. `tafel check audio`,
//     `tafel check network` and `tafel pool test` back to back.
//
// Goal: wall time minus device start ≤ 4 s (the device start is the sound
// server's, reported apart: ~2 s on a PulseAudio null sink, ~50 ms on
// PipeWire). Exit code 1 when the goal is missed or a run does not pass.
package main

import (
	"context"
	"flag"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/tafel-schule/tafel/audio"
	"github.com/tafel-schule/tafel/config"
	"github.com/tafel-schule/tafel/internal/bbbsim"
	"github.com/tafel-schule/tafel/internal/testenv"
	"github.com/tafel-schule/tafel/netcheck"
	"github.com/tafel-schule/tafel/preflight"
	"github.com/tafel-schule/tafel/rooms"
	"github.com/tafel-schule/tafel/translations"
)

const goal = 4 * time.Second

func main() {
	runs := flag.Int("n", 5, "runs per figure (median)")
	flag.Parse()
	os.Exit(bench(*runs))
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "bench/preflight:", err)
	os.Exit(2)
}

func need(cmd, pkg string) string {
	for _, dir := range []string{"/usr/bin", "/usr/sbin", "/sbin", "/usr/local/bin"} {
		if p := filepath.Join(dir, cmd); isExec(p) {
			return p
		}
	}
	fail(fmt.Errorf("%s not found (apt-get install %s)", cmd, pkg))
	return ""
}

func isExec(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0
}

func bench(n int) int {
	turn := need("turnserver", "coturn")
	pa, pactl, paplay := need("pulseaudio", "pulseaudio"), need("pactl", "pulseaudio-utils"), need("paplay", "pulseaudio-utils")
	tmp, err := os.MkdirTemp("", "tafel-bpf-")
	if err != nil {
		fail(err)
	}
	defer os.RemoveAll(tmp)
	if err := os.MkdirAll(filepath.Join(tmp, "turn"), 0o700); err != nil {
		fail(err)
	}
	c, err := testenv.LaunchCoturn(turn, filepath.Join(tmp, "turn"), testenv.CoturnOptions{})
	if err != nil {
		fail(err)
	}
	defer c.Stop()
	paDir := filepath.Join(tmp, "pa")
	if err := os.MkdirAll(paDir, 0o700); err != nil {
		fail(err)
	}
	p, err := testenv.LaunchPulseHeadset(pa, pactl, paplay, paDir)
	if err != nil {
		fail(err)
	}
	defer p.Stop()
	os.Setenv("PULSE_SERVER", p.Server)
	os.Setenv("PULSE_COOKIE", filepath.Join(paDir, "cookie"))

	const secret = "bench-pool-secret"
	sim, err := bbbsim.New(bbbsim.Config{Secret: secret, TURN: []bbbsim.TURNServer{
		{URL: c.URL("udp"), Secret: c.Secret}, {URL: c.URL("tcp"), Secret: c.Secret}}})
	if err != nil {
		fail(err)
	}
	srv := httptest.NewServer(sim.Handler())
	defer func() { srv.Close(); sim.Close() }()
	pool, err := rooms.NewDirectPool(config.Pool{Name: "Bench", URL: srv.URL + "/bigbluebutton/api"}, secret, rooms.DirectOptions{})
	if err != nil {
		fail(err)
	}
	r := &preflight.Runner{Pool: pool, Tr: translations.New("en")} // no History: never touch the user's cache

	// One warm-up of each (first PulseAudio stream, first TLS/HTTP setup).
	r.Run(context.Background(), nil)
	sequential(pool)

	var wall, start, net, seq, seqStart []time.Duration
	ok := true
	for i := range n {
		par := func() {
			t0 := time.Now()
			rep := r.Run(context.Background(), nil)
			wall = append(wall, time.Since(t0))
			start = append(start, time.Duration(rep.DeviceStartMs)*time.Millisecond)
			for _, res := range rep.Results {
				if res.Check == preflight.CheckNetwork {
					net = append(net, time.Duration(res.DurationMs)*time.Millisecond)
				}
				if res.Verdict != preflight.Pass && res.Verdict != preflight.Warn {
					fmt.Fprintf(os.Stderr, "run %d: %s %s %s\n", i+1, res.Check, res.Verdict, res.Code)
					ok = false
				}
			}
		}
		sq := func() {
			d, ds, err := sequential(pool)
			if err != nil {
				fmt.Fprintf(os.Stderr, "reference run %d: %v\n", i+1, err)
				ok = false
			}
			seq, seqStart = append(seq, d), append(seqStart, ds)
		}
		if i%2 == 0 { // alternate, so neither side always runs on a warmer machine
			par()
			sq()
		} else {
			sq()
			par()
		}
	}
	mw, ms, mseq, mss := median(wall), median(start), median(seq), median(seqStart)
	net0 := wall[:0:0]
	for i := range wall {
		net0 = append(net0, wall[i]-start[i])
	}
	mnet := median(net0)
	seqNet := seq[:0:0]
	for i := range seq {
		seqNet = append(seqNet, seq[i]-seqStart[i])
	}
	fmt.Printf("pre-flight (audio + network + pool), median of %d runs; coturn UDP+TCP, PulseAudio headset (null sinks), BBB simulator\n", n)
	fmt.Printf("  %-38s %10s %14s %8s\n", "", "together", "one-by-one", "ratio")
	fmt.Printf("  %-38s %10s %14s %7.2fx\n", "wall time", fmtD(mw), fmtD(mseq), ratio(mw, mseq))
	fmt.Printf("  %-38s %10s %14s\n", "  of which sound device start", fmtD(ms), fmtD(mss))
	fmt.Printf("  %-38s %10s %14s %7.2fx\n", "wall time minus device start", fmtD(mnet), fmtD(median(seqNet)), ratio(mnet, median(seqNet)))
	fmt.Printf("  %-38s %10s\n", "network check alone (inside the run)", fmtD(median(net)))
	verdict := "met"
	if mnet > goal {
		verdict, ok = "MISSED", false
	}
	fmt.Printf("  goal: wall time minus device start ≤ %v: %s (%s)\n", goal, verdict, fmtD(mnet))
	fmt.Printf("  all runs: wall %v, device start %v\n", wall, start)
	if !ok {
		return 1
	}
	return 0
}

// sequential is the reference: the same three checks back to back, as the
// separate commands run them (the audio check once, like the pre-flight).
func sequential(pool *rooms.DirectPool) (total, deviceStart time.Duration, err error) {
	ctx := context.Background()
	t0 := time.Now()
	sys, err := audio.Open(audio.BackendDefault)
	if err != nil {
		return 0, 0, err
	}
	open := time.Since(t0)
	rep, err := sys.Check(ctx, audio.CheckOptions{Attempts: 1})
	sys.Close()
	if err != nil {
		return 0, 0, err
	}
	deviceStart = open + time.Duration(rep.DeviceStartMs*float64(time.Millisecond))
	nrep, err := netcheck.Run(ctx, netcheck.FromPool(pool), netcheck.Options{Timeout: preflight.DefaultTimeout})
	if err != nil {
		return 0, 0, err
	}
	if nrep.Verdict == netcheck.Fail {
		return 0, 0, fmt.Errorf("network %s", nrep.Category)
	}
	pctx, cancel := context.WithTimeout(ctx, preflight.DefaultTimeout)
	defer cancel()
	if err := pool.Check(pctx); err != nil {
		return 0, 0, err
	}
	return time.Since(t0), deviceStart, nil
}

func median(xs []time.Duration) time.Duration {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func ratio(a, b time.Duration) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

func fmtD(d time.Duration) string { return fmt.Sprintf("%.2f s", d.Seconds()) }
