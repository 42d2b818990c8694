package testenv

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// Pulse is a private PulseAudio daemon with one null sink ("probe", 48 kHz
// mono) whose monitor is the default source: whatever is played comes back
// as the microphone, a real in-server loopback (audio-check.md §10.1).
type Pulse struct {
	Dir    string // private runtime directory (socket, pid, log)
	Server string // PULSE_SERVER value, "unix:<Dir>/native"
	Sink   string // "probe"
	Source string // "probe.monitor"
	cmd    *exec.Cmd
	log    *bytes.Buffer
	env    []string
}

// StartPulse starts pulseaudio for the test with its own runtime directory
// and socket (no system daemon, no user session, anonymous auth), points
// this process at it through PULSE_SERVER and PULSE_COOKIE (t.Setenv, so the
// test must not be parallel), waits until pactl answers and stops it in
// t.Cleanup. Without pulseaudio the test ends through Missing.
func StartPulse(t testing.TB) *Pulse {
	t.Helper()
	bin := LookPath(t, "pulseaudio", "pulseaudio")
	pactl := LookPath(t, "pactl", "pulseaudio-utils")
	// Unix socket paths are limited to ~108 bytes: t.TempDir can be long.
	dir, err := os.MkdirTemp("", "tafel-pa-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(dir, "native")
	script := fmt.Sprintf(`load-module module-native-protocol-unix auth-anonymous=1 socket=%s
load-module module-null-sink sink_name=probe rate=48000 channels=1 sink_properties=device.description=ProbeSink
set-default-sink probe
set-default-source probe.monitor
`, sock)
	scriptPath := filepath.Join(dir, "test.pa")
	if err := os.WriteFile(scriptPath, []byte(script), 0o600); err != nil {
		t.Fatal(err)
	}
	p := &Pulse{Dir: dir, Server: "unix:" + sock, Sink: "probe", Source: "probe.monitor", log: &bytes.Buffer{}}
	// The daemon gets HOME and XDG_RUNTIME_DIR in the private directory, so it
	// never touches the user's session, cookie or config.
	p.env = append(os.Environ(),
		"HOME="+dir, "XDG_RUNTIME_DIR="+dir, "PULSE_RUNTIME_PATH="+dir,
		"PULSE_STATE_PATH="+dir, "PULSE_SERVER="+p.Server, "PULSE_COOKIE="+filepath.Join(dir, "cookie"))
	// -n: skip default.pa (no udev/ALSA/X11 modules); --exit-idle-time=-1:
	// stay up between test steps. As root PulseAudio warns and carries on.
	p.cmd = exec.Command(bin, "-n", "-F", scriptPath, "--daemonize=no", "--exit-idle-time=-1",
		"--use-pid-file=no", "--disallow-exit", "--log-target=stderr", "--log-level=warning")
	p.cmd.Env = p.env
	p.cmd.Stdout, p.cmd.Stderr = p.log, p.log
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start pulseaudio: %v", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- p.cmd.Wait() }()
	t.Cleanup(func() {
		_ = p.cmd.Process.Kill()
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
		}
		if t.Failed() {
			t.Logf("pulseaudio log:\n%s", lastLines(p.log.String(), 30))
		}
	})
	deadline := time.Now().Add(15 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		cmd := exec.CommandContext(ctx, pactl, "info")
		cmd.Env = p.env
		out, err := cmd.CombinedOutput()
		cancel()
		if err == nil && bytes.Contains(out, []byte("probe.monitor")) {
			break
		}
		select {
		case e := <-exited:
			t.Fatalf("pulseaudio exited: %v\n%s", e, lastLines(p.log.String(), 20))
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("pulseaudio did not come up: %v %s\n%s", err, out, lastLines(p.log.String(), 20))
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Setenv("PULSE_SERVER", p.Server)
	t.Setenv("PULSE_COOKIE", filepath.Join(dir, "cookie"))
	return p
}

// Play plays a WAV file into the null sink in the background (paplay) until
// it ends or the test ends. The monitor, the test's "microphone", hears it
// mixed with whatever else plays.
func (p *Pulse) Play(t testing.TB, wavPath string) {
	t.Helper()
	bin := LookPath(t, "paplay", "pulseaudio-utils")
	cmd := exec.Command(bin, "--device="+p.Sink, wavPath)
	cmd.Env = p.env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatalf("paplay: %v", err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-done
	})
}

// Pactl runs pactl against the daemon and returns its output.
func (p *Pulse) Pactl(t testing.TB, args ...string) string {
	t.Helper()
	bin := LookPath(t, "pactl", "pulseaudio-utils")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = p.env
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("pactl %v: %v: %s", args, err, out)
	}
	return string(out)
}

// Pid returns the daemon's process id (for diagnostics).
func (p *Pulse) Pid() string { return strconv.Itoa(p.cmd.Process.Pid) }
