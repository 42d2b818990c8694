package analysis

import (
	"math"
	"math/cmplx"
)

// searchPair runs the band-limited GCC-PHAT detector and the coupling
// estimate for one or two excitations at once: two real signals share one
// complex FFT (real and imaginary part), which halves the work.
func searchPair(p Probe, segs []Segment, capture []float32, opt Options, band [2]float64) pairResult {
	rate := p.Rate
	minL, maxL := samples(opt.MinLag, rate), samples(opt.MaxLag, rate)
	if maxL < minL {
		minL, maxL = maxL, minL
	}
	segLen := 0
	for _, s := range segs {
		segLen = max(segLen, s.Len)
	}
	gB, gA := samples(gateBefore, rate), samples(gateAfter, rate)
	gLen := min(gB+gA, max(1, segLen/2))
	guard := samples(gateGuard, rate)
	// The capture window starts pre samples before the earliest lag, so the
	// acausal noise gate sees real capture (noise only) with full overlap.
	pre := gLen + guard
	W := pre + (maxL - minL) + segLen
	N := nextPow2(segLen + W)

	xs := make([]complex128, N)
	ys := make([]complex128, N)
	starts := [2]int{}
	var energy [2]float64 // time-domain energy of each excitation
	for q, s := range segs {
		ws := s.Start + minL - pre
		starts[q] = ws
		for n := 0; n < s.Len && s.Start+n < len(p.Signal); n++ {
			v := float64(p.Signal[s.Start+n])
			set(xs, n, q, v)
			energy[q] += v * v
		}
		for j := 0; j < W; j++ {
			if c := ws + j; c >= 0 && c < len(capture) {
				set(ys, j, q, float64(capture[c]))
			}
		}
	}
	fft(xs)
	fft(ys)

	kLo := int(math.Ceil(band[0] * float64(N) / float64(rate)))
	kHi := min(N/2-1, int(math.Floor(band[1]*float64(N)/float64(rate))))
	nb := max(0, kHi-kLo+1)
	X := [2][]complex128{make([]complex128, nb), make([]complex128, nb)}
	Y := [2][]complex128{make([]complex128, nb), make([]complex128, nb)}
	for k := kLo; k <= kHi; k++ {
		X[0][k-kLo], X[1][k-kLo] = unpack(xs, k)
		Y[0][k-kLo], Y[1][k-kLo] = unpack(ys, k)
	}

	// PHAT-weighted cross-correlation r and regularised deconvolution h.
	phat, deconv := xs, ys // reuse the buffers
	clear(phat)
	clear(deconv)
	var power [2]float64
	for q := range segs {
		for _, v := range X[q] {
			power[q] += real(v)*real(v) + imag(v)*imag(v)
		}
	}
	for q := range segs {
		eps := 1e-3 * power[q] / float64(max(1, nb))
		for i := range nb {
			g := Y[q][i] * cmplx.Conj(X[q][i])
			m := cmplx.Abs(g)
			var r complex128
			if m > 1e-30 {
				r = g / complex(m, 0)
			}
			x2 := real(X[q][i])*real(X[q][i]) + imag(X[q][i])*imag(X[q][i])
			pack(phat, kLo+i, q, r)
			pack(deconv, kLo+i, q, g/complex(x2+eps, 0))
		}
	}
	ifft(phat)
	ifft(deconv)

	lo, hi := pre, min(N-1, pre+maxL-minL)
	excl0, excl1 := samples(peakBefore, rate), samples(peakAfter, rate)
	res := pairResult{sweeps: make([]SweepResult, len(segs)), excitation: make([]excitation, len(segs))}
	for q, s := range segs {
		// Parseval: the N-point spectrum holds N·energy; the band's positive
		// bins hold half of the in-band part.
		inBand := 2 * power[q] / float64(N)
		res.excitation[q] = excitation{ratio: inBand / math.Max(energy[q], 1e-300), dbfs: dB10(inBand / float64(max(1, s.Len)))}
	}
	peaks := make([]int, len(segs))
	for q := range segs {
		pk := findPeak(component(phat, q), nil, 0, lo, hi, excl0, excl1)
		peaks[q] = pk.j
		lag := pk.j + minL - pre
		res.sweeps[q] = SweepResult{
			PNRDB:      round2(pk.pnr),
			Detected:   pk.pnr >= opt.Threshold,
			LagSamples: lag,
			DelayMs:    round2((float64(lag) + pk.frac) * 1000 / float64(rate)),
		}
	}
	res.pnr, res.lag, res.delayMs = res.sweeps[0].PNRDB, res.sweeps[0].LagSamples, res.sweeps[0].DelayMs
	if len(segs) == 2 {
		// Both sweeps went through the same path: add their correlations for
		// 3 dB more sensitivity. Separate devices drift, so allow the second
		// sweep's peak to sit a few samples off (100 ppm of the spacing).
		S := int(math.Ceil(float64(segs[1].Start-segs[0].Start) * driftPPM / 1e6))
		best := peak{pnr: -1}
		for sh := -S; sh <= S; sh++ {
			if pk := findPeak(component(phat, 0), component(phat, 1), sh, lo+max(0, -sh), hi-max(0, sh), excl0, excl1); pk.pnr > best.pnr {
				best, best.shift = pk, sh
			}
		}
		lag := best.j + minL - pre
		res.pnr, res.lag = round2(best.pnr), lag
		res.delayMs = round2((float64(lag) + best.frac) * 1000 / float64(rate))
		peaks[0], peaks[1] = best.j, best.j+best.shift
	}
	res.detected = res.pnr >= opt.Threshold

	// Coupling gates: the echo around the lag, and an equally long stretch of
	// acausal lags (noise only) to subtract the noise's share.
	gates := make([]complex128, N)  // signal-gated h, packed
	ngates := make([]complex128, N) // noise-gated h, packed
	var scale [2]float64
	for q := range segs {
		h := component(deconv, q)
		s0 := peaks[q] - gB
		for j := max(s0, gLen); j < min(s0+gLen, N); j++ {
			set(gates, j, q, h(j))
		}
		for j := 0; j < gLen; j++ {
			set(ngates, j, q, h(j))
		}
		ws, lx := starts[q], segs[q].Len
		scale[q] = overlapMean(ws, s0, gLen, lx, W, len(capture)) / math.Max(1e-9, overlapMean(ws, 0, gLen, lx, W, len(capture)))
	}
	fft(gates)
	fft(ngates)
	for q := range segs {
		var es, en float64
		for i := range nb {
			gs := unpackQ(gates, kLo+i, q)
			gn := unpackQ(ngates, kLo+i, q)
			x2 := real(X[q][i])*real(X[q][i]) + imag(X[q][i])*imag(X[q][i])
			es += x2 * sq(gs)
			en += x2 * sq(gn)
		}
		// Subtracting the noise's share removes its bias; at the detection
		// edge the difference can go to zero or below, so keep at least a
		// tenth of the raw estimate (bounded error instead of −120 dB).
		c := minCouplingDB
		if e := math.Max(es-scale[q]*en, 0.1*es) / math.Max(power[q], 1e-300); e > 0 {
			c = math.Max(minCouplingDB, 10*math.Log10(e))
		}
		c = round2(c)
		res.sweeps[q].CouplingDB = &c
	}
	return res
}

