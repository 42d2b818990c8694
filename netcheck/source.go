package netcheck

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/pion/stun/v4"
	"github.com/tafel-schule/tafel/bbbclient"
	"github.com/tafel-schule/tafel/turnrest"
)

// ICEServer is one TURN server with credentials; its String and JSON forms
// never show the credential.
type ICEServer = bbbclient.ICEServer

// Source supplies the TURN servers to test. Implementations: BBBSource (the
// pool's own servers via stuns), StaticSource (URLs + username/credential from
// an IT helper) and TURNRESTSource (credentials minted from a static secret).
type Source interface {
	ICEServers(ctx context.Context) ([]ICEServer, error)
}

// APIProber is implemented by sources backed by a BBB API; the check then
// also measures the API's reachability.
type APIProber interface {
	APITarget() *APITarget
}

// SourceKinder names the source in the report ("bbb", "ice_servers", "turn_rest").
type SourceKinder interface {
	SourceKind() string
}

// StaticSource returns fixed servers (--ice-server URL --username U --credential C).
type StaticSource struct{ Servers []ICEServer }

// NewStaticSource gives every URL the same username and credential.
func NewStaticSource(urls []string, username, credential string) *StaticSource {
	s := &StaticSource{}
	for _, u := range urls {
		s.Servers = append(s.Servers, ICEServer{URLs: []string{u}, Username: username, Credential: credential})
	}
	return s
}

// ICEServers implements Source.
func (s *StaticSource) ICEServers(context.Context) ([]ICEServer, error) {
	return append([]ICEServer(nil), s.Servers...), nil
}

// SourceKind implements SourceKinder.
func (s *StaticSource) SourceKind() string { return "ice_servers" }

// TURNRESTSource mints TURN REST credentials (as BBB and coturn's
// use-auth-secret do) for the given URLs from the static secret.
type TURNRESTSource struct {
	urls   []string
	secret func() string // a closure: printing the source never shows the secret
	User   string
	TTL    time.Duration
	Now    func() time.Time
}

// NewTURNRESTSource returns a source minting credentials for urls from secret.
func NewTURNRESTSource(urls []string, secret string) *TURNRESTSource {
	return &TURNRESTSource{urls: append([]string(nil), urls...), secret: func() string { return secret },
		User: "tafel-netcheck", TTL: 10 * time.Minute, Now: time.Now}
}

// ICEServers implements Source.
func (s *TURNRESTSource) ICEServers(context.Context) ([]ICEServer, error) {
	cred := turnrest.Mint(s.secret(), s.User, s.Now(), s.TTL)
	out := make([]ICEServer, 0, len(s.urls))
	for _, u := range s.urls {
		out = append(out, ICEServer{URLs: []string{u}, Username: cred.Username, Credential: cred.Password, TTL: s.TTL, Expires: cred.Expires})
	}
	return out, nil
}

// SourceKind implements SourceKinder.
func (s *TURNRESTSource) SourceKind() string { return "turn_rest" }

func (s *TURNRESTSource) String() string {
	return "TURNRESTSource{" + strings.Join(s.urls, " ") + " secret:[redacted]}"
}

// BBBSource fetches the pool's TURN servers the way BBB's client does: join
// server-side with redirect=false, then /api/stuns with that session.
type BBBSource struct {
	Client *bbbclient.Client
	// MeetingID is the room about to start. Empty: a short-lived check
	// meeting is created and ended afterwards.
	MeetingID string
	FullName  string // shown in the meeting's user list; default "Tafel Netzwerktest"
}

// NewBBBSource returns a source for the pool node behind c. meetingID may be
// empty (a throwaway check meeting) or the room about to start.
func NewBBBSource(c *bbbclient.Client, meetingID string) *BBBSource {
	return &BBBSource{Client: c, MeetingID: meetingID}
}

// SourceKind implements SourceKinder.
func (s *BBBSource) SourceKind() string { return "bbb" }

// APITarget implements APIProber.
func (s *BBBSource) APITarget() *APITarget {
	return &APITarget{URL: s.Client.BaseURL(), Version: func(ctx context.Context) (string, error) {
		v, err := s.Client.Version(ctx)
		if err != nil {
			return "", err
		}
		if v.APIVersion != "" {
			return v.APIVersion, nil
		}
		return v.Version, nil
	}}
}

