package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzLoadUser: any file content either loads, or is moved aside (never
// lost, never a panic), or is refused as newer.
func FuzzLoadUser(f *testing.F) {
	f.Add([]byte(`{"version":1,"default_pool":"A","pools":[{"name":"A","url":"https://a.example/bigbluebutton/api","checksum":"sha256"}]}`))
	f.Add([]byte(`{"version":2}`))
	f.Add([]byte(`{"pools":[1,2]}`))
	f.Add([]byte("{} {}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		path := filepath.Join(dir, UserFileName)
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		u, err := LoadUser(path)
		if err == nil {
			if u == nil {
				t.Fatal("nil config without error")
			}
			return
		}
		if ce, ok := err.(*CorruptError); ok {
			kept, rerr := os.ReadFile(ce.MovedTo)
			if rerr != nil || string(kept) != string(data) {
				t.Fatal("damaged content not kept")
			}
			if strings.Contains(err.Error(), string(data)) && len(data) > 8 {
				t.Fatal("error echoes file content")
			}
		}
	})
}

// FuzzParseAdmin: any admin file gives a usable layer or warnings, never a
// panic; a used layer only holds valid values; warnings never echo content.
func FuzzParseAdmin(f *testing.F) {
	f.Add([]byte(`{"version":1,"pools":[{"name":"Schul-BBB","url":"https://bbb.example"}],"default_pool":"Schul-BBB","language":"de","browser":"firefox","check_before_lesson":true,"close_to_tray":false,"presets":{"*":{"record":false}}}`))
	f.Add([]byte(`{"language":"fr","teacher_name":"x","pools":[{"name":"","url":"http://a"}]}`))
	f.Add([]byte("\xef\xbb\xbf{\"version\":2}"))
	f.Add([]byte(`{"presets":{"lesson":[]},"close_to_tray":"yes"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		a, probs := ParseAdmin(data, "/etc/xdg/tafel/managed.json", SourceManaged)
		for _, p := range probs {
			if len(data) > 12 && strings.Contains(p.Error(), string(data)) {
				t.Fatal("warning echoes file content")
			}
		}
		if a == nil {
			if len(probs) == 0 {
				t.Fatal("file ignored without a warning")
			}
			return
		}
		if a.Language != nil && *a.Language != "" && *a.Language != "de" && *a.Language != "en" {
			t.Fatalf("language %q used", *a.Language)
		}
		for _, p := range a.Pools {
			if _, err := NewPool(p.Name, p.URL, p.Checksum); err != nil {
				t.Fatalf("invalid pool used: %v", err)
			}
		}
	})
}
