package analysis

import (
	"math"
	"slices"
	"time"
)

// Biquad is a second-order IIR filter section (RBJ audio EQ cookbook).
type Biquad struct {
	b0, b1, b2, a1, a2 float64
	x1, x2, y1, y2     float64
}

// HighPass returns an RBJ high-pass at fc Hz with quality q.
func HighPass(rate int, fc, q float64) *Biquad {
	w := 2 * math.Pi * fc / float64(rate)
	cw, alpha := math.Cos(w), math.Sin(w)/(2*q)
	a0 := 1 + alpha
	return &Biquad{b0: (1 + cw) / 2 / a0, b1: -(1 + cw) / a0, b2: (1 + cw) / 2 / a0, a1: -2 * cw / a0, a2: (1 - alpha) / a0}
}

// LowPass returns an RBJ low-pass at fc Hz with quality q.
func LowPass(rate int, fc, q float64) *Biquad {
	w := 2 * math.Pi * fc / float64(rate)
	cw, alpha := math.Cos(w), math.Sin(w)/(2*q)
	a0 := 1 + alpha
	return &Biquad{b0: (1 - cw) / 2 / a0, b1: (1 - cw) / a0, b2: (1 - cw) / 2 / a0, a1: -2 * cw / a0, a2: (1 - alpha) / a0}
}

// Step filters one sample.
func (f *Biquad) Step(x float64) float64 {
	y := f.b0*x + f.b1*f.x1 + f.b2*f.x2 - f.a1*f.y1 - f.a2*f.y2
	f.x2, f.x1, f.y2, f.y1 = f.x1, x, f.y1, y
	return y
}

// bandpass limits x to the speech/mic band 100 Hz–8 kHz (or 0.45·rate),
// which also removes DC before level metrics.
func bandpass(x []float32, rate int) []float64 {
	hp := HighPass(rate, 100, math.Sqrt2/2)
	lp := LowPass(rate, math.Min(8000, 0.45*float64(rate)), math.Sqrt2/2)
	out := make([]float64, len(x))
	for i, v := range x {
		out[i] = lp.Step(hp.Step(float64(v)))
	}
	return out
}

// Speech check codes (the teacher is asked to say a sentence).
const (
	SpeechOK       Code = "SPEECH_OK"
	SpeechNone     Code = "SPEECH_NONE"     // nothing above the noise: mic muted or far away
	SpeechQuiet    Code = "SPEECH_QUIET"    // below −34 dBFS
	SpeechLoud     Code = "SPEECH_LOUD"     // above −12 dBFS
	SpeechClipping Code = "SPEECH_CLIPPING" // more than 0.1 % of samples clipped
	SpeechLowSNR   Code = "SPEECH_LOW_SNR"  // speech less than 20 dB above the noise
	SpeechDead     Code = "SPEECH_MIC_DEAD" // exact digital zero
)

// Speech level targets (RFC 7874 §4: −22 dBFS ± 6 dB after AGC; ITU-T P.56-like gate).
const (
	SpeechTargetDBFS = -22.0
	SpeechQuietDBFS  = -34.0
	SpeechLoudDBFS   = -12.0
	speechGateDB     = 15.0
	SNRWarnDB        = 20.0
	SNRFailDB        = 10.0
)

// SpeechReport is the outcome of "please say: Good morning, class".
type SpeechReport struct {
	Code           Code     `json:"code"`
	Severity       Severity `json:"severity"`
	LevelDBFS      float64  `json:"level_dbfs"`
	NoiseFloorDBFS float64  `json:"noise_floor_dbfs"`
	SNRDB          float64  `json:"snr_db"`
	ActiveRatio    float64  `json:"active_ratio"`
	ClippedRatio   float64  `json:"clipped_ratio"`
}

// AnalyzeSpeech measures the active speech level of rec: frames more than
// 15 dB above the noise floor count as speech. floorDBFS is the floor
// measured before (e.g. by the probe); NaN means estimate it from the
// quietest frames of rec.
func AnalyzeSpeech(rec []float32, rate int, floorDBFS float64) SpeechReport {
	rec = sanitize(rec)
	r := SpeechReport{}
	if leadingZeros(rec) == len(rec) {
		r.Code, r.Severity, r.LevelDBFS, r.NoiseFloorDBFS = SpeechDead, Fail, minDBFS, minDBFS
		return r
	}
	clipped := 0
	for _, v := range rec {
		if abs32(v) >= ClipLevel {
			clipped++
		}
	}
	r.ClippedRatio = float64(clipped) / float64(len(rec))
	x := bandpass(rec, rate)
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
		r.Code, r.Severity = SpeechNone, Fail
		return r
	}
	if math.IsNaN(floorDBFS) {
		s := slices.Sorted(slices.Values(pw))
		floorDBFS = dB10(s[len(s)/10])
	}
	r.NoiseFloorDBFS = floorDBFS
	gate := math.Pow(10, (floorDBFS+speechGateDB)/10)
	var sum float64
	n := 0
	for _, p := range pw {
		if p > gate {
			sum += p
			n++
		}
	}
	r.ActiveRatio = round2(float64(n) / float64(len(pw)))
	// Less than 0.2 s of speech is a click or a cough, not a sentence.
	if n*fl < samples(200*time.Millisecond, rate) {
		r.Code, r.Severity, r.LevelDBFS = SpeechNone, Fail, floorDBFS
		return r
	}
	r.LevelDBFS = round2(dB10(sum / float64(n)))
	r.SNRDB = round2(r.LevelDBFS - floorDBFS)
	switch {
	case r.ClippedRatio > ClipFraction:
		r.Code, r.Severity = SpeechClipping, Fail
	case r.SNRDB < SNRFailDB:
		r.Code, r.Severity = SpeechLowSNR, Fail
	case r.LevelDBFS < SpeechQuietDBFS:
		r.Code, r.Severity = SpeechQuiet, Warn
	case r.LevelDBFS > SpeechLoudDBFS:
		r.Code, r.Severity = SpeechLoud, Warn
	case r.SNRDB < SNRWarnDB:
		r.Code, r.Severity = SpeechLowSNR, Warn
	default:
		r.Code, r.Severity = SpeechOK, Pass
	}
	return r
}

// Level is one reading of the live microphone meter.
type Level struct {
	RMSDBFS  float64 // over the last block
	PeakDBFS float64
	Clipped  bool // a sample reached full scale
}
