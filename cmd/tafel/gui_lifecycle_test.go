//go:build linux

package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tafel-schule/tafel/internal/filelock"
	"github.com/tafel-schule/tafel/internal/testenv"
)

// waitExit waits for a child started with guiEnv.start and returns its
// exit code.
func waitExit(t *testing.T, done <-chan error, out *testenv.SyncBuffer, within time.Duration, what string) int {
	t.Helper()
	select {
	case err := <-done:
		var ee *exec.ExitError
		switch {
		case err == nil:
			return 0
		case errors.As(err, &ee):
			return ee.ExitCode()
		}
		t.Fatalf("%s: %v", what, err)
	case <-time.After(within):
		t.Fatalf("%s: still running after %v\n%s", what, within, out.String())
	}
	return -1
}

// A DISPLAY that names no X server: a clear sentence and exit 3, for the
// app and for the demo — not a GLFW panic with a stack trace.
func TestGUIDisplayUnreachable(t *testing.T) {
	home := t.TempDir()
	for _, args := range [][]string{{"--lang", "en"}, {"demo", "--lang", "en"}} {
		raw, _ := json.Marshal(args)
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + home, "XDG_RUNTIME_DIR=" + home, "LANG=en_US.UTF-8",
			"DISPLAY=:" + freeDisplayNumber(), childArgsEnv + "=" + string(raw)}
		out, err := cmd.CombinedOutput()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != exitUsage {
			t.Errorf("%v: %v\n%s", args, err, out)
		}
		if s := string(out); !strings.Contains(s, "cannot be reached") || strings.Contains(s, "panic") || strings.Contains(s, "goroutine ") {
			t.Errorf("%v said:\n%s", args, s)
		}
	}
}

// freeDisplayNumber is an X display number no server listens on.
func freeDisplayNumber() string {
	for n := 917; ; n++ {
		if _, err := os.Stat(filepath.Join("/tmp/.X11-unix", "X"+strconv.Itoa(n))); errors.Is(err, fs.ErrNotExist) {
			return strconv.Itoa(n)
		}
	}
}

// The first instance hangs (it holds the single-instance lock but never
// answers): a second launch says so and exits instead of running a second
// Tafel next to it. Then `tafel demo` quits cleanly on SIGTERM: exit 0,
// its temporary workspace and sheets gone, its socket removed.
func TestGUINotRespondingAndSIGTERM(t *testing.T) {
	g := newGUIEnv(t)
	tmp := filepath.Join(g.home, "tmp")
	if err := os.Mkdir(tmp, 0o700); err != nil {
		t.Fatal(err)
	}
	g.env = append(g.env, "TMPDIR="+tmp)

	// XDG_RUNTIME_DIR is g.home: the lock a hung Tafel would hold.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	unlock, err := filelock.Lock(ctx, filepath.Join(g.home, appID))
	cancel()
	if err != nil {
		t.Fatal(err)
	}
	_, out, done := g.start(t, "--lang", "en")
	if code := waitExit(t, done, out, 60*time.Second, "second launch next to a hung Tafel"); code != exitFail {
		t.Errorf("exit %d, want %d\n%s", code, exitFail, out.String())
	}
	if !strings.Contains(out.String(), "does not respond") {
		t.Errorf("second launch said:\n%s", out.String())
	}
	unlock()

	cmd, out, done := g.start(t, "demo", "--lang", "en")
	testenv.WaitForWindow(t, g.display, "Tafel – demo (no real server)", 90*time.Second)
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := waitExit(t, done, out, 30*time.Second, "demo after SIGTERM"); code != exitOK {
		t.Errorf("exit %d after SIGTERM\n%s", code, out.String())
	}
	left, _ := os.ReadDir(tmp)
	for _, e := range left {
		if strings.HasPrefix(e.Name(), "tafel-") {
			t.Errorf("left behind in TMPDIR: %s", e.Name())
		}
	}
	if _, err := os.Stat(filepath.Join(g.home, demoInstanceID+".sock")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("single-instance socket left: %v", err)
	}
}

// A second launch while the first Tafel is still starting (here: waiting
// for the rooms file lock, before the Fyne app exists) is answered, the
// first one does not crash (fyne.Do without an app panics), and it shows
// its window once started.
func TestGUIShowWhileStarting(t *testing.T) {
	g := newGUIEnv(t)
	roomsFile := filepath.Join(g.home, ".config", "tafel", "rooms.json")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	unlock, err := filelock.Lock(ctx, roomsFile)
	cancel()
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if unlock != nil {
			unlock()
		}
	}()
	cmd, out, done := g.start(t, "--hidden", "--lang", "en")

	// The first instance listens before it opens the rooms; ask it to show
	// itself the way a second launch does.
	sock := filepath.Join(g.home, appID+".sock")
	var answer string
	deadline := time.Now().Add(60 * time.Second)
	for answer == "" && time.Now().Before(deadline) {
		if c, err := net.DialTimeout("unix", sock, time.Second); err == nil {
			c.SetDeadline(time.Now().Add(10 * time.Second))
			io.WriteString(c, "show\n")
			line, _ := bufio.NewReader(c).ReadString('\n')
			c.Close()
			answer = strings.TrimSpace(line)
			if answer == "" {
				break // connection closed without an answer
			}
		} else {
			time.Sleep(50 * time.Millisecond)
		}
	}
	if answer != "ok" {
		t.Fatalf("show request answered %q\n%s", answer, out.String())
	}
	unlock()
	unlock = nil

	testenv.WaitForWindow(t, g.display, "Tafel", 90*time.Second)
	select {
	case err := <-done:
		t.Fatalf("first instance ended: %v\n%s", err, out.String())
	default:
	}
	cmd.Process.Signal(syscall.SIGTERM)
	if code := waitExit(t, done, out, 30*time.Second, "tafel after SIGTERM"); code != exitOK {
		t.Errorf("exit %d\n%s", code, out.String())
	}
}
