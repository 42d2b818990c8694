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
	// IT changes managed.json while Tafel runs: the next use follows it,
	// as the setting locks do.
	writeAdmin(t, config.ManagedFileName, `{"presets":{"staff":{"lock_webcam":true}}}`)
	pol = b.Rooms().Policy()
	if pol.Locked(rooms.PresetLesson, "lock_webcam") || !pol.Locked(rooms.PresetStaff, "lock_webcam") {
		t.Fatalf("policy after the change %+v", pol)
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

// The teacher set up a pool of their own last year (their default, secret
// in the keyring); now the image brings IT's one managed pool without a
// default_pool. The first run must still ask for IT's secret: otherwise it
// never comes, and every room on IT's pool fails at the lesson.
func TestNeedsPoolAsksForTheManagedPoolsSecret(t *testing.T) {
	e := newEnv(t)
	if err := e.b.Setup().AddPool(e.ctx(), "Privat", e.api, testSecret); err != nil {
		t.Fatalf("AddPool: %s", e.b.Explain(err))
	}
	writeAdmin(t, config.ManagedFileName, `{"pools":[{"name":"Schul-BBB","url":"`+e.api+`","checksum":"sha1"}]}`)
	setup := e.open().Setup()
	name, url, ok := setup.ManagedPool()
	if !ok || name != "Schul-BBB" {
		t.Fatalf("ManagedPool = %q %q %v", name, url, ok)
	}
	if !setup.NeedsPool() {
		t.Fatal("IT's pool has no secret yet, but the first run would not ask for it")
	}
	// The first run sends IT's name and address; the secret lands under
	// IT's exact name, and IT's checksum is used for the test.
	if err := setup.AddPool(e.ctx(), name, url, testSecret); err != nil {
		t.Fatalf("AddPool: %s", e.b.Explain(err))
	}
	if v, _ := e.secrets.Get(e.ctx(), "pool:Schul-BBB"); v != testSecret {
		t.Fatal("secret not under IT's pool name")
	}
	if setup.NeedsPool() {
		t.Fatal("still needs a pool after IT's secret was entered")
	}
}

// IT recommends German and Chromium; a teacher who picks "automatic" and
// the system's browser in the settings window keeps that choice. ("" in
// config.json means "not set" and would inherit IT's values again.)
func TestSaveAutomaticAgainstARecommendation(t *testing.T) {
	e := newEnv(t)
	writeAdmin(t, config.RecommendedFileName, `{"language":"de","browser":"chromium"}`)
	s := e.open().Settings()
	got := s.Load()
	if got.Language != "de" || got.Browser != "chromium" {
		t.Fatalf("Load = %+v", got)
	}
	got.Language, got.Browser = "", ""
	if err := s.Save(got); err != nil {
		t.Fatal(err)
	}
	if got := s.Load(); got.Language != "" || got.Browser != "" {
		t.Fatalf("the teacher chose automatic and the system browser; now %+v", got)
	}
	// Back to IT's values: the teacher's choice stays theirs.
	got.Language, got.Browser = "de", "chromium"
	if err := s.Save(got); err != nil {
		t.Fatal(err)
	}
	if got := s.Load(); got.Language != "de" || got.Browser != "chromium" {
		t.Fatalf("after choosing IT's values: %+v", got)
	}
	// Without a recommendation, "automatic" stays a silent default.
	e2 := newEnv(t)
	s2 := e2.open().Settings()
	if err := s2.Save(s2.Load()); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(e2.dir, config.UserFileName)); strings.Contains(string(b), "language") || strings.Contains(string(b), "browser") {
		t.Errorf("defaults frozen into config.json:\n%s", b)
	}
}

// A teacher set the school's pool up by hand last year as "schul-bbb";
// now IT recommends it as "Schul-BBB". Their own entry is the one in
// force, so a re-entered secret must go under its spelling (keyring names
// are case-sensitive), or the first run comes back at every start.
func TestReenteredSecretForOwnEntryOfRecommendedPool(t *testing.T) {
	e := newEnv(t)
	if err := e.b.Setup().AddPool(e.ctx(), "schul-bbb", e.api, testSecret); err != nil {
		t.Fatalf("AddPool: %s", e.b.Explain(err))
	}
	_ = e.secrets.Delete(e.ctx(), "pool:schul-bbb") // a new laptop, a lost keyring
	writeAdmin(t, config.RecommendedFileName, `{"pools":[{"name":"Schul-BBB","url":"`+e.api+`"}]}`)
	setup := e.open().Setup()
	if !setup.NeedsPool() {
		t.Fatal("no secret, but no first run")
	}
	if err := setup.AddPool(e.ctx(), "Schul-BBB", e.api, testSecret); err != nil {
		t.Fatalf("AddPool: %s", e.b.Explain(err))
	}
	if setup.NeedsPool() {
		t.Fatal("the secret went under a name no lesson looks up")
	}
}
