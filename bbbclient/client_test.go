package bbbclient

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"
)

func TestNormalizeBaseURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://bbb.example.org/bigbluebutton/api", "https://bbb.example.org/bigbluebutton/api"},
		{"https://bbb.example.org/bigbluebutton/api/", "https://bbb.example.org/bigbluebutton/api"},
		{"https://bbb.example.org", "https://bbb.example.org/bigbluebutton/api"},
		{"https://bbb.example.org/", "https://bbb.example.org/bigbluebutton/api"},
		{"https://bbb.example.org/bigbluebutton/", "https://bbb.example.org/bigbluebutton/api"},
		{" http://127.0.0.1:8080 ", "http://127.0.0.1:8080/bigbluebutton/api"},
		{"https://lb.example.org/custom/api//", "https://lb.example.org/custom/api"},
	}
	for _, tt := range tests {
		got, err := NormalizeBaseURL(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("NormalizeBaseURL(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{
		"", "bbb.example.org", "ftp://bbb.example.org", "https://", "https://user:pw@bbb.example.org",
		"https://bbb.example.org/api?x=1", "https://bbb.example.org/#frag", "javascript:alert(1)", "://x",
	} {
		if _, err := NormalizeBaseURL(bad); !isValidation(err) {
			t.Errorf("NormalizeBaseURL(%q) err = %v, want ValidationError", bad, err)
		}
	}
}

func TestNewValidation(t *testing.T) {
	if _, err := New(Options{BaseURL: "https://x.org", Secret: "  "}); !isValidation(err) {
		t.Errorf("empty secret: %v", err)
	}
	if _, err := New(Options{BaseURL: "https://x.org", Secret: "s", Algorithm: "md5"}); !errors.Is(err, ErrUnknownAlgorithm) {
		t.Errorf("md5: %v", err)
	}
	c, err := New(Options{BaseURL: "https://x.org", Secret: " s3cret\n"})
	if err != nil {
		t.Fatal(err)
	}
	if c.Algorithm() != SHA256 || c.BaseURL() != "https://x.org/bigbluebutton/api" {
		t.Errorf("defaults: %s %s", c.Algorithm(), c.BaseURL())
	}
	// The trimmed secret is what is hashed.
	q, _ := c.signedQuery("getMeetings", nil)
	want, _ := Checksum(SHA256, "getMeetings", "", "s3cret")
	if q != "checksum="+want {
		t.Errorf("secret not trimmed: %s", q)
	}
}

// TestClientNeverPrintsSecret tries every way a Client could be printed.
func TestClientNeverPrintsSecret(t *testing.T) {
	c, _ := newTestClient(t, "https://bbb.example.org")
	var out bytes.Buffer
	for _, f := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d"} {
		fmt.Fprintf(&out, f+"\n", c)
		fmt.Fprintf(&out, f+"\n", *c)
	}
	l := slog.New(slog.NewJSONHandler(&out, nil))
	l.Info("x", "client", c)
	slog.New(slog.NewTextHandler(&out, nil)).Info("x", "client", c)
	b, _ := json.Marshal(c)
	out.Write(b)
	assertClean(t, "printed client", out.String(), docSecret)
	if !strings.Contains(c.String(), "https://bbb.example.org/bigbluebutton/api") || !strings.Contains(c.String(), "sha256") {
		t.Errorf("String = %s", c)
	}
}

func TestDoGeneric(t *testing.T) {
	srv, rec := xmlServer(t, 200, `<response><returncode>SUCCESS</returncode><updated>true</updated></response>`)
	c, _ := newTestClient(t, srv.URL)
	p := &Params{}
	p.Set("recordID", "r1")
	p.Set("meta_x", "y z")
	var v struct {
		Updated bool `xml:"updated"`
	}
	if err := c.Do(t.Context(), "updateRecordings", p, &v); err != nil || !v.Updated {
		t.Fatalf("Do = %v, %+v", err, v)
	}
	got := rec.last(t)
	if q := verifySigned(t, "updateRecordings", got.RawQuery, docSecret); q != "recordID=r1&meta_x=y+z" {
		t.Errorf("query %s", q)
	}
	if got.Path != "/bigbluebutton/api/updateRecordings" || got.Method != http.MethodGet {
		t.Errorf("%s %s", got.Method, got.Path)
	}
	for _, bad := range []string{"", "../x", "/x", "a?b", "a#b", "a b"} {
		if err := c.Do(t.Context(), bad, nil, nil); !isValidation(err) {
			t.Errorf("call %q: %v", bad, err)
		}
	}
	p.Set("checksum", "x")
	if err := c.Do(t.Context(), "getMeetings", p, nil); !isValidation(err) {
		t.Errorf("checksum param: %v", err)
	}
}

func TestSignedCallURL(t *testing.T) {
	c, _ := newTestClient(t, "https://bbb.example.org")
	u, err := c.SignedCallURL("getMeetings", nil)
	if err != nil {
		t.Fatal(err)
	}
	const want = "https://bbb.example.org/bigbluebutton/api/getMeetings?checksum=a5370c5f3d97d56d53b435684cdbc429c2898a3bf9f435518b4279e1e0dbfc8c"
	if u.Reveal() != want {
		t.Errorf("Reveal = %s", u.Reveal())
	}
	if u.String() != "https://bbb.example.org/bigbluebutton/api/getMeetings?[redacted]" {
		t.Errorf("String = %s", u)
	}
}

func TestUserAgentAndLogs(t *testing.T) {
	var ua string
	srv, _ := xmlServer(t, 200, fixtureF6Running)
	c, logs := newTestClient(t, srv.URL, func(o *Options) {
		o.UserAgent = "tafel/1.0"
		o.HTTPClient = &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
			ua = r.Header.Get("User-Agent")
			return http.DefaultTransport.RoundTrip(r)
		})}
	})
	if _, err := c.IsMeetingRunning(t.Context(), "abc123"); err != nil {
		t.Fatal(err)
	}
	if ua != "tafel/1.0" {
		t.Errorf("User-Agent = %q", ua)
	}
	l := logs.String()
	for _, want := range []string{"call=isMeetingRunning", "status=200", "duration="} {
		if !strings.Contains(l, want) {
			t.Errorf("log lacks %q: %s", want, l)
		}
	}
	assertClean(t, "log", l, docSecret, "0d7030d1b5af6624c3e8909540eb2747a33d993a4951fb3bde9462025e41dcdb", "abc123")
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
