package bbbsim

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Flavor selects which server the simulator impersonates.
type Flavor int

const (
	// FlavorBBB is a BBB 3.x node (the default): all four checksum
	// algorithms, the 3.x API root, /html5client as client URL and
	// "empty query string" checksums for all-in-body POSTs.
	FlavorBBB Flavor = iota
	// FlavorBBB24 is an old BBB 2.4 node: sha1 and sha256 only, checksums
	// compared case-sensitively, the short API root, /html5client/join, no
	// insertDocument, errorRedirectUrl ignored, and all-in-body POST
	// checksums over the canonical rebuilt query (sorted keys, Java
	// URLEncoder).
	FlavorBBB24
	// FlavorScalelite is a Scalelite load balancer: sha1, sha256 and sha512
	// (no sha384), the Scalelite API root (version and build only), join
	// always answering 302 to the node's re-signed join, and unsupported
	// calls (stuns, getJoinUrl, ...) answered with unsupportedRequest. The
	// node behind it is served by [Server.NodeHandler].
	FlavorScalelite
)

func (f Flavor) String() string {
	switch f {
	case FlavorBBB:
		return "bbb"
	case FlavorBBB24:
		return "bbb24"
	case FlavorScalelite:
		return "scalelite"
	}
	return fmt.Sprintf("Flavor(%d)", int(f))
}

// TURNServer is one TURN server whose credentials stuns mints with the TURN
// REST scheme (username = expiry:internalUserID).
type TURNServer struct {
	URL    string
	Secret string
	TTL    time.Duration // default 24h, like BBB's turn-stun-servers.xml
}

// ConvertFunc decides the outcome of a presentation conversion. It gets the
// file name and the stored bytes (size is their length) and returns the page
// count, or an error whose text becomes the failure reason. The default,
// [DefaultConvert], sniffs the format and counts PDF pages with pdfcpu.
type ConvertFunc func(ctx context.Context, name string, r io.ReaderAt, size int64) (pages int, err error)

// Config configures a [Server]. The zero value of every field except Secret
// has a BBB-like default.
type Config struct {
	// Secret is the shared secret (bbb-web's securitySalt). Required: a real
	// server with an empty salt skips checksum checks, which a test
	// simulator must never do silently.
	Secret string
	// Algorithms lists the accepted checksum algorithms ("sha1", "sha256",
	// "sha384", "sha512"). Default depends on Flavor: all four for BBB,
	// sha1+sha256 for BBB24, all but sha384 for Scalelite.
	Algorithms []string
	// Flavor selects BBB 3.x (default), BBB 2.4 or Scalelite behaviour.
	Flavor Flavor
	// Clock returns the current time; every timeout uses it. Default time.Now.
	Clock func() time.Time

	// MaxInlineBody is the largest accepted POST body (nginx in front of
	// bbb-web); larger bodies get HTTP 413 without XML. Default 2 MB.
	MaxInlineBody int64
	// MaxFileSize is the largest presentation (maxFileSizeUpload). Default
	// 30,000,000 bytes.
	MaxFileSize int64
	// MaxPages is the server's page limit per presentation (maxNumPages);
	// create's maxNumPages overrides it per meeting. Default 200.
	MaxPages int

	// TURN servers returned by stuns with freshly minted credentials.
	TURN []TURNServer
	// STUN server URLs returned by stuns (may be empty, as on bbb-install ≥2.6).
	STUN []string
	// RemoteICECandidates are the IPs returned as remoteIceCandidates.
	RemoteICECandidates []string

	// AllowRequestsWithoutSession is bbb-web's allowRequestsWithoutSession:
	// stuns and the client page then accept a session token without the
	// matching JSESSIONID cookie.
	AllowRequestsWithoutSession bool

	// PublicURL is the externally visible base URL (scheme://host[:port]) of
	// Handler. Default: derived from each request's Host header.
	PublicURL string
	// ClientURL is the HTML5 client URL join redirects to (?sessionToken=
	// is appended). Default: the simulator's own client page,
	// <base>/html5client (3.x) or <base>/html5client/join (2.4).
	ClientURL string
	// LogoutURL is the server's default logout URL, used for join error
	// redirects without errorRedirectUrl/logoutURL and in stuns failures.
	// Default: <base>, as bbb-web's "logoutURL=default".
	LogoutURL string
	// DialNumber is returned as dialNumber. Default "613-555-1234".
	DialNumber string
	// DefaultDisabledFeatures is the server's defaultDisabledFeatures.
	DefaultDisabledFeatures []string
	// BBBVersion is returned as bbbVersion (empty by default, as with
	// allowRevealOfBBBVersion=false).
	BBBVersion string
	// Build is the Scalelite root's <build>. Default "v1.6.0".
	Build string

	// NodeSecret is the secret of the BBB node behind Scalelite (used by
	// NodeHandler and to re-sign joins). Default: Secret.
	NodeSecret string
	// NodeURL is the node's public base URL for Scalelite join redirects.
	// It can also be set later with SetNodeURL (httptest URLs are only known
	// after start).
	NodeURL string

	// EndDelay is how long after an end call the meeting is really ended
	// (bbb-web ends asynchronously). Default 0: ended by the next request
	// or hook, never inside the end call itself.
	EndDelay time.Duration
	// EndedRetention is how long a forcibly ended meeting stays visible
	// (getMeetingInfo hasBeenForciblyEnded=true, join meetingForciblyEnded)
	// before it is removed. Default 1 minute.
	EndedRetention time.Duration

	// Convert overrides the conversion decision (format, pages). Default
	// DefaultConvert.
	Convert ConvertFunc
	// OnConversion is called (on the conversion goroutine, without locks
	// held) whenever a presentation reaches a final state.
	OnConversion func(meetingID string, p Presentation)
	// HTTPClient downloads pre-upload URLs. Default: a client with a
	// DownloadTimeout timeout.
	HTTPClient *http.Client
	// DownloadTimeout bounds one pre-upload download. Default 30s.
	DownloadTimeout time.Duration
	// DownloadSchemes are the URL schemes bbb-web may download from.
	// Default http and https (tests serve files from httptest servers).
	DownloadSchemes []string
	// TempDir holds uploaded files until conversion. Default os.TempDir().
	TempDir string

	// Logger receives one line per request (never the query string, which
	// carries the checksum). Default: discard.
	Logger *slog.Logger

	ownClient bool // HTTPClient was created by withDefaults
}

