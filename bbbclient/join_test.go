package bbbclient

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestJoinURLVector(t *testing.T) {
	c, _ := newTestClient(t, "https://bbb.example.org/")
	u, err := c.JoinURL(JoinParams{FullName: "Klasse 7b", MeetingID: "abc123", Role: RoleViewer, CreateTime: 1531155809613})
	if err != nil {
		t.Fatal(err)
	}
	const want = "https://bbb.example.org/bigbluebutton/api/join?fullName=Klasse+7b&meetingID=abc123&role=VIEWER&createTime=1531155809613&checksum=70c8cd6d3eac59b7b2f96afa4a1cff3ecdd529c70474f61325a40418946e873b"
	if u.Reveal() != want {
		t.Errorf("Reveal = %s\nwant     %s", u.Reveal(), want)
	}
}

func TestJoinURLParams(t *testing.T) {
	c, _ := newTestClient(t, "https://bbb.example.org")
	u, err := c.JoinURL(JoinParams{
		MeetingID: "klasse-7b", FullName: "Frau Müller", Role: "moderator", CreateTime: 1715261728123,
		UserID: "t-42", Guest: true, AvatarURL: "https://x.org/a.png", LogoutURL: "https://schule.example.org",
		ErrorRedirectURL: "https://schule.example.org/err", ExcludeFromDashboard: true, Bot: true,
		UserData: map[string]string{
			"bbb_skip_check_audio_on_first_join": "true",
			"userdata-bbb_auto_join_audio":       "true",
			"bbb_listen_only_mode":               "false",
		},
		Extra: map[string]string{"enforceLayout": "SMART_LAYOUT"},
	})
	if err != nil {
		t.Fatal(err)
	}
	pu, _ := url.Parse(u.Reveal())
	q := verifySigned(t, "join", pu.RawQuery, docSecret)
	want := "fullName=Frau+M%C3%BCller&meetingID=klasse-7b&role=MODERATOR&createTime=1715261728123&userID=t-42&guest=true" +
		"&avatarURL=https%3A%2F%2Fx.org%2Fa.png&logoutURL=https%3A%2F%2Fschule.example.org&errorRedirectUrl=https%3A%2F%2Fschule.example.org%2Ferr" +
		"&excludeFromDashboard=true&bot=true&userdata-bbb_listen_only_mode=false&userdata-bbb_skip_check_audio_on_first_join=true" +
		"&userdata-bbb_auto_join_audio=true&enforceLayout=SMART_LAYOUT"
	if q != want {
		t.Errorf("query:\n got %s\nwant %s", q, want)
	}
	if strings.Contains(q, "password") || strings.Contains(q, "redirect=") {
		t.Error("password or redirect in a browser join URL")
	}
}

func TestJoinURLValidation(t *testing.T) {
	c, _ := newTestClient(t, "https://bbb.example.org")
	ok := JoinParams{MeetingID: "abc123", FullName: "Kim", Role: RoleViewer, CreateTime: 1}
	for name, mod := range map[string]func(*JoinParams){
		"no role":          func(p *JoinParams) { p.Role = "" },
		"bad role":         func(p *JoinParams) { p.Role = "ADMIN" },
		"no createTime":    func(p *JoinParams) { p.CreateTime = 0 },
		"no name":          func(p *JoinParams) { p.FullName = " \n" },
		"bad meeting":      func(p *JoinParams) { p.MeetingID = "a" },
		"userdata_ prefix": func(p *JoinParams) { p.UserData = map[string]string{"userdata_bbb_x": "1"} },
		"userdata inject":  func(p *JoinParams) { p.UserData = map[string]string{"a&b": "1"} },
		"password extra":   func(p *JoinParams) { p.Extra = map[string]string{"password": "mp"} },
		"redirect extra":   func(p *JoinParams) { p.Extra = map[string]string{"redirect": "false"} },
		"role extra":       func(p *JoinParams) { p.Extra = map[string]string{"role": "MODERATOR"} },
		"createTime extra": func(p *JoinParams) { p.Extra = map[string]string{"createTime": "2"} },
		"any instance moderator": func(p *JoinParams) {
			p.Role, p.CreateTime, p.AnyInstance = RoleModerator, 0, true
		},
		"any instance with createTime": func(p *JoinParams) { p.AnyInstance = true },
	} {
		p := ok
		mod(&p)
		if _, err := c.JoinURL(p); !isValidation(err) {
			t.Errorf("%s: err = %v", name, err)
		}
	}
}

