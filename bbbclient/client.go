package bbbclient

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// DefaultMaxResponseBytes bounds every response body read.
const DefaultMaxResponseBytes int64 = 8 << 20

const defaultUserAgent = "bbbclient (github.com/tafel-schule/tafel)"

// Options configure a Client.
type Options struct {
	// BaseURL is the API endpoint, e.g. https://bbb.example.org/bigbluebutton/api.
	// A trailing slash is ignored; a bare host root or ".../bigbluebutton"
	// gets the rest of "/bigbluebutton/api" appended.
	BaseURL string
	// Secret is the shared secret (securitySalt, or a Scalelite/b3lb tenant
	// secret). It is only ever hashed, never sent, logged or printed.
	Secret string
	// Algorithm defaults to SHA256.
	Algorithm Algorithm
	// HTTPClient is copied, so its Transport, TLS config, Timeout and Jar are
	// kept; nil means a client on http.DefaultTransport.
	HTTPClient *http.Client
	// Logger receives one record per call: call name, HTTP status, duration,
	// messageKey. Never URLs, query strings, checksums or tokens. nil disables it.
	Logger *slog.Logger
	// UserAgent defaults to "bbbclient (github.com/tafel-schule/tafel)".
	UserAgent string
	// MaxResponseBytes defaults to DefaultMaxResponseBytes.
	MaxResponseBytes int64
}

// Client calls one BBB server or load balancer. It is safe for concurrent use.
type Client struct {
	base *url.URL
	alg  Algorithm
	// sign holds the secret in a closure: fmt and reflection-based dumps
	// of a Client (even %d or %s on the value) print a func address.
	sign     func(call, query string) (string, error)
	hc       *http.Client
	log      *slog.Logger
	ua       string
	maxBytes int64
}

// New validates opts and returns a Client.
func New(opts Options) (*Client, error) {
	base, err := parseBaseURL(opts.BaseURL)
	if err != nil {
		return nil, err
	}
	secret := strings.TrimSpace(opts.Secret)
	if secret == "" {
		return nil, invalid("Secret", "must not be empty")
	}
	if strings.IndexFunc(secret, isControl) >= 0 {
		return nil, invalid("Secret", "contains control characters")
	}
	alg := opts.Algorithm
	if alg == "" {
		alg = DefaultAlgorithm
	}
	if alg.HexLen() == 0 {
		return nil, fmt.Errorf("%w %q", ErrUnknownAlgorithm, string(opts.Algorithm))
	}
	hc := &http.Client{}
	if opts.HTTPClient != nil {
		cp := *opts.HTTPClient
		hc = &cp
	}
	hc.CheckRedirect = redirectPolicy(hc.CheckRedirect)
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	ua := opts.UserAgent
	if ua == "" {
		ua = defaultUserAgent
	}
	maxBytes := opts.MaxResponseBytes
	if maxBytes <= 0 {
		maxBytes = DefaultMaxResponseBytes
	}
	return &Client{
		base: base,
		alg:  alg,
		sign: func(call, query string) (string, error) {
			return Checksum(alg, call, query, secret)
		},
		hc:       hc,
		log:      log,
		ua:       ua,
		maxBytes: maxBytes,
	}, nil
}

// NormalizeBaseURL returns the API endpoint New would use for s.
func NormalizeBaseURL(s string) (string, error) {
	u, err := parseBaseURL(s)
	if err != nil {
		return "", err
	}
	return u.String(), nil
}

func parseBaseURL(s string) (*url.URL, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, invalid("BaseURL", "must not be empty")
	}
	u, err := url.Parse(s)
	if err != nil {
		return nil, invalid("BaseURL", "not a URL")
	}
	if u.Scheme != "https" && u.Scheme != "http" {
		return nil, invalid("BaseURL", "scheme must be https or http, e.g. https://bbb.example.org/bigbluebutton/api")
	}
	if u.Host == "" || u.Hostname() == "" {
		return nil, invalid("BaseURL", "has no host")
	}
	// Credentials in the URL would end up in logs via String().
	if u.User != nil {
		return nil, invalid("BaseURL", "must not contain user info")
	}
	if u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
		return nil, invalid("BaseURL", "must not contain a query or fragment")
	}
	p := strings.TrimRight(u.Path, "/")
	switch {
	case p == "":
		p = "/bigbluebutton/api"
	case strings.HasSuffix(p, "/bigbluebutton"):
		p += "/api"
	}
	return &url.URL{Scheme: u.Scheme, Host: u.Host, Path: p}, nil
}

