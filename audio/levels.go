package audio

import (
	"context"
	"fmt"
	"math"
	"sync/atomic"

	"github.com/gen2brain/malgo"
	"github.com/tafel-schule/tafel/audio/analysis"
)

// LevelRate is how many meter readings per second Levels delivers.
const LevelRate = 20

// Levels runs the capture device until ctx ends and delivers one meter
// reading every 50 ms on the returned channel (closed at the end). Readings
// are dropped, not queued, when the receiver is slow, so a busy GUI never
// backs up the audio thread. The GUI must hop to its own thread (fyne.Do).
func (s *System) Levels(ctx context.Context, captureID string) (<-chan analysis.Level, error) {
	cdev, err := s.find(Capture, captureID)
	if err != nil {
		return nil, err
	}
	cfg := malgo.DefaultDeviceConfig(malgo.Capture)
	cfg.SampleRate, cfg.PerformanceProfile = Rate, malgo.Conservative
	// 50 ms periods so each callback is about one meter reading.
	cfg.PeriodSizeInMilliseconds = 1000 / LevelRate
	cfg.Capture.Format, cfg.Capture.Channels = malgo.FormatF32, 1
	if cdev != nil {
		cfg.Capture.DeviceID = cdev.raw.Pointer()
	}
	block := Rate / LevelRate
	ch := make(chan analysis.Level, 4)
	var (
		sum    float64
		peak   float32
		filled int
		closed atomic.Bool
	)
	onData := func(_, in []byte, count uint32) {
		for _, v := range f32(in, count) {
			sum += float64(v) * float64(v)
			if a := float32(math.Abs(float64(v))); a > peak {
				peak = a
			}
			filled++
			if filled == block {
				lv := analysis.Level{RMSDBFS: levelDB(sum / float64(block)), PeakDBFS: levelDB(float64(peak) * float64(peak)), Clipped: peak >= analysis.ClipLevel}
				if !closed.Load() {
					select {
					case ch <- lv:
					default: // receiver busy: drop
					}
				}
				sum, peak, filled = 0, 0, 0
			}
		}
	}
	deviceMu.Lock()
	dev, err := malgo.InitDevice(s.ctx.Context, cfg, malgo.DeviceCallbacks{Data: onData})
	deviceMu.Unlock()
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrDevice, err)
	}
	if err := dev.Start(); err != nil {
		deviceMu.Lock()
		dev.Uninit()
		deviceMu.Unlock()
		return nil, fmt.Errorf("%w: start: %v", ErrDevice, err)
	}
	go func() {
		<-ctx.Done()
		deviceMu.Lock()
		dev.Uninit() // no callback runs after this returns
		deviceMu.Unlock()
		closed.Store(true)
		close(ch)
	}()
	return ch, nil
}

func levelDB(p float64) float64 {
	if p <= 0 {
		return -150
	}
	return math.Max(-150, 10*math.Log10(p))
}
