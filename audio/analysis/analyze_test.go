package analysis_test

import (
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/tafel-schule/tafel/audio/analysis"
	"github.com/tafel-schule/tafel/audio/synth"
)

const rate = 48000

var probe = analysis.StandardProbe(rate)

// capture builds a capture: the probe delayed by lag samples and scaled by
// gain (negative gain inverts polarity), plus white noise at noiseDBFS.
func capture(lag int, gain float64, noiseDBFS float64, seed uint64) []float32 {
	n := len(probe.Signal) + rate*3/4
	out := make([]float32, n)
	for i, v := range probe.Signal {
		if j := i + lag; j >= 0 && j < n {
			out[j] = float32(gain * float64(v))
		}
	}
	if noiseDBFS > -200 {
		rng := rand.New(rand.NewPCG(seed, 1))
		a := math.Pow(10, noiseDBFS/20)
		for i := range out {
			out[i] += float32(a * rng.NormFloat64())
		}
	}
	return out
}

func TestLoopbackDelayAndCoupling(t *testing.T) {
	for _, c := range []struct {
		name string
		lag  int
		gain float64
	}{
		{"pulseaudio_lag", 4200, 1},
		{"inverted_polarity", 16320, -1},
		{"zero_lag", 0, 1},
		{"half_level", 9000, 0.5},
	} {
		t.Run(c.name, func(t *testing.T) {
			r, err := analysis.Analyze(probe, capture(c.lag, c.gain, -90, 1), analysis.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if !r.EchoDetected || *r.LagSamples != c.lag {
				t.Fatalf("detected %v lag %v, want %d", r.EchoDetected, r.LagSamples, c.lag)
			}
			want := 20 * math.Log10(math.Abs(c.gain))
			if math.Abs(*r.CouplingDB-want) > 0.5 {
				t.Errorf("coupling %.2f dB, want %.2f", *r.CouplingDB, want)
			}
			if math.Abs(*r.DelayMs-float64(c.lag)/48) > 0.05 {
				t.Errorf("delay %.3f ms", *r.DelayMs)
			}
		})
	}
}

func TestClassification(t *testing.T) {
	drifted := capture(5000, 0.1, -70, 3)
	// Move the second sweep 300 samples later: the sweeps disagree.
	s2 := probe.Segments[1].Start + 5000
	copy(drifted[s2+300:], drifted[s2:s2+probe.Segments[1].Len+2000])
	clipped := capture(3000, 8, -70, 4)
	for i := range clipped {
		clipped[i] = max(-1, min(1, clipped[i]))
	}
	dc := capture(3000, 0.001, -70, 5)
	for i := range dc {
		dc[i] += 0.05
	}
	talk := capture(0, 0, -65, 14)
	for i := range talk {
		// Speech-like bursts at about −30 dBFS, 4 per second.
		env := math.Max(0, math.Sin(2*math.Pi*4*float64(i)/rate))
		talk[i] += float32(0.045 * env * math.Sin(2*math.Pi*300*float64(i)/rate))
	}
	cases := []struct {
		name  string
		cap   []float32
		opt   analysis.Options
		want  analysis.Code
		sev   analysis.Severity
		warns []analysis.Code
	}{
		{"digital_zero", make([]float32, 100000), analysis.Options{}, analysis.MicDead, analysis.Fail, nil},
		{"quiet_no_echo", capture(0, 0, -70, 6), analysis.Options{}, analysis.OK, analysis.Pass, nil},
		{"noisy_no_echo", capture(0, 0, -45, 7), analysis.Options{}, analysis.OKNoisy, analysis.Warn, nil},
		{"very_noisy", capture(0, 0, -30, 8), analysis.Options{}, analysis.OKNoisy, analysis.Fail, []analysis.Code{analysis.WarnNoisy}},
		{"near_silent_no_echo", capture(0, 0, -95, 9), analysis.Options{}, analysis.OK, analysis.Warn, []analysis.Code{analysis.WarnNearSilent}},
		{"echo", capture(2000, 0.1, -60, 10), analysis.Options{}, analysis.Echo, analysis.Fail, nil},
		{"leak", capture(2000, 0.01, -70, 11), analysis.Options{}, analysis.Leak, analysis.Warn, nil},
		{"headset_leak", capture(2000, 0.001, -75, 12), analysis.Options{}, analysis.OKLeak, analysis.Pass, nil},
		{"retry", drifted, analysis.Options{}, analysis.Retry, analysis.Warn, nil},
		{"someone_spoke", talk, analysis.Options{}, analysis.Retry, analysis.Warn, []analysis.Code{analysis.WarnSpeech}},
		{"clipping", clipped, analysis.Options{}, analysis.Echo, analysis.Fail, []analysis.Code{analysis.WarnClipping}},
		{"dc_offset", dc, analysis.Options{}, analysis.OKLeak, analysis.Warn, []analysis.Code{analysis.WarnDCOffset}},
		{"long_lag", capture(30000, 0.001, -75, 13), analysis.Options{OwnBuffering: 400e6, LongLag: 150e6}, analysis.OKLeak, analysis.Warn, []analysis.Code{analysis.WarnLongLag}},
		{"no_long_lag", capture(20000, 0.001, -75, 13), analysis.Options{OwnBuffering: 400e6, LongLag: 150e6}, analysis.OKLeak, analysis.Pass, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, err := analysis.Analyze(probe, c.cap, c.opt)
			if err != nil {
				t.Fatal(err)
			}
			if r.Verdict != c.want || r.Severity != c.sev {
				t.Fatalf("verdict %s/%s, want %s/%s (pnr %.1f, coupling %v, floor %.1f, warnings %v)",
					r.Verdict, r.Severity, c.want, c.sev, r.PNRDB, r.CouplingDB, r.NoiseFloorDBFS, r.Warnings)
			}
			for _, w := range c.warns {
				found := false
				for _, g := range r.Warnings {
					found = found || g == w
				}
				if !found {
					t.Errorf("warning %s missing: %v", w, r.Warnings)
				}
			}
			if !r.EchoDetected && (r.CouplingDB != nil || r.DelayMs != nil) {
				t.Errorf("coupling/delay must be null without echo")
			}
		})
	}
}

