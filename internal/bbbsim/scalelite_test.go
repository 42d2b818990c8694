package bbbsim

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/tafel-schule/tafel/turnrest"
)

// TestScaleliteTwoHosts: §11/§14.7 – the balancer answers join with a 302
// to the node's re-signed join (even for redirect=false); the node sets
// JSESSIONID for its own host and serves stuns.
func TestScaleliteTwoHosts(t *testing.T) {
	clock := NewManualClock(t0)
	s, err := New(Config{
		Secret: "lb-secret", NodeSecret: "node-secret", Flavor: FlavorScalelite, Clock: clock.Now,
		TURN: []TURNServer{{URL: "turn:node.example:3478", Secret: "coturn-secret"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	front := httptest.NewServer(s.Handler())
	node := httptest.NewServer(s.NodeHandler())
	t.Cleanup(func() { front.Close(); node.Close(); s.Close() })
	// Different host names, so the cookie jar keeps the hosts apart.
	nodeURL := strings.Replace(node.URL, "127.0.0.1", "localhost", 1)
	s.SetNodeURL(nodeURL)

	jar, _ := cookiejar.New(nil)
	follow := &http.Client{Jar: jar}
	noFollow := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func(c *http.Client, base, call, query, secret, alg string) (*http.Response, string) {
		t.Helper()
		resp, err := c.Get(base + "/bigbluebutton/api/" + call + "?" + signed(alg, call, query, secret))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}

	_, out := get(follow, front.URL, "create", "name=Probe&meetingID=probe-1&record=false", "lb-secret", "sha256")
	wantKey(t, parseResp(t, out), "SUCCESS", "")
	_, out = get(follow, front.URL, "create", "name=Probe&meetingID=probe-2", "lb-secret", "sha384")
	wantKey(t, parseResp(t, out), "FAILED", keyChecksumError)
	_, out = get(follow, front.URL, "create", "name=Probe&meetingID=probe-2", "lb-secret", "sha512")
	wantKey(t, parseResp(t, out), "SUCCESS", "")

	// The 302 itself: re-encoded with URI.encode_www_form, signed with
	// SHA-256 and the node's secret, redirect=false forwarded.
	q := "fullName=Probe%20*Bot&meetingID=probe-1&role=VIEWER&userID=probe&redirect=false"
	resp, _ := get(noFollow, front.URL, "join", q, "lb-secret", "sha1")
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("front join: %d", resp.StatusCode)
	}
	loc := resp.Header.Get("Location")
	prefix := nodeURL + "/bigbluebutton/api/join?"
	if !strings.HasPrefix(loc, prefix) {
		t.Fatalf("Location %s", loc)
	}
	nodeQuery := strings.TrimPrefix(loc, prefix)
	wantQ := "fullName=Probe+*Bot&meetingID=probe-1&role=VIEWER&userID=probe&redirect=false"
	if nodeQuery != signed("sha256", "join", wantQ, "node-secret") {
		t.Fatalf("node query %s", nodeQuery)
	}
	if resp.Header.Get("Set-Cookie") != "" {
		t.Fatal("the balancer sets no session cookie")
	}

	// Following it, as a Go client with a jar does.
	resp, out = get(follow, front.URL, "join", q, "lb-secret", "sha256")
	r := parseResp(t, out)
	wantKey(t, r, "SUCCESS", keyJoined)
	if resp.Request.URL.Host != strings.TrimPrefix(nodeURL, "http://") {
		t.Fatalf("final host %s", resp.Request.URL.Host)
	}
	nodeU, _ := url.Parse(nodeURL)
	frontU, _ := url.Parse(front.URL)
	if len(jar.Cookies(nodeU)) != 1 || jar.Cookies(nodeU)[0].Name != "JSESSIONID" || len(jar.Cookies(frontU)) != 0 {
		t.Fatalf("cookies node=%v front=%v", jar.Cookies(nodeU), jar.Cookies(frontU))
	}
	if !strings.HasPrefix(r.URL, nodeURL+"/html5client?sessionToken=") {
		t.Fatalf("url %s", r.URL)
	}

	// stuns on the node with the jar works; on the balancer it is not routed.
	sresp, err := follow.Get(nodeURL + "/bigbluebutton/api/stuns?sessionToken=" + r.SessionToken)
	if err != nil {
		t.Fatal(err)
	}
	var st stunsResponse
	_ = json.NewDecoder(sresp.Body).Decode(&st)
	sresp.Body.Close()
	if len(st.TurnServers) != 1 || !turnrest.Valid("coturn-secret", st.TurnServers[0].Username, st.TurnServers[0].Password, clock.Now()) ||
		!strings.HasSuffix(st.TurnServers[0].Username, ":"+r.UserID) {
		t.Fatalf("node stuns: %+v", st)
	}
	resp, out = get(follow, front.URL, "stuns", "sessionToken="+r.SessionToken, "lb-secret", "sha256")
	wantKey(t, parseResp(t, out), "FAILED", keyUnsupportedRequest)
	if parseResp(t, out).Message != msgUnsupportedRequest {
		t.Fatal(out)
	}

	// The node checks its own secret.
	_, out = get(follow, nodeURL, "join", "fullName=A&meetingID=probe-1&role=VIEWER&redirect=false", "lb-secret", "sha256")
	wantKey(t, parseResp(t, out), "FAILED", keyChecksumError)
	_, out = get(follow, nodeURL, "getMeetingInfo", "meetingID=probe-1", "node-secret", "sha384")
	wantKey(t, parseResp(t, out), "SUCCESS", "")

	// Balancer errors are XML, never redirects.
	resp, out = get(noFollow, front.URL, "join", "fullName=A&meetingID=nope&role=VIEWER", "lb-secret", "sha256")
	if resp.StatusCode != 200 || parseResp(t, out).MessageKey != keyNotFound || parseResp(t, out).Message != msgScaleliteNotFound {
		t.Fatalf("unknown meeting: %d %s", resp.StatusCode, out)
	}
	_, out = get(follow, front.URL, "getMeetingInfo", "meetingID=nope", "lb-secret", "sha256")
	if r := parseResp(t, out); r.MessageKey != keyNotFound || r.Message != msgScaleliteNotFound {
		t.Fatal(out)
	}
	// insertDocument only for exactly application/xml.
	ireq, _ := http.NewRequest("POST", front.URL+"/bigbluebutton/api/insertDocument?"+signed("sha256", "insertDocument", "meetingID=probe-1", "lb-secret"), strings.NewReader("<modules/>"))
	ireq.Header.Set("Content-Type", "application/xml; charset=utf-8")
	iresp, err := follow.Do(ireq)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(iresp.Body)
	iresp.Body.Close()
	wantKey(t, parseResp(t, string(b)), "FAILED", keyUnsupportedRequest)
	// The balancer serves no client page.
	if resp, err := follow.Get(front.URL + "/html5client?sessionToken=" + r.SessionToken); err != nil || resp.StatusCode != 404 {
		t.Fatalf("client page on balancer: %v %v", resp.StatusCode, err)
	}
	// Without a node URL the balancer cannot route joins.
	s.SetNodeURL("")
	_, out = get(noFollow, front.URL, "join", q, "lb-secret", "sha256")
	wantKey(t, parseResp(t, out), "FAILED", keyServerUnavailable)

	hs := map[string]bool{}
	for _, rq := range s.Requests() {
		hs[rq.Handler] = true
	}
	if !hs["scalelite"] || !hs["node"] {
		t.Fatalf("request log handlers %v", hs)
	}
}
