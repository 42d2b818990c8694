// Package synth generates Tafel's seeded synthetic echo corpus: the probe
// through a laptop-like speaker, a simulated room and a microphone with
// noise, so the analysis can be tested and benchmarked without devices
// (audio-check.md §11). Every trial is reproducible from its seed.
package synth

import (
	"math"
	"math/rand/v2"

	"github.com/tafel-schule/tafel/audio/analysis"
)

// NoEcho as Case.CouplingDB means a headset-like case without any echo.
var NoEcho = math.Inf(-1)

// Case describes one cell of the detection grid.
type Case struct {
	CouplingDB float64 // echo RMS relative to the probe RMS; NoEcho for none
	NoiseDBFS  float64 // broadband noise RMS
	Speech     bool    // near-end speech-like bursts at −30 dBFS
	Drift      bool    // ±100 ppm clock drift (separate devices)
}

// Trial is one generated capture with its ground truth.
type Trial struct {
	Capture []float32
	// DelaySamples is the true direct-path delay (bulk delay plus sound
	// travel), fractional; DriftPPM the applied drift.
	DelaySamples float64
	CouplingDB   float64
	DriftPPM     float64
}

// Generate builds the capture of probe p for case c from seed.
func Generate(p analysis.Probe, c Case, seed uint64) Trial {
	rng := rand.New(rand.NewPCG(seed, 0x7afe1))
	rate := float64(p.Rate)
	n := len(p.Signal) + int(0.75*rate) // the live check records the max lag too
	out := make([]float64, n)
	tr := Trial{CouplingDB: c.CouplingDB}

	if !math.IsInf(c.CouplingDB, -1) {
		// Speaker: laptop high-pass, sometimes soft clipping.
		x := make([]float64, len(p.Signal))
		hp := analysis.HighPass(p.Rate, uniform(rng, 150, 600), math.Sqrt2/2)
		drive := 0.0
		if rng.Float64() < 0.3 {
			drive = uniform(rng, 2, 6)
		}
		for i, v := range p.Signal {
			s := hp.Step(float64(v))
			if drive > 0 {
				s = math.Tanh(drive*s) / drive
			}
			x[i] = s
		}
		rir, direct := RoomImpulse(rng, rate)
		echo := convolve(x, rir)
		bulk := uniform(rng, 0.010, 0.400) * rate
		ppm := 0.0
		if c.Drift {
			ppm = uniform(rng, -100, 100)
			if ppm >= 0 {
				ppm = math.Max(ppm, 20)
			} else {
				ppm = math.Min(ppm, -20)
			}
		}
		tr.DriftPPM = ppm
		tr.DelaySamples = bulk + direct
		// Place the echo with bulk delay and drift: out[i] = echo((i-bulk)·(1+ppm)).
		ratio := 1 + ppm*1e-6
		var pe float64
		for i := range out {
			t := (float64(i) - bulk) * ratio
			if t < 0 {
				continue
			}
			k := int(t)
			if k+1 >= len(echo) {
				break
			}
			f := t - float64(k)
			v := echo[k]*(1-f) + echo[k+1]*f
			out[i] = v
			pe += v * v
		}
		var px float64
		for _, v := range p.Signal {
			px += float64(v) * float64(v)
		}
		g := math.Sqrt(px/pe) * math.Pow(10, c.CouplingDB/20)
		for i := range out {
			out[i] *= g
		}
	}

	noise := Noise(rng, n, rng.Float64() < 0.7)
	scaleTo(noise, c.NoiseDBFS)
	for i := range out {
		out[i] += noise[i]
	}
	if c.Speech {
		sp := Noise(rng, n, true)
		phase := rng.Float64() * 2 * math.Pi
		for i := range sp {
			sp[i] *= math.Max(0, math.Sin(2*math.Pi*4*float64(i)/rate+phase))
		}
		scaleTo(sp, -30)
		for i := range out {
			out[i] += sp[i]
		}
	}
	tr.Capture = make([]float32, n)
	for i, v := range out {
		tr.Capture[i] = float32(math.Max(-1, math.Min(1, v))) // the ADC clips
	}
	return tr
}

