package audio

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/tafel-schule/tafel/audio/analysis"
	"github.com/tafel-schule/tafel/audio/synth"
	"github.com/tafel-schule/tafel/audio/wav"
	"github.com/tafel-schule/tafel/internal/testenv"
)

// Device tests never run in parallel: device init is serialised and
// PulseAudio tests share one daemon per test (audio-check.md §2.6).

func openPulse(t *testing.T) (*testenv.Pulse, *System) {
	t.Helper()
	pa := testenv.StartPulse(t)
	s, err := Open(BackendPulseAudio)
	if err != nil {
		t.Fatalf("open PulseAudio backend: %v", err)
	}
	t.Cleanup(s.Close)
	return pa, s
}

func TestNullBackendDevicePath(t *testing.T) {
	s, err := Open(BackendNull)
	if err != nil {
		t.Fatalf("null backend: %v", err)
	}
	defer s.Close()
	devs, err := s.Devices()
	if err != nil || len(devs) < 2 {
		t.Fatalf("devices: %v %+v", err, devs)
	}
	ctx := context.Background()
	// The null device captures zeros in real time: the check must say
	// MIC_DEAD, not hang and not fail.
	rep, err := s.Check(ctx, CheckOptions{Timeout: 10 * time.Second})
	if err != nil {
		t.Fatalf("check: %v", err)
	}
	if rep.Verdict != analysis.MicDead || rep.Severity != analysis.Fail || !rep.AllZero {
		t.Fatalf("null device: verdict %s severity %s", rep.Verdict, rep.Severity)
	}
	if _, err := s.Check(ctx, CheckOptions{CaptureID: "no-such-mic"}); !errors.Is(err, ErrDeviceNotFound) {
		t.Fatalf("unknown device: %v", err)
	}
	if ErrorCode(fmtWrap(ErrDeviceNotFound)) != "DEVICE_NOT_FOUND" {
		t.Fatal("error code")
	}
	// A context that ends stops the run.
	cctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	if _, err := s.PlayAndRecord(cctx, "", "", make([]float32, 10), 10*Rate, 20*time.Second); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("cancelled run: %v", err)
	}
	// Level feed: readings arrive at ~20 Hz and the channel closes.
	lctx, lcancel := context.WithCancel(ctx)
	ch, err := s.Levels(lctx, "")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	timeout := time.After(10 * time.Second)
	for n < 3 {
		select {
		case lv := <-ch:
			if lv.RMSDBFS > -140 {
				t.Fatalf("null device level %v", lv)
			}
			n++
		case <-timeout:
			t.Fatal("no level readings")
		}
	}
	lcancel()
	for range ch {
	}
	// Record and Play finish on their own.
	if run, err := s.Record(ctx, "", 200*time.Millisecond); err != nil || len(run.Capture) != Rate/5 {
		t.Fatalf("record: %v", err)
	}
	if err := s.Play(ctx, "", make([]float32, Rate/10)); err != nil {
		t.Fatalf("play: %v", err)
	}
}

func fmtWrap(err error) error { return errors.Join(errors.New("context"), err) }

