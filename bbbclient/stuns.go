package bbbclient

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/tafel-schule/tafel/turnrest"
)

// ICEServer is one STUN or TURN server, shaped like WebRTC's RTCIceServer.
// Printing it never shows the credential.
type ICEServer struct {
	URLs     []string `json:"urls"`
	Username string   `json:"username,omitempty"`
	// Credential is the TURN password; kept out of JSON and every fmt/slog
	// output on purpose.
	Credential string        `json:"-"`
	TTL        time.Duration `json:"ttl,omitempty"`
	// Expires comes from the TURN REST username prefix, else fetch time +
	// TTL; zero for STUN.
	Expires time.Time `json:"expires,omitzero"`
}

// IsTURN reports whether the server carries credentials.
func (s ICEServer) IsTURN() bool { return s.Username != "" || s.Credential != "" }

func (s ICEServer) String() string {
	var b strings.Builder
	b.WriteString("ICEServer{")
	b.WriteString(strings.Join(s.URLs, " "))
	if s.IsTURN() {
		b.WriteString(" credential:[redacted]")
	}
	if !s.Expires.IsZero() {
		b.WriteString(" expires:")
		b.WriteString(s.Expires.UTC().Format(time.RFC3339))
	}
	b.WriteString("}")
	return b.String()
}

// GoString is used by %#v.
func (s ICEServer) GoString() string { return s.String() }

// Format applies to every fmt verb.
func (s ICEServer) Format(f fmt.State, verb rune) { io.WriteString(f, s.String()) }

// LogValue implements slog.LogValuer.
func (s ICEServer) LogValue() slog.Value {
	attrs := []slog.Attr{slog.String("urls", strings.Join(s.URLs, " "))}
	if !s.Expires.IsZero() {
		attrs = append(attrs, slog.Time("expires", s.Expires))
	}
	return slog.GroupValue(attrs...)
}

// ICEConfig is a stuns answer.
type ICEConfig struct {
	STUNServers []ICEServer `json:"stun_servers"`
	TURNServers []ICEServer `json:"turn_servers"`
	// RemoteICECandidates are IPs the server asks clients to add as
	// remote candidates (rarely configured).
	RemoteICECandidates []string `json:"remote_ice_candidates,omitempty"`
	// Expires is the earliest credential expiry (zero if none): refetch
	// before it, as the HTML5 client does.
	Expires time.Time `json:"expires,omitzero"`
}

// Servers returns STUN then TURN servers.
func (c *ICEConfig) Servers() []ICEServer {
	out := make([]ICEServer, 0, len(c.STUNServers)+len(c.TURNServers))
	out = append(out, c.STUNServers...)
	return append(out, c.TURNServers...)
}

func (c *ICEConfig) String() string {
	parts := make([]string, 0, len(c.STUNServers)+len(c.TURNServers))
	for _, s := range c.Servers() {
		parts = append(parts, s.String())
	}
	return "ICEConfig{" + strings.Join(parts, ", ") + "}"
}

// GoString is used by %#v.
func (c *ICEConfig) GoString() string { return c.String() }

// Format applies to every fmt verb.
func (c *ICEConfig) Format(f fmt.State, verb rune) { io.WriteString(f, c.String()) }

// LogValue implements slog.LogValuer.
func (c *ICEConfig) LogValue() slog.Value {
	return slog.GroupValue(
		slog.Int("stun", len(c.STUNServers)),
		slog.Int("turn", len(c.TURNServers)),
		slog.Time("expires", c.Expires),
	)
}

// ICEServers fetches the TURN/STUN servers for this session from the node
// that served the join (never the balancer), with the session's cookies.
func (s *Session) ICEServers(ctx context.Context) (*ICEConfig, error) {
	u := *s.nodeAPI
	u.Path += "/stuns"
	u.RawQuery = "sessionToken=" + url.QueryEscape(s.token.reveal())
	start := time.Now()
	raw, err := s.c.send(ctx, request{call: "stuns", method: http.MethodGet, url: &u, hc: s.hc})
	status := 0
	var cfg *ICEConfig
	if raw != nil {
		status = raw.status
		cfg, err = decodeStuns(raw.status, raw.contentType, raw.body, time.Now())
	}
	s.c.logCall(ctx, "stuns", start, status, "", err)
	return cfg, err
}

// FetchICEServers joins server-side (JoinSession) and fetches the ICE
// servers with that session. A waiting guest gets an error matching
// ErrGuestWait, a denied one ErrGuestDeniedAccess. The meeting should be a
// dedicated probe meeting, ended afterwards.
func (c *Client) FetchICEServers(ctx context.Context, p JoinParams) (*ICEConfig, error) {
	s, err := c.JoinSession(ctx, p)
	if err != nil {
		return nil, err
	}
	if s.GuestStatus == GuestWait {
		return nil, &APIError{Call: "join", HTTPStatus: http.StatusOK, ReturnCode: "SUCCESS", MessageKey: "guestWait", Message: s.Message}
	}
	return s.ICEServers(ctx)
}

type jsonStuns struct {
	ReturnCode          string     `json:"returncode"`
	MessageKey          string     `json:"messageKey"`
	Message             string     `json:"message"`
	StunServers         []jsonICE  `json:"stunServers"`
	TurnServers         []jsonICE  `json:"turnServers"`
	RemoteIceCandidates []jsonIP   `json:"remoteIceCandidates"`
	Response            *jsonStuns `json:"response"`
}

