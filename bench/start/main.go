// Command start is the `tafel start` benchmark of `make bench` (issue #5):
// the time from running `tafel start ROOM` to the join URL being opened, for
// a room whose slides are already attached, against the BBB simulator.
//
// Everything is real except the BBB server: the tafel binary (a fresh
// process per run), its settings and rooms files in a temporary HOME, the
// pool's secret in a real gnome-keyring on a private D-Bus, and the
// configured browser (a tiny shell script that reports the URL it was given
// through a FIFO, which marks "opened"). Two figures:
//
//   - fresh: the meeting does not exist yet: create with the room's
//     settings and its slide uploaded inline, then the moderator URL;
//   - rejoin: the lesson already runs: create answers duplicateWarning,
//     nothing is uploaded again.
//
// Reference, side by side: curl making one bare signed GET
// (isMeetingRunning) to the same simulator, also a fresh process per run.
// Target: median ≤ 300 ms for both figures; the command exits 1 when missed.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"github.com/tafel-schule/tafel/internal/testpdf"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/tafel-schule/tafel/bbbclient"
	"github.com/tafel-schule/tafel/config"
	"github.com/tafel-schule/tafel/internal/bbbsim"
	"github.com/tafel-schule/tafel/internal/testenv"
	"github.com/tafel-schule/tafel/rooms"
)

const (
	secret   = "bench-secret-not-a-real-one"
	roomName = "Mathe 7b"
	targetMS = 300.0
)

func main() {
	runs := flag.Int("runs", 15, "measured runs of each figure")
	bin := flag.String("tafel", "", "tafel binary to measure (default: build ./cmd/tafel)")
	tags := flag.String("tags", "migrated_fynedo", "build tags for the tafel binary")
	keep := flag.Bool("keep", false, "keep the temporary directory")
	flag.Parse()
	ok, err := orchestrate(*runs, *bin, *tags, *keep)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench/start:", err)
		os.Exit(2)
	}
	if !ok {
		os.Exit(1)
	}
}

type opened struct {
	at  time.Time
	url string
}

