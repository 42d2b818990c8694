package rooms

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"
)

// Room is one of the teacher's rooms: a stable BBB meeting plus how it is
// set up. Everything here is safe to export: no secrets, no signed URLs.
type Room struct {
	Name string `json:"name"`
	// MeetingID is the BBB meetingID: random, unguessable, stable across
	// lessons. Student links carry it, so RotateMeetingID revokes them all.
	MeetingID string `json:"meeting_id"`
	// Pool names the pool (config.Pool.Name); empty: the default pool.
	Pool   string `json:"pool,omitempty"`
	Preset string `json:"preset"`
	// Overrides change single settings of the preset for this room.
	Overrides Settings `json:"overrides,omitzero"`
	// Welcome is plain text shown in the chat; Tafel escapes it, so it
	// never reaches BBB as HTML.
	Welcome string  `json:"welcome,omitempty"`
	Slides  []Slide `json:"slides,omitempty"`
	// ClassList is the path of the class list (CSV or one name per line).
	ClassList string    `json:"class_list,omitempty"`
	Created   time.Time `json:"created,omitzero"`
	// Live remembers the meeting instance Tafel last created or joined and
	// which slides it already has, so a repeated start uploads only new
	// ones. Not exported.
	Live *Live `json:"live,omitempty"`
}

// Slide is a file attached to a room, with what was checked when it was
// attached (to notice when the file changed).
type Slide struct {
	Path    string    `json:"path"`
	Name    string    `json:"name"`
	Size    int64     `json:"size"`
	ModTime time.Time `json:"mod_time,omitzero"`
	SHA256  string    `json:"sha256,omitempty"`
	Pages   int       `json:"pages,omitempty"`
	Type    string    `json:"type,omitempty"` // e.g. "pdf", "pptx", "png"
}

// Key identifies a slide's content for "already uploaded" bookkeeping.
func (s Slide) Key() string {
	if s.SHA256 != "" {
		return "sha256:" + s.SHA256
	}
	return "path:" + s.Path
}

// Live is the last known meeting instance of a room.
type Live struct {
	CreateTime int64    `json:"create_time"`
	Uploaded   []string `json:"uploaded,omitempty"` // Slide.Key values
}

func (l *Live) has(key string) bool {
	for _, k := range l.Uploaded {
		if k == key {
			return true
		}
	}
	return false
}

// meetingIDPrefix makes Tafel's meetings recognisable in getMeetings.
const meetingIDPrefix = "tafel-"

// NewMeetingID returns a fresh meeting ID with 160 random bits: nobody can
// guess another teacher's room, and it fits BBB's 2–256 character rule.
func NewMeetingID() string {
	b := make([]byte, 20)
	if _, err := rand.Read(b); err != nil {
		panic("rooms: no randomness: " + err.Error()) // crypto/rand never fails on supported OSes
	}
	return meetingIDPrefix + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
}

// NewRoom returns a room with a fresh meeting ID and the given preset
// (DefaultPreset if empty).
func NewRoom(name, preset string) (*Room, error) {
	if preset == "" {
		preset = DefaultPreset
	}
	p, ok := FindPreset(preset)
	if !ok {
		return nil, &Error{Code: CodeUnknownPreset, Detail: preset}
	}
	r := &Room{Name: strings.TrimSpace(name), MeetingID: NewMeetingID(), Preset: p.ID, Created: time.Now().UTC().Truncate(time.Second)}
	if err := r.Validate(); err != nil {
		return nil, err
	}
	return r, nil
}

// RotateMeetingID gives the room a new meeting ID. Every student link made
// before stops working; the old meeting is not ended here (the caller may).
func (r *Room) RotateMeetingID() (old string) {
	old = r.MeetingID
	r.MeetingID = NewMeetingID()
	r.Live = nil
	return old
}

// MaxWelcome bounds the welcome text: it travels in create's query string,
// and servers refuse request lines longer than about 8 KB (nginx's default
// large_client_header_buffers); 1000 characters stay below that even when
// every character is percent-encoded as several UTF-8 bytes.
const MaxWelcome = 1000