// TestJoinURLAnyInstance: a printed viewer link leaves createTime out.
func TestJoinURLAnyInstance(t *testing.T) {
	c, _ := newTestClient(t, "https://bbb.example.org")
	u, err := c.JoinURL(JoinParams{MeetingID: "abc123", FullName: "Kim", Role: RoleViewer, AnyInstance: true})
	if err != nil {
		t.Fatal(err)
	}
	if s := u.Reveal(); strings.Contains(s, "createTime") || !strings.Contains(s, "role=VIEWER") {
		t.Fatalf("unexpected any-instance link shape")
	}
}

// TestSignedURLRedaction tries every way a join URL could reach a log.
func TestSignedURLRedaction(t *testing.T) {
	c, _ := newTestClient(t, "https://bbb.example.org")
	u, err := c.JoinURL(JoinParams{FullName: "Klasse 7b", MeetingID: "abc123", Role: RoleModerator, CreateTime: 1531155809613})
	if err != nil {
		t.Fatal(err)
	}
	_, sum := splitChecksum(t, u.Reveal()[strings.Index(u.Reveal(), "?")+1:])
	var out bytes.Buffer
	type holder struct {
		URL SignedURL
		u   SignedURL
	}
	h := holder{u, u}
	for _, f := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%T %v"} {
		if f == "%T %v" {
			fmt.Fprintf(&out, f+"\n", u, u)
			continue
		}
		fmt.Fprintf(&out, f+"\n", u)
		fmt.Fprintf(&out, f+"\n", &u)
		fmt.Fprintf(&out, f+"\n", h)
		fmt.Fprintf(&out, f+"\n", &h)
	}
	fmt.Fprintln(&out, u, []SignedURL{u}, map[string]SignedURL{"a": u})
	slog.New(slog.NewJSONHandler(&out, nil)).Info("join", "url", u, "holder", h)
	slog.New(slog.NewTextHandler(&out, nil)).Info("join", "url", u, "ptr", &u)
	b, _ := json.Marshal(h)
	out.Write(b)
	s := out.String()
	assertClean(t, "printed SignedURL", s, sum, "role=MODERATOR", "createTime=", docSecret)
	if !strings.Contains(s, "https://bbb.example.org/bigbluebutton/api/join?[redacted]") {
		t.Errorf("redacted form missing:\n%s", s)
	}
	if !strings.Contains(u.Reveal(), sum) || u.IsZero() || !(SignedURL{}).IsZero() {
		t.Error("Reveal/IsZero")
	}
}

// bbbNode is a fake BBB node: join sets a JSESSIONID and answers XML for
// redirect=false; stuns needs both the token and the cookie (§5.3, §7.1).
type bbbNode struct {
	t        *testing.T
	secret   string
	joinXML  string
	stuns    string
	mu       sync.Mutex
	sessions map[string]string // JSESSIONID -> session token
	rec      recorder
}

func (n *bbbNode) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n.rec.record(r, nil)
	switch r.URL.Path {
	case "/bigbluebutton/api/join":
		verifySigned(n.t, "join", r.URL.RawQuery, n.secret)
		if r.URL.Query().Get("redirect") != "false" {
			n.t.Errorf("join without redirect=false: %s", r.URL.RawQuery)
		}
		if len(r.Cookies()) != 0 {
			n.t.Errorf("join carried cookies %v: the jar is not fresh", r.Cookies())
		}
		n.mu.Lock()
		id := fmt.Sprintf("node-sess-%d", len(n.sessions)+1)
		n.sessions[id] = "0123456789abcdef"
		n.mu.Unlock()
		http.SetCookie(w, &http.Cookie{Name: "JSESSIONID", Value: id, Path: "/", HttpOnly: true})
		w.Header().Set("Content-Type", "text/xml")
		io.WriteString(w, n.joinXML)
	case "/bigbluebutton/api/stuns":
		ck, err := r.Cookie("JSESSIONID")
		n.mu.Lock()
		ok := err == nil && n.sessions[ck.Value] == r.URL.Query().Get("sessionToken")
		n.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		if !ok {
			io.WriteString(w, fixtureStunsFailed)
			return
		}
		io.WriteString(w, n.stuns)
	default:
		http.NotFound(w, r)
	}
}