// The probe plays into the null sink and its monitor is the microphone: a
// perfect echo path, so the live check must find ECHO at about 0 dB.
func TestLivePulseLoopback(t *testing.T) {
	if testing.Short() {
		t.Skip("PulseAudio loopback skipped in -short")
	}
	pa, s := openPulse(t)
	devs, err := s.Devices()
	if err != nil {
		t.Fatal(err)
	}
	var mon *Device
	for i, d := range devs {
		if d.ID == pa.Source {
			mon = &devs[i]
		}
	}
	if mon == nil || !mon.Monitor || mon.Kind != Capture {
		t.Fatalf("monitor source not found or not marked: %+v", devs)
	}
	ctx := context.Background()
	t.Run("echo", func(t *testing.T) {
		// Attempts 3: a CI machine under load can make PulseAudio overrun
		// and the two sweeps disagree (RETRY); the check itself retries once.
		rep, err := s.Check(ctx, CheckOptions{CaptureID: pa.Source, PlaybackID: pa.Sink, Attempts: 3})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("verdict %s pnr %.1f dB coupling %v delay %v ms floor %.1f dBFS device start %.0f ms check %.0f ms",
			rep.Verdict, rep.PNRDB, deref(rep.CouplingDB), deref(rep.DelayMs), rep.NoiseFloorDBFS, rep.DeviceStartMs, rep.CheckMs)
		if rep.Verdict != analysis.Echo || !rep.EchoDetected {
			t.Fatalf("loopback: verdict %s, want ECHO (report %+v)", rep.Verdict, rep.Report)
		}
		if c := *rep.CouplingDB; math.Abs(c) > 2 {
			t.Errorf("loopback coupling %.2f dB, want ≈ 0", c)
		}
		if !hasWarning(rep.Warnings, analysis.WarnMonitor) {
			t.Errorf("monitor input not warned: %v", rep.Warnings)
		}
		if rep.CheckMs > 6000 {
			t.Errorf("check took %.0f ms after the first buffer", rep.CheckMs)
		}
	})
	t.Run("leak_with_noise", func(t *testing.T) {
		// Pink noise at −50 dBFS played into the sink alongside a probe 40 dB
		// quieter: coupling −40 dB must be found (LEAK) and the floor seen.
		noise := synth.Noise(rand.New(rand.NewPCG(7, 7)), 12*Rate, true)
		f := make([]float32, len(noise))
		var p float64
		for _, v := range noise {
			p += v * v
		}
		g := math.Pow(10, -50.0/20) / math.Sqrt(p/float64(len(noise)))
		for i, v := range noise {
			f[i] = float32(v * g)
		}
		pa.Play(t, noiseFile(t, f))
		time.Sleep(300 * time.Millisecond) // let paplay start
		rep, err := s.Check(ctx, CheckOptions{CaptureID: pa.Source, PlaybackID: pa.Sink, ProbeGainDB: -40, Attempts: 3})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("verdict %s pnr %.1f dB coupling %v floor %.1f dBFS", rep.Verdict, rep.PNRDB, deref(rep.CouplingDB), rep.NoiseFloorDBFS)
		if !rep.EchoDetected || rep.Verdict != analysis.Leak {
			t.Fatalf("verdict %s, want LEAK (report %+v)", rep.Verdict, rep.Report)
		}
		if c := *rep.CouplingDB; math.Abs(c+40) > 3 {
			t.Errorf("coupling %.1f dB, want ≈ −40", c)
		}
		if rep.NoiseFloorDBFS < -60 || rep.NoiseFloorDBFS > -45 {
			t.Errorf("noise floor %.1f dBFS, want ≈ −51 (in band)", rep.NoiseFloorDBFS)
		}
	})
	t.Run("levels_and_hear", func(t *testing.T) {
		// A 1 kHz tone at −20 dBFS RMS into the sink: the meter must read it.
		tone := make([]float32, 10*Rate)
		for i := range tone {
			tone[i] = float32(0.1 * math.Sqrt2 * math.Sin(2*math.Pi*1000*float64(i)/Rate))
		}
		pa.Play(t, noiseFile(t, tone))
		lctx, cancel := context.WithTimeout(ctx, 8*time.Second)
		defer cancel()
		ch, err := s.Levels(lctx, pa.Source)
		if err != nil {
			t.Fatal(err)
		}
		var got []float64
		for lv := range ch {
			got = append(got, lv.RMSDBFS)
			if len(got) >= 6 && math.Abs(lv.RMSDBFS+20) < 1 {
				cancel()
			}
		}
		if len(got) == 0 || math.Abs(got[len(got)-1]+20) > 1 {
			t.Fatalf("levels %v, want ≈ −20 dBFS", got)
		}
		rep, err := s.HearYourself(ctx, CheckOptions{CaptureID: pa.Source, PlaybackID: pa.Sink}, time.Second)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("hear yourself: %+v", rep)
		if rep.Code == analysis.SpeechDead {
			t.Errorf("recorded silence while a tone played: %+v", rep)
		}
	})
}

func noiseFile(t *testing.T, f []float32) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "noise.wav")
	w, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := wav.Write(w, f, Rate, wav.Float32); err != nil {
		t.Fatal(err)
	}
	w.Close()
	return path
}

func deref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

func hasWarning(ws []analysis.Code, c analysis.Code) bool {
	for _, w := range ws {
		if w == c {
			return true
		}
	}
	return false
}
