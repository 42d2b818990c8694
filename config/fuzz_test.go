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