func TestNoiseFloorLevel(t *testing.T) {
	r, err := analysis.Analyze(probe, capture(0, 0, -50, 20), analysis.Options{})
	if err != nil {
		t.Fatal(err)
	}
	// White noise at −50 dBFS full band: 100 Hz–8 kHz is 1/3 of 24 kHz, −4.8 dB.
	if math.Abs(r.NoiseFloorDBFS-(-54.8)) > 1 {
		t.Errorf("floor %.2f dBFS, want ≈ −54.8", r.NoiseFloorDBFS)
	}
}

func TestBadInputsNeverPanic(t *testing.T) {
	if _, err := analysis.Analyze(probe, nil, analysis.Options{}); !errors.Is(err, analysis.ErrEmptyCapture) {
		t.Errorf("empty capture: %v", err)
	}
	if _, err := analysis.Analyze(analysis.Probe{Rate: rate, Signal: make([]float32, 10)}, make([]float32, 10), analysis.Options{}); !errors.Is(err, analysis.ErrNoExcitation) {
		t.Errorf("no excitation: %v", err)
	}
	if _, err := analysis.Analyze(analysis.Probe{Rate: 100}, make([]float32, 10), analysis.Options{}); !errors.Is(err, analysis.ErrBadRate) {
		t.Errorf("bad rate: %v", err)
	}
	weird := capture(1000, 1, -60, 2)
	weird[5] = float32(math.NaN())
	weird[6] = float32(math.Inf(1))
	if r, err := analysis.Analyze(probe, weird, analysis.Options{}); err != nil || r.Verdict == "" {
		t.Errorf("capture with NaN/Inf: %v %v", r.Verdict, err)
	}
	for _, c := range [][]float32{make([]float32, 7), {1}, capture(1000, 1, -60, 2)[:20000]} {
		if _, err := analysis.Analyze(probe, c, analysis.Options{}); !errors.Is(err, analysis.ErrCaptureTooShort) {
			t.Errorf("capture of %d samples: %v", len(c), err)
		}
	}
}

