package rooms

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/tafel-schule/tafel/bbbclient"
)

// Guest policies as stored in the rooms file (lowercase, stable).
const (
	GuestAlwaysAccept = "always_accept"
	GuestAskModerator = "ask_moderator"
	GuestAlwaysDeny   = "always_deny"
)

// Settings are the meeting settings a room controls. Every field is
// optional: nil means "as the preset says" in an override, and "the
// server's default" in a resolved set. The JSON names are the stable keys
// used by the rooms file, `tafel rooms edit --set KEY=VALUE` and (issue 7)
// the school's managed configuration.
type Settings struct {
	Record                  *bool  `json:"record,omitempty"`
	MuteOnStart             *bool  `json:"mute_on_start,omitempty"`
	WebcamsOnlyForModerator *bool  `json:"webcams_only_for_moderator,omitempty"`
	GuestPolicy             string `json:"guest_policy,omitempty"`
	LockPrivateChat         *bool  `json:"lock_private_chat,omitempty"`
	LockPublicChat          *bool  `json:"lock_public_chat,omitempty"`
	LockSharedNotes         *bool  `json:"lock_shared_notes,omitempty"`
	LockWebcam              *bool  `json:"lock_webcam,omitempty"`
	LockMicrophone          *bool  `json:"lock_microphone,omitempty"`
	HideUserList            *bool  `json:"hide_user_list,omitempty"`
	LockOnJoin              *bool  `json:"lock_on_join,omitempty"`
	EndAfterLastLeftMinutes *int   `json:"end_after_last_left_minutes,omitempty"`
	MaxParticipants         *int   `json:"max_participants,omitempty"`
	DurationMinutes         *int   `json:"duration_minutes,omitempty"`
}

// IsZero reports whether no setting is set (for omitzero in the file).
func (s Settings) IsZero() bool { return len(s.Keys()) == 0 }

type field struct {
	key string
	b   func(*Settings) **bool
	i   func(*Settings) **int
	s   func(*Settings) *string
}

// fields lists every setting once; Merge, Set, Get and Keys use it, so a new
// setting is added in one place (plus CreateParams).
var fields = []field{
	{key: "record", b: func(s *Settings) **bool { return &s.Record }},
	{key: "mute_on_start", b: func(s *Settings) **bool { return &s.MuteOnStart }},
	{key: "webcams_only_for_moderator", b: func(s *Settings) **bool { return &s.WebcamsOnlyForModerator }},
	{key: "guest_policy", s: func(s *Settings) *string { return &s.GuestPolicy }},
	{key: "lock_private_chat", b: func(s *Settings) **bool { return &s.LockPrivateChat }},
	{key: "lock_public_chat", b: func(s *Settings) **bool { return &s.LockPublicChat }},
	{key: "lock_shared_notes", b: func(s *Settings) **bool { return &s.LockSharedNotes }},
	{key: "lock_webcam", b: func(s *Settings) **bool { return &s.LockWebcam }},
	{key: "lock_microphone", b: func(s *Settings) **bool { return &s.LockMicrophone }},
	{key: "hide_user_list", b: func(s *Settings) **bool { return &s.HideUserList }},
	{key: "lock_on_join", b: func(s *Settings) **bool { return &s.LockOnJoin }},
	{key: "end_after_last_left_minutes", i: func(s *Settings) **int { return &s.EndAfterLastLeftMinutes }},
	{key: "max_participants", i: func(s *Settings) **int { return &s.MaxParticipants }},
	{key: "duration_minutes", i: func(s *Settings) **int { return &s.DurationMinutes }},
}

func findField(key string) (field, bool) {
	for _, f := range fields {
		if f.key == key {
			return f, true
		}
	}
	return field{}, false
}

// SettingKeys returns every setting key, in a fixed order.
func SettingKeys() []string {
	out := make([]string, len(fields))
	for i, f := range fields {
		out[i] = f.key
	}
	return out
}

// Keys returns the keys that are set.
func (s Settings) Keys() []string {
	var out []string
	for _, f := range fields {
		if _, ok := s.Get(f.key); ok {
			out = append(out, f.key)
		}
	}
	return out
}

