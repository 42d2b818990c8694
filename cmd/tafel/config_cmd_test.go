package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tafel-schule/tafel/config"
)

// writeAdminFile puts an admin file into dir (created as needed).
func writeAdminFile(t *testing.T, dir, name, content string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func configShow(t *testing.T, le *lessonEnv, args ...string) (int, configShowJSON) {
	t.Helper()
	code, out, errs := le.run("", append([]string{"config", "show", "--json"}, args...)...)
	var got configShowJSON
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("config show: %v\n%s\n%s", err, out, errs)
	}
	return code, got
}

func findValue(vals []config.Value, key string) config.Value {
	for _, v := range vals {
		if v.Key == key {
			return v
		}
	}
	return config.Value{Key: key, Value: "<missing>"}
}

// The fleet loop: IT's image ships managed.json (pool, language) and
// recommended.json (browser); the teacher sees and changes only the rest.
func TestFleetConfigCLI(t *testing.T) {
	le := newLessonEnv(t)
	admin := config.AdminDir() // TAFEL_CONFIG_DIR from TempHome
	writeAdminFile(t, admin, config.ManagedFileName, `{"version":1,
		"pools":[{"name":"Schul-BBB","url":"`+le.api+`"}],"default_pool":"Schul-BBB",
		"language":"de","presets":{"*":{"record":false},"lesson":{"lock_webcam":true}}}`)
	writeAdminFile(t, admin, config.RecommendedFileName, `{"browser":"chromium","close_to_tray":false}`)

	code, show := configShow(t, le)
	if code != exitOK || show.AdminDir != admin || show.AdminFiles["managed.json"] != "found" || len(show.Problems) != 0 {
		t.Fatalf("config show: %d %+v", code, show)
	}
	for key, want := range map[string]config.Value{
		"pools.Schul-BBB":            {Value: le.api, Source: config.SourceManaged, Locked: true},
		"default_pool":               {Value: "Schul-BBB", Source: config.SourceManaged, Locked: true},
		"language":                   {Value: "de", Source: config.SourceManaged, Locked: true},
		"browser":                    {Value: "chromium", Source: config.SourceRecommended},
		"close_to_tray":              {Value: "false", Source: config.SourceRecommended},
		"check_before_lesson":        {Value: "true", Source: config.SourceDefault},
		"presets.lesson.lock_webcam": {Value: "true", Source: config.SourceManaged, Locked: true},
	} {
		v := findValue(show.Values, key)
		if v.Value != want.Value || v.Source != want.Source || v.Locked != want.Locked {
			t.Errorf("%s = %+v, want %+v", key, v, want)
		}
	}
	// Text form: one line per value with its source.
	_, out, _ := le.run("", "config", "show")
	for _, want := range []string{"language", "set by IT – locked", "recommended by IT", admin} {
		if !strings.Contains(out, want) {
			t.Errorf("config show lacks %q:\n%s", want, out)
		}
	}

	// Managed values are refused with the reason; nothing is written.
	for _, args := range [][]string{
		{"config", "set", "language", "en"},
		{"config", "unset", "default_pool"},
		{"pool", "remove", "Schul-BBB"},
		{"pool", "add", "Schul-BBB", "--url", "https://elsewhere.example"},
		{"rooms", "add", "Mathe 7b", "--set", "lock_webcam=false"},
	} {
		code, _, errs := le.run("", args...)
		if code != exitUsage || !strings.Contains(errs, "school's IT") {
			t.Errorf("%v: exit %d, %q", args, code, errs)
		}
	}
	if _, err := os.Stat(filepath.Join(le.home, ".config", "tafel", "config.json")); err == nil {
		b, _ := os.ReadFile(filepath.Join(le.home, ".config", "tafel", "config.json"))
		if strings.Contains(string(b), "language") || strings.Contains(string(b), "elsewhere") {
			t.Errorf("refused change written:\n%s", b)
		}
	}

	// The teacher's own settings work, and win over IT's recommendation.
	if code, _, errs := le.run("", "config", "set", "browser", "firefox"); code != exitOK {
		t.Fatalf("set browser: %d %s", code, errs)
	}
	if _, show = configShow(t, le); findValue(show.Values, "browser").Source != config.SourceUser {
		t.Errorf("browser %+v", findValue(show.Values, "browser"))
	}
	if code, _, _ := le.run("", "config", "unset", "browser"); code != exitOK {
		t.Fatal("unset browser")
	}
	if _, show = configShow(t, le); findValue(show.Values, "browser").Source != config.SourceRecommended {
		t.Errorf("after unset %+v", findValue(show.Values, "browser"))
	}
	for _, args := range [][]string{{"config", "set", "language", "fr"}, {"config", "set", "close_to_tray", "vielleicht"}, {"config", "set", "colour", "red"}, {"config", "set", "default_pool", "Nirgendwo"}} {
		if code, _, _ := le.run("", args...); code != exitUsage {
			t.Errorf("%v: exit %d", args, code)
		}
	}

	// Per-user secret for IT's pool: only the secret is stored.
	if code, _, errs := le.run(cliSecret+"\n", "pool", "add", "Schul-BBB"); code != exitOK || !strings.Contains(errs, "keyring") {
		t.Fatalf("pool add secret only: %d %s", code, errs)
	}
	if v, _ := world.secrets().Get(context.Background(), "pool:Schul-BBB"); v != cliSecret {
		t.Error("secret not stored")
	}
	b, _ := os.ReadFile(filepath.Join(le.home, ".config", "tafel", "config.json"))
	if strings.Contains(string(b), le.api) {
		t.Errorf("IT's pool copied into config.json:\n%s", b)
	}
	if code, out, _ := le.run("", "pool", "list"); code != exitOK || !strings.Contains(out, "(set by IT)") {
		t.Errorf("pool list: %d %s", code, out)
	}
	// Rooms follow IT's presets; a lesson starts on IT's pool.
	if code, _, errs := le.run("", "rooms", "add", "Mathe 7b"); code != exitOK {
		t.Fatalf("rooms add: %s", errs)
	}
	if code, _, errs := le.run("", "start", "Mathe 7b"); code != exitOK {
		t.Fatalf("start: %d %s", code, errs)
	}
	if !strings.HasPrefix(le.lastOpened(), strings.TrimSuffix(le.api, "/bigbluebutton/api")) {
		t.Error("lesson not on IT's pool")
	}
}

