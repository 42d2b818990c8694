package config

import (
	"os"
	"path/filepath"
	"testing"
)

// benchFiles writes a typical user file and, with admin, IT's two files.
func benchFiles(b *testing.B, admin bool) (userPath, adminDir string) {
	b.Helper()
	dir := b.TempDir()
	userPath = filepath.Join(dir, UserFileName)
	adminDir = filepath.Join(dir, "admin")
	must := func(err error) {
		if err != nil {
			b.Fatal(err)
		}
	}
	must(os.MkdirAll(adminDir, 0o755))
	must(os.WriteFile(userPath, []byte(`{"version":1,"default_pool":"Privat","pools":[{"name":"Privat","url":"https://privat.example/bigbluebutton/api","checksum":"sha256"}],"browser":"firefox","teacher_name":"Frau Abt"}`), 0o600))
	if admin {
		must(os.WriteFile(filepath.Join(adminDir, ManagedFileName), []byte(`{"version":1,"pools":[{"name":"Schul-BBB","url":"https://bbb.schule.example"}],"default_pool":"Schul-BBB","language":"de","presets":{"*":{"record":false},"lesson":{"lock_private_chat":true}}}`), 0o644))
		must(os.WriteFile(filepath.Join(adminDir, RecommendedFileName), []byte(`{"browser":"chromium","close_to_tray":true}`), 0o644))
	}
	return userPath, adminDir
}

// BenchmarkLoadLayered is what every CLI command and GUI action now reads:
// the user's file plus IT's two admin files, merged.
func BenchmarkLoadLayered(b *testing.B) {
	userPath, adminDir := benchFiles(b, true)
	b.ReportAllocs()
	for b.Loop() {
		l, err := Load(LoadOptions{UserPath: userPath, AdminDir: adminDir})
		if err != nil {
			b.Fatal(err)
		}
		_ = l.Effective()
	}
}

// BenchmarkLoadUserOnly is the reference: the user's file alone, as before
// the admin layers.
func BenchmarkLoadUserOnly(b *testing.B) {
	userPath, _ := benchFiles(b, false)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := LoadUser(userPath); err != nil {
			b.Fatal(err)
		}
	}
}