// RoomImpulse returns a hybrid room impulse response (shoebox image sources
// up to order 4 plus an exponentially decaying noise tail) for a mic 10–60 cm
// from the speaker, and the direct-path delay in samples.
func RoomImpulse(rng *rand.Rand, rate float64) ([]float64, float64) {
	const c = 343.0
	L := [3]float64{uniform(rng, 3, 8), uniform(rng, 3, 7), uniform(rng, 2.5, 3.2)}
	rt60 := uniform(rng, 0.2, 0.8)
	V := L[0] * L[1] * L[2]
	S := 2 * (L[0]*L[1] + L[0]*L[2] + L[1]*L[2])
	alpha := math.Min(0.99, 0.161*V/(S*rt60)) // Sabine
	beta := math.Sqrt(1 - alpha)
	var src, mic [3]float64
	for d := range 3 {
		src[d] = uniform(rng, 0.5, L[d]-0.5)
	}
	dist := uniform(rng, 0.10, 0.60)
	for {
		th, ph := rng.Float64()*2*math.Pi, math.Acos(2*rng.Float64()-1)
		v := [3]float64{math.Sin(ph) * math.Cos(th), math.Sin(ph) * math.Sin(th), math.Cos(ph)}
		ok := true
		for d := range 3 {
			mic[d] = src[d] + dist*v[d]
			ok = ok && mic[d] > 0.05 && mic[d] < L[d]-0.05
		}
		if ok {
			break
		}
	}
	length := int(math.Min(rt60, 0.45) * rate)
	h := make([]float64, length)
	direct := dist / c * rate
	const order = 4
	for nx := -order; nx <= order; nx++ {
		for ny := -order; ny <= order; ny++ {
			for nz := -order; nz <= order; nz++ {
				for q := range 8 {
					qs := [3]int{q & 1, q >> 1 & 1, q >> 2 & 1}
					ns := [3]int{nx, ny, nz}
					refl := 0
					var r2 float64
					for d := range 3 {
						img := float64(1-2*qs[d])*src[d] + 2*float64(ns[d])*L[d]
						refl += abs(ns[d]-qs[d]) + abs(ns[d])
						r2 += (img - mic[d]) * (img - mic[d])
					}
					if refl > order {
						continue
					}
					r := math.Sqrt(r2)
					t := r / c * rate
					k := int(t)
					if k+1 >= length {
						continue
					}
					a := math.Pow(beta, float64(refl)) / (4 * math.Pi * r)
					f := t - float64(k)
					h[k] += a * (1 - f) // fractional delay by linear split
					h[k+1] += a * f
				}
			}
		}
	}
	// Diffuse tail from direct + 5 ms, energy set by a random direct-to-reverberant ratio.
	ed := math.Pow(1/(4*math.Pi*dist), 2)
	drr := uniform(rng, 0, 10)
	start := int(direct + 0.005*rate)
	tail := make([]float64, length)
	var et float64
	for i := start; i < length; i++ {
		v := rng.NormFloat64() * math.Exp(-6.9*float64(i-start)/rate/rt60)
		tail[i] = v
		et += v * v
	}
	if et > 0 {
		g := math.Sqrt(ed / math.Pow(10, drr/10) / et)
		for i := range h {
			h[i] += g * tail[i]
		}
	}
	return h, direct
}

// Noise returns n samples of pink (Paul Kellet's filter) or white noise.
func Noise(rng *rand.Rand, n int, pink bool) []float64 {
	out := make([]float64, n)
	var b0, b1, b2, b3, b4, b5, b6 float64
	for i := range out {
		w := rng.NormFloat64()
		if !pink {
			out[i] = w
			continue
		}
		b0 = 0.99886*b0 + w*0.0555179
		b1 = 0.99332*b1 + w*0.0750759
		b2 = 0.96900*b2 + w*0.1538520
		b3 = 0.86650*b3 + w*0.3104856
		b4 = 0.55000*b4 + w*0.5329522
		b5 = -0.7616*b5 - w*0.0168980
		out[i] = b0 + b1 + b2 + b3 + b4 + b5 + b6 + w*0.5362
		b6 = w * 0.115926
	}
	return out
}

func scaleTo(x []float64, dbfs float64) {
	var p float64
	for _, v := range x {
		p += v * v
	}
	if p == 0 {
		return
	}
	g := math.Pow(10, dbfs/20) / math.Sqrt(p/float64(len(x)))
	for i := range x {
		x[i] *= g
	}
}

func uniform(rng *rand.Rand, a, b float64) float64 { return a + (b-a)*rng.Float64() }

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}