// BaseURL is the normalized API endpoint.
func (c *Client) BaseURL() string { return c.base.String() }

// Algorithm is the checksum algorithm in use.
func (c *Client) Algorithm() Algorithm { return c.alg }

// String shows the endpoint and algorithm only.
func (c *Client) String() string {
	return "bbbclient.Client{" + c.base.String() + " " + string(c.alg) + "}"
}

// GoString keeps %#v from dumping fields.
func (c *Client) GoString() string { return c.String() }

// Format makes every fmt verb print String.
func (c *Client) Format(f fmt.State, verb rune) { io.WriteString(f, c.String()) }

// LogValue implements slog.LogValuer.
func (c *Client) LogValue() slog.Value {
	return slog.GroupValue(slog.String("base_url", c.base.String()), slog.String("algorithm", string(c.alg)))
}

// redirectPolicy refuses redirects that would silently turn a POST into a
// GET (301/302/303 drop the body, i.e. the slides) or move a signed URL,
// token or session cookie from https to plain http; then it defers to the
// caller's own policy or Go's default limit.
func redirectPolicy(next func(*http.Request, []*http.Request) error) func(*http.Request, []*http.Request) error {
	return func(req *http.Request, via []*http.Request) error {
		if len(via) > 0 && via[0].Method == http.MethodPost && req.Method != http.MethodPost {
			return errors.New("redirect would drop the POST body")
		}
		if len(via) > 0 && via[0].URL.Scheme == "https" && req.URL.Scheme != "https" {
			return errors.New("refusing redirect from https to http")
		}
		if next != nil {
			return next(req, via)
		}
		if len(via) >= 10 {
			return errors.New("stopped after 10 redirects")
		}
		return nil
	}
}

// validCall guards the path segment: call names are letters, digits and
// the few separators of plugin APIs ("hooks/create").
func validCall(call string) error {
	if call == "" || strings.Contains(call, "..") || strings.HasPrefix(call, "/") {
		return invalid("call", "invalid call name")
	}
	for _, r := range call {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '/' || r == '_' || r == '-') {
			return invalid("call", "invalid call name")
		}
	}
	return nil
}

// signedQuery encodes p once, hashes exactly that string and appends the
// checksum.
func (c *Client) signedQuery(call string, p *Params) (string, error) {
	q := p.Encode()
	sum, err := c.sign(call, q)
	if err != nil {
		return "", err
	}
	if q == "" {
		return "checksum=" + sum, nil
	}
	return q + "&checksum=" + sum, nil
}

func (c *Client) callURL(call, rawQuery string) *url.URL {
	u := *c.base
	u.Path = c.base.Path + "/" + call
	u.RawPath = ""
	u.RawQuery = rawQuery
	return &u
}

// SignedCallURL signs any call for IT/debug use (pasting into a browser or
// curl). The result prints redacted; Reveal returns the real URL.
func (c *Client) SignedCallURL(call string, p *Params) (SignedURL, error) {
	if err := validCall(call); err != nil {
		return SignedURL{}, err
	}
	if err := checkReserved(p); err != nil {
		return SignedURL{}, err
	}
	q, err := c.signedQuery(call, p)
	if err != nil {
		return SignedURL{}, err
	}
	return newSignedURL(c.callURL(call, q)), nil
}

// Do makes any checksummed GET call and decodes the <response> element into v
// (which may be nil). A FAILED answer becomes an *APIError. Use it for calls
// this package has no typed method for (updateRecordings, sendChatMessage, …).
func (c *Client) Do(ctx context.Context, call string, p *Params, v any) error {
	if err := validCall(call); err != nil {
		return err
	}
	if err := checkReserved(p); err != nil {
		return err
	}
	return c.getXML(ctx, call, p, v)
}