// Get returns the value of key as text and whether it is set.
func (s Settings) Get(key string) (string, bool) {
	f, ok := findField(key)
	if !ok {
		return "", false
	}
	switch {
	case f.b != nil:
		if p := *f.b(&s); p != nil {
			return strconv.FormatBool(*p), true
		}
	case f.i != nil:
		if p := *f.i(&s); p != nil {
			return strconv.Itoa(*p), true
		}
	default:
		if v := *f.s(&s); v != "" {
			return v, true
		}
	}
	return "", false
}

// Set parses value for key; an empty value unsets it.
func (s *Settings) Set(key, value string) error {
	f, ok := findField(key)
	if !ok {
		return &Error{Code: CodeUnknownSetting, Detail: key}
	}
	value = strings.TrimSpace(value)
	bad := &Error{Code: CodeInvalidSetting, Detail: key}
	switch {
	case f.b != nil:
		if value == "" {
			*f.b(s) = nil
			return nil
		}
		v, err := parseBool(value)
		if err != nil {
			return bad
		}
		*f.b(s) = &v
	case f.i != nil:
		if value == "" {
			*f.i(s) = nil
			return nil
		}
		v, err := strconv.Atoi(value)
		if err != nil || v < 0 || v > 100000 {
			return bad
		}
		*f.i(s) = &v
	default:
		v := strings.ToLower(value)
		if v != "" && v != GuestAlwaysAccept && v != GuestAskModerator && v != GuestAlwaysDeny {
			return bad
		}
		*f.s(s) = v
	}
	return nil
}

func parseBool(s string) (bool, error) {
	switch strings.ToLower(s) {
	case "true", "yes", "on", "1", "ja", "an":
		return true, nil
	case "false", "no", "off", "0", "nein", "aus":
		return false, nil
	}
	return false, fmt.Errorf("not a boolean")
}

// Merge returns s with every setting that is set in over replacing its own.
func (s Settings) Merge(over Settings) Settings {
	out := s.clone()
	for _, k := range over.Keys() {
		v, _ := over.Get(k)
		_ = out.Set(k, v) // values from a valid Settings always parse
	}
	return out
}

// clone copies the pointers' targets, so edits never alias a preset.
func (s Settings) clone() Settings {
	var out Settings
	for _, k := range s.Keys() {
		v, _ := s.Get(k)
		_ = out.Set(k, v)
	}
	return out
}

// Validate checks that every value is allowed (for files edited by hand).
func (s Settings) Validate() error {
	var c Settings
	for _, k := range s.Keys() {
		v, _ := s.Get(k)
		if err := c.Set(k, v); err != nil {
			return err
		}
	}
	return nil
}

// Map returns the set values as key → text, for JSON output and display.
func (s Settings) Map() map[string]string {
	m := map[string]string{}
	for _, k := range s.Keys() {
		m[k], _ = s.Get(k)
	}
	return m
}

// Preset is a named starting point for a room's settings.
type Preset struct {
	ID       string // stable: "lesson", "parents", "staff"
	Settings Settings
}

// Preset IDs.
const (
	PresetLesson  = "lesson"
	PresetParents = "parents"
	PresetStaff   = "staff"
)

// DefaultPreset is the preset of a new room.
const DefaultPreset = PresetLesson

func yes() *bool     { v := true; return &v }
func no() *bool      { v := false; return &v }
func num(n int) *int { return &n }

// Presets returns the built-in presets (fresh copies). Their names and
// explanations are translations: rooms.preset.<id>.name / .explain.
func Presets() []Preset {
	return []Preset{
		{ID: PresetLesson, Settings: Settings{
			Record:                  no(),
			MuteOnStart:             yes(),
			WebcamsOnlyForModerator: yes(),
			LockPrivateChat:         yes(),
			LockSharedNotes:         yes(),
			LockOnJoin:              yes(),
			EndAfterLastLeftMinutes: num(1),
		}},
		{ID: PresetParents, Settings: Settings{
			Record:                  no(),
			MuteOnStart:             yes(),
			WebcamsOnlyForModerator: no(),
			GuestPolicy:             GuestAskModerator,
			EndAfterLastLeftMinutes: num(1),
		}},
		{ID: PresetStaff, Settings: Settings{
			Record:                  no(),
			MuteOnStart:             no(),
			WebcamsOnlyForModerator: no(),
			EndAfterLastLeftMinutes: num(1),
		}},
	}
}

