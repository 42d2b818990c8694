package bbbclient

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Role is the join role. Joining by role replaces the deprecated passwords.
type Role string

// Roles.
const (
	RoleModerator Role = "MODERATOR"
	RoleViewer    Role = "VIEWER"
)

// JoinParams describe one user's join. There is no password field: BBB
// 2.4+ joins by Role, and CreateTime pins the link to one meeting instance.
type JoinParams struct {
	MeetingID  string
	FullName   string
	Role       Role  // required
	CreateTime int64 // required unless AnyInstance: CreateResult.CreateTime or MeetingInfo.CreateTime

	// AnyInstance leaves createTime out, so the link works for every run of
	// this meeting ID (while one is running) until the ID is changed. It
	// exists for printed VIEWER links handed out once per class; moderator
	// links are always pinned to one instance, so it is refused for them.
	AnyInstance bool

	UserID               string
	Guest                bool // subject to the meeting's guestPolicy
	AvatarURL            string
	LogoutURL            string // 3.0
	ErrorRedirectURL     string // 2.7
	ExcludeFromDashboard bool
	Bot                  bool // 3.0

	// UserData is sent as userdata-<key> (hyphen). Keys may be given with
	// or without the "userdata-" prefix, e.g. "bbb_auto_join_audio".
	UserData map[string]string
	// Extra carries other join parameters (enforceLayout, firstName, …),
	// applied last in sorted order. It cannot replace a parameter a typed
	// field set (role, meetingID, createTime …).
	Extra map[string]string
}

func (p *JoinParams) params() (*Params, error) {
	if err := validateMeetingID("meetingID", p.MeetingID); err != nil {
		return nil, err
	}
	if strings.TrimSpace(stripControl(p.FullName)) == "" {
		return nil, invalid("fullName", "must not be empty")
	}
	role := Role(strings.ToUpper(string(p.Role)))
	if role != RoleModerator && role != RoleViewer {
		return nil, invalid("role", "must be MODERATOR or VIEWER")
	}
	switch {
	case p.AnyInstance && role != RoleViewer:
		return nil, invalid("createTime", "may be left out only for VIEWER links")
	case p.AnyInstance && p.CreateTime > 0:
		return nil, invalid("createTime", "is set although AnyInstance asks to leave it out")
	case !p.AnyInstance && p.CreateTime <= 0:
		return nil, invalid("createTime", "is required; take it from create or getMeetingInfo")
	}
	q := &Params{}
	q.Set("fullName", p.FullName)
	q.Set("meetingID", p.MeetingID)
	q.Set("role", string(role))
	if !p.AnyInstance {
		q.SetInt("createTime", p.CreateTime)
	}
	q.setOpt("userID", p.UserID)
	if p.Guest {
		q.SetBool("guest", true)
	}
	q.setOpt("avatarURL", p.AvatarURL)
	q.setOpt("logoutURL", p.LogoutURL)
	q.setOpt("errorRedirectUrl", p.ErrorRedirectURL)
	if p.ExcludeFromDashboard {
		q.SetBool("excludeFromDashboard", true)
	}
	if p.Bot {
		q.SetBool("bot", true)
	}
	for _, k := range sortedKeys(p.UserData) {
		name := strings.TrimPrefix(k, "userdata-")
		if strings.HasPrefix(name, "userdata_") {
			return nil, invalid("userdata "+k, `the prefix is "userdata-" with a hyphen`)
		}
		if !enumOK(name, "_-.") {
			return nil, invalid("userdata "+k, "invalid key")
		}
		q.Set("userdata-"+name, p.UserData[k])
	}
	if err := setExtra(q, p.Extra, false); err != nil {
		return nil, err
	}
	return q, nil
}

// JoinURL signs a join URL locally, for the system browser. The app never
// calls join for the user: the session cookie must end up in the browser.
func (c *Client) JoinURL(p JoinParams) (SignedURL, error) {
	q, err := p.params()
	if err != nil {
		return SignedURL{}, err
	}
	sq, err := c.signedQuery("join", q)
	if err != nil {
		return SignedURL{}, err
	}
	return newSignedURL(c.callURL("join", sq)), nil
}

