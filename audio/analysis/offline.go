package analysis

import (
	"errors"
	"fmt"
	"time"
)

// MaxExcitation bounds the reference's signal part in seconds: the
// correlation's FFT grows with it, and a probe is a few seconds long.
const MaxExcitation = 10

// ErrLongReference: the reference holds more signal than MaxExcitation.
var ErrLongReference = errors.New("audio: the reference signal is too long")

// OfflineOptions are the defaults for recordings made with other tools: the
// capture may start a little after the playback (negative lag) and the
// device lag is unknown, so there is no long-lag warning.
func OfflineOptions() Options {
	return Options{MinLag: -250 * time.Millisecond, MaxLag: DefaultMaxLag}
}

// AnalyzeRecording analyses a played reference and a captured recording
// that may have different sample rates: the capture is resampled to the
// reference rate and the analysis band is limited to what both carry.
func AnalyzeRecording(ref []float32, refRate int, capture []float32, capRate int, opt Options) (Report, error) {
	if refRate < 8000 || capRate < 8000 {
		return Report{}, fmt.Errorf("%w: %d / %d Hz", ErrBadRate, refRate, capRate)
	}
	// Above 48 kHz nothing in the 11 kHz analysis band is gained; working
	// at 48 kHz keeps the FFTs (and memory) small.
	if refRate > 48000 {
		ref, refRate = Resample(ref, refRate, 48000), 48000
	}
	if capRate != refRate {
		capture = Resample(capture, capRate, refRate)
	}
	p := ProbeFromSignal(ref, refRate)
	for _, s := range p.Segments {
		if s.Len > MaxExcitation*refRate {
			return Report{}, fmt.Errorf("%w: %.1f s of signal (at most %d s)", ErrLongReference, float64(s.Len)/float64(refRate), MaxExcitation)
		}
	}
	if low := min(refRate, capRate); opt.BandHighHz == 0 || opt.BandHighHz > 0.45*float64(low) {
		opt.BandHighHz = min(bandHighHz, 0.45*float64(low))
	}
	return Analyze(p, capture, opt)
}