func newNode(t *testing.T, secret string) *bbbNode {
	return &bbbNode{t: t, secret: secret, joinXML: fixtureJoin30, stuns: fixtureStunsOK, sessions: map[string]string{}}
}

var probeJoin = JoinParams{MeetingID: "tafel-probe-1", FullName: "Tafel probe", Role: RoleViewer, CreateTime: 1715261728123, UserID: "probe", ExcludeFromDashboard: true}

func TestFetchICEServersDirect(t *testing.T) {
	node := newNode(t, docSecret)
	srv := httptest.NewServer(node)
	defer srv.Close()
	c, _ := newTestClient(t, srv.URL)
	s, err := c.JoinSession(t.Context(), probeJoin)
	if err != nil {
		t.Fatal(err)
	}
	if s.Token() != "0123456789abcdef" || s.AuthToken() != "authtok12345" || s.UserID != "w_abcdefghijkl" ||
		s.GuestStatus != GuestAllow || s.MeetingID != "640ab2bae07bedc4c163f679a746f7ab7fb5d1fa-1531155809613" ||
		s.NodeURL() != srv.URL+"/bigbluebutton/api" || s.MessageKey != "successfullyJoined" {
		t.Errorf("session = %+v token=%s node=%s", s, s.Token(), s.NodeURL())
	}
	if s.ClientURL().Reveal() != "https://bbb.example.org/html5client?sessionToken=0123456789abcdef" {
		t.Errorf("client url %s", s.ClientURL().Reveal())
	}
	cfg, err := s.ICEServers(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	checkStunsFixture(t, cfg)
	// The high-level call does both steps with a new jar each time.
	if _, err := c.FetchICEServers(t.Context(), probeJoin); err != nil {
		t.Fatal(err)
	}
	// Without the cookie the node refuses, as BBB does.
	anon := &Session{token: hide("0123456789abcdef"), nodeAPI: s.nodeAPI, c: c, hc: http.DefaultClient}
	_, err = anon.ICEServers(t.Context())
	var ae *APIError
	if !errors.As(err, &ae) || ae.Call != "stuns" || ae.Message != "Could not find conference." {
		t.Errorf("stuns without cookie: %v", err)
	}
}

func checkStunsFixture(t *testing.T, cfg *ICEConfig) {
	t.Helper()
	exp := time.Unix(1735689600, 0)
	if len(cfg.STUNServers) != 1 || cfg.STUNServers[0].URLs[0] != "stun:turn.example.org" || cfg.STUNServers[0].IsTURN() {
		t.Errorf("stun = %+v", cfg.STUNServers)
	}
	if len(cfg.TURNServers) != 1 {
		t.Fatalf("turn = %v", cfg.TURNServers)
	}
	ts := cfg.TURNServers[0]
	if ts.URLs[0] != "turns:bbb1.example.org:443?transport=tcp" || ts.Username != "1735689600:w_testuser01" ||
		ts.Credential != "BTWmnSIkRUhg0SFTNkdqab8Sg3Q=" || ts.TTL != 24*time.Hour || !ts.Expires.Equal(exp) {
		t.Errorf("turn = %#v %s %s %v", ts, ts.Username, ts.Credential, ts.Expires)
	}
	if !cfg.Expires.Equal(exp) || len(cfg.RemoteICECandidates) != 1 || cfg.RemoteICECandidates[0] != "203.0.113.10" {
		t.Errorf("cfg = %v", cfg)
	}
	if len(cfg.Servers()) != 2 {
		t.Error("Servers()")
	}
}

// mapDialer routes fake host names to test servers, so the balancer and
// the node are really different hosts for the cookie jar.
func mapDialer(routes map[string]string) func(context.Context, string, string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		if to, ok := routes[addr]; ok {
			addr = to
		}
		var d net.Dialer
		return d.DialContext(ctx, network, addr)
	}
}