// SignedURL is a URL carrying a checksum or token: a bearer credential.
// Every way of printing or encoding it (String, GoString, all fmt verbs,
// slog, MarshalText) yields a redacted form; only Reveal returns the URL.
type SignedURL struct {
	raw      hidden
	redacted string
}

// hidden keeps a credential in a closure: fmt with any verb, and
// reflection-based dumpers, print a func address instead of the value.
type hidden func() string

func hide(s string) hidden { return func() string { return s } }

func (h hidden) String() string { return "[redacted]" }

func (h hidden) reveal() string {
	if h == nil {
		return ""
	}
	return h()
}

func newSignedURL(u *url.URL) SignedURL {
	return SignedURL{raw: hide(u.String()), redacted: redactURL(u)}
}

func redactURL(u *url.URL) string {
	r := url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path}
	s := r.String()
	if u.RawQuery != "" {
		s += "?[redacted]"
	}
	return s
}

// Reveal returns the real URL, e.g. for opening in the browser. Never log it.
func (s SignedURL) Reveal() string { return s.raw.reveal() }

// IsZero reports whether s is empty.
func (s SignedURL) IsZero() bool { return s.raw.reveal() == "" }

func (s SignedURL) String() string { return s.redacted }

// GoString is used by %#v.
func (s SignedURL) GoString() string { return "bbbclient.SignedURL(" + strconv.Quote(s.redacted) + ")" }

// Format applies to every fmt verb, so %d or %x cannot dump the fields.
func (s SignedURL) Format(f fmt.State, verb rune) {
	switch {
	case verb == 'q':
		io.WriteString(f, strconv.Quote(s.redacted))
	case verb == 'v' && f.Flag('#'):
		io.WriteString(f, s.GoString())
	default:
		io.WriteString(f, s.redacted)
	}
}

// LogValue implements slog.LogValuer.
func (s SignedURL) LogValue() slog.Value { return slog.StringValue(s.redacted) }

// MarshalText makes JSON and other encoders write the redacted form.
func (s SignedURL) MarshalText() ([]byte, error) { return []byte(s.redacted), nil }

// GuestStatus is the guestStatus of a join answer.
type GuestStatus string

// Guest states.
const (
	GuestAllow GuestStatus = "ALLOW"
	GuestWait  GuestStatus = "WAIT"
	GuestDeny  GuestStatus = "DENY"
)

// Session is the result of a server-side join with redirect=false: it owns
// a private cookie jar holding the node's JSESSIONID, which stuns needs.
// Only the connectivity test should create one; the teacher joins in the
// browser. String and LogValue never show the tokens.
type Session struct {
	MeetingID   string // internal meeting ID
	UserID      string // internal user ID
	GuestStatus GuestStatus
	MessageKey  string
	Message     string

	token     hidden
	authToken hidden
	clientURL SignedURL
	nodeAPI   *url.URL // API base of the node that answered the join
	c         *Client
	hc        *http.Client
}

// Token reveals the session token. Never log it.
func (s *Session) Token() string { return s.token.reveal() }

// AuthToken reveals the auth token. Never log it.
func (s *Session) AuthToken() string { return s.authToken.reveal() }

// ClientURL is the HTML5 client URL (with the session token) or, for a
// waiting guest, the guest-wait page. Empty on old servers.
func (s *Session) ClientURL() SignedURL { return s.clientURL }

// NodeURL is the API base of the BBB node that served the join; behind
// Scalelite or b3lb it differs from the client's base URL.
func (s *Session) NodeURL() string { return s.nodeAPI.String() }

func (s *Session) String() string {
	return fmt.Sprintf("bbbclient.Session{node:%s user:%s guestStatus:%s token:[redacted]}", s.nodeAPI.Host, s.UserID, s.GuestStatus)
}

// GoString is used by %#v.
func (s *Session) GoString() string { return s.String() }

// Format applies to every fmt verb.
func (s *Session) Format(f fmt.State, verb rune) { io.WriteString(f, s.String()) }

