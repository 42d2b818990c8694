package synth

import (
	"math"
	"runtime"
	"slices"
	"sync"

	"github.com/tafel-schule/tafel/audio/analysis"
)

// CellResult summarises the trials of one grid cell.
type CellResult struct {
	Case     Case
	Trials   int
	Detected int
	Retries  int
	Flagged  int // trials with the near-end speech warning
	// EchoVerdicts counts ECHO, LEAK and OK_LEAK verdicts: what a teacher
	// is told (a detection turned RETRY by near-end speech is not one).
	EchoVerdicts int
	PNRs         []float64 // per trial
	DelayErr     []float64 // |lag − round(true delay)| in samples, detected, no drift
	CouplErr     []float64 // |estimated − true coupling| in dB, detected
	MaxNoEcho    float64   // highest PNR when there is no echo
}

// Rate is the detection rate of the cell.
func (c CellResult) Rate() float64 { return float64(c.Detected) / float64(max(1, c.Trials)) }

// Evaluate runs trials per case with seeds derived from seed and the cell
// index, on all CPUs. opt is passed to analysis.Analyze.
func Evaluate(p analysis.Probe, cases []Case, trials int, seed uint64, opt analysis.Options) []CellResult {
	res := make([]CellResult, len(cases))
	type job struct{ cell, trial int }
	jobs := make(chan job)
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				c := cases[j.cell]
				tr := Generate(p, c, seed*1_000_003+uint64(j.cell)*10_007+uint64(j.trial))
				r, err := analysis.Analyze(p, tr.Capture, opt)
				mu.Lock()
				cr := &res[j.cell]
				cr.Trials++
				if err == nil {
					cr.PNRs = append(cr.PNRs, r.PNRDB)
					if r.Verdict == analysis.Retry {
						cr.Retries++
					}
					switch r.Verdict {
					case analysis.Echo, analysis.Leak, analysis.OKLeak:
						cr.EchoVerdicts++
					}
					if slices.Contains(r.Warnings, analysis.WarnSpeech) {
						cr.Flagged++
					}
					if r.EchoDetected {
						cr.Detected++
						if !math.IsInf(c.CouplingDB, -1) {
							cr.CouplErr = append(cr.CouplErr, math.Abs(*r.CouplingDB-c.CouplingDB))
							if !c.Drift {
								cr.DelayErr = append(cr.DelayErr, math.Abs(float64(*r.LagSamples)-math.Round(tr.DelaySamples)))
							}
						}
					}
				}
				mu.Unlock()
			}
		}()
	}
	for i := range cases {
		res[i].Case = cases[i]
		for t := range trials {
			jobs <- job{i, t}
		}
	}
	close(jobs)
	wg.Wait()
	for i := range res {
		if math.IsInf(res[i].Case.CouplingDB, -1) && len(res[i].PNRs) > 0 {
			res[i].MaxNoEcho = slices.Max(res[i].PNRs)
		}
	}
	return res
}

// Percentile returns the q-quantile (0…1) of v (nearest rank); NaN if empty.
func Percentile(v []float64, q float64) float64 {
	if len(v) == 0 {
		return math.NaN()
	}
	s := slices.Sorted(slices.Values(v))
	i := int(math.Ceil(q*float64(len(s)))) - 1
	return s[max(0, min(len(s)-1, i))]
}
