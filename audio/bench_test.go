package audio

import (
	"context"
	"testing"

	"github.com/tafel-schule/tafel/audio/analysis"
	"github.com/tafel-schule/tafel/internal/testenv"
)

// BenchmarkLiveCheck runs the live check end to end on a private PulseAudio
// null-sink loopback and reports the device start time and the time from
// the first buffer to the finished analysis (target ≤ 3 s) separately.
// Run: go test -run '^$' -bench LiveCheck -benchtime 3x ./audio/
func BenchmarkLiveCheck(b *testing.B) {
	pa := testenv.StartPulse(b)
	s, err := Open(BackendPulseAudio)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	var start, check float64
	n := 0
	for b.Loop() {
		rep, err := s.Check(context.Background(), CheckOptions{CaptureID: pa.Source, PlaybackID: pa.Sink})
		if err != nil {
			b.Fatal(err)
		}
		if rep.Verdict != analysis.Echo {
			b.Fatalf("verdict %s", rep.Verdict)
		}
		start += rep.DeviceStartMs
		check += rep.CheckMs
		n++
	}
	b.ReportMetric(start/float64(n), "device_start_ms")
	b.ReportMetric(check/float64(n), "check_after_first_buffer_ms")
}
