package rooms

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"strconv"

	"github.com/tafel-schule/tafel/bbbclient"
)

// Pool is what Tafel needs from a BigBlueButton pool. The first
// implementation, DirectPool, talks to the BBB API with the pool's shared
// secret from the keyring. A later mode without a pool-wide secret on the
// laptop (a broker run by the pool operator) implements the same interface;
// the UI never knows which one it has.
type Pool interface {
	// Name is the pool's display name.
	Name() string
	// Limits are the pool's upload limits.
	Limits() Limits
	// EnsureMeeting creates the meeting, or finds it already there
	// (idempotent). Slides in spec go in only with a new meeting
	// (Meeting.Existed false); for an existing one use AddSlides.
	EnsureMeeting(ctx context.Context, spec MeetingSpec) (Meeting, error)
	// ModeratorJoinURL is the teacher's signed link into m (with its
	// createTime, so it works only for this instance).
	ModeratorJoinURL(ctx context.Context, m Meeting, p Participant) (JoinURL, error)
	// ViewerJoinURL is a link with role VIEWER, and nothing else: there is
	// no way to ask it for moderator rights. createTime 0 makes a link that
	// keeps working for every later lesson of the meeting ID (a printed
	// class sheet); otherwise it is pinned to that instance.
	ViewerJoinURL(ctx context.Context, meetingID string, createTime int64, p Participant) (JoinURL, error)
	// AddSlides uploads documents into the running meeting.
	AddSlides(ctx context.Context, meetingID string, docs []bbbclient.Document, opts bbbclient.UploadOptions) error
	// Status reports whether the meeting exists and runs.
	Status(ctx context.Context, meetingID string) (MeetingStatus, error)
	// End ends the meeting (rotating a room's ID, ending a lesson).
	End(ctx context.Context, meetingID string) error
	// ICEServers returns the pool's STUN/TURN servers for the network
	// pre-flight (a short probe meeting is created and ended for it).
	ICEServers(ctx context.Context) (*bbbclient.ICEConfig, error)
	// Check verifies that the pool answers and accepts Tafel's requests
	// (reachability and the shared secret).
	Check(ctx context.Context) error
}

// Limits are a pool's upload limits.
type Limits struct {
	InlineBytes int64 // largest inline upload body (BBB default 2 MB)
	FileBytes   int64 // largest file (BBB default 30,000,000)
	Pages       int   // pages per file (BBB default 200)
}

// MeetingSpec is everything a create needs.
type MeetingSpec struct {
	MeetingID string
	Name      string
	Settings  Settings
	Welcome   string // plain text; escaped before it is sent
	Slides    []bbbclient.Document
	Upload    bbbclient.UploadOptions
}

// Meeting is one running instance of a room's meeting.
type Meeting struct {
	MeetingID  string `json:"meeting_id"`
	CreateTime int64  `json:"create_time"`
	// Existed is true when the meeting was already there (BBB's
	// duplicateWarning): settings and slides of this create were ignored.
	Existed bool `json:"existed"`
}

// Participant is who a join URL is for.
type Participant struct {
	Name   string
	UserID string // stable external user ID; empty: none
	// Guest joins wait for the moderator's approval when the meeting's
	// guest policy asks for it.
	Guest bool
	// SkipEchoTest skips BBB's audio check on the first audio join (Tafel's
	// own audio check passed recently).
	SkipEchoTest bool
}

// MeetingStatus is the pool's view of a meeting.
type MeetingStatus struct {
	Exists       bool  `json:"exists"`
	Running      bool  `json:"running"` // someone has joined
	CreateTime   int64 `json:"create_time,omitempty"`
	Participants int   `json:"participants"`
	Moderators   int   `json:"moderators"`
}

// JoinURL is a signed join link: a bearer credential. Printing, logging or
// JSON-encoding it yields only scheme://host/path; Reveal gives the link
// (only for opening it, or on the user's explicit request).
type JoinURL struct {
	raw      func() string
	redacted string
}

// NewJoinURL wraps a signed URL.
func NewJoinURL(raw string) JoinURL {
	red := "[redacted]"
	if u, err := url.Parse(raw); err == nil {
		red = u.Scheme + "://" + u.Host + u.Path
	}
	return JoinURL{raw: func() string { return raw }, redacted: red}
}

// Reveal returns the full signed URL.
func (j JoinURL) Reveal() string {
	if j.raw == nil {
		return ""
	}
	return j.raw()
}

// IsZero reports whether j is empty.
func (j JoinURL) IsZero() bool { return j.Reveal() == "" }

func (j JoinURL) String() string   { return j.redacted }
func (j JoinURL) GoString() string { return "rooms.JoinURL(" + strconv.Quote(j.redacted) + ")" }

// Format makes every fmt verb print the redacted form.
func (j JoinURL) Format(f fmt.State, _ rune) { io.WriteString(f, j.redacted) }

// LogValue implements slog.LogValuer.
func (j JoinURL) LogValue() slog.Value { return slog.StringValue(j.redacted) }

// MarshalText keeps signed URLs out of JSON.
func (j JoinURL) MarshalText() ([]byte, error) { return []byte(j.redacted), nil }
