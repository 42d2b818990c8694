package backend

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tafel-schule/tafel/config"
	"github.com/tafel-schule/tafel/rooms"
)

// writeAdmin puts an admin file into the test's admin directory
// (TAFEL_CONFIG_DIR, set by testenv.TempHome).
func writeAdmin(t *testing.T, name, content string) {
	t.Helper()
	dir := config.AdminDir()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestManagedSettingsAreLockedAndNeverSaved(t *testing.T) {
	e := newEnv(t)
	writeAdmin(t, config.RecommendedFileName, `{"browser":"chromium","check_before_lesson":false}`)
	writeAdmin(t, config.ManagedFileName, `{"language":"de","close_to_tray":false}`)
	s := e.open().Settings()
	got := s.Load()
	if got.Language != "de" || got.Browser != "chromium" || got.CheckBeforeLesson || got.CloseToTray {
		t.Fatalf("Load = %+v", got)
	}
	for key, want := range map[string]bool{"language": true, "close_to_tray": true, "browser": false, "check_before_lesson": false, "pool": false} {
		if s.Locked(key) != want {
			t.Errorf("Locked(%s) = %v", key, !want)
		}
	}
	// The window sends everything back; only the user's own choices land
	// in config.json, and values equal to IT's recommendation stay unset.
	got.Language, got.CloseToTray, got.TeacherName = "en", true, "Frau Abt"
	if err := s.Save(got); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(e.dir, config.UserFileName))
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"language", "close_to_tray", "browser", "check_before_lesson"} {
		if strings.Contains(string(b), bad) {
			t.Errorf("config.json holds %s:\n%s", bad, b)
		}
	}
	if !strings.Contains(string(b), "Frau Abt") {
		t.Errorf("teacher name not saved:\n%s", b)
	}
	if got := s.Load(); got.Language != "de" || got.CloseToTray {
		t.Errorf("after save: %+v", got)
	}
	// A real change of a recommended value is the user's from now on.
	got.Browser = "firefox"
	if err := s.Save(got); err != nil {
		t.Fatal(err)
	}
	if s.Load().Browser != "firefox" {
		t.Error("user's browser lost")
	}
}

func TestManagedPoolFirstRunStoresOnlyTheSecret(t *testing.T) {
	e := newEnv(t)
	writeAdmin(t, config.ManagedFileName, `{"pools":[{"name":"Schul-BBB","url":"`+e.api+`"}],"default_pool":"Schul-BBB"}`)
	setup := e.open().Setup()
	name, url, ok := setup.ManagedPool()
	if !ok || name != "Schul-BBB" || url != e.api {
		t.Fatalf("ManagedPool = %q %q %v", name, url, ok)
	}
	if !setup.NeedsPool() {
		t.Fatal("a managed pool without its secret needs the first run")
	}
	// Another address under IT's pool name is refused, and nothing stored.
	err := setup.AddPool(e.ctx(), "schul-bbb", "https://elsewhere.example", testSecret)
	if !errors.Is(err, config.ErrManaged) {
		t.Fatalf("AddPool elsewhere: %v", err)
	}
	if msg := e.b.Explain(err); !strings.Contains(msg, "school's IT") {
		t.Errorf("message %q", msg)
	}
	if err := setup.AddPool(e.ctx(), name, url, "wrong-secret"); err == nil {
		t.Fatal("a wrong secret was accepted")
	}
	if err := setup.AddPool(e.ctx(), name, url, testSecret); err != nil {
		t.Fatalf("AddPool: %s", e.b.Explain(err))
	}
	if setup.NeedsPool() {
		t.Fatal("still needs a pool")
	}
	if v, _ := e.secrets.Get(e.ctx(), "pool:Schul-BBB"); v != testSecret {
		t.Error("secret not in the keyring under IT's pool name")
	}
	b, _ := os.ReadFile(filepath.Join(e.dir, config.UserFileName))
	if strings.Contains(string(b), e.api) {
		t.Errorf("IT's pool copied into config.json:\n%s", b)
	}
	// Lessons use IT's pool.
	be := e.open()
	if _, err := be.Rooms().Add("Mathe 7b", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := be.Lessons().Start(e.ctx(), "Mathe 7b", nil); err != nil {
		t.Fatalf("Start: %s", be.Explain(err))
	}
}

func TestAdminPresetsBecomeThePolicy(t *testing.T) {
	e := newEnv(t)
	writeAdmin(t, config.ManagedFileName, `{"presets":{"*":{"record":false},"lesson":{"lock_webcam":true}}}`)
	b := e.open()
	pol := b.Rooms().Policy()
	if !pol.Locked(rooms.PresetLesson, "lock_webcam") || !pol.Locked(rooms.PresetStaff, "record") ||
		pol.Locked(rooms.PresetStaff, "lock_webcam") {
		t.Fatalf("policy %+v", pol)
	}
}

func TestOpenReportsMalformedAdminFiles(t *testing.T) {
	e := newEnv(t)
	writeAdmin(t, config.ManagedFileName, `{"language": "de",`)
	writeAdmin(t, config.RecommendedFileName, `{"presets":{"lesson":{"record":"maybe"}},"language":"en"}`)
	b, err := Open(Options{ConfigDir: e.dir, Secrets: e.secrets, History: e.history, Lang: "de"})
	if b == nil {
		t.Fatalf("Open failed: %v", err)
	}
	defer b.Close()
	if !errors.Is(err, config.ErrAdminFile) {
		t.Fatalf("Open error %v", err)
	}
	msg := b.Explain(err)
	if !strings.Contains(msg, "managed.json") || !strings.Contains(msg, "recommended.json") || !strings.Contains(msg, "Schul-IT") {
		t.Errorf("message %q", msg)
	}
	// The rest of recommended.json still applies; managed.json not at all.
	if got := b.Settings().Load(); got.Language != "en" || b.Settings().Locked("language") {
		t.Errorf("settings %+v", got)
	}
}