// FindPreset returns the built-in preset id.
func FindPreset(id string) (Preset, bool) {
	for _, p := range Presets() {
		if p.ID == strings.ToLower(strings.TrimSpace(id)) {
			return p, true
		}
	}
	return Preset{}, false
}

// Policy is what school IT set for rooms in its admin files (PolicyFrom).
// Forced settings (managed.json) win over the preset and the room's
// overrides, and teachers cannot override them; Recommended settings
// (recommended.json) change a preset's starting values, which a room may
// still override.
type Policy struct {
	// Forced maps a preset ID, or "*" for every preset, to fixed settings.
	Forced map[string]Settings
	// Recommended maps a preset ID, or "*", to changed preset defaults.
	Recommended map[string]Settings
}

// forced returns the settings fixed for preset.
func (p Policy) forced(preset string) Settings {
	return p.Forced["*"].Merge(p.Forced[preset])
}

// Locked reports whether key is fixed by the policy for preset (the GUI
// disables that control with "set by your school's IT").
func (p Policy) Locked(preset, key string) bool {
	_, ok := p.forced(preset).Get(key)
	return ok
}

// CheckOverrides returns ErrSettingLocked for the first override the
// policy does not allow.
func (p Policy) CheckOverrides(preset string, over Settings) error {
	for _, k := range over.Keys() {
		if p.Locked(preset, k) {
			return &Error{Code: CodeSettingLocked, Detail: k}
		}
	}
	return nil
}

// Resolve returns the effective settings: preset < IT's recommended
// values < the room's overrides < IT's forced values.
func Resolve(presetID string, over Settings, pol Policy) (Settings, error) {
	pr, ok := FindPreset(presetID)
	if !ok {
		return Settings{}, &Error{Code: CodeUnknownPreset, Detail: presetID}
	}
	base := pr.Settings.Merge(pol.Recommended["*"]).Merge(pol.Recommended[pr.ID])
	return base.Merge(over).Merge(pol.forced(pr.ID)), nil
}

// CreateParams maps resolved settings to BBB create parameters. Unset
// settings are not sent (server defaults apply), except recording, which
// is always sent, and guest promotion to moderator, which Tafel never
// allows.
func (s Settings) CreateParams() bbbclient.CreateParams {
	p := bbbclient.CreateParams{
		MuteOnStart:                            s.MuteOnStart,
		WebcamsOnlyForModerator:                s.WebcamsOnlyForModerator,
		MeetingExpireWhenLastUserLeftInMinutes: s.EndAfterLastLeftMinutes,
		MaxParticipants:                        s.MaxParticipants,
		Duration:                               s.DurationMinutes,
		AllowPromoteGuestToModerator:           no(),
		Lock: bbbclient.LockSettings{
			DisablePrivateChat: s.LockPrivateChat,
			DisablePublicChat:  s.LockPublicChat,
			DisableNotes:       s.LockSharedNotes,
			DisableCam:         s.LockWebcam,
			DisableMic:         s.LockMicrophone,
			HideUserList:       s.HideUserList,
			LockOnJoin:         s.LockOnJoin,
		},
	}
	if s.Record != nil {
		p.Record = *s.Record
	}
	switch s.GuestPolicy {
	case GuestAlwaysAccept:
		p.GuestPolicy = bbbclient.GuestAlwaysAccept
	case GuestAskModerator:
		p.GuestPolicy = bbbclient.GuestAskModerator
	case GuestAlwaysDeny:
		p.GuestPolicy = bbbclient.GuestAlwaysDeny
	}
	return p
}

// GuestsWait reports whether viewer links join as guests who wait for the
// moderator's approval.
func (s Settings) GuestsWait() bool { return s.GuestPolicy == GuestAskModerator }

// sortedKeys is used for stable output.
func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
