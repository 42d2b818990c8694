package rooms

import (
	"strings"
	"testing"
)

// FuzzParseExport feeds arbitrary bytes to the import parser: it must never
// panic, and whatever it accepts must be valid rooms that survive a
// marshal/parse round trip.
func FuzzParseExport(f *testing.F) {
	f.Add([]byte(`{"format":"tafel-rooms","version":1,"rooms":[{"name":"Mathe 7b","meeting_id":"tafel-abc","preset":"lesson","overrides":{"mute_on_start":false}}]}`))
	f.Add([]byte(`{"format":"tafel-rooms","version":1,"rooms":[null,{"name":"x"}]}`))
	f.Add([]byte("\xef\xbb\xbf{}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		rs, err := ParseExport(data)
		if err != nil {
			return
		}
		for _, r := range rs {
			if err := r.Validate(); err != nil {
				t.Fatalf("accepted an invalid room: %v", err)
			}
		}
		b, err := Marshal(rs, false)
		if err != nil {
			t.Fatal(err)
		}
		again, err := ParseExport(b)
		if err != nil || len(again) != len(rs) {
			t.Fatalf("round trip: %v", err)
		}
	})
}

// FuzzSettingsSet: any key/value either fails with a typed error or gives
// a value that reads back and validates.
func FuzzSettingsSet(f *testing.F) {
	for _, k := range SettingKeys() {
		f.Add(k, "true")
	}
	f.Add("max_participants", "32")
	f.Add("guest_policy", "ASK_MODERATOR")
	f.Add("x", "")
	f.Fuzz(func(t *testing.T, key, value string) {
		var s Settings
		if err := s.Set(key, value); err != nil {
			return
		}
		if err := s.Validate(); err != nil {
			t.Fatalf("Set accepted %q=%q but Validate fails: %v", key, value, err)
		}
		if v, ok := s.Get(key); ok && strings.TrimSpace(value) == "" {
			t.Fatalf("empty value should unset, got %q", v)
		}
	})
}
