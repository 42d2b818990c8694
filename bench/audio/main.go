// Command audio benchmarks Tafel's echo detector on the seeded synthetic
// corpus (audio/synth) and prints each figure next to its reference: the
// simulation of audio-check.md §11.2 (1 s sweep, band-limited GCC-PHAT) and
// the targets.
//
//	go run ./bench/audio            # full grid, 100 trials per cell
//	go run ./bench/audio -trials 20 # quicker
package main

import (
	"flag"
	"fmt"
	"math"
	"os"
	"runtime"
	"slices"
	"time"

	"github.com/tafel-schule/tafel/audio/analysis"
	"github.com/tafel-schule/tafel/audio/synth"
)

// reference detection rates (%) from audio-check.md §11.2, per coupling and
// noise: plain / +speech / +drift. Couplings from −30 dB up are 100 there.
var reference = map[float64]map[float64][3]string{
	math.Inf(-1): {-65: {"0", "0–1.7", "0"}, -50: {"0", "0–2.5", "0"}, -40: {"0", "0", "0–1.7"}},
	-70:          {-65: {"100", "0–3", "100"}, -50: {"0", "3–5", "0"}, -40: {"0–2", "2–3", "0"}},
	-60:          {-65: {"100", "0–8", "100"}, -50: {"98", "0–7", "90–98"}, -40: {"0–2", "0–3", "0"}},
	-50:          {-65: {"100", "0–2", "100"}, -50: {"100", "2.5–5", "100"}, -40: {"93–100", "2.5–3", "92–97"}},
	-40:          {-65: {"100", "95", "100"}, -50: {"100", "95–97", "100"}, -40: {"100", "90–98", "100"}},
}

func ref(c, n float64, v int) string {
	if m, ok := reference[c]; ok {
		return m[n][v]
	}
	return "100"
}

