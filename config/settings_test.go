package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The app settings round-trip, and a file written before they existed
// reads with their defaults (both switches on).
func TestUserAppSettings(t *testing.T) {
	dir := t.TempDir()
	old := filepath.Join(dir, "old.json")
	os.WriteFile(old, []byte(`{"version":1,"pools":[],"browser":"firefox","teacher_name":"Frau Kim"}`), 0o600)
	u, err := LoadUser(old)
	if err != nil {
		t.Fatal(err)
	}
	if u.Language != "" || !u.WantsCheckBeforeLesson() || !u.WantsCloseToTray() || u.Browser != "firefox" {
		t.Fatalf("old file: %+v", u)
	}
	var nilUser *User
	if !nilUser.WantsCheckBeforeLesson() || !nilUser.WantsCloseToTray() {
		t.Fatal("nil user defaults")
	}

	off := false
	u.Language, u.CheckBeforeLesson, u.CloseToTray = "de", &off, &off
	path := filepath.Join(dir, "new.json")
	if err := SaveUser(path, u); err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(path)
	for _, k := range []string{`"language": "de"`, `"check_before_lesson": false`, `"close_to_tray": false`} {
		if !strings.Contains(string(raw), k) {
			t.Fatalf("missing %s in %s", k, raw)
		}
	}
	u2, err := LoadUser(path)
	if err != nil || u2.Language != "de" || u2.WantsCheckBeforeLesson() || u2.WantsCloseToTray() || u2.TeacherName != "Frau Kim" {
		t.Fatalf("round trip: %v %+v", err, u2)
	}

	// Defaults are not written out: an untouched file stays as it was.
	u3 := &User{}
	p3 := filepath.Join(dir, "defaults.json")
	if err := SaveUser(p3, u3); err != nil {
		t.Fatal(err)
	}
	raw, _ = os.ReadFile(p3)
	for _, k := range []string{"language", "check_before_lesson", "close_to_tray"} {
		if strings.Contains(string(raw), k) {
			t.Fatalf("default %s written: %s", k, raw)
		}
	}
}
