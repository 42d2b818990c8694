package main

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tafel-schule/tafel/checkhistory"
	"github.com/tafel-schule/tafel/config"
	"github.com/tafel-schule/tafel/internal/bbbsim"
	"github.com/tafel-schule/tafel/internal/testenv"
	"github.com/tafel-schule/tafel/preflight"
)

// checkAllPoolEnv is a lesson environment whose default pool is a
// simulator handing out a real coturn.
func checkAllPoolEnv(t *testing.T) (*lessonEnv, *testenv.Coturn) {
	t.Helper()
	le := newLessonEnv(t)
	c := testenv.StartCoturn(t, testenv.CoturnOptions{})
	sim, err := bbbsim.New(bbbsim.Config{Secret: cliSecret, TURN: []bbbsim.TURNServer{{URL: c.URL("udp"), Secret: c.Secret}}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sim.Handler())
	t.Cleanup(func() { srv.Close(); sim.Close() })
	if code, _, errs := le.run(cliSecret+"\n", "pool", "add", "Schule", "--url", srv.URL+"/bigbluebutton/api"); code != exitOK {
		t.Fatalf("pool add: %s", errs)
	}
	return le, c
}

// noSoundSystem points PulseAudio clients at a socket that does not exist.
func noSoundSystem(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("PULSE_SERVER", "unix:"+filepath.Join(dir, "none"))
	t.Setenv("PULSE_COOKIE", filepath.Join(dir, "cookie"))
}

// The whole pre-flight from the CLI on a healthy setup: the JSON has the
// stable fields, every check has a row, no secret shows, history written.
func TestCheckAllJSON(t *testing.T) {
	testenv.StartPulseHeadset(t)
	le, c := checkAllPoolEnv(t)
	code, out, errs := le.run("", "check", "all", "--json")
	if code != exitOK && code != exitWarn {
		t.Fatalf("exit %d\n%s\n%s", code, out, errs)
	}
	var raw map[string]any
	if err := json.Unmarshal([]byte(out), &raw); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	for _, k := range []string{"verdict", "started_at", "duration_ms", "device_start_ms", "results"} {
		if _, ok := raw[k]; !ok {
			t.Errorf("JSON lacks %q", k)
		}
	}
	rows, _ := raw["results"].([]any)
	if len(rows) != 4 {
		t.Fatalf("results: %v", raw["results"])
	}
	for i, want := range []string{"headset", "microphone", "network", "pool"} {
		m := rows[i].(map[string]any)
		for _, k := range []string{"check", "verdict", "code", "message", "duration_ms", "details"} {
			if _, ok := m[k]; !ok {
				t.Errorf("%s row lacks %q: %v", want, k, m)
			}
		}
		if m["check"] != want || (m["verdict"] != "pass" && m["verdict"] != "warn") {
			t.Errorf("row %d: %v", i, m)
		}
		if want == "network" {
			items, _ := m["items"].([]any)
			if len(items) != 1 || !strings.HasPrefix(items[0].(map[string]any)["name"].(string), "UDP ") {
				t.Errorf("network items: %v", m["items"])
			}
		}
	}
	if strings.Contains(out+errs, c.Secret) {
		t.Error("output contains the TURN secret")
	}
	// Human output: one line per check with its light, then the summary.
	code, out, errs = le.run("", "check", "all")
	if code != exitOK && code != exitWarn {
		t.Fatalf("human: exit %d\n%s\n%s", code, out, errs)
	}
	t.Logf("stderr: %s\nstdout:\n%s", errs, out)
	for _, want := range []string{"Echo/headset:", "Microphone:", "Network:", "Pool:", "UDP ", "Overall: "} {
		if !strings.Contains(out, want) {
			t.Errorf("human output lacks %q", want)
		}
	}
	all := le.history.All()
	for _, kind := range []string{checkhistory.Audio, checkhistory.Network, checkhistory.Pool, preflight.HistoryAll} {
		if _, ok := all[kind]; !ok {
			t.Errorf("history lacks %s", kind)
		}
	}
}

// Nothing set up: no sound system, no pool. Every row is skipped with a
// sentence and a hint, exit 1 (nothing could be checked), one line each.
func TestCheckAllNothingSetUp(t *testing.T) {
	testenv.TempHome(t)
	noSoundSystem(t)
	saved := world
	t.Cleanup(func() { world = saved })
	h := &checkhistory.Store{Path: filepath.Join(t.TempDir(), "h.json")}
	world.history = func() *checkhistory.Store { return h }
	code, out, errs := runAll(t, "--backend", "pulseaudio", "--lang", "en")
	if code != exitWarn {
		t.Fatalf("exit %d\n%s\n%s", code, out, errs)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	skipped := 0
	for _, l := range lines {
		if strings.Contains(l, "Skipped") {
			skipped++
		}
	}
	if skipped < 4 || !strings.Contains(out, "Set up your pool first") || !strings.Contains(out, "No sound system") {
		t.Fatalf("output:\n%s", out)
	}
	code, out, _ = runAll(t, "--backend", "pulseaudio", "--lang", "de")
	if code != exitWarn || !strings.Contains(out, "Richten Sie zuerst Ihren Pool ein") || !strings.Contains(out, "Übersprungen") {
		t.Fatalf("German: exit %d\n%s", code, out)
	}
}

func runAll(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb strings.Builder
	code := run(context.Background(), append([]string{"check", "all"}, args...), &out, &errb)
	return code, out.String(), errb.String()
}

// A pool whose secret is gone from the keyring: the pool row fails with
// its sentence, audio still runs, and the exit code is a configuration
// error as in the other commands.
func TestCheckAllSecretMissing(t *testing.T) {
	noSoundSystem(t)
	le, _ := checkAllPoolEnv(t)
	world.secrets = func() config.Secrets { return &config.MemorySecrets{} }
	code, out, errs := le.run("", "check", "all", "--json", "--backend", "pulseaudio")
	if code != exitUsage {
		t.Fatalf("exit %d\n%s\n%s", code, out, errs)
	}
	var rep preflight.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	p := rep.Results[3]
	if p.Check != "pool" || p.Verdict != preflight.Fail || p.Code != config.CodeSecretNotFound || !strings.Contains(p.Message, "Schule") {
		t.Fatalf("pool row %+v", p)
	}
}

func TestCheckAllUsage(t *testing.T) {
	testenv.TempHome(t)
	for _, args := range [][]string{
		{"--timeout", "0s"},
		{"--timeout", "5m"},
		{"extra"},
		{"--no-such-flag"},
		{"--pool", "Unbekannt"},
	} {
		code, out, errs := runAll(t, args...)
		if code != exitUsage || out != "" || errs == "" {
			t.Errorf("%q: exit %d, stdout %q, stderr %q", args, code, out, errs)
		}
	}
	if _, ok := checkCommands["all"]; !ok {
		t.Error("not registered")
	}
}
