package rooms

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tafel-schule/tafel/config"
)

func loadPolicy(t *testing.T, recommended, managed string) (Policy, []error) {
	t.Helper()
	dir := t.TempDir()
	for name, content := range map[string]string{config.RecommendedFileName: recommended, config.ManagedFileName: managed} {
		if content != "" {
			if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	l, err := config.Load(config.LoadOptions{UserPath: filepath.Join(dir, "config.json"), AdminDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if w := l.Warnings(); len(w) != 0 {
		t.Fatalf("admin warnings %v", w)
	}
	return PolicyFrom(l)
}

// The four layers of a room setting, low to high: preset, IT's
// recommendation, the room's override, IT's fixed value.
func TestPolicyLayers(t *testing.T) {
	const (
		rec = `{"presets":{"*":{"mute_on_start":false},"lesson":{"lock_webcam":true,"max_participants":40}}}`
		man = `{"presets":{"*":{"record":false},"lesson":{"lock_private_chat":true,"guest_policy":"always_deny"}}}`
	)
	pol, probs := loadPolicy(t, rec, man)
	if len(probs) != 0 {
		t.Fatalf("problems %v", probs)
	}
	tests := []struct {
		preset, key string
		override    string // "" = none
		want        string
		locked      bool
	}{
		{PresetLesson, "mute_on_start", "", "false", false},       // recommended over preset (true)
		{PresetLesson, "mute_on_start", "true", "true", false},    // room over recommended
		{PresetLesson, "lock_webcam", "", "true", false},          // recommended for this preset
		{PresetStaff, "lock_webcam", "", "", false},               // not for other presets
		{PresetLesson, "max_participants", "", "40", false},       //
		{PresetLesson, "lock_private_chat", "", "true", true},     // forced
		{PresetLesson, "guest_policy", "", GuestAlwaysDeny, true}, //
		{PresetParents, "guest_policy", "", GuestAskModerator, false},
		{PresetStaff, "record", "", "false", true}, // forced for every preset
	}
	for _, tc := range tests {
		r := Room{Name: "R", Preset: tc.preset}
		if tc.override != "" {
			if err := r.SetOverride(pol, tc.key, tc.override); err != nil {
				t.Fatalf("%s %s: %v", tc.preset, tc.key, err)
			}
		}
		s, err := r.Settings(pol)
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := s.Get(tc.key); got != tc.want {
			t.Errorf("%s %s (override %q) = %q, want %q", tc.preset, tc.key, tc.override, got, tc.want)
		}
		if pol.Locked(tc.preset, tc.key) != tc.locked {
			t.Errorf("%s %s locked = %v", tc.preset, tc.key, !tc.locked)
		}
	}
	r := Room{Name: "R", Preset: PresetLesson}
	if err := r.SetOverride(pol, "guest_policy", GuestAlwaysAccept); !errors.Is(err, ErrSettingLocked) {
		t.Errorf("override of a forced setting: %v", err)
	}
	// A room file edited by hand cannot undo a forced value either.
	r.Overrides.Set("lock_private_chat", "false")
	if s, _ := r.Settings(pol); *s.LockPrivateChat != true {
		t.Error("forced value overridden")
	}
}

func TestPolicyBadEntries(t *testing.T) {
	pol, probs := loadPolicy(t, "",
		`{"presets":{"exam":{"record":true},"lesson":{"record":"maybe","lock_webcam":true,"colour":"red","max_participants":1.5,"mute_on_start":null,"guest_policy":""}}}`)
	if len(probs) != 6 {
		t.Fatalf("problems (%d): %v", len(probs), probs)
	}
	// Each problem names exactly what is left out, not all of "presets".
	var keys []string
	for _, p := range probs {
		var ae *config.AdminFileError
		if !errors.As(p, &ae) || ae.Layer != config.SourceManaged {
			t.Errorf("%#v", p)
			continue
		}
		keys = append(keys, ae.Key)
		if strings.Contains(p.Error(), "maybe") || strings.Contains(p.Error(), `"red"`) {
			t.Errorf("problem echoes a value: %v", p)
		}
	}
	want := "presets.exam presets.lesson.colour presets.lesson.guest_policy presets.lesson.max_participants presets.lesson.mute_on_start presets.lesson.record"
	if got := strings.Join(keys, " "); got != want {
		t.Errorf("keys %q, want %q", got, want)
	}
	if !pol.Locked(PresetLesson, "lock_webcam") || pol.Locked(PresetLesson, "record") || len(pol.Forced) != 1 {
		t.Errorf("policy %+v", pol)
	}
}
