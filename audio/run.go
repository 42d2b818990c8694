package audio

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/gen2brain/malgo"
)

// Rate is the sample rate Tafel asks for; miniaudio converts from whatever
// the device really runs at (see the *InternalRate fields).
const Rate = 48000

// RunResult is one duplex play-and-record run.
type RunResult struct {
	Capture []float32
	// Internal rates the OS really negotiated: 8/16/24 kHz capture means
	// Bluetooth hands-free.
	CaptureInternalRate, PlaybackInternalRate int
	// DeviceStart is init + start until the first buffer; Measure is from
	// the first buffer until the recording was complete.
	DeviceStart, Measure time.Duration
}

// ownBuffering is the buffering our Conservative duplex device adds by
// itself (3 periods of 100 ms playback plus one capture period); it is
// subtracted from the lag before the long-lag warning.
const ownBuffering = 400 * time.Millisecond

func f32(b []byte, frames uint32) []float32 {
	if len(b) < int(frames)*4 || frames == 0 {
		return nil
	}
	return unsafe.Slice((*float32)(unsafe.Pointer(&b[0])), frames)
}

// PlayAndRecord plays `play` and records `frames` frames through ONE duplex
// device (shared clock, no drift). Empty IDs mean the OS defaults. A duplex
// device can stall when its capture side delivers nothing, so the run ends
// with ErrStalled after limit, or earlier when ctx ends.
func (s *System) PlayAndRecord(ctx context.Context, captureID, playbackID string, play []float32, frames int, limit time.Duration) (RunResult, error) {
	cdev, err := s.find(Capture, captureID)
	if err != nil {
		return RunResult{}, err
	}
	pdev, err := s.find(Playback, playbackID)
	if err != nil {
		return RunResult{}, err
	}
	cfg := malgo.DefaultDeviceConfig(malgo.Duplex)
	cfg.SampleRate = Rate
	// 100 ms periods: 25 ms periods glitched under CPU load (audio-check.md §2.6).
	cfg.PerformanceProfile = malgo.Conservative
	cfg.Playback.Format, cfg.Playback.Channels = malgo.FormatF32, 1
	cfg.Capture.Format, cfg.Capture.Channels = malgo.FormatF32, 1
	if cdev != nil {
		cfg.Capture.DeviceID = cdev.raw.Pointer() // a C copy malgo never frees (~256 B)
	}
	if pdev != nil {
		cfg.Playback.DeviceID = pdev.raw.Pointer()
	}
	rec := make([]float32, frames) // the callback must not allocate
	var done atomic.Int64
	var first atomic.Int64 // UnixNano of the first buffer
	full := make(chan struct{})
	onData := func(out, in []byte, count uint32) {
		if count == 0 {
			return
		}
		if first.Load() == 0 {
			first.Store(time.Now().UnixNano())
		}
		at := int(done.Load())
		if o := f32(out, count); o != nil {
			from := min(at, len(play))
			clear(o[copy(o, play[from:]):]) // the probe, then silence
		}
		if i := f32(in, count); i != nil && at < frames {
			copy(rec[at:], i) // copy out now: in aliases C memory
		}
		if at < frames && at+int(count) >= frames {
			close(full) // crossed exactly once
		}
		done.Add(int64(count))
	}
	return s.run(ctx, cfg, onData, full, &done, &first, frames, limit, rec)
}

