package bbbclient

import (
	"bytes"
	"io"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// seen is one request as the fake server received it.
type seen struct {
	Method           string
	Path             string
	RawQuery         string
	ContentType      string
	ContentLength    int64
	TransferEncoding []string
	Body             []byte
	Cookies          []*http.Cookie
	Host             string
}

// recorder is a fake BBB endpoint: it records requests and answers with
// the handler's XML.
type recorder struct {
	mu   sync.Mutex
	reqs []seen
}

func (r *recorder) record(req *http.Request, body []byte) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.reqs = append(r.reqs, seen{
		Method: req.Method, Path: req.URL.Path, RawQuery: req.URL.RawQuery,
		ContentType: req.Header.Get("Content-Type"), ContentLength: req.ContentLength,
		TransferEncoding: req.TransferEncoding, Body: body, Cookies: req.Cookies(), Host: req.Host,
	})
}

func (r *recorder) all() []seen {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]seen(nil), r.reqs...)
}

func (r *recorder) last(t *testing.T) seen {
	t.Helper()
	all := r.all()
	if len(all) == 0 {
		t.Fatal("server saw no request")
	}
	return all[len(all)-1]
}

// xmlServer answers every request with status and body after recording it.
func xmlServer(t *testing.T, status int, body string) (*httptest.Server, *recorder) {
	t.Helper()
	rec := &recorder{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		rec.record(r, b)
		w.Header().Set("Content-Type", "text/xml;charset=utf-8")
		w.WriteHeader(status)
		io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	return srv, rec
}

// logBuffer captures every slog record at debug level.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

func newTestClient(t *testing.T, baseURL string, mod ...func(*Options)) (*Client, *logBuffer) {
	t.Helper()
	logs := &logBuffer{}
	opts := Options{
		BaseURL: baseURL,
		Secret:  docSecret,
		Logger:  slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	for _, m := range mod {
		m(&opts)
	}
	c, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return c, logs
}

// splitChecksum splits "q&checksum=x" (or "checksum=x") into q and x.
func splitChecksum(t *testing.T, raw string) (string, string) {
	t.Helper()
	if i := strings.LastIndex(raw, "&checksum="); i >= 0 {
		return raw[:i], raw[i+len("&checksum="):]
	}
	if v, ok := strings.CutPrefix(raw, "checksum="); ok {
		return "", v
	}
	t.Fatalf("no checksum in %q", raw)
	return "", ""
}

// verifySigned checks the checksum the way bbb-web does: over the exact
// bytes before "&checksum=", with the algorithm given by its length.
func verifySigned(t *testing.T, call, raw, secret string) string {
	t.Helper()
	q, sum := splitChecksum(t, raw)
	var alg Algorithm
	for _, a := range []Algorithm{SHA1, SHA256, SHA384, SHA512} {
		if a.HexLen() == len(sum) {
			alg = a
		}
	}
	want, err := Checksum(alg, call, q, secret)
	if err != nil || want != sum {
		t.Fatalf("checksum for %s?%s = %s, want %s (%v)", call, q, sum, want, err)
	}
	return q
}

// assertClean fails if s contains any of the secrets.
func assertClean(t *testing.T, what, s string, secrets ...string) {
	t.Helper()
	for _, sec := range secrets {
		if sec != "" && strings.Contains(s, sec) {
			t.Errorf("%s contains %q:\n%s", what, sec, s)
		}
	}
	if strings.Contains(s, "checksum=") && !strings.Contains(s, "checksum=[redacted]") {
		t.Errorf("%s contains an unredacted checksum parameter:\n%s", what, s)
	}
}

func discardLogger() *log.Logger { return log.New(io.Discard, "", 0) }