// LogValue implements slog.LogValuer.
func (s *Session) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("node", s.nodeAPI.Host),
		slog.String("user_id", s.UserID),
		slog.String("guest_status", string(s.GuestStatus)),
	)
}

type xmlJoin struct {
	MeetingID    string `xml:"meeting_id"`
	UserID       string `xml:"user_id"`
	AuthToken    string `xml:"auth_token"`
	SessionToken string `xml:"session_token"`
	GuestStatus  string `xml:"guestStatus"`
	URL          string `xml:"url"`
	MessageKey   string `xml:"messageKey"`
	Message      string `xml:"message"`
}

// decodeJoin turns a redirect=false join answer into session fields. A
// denied guest becomes an APIError matching ErrGuestDeniedAccess even if
// a server reports it with SUCCESS.
func decodeJoin(status int, ctype string, body []byte) (*xmlJoin, string, error) {
	var x xmlJoin
	key, err := decodeXML("join", status, ctype, body, &x)
	if err != nil {
		return nil, key, err
	}
	if strings.EqualFold(xstr(x.GuestStatus), string(GuestDeny)) {
		return nil, key, &APIError{Call: "join", HTTPStatus: status, ReturnCode: "FAILED", MessageKey: "guestDeniedAccess", Message: xstr(x.Message)}
	}
	if xstr(x.SessionToken) == "" {
		return nil, key, &MalformedResponseError{Call: "join", HTTPStatus: status, ContentType: ctype, Reason: reasonNoSession}
	}
	return &x, key, nil
}

// JoinSession joins server-side with redirect=false, following load
// balancer redirects (Scalelite/b3lb answer 302 to the node even then),
// with a fresh cookie jar in a client that shares the configured transport.
func (c *Client) JoinSession(ctx context.Context, p JoinParams) (*Session, error) {
	q, err := p.params()
	if err != nil {
		return nil, err
	}
	q.SetBool("redirect", false)
	sq, err := c.signedQuery("join", q)
	if err != nil {
		return nil, err
	}
	jar, err := cookiejar.New(nil)
	if err != nil {
		return nil, err
	}
	hc := *c.hc // same transport, TLS config and redirect policy
	hc.Jar = jar

	start := time.Now()
	raw, err := c.send(ctx, request{call: "join", method: http.MethodGet, url: c.callURL("join", sq), hc: &hc})
	status, key := 0, ""
	var x *xmlJoin
	if raw != nil {
		status = raw.status
		x, key, err = decodeJoin(raw.status, raw.contentType, raw.body)
	}
	c.logCall(ctx, "join", start, status, key, err)
	if err != nil {
		return nil, err
	}
	s := &Session{
		MeetingID:   xstr(x.MeetingID),
		UserID:      xstr(x.UserID),
		GuestStatus: GuestStatus(strings.ToUpper(xstr(x.GuestStatus))),
		MessageKey:  xstr(x.MessageKey),
		Message:     xstr(x.Message),
		token:       hide(xstr(x.SessionToken)),
		authToken:   hide(xstr(x.AuthToken)),
		nodeAPI:     nodeAPIBase(raw.finalURL),
		c:           c,
		hc:          &hc,
	}
	if s.GuestStatus == "" {
		s.GuestStatus = GuestAllow // servers before guestStatus only answer admitted users
		if s.MessageKey == "guestWait" {
			s.GuestStatus = GuestWait
		}
	}
	if u, err := url.Parse(xstr(x.URL)); err == nil && u.Host != "" && (u.Scheme == "https" || u.Scheme == "http") {
		s.clientURL = newSignedURL(u)
	}
	return s, nil
}

// nodeAPIBase derives the node's API base from the final join URL:
// ".../api/join" → ".../api"; otherwise the standard path on that host.
func nodeAPIBase(final *url.URL) *url.URL {
	p := "/bigbluebutton/api"
	if i := strings.LastIndex(final.Path, "/join"); i >= 0 && i+len("/join") == len(final.Path) {
		p = final.Path[:i]
	}
	return &url.URL{Scheme: final.Scheme, Host: final.Host, Path: p}
}
