package testenv

import (
	"os"
	"strings"
	"testing"
)

func TestStartPulse(t *testing.T) {
	pa := StartPulse(t)
	if os.Getenv("PULSE_SERVER") != pa.Server {
		t.Fatalf("PULSE_SERVER not exported: %q", os.Getenv("PULSE_SERVER"))
	}
	info := pa.Pactl(t, "info")
	if !strings.Contains(info, "Default Sink: probe") || !strings.Contains(info, "Default Source: probe.monitor") {
		t.Fatalf("unexpected defaults:\n%s", info)
	}
	// The daemon is private: its runtime directory is ours, not the user's.
	if !strings.HasPrefix(pa.Server, "unix:"+pa.Dir) {
		t.Fatalf("server %s outside %s", pa.Server, pa.Dir)
	}
}
