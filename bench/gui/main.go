//go:build linux

// Command gui is the GUI benchmark of `make bench` (issue #6): Tafel's
// desktop window against the smallest Fyne app (bench/barewindow, built
// with the same tags), side by side in the same run.
//
//	go run -tags migrated_fynedo ./bench/gui [-app PATH] [-app-args "ARGS"] [-title TITLE] [-prepare CMD] [-tray] [-runs 5] [-launches 10]
//
// Each launch gets a fresh Xvfb (Mesa llvmpipe, no window manager), a fresh
// private D-Bus session bus (no tray host, no Secret Service) and a fresh
// temporary HOME. Runs are interleaved (app, reference, app, reference, …)
// so load from elsewhere on the machine hits both alike. Figures, medians
// over the runs:
//
//   - launch: from exec to the window being mapped (an X MapNotify seen by
//     xev for a window with the expected title). With -warm (default) each
//     HOME first gets one unmeasured launch, so font and shader caches are
//     warm as on a teacher's laptop from the second start on;
//   - idle RSS 10 s after launch (VmRSS, /proc/PID/status), and PSS
//     (/proc/PID/smaps_rollup) for information;
//   - idle CPU from second 10 to second 20 (utime+stime, /proc/PID/stat;
//     resolution one clock tick, 10 ms).
//
// Goals: launch ≤ 1.2×, RSS ≤ 1.15×, CPU ≤ 1.0× the bare window (CPU with
// a tolerance of two clock ticks, the measurement's resolution). The
// command exits 1 when a goal is missed, 2 on errors.
//
// By default the app is Tafel as a teacher meets it every morning: built
// from ./cmd/tafel, started without arguments, with a pool set up (its
// secret in a real gnome-keyring on the private bus) and three rooms, so the
// main window shows and the first-run window does not (-setup tafel; the
// pool's address does not resolve and is never contacted at start).
//
// -prepare runs a shell command before each launch (with HOME, DISPLAY and
// DBUS_SESSION_BUS_ADDRESS of that launch, and $APP set to the app binary),
// e.g. to write a configuration so Tafel's first-run window stays away.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/tafel-schule/tafel/internal/testenv"
)

const refTitle = "Bare Fyne window"

type config struct {
	runs, launches int
	idle, cpuSpan  time.Duration
	warm, tray     bool
	// setupTafel prepares each HOME as a set-up teacher's (pool, secret in
	// the keyring, rooms).
	setupTafel bool
	tools      tools
}

type tools struct{ xvfb, xev, xdotool, dbus, keyring string }

// subject is one program under test.
type subject struct {
	name    string
	bin     string
	args    []string
	title   string
	prepare string
	setup   bool // gets the teacher's set-up HOME with -setup tafel
}

type sample struct {
	launch   time.Duration
	idle     bool // the idle figures below were measured
	rssKB    int64
	pssKB    int64
	cpuTicks int64 // utime+stime, in 1/clkTck s
	cpuNS    int64 // sum of the threads' schedstat run time; -1 if unavailable
}

func main() {
	app := flag.String("app", "", "GUI binary to measure (default: build ./cmd/tafel)")
	appArgs := flag.String("app-args", "", "arguments for the app, split at spaces")
	title := flag.String("title", "Tafel", "exact title of the app's window")
	prepare := flag.String("prepare", "", "shell command run before each app launch (HOME etc. set, $APP = binary)")
	runs := flag.Int("runs", 5, "launches of each program with the 20 s idle measurement")
	launches := flag.Int("launches", 10, "extra launch-only runs of each program (launch time is noisier than the idle figures)")
	idle := flag.Duration("idle", 10*time.Second, "time after launch before RSS is read and the CPU window starts")
	cpuSpan := flag.Duration("cpu", 10*time.Second, "length of the idle CPU window")
	warm := flag.Bool("warm", true, "one unmeasured launch per fresh HOME first (warm font and shader caches)")
	tray := flag.Bool("tray", false, "put a tray host (fake StatusNotifierWatcher) on each bus, as on KDE")
	setup := flag.String("setup", "tafel", `"tafel": each HOME gets a set-up pool (secret in gnome-keyring on the bus) and rooms; "none": nothing`)
	tags := flag.String("tags", "migrated_fynedo", "build tags for the programs built here")
	keep := flag.Bool("keep", false, "keep the temporary directory")
	flag.Parse()

	ok, err := run(*app, strings.Fields(*appArgs), *title, *prepare, *tags, *keep,
		config{runs: *runs, launches: *launches, idle: *idle, cpuSpan: *cpuSpan, warm: *warm, tray: *tray, setupTafel: *setup == "tafel"})
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench/gui:", err)
		os.Exit(2)
	}
	if !ok {
		os.Exit(1)
	}
}