type jsonIP struct {
	IP string `json:"ip"`
}

type jsonICE struct {
	URL        flexStrings `json:"url"`
	URLs       flexStrings `json:"urls"`
	Username   flexString  `json:"username"`
	Password   flexString  `json:"password"`
	Credential flexString  `json:"credential"`
	TTL        flexString  `json:"ttl"`
}

// flexString accepts a JSON string, number or bool (ttl is a number in
// Groovy's JSON builder but a string in some proxies).
type flexString string

func (f *flexString) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = flexString(s)
		return nil
	}
	if string(b) == "null" {
		return nil
	}
	*f = flexString(b)
	return nil
}

// flexStrings accepts a string or an array of strings.
type flexStrings []string

func (f *flexStrings) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '[' {
		var ss []string
		if err := json.Unmarshal(b, &ss); err != nil {
			return err
		}
		*f = ss
		return nil
	}
	var s flexString
	if err := s.UnmarshalJSON(b); err != nil {
		return err
	}
	if s != "" {
		*f = flexStrings{string(s)}
	}
	return nil
}

// decodeStuns parses the stuns JSON (bbb-api.md §7.1, §7.3).
func decodeStuns(status int, ctype string, body []byte, now time.Time) (*ICEConfig, error) {
	malformed := func(reason string, err error) error {
		return &MalformedResponseError{Call: "stuns", HTTPStatus: status, ContentType: ctype, Reason: reason, Err: err}
	}
	body = bytes.TrimSpace(bytes.TrimPrefix(body, utf8BOM))
	if len(body) == 0 {
		return nil, malformed(reasonEmpty, nil)
	}
	if body[0] == '<' {
		// An XML error envelope (e.g. from a proxy in front of the node).
		if _, err := decodeXML("stuns", status, ctype, body, nil); err != nil {
			var ae *APIError
			if errors.As(err, &ae) {
				return nil, err
			}
		}
		return nil, malformed(reasonNotJSON, nil)
	}
	var j jsonStuns
	if err := json.Unmarshal(body, &j); err != nil {
		return nil, malformed(reasonNotJSON, err)
	}
	if j.Response != nil && j.ReturnCode == "" && len(j.StunServers)+len(j.TurnServers) == 0 {
		j = *j.Response
	}
	rc := strings.TrimSpace(j.ReturnCode)
	if (rc != "" && !strings.EqualFold(rc, "SUCCESS")) || (rc == "" && j.Message != "" && len(j.StunServers)+len(j.TurnServers) == 0) {
		if rc == "" {
			rc = "FAILED"
		}
		return nil, &APIError{Call: "stuns", HTTPStatus: status, ReturnCode: rc, MessageKey: strings.TrimSpace(j.MessageKey), Message: redactText(strings.TrimSpace(j.Message))}
	}
	if status >= 300 {
		return nil, malformed(reasonNotBBB, nil)
	}
	cfg := &ICEConfig{}
	for _, e := range j.StunServers {
		if s, ok := e.server(now); ok {
			cfg.STUNServers = append(cfg.STUNServers, s)
		}
	}
	for _, e := range j.TurnServers {
		s, ok := e.server(now)
		if !ok {
			continue
		}
		cfg.TURNServers = append(cfg.TURNServers, s)
		if !s.Expires.IsZero() && (cfg.Expires.IsZero() || s.Expires.Before(cfg.Expires)) {
			cfg.Expires = s.Expires
		}
	}
	for _, c := range j.RemoteIceCandidates {
		if ip := strings.TrimSpace(c.IP); ip != "" {
			cfg.RemoteICECandidates = append(cfg.RemoteICECandidates, ip)
		}
	}
	return cfg, nil
}

// maxTTL keeps absurd ttl values from overflowing time.Duration.
const maxTTL = 10 * 365 * 24 * time.Hour

func (e jsonICE) server(now time.Time) (ICEServer, bool) {
	var urls []string
	for _, u := range append(append([]string{}, e.URL...), e.URLs...) {
		if u = strings.TrimSpace(u); u != "" {
			urls = append(urls, u)
		}
	}
	if len(urls) == 0 {
		return ICEServer{}, false
	}
	s := ICEServer{URLs: urls, Username: string(e.Username), Credential: string(e.Password)}
	if s.Credential == "" {
		s.Credential = string(e.Credential)
	}
	if secs, err := strconv.ParseFloat(strings.TrimSpace(string(e.TTL)), 64); err == nil && secs > 0 {
		s.TTL = time.Duration(min(secs, maxTTL.Seconds()) * float64(time.Second))
	}
	if !s.IsTURN() {
		return s, true
	}
	s.Expires = credentialExpiry(s.Username, s.TTL, now)
	return s, true
}

// credentialExpiry reads the TURN REST expiry prefix. Very old BBB put the
// issue time in milliseconds there instead, so a value that large is taken
// as issue time + TTL; without a usable prefix, fetch time + TTL.
func credentialExpiry(username string, ttl time.Duration, now time.Time) time.Time {
	if t, err := turnrest.Expiry(username); err == nil {
		const msThreshold = 100_000_000_000 // year 5138 in seconds
		if t.Unix() < msThreshold {
			return t
		}
		if ttl > 0 {
			return time.UnixMilli(t.Unix()).Add(ttl)
		}
	}
	if ttl > 0 {
		return now.Add(ttl)
	}
	return time.Time{}
}
