//go:build linux && cgo

package audio

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// ALSA's own error printing stays off stderr when no sound card exists: the
// child opens ALSA directly and tries to record from the default device.
func TestALSANoiseSilenced(t *testing.T) {
	if os.Getenv("TAFEL_ALSA_CHILD") == "1" {
		s, err := Open(BackendALSA)
		if err != nil {
			return // no libasound at all: nothing could print
		}
		defer s.Close()
		s.Devices()
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		s.Record(ctx, "", 100*time.Millisecond)
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestALSANoiseSilenced$")
	cmd.Env = append(os.Environ(), "TAFEL_ALSA_CHILD=1")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("child: %v\n%s", err, stderr.String())
	}
	if strings.Contains(stderr.String(), "ALSA lib") {
		t.Fatalf("ALSA printed to stderr:\n%s", stderr.String())
	}
}