func run(app string, appArgs []string, title, prepare, tags string, keep bool, cfg config) (bool, error) {
	var err error
	if cfg.tools, err = findTools(); err != nil {
		return false, err
	}
	dir, err := os.MkdirTemp("", "tafel-bench-gui-")
	if err != nil {
		return false, err
	}
	if keep {
		fmt.Fprintln(os.Stderr, "keeping", dir)
	} else {
		defer os.RemoveAll(dir)
	}

	ref := filepath.Join(dir, "barewindow")
	if err := goBuild(tags, ref, "./bench/barewindow"); err != nil {
		return false, err
	}
	if app == "" {
		app = filepath.Join(dir, "tafel")
		if err := goBuild(tags, app, "./cmd/tafel"); err != nil {
			return false, err
		}
	} else if app, err = filepath.Abs(app); err != nil {
		return false, err
	}
	subjects := []subject{
		{name: filepath.Base(app), bin: app, args: appArgs, title: title, prepare: prepare, setup: true},
		{name: "bare window", bin: ref, title: refTitle},
	}

	// Interleaved: app, reference, app, reference, … so that load from
	// elsewhere on the machine hits both alike. Launch-only runs first.
	results := make([][]sample, len(subjects))
	for i := range cfg.launches + cfg.runs {
		idle := i >= cfg.launches
		for j, s := range subjects {
			smp, err := measure(cfg, s, filepath.Join(dir, fmt.Sprintf("run%d-%d", i, j)), idle)
			if err != nil {
				return false, fmt.Errorf("%s, run %d: %w", s.name, i+1, err)
			}
			if idle {
				fmt.Fprintf(os.Stderr, "run %2d %-12s launch %6.3f s  RSS %6.1f MB  PSS %6.1f MB  CPU %4d ms (schedstat %4d ms)\n",
					i+1, s.name, smp.launch.Seconds(), mb(smp.rssKB), mb(smp.pssKB), smp.cpuTicks*1000/clkTck, smp.cpuNS/1e6)
			} else {
				fmt.Fprintf(os.Stderr, "run %2d %-12s launch %6.3f s\n", i+1, s.name, smp.launch.Seconds())
			}
			results[j] = append(results[j], smp)
		}
	}
	return report(os.Stdout, cfg, filepath.Base(app), results[0], results[1]), nil
}

func findTools() (tools, error) {
	var t tools
	var missing []string
	for _, x := range []struct {
		dst      *string
		cmd, pkg string
	}{
		{&t.xvfb, "Xvfb", "xvfb"}, {&t.xev, "xev", "x11-utils"},
		{&t.xdotool, "xdotool", "xdotool"}, {&t.dbus, "dbus-daemon", "dbus-daemon"},
		{&t.keyring, "gnome-keyring-daemon", "gnome-keyring"},
	} {
		p, err := exec.LookPath(x.cmd)
		if err != nil {
			missing = append(missing, x.pkg)
			continue
		}
		*x.dst = p
	}
	if len(missing) > 0 {
		return t, fmt.Errorf("missing tools; install them with: apt-get install %s", strings.Join(missing, " "))
	}
	return t, nil
}

func goBuild(tags, out, pkg string) error {
	start := time.Now()
	b := exec.Command("go", "build", "-tags", tags, "-o", out, pkg)
	b.Stdout, b.Stderr = os.Stderr, os.Stderr
	if err := b.Run(); err != nil {
		return fmt.Errorf("go build %s: %w (run from the repository root)", pkg, err)
	}
	fmt.Fprintf(os.Stderr, "built %s in %s\n", pkg, time.Since(start).Round(100*time.Millisecond))
	return nil
}