func main() {
	trials := flag.Int("trials", 100, "trials per cell")
	seed := flag.Uint64("seed", 1, "corpus seed")
	flag.Parse()

	p := analysis.StandardProbe(48000)
	couplings := []float64{synth.NoEcho, -70, -60, -50, -40, -30, -20, -10, 0}
	noises := []float64{-65, -50, -40}
	var cases []synth.Case
	for _, c := range couplings {
		for _, n := range noises {
			for v := range 3 {
				cases = append(cases, synth.Case{CouplingDB: c, NoiseDBFS: n, Speech: v == 1, Drift: v == 2})
			}
		}
	}
	start := time.Now()
	res := synth.Evaluate(p, cases, *trials, *seed, analysis.Options{})
	elapsed := time.Since(start)

	fmt.Printf("Tafel audio detector: seeded corpus, %d trials per cell, seed %d, %d cells, %s on %d CPUs\n",
		*trials, *seed, len(cases), elapsed.Round(time.Second), runtime.GOMAXPROCS(0))
	fmt.Printf("probe: %v silence, 2 × %v exponential sweep 100 Hz–12 kHz at %.0f dBFS RMS, %v gap; threshold %.1f dB; lags 0…%v\n\n",
		analysis.ProbeSilence, analysis.ProbeSweep, analysis.ProbeLevelDBFS, analysis.ProbeGap, analysis.DefaultThreshold, analysis.DefaultMaxLag)
	fmt.Println("Detection rate in % — ours [reference: audio-check.md §11.2, 1 s sweep simulation]")
	fmt.Println("columns per noise level: plain / +speech (−30 dBFS) / +drift (±100 ppm)")
	fmt.Printf("%-10s", "coupling")
	for _, n := range noises {
		fmt.Printf(" | %-44s", fmt.Sprintf("noise %.0f dBFS", n))
	}
	fmt.Println()
	i := 0
	for _, c := range couplings {
		name := "none (FPR)"
		if !math.IsInf(c, -1) {
			name = fmt.Sprintf("%.0f dB", c)
		}
		fmt.Printf("%-10s", name)
		for _, n := range noises {
			cell := ""
			for v := range 3 {
				if v > 0 {
					cell += " / "
				}
				cell += fmt.Sprintf("%.0f [%s]", 100*res[i].Rate(), ref(c, n, v))
				i++
			}
			fmt.Printf(" | %-44s", cell)
		}
		fmt.Println()
	}

	var fp, fpVerdict, none, fpPlain, nonePlain, det50, tot50 int
	var delayErr, couplErr, noEchoPNR []float64
	retries, detected := 0, 0
	var flagSpeech, nSpeech, flagOther, nOther int
	for _, r := range res {
		if r.Case.Speech {
			flagSpeech += r.Flagged
			nSpeech += r.Trials
		} else {
			flagOther += r.Flagged
			nOther += r.Trials
		}
		if math.IsInf(r.Case.CouplingDB, -1) {
			fp += r.Detected
			fpVerdict += r.EchoVerdicts
			none += r.Trials
			noEchoPNR = append(noEchoPNR, r.PNRs...)
			if !r.Case.Speech && !r.Case.Drift {
				fpPlain += r.Detected
				nonePlain += r.Trials
			}
			continue
		}
		retries += r.Retries
		detected += r.Detected
		if !r.Case.Speech && !r.Case.Drift {
			delayErr = append(delayErr, r.DelayErr...)
			couplErr = append(couplErr, r.CouplErr...)
			if r.Case.CouplingDB >= -50 && r.Case.NoiseDBFS <= -50 {
				det50 += r.Detected
				tot50 += r.Trials
			}
		}
	}
	fmt.Println()
	fmt.Println("figure                                              ours        target/reference   ratio")
	row := func(name string, ours, target float64, unit, refText string) {
		fmt.Printf("%-50s %8.2f %-3s %-18s %6.2f\n", name, ours, unit, refText, ours/target)
	}
	row("detection C ≥ −50 dB, noise ≤ −50 dBFS (plain)", 100*float64(det50)/float64(max(1, tot50)), 99, "%", "≥ 99 %")
	row("false positives, no echo, all variants", 100*float64(fp)/float64(max(1, none)), 1, "%", "≤ 1 %")
	row("false echo verdicts told, no echo, all variants", 100*float64(fpVerdict)/float64(max(1, none)), 1, "%", "≤ 1 % (RETRY not counted)")
	row("false positives, no echo, plain", 100*float64(fpPlain)/float64(max(1, nonePlain)), 1, "%", "≤ 1 % (ref 0 %)")
	row("delay error p95 (plain, detected)", synth.Percentile(delayErr, 0.95), 2, "smp", "≤ 2 (ref 2)")
	row("coupling median |error| (plain, detected)", synth.Percentile(couplErr, 0.5), 2, "dB", "≤ 2 (ref 0.7–1.2)")
	row("coupling p90 |error| (plain, detected)", synth.Percentile(couplErr, 0.9), 2, "dB", "(ref ≤ 2 above edge)")
	row("no-echo PNR p99.5", synth.Percentile(noEchoPNR, 0.995), analysis.DefaultThreshold, "dB", fmt.Sprintf("< T %.1f (ref 14.1–14.4)", analysis.DefaultThreshold))
	row("no-echo PNR max", slices.Max(noEchoPNR), analysis.DefaultThreshold, "dB", "(ref 14.8–15.6)")
	row("RETRY among detections", 100*float64(retries)/float64(max(1, detected)), 1, "%", "(no target)")
	row("near-end speech flagged, speech trials", 100*float64(flagSpeech)/float64(max(1, nSpeech)), 100, "%", "(not when the echo is clear)")
	row("near-end speech flagged, other trials", 100*float64(flagOther)/float64(max(1, nOther)), 1, "%", "(want ≈ 0)")

	// Analysis time per probe/capture pair on one core.
	runtime.GOMAXPROCS(1)
	var times []float64
	for s := range 30 {
		tr := synth.Generate(p, synth.Case{CouplingDB: -40, NoiseDBFS: -50}, uint64(s))
		t0 := time.Now()
		if _, err := analysis.Analyze(p, tr.Capture, analysis.Options{}); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		times = append(times, float64(time.Since(t0).Microseconds())/1000)
	}
	row("analysis time per pair, median (1 core)", synth.Percentile(times, 0.5), 100, "ms", "≤ 100 ms")
	row("analysis time per pair, p95 (1 core)", synth.Percentile(times, 0.95), 100, "ms", "≤ 100 ms")
}