// ICEServers implements Source.
func (s *BBBSource) ICEServers(ctx context.Context) ([]ICEServer, error) {
	name := s.FullName
	if name == "" {
		name = "Tafel Netzwerktest"
	}
	id := s.MeetingID
	var createTime int64
	if id == "" {
		id = "tafel-netcheck-" + randomHex(6)
		res, err := s.Client.Create(ctx, bbbclient.CreateParams{Name: "Tafel Netzwerktest", MeetingID: id,
			MeetingExpireIfNoUserJoinedInMinutes: new(1), Duration: new(5)})
		if err != nil {
			return nil, newErr(ErrSource.Code, "create check meeting", err)
		}
		createTime = res.CreateTime
		// End in the background: the verdict must not wait for it.
		defer func() {
			go func() {
				ectx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
				defer cancel()
				_ = s.Client.End(ectx, id)
			}()
		}()
	} else {
		info, err := s.Client.GetMeetingInfo(ctx, id)
		if err != nil {
			return nil, newErr(ErrSource.Code, "meeting info", err)
		}
		createTime = info.CreateTime
	}
	cfg, err := s.Client.FetchICEServers(ctx, bbbclient.JoinParams{MeetingID: id, FullName: name,
		Role: bbbclient.RoleViewer, CreateTime: createTime, ExcludeFromDashboard: true})
	if err != nil {
		return nil, newErr(ErrSource.Code, "fetch TURN servers (join, stuns)", err)
	}
	// Relay-only: STUN servers are not needed and never contacted.
	return cfg.TURNServers, nil
}

// ICEConfigFetcher is what a pool offers for the pre-flight (rooms.Pool's
// ICEServers: the stuns answer of a probe meeting).
type ICEConfigFetcher interface {
	ICEServers(ctx context.Context) (*bbbclient.ICEConfig, error)
}

// FromPool adapts a pool to a Source. If the pool also implements
// APIProber, or has BaseURL() string, its API is checked too.
func FromPool(p ICEConfigFetcher) Source { return poolSource{p} }

type poolSource struct{ p ICEConfigFetcher }

func (s poolSource) ICEServers(ctx context.Context) ([]ICEServer, error) {
	cfg, err := s.p.ICEServers(ctx)
	if err != nil {
		return nil, newErr(ErrSource.Code, "fetch TURN servers from the pool", err)
	}
	if cfg == nil {
		return nil, nil
	}
	return cfg.TURNServers, nil
}

func (s poolSource) SourceKind() string { return "bbb" }