// TestFetchICEServersScalelite: the balancer answers 302 to the node even
// for redirect=false; the node's cookie stays with the node's host, and
// stuns goes to the node (bbb-api.md §7.2, §11).
func TestFetchICEServersScalelite(t *testing.T) {
	const nodeSecret = "node-secret-xyz"
	node := newNode(t, nodeSecret)
	nodeSrv := httptest.NewServer(node)
	defer nodeSrv.Close()
	var lbRec recorder
	lbSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		lbRec.record(r, nil)
		if r.URL.Path != "/bigbluebutton/api/join" {
			io.WriteString(w, `<response><returncode>FAILED</returncode><messageKey>unsupportedRequest</messageKey><message>This request is not supported.</message></response>`)
			return
		}
		q := verifySigned(t, "join", r.URL.RawQuery, docSecret)
		sum, _ := Checksum(SHA256, "join", q, nodeSecret) // re-signed for the node
		http.Redirect(w, r, "http://node1.example/bigbluebutton/api/join?"+q+"&checksum="+sum, http.StatusFound)
	}))
	defer lbSrv.Close()

	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.DialContext = mapDialer(map[string]string{
		"lb.example:80":    lbSrv.Listener.Addr().String(),
		"node1.example:80": nodeSrv.Listener.Addr().String(),
	})
	// The app's own jar holds a stale node cookie; JoinSession must not use it.
	appJar, _ := cookiejar.New(nil)
	nodeURL, _ := url.Parse("http://node1.example/")
	appJar.SetCookies(nodeURL, []*http.Cookie{{Name: "JSESSIONID", Value: "stale", Path: "/"}})
	c, logs := newTestClient(t, "http://lb.example", func(o *Options) { o.HTTPClient = &http.Client{Transport: tr, Jar: appJar} })

	s, err := c.JoinSession(t.Context(), probeJoin)
	if err != nil {
		t.Fatal(err)
	}
	if s.NodeURL() != "http://node1.example/bigbluebutton/api" {
		t.Errorf("node = %s", s.NodeURL())
	}
	cfg, err := s.ICEServers(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	checkStunsFixture(t, cfg)

	for _, r := range lbRec.all() {
		if r.Path != "/bigbluebutton/api/join" || len(r.Cookies) != 0 {
			t.Errorf("balancer saw %s with cookies %v", r.Path, r.Cookies)
		}
	}
	paths := []string{}
	for _, r := range node.rec.all() {
		paths = append(paths, r.Path)
		if r.Host != "node1.example" {
			t.Errorf("node request host %q", r.Host)
		}
	}
	if strings.Join(paths, ",") != "/bigbluebutton/api/join,/bigbluebutton/api/stuns" {
		t.Errorf("node saw %v", paths)
	}
	if got := appJar.Cookies(nodeURL); len(got) != 1 || got[0].Value != "stale" {
		t.Errorf("app jar changed: %v", got)
	}
	assertClean(t, "logs", logs.String(), docSecret, nodeSecret, "0123456789abcdef", "authtok12345", "BTWmnSIkRUhg0SFTNkdqab8Sg3Q=", "node-sess-")
	assertClean(t, "printed", fmt.Sprint(s, cfg, *cfg, cfg.TURNServers, fmt.Sprintf("%+v %#v %d", s, cfg, cfg.TURNServers[0])),
		"0123456789abcdef", "authtok12345", "BTWmnSIkRUhg0SFTNkdqab8Sg3Q=")
}

func TestJoinSessionGuests(t *testing.T) {
	t.Run("wait", func(t *testing.T) {
		node := newNode(t, docSecret)
		node.joinXML = fixtureJoinGuestWait
		srv := httptest.NewServer(node)
		defer srv.Close()
		c, _ := newTestClient(t, srv.URL)
		s, err := c.JoinSession(t.Context(), probeJoin)
		if err != nil || s.GuestStatus != GuestWait || s.MessageKey != "guestWait" {
			t.Fatalf("session %v, %v", s, err)
		}
		if !strings.Contains(s.ClientURL().Reveal(), "guestWait") || strings.Contains(s.ClientURL().String(), "guestsession0001") {
			t.Errorf("client url %s", s.ClientURL())
		}
		_, err = c.FetchICEServers(t.Context(), probeJoin)
		if !errors.Is(err, ErrGuestWait) {
			t.Errorf("FetchICEServers: %v", err)
		}
	})
	for name, body := range map[string]string{
		"denied FAILED":  fixtureJoinGuestDenied,
		"denied SUCCESS": strings.Replace(fixtureJoinGuestWait, "<guestStatus>WAIT", "<guestStatus>DENY", 1),
	} {
		t.Run(name, func(t *testing.T) {
			node := newNode(t, docSecret)
			node.joinXML = body
			srv := httptest.NewServer(node)
			defer srv.Close()
			c, _ := newTestClient(t, srv.URL)
			if _, err := c.FetchICEServers(t.Context(), probeJoin); !errors.Is(err, ErrGuestDeniedAccess) {
				t.Errorf("err = %v", err)
			}
		})
	}
}