// ValidateName checks a room name: BBB meeting names are 2–64 characters.
func ValidateName(name string) error {
	n := utf8.RuneCountInString(strings.TrimSpace(name))
	if n < 2 || n > 64 || strings.ContainsFunc(name, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return &Error{Code: CodeInvalidName, Detail: name}
	}
	return nil
}

// Validate checks a room as loaded from a file or import.
func (r *Room) Validate() error {
	if err := ValidateName(r.Name); err != nil {
		return err
	}
	if utf8.RuneCountInString(r.Welcome) > MaxWelcome {
		return &Error{Code: CodeWelcomeTooLong, Detail: r.Name}
	}
	if l := len(r.MeetingID); l < 2 || l > 256 || strings.ContainsAny(r.MeetingID, ", \t\r\n") {
		return &Error{Code: CodeInvalidRoom, Detail: r.Name + ": meeting_id"}
	}
	if _, ok := FindPreset(r.Preset); !ok {
		return &Error{Code: CodeUnknownPreset, Detail: r.Preset}
	}
	if err := r.Overrides.Validate(); err != nil {
		return err
	}
	return nil
}

// Settings returns the room's effective settings under pol.
func (r *Room) Settings(pol Policy) (Settings, error) {
	return Resolve(r.Preset, r.Overrides, pol)
}

// SetOverride changes one setting of the room, unless the policy fixes it.
func (r *Room) SetOverride(pol Policy, key, value string) error {
	if pol.Locked(r.Preset, key) {
		return &Error{Code: CodeSettingLocked, Detail: key}
	}
	return r.Overrides.Set(key, value)
}

// AddSlide attaches s, replacing an earlier slide with the same path.
func (r *Room) AddSlide(s Slide) {
	for i := range r.Slides {
		if r.Slides[i].Path == s.Path {
			r.Slides[i] = s
			return
		}
	}
	r.Slides = append(r.Slides, s)
}

// RemoveSlide detaches the slide with path or file name; false if none.
func (r *Room) RemoveSlide(pathOrName string) bool {
	for i, s := range r.Slides {
		if s.Path == pathOrName || s.Name == pathOrName {
			r.Slides = append(r.Slides[:i], r.Slides[i+1:]...)
			return true
		}
	}
	return false
}

// welcomeHTML turns the plain welcome text into the limited HTML BBB
// expects: escaped, with line breaks.
func welcomeHTML(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	r := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&#39;", "\r\n", "<br>", "\n", "<br>")
	return r.Replace(s)
}

// SlideFromFile records an (already validated) file as a slide: path,
// size, modification time and content hash. name is the upload name
// (extension matching the content); typ and pages come from validation.
func SlideFromFile(path, name, typ string, pages int) (Slide, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return Slide{}, err
	}
	f, err := os.Open(abs)
	if err != nil {
		return Slide{}, &Error{Code: CodeSlideMissing, Detail: filepath.Base(path), Err: err}
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return Slide{}, &Error{Code: CodeSlideMissing, Detail: filepath.Base(path), Err: err}
	}
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return Slide{}, &Error{Code: CodeSlideMissing, Detail: filepath.Base(path), Err: err}
	}
	if name == "" {
		name = filepath.Base(abs)
	}
	return Slide{Path: abs, Name: name, Size: fi.Size(), ModTime: fi.ModTime().UTC(), SHA256: hex.EncodeToString(h.Sum(nil)),
		Pages: pages, Type: typ}, nil
}

// Unchanged reports whether the file still has the recorded size and
// modification time (then it needs no new validation).
func (s Slide) Unchanged() bool {
	fi, err := os.Stat(s.Path)
	return err == nil && fi.Mode().IsRegular() && fi.Size() == s.Size && !s.ModTime.IsZero() && fi.ModTime().UTC().Equal(s.ModTime)
}