// measure launches s once in a fresh X server, bus and HOME below dir.
func measure(cfg config, s subject, dir string, idle bool) (sample, error) {
	var smp sample
	home := filepath.Join(dir, "home")
	if err := os.MkdirAll(home, 0o700); err != nil {
		return smp, err
	}
	x, err := testenv.LaunchXvfb(cfg.tools.xvfb)
	if err != nil {
		return smp, err
	}
	defer x.Stop()
	// Short path: the bus socket lives below it.
	busDir, err := os.MkdirTemp("", "tafel-bgb-")
	if err != nil {
		return smp, err
	}
	defer os.RemoveAll(busDir)
	keyringBin := ""
	if cfg.setupTafel && s.setup {
		keyringBin = cfg.tools.keyring
	}
	bus, err := testenv.LaunchSecretService(cfg.tools.dbus, keyringBin, busDir)
	if err != nil {
		return smp, err
	}
	defer bus.Stop()
	if keyringBin != "" {
		if err := setUpTeacher(home, bus.Address); err != nil {
			return smp, fmt.Errorf("setting up the teacher's HOME: %w", err)
		}
	}
	if cfg.tray {
		w, err := testenv.LaunchSNIWatcher(bus.Address)
		if err != nil {
			return smp, err
		}
		defer w.Close()
	}
	env := testenv.XEnv(x.Display, bus.Address, home)

	if s.prepare != "" {
		p := exec.Command("sh", "-c", s.prepare)
		p.Env = append(env, "APP="+s.bin)
		p.Dir = home
		if out, err := p.CombinedOutput(); err != nil {
			return smp, fmt.Errorf("prepare: %v\n%s", err, out)
		}
	}
	if cfg.warm {
		a, err := launch(cfg, s, x.Display, env)
		if err != nil {
			return smp, fmt.Errorf("warm-up launch: %w", err)
		}
		a.stop()
	}

	a, err := launch(cfg, s, x.Display, env)
	if err != nil {
		return smp, err
	}
	defer a.stop()
	smp.launch = a.mapped.Sub(a.started)
	if !idle {
		return smp, nil
	}
	smp.idle = true

	if err := a.sleepUntil(a.started.Add(cfg.idle)); err != nil {
		return smp, err
	}
	if smp.rssKB, err = statusKB(a.pid(), "status", "VmRSS:"); err != nil {
		return smp, err
	}
	if smp.pssKB, err = statusKB(a.pid(), "smaps_rollup", "Pss:"); err != nil {
		return smp, err
	}
	c0, err := cpuTicks(a.pid())
	if err != nil {
		return smp, err
	}
	n0 := schedNS(a.pid())
	if err := a.sleepUntil(a.started.Add(cfg.idle + cfg.cpuSpan)); err != nil {
		return smp, err
	}
	c1, err := cpuTicks(a.pid())
	if err != nil {
		return smp, err
	}
	n1 := schedNS(a.pid())
	smp.cpuTicks = c1 - c0
	smp.cpuNS = -1
	if n0 >= 0 && n1 >= 0 {
		smp.cpuNS = n1 - n0
	}
	return smp, nil
}

// running is a launched program whose window is mapped.
type running struct {
	cmd             *exec.Cmd
	stderr          *tailBuffer
	exited          chan struct{}
	started, mapped time.Time
}

func (r *running) pid() int { return r.cmd.Process.Pid }

// sleepUntil waits for t, failing if the program exits meanwhile.
func (r *running) sleepUntil(t time.Time) error {
	select {
	case <-r.exited:
		return fmt.Errorf("program exited while idle: %v\n%s", r.cmd.ProcessState, r.stderr)
	case <-time.After(time.Until(t)):
		return nil
	}
}

func (r *running) stop() {
	_ = r.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-r.exited:
	case <-time.After(5 * time.Second):
		_ = r.cmd.Process.Kill()
		<-r.exited
	}
}

// launch starts s and returns once its window is mapped. xev watches the
// root window's children (substructure events), so the mapping time is the
// moment the X server reports it, not a polling interval later.
func launch(cfg config, s subject, display string, env []string) (*running, error) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	maps, err := watchMaps(ctx, cfg.tools.xev, display)
	if err != nil {
		return nil, err
	}
	r := &running{stderr: &tailBuffer{max: 4096}, exited: make(chan struct{})}
	r.cmd = exec.Command(s.bin, s.args...)
	r.cmd.Env = env
	r.cmd.Stdout = io.Discard
	r.cmd.Stderr = r.stderr
	r.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	r.started = time.Now()
	if err := r.cmd.Start(); err != nil {
		return nil, err
	}
	go func() { r.cmd.Wait(); close(r.exited) }()

	deadline := time.After(60 * time.Second)
	poll := time.NewTicker(time.Second)
	defer poll.Stop()
	for {
		select {
		case m := <-maps:
			if isTitled(cfg.tools.xdotool, display, m.window, s.title) {
				r.mapped = m.at
				return r, nil
			}
		case <-poll.C:
			// Safety net: the window exists but xev reported no mapping
			// (it connected too late). Never report a polled time.
			if len(testenv.VisibleWindows(ctx, cfg.tools.xdotool, display, s.title)) > 0 {
				select {
				case m := <-maps:
					if isTitled(cfg.tools.xdotool, display, m.window, s.title) {
						r.mapped = m.at
						return r, nil
					}
				case <-time.After(time.Second):
				}
				r.stop()
				return nil, errors.New("window appeared but xev missed its mapping; run again")
			}
		case <-r.exited:
			return nil, fmt.Errorf("program exited before showing window %q: %v\n%s", s.title, r.cmd.ProcessState, r.stderr)
		case <-deadline:
			r.stop()
			return nil, fmt.Errorf("no window titled %q within 60 s (see -title)\n%s", s.title, r.stderr)
		}
	}
}

