package bbbclient

import (
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
)

// TestNoSecretsLeak drives every call through every failure mode a pool
// can produce and scans all error texts and all log output for the secret,
// any checksum the server saw, session and auth tokens, TURN passwords and
// signed URLs.
func TestNoSecretsLeak(t *testing.T) {
	const (
		token    = "tok-9f8e7d6c5b4a"
		auth     = "auth-1a2b3c4d5e"
		turnPass = "turnpass-ZmFrZQ=="
	)
	modes := []string{"failed", "html403", "empty400", "truncated", "413", "hangup", "ok"}
	var mu sync.Mutex
	var sums []string
	var mode string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		mu.Lock()
		if i := strings.LastIndex(r.URL.RawQuery, "checksum="); i >= 0 {
			sums = append(sums, r.URL.RawQuery[i+len("checksum="):])
		}
		m := mode
		mu.Unlock()
		if strings.HasSuffix(r.URL.Path, "/join") {
			http.SetCookie(w, &http.Cookie{Name: "JSESSIONID", Value: "jsess-ABCDEF"})
		}
		switch m {
		case "failed":
			io.WriteString(w, `<response><returncode>FAILED</returncode><messageKey>checksumError</messageKey><message>bad `+html.EscapeString(r.URL.RawQuery)+`</message></response>`)
		case "html403":
			w.WriteHeader(403)
			io.WriteString(w, "<html>"+r.URL.String()+"</html>")
		case "empty400":
			w.WriteHeader(400)
		case "truncated":
			io.WriteString(w, `<response><returncode>SUCCESS</returncode><session_token>`+token)
		case "413":
			w.WriteHeader(413)
		case "hangup":
			conn, _, _ := w.(http.Hijacker).Hijack()
			conn.Close()
		case "ok":
			switch {
			case strings.HasSuffix(r.URL.Path, "/join"):
				io.WriteString(w, `<response><returncode>SUCCESS</returncode><messageKey>successfullyJoined</messageKey><meeting_id>m</meeting_id><user_id>w_u</user_id><auth_token>`+auth+`</auth_token><session_token>`+token+`</session_token><guestStatus>ALLOW</guestStatus><url>https://x.org/html5client?sessionToken=`+token+`</url></response>`)
			case strings.HasSuffix(r.URL.Path, "/stuns"):
				io.WriteString(w, `{"stunServers":[],"turnServers":[{"url":"turn:x.org:3478","username":"1735689600:w_u","password":"`+turnPass+`","ttl":60}]}`)
			default:
				io.WriteString(w, `<response><returncode>SUCCESS</returncode><messageKey>x</messageKey><createTime>1</createTime></response>`)
			}
		}
	}))
	defer srv.Close()
	c, logs := newTestClient(t, srv.URL)

	jp := JoinParams{MeetingID: "abc123", FullName: "Probe", Role: RoleViewer, CreateTime: 1}
	doc := []Document{{Name: "a.pdf", Open: openString("%PDF"), Size: 4}}
	calls := map[string]func() (any, error){
		"Create": func() (any, error) { return c.Create(t.Context(), CreateParams{Name: "Klasse", MeetingID: "abc123"}) },
		"CreateWithDocs": func() (any, error) {
			return c.Create(t.Context(), CreateParams{Name: "Klasse", MeetingID: "abc123", Documents: doc})
		},
		"InsertDocument":   func() (any, error) { return nil, c.InsertDocument(t.Context(), "abc123", doc, UploadOptions{}) },
		"JoinSession":      func() (any, error) { return c.JoinSession(t.Context(), jp) },
		"FetchICEServers":  func() (any, error) { return c.FetchICEServers(t.Context(), jp) },
		"GetMeetingInfo":   func() (any, error) { return c.GetMeetingInfo(t.Context(), "abc123") },
		"IsMeetingRunning": func() (any, error) { return c.IsMeetingRunning(t.Context(), "abc123") },
		"GetMeetings":      func() (any, error) { return c.GetMeetings(t.Context()) },
		"End":              func() (any, error) { return nil, c.End(t.Context(), "abc123") },
		"GetRecordings": func() (any, error) {
			return c.GetRecordings(t.Context(), RecordingsQuery{MeetingIDs: []string{"abc123"}})
		},
		"Publish": func() (any, error) { return nil, c.PublishRecordings(t.Context(), []string{"r"}, true) },
		"Delete":  func() (any, error) { return nil, c.DeleteRecordings(t.Context(), []string{"r"}) },
		"Version": func() (any, error) { return c.Version(t.Context()) },
		"Do":      func() (any, error) { return nil, c.Do(t.Context(), "getMeetings", nil, nil) },
	}
	var texts strings.Builder
	for _, m := range modes {
		mu.Lock()
		mode = m
		mu.Unlock()
		for name, call := range calls {
			res, err := call()
			if err != nil {
				fmt.Fprintf(&texts, "%s/%s: %v | %+v | %#v\n", m, name, err, err, err)
				for e := err; e != nil; e = errors.Unwrap(e) {
					fmt.Fprintf(&texts, "  chain: %v\n", e)
				}
			} else {
				fmt.Fprintf(&texts, "%s/%s: %v %+v\n", m, name, res, res)
			}
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(sums) < 50 {
		t.Fatalf("only %d signed requests seen", len(sums))
	}
	secrets := append([]string{docSecret, token, auth, turnPass, "jsess-ABCDEF", srv.URL + "/bigbluebutton/api/join?"}, sums...)
	for what, s := range map[string]string{"errors and results": texts.String(), "logs": logs.String()} {
		assertClean(t, what, s, secrets...)
		if m := regexp.MustCompile(`[0-9a-f]{64}`).FindString(s); m != "" {
			t.Errorf("%s contains a hex digest %s", what, m)
		}
	}
	if !strings.Contains(logs.String(), "call=stuns") || !strings.Contains(logs.String(), "call=insertDocument") {
		t.Errorf("logs lack calls:\n%s", logs)
	}
}