// TestShortCaptureRejected: a capture that ends before the probe's last
// sweep could have come back cannot show an echo. It used to pass as OK
// ("No echo found", 1 or 10 samples), and 0.5 s of noise gave two
// "detected" sweeps (RETRY).
func TestShortCaptureRejected(t *testing.T) {
	end := probe.Segments[1].Start + probe.Segments[1].Len // 2.05 s at 48 kHz
	rng := rand.New(rand.NewPCG(7, 7))
	noise := func(n int) []float32 {
		x := make([]float32, n)
		for i := range x {
			x[i] = float32(0.03 * rng.NormFloat64())
		}
		return x
	}
	for _, c := range []struct {
		name string
		cap  []float32
		opt  analysis.Options
		need float64
	}{
		{"one_sample", []float32{1e-4}, analysis.Options{}, 2.05},
		{"ten_samples", noise(10), analysis.Options{}, 2.05},
		{"half_second_noise", noise(rate / 2), analysis.Options{}, 2.05},
		{"half_second_zero", make([]float32, rate/2), analysis.Options{}, 2.05},
		{"ends_inside_last_sweep", capture(0, 0.1, -60, 3)[:end-1], analysis.Options{}, 2.05},
		{"offline_negative_min_lag", noise(end - 1), analysis.OfflineOptions(), 2.05},
		{"positive_min_lag", capture(0, 0.1, -60, 3)[:end+rate/20], analysis.Options{MinLag: 100 * time.Millisecond}, 2.15},
	} {
		t.Run(c.name, func(t *testing.T) {
			r, err := analysis.Analyze(probe, c.cap, c.opt)
			var short *analysis.CaptureTooShortError
			if !errors.Is(err, analysis.ErrCaptureTooShort) || !errors.As(err, &short) {
				t.Fatalf("got %s/%s, err %v; want ErrCaptureTooShort", r.Verdict, r.Severity, err)
			}
			if short.NeedSeconds != c.need || short.HaveSeconds != math.Floor(float64(len(c.cap))*100/rate)/100 || short.HaveSeconds >= short.NeedSeconds {
				t.Errorf("have %.2f s, need %.2f s; want need %.2f", short.HaveSeconds, short.NeedSeconds, c.need)
			}
		})
	}
	// Offline files go through AnalyzeRecording, also at other rates.
	if _, err := analysis.AnalyzeRecording(probe.Signal, rate, noise(4410), 44100, analysis.OfflineOptions()); !errors.Is(err, analysis.ErrCaptureTooShort) {
		t.Errorf("0.1 s at 44.1 kHz: %v", err)
	}
	// Exactly covering the probe is enough, and the live check's recording
	// (probe + DefaultMaxLag, audio.System.Check) always is.
	for _, n := range []int{end, len(probe.Signal) + int(analysis.DefaultMaxLag.Seconds()*rate)} {
		if _, err := analysis.Analyze(probe, capture(100, 0.1, -60, 4)[:n], analysis.Options{}); err != nil {
			t.Errorf("%d samples: %v", n, err)
		}
	}
}

