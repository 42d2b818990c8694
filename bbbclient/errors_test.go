package bbbclient

import (
	"context"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestResponseClassification feeds GetMeetingInfo every kind of answer a
// BBB node or load balancer gives (bbb-api.md §9, §11).
func TestResponseClassification(t *testing.T) {
	const html = `<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body>secret-ish body text</body></html>`
	tests := []struct {
		name        string
		status      int
		ctype, body string
		wantKey     string // APIError messageKey
		wantIs      error
		malformed   string // MalformedResponseError reason
	}{
		{name: "checksumError", status: 200, body: fixtureF5Checksum, wantKey: "checksumError", wantIs: ErrChecksum},
		{name: "notFound", status: 200, body: fixtureNotFound, wantKey: "notFound", wantIs: ErrNotFound},
		{name: "legacy errors", status: 200, body: fixtureLegacyErrors, wantKey: "missingParamMeetingID", wantIs: ErrChecksum},
		{name: "b3lb no messageKey", status: 200, body: fixtureB3lbNoNode, wantKey: ""},
		{name: "b3lb bare 400", status: 400, ctype: "text/plain", body: "", malformed: reasonEmpty},
		{name: "b3lb 403 text", status: 403, ctype: "text/html; charset=utf-8", body: "<h1>403 Forbidden</h1>", malformed: reasonNotBBB},
		{name: "html page 200", status: 200, ctype: "text/html", body: html, malformed: reasonNotBBB},
		{name: "html 502", status: 502, ctype: "text/html", body: html, malformed: reasonNotBBB},
		{name: "empty 200", status: 200, body: "", malformed: reasonEmpty},
		{name: "whitespace only", status: 200, body: " \r\n\t", malformed: reasonEmpty},
		{name: "truncated xml", status: 200, body: fixtureF4MeetingInfo[:200], malformed: reasonNotBBB},
		{name: "wrong root", status: 200, body: `<error><returncode>FAILED</returncode></error>`, malformed: reasonNotBBB},
		{name: "json", status: 200, ctype: "application/json", body: `{"returncode":"SUCCESS"}`, malformed: reasonNotBBB},
		{name: "no returncode", status: 200, body: `<response><running>true</running></response>`, malformed: reasonNoReturnCode},
		{name: "413 no body", status: 413, ctype: "text/html", body: "<html><body>413 Request Entity Too Large</body></html>", malformed: reasonNotBBB, wantIs: ErrBodyTooLarge},
		{name: "413 xml", status: 413, body: `<response><returncode>FAILED</returncode><messageKey>tooLarge</messageKey></response>`, wantKey: "tooLarge", wantIs: ErrBodyTooLarge},
		{name: "unknown charset", status: 200, body: `<?xml version="1.0" encoding="EBCDIC"?><response/>`, malformed: reasonNotBBB},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tt.ctype != "" {
					w.Header().Set("Content-Type", tt.ctype)
				}
				w.WriteHeader(tt.status)
				io.WriteString(w, tt.body)
			}))
			defer srv.Close()
			c, logs := newTestClient(t, srv.URL)
			_, err := c.GetMeetingInfo(t.Context(), "abc123")
			if err == nil {
				t.Fatal("no error")
			}
			if tt.malformed != "" {
				var me *MalformedResponseError
				if !errors.As(err, &me) {
					t.Fatalf("err = %T %v, want MalformedResponseError", err, err)
				}
				if me.Reason != tt.malformed || me.HTTPStatus != tt.status || me.Call != "getMeetingInfo" {
					t.Errorf("got %+v", me)
				}
				if strings.Contains(err.Error(), "Forbidden") || strings.Contains(err.Error(), "secret-ish") || strings.Contains(err.Error(), "<") {
					t.Errorf("Error() leaks body: %s", err)
				}
			} else {
				var ae *APIError
				if !errors.As(err, &ae) {
					t.Fatalf("err = %T %v, want APIError", err, err)
				}
				if ae.MessageKey != tt.wantKey || ae.HTTPStatus != tt.status {
					t.Errorf("got %+v", ae)
				}
			}
			if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Errorf("errors.Is(%v, %v) = false", err, tt.wantIs)
			}
			if StatusCode(err) != tt.status {
				t.Errorf("StatusCode = %d", StatusCode(err))
			}
			assertClean(t, "error", err.Error(), docSecret)
			assertClean(t, "log", logs.String(), docSecret)
		})
	}
}

func TestAPIErrorText(t *testing.T) {
	_, err := decodeXML("create", 200, "", []byte(fixtureF5IDNotUnique), nil)
	const want = "bbbclient: create failed: idNotUnique: A meeting already exists with that meeting ID. Please use a different meeting ID."
	if err.Error() != want {
		t.Errorf("Error() = %q", err)
	}
	ae := &APIError{Call: "x", HTTPStatus: 403, MessageKey: "k\n", Message: "line1\nchecksum=abcdef&x " + strings.Repeat("é", 400)}
	s := ae.Error()
	if strings.ContainsAny(s, "\n\r") || strings.Contains(s, "abcdef") || len(s) > 420 || !strings.Contains(s, "(HTTP 403)") {
		t.Errorf("Error() not cleaned: %q", s)
	}
}

