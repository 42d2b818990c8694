package analysis

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"time"
)

// Options tune Analyze. The zero value is the live duplex check.
type Options struct {
	// MinLag and MaxLag bound the output→input lag search. Zero MaxLag means
	// 750 ms. Offline recordings made with other tools may start early or
	// late: give MinLag a negative value there.
	MinLag, MaxLag time.Duration
	// Threshold is the PNR in dB above which an echo counts as detected;
	// zero means DefaultThreshold.
	Threshold float64
	// OwnBuffering is the application's own buffering, subtracted from the
	// lag before the long-lag warning; LongLag > 0 enables that warning.
	OwnBuffering, LongLag time.Duration
	// BandHighHz caps the analysis band (default 11 kHz, at most 0.45·rate),
	// e.g. for a capture recorded at 16 kHz.
	BandHighHz float64
}

// DefaultMaxLag is the live search window: PulseAudio with 100 ms periods
// alone gives 340–420 ms, a Bluetooth speaker adds 150–250 ms.
const DefaultMaxLag = 750 * time.Millisecond

// Analysis windows and band (audio-check.md §4.1).
const (
	bandLowHz    = 150.0
	bandHighHz   = 11000.0
	peakBefore   = 5 * time.Millisecond   // PNR exclusion zone around the peak
	peakAfter    = 100 * time.Millisecond // reflections follow the direct path
	gateBefore   = 2 * time.Millisecond   // coupling gate around the lag
	gateAfter    = 300 * time.Millisecond
	gateGuard    = 2 * time.Millisecond
	lagTolerance = 2 // samples between the sweeps, plus drift (below)
	driftPPM     = 100
	couplingTol  = 3.0 // dB between the sweeps
	reliablePNR  = 6.0 // dB above the threshold before coupling must agree
	floorFrame   = 20 * time.Millisecond
)

// Errors of Analyze. ErrCaptureTooShort and ErrNoExcitation come wrapped in
// *CaptureTooShortError and *NoExcitationError (match with errors.Is, read
// the details with errors.As).
var (
	ErrEmptyCapture    = errors.New("audio: the capture is empty")
	ErrCaptureTooShort = errors.New("audio: the capture is too short")
	ErrNoExcitation    = errors.New("audio: the reference contains no signal")
	ErrBadRate         = errors.New("audio: unsupported sample rate")
)

// CaptureTooShortError: the capture ends before the probe's last excitation
// (plus the minimum lag) could have arrived. Such a capture cannot show an
// echo, so "no echo" would be a false pass, and noise in a fragment can fake
// two "detected" sweeps.
type CaptureTooShortError struct {
	HaveSeconds, NeedSeconds float64
}

func (e *CaptureTooShortError) Error() string {
	return fmt.Sprintf("%v: %.2f s, the recording must cover the whole test signal (at least %.2f s)",
		ErrCaptureTooShort, e.HaveSeconds, e.NeedSeconds)
}

// Is makes errors.Is(err, ErrCaptureTooShort) hold.
func (e *CaptureTooShortError) Is(target error) bool { return target == ErrCaptureTooShort }

// NoExcitationError: the reference has (almost) no energy inside the
// analysis band. GCC-PHAT whitens every in-band bin to unit magnitude, so the
// spectral leakage of DC or a 40 Hz tone would be boosted to full weight and
// correlate with anything (a false ECHO at PNR ≈ 40 dB).
type NoExcitationError struct {
	// InBandRatio is the share of the excitation's energy inside BandHz,
	// InBandDBFS its in-band RMS level.
	InBandRatio, InBandDBFS float64
	BandHz                  [2]float64
}

func (e *NoExcitationError) Error() string {
	return fmt.Sprintf("%v between %.0f and %.0f Hz (%.2f %% of its energy, %.1f dBFS)",
		ErrNoExcitation, e.BandHz[0], e.BandHz[1], 100*e.InBandRatio, e.InBandDBFS)
}

// Is makes errors.Is(err, ErrNoExcitation) hold.
func (e *NoExcitationError) Is(target error) bool { return target == ErrNoExcitation }

// An excitation needs at least 1 % of its energy in the band (the standard
// sweep has ≈ 90 %, leakage of DC or a 40 Hz tone ≈ 0.1 %) and an in-band
// level above 16-bit dither (≈ −101 dBFS): below either, PHAT measures
// leakage and quantisation noise, not the room.
const (
	minInBandRatio = 0.01
	minInBandDBFS  = -90.0
)

// SweepResult is what one excitation of the probe gave.
type SweepResult struct {
	PNRDB      float64  `json:"pnr_db"`
	Detected   bool     `json:"detected"`
	LagSamples int      `json:"lag_samples"`
	DelayMs    float64  `json:"delay_ms"`
	CouplingDB *float64 `json:"coupling_db"`
}