func orchestrate(runs int, bin, tags string, keep bool) (bool, error) {
	dir, err := os.MkdirTemp("", "tafel-bench-start-")
	if err != nil {
		return false, err
	}
	if keep {
		fmt.Fprintln(os.Stderr, "keeping", dir)
	} else {
		defer os.RemoveAll(dir)
	}
	if bin == "" {
		bin = filepath.Join(dir, "tafel")
		fmt.Fprintln(os.Stderr, "building tafel …")
		b := exec.Command("go", "build", "-tags", tags, "-o", bin, "./cmd/tafel")
		b.Stdout, b.Stderr = os.Stderr, os.Stderr
		if err := b.Run(); err != nil {
			return false, fmt.Errorf("go build: %w (run from the repository root)", err)
		}
	}
	curl, err := exec.LookPath("curl")
	if err != nil {
		return false, errors.New("curl is missing (apt-get install curl)")
	}

	// The simulator, in this process (hooks end meetings between runs).
	sim, err := bbbsim.New(bbbsim.Config{Secret: secret})
	if err != nil {
		return false, err
	}
	defer sim.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return false, err
	}
	srv := &http.Server{Handler: sim.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	defer srv.Close()
	api := "http://" + ln.Addr().String() + "/bigbluebutton/api"

	// A real Secret Service for the pool's secret.
	busBin, err1 := exec.LookPath("dbus-daemon")
	krBin, err2 := exec.LookPath("gnome-keyring-daemon")
	if err1 != nil || err2 != nil {
		return false, errors.New("dbus-daemon and gnome-keyring-daemon are needed (apt-get install dbus gnome-keyring)")
	}
	ss, err := testenv.LaunchSecretService(busBin, krBin, filepath.Join(dir, "kr"))
	if err != nil {
		return false, err
	}
	defer ss.Stop()

	home := filepath.Join(dir, "home")
	env := append(os.Environ(), "HOME="+home, "XDG_CONFIG_HOME="+filepath.Join(home, ".config"),
		"XDG_CACHE_HOME="+filepath.Join(home, ".cache"), "DBUS_SESSION_BUS_ADDRESS="+ss.Address, "LANG=en_US.UTF-8")
	tafel := func(stdin string, args ...string) error {
		c := exec.Command(bin, args...)
		c.Env = env
		c.Stdin = strings.NewReader(stdin)
		var errb strings.Builder
		c.Stderr = &errb
		if err := c.Run(); err != nil {
			return fmt.Errorf("tafel %s: %v: %s", args[0], err, strings.TrimSpace(errb.String()))
		}
		return nil
	}
	slide := filepath.Join(dir, "bruchrechnung.pdf")
	if err := os.WriteFile(slide, testpdf.Pages(12, "", 0), 0o600); err != nil {
		return false, err
	}
	for _, step := range [][]string{
		{secret, "pool", "add", "Sim", "--url", api},
		{"", "rooms", "add", roomName},
		{"", "slides", roomName, slide},
	} {
		if err := tafel(step[0], step[1:]...); err != nil {
			return false, err
		}
	}

	// The "browser": reports its argument through a FIFO.
	fifo := filepath.Join(dir, "opened.fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		return false, err
	}
	browser := filepath.Join(dir, "browser.sh")
	script := "#!/bin/sh\nprintf '%s\\n' \"$1\" > '" + fifo + "'\n"
	if err := os.WriteFile(browser, []byte(script), 0o700); err != nil {
		return false, err
	}
	cfgPath := filepath.Join(home, ".config", "tafel", config.UserFileName)
	u, err := config.LoadUser(cfgPath)
	if err != nil {
		return false, err
	}
	u.Browser = browser
	if err := config.SaveUser(cfgPath, u); err != nil {
		return false, err
	}
	events := make(chan opened, 1)
	go readFIFO(fifo, events)

	store, err := rooms.OpenStore(filepath.Join(home, ".config", "tafel", rooms.FileName))
	if err != nil {
		return false, err
	}
	room, err := store.Get(roomName)
	if err != nil {
		return false, err
	}

	startOnce := func() (time.Duration, string, error) {
		c := exec.Command(bin, "start", roomName, "--name", "Frau Bench")
		c.Env = env
		var errb strings.Builder
		c.Stderr = &errb
		t0 := time.Now()
		if err := c.Start(); err != nil {
			return 0, "", err
		}
		var ev opened
		select {
		case ev = <-events:
		case <-time.After(30 * time.Second):
			c.Process.Kill()
			c.Wait()
			return 0, "", fmt.Errorf("browser never opened: %s", errb.String())
		}
		if err := c.Wait(); err != nil {
			return 0, "", fmt.Errorf("tafel start: %v: %s", err, errb.String())
		}
		return ev.at.Sub(t0), ev.url, nil
	}
	endMeeting := func() error {
		if _, ok := sim.Meeting(room.MeetingID); ok {
			return sim.EndMeeting(room.MeetingID)
		}
		return nil
	}

	// Warm-up (page cache, keyring unlock), not measured.
	if _, _, err := startOnce(); err != nil {
		return false, err
	}
	var fresh, rejoin []time.Duration
	var lastURL string
	for range runs {
		if err := endMeeting(); err != nil {
			return false, err
		}
		d, u, err := startOnce()
		if err != nil {
			return false, err
		}
		fresh = append(fresh, d)
		d, u2, err := startOnce()
		if err != nil {
			return false, err
		}
		rejoin = append(rejoin, d)
		if u2 == "" || u == "" {
			return false, errors.New("empty URL opened")
		}
		lastURL = u2
	}
	if err := verify(sim, room.MeetingID, lastURL); err != nil {
		return false, err
	}

	// Reference: one bare signed GET by curl, a fresh process each time.
	c, err := bbbclient.New(bbbclient.Options{BaseURL: api, Secret: secret})
	if err != nil {
		return false, err
	}
	q := &bbbclient.Params{}
	q.Set("meetingID", room.MeetingID)
	su, err := c.SignedCallURL("isMeetingRunning", q)
	if err != nil {
		return false, err
	}
	var ref []time.Duration
	for range runs {
		t0 := time.Now()
		if out, err := exec.Command(curl, "-sS", "-o", "/dev/null", "-w", "%{http_code}", su.Reveal()).Output(); err != nil || string(out) != "200" {
			return false, fmt.Errorf("curl reference: %v %s", err, out)
		}
		ref = append(ref, time.Since(t0))
	}

	fmt.Printf("tafel start → URL opened (room with 1 attached slide, %d runs each; gnome-keyring, simulator on loopback)\n", runs)
	fmt.Printf("%-44s %10s %10s   %-30s %10s %7s  %s\n", "figure", "median", "max", "reference", "median", "ratio", "target")
	refMed := median(ref)
	ok := true
	for _, f := range []struct {
		name string
		d    []time.Duration
	}{{"fresh meeting (create + inline slide)", fresh}, {"lesson already running (rejoin)", rejoin}} {
		m := median(f.d)
		pass := ms(m) <= targetMS
		ok = ok && pass
		verdict := "ok"
		if !pass {
			verdict = "MISSED"
		}
		fmt.Printf("%-44s %8.1fms %8.1fms   %-30s %8.1fms %6.1fx  ≤%.0fms %s\n", f.name, ms(m), ms(slices.Max(f.d)),
			"curl, one signed GET", ms(refMed), ms(m)/ms(refMed), targetMS, verdict)
	}
	return ok, nil
}

// verify checks that the opened URL really joins as moderator and the slide
// is on the whiteboard, so the benchmark measures a working start.
func verify(sim *bbbsim.Server, meetingID, raw string) error {
	jar, _ := cookiejar.New(nil)
	resp, err := (&http.Client{Jar: jar, Timeout: 10 * time.Second}).Get(raw)
	if err != nil {
		return errors.New("opened URL does not load")
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		return fmt.Errorf("opened URL: HTTP %d", resp.StatusCode)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := sim.WaitConversions(ctx); err != nil {
		return err
	}
	m, ok := sim.Meeting(meetingID)
	if !ok {
		return errors.New("meeting gone")
	}
	joined := false
	for _, u := range m.Users {
		joined = joined || (u.Role == bbbsim.RoleModerator && u.Joined)
	}
	ps := sim.Presentations(meetingID)
	if !joined || len(ps) != 1 || ps[0].Status != bbbsim.StatusConverted {
		return fmt.Errorf("after start: moderator joined %t, presentations %d", joined, len(ps))
	}
	return nil
}

func readFIFO(path string, out chan<- opened) {
	for {
		f, err := os.Open(path) // blocks until the browser script opens it
		if err != nil {
			return
		}
		line, _ := bufio.NewReader(f).ReadString('\n')
		at := time.Now()
		f.Close()
		// Reopening while the last writer still holds the FIFO gives an
		// immediate EOF: that is no new "opened".
		if u := strings.TrimSpace(line); u != "" {
			out <- opened{at: at, url: u}
		}
	}
}

func median(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