const (
	defaultMaxInlineBody  = 2 << 20
	defaultMaxFileSize    = 30_000_000
	defaultMaxPages       = 200
	defaultTURNTTL        = 24 * time.Hour
	defaultDialNumber     = "613-555-1234"
	defaultBuild          = "v1.6.0"
	defaultRetention      = time.Minute
	defaultDownloadTimout = 30 * time.Second
)

var allAlgorithms = []string{"sha1", "sha256", "sha384", "sha512"}

// withDefaults returns a copy of c with defaults filled in, or an error.
func (c Config) withDefaults() (Config, error) {
	if c.Secret == "" {
		return c, errors.New("bbbsim: Config.Secret is required")
	}
	switch c.Flavor {
	case FlavorBBB, FlavorBBB24, FlavorScalelite:
	default:
		return c, fmt.Errorf("bbbsim: unknown flavor %d", int(c.Flavor))
	}
	if len(c.Algorithms) == 0 {
		switch c.Flavor {
		case FlavorBBB24:
			c.Algorithms = []string{"sha1", "sha256"}
		case FlavorScalelite:
			c.Algorithms = []string{"sha1", "sha256", "sha512"}
		default:
			c.Algorithms = allAlgorithms
		}
	}
	algs := make([]string, 0, len(c.Algorithms))
	for _, a := range c.Algorithms {
		a = strings.ToLower(strings.TrimSpace(a))
		if hashLen(a) == 0 {
			return c, fmt.Errorf("bbbsim: unknown checksum algorithm %q", a)
		}
		algs = append(algs, a)
	}
	c.Algorithms = algs
	if c.Clock == nil {
		c.Clock = time.Now
	}
	if c.MaxInlineBody <= 0 {
		c.MaxInlineBody = defaultMaxInlineBody
	}
	if c.MaxFileSize <= 0 {
		c.MaxFileSize = defaultMaxFileSize
	}
	if c.MaxPages <= 0 {
		c.MaxPages = defaultMaxPages
	}
	for i := range c.TURN {
		if c.TURN[i].TTL <= 0 {
			c.TURN[i].TTL = defaultTURNTTL
		}
	}
	if c.DialNumber == "" {
		c.DialNumber = defaultDialNumber
	}
	if c.Build == "" {
		c.Build = defaultBuild
	}
	if c.NodeSecret == "" {
		c.NodeSecret = c.Secret
	}
	if c.EndedRetention <= 0 {
		c.EndedRetention = defaultRetention
	}
	if c.EndDelay < 0 {
		c.EndDelay = 0
	}
	if c.Convert == nil {
		c.Convert = DefaultConvert
	}
	if c.DownloadTimeout <= 0 {
		c.DownloadTimeout = defaultDownloadTimout
	}
	if c.HTTPClient == nil {
		// A private transport, so Close can drop its idle connections.
		c.HTTPClient = &http.Client{Timeout: c.DownloadTimeout, Transport: http.DefaultTransport.(*http.Transport).Clone()}
		c.ownClient = true
	}
	if len(c.DownloadSchemes) == 0 {
		c.DownloadSchemes = []string{"http", "https"}
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	c.PublicURL = strings.TrimRight(c.PublicURL, "/")
	c.NodeURL = strings.TrimRight(c.NodeURL, "/")
	return c, nil
}

// ManualClock is a settable clock for tests: pass its Now method as
// Config.Clock and move time with Advance or Set.
type ManualClock struct {
	mu sync.Mutex
	t  time.Time
}

// NewManualClock returns a clock standing at t.
func NewManualClock(t time.Time) *ManualClock { return &ManualClock{t: t} }

// Now returns the clock's current time.
func (c *ManualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock forward by d.
func (c *ManualClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// Set moves the clock to t.
func (c *ManualClock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}