// Report is the outcome of one probe/capture pair. Field names are the
// stable JSON of `tafel audio analyze --json` and `tafel check audio --json`.
type Report struct {
	Verdict      Code     `json:"verdict"`
	Severity     Severity `json:"severity"`
	EchoDetected bool     `json:"echo_detected"`
	// DelayMs is the output→input lag of the strongest sweep (sub-sample),
	// null when no echo was found.
	DelayMs    *float64 `json:"delay_ms"`
	LagSamples *int     `json:"lag_samples"`
	// CouplingDB is the echo level relative to the probe (−ERL), null when no
	// echo was found.
	CouplingDB     *float64 `json:"coupling_db"`
	PNRDB          float64  `json:"pnr_db"`
	ThresholdDB    float64  `json:"threshold_db"`
	NoiseFloorDBFS float64  `json:"noise_floor_dbfs"`
	PeakDBFS       float64  `json:"peak_dbfs"`
	DCOffset       float64  `json:"dc_offset"`
	Clipping       bool     `json:"clipping"`
	ClippedRatio   float64  `json:"clipped_ratio"`
	LeadingZeros   int      `json:"leading_zeros"`
	// SpeechRatio is the share of 20 ms frames well above the noise while
	// no echo was expected: near-end speech or other bursts.
	SpeechRatio float64       `json:"speech_ratio"`
	AllZero     bool          `json:"all_zero"`
	Warnings    []Code        `json:"warnings"`
	Sweeps      []SweepResult `json:"sweeps"`
	SampleRate  int           `json:"sample_rate"`
	BandHz      [2]float64    `json:"band_hz"`
}

// Analyze looks for the probe p in capture (same sample rate as the probe)
// and classifies the result. It is pure Go and safe for concurrent use.
func Analyze(p Probe, capture []float32, opt Options) (Report, error) {
	rate := p.Rate
	if rate < 8000 || rate > 384000 {
		return Report{}, fmt.Errorf("%w: %d Hz", ErrBadRate, rate)
	}
	if len(capture) == 0 {
		return Report{}, ErrEmptyCapture
	}
	band := analysisBand(rate, opt)
	if len(p.Segments) == 0 {
		return Report{}, &NoExcitationError{InBandDBFS: floorDBFS, BandHz: band}
	}
	if opt.MaxLag == 0 {
		opt.MaxLag = DefaultMaxLag
	}
	if need := captureNeed(p, opt); len(capture) < need {
		return Report{}, &CaptureTooShortError{
			// Rounded down and up, so the two never print alike.
			HaveSeconds: math.Floor(100*float64(len(capture))/float64(rate)) / 100,
			NeedSeconds: math.Ceil(100*float64(need)/float64(rate)) / 100,
		}
	}
	if opt.Threshold == 0 {
		opt.Threshold = DefaultThreshold
	}
	capture = sanitize(capture)
	r := Report{
		SampleRate:  rate,
		ThresholdDB: opt.Threshold,
		BandHz:      band,
		Warnings:    []Code{},
	}
	r.LeadingZeros = leadingZeros(capture)
	if r.LeadingZeros == len(capture) {
		r.AllZero = true
		r.NoiseFloorDBFS = floorDBFS
		r.PeakDBFS = floorDBFS
		r.Verdict, r.Severity = MicDead, Fail
		return r, nil
	}
	live := capture[r.LeadingZeros:]
	r.levelChecks(live)

	// Echo search, two excitations per packed FFT; the strongest pair decides.
	var best pairResult
	for i := 0; i < len(p.Segments); i += 2 {
		segs := p.Segments[i:min(i+2, len(p.Segments))]
		pr := searchPair(p, segs, capture, opt, r.BandHz)
		for _, ex := range pr.excitation {
			if ex.ratio < minInBandRatio || ex.dbfs < minInBandDBFS {
				return Report{}, &NoExcitationError{InBandRatio: ex.ratio, InBandDBFS: round2(ex.dbfs), BandHz: r.BandHz}
			}
		}
		r.Sweeps = append(r.Sweeps, pr.sweeps...)
		if i == 0 || pr.pnr > best.pnr {
			best = pr
		}
	}
	r.PNRDB = best.pnr
	r.EchoDetected = best.detected
	lag := 0
	if r.EchoDetected {
		d, l := best.delayMs, best.lag
		r.DelayMs, r.LagSamples, lag = &d, &l, l
		c := combinedCoupling(best.sweeps)
		r.CouplingDB = &c
	}

	r.NoiseFloorDBFS = noiseFloor(capture, r.LeadingZeros, r.EchoDetected, lag, p.Silence, rate)
	r.SpeechRatio = nearEndSpeech(capture, r.LeadingZeros, p, r.EchoDetected, lag)
	r.classify(p, opt)
	return r, nil
}