// A broken admin file is a warning that names the file; the rest works.
func TestMalformedAdminFileCLI(t *testing.T) {
	le := newLessonEnv(t)
	admin := config.AdminDir()
	writeAdminFile(t, admin, config.ManagedFileName, `{"language": "de", `)
	writeAdminFile(t, admin, config.RecommendedFileName, `{"browser":"chromium","colour":"red","presets":{"lesson":{"record":"maybe"}}}`)
	code, show := configShow(t, le)
	if code != exitWarn || show.AdminFiles["managed.json"] != "ignored" || len(show.Problems) != 3 {
		t.Fatalf("exit %d, %+v", code, show)
	}
	if findValue(show.Values, "browser").Source != config.SourceRecommended || findValue(show.Values, "language").Source != config.SourceDefault {
		t.Errorf("values %+v", show.Values)
	}
	// The refused preset setting is a problem, not a value in force.
	if v := findValue(show.Values, "presets.lesson.record"); v.Value != "<missing>" {
		t.Errorf("ignored preset setting shown as in force: %+v", v)
	}
	// Other commands print the problems for the teacher to pass on, but
	// their exit code says whether they did their job: IT's broken file
	// would otherwise turn every command on every laptop into exit 1.
	code, _, errs := le.run("", "pool", "list")
	if code != exitOK || !strings.Contains(errs, "managed.json") || !strings.Contains(errs, "colour") || !strings.Contains(errs, "ignored") {
		t.Errorf("pool list: %d %q", code, errs)
	}
	// The user's own changes still work.
	if code, _, _ := le.run("", "config", "set", "language", "en"); code != exitOK {
		t.Errorf("set language: %d", code)
	}
	if code, _, errs := le.run(cliSecret, "pool", "add", "Eigen", "--url", le.api); code != exitOK {
		t.Fatalf("pool add: %d %s", code, errs)
	}
	if code, _, errs := le.run("", "pool", "test", "--json"); code != exitOK {
		t.Errorf("a healthy pool test exits %d because of IT's file: %s", code, errs)
	}
	if code, _, errs := le.run("", "rooms", "add", "Mathe 7b"); code != exitOK {
		t.Errorf("rooms add: %d %s", code, errs)
	}
	if code, _, errs := le.run("", "start", "Mathe 7b"); code != exitOK {
		t.Errorf("start: %d %s", code, errs)
	}
}

