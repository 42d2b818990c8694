package rooms

import (
	"errors"
	"testing"

	"github.com/tafel-schule/tafel/bbbclient"
)

func TestPresetsMatchTheIssue(t *testing.T) {
	lesson, _ := Resolve(PresetLesson, Settings{}, Policy{})
	want := map[string]string{
		"record": "false", "mute_on_start": "true", "webcams_only_for_moderator": "true",
		"lock_private_chat": "true", "lock_shared_notes": "true", "lock_on_join": "true",
		"end_after_last_left_minutes": "1",
	}
	if got := lesson.Map(); !equalMaps(got, want) {
		t.Fatalf("lesson preset: %v, want %v", got, want)
	}
	parents, _ := Resolve(PresetParents, Settings{}, Policy{})
	if parents.GuestPolicy != GuestAskModerator || *parents.WebcamsOnlyForModerator || !parents.GuestsWait() {
		t.Fatalf("parents preset: %v", parents.Map())
	}
	staff, _ := Resolve(PresetStaff, Settings{}, Policy{})
	if *staff.MuteOnStart || staff.LockOnJoin != nil || staff.LockPrivateChat != nil || staff.GuestsWait() {
		t.Fatalf("staff preset: %v", staff.Map())
	}
	if _, err := Resolve("party", Settings{}, Policy{}); !errors.Is(err, ErrUnknownPreset) {
		t.Fatal(err)
	}
}

func equalMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func TestOverridesAndPolicyLocks(t *testing.T) {
	r, err := NewRoom("Mathe 7b", "")
	if err != nil {
		t.Fatal(err)
	}
	if r.Preset != PresetLesson {
		t.Fatal(r.Preset)
	}
	if err := r.SetOverride(Policy{}, "mute_on_start", "nein"); err != nil {
		t.Fatal(err)
	}
	if err := r.SetOverride(Policy{}, "max_participants", "32"); err != nil {
		t.Fatal(err)
	}
	for _, bad := range [][2]string{{"mute_on_start", "vielleicht"}, {"max_participants", "-1"}, {"guest_policy", "sometimes"}} {
		if err := r.SetOverride(Policy{}, bad[0], bad[1]); !errors.Is(err, ErrInvalidSetting) {
			t.Errorf("%v: %v", bad, err)
		}
	}
	if err := r.SetOverride(Policy{}, "colour", "red"); !errors.Is(err, ErrUnknownSetting) {
		t.Fatal(err)
	}
	s, _ := r.Settings(Policy{})
	if *s.MuteOnStart || *s.MaxParticipants != 32 || !*s.WebcamsOnlyForModerator {
		t.Fatalf("override merge: %v", s.Map())
	}
	// The presets themselves are untouched (no aliasing).
	if p, _ := FindPreset(PresetLesson); !*p.Settings.MuteOnStart {
		t.Fatal("preset changed through an override")
	}

	// School IT forces recording off and webcams private for lessons.
	pol := Policy{Forced: map[string]Settings{"*": {Record: no()}, PresetLesson: {WebcamsOnlyForModerator: yes()}}}
	r.Overrides.Record = yes() // e.g. from an old file
	if err := r.SetOverride(pol, "webcams_only_for_moderator", "false"); !errors.Is(err, ErrSettingLocked) {
		t.Fatalf("locked setting: %v", err)
	}
	if !pol.Locked(PresetLesson, "record") || pol.Locked(PresetLesson, "mute_on_start") {
		t.Fatal("Locked")
	}
	if err := pol.CheckOverrides(r.Preset, r.Overrides); !errors.Is(err, ErrSettingLocked) {
		t.Fatal(err)
	}
	s, _ = r.Settings(pol)
	if *s.Record {
		t.Fatal("policy must win over the room's override")
	}
}

func TestCreateParamsMapping(t *testing.T) {
	s, _ := Resolve(PresetLesson, Settings{}, Policy{})
	p := s.CreateParams()
	if p.Record || !*p.MuteOnStart || !*p.WebcamsOnlyForModerator || !*p.Lock.DisablePrivateChat ||
		!*p.Lock.DisableNotes || !*p.Lock.LockOnJoin || *p.MeetingExpireWhenLastUserLeftInMinutes != 1 ||
		*p.AllowPromoteGuestToModerator || p.Lock.DisableCam != nil || p.GuestPolicy != "" {
		t.Fatalf("lesson create params: %+v", p)
	}
	s, _ = Resolve(PresetParents, Settings{}, Policy{})
	if s.CreateParams().GuestPolicy != bbbclient.GuestAskModerator {
		t.Fatal("parents guest policy")
	}
}

func TestNewMeetingIDIsRandomAndValid(t *testing.T) {
	seen := map[string]bool{}
	for range 200 {
		id := NewMeetingID()
		if len(id) != len("tafel-")+32 || seen[id] {
			t.Fatalf("bad or repeated ID %q", id)
		}
		seen[id] = true
	}
	if err := ValidateName("x"); !errors.Is(err, ErrInvalidName) {
		t.Fatal("1 character is too short for BBB")
	}
	if err := ValidateName("Klasse 5a – Deutsch"); err != nil {
		t.Fatal(err)
	}
}

func TestWelcomeIsEscaped(t *testing.T) {
	got := welcomeHTML("Willkommen in <b>%%CONFNAME%%</b> & viel Spaß!\nZeile 2")
	want := "Willkommen in &lt;b&gt;%%CONFNAME%%&lt;/b&gt; &amp; viel Spaß!<br>Zeile 2"
	if got != want {
		t.Fatalf("%q", got)
	}
}
