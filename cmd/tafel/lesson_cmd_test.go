package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tafel-schule/tafel/checkhistory"
	"github.com/tafel-schule/tafel/config"
	"github.com/tafel-schule/tafel/internal/bbbsim"
	"github.com/tafel-schule/tafel/internal/testenv"
	"github.com/tafel-schule/tafel/rooms"
)

const cliSecret = "cli-test-secret-7f3a"

// lessonEnv is a temporary HOME, a simulator, in-memory secrets and a fake
// browser that records what it was asked to open.
type lessonEnv struct {
	t       *testing.T
	sim     *bbbsim.Server
	api     string
	home    string
	mu      sync.Mutex
	opened  []string
	browser []string
	stdin   string
	history *checkhistory.Store
}

func newLessonEnv(t *testing.T) *lessonEnv {
	t.Helper()
	home := testenv.TempHome(t)
	sim, err := bbbsim.New(bbbsim.Config{Secret: cliSecret})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sim.Handler())
	t.Cleanup(func() { srv.Close(); sim.Close() })
	le := &lessonEnv{t: t, sim: sim, api: srv.URL + "/bigbluebutton/api", home: home,
		history: &checkhistory.Store{Path: filepath.Join(home, "checks.json")}}
	saved := world
	t.Cleanup(func() { world = saved })
	mem := &config.MemorySecrets{}
	world.secrets = func() config.Secrets { return mem }
	world.stdinIsTerminal = func() bool { return false }
	world.history = func() *checkhistory.Store { return le.history }
	world.opener = func(browser string) rooms.Opener {
		return func(u rooms.JoinURL) error {
			le.mu.Lock()
			defer le.mu.Unlock()
			le.opened = append(le.opened, u.Reveal())
			le.browser = append(le.browser, browser)
			return nil
		}
	}
	return le
}

// run runs the CLI with stdin and returns exit code, stdout, stderr.
func (le *lessonEnv) run(stdin string, args ...string) (int, string, string) {
	le.t.Helper()
	world.stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	code := run(ctx, append(args, "--lang", "en"), &out, &errb)
	for _, s := range []string{out.String(), errb.String()} {
		if strings.Contains(s, cliSecret) {
			le.t.Fatalf("output contains the shared secret: %v", args)
		}
	}
	return code, out.String(), errb.String()
}

func (le *lessonEnv) lastOpened() string {
	le.mu.Lock()
	defer le.mu.Unlock()
	if len(le.opened) == 0 {
		le.t.Fatal("nothing was opened")
	}
	return le.opened[len(le.opened)-1]
}

func joinInBrowser(t *testing.T, raw string) (int, string) {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	resp, err := (&http.Client{Jar: jar, Timeout: 20 * time.Second}).Get(raw)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var errs []struct{ Key string }
	if e := resp.Request.URL.Query().Get("errors"); e != "" && json.Unmarshal([]byte(e), &errs) == nil && len(errs) > 0 {
		return resp.StatusCode, errs[0].Key
	}
	return resp.StatusCode, ""
}

