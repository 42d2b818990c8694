//go:build linux

package main

import (
	"context"
	"encoding/json"
	"image"
	"image/png"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tafel-schule/tafel/internal/testenv"
)

// childArgsEnv makes the test binary run `tafel ARGS…` instead of the
// tests: the end-to-end test starts the real app this way, so it runs with
// the race detector like every other test.
const childArgsEnv = "TAFEL_TEST_CHILD_ARGS"

func TestMain(m *testing.M) {
	if raw, ok := os.LookupEnv(childArgsEnv); ok {
		var args []string
		if err := json.Unmarshal([]byte(raw), &args); err != nil {
			os.Exit(exitUsage)
		}
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		code := run(ctx, args, os.Stdout, os.Stderr)
		stop()
		os.Exit(code)
	}
	os.Exit(m.Run())
}

// guiEnv is one private desktop: X server, session bus with a fake tray
// host, a headset-like sound server and a fresh HOME.
type guiEnv struct {
	display, bus, home string
	watcher            *testenv.SNIWatcher
	env                []string
}

func newGUIEnv(t *testing.T) *guiEnv {
	t.Helper()
	g := &guiEnv{}
	g.display = testenv.StartXvfb(t)
	g.bus = testenv.StartSessionBus(t)
	g.watcher = testenv.StartSNIWatcher(t, g.bus)
	ph := testenv.StartPulseHeadset(t)
	home, err := os.MkdirTemp("", "tafel-e2e-home-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(home) })
	g.home = home
	for _, d := range []string{".cache", ".config", ".local/share"} {
		if err := os.MkdirAll(filepath.Join(home, d), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	g.env = append(testenv.XEnv(g.display, g.bus, home),
		"PULSE_SERVER="+ph.Server, "LANG=en_US.UTF-8", "LANGUAGE=", "LC_ALL=", "LC_MESSAGES=",
		"XDG_RUNTIME_DIR="+home,
		// Not this machine's /etc/xdg/tafel (a managed language would
		// change every window).
		"TAFEL_CONFIG_DIR="+filepath.Join(home, "admin"))
	return g
}

// start runs `tafel args…` as a child in the private desktop.
func (g *guiEnv) start(t *testing.T, args ...string) (*exec.Cmd, *testenv.SyncBuffer, <-chan error) {
	t.Helper()
	raw, _ := json.Marshal(args)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(append([]string(nil), g.env...), childArgsEnv+"="+string(raw), childGORACE)
	out := &testenv.SyncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	t.Cleanup(func() {
		select {
		case <-done:
		default:
			_ = cmd.Process.Signal(syscall.SIGTERM)
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				_ = cmd.Process.Kill()
			}
		}
		if t.Failed() {
			t.Logf("tafel %v output:\n%s", args, out.String())
		}
	})
	return cmd, out, done
}

// artifactDir keeps screenshots for people to look at (CI keeps the
// checkout's .artifacts directory).
func artifactDir(t *testing.T) string {
	dir := os.Getenv("TAFEL_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join("..", "..", ".artifacts", "e2e")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestGUIDemoEndToEnd runs `tafel demo` on a virtual X server with a fake
// tray host: the main window renders, the tray menu lists the demo rooms,
// "Start lesson" runs the pre-flight (its window renders) and opens the
// moderator link in the (test) browser, a second launch hands over to the
// first, and Quit from the tray ends the app.
func TestGUIDemoEndToEnd(t *testing.T) {
	g := newGUIEnv(t)
	opened := filepath.Join(g.home, "opened.txt")
	browser := filepath.Join(g.home, "browser.sh")
	script := "#!/bin/sh\nprintf '%s\\n' \"$1\" >> '" + opened + "'\n"
	if err := os.WriteFile(browser, []byte(script), 0o700); err != nil {
		t.Fatal(err)
	}
	_, out, done := g.start(t, "demo", "--browser", browser, "--lang", "en")

	mainTitle := "Tafel – demo (no real server)"
	testenv.WaitForWindow(t, g.display, mainTitle, 90*time.Second)
	time.Sleep(time.Second) // first frame
	arts := artifactDir(t)
	shotMain := filepath.Join(arts, "main-window.png")
	testenv.Screenshot(t, g.display, shotMain)
	assertRendered(t, shotMain)

	item := g.watcher.WaitForItem(t, 60*time.Second)
	// The rooms reach the tray once the main window has loaded them (off
	// the UI goroutine), and the tray rebuilds its menu item by item: wait
	// for the whole menu instead of reading the first one.
	wantItems := []string{"Mathe 7b", "Check headset and network", "Open Tafel", "Quit Tafel"}
	menu := item.Menu(t)
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); menu = item.Menu(t) {
		all := true
		for _, want := range wantItems {
			_, ok := testenv.FindMenuItem(menu, want)
			all = all && ok
		}
		if room, ok := testenv.FindMenuItem(menu, "Mathe 7b"); all && ok && len(room.Children) >= 4 {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	for _, want := range wantItems {
		if _, ok := testenv.FindMenuItem(menu, want); !ok {
			t.Fatalf("tray menu lacks %q: %+v", want, menu)
		}
	}
	room, _ := testenv.FindMenuItem(menu, "Mathe 7b")
	start, ok := testenv.FindMenuItem(room.Children, "Start lesson")
	if !ok {
		t.Fatalf("room menu lacks Start lesson: %+v", room)
	}
	item.Click(t, start.ID)

	// Never checked before: the pre-flight runs first, in its window.
	testenv.WaitForWindow(t, g.display, preflightTitleEN, 60*time.Second)
	time.Sleep(500 * time.Millisecond)
	shotPF := filepath.Join(arts, "preflight-window.png")
	testenv.Screenshot(t, g.display, shotPF)
	assertRendered(t, shotPF)

	link := waitForFile(t, opened, 90*time.Second)
	u, err := url.Parse(strings.TrimSpace(strings.SplitN(link, "\n", 2)[0]))
	if err != nil || !strings.HasSuffix(u.Path, "/join") || u.Query().Get("role") != "MODERATOR" || u.Hostname() != "127.0.0.1" {
		t.Fatalf("browser got no moderator join link of the demo pool (path %q, role %q)", u.Path, u.Query().Get("role"))
	}
	if strings.Contains(out.String(), u.RawQuery) {
		t.Error("the signed join link was printed")
	}

	// A second launch hands over to the running one and exits.
	_, out2, done2 := g.start(t, "demo", "--lang", "en")
	select {
	case err := <-done2:
		if err != nil {
			t.Fatalf("second launch: %v\n%s", err, out2.String())
		}
	case <-time.After(60 * time.Second):
		t.Fatal("second launch did not hand over")
	}
	checkChildRaces(t, out2.String())
	if !strings.Contains(out2.String(), "already running") {
		t.Errorf("second launch said: %s", out2.String())
	}

	quit, _ := testenv.FindMenuItem(item.Menu(t), "Quit Tafel")
	item.Click(t, quit.ID)
	select {
	case err := <-done:
		checkChildRaces(t, out.String())
		if err != nil {
			t.Fatalf("tafel demo exited with %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Quit from the tray did not end the app")
	}

	// The demo ran a pre-flight and a lesson on its own workspace: the
	// user's real settings, rooms and check history were never touched.
	for _, p := range []string{".config/tafel", ".cache/tafel/last-checks.json"} {
		if _, err := os.Stat(filepath.Join(g.home, p)); !os.IsNotExist(err) {
			t.Errorf("the demo wrote the user's %s (%v)", p, err)
		}
	}
}

func waitForFile(t *testing.T, path string, timeout time.Duration) string {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if b, err := os.ReadFile(path); err == nil && len(b) > 0 {
			return string(b)
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("%s did not appear within %s", filepath.Base(path), timeout)
	return ""
}

// assertRendered is the loose screenshot comparison: the screen is not
// blank (a window with text and widgets shows many distinct colours and
// contrast) and, when a reference image is committed, it matches it
// roughly (mean difference of 16×16 grey thumbnails).
func assertRendered(t *testing.T, path string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	colours := map[uint32]bool{}
	b := img.Bounds()
	var lo, hi uint32 = 0xffff, 0
	for y := b.Min.Y; y < b.Max.Y; y += 3 {
		for x := b.Min.X; x < b.Max.X; x += 3 {
			r, gg, bb, _ := img.At(x, y).RGBA()
			colours[r>>8<<16|gg>>8<<8|bb>>8] = true
			l := (r + gg + bb) / 3
			lo, hi = min(lo, l), max(hi, l)
		}
	}
	if len(colours) < 20 || hi-lo < 0x4000 {
		t.Errorf("%s looks blank: %d colours, contrast %d", filepath.Base(path), len(colours), hi-lo)
	}
	ref := filepath.Join("testdata", "e2e", filepath.Base(path))
	if rf, err := os.Open(ref); err == nil {
		defer rf.Close()
		want, err := png.Decode(rf)
		if err != nil {
			t.Fatal(err)
		}
		if d := thumbDiff(img, want); d > 0.12 {
			t.Errorf("%s differs from %s by %.0f %% (limit 12 %%)", filepath.Base(path), ref, d*100)
		}
	}
}

// thumbDiff is the mean absolute difference (0…1) of 16×16 grey
// thumbnails: robust against font hinting and small layout shifts, not
// against a missing window or a different screen.
func thumbDiff(a, b image.Image) float64 {
	ta, tb := thumb(a), thumb(b)
	var sum float64
	for i := range ta {
		d := ta[i] - tb[i]
		if d < 0 {
			d = -d
		}
		sum += d
	}
	return sum / float64(len(ta))
}

func thumb(img image.Image) []float64 {
	const n = 16
	out := make([]float64, n*n)
	cnt := make([]float64, n*n)
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 2 {
		for x := b.Min.X; x < b.Max.X; x += 2 {
			r, g, bl, _ := img.At(x, y).RGBA()
			i := (y-b.Min.Y)*n/b.Dy()*n + (x-b.Min.X)*n/b.Dx()
			out[i] += float64(r+g+bl) / 3 / 0xffff
			cnt[i]++
		}
	}
	for i := range out {
		if cnt[i] > 0 {
			out[i] /= cnt[i]
		}
	}
	return out
}
