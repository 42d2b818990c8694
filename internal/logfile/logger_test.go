package logfile

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tafel-schule/tafel/bbbclient"
)

const (
	testSecret  = "SharedSecret0123456789abcdef"
	teacherName = "Erika Geheimname"
	turnPass    = "TurnPassW0rdXyZ"
	turnUser    = "1700000000:turnuserQ"
	looseSum    = "abc123def4567890feedbeef"
)

func signedJoin(t *testing.T) bbbclient.SignedURL {
	t.Helper()
	c, err := bbbclient.New(bbbclient.Options{BaseURL: "https://bbb.example.org/bigbluebutton/api", Secret: testSecret})
	if err != nil {
		t.Fatal(err)
	}
	u, err := c.JoinURL(bbbclient.JoinParams{MeetingID: "klasse-7b", FullName: teacherName, Role: bbbclient.RoleModerator, CreateTime: 1700000000123})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// The log file must hold none of these; failures name the marker, never
// print it.
func forbidden(t *testing.T, join bbbclient.SignedURL) map[string]string {
	t.Helper()
	real, err := url.Parse(join.Reveal())
	if err != nil {
		t.Fatal(err)
	}
	sum := real.Query().Get("checksum")
	if len(sum) < 40 {
		t.Fatalf("join URL has no checksum")
	}
	return map[string]string{
		"checksum":            sum,
		"raw query":           real.RawQuery,
		"teacher name":        "Geheimname",
		"encoded query param": "fullName=",
		"shared secret":       testSecret,
		"turn password":       turnPass,
		"turn user":           "turnuserQ",
		"loose checksum":      looseSum,
		"session token":       "sessTok998877",
		"bearer":              "bearerTok5544",
		"json password":       "jsonPw3322",
		"fragment":            "frag-secret",
		"create time":         "1700000000123",
	}
}

func TestScrubberKeepsSecretsOutOfFile(t *testing.T) {
	dir := t.TempDir()
	w, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	join := signedJoin(t)
	raw := join.Reveal()
	var secrets Secrets
	log := NewLogger(w, WithLevel(slog.LevelDebug), WithScrubber(secrets.Scrub))
	secrets.Add(testSecret)

	turnURL := "turns://" + turnUser + ":" + turnPass + "@turn.example.org:443?transport=tcp"
	wrapped := fmt.Errorf("open lesson: %w", &url.Error{Op: "Get", URL: raw, Err: errors.New("connection refused")})
	parsed, _ := url.Parse(raw + "#frag-secret")

	log.Info("join url", "url", join)           // LogValuer
	log.Info("revealed by mistake", "url", raw) // plain string
	log.Info("message carries it: " + raw)      // message
	log.Warn("turn", "server", turnURL, "alt", "turn:"+turnUser+":"+turnPass+"@turn.example.org:3478?transport=udp")
	log.Error("call failed", "err", wrapped) // error value
	log.Error("loose", "detail", "bad checksum="+looseSum+" for call")
	log.Info("parsed", "u", parsed, "list", []string{raw}) // Stringer, JSON-encoded Any
	log.Info("headers", "h", "Authorization: Bearer bearerTok5544", "q", "sessionToken=sessTok998877&x=1")
	log.Info("json body", "body", `{"password": "jsonPw3322", "ok": true}`)
	log.Info("secret in text", "detail", "salt is "+testSecret)
	log.With("pool", raw).WithGroup("g").Info("grouped", slog.Group("inner", "u", raw, "e", wrapped), "n", 3)
	log.Debug("debug", "u", raw)
	slog.New(log.Handler()).LogAttrs(t.Context(), slog.LevelInfo, "attrs", slog.Any("err", errors.New(turnURL)))
	w.Close()

	b, err := os.ReadFile(filepath.Join(dir, FileName))
	if err != nil {
		t.Fatal(err)
	}
	for name, s := range forbidden(t, join) {
		if bytes.Contains(b, []byte(s)) {
			t.Errorf("log file contains the %s", name)
		}
	}
	// What remains must still be useful and valid JSON.
	lines := bytes.Split(bytes.TrimSpace(b), []byte("\n"))
	if len(lines) != 13 {
		t.Errorf("%d records, want 13", len(lines))
	}
	for _, l := range lines {
		if !json.Valid(l) {
			t.Errorf("invalid JSON line")
		}
	}
	for _, want := range []string{"https://bbb.example.org/bigbluebutton/api/join", "turn.example.org:443", "connection refused", "bad [redacted] for call", `"n":3`} {
		if !bytes.Contains(b, []byte(want)) {
			t.Errorf("log lacks %q", want)
		}
	}
}

func TestScrub(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"plain words", "plain words"},
		{"room=Klasse 7b", "room=Klasse 7b"},
		{"see https://h.example/p?a=1&b=2#f now", "see https://h.example/p now"},
		{"https://user:pw@h.example/x", "https://h.example/x"},
		{"HTTP://H/p#frag", "HTTP://H/p"},
		{"stun:stun.example.org:3478", "stun:stun.example.org:3478"},
		{"turn:u:p@t.example:3478?transport=udp", "turn:t.example:3478?transport=udp"},
		{`Get "wss://h/ws?sessionToken=x": EOF`, `Get "wss://h/ws": EOF`},
		{"checksum=abc&meetingID=m", "[redacted]"},
		{"moderatorPW=x attendeePW=y", "moderatorPW=[redacted] attendeePW=[redacted]"},
		{"TAFEL_BBB_SECRET=s3cr3t", "TAFEL_BBB_SECRET=[redacted]"},
		{"credential=c; password=p, secret=s", "credential=[redacted]; password=[redacted], secret=[redacted]"},
		{"authorization: Basic dXNlcjpwYXNz\nnext", "authorization: [redacted]\nnext"},
		{"Cookie: JSESSIONID=abc", "Cookie: [redacted]"},
		{`{"auth_token":"a\"b","x":1}`, `{"auth_token":"[redacted]","x":1}`},
		{"time 12:30", "time 12:30"},
	} {
		if got := Scrub(tc.in); got != tc.want {
			t.Errorf("Scrub(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestSecrets(t *testing.T) {
	var s Secrets
	s.Add("abc", "", "longsecret", "longsecretvalue")
	if got := s.Scrub("x longsecretvalue abc longsecret"); got != "x [redacted] abc [redacted]" {
		t.Errorf("got %q", got)
	}
}

func TestLevelFromEnv(t *testing.T) {
	for v, want := range map[string]slog.Level{"": slog.LevelInfo, "debug": slog.LevelDebug, "DEBUG": slog.LevelDebug, "warning": slog.LevelWarn, "error": slog.LevelError, "bogus": slog.LevelInfo} {
		t.Setenv(LevelEnv, v)
		if got := LevelFromEnv(); got != want {
			t.Errorf("%q: %v, want %v", v, got, want)
		}
	}
	t.Setenv(LevelEnv, "debug")
	var buf bytes.Buffer
	NewLogger(&buf).Debug("d")
	if !strings.Contains(buf.String(), `"msg":"d"`) {
		t.Error("TAFEL_LOG_LEVEL=debug did not enable debug records")
	}
	t.Setenv(LevelEnv, "")
	buf.Reset()
	NewLogger(&buf).Debug("d")
	if buf.Len() != 0 {
		t.Error("debug record written at the default level")
	}
}

type panicky struct{}

func (*panicky) String() string { panic("boom") }

func TestAnyValuesNeverPanic(t *testing.T) {
	var buf bytes.Buffer
	var p *panicky
	NewLogger(&buf).Info("m", "p", p, "nil", nil, "b", []byte("https://h/?checksum=zz"), "m", map[string]any{"u": "https://h/?q=1"})
	if strings.Contains(buf.String(), "checksum=zz") || strings.Contains(buf.String(), "q=1") {
		t.Error("an Any value reached the log unscrubbed")
	}
}

// Review regression: the scrubber saw only values, so an attribute whose
// key names a secret carried a bare token or password in clear (no
// "key=" for the text rules), as did camelCase struct fields, attribute
// keys and secret-named groups; known secrets were replaced only verbatim,
// not URL-encoded or base64.
func TestLoggerMasksSecretKeysAndForms(t *testing.T) {
	const pool = "my+pool/secret=="
	var b bytes.Buffer
	var sec Secrets
	sec.Add(pool)
	l := NewLogger(&b, WithScrubber(sec.Scrub), WithLevel(slog.LevelDebug))
	type creds struct{ Username, SharedSecret, TurnPassword string }
	l.Warn("a", "password", "hunter2xyz", "checksum", looseSum, "session_token", "ai1wqj8wb6s7rnk0", "secret_set", true)
	l.Warn("b", slog.Group("turn", "credential", "credABCD1234", "url", "turn:h:3478"))
	l.Warn("c", "creds", creds{"u", "structSecret99", "structTurnPw77"})
	l.WithGroup("shared_secret").Warn("d", "v", "groupSecret55")
	l.With("access_code", 482913).Warn("e")
	l.Warn("f", "err", fmt.Errorf("wrap: %s and %s", url.QueryEscape(pool), "bXkrcG9vbC9zZWNyZXQ9PQ=="))
	l.Warn("g", "https://bbb.example.org/api/join?checksum="+looseSum, 1)
	out := b.String()
	for what, v := range map[string]string{"password": "hunter2xyz", "checksum": looseSum, "token": "ai1wqj8wb6s7rnk0",
		"group credential": "credABCD1234", "struct secret": "structSecret99", "struct TURN password": "structTurnPw77",
		"secret group": "groupSecret55", "access code": "482913", "URL-encoded secret": url.QueryEscape(pool),
		"base64 secret": "bXkrcG9vbC9zZWNyZXQ9PQ=="} {
		if strings.Contains(out, v) {
			t.Errorf("the log holds the %s", what)
		}
	}
	for _, keep := range []string{`"secret_set":true`, `"url":"turn:h:3478"`, `\"Username\":\"u\"`} {
		if !strings.Contains(out, keep) {
			t.Errorf("lost %s", keep)
		}
	}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if !json.Valid([]byte(line)) {
			t.Errorf("invalid JSON line: %s", line)
		}
	}
}
