package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tafel-schule/tafel/checkhistory"
	"github.com/tafel-schule/tafel/config"
	"github.com/tafel-schule/tafel/internal/testenv"
)

// reportEnv gives `tafel report` a fresh HOME with one pool whose secret
// is in an in-memory keyring.
func reportEnv(t *testing.T) (home string, secret string) {
	t.Helper()
	home = testenv.TempHome(t)
	secret = "report-cmd-secret-0b7e"
	saved := world
	t.Cleanup(func() { world = saved })
	mem := &config.MemorySecrets{}
	world.secrets = func() config.Secrets { return mem }
	world.history = func() *checkhistory.Store { h, _ := checkhistory.Open(); return h }
	p, err := config.NewPool("Schul-BBB", "https://bbb.example.org/bigbluebutton/api", "")
	if err != nil {
		t.Fatal(err)
	}
	path, _ := config.UserPath()
	if err := config.SaveUser(path, &config.User{Pools: []config.Pool{p}, DefaultPool: "Schul-BBB"}); err != nil {
		t.Fatal(err)
	}
	if err := mem.Set(context.Background(), p.SecretKey(), secret); err != nil {
		t.Fatal(err)
	}
	return home, secret
}

func runReportArgs(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), append([]string{"report", "--lang", "de"}, args...), &out, &errb)
	return code, out.String(), errb.String()
}

func TestReportCommandJSON(t *testing.T) {
	home, secret := reportEnv(t)
	code, out, stderr := runReportArgs(t, "--json")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var m struct {
		Format string `json:"format"`
		Pools  []struct {
			Name      string `json:"name"`
			InKeyring bool   `json:"in_keyring"`
		} `json:"pools"`
		Config []struct{ Key, Source string } `json:"config"`
	}
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatalf("--json: %v", err)
	}
	if m.Format != "tafel-report" || len(m.Pools) != 1 || !m.Pools[0].InKeyring || len(m.Config) == 0 {
		t.Errorf("report: %+v", m)
	}
	if strings.Contains(out+stderr, secret) {
		t.Error("the secret is in the output")
	}
	// --json writes no files.
	ents, _ := os.ReadDir(home)
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), "tafel-report-") {
			t.Errorf("--json wrote %s", e.Name())
		}
	}
}

func TestReportCommandFiles(t *testing.T) {
	home, _ := reportEnv(t)
	dir := filepath.Join(home, "out")
	code, out, stderr := runReportArgs(t, "--out", dir, "--redact-ips")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	paths := strings.Fields(out)
	if len(paths) != 2 {
		t.Fatalf("stdout %q", out)
	}
	for _, p := range paths {
		if filepath.Dir(p) != dir {
			t.Errorf("%s not in --out", p)
		}
		// (checkPrivate lives in a linux-only file.)
		if fi, err := os.Stat(p); err != nil || fi.Mode().Perm()&0o077 != 0 {
			t.Errorf("%s: not private (%v)", filepath.Base(p), err)
		}
	}
	if !strings.Contains(stderr, "keine Kennwörter") {
		t.Errorf("stderr %q", stderr)
	}
}

func TestReportCommandErrors(t *testing.T) {
	home, _ := reportEnv(t)
	if code, _, _ := runReportArgs(t, "--bogus"); code != exitUsage {
		t.Errorf("unknown flag: exit %d", code)
	}
	if code, _, _ := runReportArgs(t, "extra"); code != exitUsage {
		t.Errorf("extra argument: exit %d", code)
	}
	if code, out, _ := runReportArgs(t, "--help"); code != exitOK || !strings.Contains(out, "tafel report") {
		t.Errorf("--help: exit %d %q", code, out)
	}
	if code, _, _ := runReportArgs(t, "--json", "--pool", "Gibt es nicht"); code != exitUsage {
		t.Errorf("unknown pool: exit %d", code)
	}
	// A folder that cannot be made: exit 2, a clear sentence, nothing left.
	blocker := filepath.Join(home, "datei")
	if err := os.WriteFile(blocker, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, stderr := runReportArgs(t, "--out", filepath.Join(blocker, "sub"))
	if code != exitFail || out != "" || !strings.Contains(stderr, "konnte nicht in") {
		t.Errorf("unwritable: exit %d, stdout %q, stderr %q", code, out, stderr)
	}
}

// The GUI's gatherer sees the same pools, with the GUI's own keyring.
func TestReportGatherer(t *testing.T) {
	reportEnv(t)
	mem := &config.MemorySecrets{} // empty: the secret is not in this one
	src := reportGatherer("de", "", mem, nil)(context.Background())
	if len(src.Pools) != 1 || src.Pools[0].InKeyring || src.Lang != "de" || src.AudioDevices == nil || src.LogErrors == nil {
		t.Errorf("sources: %+v", src)
	}
}

// The report shows each setting's source and lock, IT's pools as managed,
// and the problems in IT's files.
func TestReportShowsConfigLayers(t *testing.T) {
	reportEnv(t)
	admin := config.AdminDir()
	writeAdminFile(t, admin, config.ManagedFileName, `{"pools":[{"name":"Kreis-BBB","url":"https://bbb.kreis.example"}],"language":"de"}`)
	writeAdminFile(t, admin, config.RecommendedFileName, `{"browser":"chromium","colour":"red"}`)
	code, out, stderr := runReportArgs(t, "--json")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var m struct {
		Config []struct {
			Key, Value, Source string
			Locked             bool
		} `json:"config"`
		ConfigWarnings []string `json:"config_warnings"`
		Pools          []struct {
			Name    string `json:"name"`
			Managed bool   `json:"managed"`
		} `json:"pools"`
	}
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, c := range m.Config {
		got[c.Key] = c.Value + " " + c.Source + " " + map[bool]string{true: "locked", false: "open"}[c.Locked]
	}
	for key, want := range map[string]string{
		"language":            "de managed locked",
		"browser":             "chromium recommended open",
		"pools.Kreis-BBB":     "https://bbb.kreis.example/bigbluebutton/api managed locked",
		"pools.Schul-BBB":     "https://bbb.example.org/bigbluebutton/api user open",
		"check_before_lesson": "true default open",
	} {
		if got[key] != want {
			t.Errorf("%s = %q, want %q", key, got[key], want)
		}
	}
	if len(m.ConfigWarnings) != 1 || !strings.Contains(m.ConfigWarnings[0], "colour") {
		t.Errorf("warnings %q", m.ConfigWarnings)
	}
	managed := map[string]bool{}
	for _, p := range m.Pools {
		managed[p.Name] = p.Managed
	}
	if !managed["Kreis-BBB"] || managed["Schul-BBB"] || len(managed) != 2 {
		t.Errorf("pools %+v", m.Pools)
	}
}
