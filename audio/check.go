package audio

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/tafel-schule/tafel/audio/analysis"
)

// CheckOptions choose the devices of the live check. Empty IDs are the OS
// defaults.
type CheckOptions struct {
	CaptureID, PlaybackID string
	// ProbeGainDB attenuates the probe (≤ 0). Tests use it to simulate a
	// quieter speaker; teachers should set their normal listening volume.
	ProbeGainDB float64
	// Timeout bounds each device run (default 12 s: PulseAudio may take
	// 2 s for its first buffer, a stalled duplex device never ends).
	Timeout time.Duration
	// Attempts is how often to run when the sweeps disagree (RETRY: a
	// glitch under CPU load, or someone spoke). Default 2; 1 = never repeat.
	Attempts int
}

// CheckReport is the live check's outcome: the analysis plus what the
// devices were and how long things took.
type CheckReport struct {
	analysis.Report
	CaptureDevice        *Device `json:"capture_device"`
	PlaybackDevice       *Device `json:"playback_device"`
	CaptureInternalRate  int     `json:"capture_internal_rate"`
	PlaybackInternalRate int     `json:"playback_internal_rate"`
	// DeviceStartMs: from opening the device to its first buffer (varies by
	// sound server); CheckMs: from the first buffer to the finished analysis.
	DeviceStartMs float64 `json:"device_start_ms"`
	CheckMs       float64 `json:"check_ms"`
	// Attempt is the run that produced this report (2 after a RETRY).
	Attempt int `json:"attempt"`
	// Capture is the recording at Rate, kept so a failed classroom check can
	// be saved as a WAV pair and re-analysed offline (opt-in).
	Capture []float32 `json:"-"`
}

// Check plays the standard probe and records it through one duplex device,
// then analyses the pair. Only device trouble is an error; everything the
// microphone shows (silence, echo, noise) is in the report.
func (s *System) Check(ctx context.Context, opt CheckOptions) (CheckReport, error) {
	if opt.Timeout == 0 {
		opt.Timeout = 12 * time.Second
	}
	if opt.Attempts < 1 {
		opt.Attempts = 2
	}
	var rep CheckReport
	var err error
	for i := range opt.Attempts {
		rep, err = s.checkOnce(ctx, opt)
		rep.Attempt = i + 1
		if err != nil || rep.Verdict != analysis.Retry {
			break
		}
	}
	return rep, err
}

func (s *System) checkOnce(ctx context.Context, opt CheckOptions) (CheckReport, error) {
	var rep CheckReport
	var err error
	if rep.CaptureDevice, err = s.find(Capture, opt.CaptureID); err != nil {
		return rep, err
	}
	if rep.PlaybackDevice, err = s.find(Playback, opt.PlaybackID); err != nil {
		return rep, err
	}
	p := analysis.StandardProbe(Rate)
	play := p.Signal
	if opt.ProbeGainDB < 0 {
		g := float32(math.Pow(10, opt.ProbeGainDB/20))
		play = make([]float32, len(p.Signal))
		for i, v := range p.Signal {
			play[i] = v * g
		}
	}
	frames := len(p.Signal) + int(analysis.DefaultMaxLag.Seconds()*Rate)
	run, err := s.PlayAndRecord(ctx, opt.CaptureID, opt.PlaybackID, play, frames, opt.Timeout)
	rep.CaptureInternalRate, rep.PlaybackInternalRate = run.CaptureInternalRate, run.PlaybackInternalRate
	if err != nil {
		return rep, err
	}
	t0 := time.Now()
	r, err := analysis.Analyze(p, run.Capture, analysis.Options{OwnBuffering: ownBuffering, LongLag: analysis.LongLagThreshold * time.Millisecond})
	if errors.Is(err, analysis.ErrCaptureTooShort) {
		// The device delivered less than it was asked for: it stalled.
		err = fmt.Errorf("%w: %w", ErrStalled, err)
	}
	if err != nil {
		return rep, err
	}
	// The analysis compares with the unattenuated probe, so with
	// ProbeGainDB the coupling includes the attenuation, as a quieter
	// speaker would.
	rep.Report = r
	rep.Capture = run.Capture
	rep.addDeviceWarnings()
	rep.DeviceStartMs = ms(run.DeviceStart)
	rep.CheckMs = ms(run.Measure + time.Since(t0))
	return rep, nil
}

func ms(d time.Duration) float64 { return math.Round(float64(d.Microseconds())/100) / 10 }

// addDeviceWarnings adds what only the device side knows.
func (r *CheckReport) addDeviceWarnings() {
	switch {
	case BluetoothHandsFreeRate(r.CaptureInternalRate):
		r.Warnings = append(r.Warnings, analysis.WarnBluetooth)
	case r.CaptureInternalRate > 0 && r.CaptureInternalRate < 44100:
		r.Warnings = append(r.Warnings, analysis.WarnLowRate)
	}
	if r.CaptureDevice != nil && r.CaptureDevice.Monitor {
		r.Warnings = append(r.Warnings, analysis.WarnMonitor)
	}
	for _, w := range r.Warnings {
		r.Severity = analysis.Worst(r.Severity, analysis.SeverityOf(w))
	}
}

// HearYourself records d from the microphone, plays it back on the output
// and returns the speech analysis of the recording, for teachers who want to
// hear their own sound (BBB's familiar echo test, but local and quick).
func (s *System) HearYourself(ctx context.Context, opt CheckOptions, d time.Duration) (analysis.SpeechReport, error) {
	run, err := s.Record(ctx, opt.CaptureID, d)
	if err != nil {
		return analysis.SpeechReport{}, err
	}
	rep := analysis.AnalyzeSpeech(run.Capture, Rate, math.NaN())
	if err := s.Play(ctx, opt.PlaybackID, run.Capture); err != nil {
		return rep, err
	}
	return rep, nil
}