// analysisBand is the band the detector and the excitation check use.
func analysisBand(rate int, opt Options) [2]float64 {
	high := math.Min(bandHighHz, 0.45*float64(rate))
	if opt.BandHighHz > 0 {
		high = math.Min(high, opt.BandHighHz)
	}
	return [2]float64{bandLowHz, high}
}

// captureNeed is the capture length (samples) that covers the probe's last
// excitation arriving at the earliest lag searched: shorter captures cannot
// hold the whole echo. The live check records the probe plus DefaultMaxLag,
// so only offline files and stalled devices fall short.
func captureNeed(p Probe, opt Options) int {
	end := 0
	for _, s := range p.Segments {
		end = max(end, s.Start+s.Len)
	}
	minL := min(samples(opt.MinLag, p.Rate), samples(opt.MaxLag, p.Rate))
	return end + max(0, minL)
}

// floorDBFS (= minDBFS) stands for "no signal at all" in JSON, which
// cannot hold −Inf.
const (
	floorDBFS = -150.0
	minDBFS   = floorDBFS
)

func (r *Report) classify(p Probe, opt Options) {
	switch {
	case r.EchoDetected && r.inconsistent(p):
		r.Verdict = Retry
	case r.SpeechRatio > speechRetryRatio && (!r.EchoDetected || r.PNRDB < r.ThresholdDB+reliablePNR):
		// Someone spoke during the probe: that masks weak echoes and can
		// fake weak ones, so only a clear result stands (audio-check.md §4.3).
		r.Verdict = Retry
	case r.EchoDetected && *r.CouplingDB >= EchoCouplingDB:
		r.Verdict = Echo
	case r.EchoDetected && *r.CouplingDB >= LeakCouplingDB:
		r.Verdict = Leak
	case r.EchoDetected:
		r.Verdict = OKLeak
	case r.NoiseFloorDBFS > QuietFloorDBFS:
		r.Verdict = OKNoisy
	default:
		r.Verdict = OK
	}
	if r.NoiseFloorDBFS > NoisyFloorDBFS {
		r.Warnings = append(r.Warnings, WarnNoisy)
	}
	if r.NoiseFloorDBFS < SilentFloorDBFS {
		r.Warnings = append(r.Warnings, WarnNearSilent)
	}
	if r.Clipping {
		r.Warnings = append(r.Warnings, WarnClipping)
	}
	if r.SpeechRatio > speechRetryRatio && (!r.EchoDetected || r.PNRDB < r.ThresholdDB+reliablePNR) {
		// Only where it matters: a loud echo's own reverberation tail can
		// look like a burst, and then the ECHO verdict stands anyway.
		r.Warnings = append(r.Warnings, WarnSpeech)
	}
	if math.Abs(r.DCOffset) > DCOffsetLimit {
		r.Warnings = append(r.Warnings, WarnDCOffset)
	}
	if opt.LongLag > 0 && r.DelayMs != nil &&
		*r.DelayMs-float64(opt.OwnBuffering.Microseconds())/1000 > float64(opt.LongLag.Microseconds())/1000 {
		r.Warnings = append(r.Warnings, WarnLongLag)
	}
	r.Severity = SeverityOf(r.Verdict)
	for _, w := range r.Warnings {
		r.Severity = Worst(r.Severity, SeverityOf(w))
	}
}

// inconsistent reports whether two detected sweeps disagree on the lag, or,
// when both are clearly above the threshold, on the coupling.
func (r *Report) inconsistent(p Probe) bool {
	var det []SweepResult
	for _, s := range r.Sweeps {
		if s.Detected {
			det = append(det, s)
		}
	}
	for i := 1; i < len(det); i++ {
		a, b := det[0], det[i]
		// Separate devices drift; allow 100 ppm over the sweep spacing.
		spacing := 0
		if len(p.Segments) > i {
			spacing = p.Segments[i].Start - p.Segments[0].Start
		}
		tol := lagTolerance + int(math.Ceil(float64(spacing)*driftPPM/1e6))
		if abs(a.LagSamples-b.LagSamples) > tol {
			return true
		}
		if a.PNRDB >= r.ThresholdDB+reliablePNR && b.PNRDB >= r.ThresholdDB+reliablePNR &&
			a.CouplingDB != nil && b.CouplingDB != nil && math.Abs(*a.CouplingDB-*b.CouplingDB) > couplingTol {
			return true
		}
	}
	return false
}

// combinedCoupling averages the sweeps' coupling (measured at the common
// lag) in power.
func combinedCoupling(s []SweepResult) float64 {
	var sum float64
	n := 0
	for _, x := range s {
		if x.CouplingDB != nil {
			sum += math.Pow(10, *x.CouplingDB/10)
			n++
		}
	}
	if n == 0 {
		return minCouplingDB
	}
	return math.Max(minCouplingDB, 10*math.Log10(sum/float64(n)))
}