func TestErrorSentinels(t *testing.T) {
	tests := []struct {
		key  string
		want error
	}{
		{"checksumError", ErrChecksum}, {"validationError", ErrValidation}, {"notFound", ErrNotFound},
		{"invalidMeetingIdentifier", ErrInvalidMeetingIdentifier}, {"idNotUnique", ErrIDNotUnique},
		{"nonUniqueVoiceBridge", ErrNonUniqueVoiceBridge}, {"mismatchCreateTimeParam", ErrMismatchCreateTime},
		{"meetingForciblyEnded", ErrMeetingForciblyEnded}, {"meetingEnded", ErrMeetingForciblyEnded},
		{"maxParticipantsReached", ErrMaxParticipantsReached}, {"guestDeniedAccess", ErrGuestDeniedAccess},
		{"guestDeny", ErrGuestDeniedAccess}, {"guestWait", ErrGuestWait}, {"missingSession", ErrMissingSession},
		{"unsupportedContentType", ErrUnsupportedContentType}, {"missingParamMeetingID", ErrMissingParam},
		{"Params required", ErrMissingParam}, {"invalid_filename", ErrInvalidFilename},
		{"apiNotEnabled", ErrAPINotEnabled}, {"unsupportedRequest", ErrUnsupportedRequest},
		{"serverUnavailable", ErrServerUnavailable}, {"internalError", ErrInternal},
	}
	for _, tt := range tests {
		err := error(&APIError{Call: "c", MessageKey: tt.key, ReturnCode: "FAILED"})
		if !errors.Is(err, tt.want) {
			t.Errorf("%s does not match %v", tt.key, tt.want)
		}
		if errors.Is(err, ErrBodyTooLarge) {
			t.Errorf("%s matches ErrBodyTooLarge", tt.key)
		}
		if tt.want != ErrChecksum && errors.Is(err, ErrChecksum) {
			t.Errorf("%s matches ErrChecksum", tt.key)
		}
	}
}

// TestTransportErrorTLS: an untrusted certificate surfaces as x509 error
// behind a TransportError whose text has no URL, checksum or secret.
func TestTransportErrorTLS(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Error("request reached the server")
	}))
	srv.Config.ErrorLog = discardLogger()
	defer srv.Close()
	c, logs := newTestClient(t, srv.URL) // default client: does not trust the test CA
	_, err := c.GetMeetingInfo(t.Context(), "abc123")
	var te *TransportError
	if !errors.As(err, &te) || te.Call != "getMeetingInfo" {
		t.Fatalf("err = %T %v", err, err)
	}
	var ua x509.UnknownAuthorityError
	if !errors.As(err, &ua) {
		t.Errorf("errors.As(x509.UnknownAuthorityError) = false for %v", err)
	}
	q, _ := c.signedQuery("getMeetingInfo", paramsOf("meetingID", "abc123"))
	_, sum := splitChecksum(t, q)
	for _, s := range []string{err.Error(), logs.String()} {
		assertClean(t, "TLS error", s, docSecret, sum, "getMeetingInfo?", "meetingID=")
	}
}

func paramsOf(kv ...string) *Params {
	p := &Params{}
	for i := 0; i+1 < len(kv); i += 2 {
		p.Set(kv[i], kv[i+1])
	}
	return p
}

func TestTransportErrorTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	c, _ := newTestClient(t, srv.URL)
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	_, err := c.IsMeetingRunning(ctx, "abc123")
	var te *TransportError
	if !errors.As(err, &te) || !te.Timeout() || !IsTimeout(err) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %T %v", err, err)
	}
	assertClean(t, "timeout error", err.Error(), docSecret)

	// http.Client.Timeout is a net.Error timeout too.
	c2, _ := newTestClient(t, srv.URL, func(o *Options) { o.HTTPClient = &http.Client{Timeout: 50 * time.Millisecond} })
	_, err = c2.IsMeetingRunning(t.Context(), "abc123")
	var ne net.Error
	if !IsTimeout(err) || !errors.As(err, &ne) {
		t.Fatalf("client timeout: %T %v", err, err)
	}
	assertClean(t, "timeout error", err.Error(), docSecret)
}

func TestTransportErrorRefused(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	c, _ := newTestClient(t, "http://"+addr)
	_, err = c.GetMeetings(t.Context())
	var oe *net.OpError
	if !errors.As(err, &oe) || IsTimeout(err) {
		t.Fatalf("err = %T %v", err, err)
	}
	assertClean(t, "refused error", err.Error(), docSecret, "a5370c5f")
}

func TestTransportErrorCanceled(t *testing.T) {
	srv, _ := xmlServer(t, 200, fixtureF6Running)
	c, _ := newTestClient(t, srv.URL)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := c.IsMeetingRunning(ctx, "abc123")
	if !errors.Is(err, context.Canceled) || IsTimeout(err) {
		t.Fatalf("err = %v", err)
	}
}

func TestResponseTooLarge(t *testing.T) {
	srv, _ := xmlServer(t, 200, fixtureF4MeetingInfo)
	c, _ := newTestClient(t, srv.URL, func(o *Options) { o.MaxResponseBytes = 100 })
	_, err := c.GetMeetingInfo(t.Context(), "abc123")
	if !errors.Is(err, ErrResponseTooLarge) {
		t.Fatalf("err = %v", err)
	}
}

func TestRedactText(t *testing.T) {
	in := `Get "https://h/bigbluebutton/api/join?fullName=x&checksum=abc123&sessionToken=tok1 session_token=tok2 password=pw"`
	out := redactText(in)
	for _, s := range []string{"abc123", "tok1", "tok2", "=pw"} {
		if strings.Contains(out, s) {
			t.Errorf("redactText left %q: %s", s, out)
		}
	}
}