// pairResult is the detector's answer for one or two excitations.
type pairResult struct {
	sweeps     []SweepResult
	excitation []excitation
	pnr        float64 // combined over the pair
	detected   bool
	lag        int
	delayMs    float64
}

// excitation is how much of a reference segment lies in the analysis band:
// the share of its energy and the in-band RMS level.
type excitation struct{ ratio, dbfs float64 }

type peak struct {
	j, shift int
	pnr      float64
	frac     float64
}

// findPeak finds the largest |a(j) (+ b(j+shift))| over [lo, hi] and its
// peak-to-noise ratio: the peak against the RMS outside [j−excl0, j+excl1].
func findPeak(a, b func(int) float64, shift, lo, hi, excl0, excl1 int) peak {
	v := a
	if b != nil {
		v = func(j int) float64 { return a(j) + b(j+shift) }
	}
	best, bv := lo, -1.0
	for j := lo; j <= hi; j++ {
		if x := math.Abs(v(j)); x > bv {
			best, bv = j, x
		}
	}
	var sum float64
	cnt := 0
	for j := lo; j <= hi; j++ {
		if j >= best-excl0 && j <= best+excl1 {
			continue
		}
		x := v(j)
		sum += x * x
		cnt++
	}
	pk := peak{j: best}
	if cnt > 0 && sum > 0 && bv > 0 {
		pk.pnr = 20 * math.Log10(bv/math.Sqrt(sum/float64(cnt)))
	}
	if best > lo && best < hi {
		x0, x1, x2 := math.Abs(v(best-1)), bv, math.Abs(v(best+1))
		if d := x0 - 2*x1 + x2; d != 0 {
			pk.frac = math.Max(-0.5, math.Min(0.5, 0.5*(x0-x2)/d))
		}
	}
	return pk
}

// overlapMean is the mean number of probe samples that meet real capture
// samples over lags [j0, j0+n) of a window starting at capture position ws.
func overlapMean(ws, j0, n, lx, w, lc int) float64 {
	var sum float64
	for j := j0; j < j0+n; j++ {
		a := max(0, -(ws + j))
		b := min(lx, lc-(ws+j), w-j)
		if b > a {
			sum += float64(b - a)
		}
	}
	return sum / float64(max(1, n))
}

// set writes v into the real (q=0) or imaginary (q=1) part of a[i].
func set(a []complex128, i, q int, v float64) {
	if q == 0 {
		a[i] = complex(v, imag(a[i]))
	} else {
		a[i] = complex(real(a[i]), v)
	}
}

// unpack splits bin k of FFT(a + ib) into A[k] and B[k].
func unpack(z []complex128, k int) (complex128, complex128) {
	n := len(z)
	zk, zn := z[k], cmplx.Conj(z[(n-k)%n])
	return (zk + zn) / 2, (zk - zn) / complex(0, 2)
}

func unpackQ(z []complex128, k, q int) complex128 {
	a, b := unpack(z, k)
	if q == 0 {
		return a
	}
	return b
}

// pack adds the Hermitian spectrum value v at bin k (and its mirror) of
// signal q, so that the inverse FFT yields signal 0 in the real part and
// signal 1 in the imaginary part.
func pack(z []complex128, k, q int, v complex128) {
	n := len(z)
	m := cmplx.Conj(v)
	if q == 1 {
		v *= complex(0, 1)
		m *= complex(0, 1)
	}
	z[k] += v
	if k != 0 && 2*k != n {
		z[n-k] += m
	}
}

func component(z []complex128, q int) func(int) float64 {
	if q == 0 {
		return func(i int) float64 { return real(z[i]) }
	}
	return func(i int) float64 { return imag(z[i]) }
}

func sq(c complex128) float64 { return real(c)*real(c) + imag(c)*imag(c) }

func round2(v float64) float64 { return math.Round(v*100) / 100 }