func TestLessonCLIRoundTrip(t *testing.T) {
	le := newLessonEnv(t)

	// pool add: secret from stdin (not a terminal), never echoed.
	if code, _, errs := le.run(cliSecret+"\n", "pool", "add", "Schul-BBB", "--url", le.api); code != exitOK {
		t.Fatalf("pool add: %d %s", code, errs)
	}
	cfgRaw, _ := os.ReadFile(filepath.Join(le.home, ".config", "tafel", "config.json"))
	if strings.Contains(string(cfgRaw), cliSecret) || !strings.Contains(string(cfgRaw), "Schul-BBB") {
		t.Fatalf("config.json: %s", cfgRaw)
	}
	if code, _, _ := le.run(cliSecret, "pool", "add", "Schul-BBB", "--url", le.api); code != exitUsage {
		t.Fatal("adding the same pool twice needs --replace")
	}
	code, out, _ := le.run("", "pool", "list", "--json")
	var pools []poolJSON
	if code != exitOK || json.Unmarshal([]byte(out), &pools) != nil || len(pools) != 1 || !pools[0].Default || pools[0].Checksum != "sha256" {
		t.Fatalf("pool list: %d %s", code, out)
	}
	if code, out, errs := le.run("", "pool", "test", "--json"); code != exitOK || !strings.Contains(out, `"ok": true`) {
		t.Fatalf("pool test: %d %s %s", code, out, errs)
	}

	// rooms add with the default preset and an override.
	if code, _, errs := le.run("", "rooms", "add", "Mathe 7b", "--welcome", "Hallo 7b!", "--set", "max_participants=40"); code != exitOK || !strings.Contains(errs, "Lesson") {
		t.Fatalf("rooms add: %d %s", code, errs)
	}
	code, out, _ = le.run("", "rooms", "list", "--json")
	var list []roomJSON
	if code != exitOK || json.Unmarshal([]byte(out), &list) != nil || len(list) != 1 {
		t.Fatalf("rooms list: %s", out)
	}
	if list[0].Settings["mute_on_start"] != "true" || list[0].Settings["max_participants"] != "40" || list[0].Preset != "lesson" {
		t.Fatalf("room settings: %+v", list[0])
	}

	// start: opens the moderator link (with a recent audio check: no echo test).
	le.history.Record(checkhistory.Audio, checkhistory.Entry{Time: time.Now().Add(-5 * time.Minute), Verdict: "pass"})
	code, out, errs := le.run("", "start", "mathe 7B", "--name", "Frau Müller", "--json")
	if code != exitOK {
		t.Fatalf("start: %d %s", code, errs)
	}
	var sj startJSON
	if json.Unmarshal([]byte(out), &sj) != nil || !sj.Opened || !sj.EchoTestSkipped || sj.JoinURL != "" || sj.AlreadyRunning {
		t.Fatalf("start json: %s", out)
	}
	if strings.Contains(out+errs, "checksum=") {
		t.Fatal("signed URL printed without --print-url")
	}
	link := le.lastOpened()
	if !strings.Contains(link, "role=MODERATOR") || !strings.Contains(link, "userdata-bbb_skip_check_audio_on_first_join=true") {
		t.Fatal("moderator link parameters")
	}
	if status, key := joinInBrowser(t, link); status != 200 || key != "" {
		t.Fatalf("teacher join: %d %s", status, key)
	}
	m, _ := le.sim.Meeting(list[0].MeetingID)
	if m.Settings.MaxParticipants != 40 || !m.Settings.MuteOnStart || m.Settings.Welcome != "Hallo 7b!" {
		t.Fatalf("meeting settings: %+v", m.Settings)
	}

	// --print-url: the link on stdout, nothing opened; the meeting is reused.
	n := len(le.opened)
	code, out, errs = le.run("", "start", "Mathe 7b", "--print-url")
	if code != exitOK || !strings.HasPrefix(out, le.api+"/join?") || len(le.opened) != n || !strings.Contains(errs, "already running") {
		t.Fatalf("print-url: %d %q %s", code, out, errs)
	}

	// Rotating the ID ends the running lesson; the old teacher link dies.
	if code, _, errs := le.run("", "rooms", "edit", "Mathe 7b", "--rotate-id"); code != exitOK || !strings.Contains(errs, "new meeting ID") {
		t.Fatalf("rotate: %d %s", code, errs)
	}
	time.Sleep(5 * time.Millisecond)
	if _, key := joinInBrowser(t, link); key == "" {
		t.Fatal("old link still works after rotation")
	}
	_, out, _ = le.run("", "rooms", "list", "--json")
	json.Unmarshal([]byte(out), &list)
	if list[0].MeetingID == m.MeetingID {
		t.Fatal("meeting ID not rotated")
	}

	// Export / import round trip.
	exportPath := filepath.Join(le.home, "export.json")
	if code, _, errs := le.run("", "rooms", "export", "--out", exportPath); code != exitOK {
		t.Fatalf("export: %s", errs)
	}
	if code, _, _ := le.run("", "rooms", "remove", "Mathe 7b"); code != exitOK {
		t.Fatal("remove")
	}
	if code, out, errs := le.run("", "rooms", "import", exportPath, "--json"); code != exitOK || !strings.Contains(out, `"Mathe 7b"`) {
		t.Fatalf("import: %d %s %s", code, out, errs)
	}
	if code, _, errs := le.run("", "rooms", "import", exportPath); code != exitWarn || !strings.Contains(errs, "--replace") {
		t.Fatalf("import again: %d %s", code, errs)
	}

	// pool remove deletes the secret too.
	if code, _, _ := le.run("", "pool", "remove", "Schul-BBB"); code != exitOK {
		t.Fatal("pool remove")
	}
	if _, err := world.secrets().Get(context.Background(), "pool:Schul-BBB"); !errors.Is(err, config.ErrSecretNotFound) {
		t.Fatal("secret left behind")
	}
	if code, _, errs := le.run("", "start", "Mathe 7b"); code != exitUsage || !strings.Contains(errs, "tafel pool add") {
		t.Fatalf("start without pool: %d %s", code, errs)
	}
}

