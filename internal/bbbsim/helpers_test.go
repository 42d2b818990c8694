package bbbsim

import (
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"hash"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

// Independent signing helpers: the tests never use the simulator's own
// sign/verify code to build requests, so a bug there cannot cancel out.

// docSecret is the shared secret of the official examples (bbb-api.md §2.6).
const docSecret = "639259d4-9dd8-4b25-bf01-95f9567eaf4b"

// t0 is an arbitrary fixed start for the manual clock.
var t0 = time.Date(2025, 3, 10, 8, 0, 0, 0, time.UTC)

func hexSum(alg, text string) string {
	var h hash.Hash
	switch alg {
	case "sha1":
		h = sha1.New()
	case "sha256":
		h = sha256.New()
	case "sha384":
		h = sha512.New384()
	case "sha512":
		h = sha512.New()
	default:
		panic("unknown algorithm " + alg)
	}
	io.WriteString(h, text)
	return hex.EncodeToString(h.Sum(nil))
}

// signed appends &checksum= to an already encoded query, hashing exactly
// the bytes that are sent.
func signed(alg, call, query, secret string) string {
	sum := hexSum(alg, call+query+secret)
	if query == "" {
		return "checksum=" + sum
	}
	return query + "&checksum=" + sum
}

// env is one simulator behind an httptest server with a manual clock and
// a browser-like client (cookie jar) that does not follow redirects.
type env struct {
	t      *testing.T
	s      *Server
	ts     *httptest.Server
	clock  *ManualClock
	client *http.Client
	secret string
}

func newEnv(t *testing.T, cfg Config) *env {
	t.Helper()
	if cfg.Secret == "" {
		cfg.Secret = docSecret
	}
	clock := NewManualClock(t0)
	if cfg.Clock == nil {
		cfg.Clock = clock.Now
	}
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s.Handler())
	jar, _ := cookiejar.New(nil)
	e := &env{t: t, s: s, ts: ts, clock: clock, secret: cfg.Secret,
		client: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	t.Cleanup(func() {
		ts.Close()
		s.Close()
	})
	return e
}

func (e *env) url(call, rawQuery string) string {
	u := e.ts.URL + "/bigbluebutton/api/" + call
	if rawQuery != "" {
		u += "?" + rawQuery
	}
	return u
}

// do sends a request and returns status, headers and body.
func (e *env) do(method, rawURL, contentType string, body io.Reader) (*http.Response, string) {
	e.t.Helper()
	req, err := http.NewRequest(method, rawURL, body)
	if err != nil {
		e.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := e.client.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return resp, string(b)
}

// call GETs a sha256-signed call and parses the XML answer.
func (e *env) call(call, query string) apiResp {
	e.t.Helper()
	_, body := e.do("GET", e.url(call, signed("sha256", call, query, e.secret)), "", nil)
	return parseResp(e.t, body)
}

func (e *env) create(id string, extra ...string) apiResp {
	e.t.Helper()
	q := "meetingID=" + url.QueryEscape(id)
	named := false
	for _, x := range extra {
		q += "&" + x
		named = named || strings.HasPrefix(x, "name=")
	}
	if !named {
		q = "name=" + url.QueryEscape("Room "+id) + "&" + q
	}
	r := e.call("create", q)
	if r.ReturnCode != "SUCCESS" {
		e.t.Fatalf("create %s: %+v", id, r)
	}
	return r
}

// join performs a redirect=false join and returns the XML answer; the
// JSESSIONID lands in the env's jar.
func (e *env) join(id, fullName, role string, extra ...string) apiResp {
	e.t.Helper()
	q := "fullName=" + url.QueryEscape(fullName) + "&meetingID=" + url.QueryEscape(id) + "&role=" + role + "&redirect=false"
	for _, x := range extra {
		q += "&" + x
	}
	return e.call("join", q)
}

// enter loads the simulated client page with the env's cookies.
func (e *env) enter(token string) (*http.Response, string) {
	e.t.Helper()
	return e.do("GET", e.ts.URL+"/html5client?sessionToken="+token, "", nil)
}

type xmlAny struct {
	XMLName xml.Name
	Value   string `xml:",chardata"`
}

type apiResp struct {
	Raw               string
	ReturnCode        string  `xml:"returncode"`
	MessageKey        string  `xml:"messageKey"`
	Message           string  `xml:"message"`
	Running           string  `xml:"running"`
	Version           string  `xml:"version"`
	APIVersion        *string `xml:"apiVersion"`
	BBBVersion        *string `xml:"bbbVersion"`
	Build             string  `xml:"build"`
	MeetingName       string  `xml:"meetingName"`
	MeetingID         string  `xml:"meetingID"`
	InternalMeetingID string  `xml:"internalMeetingID"`
	CreateTime        int64   `xml:"createTime"`
	CreateDate        string  `xml:"createDate"`
	AttendeePW        string  `xml:"attendeePW"`
	ModeratorPW       string  `xml:"moderatorPW"`
	VoiceBridge       string  `xml:"voiceBridge"`
	HasUserJoined     string  `xml:"hasUserJoined"`
	ForciblyEnded     string  `xml:"hasBeenForciblyEnded"`
	Recording         string  `xml:"recording"`
	ParticipantCount  int     `xml:"participantCount"`
	ModeratorCount    int     `xml:"moderatorCount"`
	MaxUsers          int     `xml:"maxUsers"`
	EndTime           int64   `xml:"endTime"`
	MeetingIntID      string  `xml:"meeting_id"`
	UserID            string  `xml:"user_id"`
	AuthToken         string  `xml:"auth_token"`
	SessionToken      string  `xml:"session_token"`
	GuestStatus       string  `xml:"guestStatus"`
	URL               string  `xml:"url"`
	Attendees         []struct {
		UserID      string `xml:"userID"`
		FullName    string `xml:"fullName"`
		Role        string `xml:"role"`
		IsPresenter bool   `xml:"isPresenter"`
		CustomData  struct {
			Items []xmlAny `xml:",any"`
		} `xml:"customdata"`
	} `xml:"attendees>attendee"`
	Metadata struct {
		Items []xmlAny `xml:",any"`
	} `xml:"metadata"`
	Meetings []struct {
		MeetingID string `xml:"meetingID"`
		Running   bool   `xml:"running"`
	} `xml:"meetings>meeting"`
	Recordings []struct {
		RecordID  string `xml:"recordID"`
		MeetingID string `xml:"meetingID"`
		State     string `xml:"state"`
		Published bool   `xml:"published"`
	} `xml:"recordings>recording"`
	TotalElements int `xml:"totalElements"`
	Errors        []struct {
		Key     string `xml:"key"`
		Message string `xml:"message"`
	} `xml:"errors>error"`
}

func (r apiResp) meta() map[string]string {
	m := map[string]string{}
	for _, it := range r.Metadata.Items {
		m[it.XMLName.Local] = it.Value
	}
	return m
}

func parseResp(t *testing.T, body string) apiResp {
	t.Helper()
	var r apiResp
	if err := xml.Unmarshal([]byte(body), &r); err != nil {
		t.Fatalf("not XML (%v): %q", err, body)
	}
	r.Raw = body
	return r
}

func wantKey(t *testing.T, r apiResp, code, key string) {
	t.Helper()
	if r.ReturnCode != code || r.MessageKey != key {
		t.Fatalf("got %s/%s (%q), want %s/%s\n%s", r.ReturnCode, r.MessageKey, r.Message, code, key, r.Raw)
	}
}

// errorsParam decodes the errors=[...] of a join error redirect.
func errorsParam(t *testing.T, loc string) (key, msg string) {
	t.Helper()
	u, err := url.Parse(loc)
	if err != nil {
		t.Fatal(err)
	}
	raw := u.Query().Get("errors")
	var errs []struct{ Key, Message string }
	if err := jsonUnmarshal(raw, &errs); err != nil || len(errs) != 1 {
		t.Fatalf("errors param %q: %v", raw, err)
	}
	return errs[0].Key, errs[0].Message
}

func mustContain(t *testing.T, s, sub string) {
	t.Helper()
	if !strings.Contains(s, sub) {
		t.Fatalf("%q does not contain %q", s, sub)
	}
}

func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }

func timeUnix(sec int64) time.Time { return time.Unix(sec, 0).UTC() }