func (s *System) run(ctx context.Context, cfg malgo.DeviceConfig, onData malgo.DataProc, full chan struct{},
	done, first *atomic.Int64, frames int, limit time.Duration, rec []float32) (RunResult, error) {
	start := time.Now()
	deviceMu.Lock()
	dev, err := malgo.InitDevice(s.ctx.Context, cfg, malgo.DeviceCallbacks{Data: onData})
	deviceMu.Unlock()
	if err != nil {
		return RunResult{}, fmt.Errorf("%w: %v", ErrDevice, err)
	}
	defer func() {
		deviceMu.Lock()
		dev.Uninit()
		deviceMu.Unlock()
	}()
	res := RunResult{}
	if cfg.DeviceType != malgo.Playback {
		res.CaptureInternalRate = int(dev.CaptureInternalSampleRate())
	}
	if cfg.DeviceType != malgo.Capture {
		res.PlaybackInternalRate = int(dev.PlaybackInternalSampleRate())
	}
	if err := dev.Start(); err != nil {
		return res, fmt.Errorf("%w: start: %v", ErrDevice, err)
	}
	timer := time.NewTimer(limit)
	defer timer.Stop()
	select {
	case <-full:
	case <-timer.C:
		return res, fmt.Errorf("%w: %d of %d frames after %v", ErrStalled, done.Load(), frames, limit)
	case <-ctx.Done():
		return res, ctx.Err()
	}
	end := time.Now()
	_ = dev.Stop() // before Uninit, outside the callback (deadlock otherwise)
	f := time.Unix(0, first.Load())
	res.DeviceStart = f.Sub(start)
	res.Measure = end.Sub(f)
	res.Capture = rec
	return res, nil
}

// Record records d of mono audio from a capture device.
func (s *System) Record(ctx context.Context, captureID string, d time.Duration) (RunResult, error) {
	cdev, err := s.find(Capture, captureID)
	if err != nil {
		return RunResult{}, err
	}
	cfg := malgo.DefaultDeviceConfig(malgo.Capture)
	cfg.SampleRate, cfg.PerformanceProfile = Rate, malgo.Conservative
	cfg.Capture.Format, cfg.Capture.Channels = malgo.FormatF32, 1
	if cdev != nil {
		cfg.Capture.DeviceID = cdev.raw.Pointer()
	}
	frames := int(d.Seconds() * Rate)
	rec := make([]float32, frames)
	var done, first atomic.Int64
	full := make(chan struct{})
	onData := func(_, in []byte, count uint32) {
		if count == 0 {
			return
		}
		if first.Load() == 0 {
			first.Store(time.Now().UnixNano())
		}
		at := int(done.Load())
		if i := f32(in, count); i != nil && at < frames {
			copy(rec[at:], i)
		}
		if at < frames && at+int(count) >= frames {
			close(full)
		}
		done.Add(int64(count))
	}
	return s.run(ctx, cfg, onData, full, &done, &first, frames, d+5*time.Second, rec)
}

// Play plays mono samples at Rate on a playback device and returns when
// they have been handed to the device.
func (s *System) Play(ctx context.Context, playbackID string, samples []float32) error {
	pdev, err := s.find(Playback, playbackID)
	if err != nil {
		return err
	}
	cfg := malgo.DefaultDeviceConfig(malgo.Playback)
	cfg.SampleRate, cfg.PerformanceProfile = Rate, malgo.Conservative
	cfg.Playback.Format, cfg.Playback.Channels = malgo.FormatF32, 1
	if pdev != nil {
		cfg.Playback.DeviceID = pdev.raw.Pointer()
	}
	// Pad with 0.3 s of silence so the end is not cut off by the device's buffer.
	frames := len(samples) + Rate*3/10
	var done, first atomic.Int64
	full := make(chan struct{})
	onData := func(out, _ []byte, count uint32) {
		if count == 0 {
			return
		}
		if first.Load() == 0 {
			first.Store(time.Now().UnixNano())
		}
		at := int(done.Load())
		if o := f32(out, count); o != nil {
			from := min(at, len(samples))
			clear(o[copy(o, samples[from:]):])
		}
		if at < frames && at+int(count) >= frames {
			close(full)
		}
		done.Add(int64(count))
	}
	limit := time.Duration(float64(frames)/Rate*float64(time.Second)) + 5*time.Second
	_, err = s.run(ctx, cfg, onData, full, &done, &first, frames, limit, nil)
	return err
}