func TestLessonCLIErrors(t *testing.T) {
	le := newLessonEnv(t)
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"pool"}, exitUsage, "tafel pool add"},
		{[]string{"pool", "add", "X"}, exitUsage, "--url"},
		{[]string{"pool", "add", "X", "--url", "http://bbb.example.org"}, exitUsage, "https://"},
		{[]string{"pool", "add", "X", "--url", "https://bbb.example.org", "--checksum", "sha384"}, exitUsage, "sha256"},
		{[]string{"pool", "add", "X", "--url", "https://bbb.example.org", "--bogus"}, exitUsage, "bogus"},
		{[]string{"rooms", "add", "M"}, exitUsage, "2 to 64"},
		{[]string{"rooms", "add", "Mathe", "--preset", "disco"}, exitUsage, "lesson, parents, staff"},
		{[]string{"rooms", "add", "Mathe", "--set", "colour=red"}, exitUsage, "mute_on_start"},
		{[]string{"rooms", "add", "Mathe", "--set", "mute_on_start=maybe"}, exitUsage, "true/false"},
		{[]string{"rooms", "edit", "Nope", "--welcome", "x"}, exitUsage, "no room"},
		{[]string{"start", "Nope"}, exitUsage, "no room"},
		{[]string{"start"}, exitUsage, "Usage: tafel start"},
	} {
		code, _, errs := le.run("", c.args...)
		if code != c.code || !strings.Contains(errs, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want %d containing %q", c.args, code, errs, c.code, c.want)
		}
	}
	// An empty secret is refused.
	if code, _, errs := le.run("\n", "pool", "add", "X", "--url", le.api); code != exitUsage || !strings.Contains(errs, "No secret") {
		t.Fatalf("empty secret: %d %s", code, errs)
	}
	// A wrong secret: pool test says so, exit 2.
	le.run("wrong-secret", "pool", "add", "X", "--url", le.api)
	if code, out, errs := le.run("", "pool", "test", "X", "--json"); code != exitFail || !strings.Contains(errs, "rejects the secret") || !strings.Contains(out, "checksum_rejected") {
		t.Fatalf("wrong secret: %d %s %s", code, out, errs)
	}
	// An unreachable pool.
	le.run("s", "pool", "add", "Gone", "--url", "http://127.0.0.1:1/bigbluebutton/api")
	if code, _, errs := le.run("", "pool", "test", "Gone"); code != exitFail || !strings.Contains(errs, "cannot be reached") {
		t.Fatalf("unreachable: %d %s", code, errs)
	}
	// German messages.
	var out, errb bytes.Buffer
	run(context.Background(), []string{"start", "Nope", "--lang", "de"}, &out, &errb)
	if !strings.Contains(errb.String(), "Einen Raum „Nope“ gibt es nicht") {
		t.Fatalf("German: %s", errb.String())
	}
}

