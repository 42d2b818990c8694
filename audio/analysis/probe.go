package analysis

import (
	"math"
	"time"
)

// Segment is one excitation inside a probe signal, in samples.
type Segment struct{ Start, Len int }

// Probe is a played reference signal and where its excitations lie. The
// standard probe has two identical sweeps, so the analysis can check that
// both give the same answer (a glitch or a cough shows up as disagreement).
type Probe struct {
	Signal   []float32
	Rate     int
	Segments []Segment
	// Silence is the leading excitation-free part used for the noise floor.
	Silence int
}

// Probe layout. The whole live run must finish within about 3 s after the
// device delivers its first buffer, which is why the sweeps are 0.8 s rather
// than the 1 s of the design note (≈1 dB less processing gain).
const (
	ProbeSilence   = 300 * time.Millisecond
	ProbeSweep     = 800 * time.Millisecond
	ProbeGap       = 150 * time.Millisecond
	ProbeLevelDBFS = -18.0 // RMS of each sweep; the peak is 3 dB higher
	sweepLowHz     = 100.0
	sweepHighHz    = 12000.0
	fadeDur        = 10 * time.Millisecond
)

func samples(d time.Duration, rate int) int {
	return int(math.Round(d.Seconds() * float64(rate)))
}

// StandardProbe returns Tafel's probe at rate: silence, sweep, gap, sweep.
func StandardProbe(rate int) Probe {
	sil, sw, gap := samples(ProbeSilence, rate), samples(ProbeSweep, rate), samples(ProbeGap, rate)
	sweep := Sweep(rate, sw)
	sig := make([]float32, sil+sw+gap+sw)
	copy(sig[sil:], sweep)
	copy(sig[sil+sw+gap:], sweep)
	return Probe{
		Signal:   sig,
		Rate:     rate,
		Segments: []Segment{{sil, sw}, {sil + sw + gap, sw}},
		Silence:  sil,
	}
}

// Sweep returns an exponential sine sweep of n samples from 100 Hz to 12 kHz
// (or 0.45·rate, whichever is lower) with raised-cosine fades, scaled to
// ProbeLevelDBFS RMS.
func Sweep(rate, n int) []float32 {
	f1, f2 := sweepLowHz, math.Min(sweepHighHz, 0.45*float64(rate))
	T := float64(n) / float64(rate)
	k := math.Log(f2 / f1)
	out := make([]float64, n)
	fade := samples(fadeDur, rate)
	for i := range out {
		t := float64(i) / float64(rate)
		out[i] = math.Sin(2 * math.Pi * f1 * T / k * (math.Exp(t*k/T) - 1))
		if i < fade {
			out[i] *= 0.5 - 0.5*math.Cos(math.Pi*float64(i)/float64(fade))
		} else if j := n - 1 - i; j < fade {
			out[i] *= 0.5 - 0.5*math.Cos(math.Pi*float64(j)/float64(fade))
		}
	}
	var p float64
	for _, v := range out {
		p += v * v
	}
	g := math.Pow(10, ProbeLevelDBFS/20) / math.Sqrt(p/float64(n))
	res := make([]float32, n)
	for i, v := range out {
		res[i] = float32(v * g)
	}
	return res
}

// ProbeFromSignal describes an arbitrary reference signal (for offline
// analysis of a recording made with some other test signal). If sig is the
// standard probe at rate, its two-sweep layout is used; otherwise the whole
// non-silent span is one excitation.
func ProbeFromSignal(sig []float32, rate int) Probe {
	std := StandardProbe(rate)
	if len(sig) == len(std.Signal) && matches(sig, std.Signal) {
		std.Signal = sig
		return std
	}
	first, last := -1, -1
	var peak float32
	for _, v := range sig {
		peak = max(peak, abs32(v))
	}
	thr := peak * 1e-3 // ignore dither and fade-in crumbs
	for i, v := range sig {
		if abs32(v) > thr {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	if first < 0 {
		return Probe{Signal: sig, Rate: rate}
	}
	return Probe{Signal: sig, Rate: rate, Segments: []Segment{{first, last + 1 - first}}, Silence: first}
}

// matches reports whether a is b up to a gain and small quantisation error
// (e.g. the probe saved as 16-bit WAV).
func matches(a, b []float32) bool {
	var ab, aa, bb float64
	for i := range a {
		ab += float64(a[i]) * float64(b[i])
		aa += float64(a[i]) * float64(a[i])
		bb += float64(b[i]) * float64(b[i])
	}
	return aa > 0 && bb > 0 && ab/math.Sqrt(aa*bb) > 0.99
}

func abs32(v float32) float32 {
	if v < 0 {
		return -v
	}
	return v
}