func (s poolSource) APITarget() *APITarget {
	switch p := s.p.(type) {
	case APIProber:
		return p.APITarget()
	case interface{ BaseURL() string }:
		return &APITarget{URL: p.BaseURL()}
	}
	return nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// probeURL is one TURN URL to test, parsed.
type probeURL struct {
	raw       string
	uri       *stun.URI
	transport string
	username  string
	password  string
	expires   time.Time
}

// ValidateURL checks that u is a turn: or turns: URL pion can use.
func ValidateURL(u string) error {
	_, err := parseTURN(u)
	return err
}

func parseTURN(u string) (*stun.URI, error) {
	norm, scheme, err := normalizeICEURL(u)
	if err != nil {
		return nil, newErr(ErrBadURL.Code, fmt.Sprintf("cannot parse ICE server URL %q", redactURL(u)), err)
	}
	if scheme != "turn" && scheme != "turns" {
		return nil, newErr(ErrBadURL.Code, fmt.Sprintf("%q is not a TURN URL (turn: or turns:)", redactURL(u)), nil)
	}
	uri, err := stun.ParseURI(norm)
	if err != nil {
		return nil, newErr(ErrBadURL.Code, fmt.Sprintf("cannot parse ICE server URL %q", redactURL(u)), err)
	}
	return uri, nil
}

// normalizeICEURL validates an RFC 7064/7065 URL strictly before pion sees
// it: pion/stun v4.0.1's ParseURI recurses without end on input such as
// "turn:[1]5349" (found by FuzzExpandURL), and these URLs come from a
// server. It returns scheme:host:port[?transport=udp|tcp].
func normalizeICEURL(u string) (norm, scheme string, err error) {
	scheme, rest, ok := strings.Cut(strings.TrimSpace(u), ":")
	scheme = strings.ToLower(scheme)
	if !ok {
		return "", "", errors.New("no scheme")
	}
	def := map[string]string{"stun": "3478", "turn": "3478", "stuns": "5349", "turns": "5349"}[scheme]
	if def == "" {
		return "", "", errors.New("unknown scheme")
	}
	hostport, query, _ := strings.Cut(rest, "?")
	var host, port string
	if strings.HasPrefix(hostport, "[") {
		end := strings.IndexByte(hostport, ']')
		if end < 0 {
			return "", "", errors.New("unclosed IPv6 literal")
		}
		host, port = hostport[1:end], hostport[end+1:]
		if ip, perr := netip.ParseAddr(host); perr != nil || !ip.Is6() {
			return "", "", errors.New("bad IPv6 literal")
		}
		host = "[" + host + "]"
		if port != "" && !strings.HasPrefix(port, ":") {
			return "", "", errors.New("junk after IPv6 literal")
		}
		port = strings.TrimPrefix(port, ":")
	} else {
		host, port, _ = strings.Cut(hostport, ":")
		if !validHostname(host) {
			return "", "", errors.New("bad host")
		}
	}
	if port == "" {
		port = def
	}
	if n, perr := strconv.Atoi(port); perr != nil || n < 1 || n > 65535 || strconv.Itoa(n) != port {
		return "", "", errors.New("bad port")
	}
	norm = scheme + ":" + host + ":" + port
	switch query {
	case "":
	case "transport=udp", "transport=tcp":
		if scheme == "stun" || scheme == "stuns" {
			return "", "", errors.New("query on a STUN URL")
		}
		norm += "?" + query
	default:
		return "", "", errors.New("unsupported query (only transport=udp or transport=tcp)")
	}
	return norm, scheme, nil
}

func validHostname(h string) bool {
	if h == "" || len(h) > 253 {
		return false
	}
	for _, r := range h {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '.' || r == '_') {
			return false
		}
	}
	return true
}

// expand turns servers into one probe per URL (each in its own
// PeerConnections: pion's candidate stats do not say which URL a candidate
// came from). STUN URLs are skipped: the check is relay-only.
func expand(servers []ICEServer) ([]probeURL, error) {
	var out []probeURL
	for _, s := range servers {
		for _, u := range s.URLs {
			if _, scheme, err := normalizeICEURL(u); err == nil && (scheme == "stun" || scheme == "stuns") {
				continue
			}
			uri, err := parseTURN(u)
			if err != nil {
				return nil, err
			}
			if s.Username == "" || s.Credential == "" {
				return nil, newErr(ErrNoCredentials.Code, fmt.Sprintf("TURN URL %q has no username or credential", redactURL(u)), nil)
			}
			norm, _, _ := normalizeICEURL(u)
			p := probeURL{raw: norm, uri: uri, username: s.Username, password: s.Credential, expires: s.Expires}
			if p.expires.IsZero() {
				if e, err := turnrest.Expiry(s.Username); err == nil {
					p.expires = e
				}
			}
			switch {
			case uri.Scheme == stun.SchemeTypeTURNS && uri.Proto == stun.ProtoTypeUDP:
				p.transport = TransportDTLS
			case uri.Scheme == stun.SchemeTypeTURNS:
				p.transport = TransportTLS
			case uri.Proto == stun.ProtoTypeTCP:
				p.transport = TransportTCP
			default:
				p.transport = TransportUDP
			}
			out = append(out, p)
		}
	}
	return out, nil
}

// redactURL drops anything that could carry a secret (userinfo, query
// parameters other than transport) from an ICE URL for reports.
func redactURL(u string) string {
	u = strings.TrimSpace(u)
	scheme, rest, ok := strings.Cut(u, ":")
	if !ok {
		return "[invalid]"
	}
	rest = strings.TrimPrefix(rest, "//")
	if at := strings.LastIndex(rest, "@"); at >= 0 {
		rest = rest[at+1:]
	}
	host, query, _ := strings.Cut(rest, "?")
	out := scheme + ":" + host
	for _, kv := range strings.Split(query, "&") {
		if strings.HasPrefix(kv, "transport=") {
			out += "?" + kv
		}
	}
	return out
}