type mapEvent struct {
	window string
	at     time.Time
}

var mapWindowRE = regexp.MustCompile(`event 0x[0-9a-f]+, window (0x[0-9a-f]+)`)

// watchMaps runs `xev -root -event substructure` until ctx ends and
// reports each MapNotify with the time its line arrived.
func watchMaps(ctx context.Context, xev, display string) (<-chan mapEvent, error) {
	cmd := exec.CommandContext(ctx, xev, "-display", display, "-root", "-event", "substructure")
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	ch := make(chan mapEvent, 16)
	go func() {
		defer cmd.Wait()
		sc := bufio.NewScanner(out)
		var mapAt time.Time
		for sc.Scan() {
			line := sc.Text()
			if strings.HasPrefix(line, "MapNotify event") {
				mapAt = time.Now()
				continue
			}
			if !mapAt.IsZero() {
				if m := mapWindowRE.FindStringSubmatch(line); m != nil {
					select {
					case ch <- mapEvent{window: m[1], at: mapAt}:
					default:
					}
				}
				mapAt = time.Time{}
			}
		}
	}()
	// xev prints nothing when it is ready; it connects and selects events
	// within milliseconds, long before a Fyne app maps its window (≥ 0.1 s
	// of start-up). The safety net in launch catches a miss.
	time.Sleep(300 * time.Millisecond)
	return ch, nil
}

// isTitled reports whether window (hex, as xev prints it) is a viewable
// window titled title, matched as testenv's window helpers match titles.
func isTitled(xdotool, display, window, title string) bool {
	id, err := strconv.ParseUint(strings.TrimPrefix(window, "0x"), 16, 64)
	if err != nil {
		return false
	}
	return slices.Contains(testenv.VisibleWindows(context.Background(), xdotool, display, title), strconv.FormatUint(id, 10))
}

// statusKB reads a "Key:   123 kB" line from /proc/PID/<file>.
func statusKB(pid int, file, key string) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/%s", pid, file))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, key); ok {
			f := strings.Fields(rest)
			if len(f) > 0 {
				return strconv.ParseInt(f[0], 10, 64)
			}
		}
	}
	return 0, fmt.Errorf("no %s in /proc/%d/%s", key, pid, file)
}

// cpuTicks is utime+stime of the process (all its threads, live and
// exited) from /proc/PID/stat.
func cpuTicks(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name (field 2) may hold spaces; fields after ")" are fixed.
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, errors.New("malformed /proc stat")
	}
	f := strings.Fields(s[i+1:])
	// f[0] is field 3 (state); utime and stime are fields 14 and 15.
	if len(f) < 13 {
		return 0, errors.New("short /proc stat")
	}
	u, err1 := strconv.ParseInt(f[11], 10, 64)
	st, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, errors.New("malformed /proc stat times")
	}
	return u + st, nil
}

// schedNS sums the time on CPU (ns, exact) of the process's live threads
// from /proc/PID/task/*/schedstat; -1 when the kernel has no schedstat.
// utime+stime is sampled in ticks, too coarse for an idle app's ~0.1 s.
func schedNS(pid int) int64 {
	tasks, err := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid))
	if err != nil {
		return -1
	}
	var sum int64
	for _, t := range tasks {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%s/schedstat", pid, t.Name()))
		if err != nil {
			continue // the thread just ended
		}
		f := strings.Fields(string(b))
		if len(f) == 0 {
			return -1
		}
		n, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			return -1
		}
		sum += n
	}
	return sum
}

// clkTck is USER_HZ, which is 100 on every Linux architecture Go supports
// for user-visible /proc times.
const clkTck = 100

func mb(kb int64) float64 { return float64(kb) / 1024 }