func TestDecodeJoin(t *testing.T) {
	tests := []struct {
		name, body                       string
		token, auth, user, meeting, gURL string
		guest                            string
	}{
		{"F3 without url", fixtureF3Join, "rbe7bbkjzx5mnoda", "huzbpgthac7s", "ao6ehbtvbmhz", "fa51ae0c65adef7fe3cf115421da8a6a25855a20-1464618262714", "", ""},
		{"docs sample", fixtureJoinDocs, "ai1wqj8wb6s7rnk0", "14mm5y3eurjw", "w_euxnssffnsbs", "640ab2bae07bedc4c163f679a746f7ab7fb5d1fa-1531155809613", "https://yourserver.com/client/BigBlueButton.html?sessionToken=ai1wqj8wb6s7rnk0", ""},
		{"3.0 with guestStatus", fixtureJoin30, "0123456789abcdef", "authtok12345", "w_abcdefghijkl", "640ab2bae07bedc4c163f679a746f7ab7fb5d1fa-1531155809613", "https://bbb.example.org/html5client?sessionToken=0123456789abcdef", "ALLOW"},
		{"guest wait", fixtureJoinGuestWait, "guestsession0001", "guestauthtok", "w_guestguestgu", "640ab2bae07bedc4c163f679a746f7ab7fb5d1fa-1531155809613", "https://bbb.example.org/bigbluebutton/api/guestWait?sessionToken=guestsession0001", "WAIT"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x, _, err := decodeJoin(200, "text/xml", []byte(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			if x.SessionToken != tt.token || x.AuthToken != tt.auth || x.UserID != tt.user || x.MeetingID != tt.meeting || x.URL != tt.gURL || x.GuestStatus != tt.guest {
				t.Errorf("got %+v", x)
			}
		})
	}
	if _, _, err := decodeJoin(200, "", []byte(`<response><returncode>SUCCESS</returncode></response>`)); err == nil {
		t.Error("join without session_token accepted")
	}
	if _, _, err := decodeJoin(200, "", []byte(fixtureJoinGuestDenied)); !errors.Is(err, ErrGuestDeniedAccess) {
		t.Errorf("denied: %v", err)
	}
}

// TestJoinSessionRefusesDowngrade: an https balancer redirecting to http
// would expose the session token; the join is refused.
func TestJoinSessionRefusesDowngrade(t *testing.T) {
	node := newNode(t, docSecret)
	plain := httptest.NewServer(node)
	defer plain.Close()
	lb := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, plain.URL+r.URL.Path+"?"+r.URL.RawQuery, http.StatusFound)
	}))
	defer lb.Close()
	c, _ := newTestClient(t, lb.URL, func(o *Options) { o.HTTPClient = lb.Client() })
	_, err := c.JoinSession(t.Context(), probeJoin)
	var te *TransportError
	if !errors.As(err, &te) || !strings.Contains(err.Error(), "https to http") {
		t.Fatalf("err = %v", err)
	}
	if len(node.rec.all()) != 0 {
		t.Error("plain-http node was contacted")
	}
	assertClean(t, "error", err.Error(), docSecret)
}

func TestNodeAPIBase(t *testing.T) {
	for in, want := range map[string]string{
		"https://node1.example.org/bigbluebutton/api/join?x=1": "https://node1.example.org/bigbluebutton/api",
		"https://node1.example.org:8443/custom/api/join":       "https://node1.example.org:8443/custom/api",
		"https://node1.example.org/something/else":             "https://node1.example.org/bigbluebutton/api",
	} {
		u, _ := url.Parse(in)
		if got := nodeAPIBase(u).String(); got != want {
			t.Errorf("nodeAPIBase(%s) = %s", in, got)
		}
	}
}