// No keyring on the machine: a clear message, nothing half-saved.
func TestLessonCLINoKeyring(t *testing.T) {
	le := newLessonEnv(t)
	testenv.StartBusWithoutSecretService(t)
	world.secrets = func() config.Secrets { return config.Keyring{Timeout: 20 * time.Second} }
	code, _, errs := le.run(cliSecret, "pool", "add", "Schul-BBB", "--url", le.api)
	if code != exitFail || !strings.Contains(errs, "no keyring") {
		t.Fatalf("no keyring: %d %s", code, errs)
	}
	if _, err := os.Stat(filepath.Join(le.home, ".config", "tafel", "config.json")); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("pool saved although its secret could not be stored")
	}
}

// The whole loop with the real Secret Service (gnome-keyring).
func TestLessonCLIRealKeyring(t *testing.T) {
	le := newLessonEnv(t)
	testenv.StartKeyring(t)
	world.secrets = func() config.Secrets { return config.Keyring{Timeout: 20 * time.Second} }
	if code, _, errs := le.run(cliSecret+"\n", "pool", "add", "Schul-BBB", "--url", le.api); code != exitOK {
		t.Fatalf("pool add: %s", errs)
	}
	le.run("", "rooms", "add", "Kollegium", "--preset", "staff")
	if code, _, errs := le.run("", "start", "Kollegium", "--name", "Herr Roth"); code != exitOK {
		t.Fatalf("start: %s", errs)
	}
	if status, key := joinInBrowser(t, le.lastOpened()); status != 200 || key != "" {
		t.Fatalf("join: %d %s", status, key)
	}
}

// A damaged rooms file is kept aside with a clear message; work goes on.
func TestLessonCLICorruptRoomsFile(t *testing.T) {
	le := newLessonEnv(t)
	dir := filepath.Join(le.home, ".config", "tafel")
	os.MkdirAll(dir, 0o700)
	os.WriteFile(filepath.Join(dir, "rooms.json"), []byte("{ this is not json"), 0o600)
	code, _, errs := le.run("", "rooms", "add", "Mathe 7b")
	if code != exitWarn || !strings.Contains(errs, "was damaged") || !strings.Contains(errs, "rooms.json.corrupt-") {
		t.Fatalf("corrupt: %d %s", code, errs)
	}
	matches, _ := filepath.Glob(filepath.Join(dir, "rooms.json.corrupt-*"))
	if len(matches) != 1 {
		t.Fatalf("kept files: %v", matches)
	}
	if code, out, _ := le.run("", "rooms", "list"); code != exitOK || !strings.Contains(out, "Mathe 7b") {
		t.Fatalf("after recovery: %d %s", code, out)
	}
}

// The configured browser is used; a browser that fails is a clear error.
func TestStartBrowserChoiceAndFailure(t *testing.T) {
	le := newLessonEnv(t)
	le.run(cliSecret, "pool", "add", "Schul-BBB", "--url", le.api)
	le.run("", "rooms", "add", "Englisch 6c")
	path, _ := config.UserPath()
	u, _ := config.LoadUser(path)
	u.Browser = "firefox"
	config.SaveUser(path, u)
	if code, _, errs := le.run("", "start", "Englisch 6c"); code != exitOK {
		t.Fatalf("start: %s", errs)
	}
	if le.browser[len(le.browser)-1] != "firefox" {
		t.Fatalf("browser %q", le.browser)
	}
	world.opener = func(string) rooms.Opener {
		return func(rooms.JoinURL) error {
			return &rooms.Error{Code: rooms.CodeOpenFailed, Err: errors.New("exec: firefox: not found")}
		}
	}
	code, out, errs := le.run("", "start", "Englisch 6c", "--json")
	if code != exitFail || !strings.Contains(errs, "--print-url") || strings.Contains(out, "checksum") || !strings.Contains(out, `"opened": false`) {
		t.Fatalf("open failure: %d %s %s", code, out, errs)
	}
	// --print-url with --json: the explicit request puts the link into the JSON.
	code, out, _ = le.run("", "start", "Englisch 6c", "--json", "--print-url")
	var sj startJSON
	if code != exitOK || json.Unmarshal([]byte(out), &sj) != nil || !strings.Contains(sj.JoinURL, "checksum=") || sj.Opened {
		t.Fatalf("print-url json: %d %s", code, out)
	}
}