func median[T int64 | time.Duration](xs []T) T {
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

func report(w io.Writer, cfg config, appName string, app, ref []sample) bool {
	med := func(xs []sample, idleOnly bool, f func(sample) int64) int64 {
		var v []int64
		for _, x := range xs {
			if x.idle || !idleOnly {
				v = append(v, f(x))
			}
		}
		if len(v) == 0 {
			return 0
		}
		return median(v)
	}
	both := func(idleOnly bool, f func(sample) int64) (int64, int64) {
		return med(app, idleOnly, f), med(ref, idleOnly, f)
	}
	launchA, launchR := both(false, func(s sample) int64 { return int64(s.launch) })
	rssA, rssR := both(true, func(s sample) int64 { return s.rssKB })
	pssA, pssR := both(true, func(s sample) int64 { return s.pssKB })
	ticksA, ticksR := both(true, func(s sample) int64 { return s.cpuTicks })
	nsA, nsR := both(true, func(s sample) int64 { return s.cpuNS })

	ratio := func(a, b int64) float64 {
		if b <= 0 {
			if a <= 0 {
				return 1
			}
			return 99
		}
		return float64(a) / float64(b)
	}
	warm := "warm caches (one unmeasured launch per HOME first)"
	if !cfg.warm {
		warm = "cold caches"
	}
	if cfg.tray {
		warm += ", tray host on the bus"
	}
	fmt.Fprintf(w, "GUI benchmark: %s vs bare Fyne window, interleaved; launch: median of %d launches each, idle figures: median of %d;\n",
		appName, cfg.launches+cfg.runs, cfg.runs)
	fmt.Fprintf(w, "fresh Xvfb %s, private D-Bus and HOME per launch, %s.\n\n", "1280x800x24 (llvmpipe)", warm)
	fmt.Fprintf(w, "%-30s %12s %12s %8s %16s  %s\n", "figure", appName, "bare window", "ratio", "goal", "")
	allOK := true
	row := func(name, a, b string, r float64, goal string, ok *bool) {
		v := "(info)"
		if ok != nil {
			v = "ok"
			if !*ok {
				v = "MISSED"
				allOK = false
			}
		}
		fmt.Fprintf(w, "%-30s %12s %12s %7.2f× %16s  %s\n", name, a, b, r, goal, v)
	}
	check := func(b bool) *bool { return &b }
	if cfg.launches+cfg.runs > 0 {
		r := ratio(launchA, launchR)
		row("launch → window mapped", fmt.Sprintf("%.3f s", time.Duration(launchA).Seconds()),
			fmt.Sprintf("%.3f s", time.Duration(launchR).Seconds()), r, "≤ 1.20×", check(r <= 1.2))
	}
	if cfg.runs == 0 {
		return allOK
	}
	r := ratio(rssA, rssR)
	row(fmt.Sprintf("idle RSS after %s", cfg.idle), fmt.Sprintf("%.1f MB", mb(rssA)), fmt.Sprintf("%.1f MB", mb(rssR)), r, "≤ 1.15×", check(r <= 1.15))
	row(fmt.Sprintf("idle PSS after %s", cfg.idle), fmt.Sprintf("%.1f MB", mb(pssA)), fmt.Sprintf("%.1f MB", mb(pssR)), ratio(pssA, pssR), "", nil)
	span := fmt.Sprintf("s %d–%d", int(cfg.idle.Seconds()), int((cfg.idle + cfg.cpuSpan).Seconds()))
	// The goal is judged on the exact schedstat figure when the kernel has
	// it, with 10 ms of slack (0.1 % of a core over 10 s: below what
	// separates two runs of the same binary); utime+stime counts 10 ms
	// ticks, so it gets two ticks of slack.
	if nsA >= 0 && nsR >= 0 {
		row("idle CPU "+span+" (utime+stime)", fmt.Sprintf("%d ms", ticksA*1000/clkTck), fmt.Sprintf("%d ms", ticksR*1000/clkTck), ratio(ticksA, ticksR), "", nil)
		row("idle CPU "+span+" (schedstat)", fmt.Sprintf("%.1f ms", float64(nsA)/1e6), fmt.Sprintf("%.1f ms", float64(nsR)/1e6),
			ratio(nsA, nsR), "≤ 1.00× (+10 ms)", check(nsA <= nsR+10_000_000))
	} else {
		row("idle CPU "+span+" (utime+stime)", fmt.Sprintf("%d ms", ticksA*1000/clkTck), fmt.Sprintf("%d ms", ticksR*1000/clkTck),
			ratio(ticksA, ticksR), "≤ 1.00× (+20 ms)", check(ticksA <= ticksR+2))
	}
	return allOK
}

// tailBuffer keeps the last max bytes written (the app's stderr).
type tailBuffer struct {
	max int
	mu  sync.Mutex
	b   []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.b = append(t.b, p...)
	if len(t.b) > t.max {
		t.b = t.b[len(t.b)-t.max:]
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.b)
}