// rawResponse is what a call returned, fully read (bounded).
type rawResponse struct {
	status      int
	contentType string
	body        []byte
	finalURL    *url.URL // for the stuns node; never logged
}

// request describes one HTTP exchange.
type request struct {
	call   string
	method string
	url    *url.URL
	body   *xmlBody     // POST only
	hc     *http.Client // nil = c.hc
}

func (c *Client) send(ctx context.Context, r request) (*rawResponse, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	// Build the request around the prepared URL instead of parsing a
	// string: a parse error would quote the URL, checksum included.
	req, err := http.NewRequestWithContext(ctx, r.method, "", nil)
	if err != nil {
		return nil, newTransportError(r.call, err)
	}
	req.URL = r.url
	req.Host = r.url.Host
	req.Header.Set("User-Agent", c.ua)
	if r.body != nil {
		req.Header.Set("Content-Type", "application/xml")
		req.ContentLength = r.body.length // -1 = chunked
		req.Body, err = r.body.open()
		if err != nil {
			return nil, err
		}
		req.GetBody = r.body.open
		defer r.body.finish()
	}
	hc := r.hc
	if hc == nil {
		hc = c.hc
	}
	resp, err := hc.Do(req)
	if err != nil {
		if r.body != nil {
			r.body.finish()
			if derr := r.body.err(); derr != nil {
				return nil, derr
			}
		}
		return nil, newTransportError(r.call, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, c.maxBytes+1))
	raw := &rawResponse{
		status:      resp.StatusCode,
		contentType: mediaType(resp.Header.Get("Content-Type")),
		body:        data,
		finalURL:    resp.Request.URL,
	}
	if err != nil {
		return nil, newTransportError(r.call, err)
	}
	if int64(len(data)) > c.maxBytes {
		return nil, &MalformedResponseError{Call: r.call, HTTPStatus: raw.status, ContentType: raw.contentType, Reason: reasonTooLarge}
	}
	return raw, nil
}

// getXML is a signed GET whose XML response is decoded into v.
func (c *Client) getXML(ctx context.Context, call string, p *Params, v any) error {
	q, err := c.signedQuery(call, p)
	if err != nil {
		return err
	}
	return c.roundTripXML(ctx, request{call: call, method: http.MethodGet, url: c.callURL(call, q)}, v)
}

func (c *Client) roundTripXML(ctx context.Context, r request, v any) error {
	start := time.Now()
	raw, err := c.send(ctx, r)
	status, key := 0, ""
	if raw != nil {
		status = raw.status
		key, err = decodeXML(r.call, raw.status, raw.contentType, raw.body, v)
	}
	c.logCall(ctx, r.call, start, status, key, err)
	return err
}

// logCall writes one record without URLs, queries or tokens: the error
// texts of this package are built to be safe.
func (c *Client) logCall(ctx context.Context, call string, start time.Time, status int, key string, err error) {
	level := slog.LevelDebug
	attrs := []slog.Attr{
		slog.String("call", call),
		slog.Int("status", status),
		slog.Duration("duration", time.Since(start)),
	}
	var ae *APIError
	switch {
	case errors.As(err, &ae):
		key = ae.MessageKey
		level = slog.LevelInfo
	case err != nil:
		level = slog.LevelWarn
	}
	if key != "" {
		attrs = append(attrs, slog.String("messageKey", key))
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", err.Error()))
	}
	c.log.LogAttrs(ctx, level, "bbb call", attrs...)
}

// reservedKeys may not be set through Extra or Params: the checksum is
// computed here, and the deprecated passwords are never sent (join by role).
var reservedKeys = map[string]bool{
	"checksum":    true,
	"attendeePW":  true,
	"moderatorPW": true,
	"password":    true,
}

func checkReserved(p *Params) error {
	if p == nil {
		return nil
	}
	for _, kv := range p.kv {
		if reservedKeys[kv.key] {
			return invalid(kv.key, "parameter is never sent by bbbclient")
		}
		if kv.key == "" {
			return invalid("parameter", "empty name")
		}
	}
	return nil
}