// --config-dir checks an image's folder before rollout.
func TestConfigDirFlag(t *testing.T) {
	le := newLessonEnv(t)
	image := filepath.Join(t.TempDir(), "image", "etc", "xdg", "tafel")
	writeAdminFile(t, image, config.ManagedFileName, `{"close_to_tray":false}`)
	_, show := configShow(t, le, "--config-dir", image)
	if show.AdminDir != image || findValue(show.Values, "close_to_tray").Source != config.SourceManaged {
		t.Errorf("%+v", show)
	}
	_, show = configShow(t, le)
	if findValue(show.Values, "close_to_tray").Source != config.SourceDefault {
		t.Errorf("without the flag: %+v", findValue(show.Values, "close_to_tray"))
	}
	if code, _, errs := le.run("", "config", "show", "--config-dir"); code != exitUsage || !strings.Contains(errs, "--config-dir") {
		t.Errorf("missing value: %d %q", code, errs)
	}
}

// `tafel config set language auto` (and an empty browser) must win over
// IT's recommendation, as any user value does.
func TestConfigSetAutoOverRecommendation(t *testing.T) {
	le := newLessonEnv(t)
	writeAdminFile(t, config.AdminDir(), config.RecommendedFileName, `{"language":"de","browser":"chromium"}`)
	for _, args := range [][]string{{"language", "auto"}, {"browser", ""}} {
		if code, _, errs := le.run("", append([]string{"config", "set"}, args...)...); code != exitOK {
			t.Fatalf("set %v: %d %s", args, code, errs)
		}
	}
	_, show := configShow(t, le)
	for _, key := range []string{"language", "browser"} {
		if v := findValue(show.Values, key); v.Value != "" || v.Source != config.SourceUser {
			t.Errorf("%s = %+v", key, v)
		}
	}
	// unset gives IT's recommendation back.
	le.run("", "config", "unset", "language")
	if _, show = configShow(t, le); findValue(show.Values, "language").Source != config.SourceRecommended {
		t.Errorf("after unset: %+v", findValue(show.Values, "language"))
	}
}

// `tafel pool add Schul-BBB` for IT's recommended pool, when the teacher's
// own entry "schul-bbb" (same address) is the one in force: the secret
// must go under the entry's spelling, or the pool never finds it.
func TestPoolAddSecretForOwnEntryOfRecommendedPool(t *testing.T) {
	le := newLessonEnv(t)
	if code, _, errs := le.run(cliSecret, "pool", "add", "schul-bbb", "--url", le.api); code != exitOK {
		t.Fatalf("pool add: %d %s", code, errs)
	}
	writeAdminFile(t, config.AdminDir(), config.RecommendedFileName, `{"pools":[{"name":"Schul-BBB","url":"`+le.api+`"}]}`)
	_ = world.secrets().Delete(context.Background(), "pool:schul-bbb")
	if code, _, errs := le.run(cliSecret, "pool", "add", "Schul-BBB"); code != exitOK {
		t.Fatalf("pool add (secret only): %d %s", code, errs)
	}
	if code, _, errs := le.run("", "pool", "test"); code != exitOK {
		t.Fatalf("pool test: %d %s", code, errs)
	}
}

// A teacher's own first pool does not replace IT's recommended default,
// unless asked with --default; re-entering a secret needs no --url.
func TestOwnPoolKeepsRecommendedDefault(t *testing.T) {
	le := newLessonEnv(t)
	writeAdminFile(t, config.AdminDir(), config.RecommendedFileName,
		`{"pools":[{"name":"Landes-BBB","url":"https://bbb.land.example"}],"default_pool":"Landes-BBB"}`)
	if code, _, errs := le.run(cliSecret+"\n", "pool", "add", "Eigener", "--url", le.api); code != exitOK {
		t.Fatalf("pool add: %d %s", code, errs)
	}
	_, show := configShow(t, le)
	if v := findValue(show.Values, "default_pool"); v.Value != "Landes-BBB" || v.Source != config.SourceRecommended {
		t.Errorf("default_pool %+v", v)
	}
	if code, _, errs := le.run("neues-geheimnis\n", "pool", "add", "eigener"); code != exitOK || !strings.Contains(errs, "keyring") {
		t.Fatalf("re-enter secret: %d %s", code, errs)
	}
	if v, _ := world.secrets().Get(context.Background(), "pool:Eigener"); v != "neues-geheimnis" {
		t.Error("secret not replaced under the pool's own name")
	}
	if code, _, _ := le.run(cliSecret+"\n", "pool", "add", "Unbekannt"); code != exitUsage {
		t.Errorf("secret for an unknown pool: exit %d", code)
	}
	if code, _, _ := le.run(cliSecret+"\n", "pool", "add", "Eigener2", "--url", le.api, "--default"); code != exitOK {
		t.Fatal("pool add --default")
	}
	if _, show = configShow(t, le); findValue(show.Values, "default_pool").Value != "Eigener2" {
		t.Errorf("--default ignored: %+v", findValue(show.Values, "default_pool"))
	}
}
