package diagnostics

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tafel-schule/tafel/checkhistory"
	"github.com/tafel-schule/tafel/internal/testenv"
	"github.com/tafel-schule/tafel/translations"
)

const (
	testSecret = "pool-secret-7f3a9c"
	testToken  = "ai1wqj8wb6s7rnk0"
	testSum    = "0a1b2c3d4e5f60718293a4b5c6d7e8f9"
	signedURL  = "https://bbb.example.org/bigbluebutton/api/join?fullName=Frau+Meier&meetingID=m1&role=MODERATOR&checksum=" + testSum
)

var testNow = time.Date(2026, 11, 27, 14, 0, 0, 0, time.UTC)

// testSources is a realistic situation: a whole pre-flight 3 hours ago,
// a network check since, log records with secrets in them.
func testSources(t testing.TB, nLog int) Sources {
	t.Helper()
	h := &checkhistory.Store{Path: filepath.Join(t.TempDir(), "last-checks.json")}
	all, _ := json.Marshal(map[string]any{"duration_ms": 4200, "results": []map[string]string{
		{"check": "headset", "verdict": "pass", "code": "OK"}, {"check": "microphone", "verdict": "warn", "code": "NOISE_HIGH"},
		{"check": "network", "verdict": "pass", "code": "ok"}, {"check": "pool", "verdict": "fail", "code": "checksum_rejected"}}})
	must(t, h.Record("all", checkhistory.Entry{Time: testNow.Add(-3 * time.Hour), Verdict: "fail", Details: all}))
	net, _ := json.Marshal(map[string]any{"verdict": "pass", "servers": []map[string]any{
		{"url": "turn:10.0.0.5:3478?transport=udp", "username": "1735689600:w_testuser01", "credential": "BTWmnSIkRUhg0SFTNkdqab8Sg3Q="},
	}, "local_ip": "192.168.1.20", "note": "joined via " + signedURL})
	must(t, h.Record("network", checkhistory.Entry{Time: testNow.Add(-20 * time.Minute), Verdict: "pass", Code: "ok", Details: net}))
	var logs []LogEntry
	for i := range nLog {
		logs = append(logs, LogEntry{Time: testNow.Add(-time.Duration(i) * time.Minute), Level: "ERROR",
			Msg: "join failed: " + signedURL, Attrs: map[string]string{"session_token": testToken, "pool": "Schul-BBB",
				"err": "Get \"" + signedURL + "\": dial tcp 203.0.113.7:443: timeout", "secret": testSecret}})
	}
	return Sources{
		Version: "1.2.3", History: h, Lang: "de", Now: func() time.Time { return testNow },
		Config:         []ConfigValue{{Key: "language", Value: "de", Source: "user"}, {Key: "browser", Value: "firefox", Source: "managed", Locked: true}},
		ConfigWarnings: []string{"unknown key \"colour\" in managed.json"},
		AudioDevices: func(context.Context) ([]AudioDevice, error) {
			return []AudioDevice{{Name: "Jabra Evolve 40 Mono", Kind: "capture", Default: true, Headset: true},
				{Name: "Built-in Speakers", Kind: "playback", Speaker: true}}, nil
		},
		Pools:     []PoolStatus{{Name: "Schul-BBB", URL: "https://bbb.example.org/bigbluebutton/api?checksum=x", InKeyring: true, Default: true}},
		LogErrors: func() ([]LogEntry, error) { return logs, nil },
		Secrets:   []string{testSecret, testToken},
		OS:        &OSInfo{OS: "linux", Arch: "amd64", Distro: "Debian GNU/Linux 13", Desktop: "GNOME", Session: "wayland", Language: "de_DE.UTF-8"},
	}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

var needles = []string{testSecret, testToken, testSum, "checksum=", "sessionToken", "fullName=", "Frau+Meier",
	"1735689600:w_testuser01", "BTWmnSIkRUhg0SFTNkdqab8Sg3Q="}

func TestBuildRedactsEverything(t *testing.T) {
	r, err := Build(context.Background(), testSources(t, 3))
	must(t, err)
	j, err := r.JSON()
	must(t, err)
	h, err := r.HTML(translations.New("de"))
	must(t, err)
	for name, out := range map[string][]byte{"json": j, "html": h} {
		for _, n := range needles {
			if bytes.Contains(out, []byte(n)) {
				t.Errorf("%s contains a needle (#%d)", name, indexOf(needles, n))
			}
		}
	}
	var m map[string]any
	must(t, json.Unmarshal(j, &m))
	if m["format"] != "tafel-report" || m["format_version"] != float64(1) {
		t.Errorf("format fields: %v %v", m["format"], m["format_version"])
	}
	// Verdicts up front: the summary has the four checks, the network line
	// from the newer single run.
	want := map[string]string{"headset": "pass", "microphone": "warn", "network": "pass", "pool": "fail"}
	for _, l := range r.Summary.Checks {
		if want[l.Check] != l.Verdict {
			t.Errorf("%s: %s, want %s", l.Check, l.Verdict, want[l.Check])
		}
		if l.Check == "network" && l.Age != "vor 20 Minuten" || l.Check == "pool" && l.Age != "vor 3 Stunden" {
			t.Errorf("%s age %q", l.Check, l.Age)
		}
		if l.Message == "" {
			t.Errorf("%s has no sentence", l.Check)
		}
	}
	if r.Summary.Verdict != "fail" || len(r.Summary.Pools) != 1 || !strings.Contains(r.Summary.Pools[0].Text, "Schlüsselbund: ja") {
		t.Errorf("summary: %+v", r.Summary)
	}
	if !bytes.Contains(h, []byte("&#34;url&#34;: &#34;turn:10.0.0.5:3478?transport=udp&#34;,")) ||
		!bytes.Contains(h, []byte("api/join&#34;,\n")) {
		t.Error("the TURN URI with its transport is gone; IT needs it")
	}
	if r.Pools[0].URL != "https://bbb.example.org/bigbluebutton/api" {
		t.Errorf("pool URL %q", r.Pools[0].URL)
	}
	checkHTML(t, h, "de")
}

func TestRedactIPs(t *testing.T) {
	src := testSources(t, 2)
	src.RedactIPs = true
	r, err := Build(context.Background(), src)
	must(t, err)
	j, _ := r.JSON()
	h, _ := r.HTML(translations.New("en"))
	for _, out := range [][]byte{j, h} {
		for _, ip := range []string{"10.0.0.5", "192.168.1.20", "203.0.113.7"} {
			if bytes.Contains(out, []byte(ip)) {
				t.Errorf("IP %s survived", ip)
			}
		}
		if !bytes.Contains(out, []byte("[ip:private]")) || !bytes.Contains(out, []byte("[ip:public]")) {
			t.Error("no class tags")
		}
	}
	checkHTML(t, h, "en")
}

// The last gate works: an output with a known secret is refused, even if
// the redaction before it missed it.
func TestVerificationCatchesUnredacted(t *testing.T) {
	r := &Report{secrets: []string{testSecret}}
	if _, err := r.final([]byte("leaked " + testSecret)); !errors.Is(err, ErrUnsafe) {
		t.Fatalf("final passed a secret: %v", err)
	} else if strings.Contains(err.Error(), testSecret) {
		t.Fatal("the error names the secret")
	}
	// A secret with brackets cannot be redacted around the marker; Build
	// then refuses instead of writing it.
	src := testSources(t, 1)
	odd := "[x]" + testSecret + "[y]"
	src.Secrets = append(src.Secrets, odd)
	src.ConfigWarnings = append(src.ConfigWarnings, odd)
	r2, err := Build(context.Background(), src)
	if err == nil {
		if j, err := r2.JSON(); err == nil && bytes.Contains(j, []byte(odd)) {
			t.Fatal("a secret got into the JSON")
		}
	}
}

func TestFailingPartsBecomeNotes(t *testing.T) {
	src := testSources(t, 0)
	src.AudioDevices = func(ctx context.Context) ([]AudioDevice, error) { return nil, errors.New("no sound system") }
	src.LogErrors = nil
	src.History = nil
	r, err := Build(context.Background(), src)
	must(t, err)
	if len(r.Notes) != 3 {
		t.Errorf("notes: %q", r.Notes)
	}
	if r.Summary.Verdict != "unknown" {
		t.Errorf("verdict %s without history", r.Summary.Verdict)
	}
	h, err := r.HTML(translations.New("de"))
	must(t, err)
	checkHTML(t, h, "de")
}

func TestWriteFiles(t *testing.T) {
	r, err := Build(context.Background(), testSources(t, 1))
	must(t, err)
	dir := t.TempDir()
	hp, jp, err := WriteFiles(dir, r, translations.New("de"))
	must(t, err)
	stamp := testNow.Local().Format("20060102-150405")
	if filepath.Base(hp) != "tafel-report-"+stamp+".html" || filepath.Base(jp) != "tafel-report-"+stamp+".json" {
		t.Errorf("names %s %s", hp, jp)
	}
	for _, p := range []string{hp, jp} {
		fi, err := os.Stat(p)
		must(t, err)
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s mode %v", p, fi.Mode())
		}
	}
	// A folder that cannot be made (a file is in the way): nothing is
	// left behind.
	must(t, os.WriteFile(filepath.Join(dir, "file"), nil, 0o600))
	_, _, err = WriteFiles(filepath.Join(dir, "file", "sub"), r, translations.New("de"))
	if err == nil {
		t.Fatal("wrote into a missing folder")
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 3 {
		t.Errorf("%d files in the folder", len(ents))
	}
}

func TestAge(t *testing.T) {
	tr := translations.New("de")
	for d, want := range map[time.Duration]string{10 * time.Second: "gerade eben", time.Minute: "vor 1 Minute",
		3 * time.Hour: "vor 3 Stunden", 72 * time.Hour: "vor 3 Tagen"} {
		if got := Age(tr, testNow, testNow.Add(-d)); got != want {
			t.Errorf("%v: %q, want %q", d, got, want)
		}
	}
}

// checkHTML parses the page and checks it is self-contained: no scripts,
// no remote resources, the language set, verdicts with words.
func checkHTML(t *testing.T, page []byte, lang string) {
	t.Helper()
	testenv.CheckSelfContainedHTML(t, page, lang)
	if !bytes.Contains(page, []byte(`class="badge`)) {
		t.Error("no verdict badges")
	}
}

func indexOf(list []string, s string) int {
	for i, v := range list {
		if v == s {
			return i
		}
	}
	return -1
}

// The home directory names the teacher's login: the report shows "~".
func TestHomeDirShownAsTilde(t *testing.T) {
	for _, home := range []string{"/home/frau.meier", `C:\Users\frau.meier`} {
		src := testSources(t, 1)
		src.HomeDir = home
		sep := "/"
		if strings.Contains(home, `\`) {
			sep = `\`
		}
		src.Config = append(src.Config, ConfigValue{Key: "browser", Value: home + sep + "bin" + sep + "firefox", Source: "user"},
			ConfigValue{Key: "other", Value: home + "x" + sep + "keep", Source: "user"})
		src.LogErrors = func() ([]LogEntry, error) {
			return []LogEntry{{Time: testNow, Level: "WARN", Msg: "cannot open " + home + sep + "Folien.pdf"}}, nil
		}
		r, err := Build(context.Background(), src)
		must(t, err)
		j, err := r.JSON()
		must(t, err)
		h, err := r.HTML(translations.New("de"))
		must(t, err)
		for name, out := range map[string]string{"json": string(j), "html": string(h)} {
			if strings.Contains(out, home+sep) {
				t.Errorf("%s (%s) holds the home directory", name, home)
			}
			if !strings.Contains(out, "frau.meierx") {
				t.Errorf("%s (%s): a longer name was cut", name, home)
			}
		}
		if !strings.Contains(string(j), `"~`) {
			t.Errorf("no ~ in the JSON for %s", home)
		}
	}
}