const minCouplingDB = -120.0

// levelChecks fills peak, DC offset and clipping from the non-zero capture.
func (r *Report) levelChecks(x []float32) {
	var peak float32
	var sum float64
	clipped := 0
	for _, v := range x {
		a := abs32(v)
		peak = max(peak, a)
		sum += float64(v)
		if a >= ClipLevel {
			clipped++
		}
	}
	r.PeakDBFS = dB20(float64(peak))
	r.DCOffset = sum / float64(len(x))
	r.ClippedRatio = float64(clipped) / float64(len(x))
	r.Clipping = r.ClippedRatio > ClipFraction
}

// noiseFloor is the in-band (100 Hz–8 kHz) level of the mic while the probe
// was silent: after the leading zeros (miniaudio's duplex ring buffer) and,
// when the echo was found, before it arrived. Without an echo the whole
// capture is noise; the median frame keeps a cough from counting.
func noiseFloor(c []float32, lead int, detected bool, lag, silence, rate int) float64 {
	end := len(c)
	if detected {
		end = min(end, lag+silence-samples(10*time.Millisecond, rate))
		if end-lead < samples(10*time.Millisecond, rate) {
			// Everything before the echo was digital zero (a virtual device
			// such as a null-sink monitor): there is no noise to measure.
			return floorDBFS
		}
	}
	warm := min(lead, samples(20*time.Millisecond, rate))
	seg := bandpass(c[lead-warm:end], rate)[warm:]
	return medianFrameDBFS(seg, rate)
}

// Near-end speech detection: frames 12 dB above the quiet frames (10th
// percentile), outside the echo, in more than 5 % of the capture.
const (
	speechJumpDB     = 12.0
	speechRetryRatio = 0.05
	speechMinDBFS    = -70.0 // below this a "jump" is dither on a virtual device
)

// nearEndSpeech returns the share of frames that hold sound other than the
// echo and stationary noise. Where the echo is (when detected), frames are
// skipped: a strong echo is not speech.
func nearEndSpeech(c []float32, lead int, p Probe, detected bool, lag int) float64 {
	rate := p.Rate
	fl := samples(floorFrame, rate)
	if len(c)-lead < 5*fl {
		return 0
	}
	x := bandpass(c[lead:], rate)
	tail := samples(gateAfter, rate)
	var pw []float64
	for i := 0; i+fl <= len(x); i += fl {
		if detected {
			at, skip := lead+i, false
			for _, s := range p.Segments {
				skip = skip || (at+fl > s.Start+lag && at < s.Start+lag+s.Len+tail)
			}
			if skip {
				continue
			}
		}
		var e float64
		for _, v := range x[i : i+fl] {
			e += v * v
		}
		pw = append(pw, e/float64(fl))
	}
	if len(pw) < 5 {
		return 0
	}
	s := slices.Sorted(slices.Values(pw))
	gate := math.Max(s[len(s)/10]*math.Pow(10, speechJumpDB/10), math.Pow(10, speechMinDBFS/10))
	n := 0
	for _, v := range pw {
		if v > gate {
			n++
		}
	}
	return round2(float64(n) / float64(len(pw)))
}

func medianFrameDBFS(x []float64, rate int) float64 {
	fl := max(1, samples(floorFrame, rate))
	var pw []float64
	for i := 0; i+fl <= len(x); i += fl {
		var p float64
		for _, v := range x[i : i+fl] {
			p += v * v
		}
		pw = append(pw, p/float64(fl))
	}
	if len(pw) == 0 {
		var p float64
		for _, v := range x {
			p += v * v
		}
		pw = append(pw, p/float64(max(1, len(x))))
	}
	slices.Sort(pw)
	return dB10(pw[len(pw)/2])
}

func dB10(p float64) float64 {
	if p <= 0 {
		return floorDBFS
	}
	return math.Max(floorDBFS, 10*math.Log10(p))
}

func dB20(a float64) float64 { return dB10(a * a) }

func leadingZeros(x []float32) int {
	for i, v := range x {
		if v != 0 {
			return i
		}
	}
	return len(x)
}

// sanitize replaces NaN and ±Inf (possible in float WAV files) so they
// cannot poison the FFTs.
func sanitize(x []float32) []float32 {
	for i, v := range x {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			y := slices.Clone(x)
			for j := i; j < len(y); j++ {
				f := float64(y[j])
				switch {
				case math.IsNaN(f):
					y[j] = 0
				case math.IsInf(f, 1):
					y[j] = 1
				case math.IsInf(f, -1):
					y[j] = -1
				}
			}
			return y
		}
	}
	return x
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}