// At a terminal the secret is asked for with a prompt (echo off is done by
// readPasswordNoEcho); the answer is never printed.
func TestPoolAddPromptsAtTerminal(t *testing.T) {
	le := newLessonEnv(t)
	world.stdinIsTerminal = func() bool { return true }
	asked := false
	world.readPassword = func() (string, error) { asked = true; return cliSecret, nil }
	code, _, errs := le.run("", "pool", "add", "Schul-BBB", "--url", le.api)
	if code != exitOK || !asked || !strings.Contains(errs, "input stays hidden") {
		t.Fatalf("prompt: %d %t %s", code, asked, errs)
	}
	if code, _, errs := le.run("", "pool", "test"); code != exitOK {
		t.Fatalf("pool test after prompt: %s", errs)
	}
}

// A welcome text longer than the query string can carry is refused with the limit.
func TestRoomsWelcomeTooLong(t *testing.T) {
	le := newLessonEnv(t)
	code, _, errs := le.run("", "rooms", "add", "Physik 8a", "--welcome", strings.Repeat("ä", rooms.MaxWelcome+1))
	if code != exitUsage || !strings.Contains(errs, "1000") {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if code, _, errs := le.run("", "rooms", "add", "Physik 8a", "--welcome", strings.Repeat("ä", rooms.MaxWelcome)); code != exitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
}

// Replacing a pool under another spelling keeps its name, so its keyring
// entry is replaced rather than orphaned.
func TestPoolReplaceKeepsName(t *testing.T) {
	le := newLessonEnv(t)
	le.run(cliSecret+"\n", "pool", "add", "Schul-BBB", "--url", le.api)
	if code, _, errs := le.run(cliSecret+"\n", "pool", "add", "schul-bbb", "--url", le.api, "--replace"); code != exitOK {
		t.Fatalf("replace: %d %s", code, errs)
	}
	_, out, _ := le.run("", "pool", "list", "--json")
	var pools []poolJSON
	if json.Unmarshal([]byte(out), &pools) != nil || len(pools) != 1 || pools[0].Name != "Schul-BBB" {
		t.Fatalf("pools after replace: %s", out)
	}
	if code, _, errs := le.run("", "pool", "test"); code != exitOK {
		t.Fatalf("secret lost after replace: %d %s", code, errs)
	}
}

// A browser that stays in the foreground (firefox started with no window
// open yet is the browser process itself) must not keep `tafel start`
// waiting until the teacher closes it.
func TestStartDoesNotWaitForTheBrowser(t *testing.T) {
	le := newLessonEnv(t)
	le.run(cliSecret, "pool", "add", "Schul-BBB", "--url", le.api)
	le.run("", "rooms", "add", "Englisch 6c")
	old := rooms.OpenGrace
	rooms.OpenGrace = 200 * time.Millisecond
	t.Cleanup(func() { rooms.OpenGrace = old })
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	world.opener = func(string) rooms.Opener {
		return func(rooms.JoinURL) error { <-release; return nil }
	}
	start := time.Now()
	if code, _, errs := le.run("", "start", "Englisch 6c"); code != exitOK {
		t.Fatalf("start: %s", errs)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Fatalf("start waited %s for the browser", d)
	}
}
