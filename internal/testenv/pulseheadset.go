package testenv

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// PulseHeadset is a private PulseAudio daemon that looks like a teacher
// with a working headset: the default output ("speaker", a null sink) is
// NOT heard by the default input ("mic"), and the mic picks up a quiet,
// steady room noise (white noise at NoiseDBFS). StartPulse's loopback is
// the opposite (a perfect echo path); this one is what a healthy pre-flight
// sees.
//
// The mic is a module-remap-source on a second null sink's monitor, so it
// is not flagged as a monitor input; a paplay loop feeds the noise into
// that sink.
type PulseHeadset struct {
	Dir       string
	Server    string // PULSE_SERVER value
	Sink      string // "speaker"
	Source    string // "mic"
	NoiseDBFS float64
	env       []string
	daemon    *exec.Cmd
	log       *SyncBuffer
	stopFeed  context.CancelFunc
	feedDone  chan struct{}
	exited    chan error
	stopOnce  sync.Once
}

// StartPulseHeadset starts the daemon for the test and points this process
// at it (t.Setenv, so the test must not be parallel). Stopped in t.Cleanup.
func StartPulseHeadset(t testing.TB) *PulseHeadset {
	t.Helper()
	bin := LookPath(t, "pulseaudio", "pulseaudio")
	pactl := LookPath(t, "pactl", "pulseaudio-utils")
	paplay := LookPath(t, "paplay", "pulseaudio-utils")
	// Unix socket paths are limited to ~108 bytes: t.TempDir can be long.
	dir, err := os.MkdirTemp("", "tafel-pah-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	p, err := LaunchPulseHeadset(bin, pactl, paplay, dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		p.Stop()
		if t.Failed() {
			t.Logf("pulseaudio log:\n%s", lastLines(p.log.String(), 30))
		}
	})
	t.Setenv("PULSE_SERVER", p.Server)
	t.Setenv("PULSE_COOKIE", filepath.Join(dir, "cookie"))
	return p
}

// LaunchPulseHeadset is StartPulseHeadset for programs that are not tests
// (benchmarks). dir must be short (socket path limit) and private. It does
// not change this process's environment: set PULSE_SERVER to Server. The
// caller must call Stop.
func LaunchPulseHeadset(bin, pactl, paplay, dir string) (*PulseHeadset, error) {
	if err := os.Chmod(dir, 0o700); err != nil {
		return nil, err
	}
	sock := filepath.Join(dir, "native")
	script := fmt.Sprintf(`load-module module-native-protocol-unix auth-anonymous=1 socket=%s
load-module module-null-sink sink_name=speaker rate=48000 channels=1 sink_properties=device.description=Speaker
load-module module-null-sink sink_name=micfeed rate=48000 channels=1 sink_properties=device.description=MicFeed
load-module module-remap-source master=micfeed.monitor source_name=mic channels=1 source_properties=device.description=HeadsetMic
set-default-sink speaker
set-default-source mic
`, sock)
	scriptPath := filepath.Join(dir, "headset.pa")
	if err := os.WriteFile(scriptPath, []byte(script), 0o600); err != nil {
		return nil, err
	}
	p := &PulseHeadset{Dir: dir, Server: "unix:" + sock, Sink: "speaker", Source: "mic", NoiseDBFS: -65,
		log: &SyncBuffer{}, exited: make(chan error, 1)}
	p.env = append(os.Environ(),
		"HOME="+dir, "XDG_RUNTIME_DIR="+dir, "PULSE_RUNTIME_PATH="+dir,
		"PULSE_STATE_PATH="+dir, "PULSE_SERVER="+p.Server, "PULSE_COOKIE="+filepath.Join(dir, "cookie"))
	p.daemon = exec.Command(bin, "-n", "-F", scriptPath, "--daemonize=no", "--exit-idle-time=-1",
		"--use-pid-file=no", "--disallow-exit", "--log-target=stderr", "--log-level=warning")
	p.daemon.Env = p.env
	p.daemon.Stdout, p.daemon.Stderr = p.log, p.log
	if err := p.daemon.Start(); err != nil {
		return nil, fmt.Errorf("start pulseaudio: %w", err)
	}
	go func() { p.exited <- p.daemon.Wait() }()
	deadline := time.Now().Add(15 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		cmd := exec.CommandContext(ctx, pactl, "list", "short", "sources")
		cmd.Env = p.env
		out, err := cmd.CombinedOutput()
		cancel()
		if err == nil && bytes.Contains(out, []byte("\tmic\t")) {
			break
		}
		select {
		case e := <-p.exited:
			return nil, fmt.Errorf("pulseaudio exited: %v\n%s", e, lastLines(p.log.String(), 20))
		default:
		}
		if time.Now().After(deadline) {
			p.Stop()
			return nil, fmt.Errorf("pulseaudio did not come up: %v %s\n%s", err, out, lastLines(p.log.String(), 20))
		}
		time.Sleep(100 * time.Millisecond)
	}
	// The room noise: without it the mic would deliver exact zeros (a dead
	// microphone to the check).
	noise := filepath.Join(dir, "room.wav")
	if err := os.WriteFile(noise, noiseWAV(20, p.NoiseDBFS), 0o600); err != nil {
		p.Stop()
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	p.stopFeed, p.feedDone = cancel, make(chan struct{})
	go func() {
		defer close(p.feedDone)
		for ctx.Err() == nil {
			cmd := exec.CommandContext(ctx, paplay, "--device=micfeed", noise)
			cmd.Env = p.env
			cmd.Stdout, cmd.Stderr = p.log, p.log
			if err := cmd.Run(); err != nil && ctx.Err() == nil {
				select { // don't spin if paplay cannot run at all
				case <-ctx.Done():
				case <-time.After(200 * time.Millisecond):
				}
			}
		}
	}()
	return p, nil
}

// Stop ends the noise feed and the daemon; safe to call twice.
func (p *PulseHeadset) Stop() {
	p.stopOnce.Do(func() {
		if p.stopFeed != nil {
			p.stopFeed()
			<-p.feedDone
		}
		_ = p.daemon.Process.Kill()
		select {
		case <-p.exited:
		case <-time.After(5 * time.Second):
		}
	})
}

// Log returns what the daemon printed.
func (p *PulseHeadset) Log() string { return p.log.String() }

// noiseWAV is sec seconds of seeded white noise at dbfs RMS, 48 kHz mono
// 16-bit PCM.
func noiseWAV(sec int, dbfs float64) []byte {
	const rate = 48000
	n := sec * rate
	var b bytes.Buffer
	w := func(v any) { _ = binary.Write(&b, binary.LittleEndian, v) }
	b.WriteString("RIFF")
	w(uint32(36 + 2*n))
	b.WriteString("WAVEfmt ")
	w(uint32(16))
	w(uint16(1))        // PCM
	w(uint16(1))        // mono
	w(uint32(rate))     // sample rate
	w(uint32(rate * 2)) // byte rate
	w(uint16(2))        // block align
	w(uint16(16))       // bits
	b.WriteString("data")
	w(uint32(2 * n))
	r := rand.New(rand.NewPCG(1, 2))
	amp := math.Pow(10, dbfs/20) * 32767
	for range n {
		w(int16(math.Max(-32767, math.Min(32767, r.NormFloat64()*amp))))
	}
	return b.Bytes()
}