// TestReferenceWithoutExcitation: PHAT whitens the band, so a reference
// without energy in 150 Hz–11 kHz (DC, a 40 Hz hum) turned its leakage into
// a false ECHO (PNR ≈ 40 dB) against any capture. Such references are
// rejected, as is one far below 16-bit dither.
func TestReferenceWithoutExcitation(t *testing.T) {
	n := 2 * rate
	dc, hum, faint := make([]float32, n), make([]float32, n), make([]float32, len(probe.Signal))
	for i := range dc {
		dc[i] = 0.5
		hum[i] = float32(0.5 * math.Sin(2*math.Pi*40*float64(i)/rate))
	}
	for i, v := range probe.Signal {
		faint[i] = v * 1e-5 // −118 dBFS: no real playback, no measurable echo
	}
	// Noise plus a DC step (a USB mic's offset settling): the step's edge
	// matched the reference's edge and gave ECHO at PNR 42 dB.
	rng := rand.New(rand.NewPCG(9, 9))
	unrelated := make([]float32, n+rate)
	for i := range unrelated {
		unrelated[i] = float32(0.01 * rng.NormFloat64())
		if i > rate/2 {
			unrelated[i] += 0.1
		}
	}
	for name, ref := range map[string][]float32{"dc": dc, "hum_40hz": hum, "faint_probe": faint} {
		r, err := analysis.AnalyzeRecording(ref, rate, unrelated, rate, analysis.OfflineOptions())
		var ne *analysis.NoExcitationError
		if !errors.Is(err, analysis.ErrNoExcitation) || !errors.As(err, &ne) {
			t.Errorf("%s: got %s (pnr %.1f), err %v; want ErrNoExcitation", name, r.Verdict, r.PNRDB, err)
			continue
		}
		if ne.BandHz != [2]float64{150, 11000} {
			t.Errorf("%s: band %v", name, ne.BandHz)
		}
	}
	// The standard probe and a plain 1 kHz tone are excitations.
	tone := make([]float32, n)
	for i := range tone {
		tone[i] = float32(0.1 * math.Sin(2*math.Pi*1000*float64(i)/rate))
	}
	for name, ref := range map[string][]float32{"probe": probe.Signal, "tone_1khz": tone} {
		if _, err := analysis.AnalyzeRecording(ref, rate, unrelated, rate, analysis.OfflineOptions()); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestRecordingAtOtherRates(t *testing.T) {
	// The capture was recorded at 44.1 kHz and at 16 kHz (Bluetooth
	// hands-free), starting 100 ms after the playback.
	base := capture(0, 0.05, -70, 30)
	late := base[4800:]
	for _, capRate := range []int{44100, 16000} {
		c := analysis.Resample(late, rate, capRate)
		r, err := analysis.AnalyzeRecording(probe.Signal, rate, c, capRate, analysis.OfflineOptions())
		if err != nil {
			t.Fatal(err)
		}
		if !r.EchoDetected || math.Abs(*r.DelayMs+100) > 0.2 || math.Abs(*r.CouplingDB-(-26)) > 1.5 {
			t.Errorf("%d Hz: detected %v delay %v coupling %v (band %v)", capRate, r.EchoDetected, ptr(r.DelayMs), ptr(r.CouplingDB), r.BandHz)
		}
	}
}

func TestLongReferenceRejected(t *testing.T) {
	long := make([]float32, 11*8000)
	for i := range long {
		long[i] = float32(math.Sin(float64(i)))
	}
	if _, err := analysis.AnalyzeRecording(long, 8000, long, 8000, analysis.OfflineOptions()); !errors.Is(err, analysis.ErrLongReference) {
		t.Fatalf("err %v", err)
	}
}

func ptr(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

func TestResampleKeepsToneAndLevel(t *testing.T) {
	x := make([]float32, rate)
	for i := range x {
		x[i] = float32(0.5 * math.Sin(2*math.Pi*1000*float64(i)/rate))
	}
	y := analysis.Resample(x, rate, 44100)
	if len(y) != 44100 {
		t.Fatalf("length %d", len(y))
	}
	var p float64
	crossings := 0
	for i := 1000; i < len(y)-1000; i++ {
		p += float64(y[i]) * float64(y[i])
		if y[i-1] < 0 && y[i] >= 0 {
			crossings++
		}
	}
	rms := math.Sqrt(p / float64(len(y)-2000))
	if math.Abs(rms-0.5/math.Sqrt2) > 0.005 {
		t.Errorf("rms %.4f", rms)
	}
	if f := float64(crossings) * 44100 / float64(len(y)-2000); math.Abs(f-1000) > 2 {
		t.Errorf("frequency %.1f Hz", f)
	}
}

func TestSpeechChecks(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	speech := func(levelDBFS, noiseDBFS float64, clip bool) []float32 {
		n := 3 * rate
		x := synth.Noise(rng, n, true)
		var p float64
		for i := range x {
			env := math.Max(0, math.Sin(2*math.Pi*3*float64(i)/rate))
			x[i] *= env
			p += x[i] * x[i]
		}
		g := math.Pow(10, levelDBFS/20) / math.Sqrt(p/float64(n)*0.5) // level over the active half
		out := make([]float32, n)
		a := math.Pow(10, noiseDBFS/20)
		for i := range x {
			v := g*x[i] + a*rng.NormFloat64()
			if clip {
				v *= 20
			}
			out[i] = float32(max(-1, min(1, v)))
		}
		return out
	}
	// Pink bursts peak too high to be loud without clipping; a tone does not.
	tone := func(levelDBFS float64) []float32 {
		out := make([]float32, 3*rate)
		a := math.Pow(10, levelDBFS/20) * math.Sqrt2
		for i := range out {
			if (i/(rate/4))%2 == 0 {
				out[i] = float32(a * math.Sin(2*math.Pi*440*float64(i)/rate))
			}
			out[i] += float32(1e-4 * rng.NormFloat64())
		}
		return out
	}
	cases := []struct {
		name string
		x    []float32
		want analysis.Code
	}{
		{"good", speech(-22, -65, false), analysis.SpeechOK},
		{"quiet", speech(-40, -80, false), analysis.SpeechQuiet},
		{"loud", tone(-9), analysis.SpeechLoud},
		{"clipping", speech(-22, -65, true), analysis.SpeechClipping},
		{"silence", make([]float32, rate), analysis.SpeechDead},
		{"only_noise", speech(-200, -50, false), analysis.SpeechNone},
	}
	for _, c := range cases {
		r := analysis.AnalyzeSpeech(c.x, rate, math.NaN())
		if r.Code != c.want {
			t.Errorf("%s: %s, want %s (%+v)", c.name, r.Code, c.want, r)
		}
	}
	// With the floor known from the probe, a noisy room gives a low SNR.
	if r := analysis.AnalyzeSpeech(speech(-30, -45, false), rate, -45); r.Code != analysis.SpeechLowSNR {
		t.Errorf("low snr: %+v", r)
	}
}

// TestCorpusGrid runs the seeded synthetic corpus (speaker high-pass and
// soft clipping, image-source rooms, bulk delay, drift, pink/white noise,
// near-end speech, ADC clipping) through the analysis. The default run is a
// reduced grid; TAFEL_AUDIO_FULL_GRID=N runs every cell with N trials (the
// printed table: go run ./bench/audio).
func TestCorpusGrid(t *testing.T) {
	type cell struct {
		c        synth.Case
		trials   int
		minRate  float64 // detection rate at least
		maxRate  float64 // detection rate at most (false positives)
		maxMedDB float64 // coupling median |error|
	}
	none := synth.NoEcho
	cells := []cell{
		{synth.Case{CouplingDB: -50, NoiseDBFS: -50}, 24, 0.99, 1, 2},
		{synth.Case{CouplingDB: -40, NoiseDBFS: -40}, 8, 0.99, 1, 2},
		{synth.Case{CouplingDB: -60, NoiseDBFS: -65}, 8, 0.99, 1, 2},
		{synth.Case{CouplingDB: -20, NoiseDBFS: -50, Drift: true}, 8, 0.99, 1, 2},
		{synth.Case{CouplingDB: -10, NoiseDBFS: -50, Speech: true}, 6, 0.99, 1, 2},
		{synth.Case{CouplingDB: none, NoiseDBFS: -50}, 24, 0, 0.05, 0},
		{synth.Case{CouplingDB: none, NoiseDBFS: -65, Drift: true}, 8, 0, 0.13, 0},
	}
	if testing.Short() {
		for i := range cells {
			cells[i].trials = max(4, cells[i].trials/3)
		}
	}
	if v := os.Getenv("TAFEL_AUDIO_FULL_GRID"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			t.Fatalf("TAFEL_AUDIO_FULL_GRID=%q: want a number of trials", v)
		}
		cells = nil
		for _, c := range []float64{none, -70, -60, -50, -40, -30, -20, -10, 0} {
			for _, nz := range []float64{-65, -50, -40} {
				minRate, maxRate := 0.0, 1.0
				switch {
				case c == none:
					maxRate = 0.03
				case c >= -50 && nz <= -50, c >= -40:
					minRate = 0.99
				}
				cells = append(cells, cell{synth.Case{CouplingDB: c, NoiseDBFS: nz}, n, minRate, maxRate, 2})
			}
		}
	}
	cases := make([]synth.Case, len(cells))
	for i, c := range cells {
		cases[i] = c.c
	}
	// Evaluate runs all cells with a common trial count; use the largest and
	// judge each cell on its own first `trials` results via separate runs.
	for i, c := range cells {
		res := synth.Evaluate(probe, cases[i:i+1], c.trials, 42, analysis.Options{})[0]
		rate := res.Rate()
		med := synth.Percentile(res.CouplErr, 0.5)
		t.Logf("C=%v dB N=%v dBFS speech=%v drift=%v: detection %.0f%% (%d/%d), coupling median err %.2f dB, delay p95 err %.0f",
			c.c.CouplingDB, c.c.NoiseDBFS, c.c.Speech, c.c.Drift, 100*rate, res.Detected, res.Trials, med, synth.Percentile(res.DelayErr, 0.95))
		if rate < c.minRate || rate > c.maxRate {
			t.Errorf("cell %+v: detection %.0f%% outside [%.0f%%, %.0f%%]", c.c, 100*rate, 100*c.minRate, 100*c.maxRate)
		}
		if c.minRate > 0 && med > c.maxMedDB {
			t.Errorf("cell %+v: coupling median error %.2f dB > %.1f", c.c, med, c.maxMedDB)
		}
		if p := synth.Percentile(res.DelayErr, 0.95); p > 2 {
			t.Errorf("cell %+v: delay error p95 %.0f samples > 2", c.c, p)
		}
	}
}

func BenchmarkAnalyze(b *testing.B) {
	tr := synth.Generate(probe, synth.Case{CouplingDB: -40, NoiseDBFS: -50}, 1)
	b.ResetTimer()
	for b.Loop() {
		if _, err := analysis.Analyze(probe, tr.Capture, analysis.Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAnalyzeOffline(b *testing.B) {
	tr := synth.Generate(probe, synth.Case{CouplingDB: -40, NoiseDBFS: -50}, 1)
	b.ResetTimer()
	for b.Loop() {
		if _, err := analysis.AnalyzeRecording(probe.Signal, rate, tr.Capture, rate, analysis.OfflineOptions()); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCorpusTrial(b *testing.B) {
	for i := 0; b.Loop(); i++ {
		tr := synth.Generate(probe, synth.Case{CouplingDB: -50, NoiseDBFS: -50}, uint64(i))
		if _, err := analysis.Analyze(probe, tr.Capture, analysis.Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
