package bbbsim

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestJoinRoles: §14.6 – role beats password, "Params required", error keys.
func TestJoinRoles(t *testing.T) {
	e := newEnv(t, Config{})
	c := e.create("room-1", "attendeePW=ap-pass", "moderatorPW=mp-pass")
	ct := strconv.FormatInt(c.CreateTime, 10)
	cases := []struct {
		name, query string
		role        string // want success with this role
		key, msg    string // or this error
		xmlAlways   bool   // error answered as XML despite redirect
	}{
		{"role lowercase", "role=moderator", RoleModerator, "", "", false},
		{"role mixed case", "role=Viewer", RoleViewer, "", "", false},
		{"role overrides moderator password", "role=VIEWER&password=mp-pass", RoleViewer, "", "", false},
		{"moderator password", "password=mp-pass", RoleModerator, "", "", false},
		{"attendee password", "password=ap-pass", RoleViewer, "", "", false},
		{"invalid role falls back to password", "role=ADMIN&password=ap-pass", RoleViewer, "", "", false},
		{"neither role nor password", "", "", keyParamsRequired, msgNoRoleNoPassword, true},
		{"wrong password", "password=nope", "", keyParamsRequired, msgWrongPassword, true},
		{"matching createTime", "role=VIEWER&createTime=" + ct, RoleViewer, "", "", false},
		{"stale createTime", "role=VIEWER&createTime=1234", "", keyMismatchCreateTime, msgMismatchCreateTime, false},
		{"empty createTime", "role=VIEWER&createTime=", "", keyMismatchCreateTime, msgMismatchCreateTime, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			q := "fullName=Anna&meetingID=room-1"
			if tc.query != "" {
				q += "&" + tc.query
			}
			// XML variant.
			r := e.call("join", q+"&redirect=false")
			if tc.role != "" {
				wantKey(t, r, "SUCCESS", keyJoined)
				u := findUser(t, e.s, "room-1", r.SessionToken)
				if u.Role != tc.role {
					t.Fatalf("role %s, want %s", u.Role, tc.role)
				}
				return
			}
			wantKey(t, r, "FAILED", tc.key)
			if r.Message != tc.msg {
				t.Fatalf("message %q", r.Message)
			}
			// Default redirect variant.
			resp, body := e.do("GET", e.url("join", signed("sha256", "join", q, e.secret)), "", nil)
			if tc.xmlAlways {
				if resp.StatusCode != 200 {
					t.Fatalf("bbb-web renders %q as XML even when redirecting, got %d", tc.key, resp.StatusCode)
				}
				wantKey(t, parseResp(t, body), "FAILED", tc.key)
				return
			}
			if resp.StatusCode != http.StatusFound {
				t.Fatalf("status %d", resp.StatusCode)
			}
			if k, m := errorsParam(t, resp.Header.Get("Location")); k != tc.key || m != tc.msg {
				t.Fatalf("errors %s %s", k, m)
			}
		})
	}
	t.Run("missing fullName", func(t *testing.T) {
		r := e.call("join", "meetingID=room-1&role=VIEWER&redirect=false")
		wantKey(t, r, "FAILED", keyMissingFullName)
	})
	t.Run("unknown meeting", func(t *testing.T) {
		r := e.call("join", "fullName=A&meetingID=nope&role=VIEWER&redirect=false")
		wantKey(t, r, "FAILED", keyInvalidMeetingID)
	})
	t.Run("forcibly ended", func(t *testing.T) {
		e.create("ended")
		e.call("end", "meetingID=ended")
		r := e.call("join", "fullName=A&meetingID=ended&role=VIEWER&redirect=false")
		wantKey(t, r, "FAILED", keyForciblyEnded)
	})
	t.Run("meeting without passwords", func(t *testing.T) {
		// Passwords are always generated, so "role" is the only way in
		// for clients that never saw them.
		e.create("nopw")
		r := e.call("join", "fullName=A&meetingID=nopw&password=guess&redirect=false")
		wantKey(t, r, "FAILED", keyParamsRequired)
	})
}

func findUser(t *testing.T, s *Server, meetingID, token string) UserState {
	t.Helper()
	m, ok := s.Meeting(meetingID)
	if !ok {
		t.Fatalf("no meeting %s", meetingID)
	}
	for _, u := range m.Users {
		if u.SessionToken == token {
			return u
		}
	}
	t.Fatalf("no user with token %s", token)
	return UserState{}
}

// TestJoinXMLShape: §14.7 / §5.4 – element order, ID formats, cookie.
func TestJoinXMLShape(t *testing.T) {
	e := newEnv(t, Config{})
	c := e.create("room-1")
	resp, body := e.do("GET", e.url("join", signed("sha256", "join", "fullName=Anna&meetingID=room-1&role=VIEWER&redirect=false", e.secret)), "", nil)
	order := regexp.MustCompile(`^<response><returncode>SUCCESS</returncode><messageKey>successfullyJoined</messageKey><message>You have joined successfully.</message>` +
		`<meeting_id>([0-9a-f]{40}-[0-9]+)</meeting_id><user_id>(w_[a-z0-9]{12})</user_id><auth_token>[a-z0-9]{12}</auth_token>` +
		`<session_token>([a-z0-9]{16})</session_token><guestStatus>ALLOW</guestStatus><url>([^<]+)</url></response>$`)
	m := order.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("join XML shape:\n%s", body)
	}
	if m[1] != c.InternalMeetingID {
		t.Fatalf("meeting_id %s", m[1])
	}
	if m[4] != e.ts.URL+"/html5client?sessionToken="+m[3] {
		t.Fatalf("url %s", m[4])
	}
	cookie := resp.Header.Get("Set-Cookie")
	if !regexp.MustCompile(`^JSESSIONID=[0-9A-F]{32}; Path=/; HttpOnly$`).MatchString(cookie) {
		t.Fatalf("Set-Cookie %q", cookie)
	}
	// A second join from the same browser reuses its servlet session.
	resp, _ = e.do("GET", e.url("join", signed("sha256", "join", "fullName=Ben&meetingID=room-1&role=VIEWER&redirect=false", e.secret)), "", nil)
	if resp.Header.Get("Set-Cookie") != "" {
		t.Fatal("existing JSESSIONID must be reused")
	}
}

// TestJoinRedirectAndClientPage: §14.5/§14.7 – default 302 to the client,
// which really joins the user; errors go to errorRedirectUrl.
func TestJoinRedirectAndClientPage(t *testing.T) {
	e := newEnv(t, Config{})
	e.create("room-1", "name=%3Cscript%3Ealert(1)%3C%2Fscript%3E+%26+Co", "meta_x=1")
	q := signed("sha256", "join", "fullName=Anna+%3Cb%3E&meetingID=room-1&role=MODERATOR&userID=teacher-7&userdata-bbb_auto_join_audio=true", e.secret)
	resp, _ := e.do("GET", e.url("join", q), "", nil)
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("status %d", resp.StatusCode)
	}
	loc := resp.Header.Get("Location")
	token := strings.TrimPrefix(loc, e.ts.URL+"/html5client?sessionToken=")
	if len(token) != 16 {
		t.Fatalf("Location %s", loc)
	}
	// An API join alone does not make the meeting run.
	if r := e.call("isMeetingRunning", "meetingID=room-1"); r.Running != "false" {
		t.Fatal("running before the client joined")
	}
	if info := e.call("getMeetingInfo", "meetingID=room-1"); len(info.Attendees) != 0 || info.HasUserJoined != "false" {
		t.Fatalf("attendees before the client joined: %+v", info.Attendees)
	}
	// Without the cookie the client page refuses the token.
	anon := &http.Client{}
	r2, err := anon.Get(loc)
	if err != nil {
		t.Fatal(err)
	}
	r2.Body.Close()
	if r2.StatusCode != http.StatusUnauthorized {
		t.Fatalf("client without cookie: %d", r2.StatusCode)
	}
	// With the browser's cookie it joins; names are HTML-escaped.
	resp, page := e.enter(token)
	if resp.StatusCode != 200 {
		t.Fatalf("client page %d", resp.StatusCode)
	}
	if strings.Contains(page, "<script>alert") || !strings.Contains(page, "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co") {
		t.Fatalf("meeting name not escaped:\n%s", page)
	}
	mustContain(t, page, "Anna &lt;b&gt;")
	mustContain(t, page, `<span id="role">MODERATOR</span>`)
	mustContain(t, page, "default.pdf")
	if r := e.call("isMeetingRunning", "meetingID=room-1"); r.Raw != "<response><returncode>SUCCESS</returncode><running>true</running></response>" {
		t.Fatalf("F6 isMeetingRunning: %s", r.Raw)
	}
	info := e.call("getMeetingInfo", "meetingID=room-1")
	if len(info.Attendees) != 1 || info.Attendees[0].UserID != "teacher-7" || info.Attendees[0].Role != RoleModerator ||
		!info.Attendees[0].IsPresenter || info.ParticipantCount != 1 || info.ModeratorCount != 1 || info.HasUserJoined != "true" {
		t.Fatalf("getMeetingInfo: %s", info.Raw)
	}
	if cd := info.Attendees[0].CustomData.Items; len(cd) != 1 || cd[0].XMLName.Local != "bbb_auto_join_audio" || cd[0].Value != "true" {
		t.Fatalf("customdata %+v", cd)
	}

	t.Run("error redirect to errorRedirectUrl", func(t *testing.T) {
		q := signed("sha256", "join", "fullName=A&meetingID=missing&role=VIEWER&errorRedirectUrl="+url.QueryEscape("https://school.example/err?x=1"), e.secret)
		resp, _ := e.do("GET", e.url("join", q), "", nil)
		loc := resp.Header.Get("Location")
		if !strings.HasPrefix(loc, "https://school.example/err?x=1&errors=%5B%7B%22key%22:%22invalidMeetingIdentifier%22,") {
			t.Fatalf("Location %s", loc)
		}
		if k, m := errorsParam(t, loc); k != keyInvalidMeetingID || m != msgInvalidMeetingID {
			t.Fatalf("errors %s %s", k, m)
		}
	})
	t.Run("error redirect to the default logout URL", func(t *testing.T) {
		resp, _ := e.do("GET", e.url("join", "fullName=A&meetingID=room-1&role=VIEWER&checksum=bad"), "", nil)
		loc := resp.Header.Get("Location")
		if !strings.HasPrefix(loc, e.ts.URL+"?errors=") {
			t.Fatalf("Location %s", loc)
		}
		// The landing page shows the error.
		_, page := e.do("GET", e.ts.URL+"/?"+strings.SplitN(loc, "?", 2)[1], "", nil)
		mustContain(t, page, "checksumError")
	})
	t.Run("2.4 ignores errorRedirectUrl", func(t *testing.T) {
		e := newEnv(t, Config{Flavor: FlavorBBB24})
		q := signed("sha256", "join", "fullName=A&meetingID=missing&role=VIEWER&errorRedirectUrl=https%3A%2F%2Fx.example%2F", e.secret)
		resp, _ := e.do("GET", e.url("join", q), "", nil)
		if !strings.HasPrefix(resp.Header.Get("Location"), e.ts.URL+"?errors=") {
			t.Fatalf("Location %s", resp.Header.Get("Location"))
		}
	})
}

// TestGuestPolicies: guest=true against ALWAYS_DENY and ASK_MODERATOR.
func TestGuestPolicies(t *testing.T) {
	e := newEnv(t, Config{})
	e.create("deny", "guestPolicy=ALWAYS_DENY")
	e.create("ask", "guestPolicy=ASK_MODERATOR")

	wantKey(t, e.join("deny", "Gast", "VIEWER", "guest=true"), "FAILED", keyGuestDenied)
	if r := e.join("deny", "Lehrerin", "MODERATOR", "guest=true"); r.GuestStatus != GuestAllow {
		t.Fatalf("moderators are always allowed: %s", r.Raw)
	}
	if r := e.join("deny", "Schüler", "VIEWER"); r.GuestStatus != GuestAllow {
		t.Fatalf("without guest=true a user is authenticated: %s", r.Raw)
	}

	r := e.join("ask", "Gast", "VIEWER", "guest=true")
	wantKey(t, r, "SUCCESS", keyGuestWait)
	if r.GuestStatus != GuestWait || r.Message != msgGuestWait || r.URL != e.ts.URL+"/html5client/guestWait?sessionToken="+r.SessionToken {
		t.Fatalf("guestWait: %s", r.Raw)
	}
	// The client page sends a waiting guest to the lobby.
	resp, _ := e.enter(r.SessionToken)
	if resp.StatusCode != http.StatusFound || !strings.Contains(resp.Header.Get("Location"), "/html5client/guestWait") {
		t.Fatalf("client for waiting guest: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if err := e.s.EnterClient(r.SessionToken); err == nil {
		t.Fatal("EnterClient must refuse a waiting guest")
	}
	// The guestWait API reports WAIT, then ALLOW after approval.
	_, js := e.do("GET", e.url("guestWait", "sessionToken="+r.SessionToken+"&redirect=false"), "", nil)
	mustContain(t, js, `"guestStatus":"WAIT"`)
	if err := e.s.ApproveGuest(r.SessionToken, true); err != nil {
		t.Fatal(err)
	}
	resp, _ = e.do("GET", e.ts.URL+"/html5client/guestWait?sessionToken="+r.SessionToken, "", nil)
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("lobby after approval: %d", resp.StatusCode)
	}
	if resp, _ := e.enter(r.SessionToken); resp.StatusCode != 200 {
		t.Fatalf("client after approval: %d", resp.StatusCode)
	}
	if r := e.call("isMeetingRunning", "meetingID=ask"); r.Running != "true" {
		t.Fatal("approved guest did not join")
	}
}

// TestMaxParticipants counts unique userIDs of users really in the meeting.
func TestMaxParticipants(t *testing.T) {
	e := newEnv(t, Config{})
	e.create("small", "maxParticipants=2")
	enter := func(userID string) apiResp {
		r := e.join("small", "User "+userID, "VIEWER", "userID="+userID)
		if r.ReturnCode == "SUCCESS" {
			if err := e.s.EnterClient(r.SessionToken); err != nil {
				t.Fatal(err)
			}
		}
		return r
	}
	enter("u1")
	enter("u2")
	wantKey(t, e.join("small", "Third", "VIEWER", "userID=u3"), "FAILED", keyMaxParticipants)
	// Rejoin (second tab) with a known userID is fine.
	wantKey(t, enter("u1"), "SUCCESS", keyJoined)
	// API joins that never entered do not take seats.
	e.create("small2", "maxParticipants=1")
	for i := 0; i < 3; i++ {
		wantKey(t, e.join("small2", "X", "VIEWER", "userID=x"+strconv.Itoa(i)), "SUCCESS", keyJoined)
	}
	// A leaver frees the seat.
	m, _ := e.s.Meeting("small")
	for _, u := range m.Users {
		if u.UserID == "u2" {
			_ = e.s.Leave(u.SessionToken)
		}
	}
	wantKey(t, enter("u3"), "SUCCESS", keyJoined)
}

// TestStuns: §14.8 – session token and matching JSESSIONID required.
func TestStuns(t *testing.T) {
	cfg := Config{
		TURN:                []TURNServer{{URL: "turns:turn.example.org:443?transport=tcp", Secret: "coturn-static-auth-secret", TTL: 86400e9}},
		STUN:                []string{"stun:stun.example.org"},
		RemoteICECandidates: []string{"203.0.113.10"},
	}
	e := newEnv(t, cfg)
	e.create("room-1")
	e.create("open", "allowRequestsWithoutSession=true")

	type stuns struct {
		ReturnCode  string `json:"returncode"`
		Message     string `json:"message"`
		LogoutURL   string `json:"logoutURL"`
		StunServers []struct {
			URL string `json:"url"`
		} `json:"stunServers"`
		TurnServers []struct {
			Username, Password, URL string
			TTL                     int
		} `json:"turnServers"`
		RemoteIceCandidates []struct {
			IP string `json:"ip"`
		} `json:"remoteIceCandidates"`
	}
	get := func(c *http.Client, token string) (stuns, string) {
		resp, err := c.Get(e.url("stuns", "sessionToken="+token))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var raw json.RawMessage
		if err := json.NewDecoder(resp.Body).Decode(&raw); err != nil {
			t.Fatal(err)
		}
		var s stuns
		_ = json.Unmarshal(raw, &s)
		return s, string(raw)
	}
	failed := func(s stuns, raw string) {
		t.Helper()
		if s.ReturnCode != "FAILED" || s.Message != msgStunsFailed || s.LogoutURL != e.ts.URL {
			t.Fatalf("want FAILED: %s", raw)
		}
	}

	// TURN vector (bbb-api.md §7.3): expiry 1735689600 with TTL 86400.
	e.clock.Set(timeUnix(1735689600 - 86400))
	e.s.SetNextInternalUserID("w_testuser01")
	r := e.join("room-1", "Probe", "VIEWER", "excludeFromDashboard=true")
	if r.UserID != "w_testuser01" {
		t.Fatalf("user_id %s", r.UserID)
	}
	s, raw := get(e.client, r.SessionToken)
	if len(s.TurnServers) != 1 || s.TurnServers[0].Username != "1735689600:w_testuser01" ||
		s.TurnServers[0].Password != "BTWmnSIkRUhg0SFTNkdqab8Sg3Q=" || s.TurnServers[0].TTL != 86400 ||
		s.TurnServers[0].URL != cfg.TURN[0].URL || s.ReturnCode != "" {
		t.Fatalf("stuns: %s", raw)
	}
	if len(s.StunServers) != 1 || s.StunServers[0].URL != "stun:stun.example.org" || len(s.RemoteIceCandidates) != 1 {
		t.Fatalf("stuns: %s", raw)
	}
	if !strings.HasPrefix(raw, `{"stunServers":`) {
		t.Fatalf("no response wrapper, stunServers first: %s", raw)
	}

	failed(get(&http.Client{}, r.SessionToken)) // no cookie
	failed(get(e.client, "doesnotexist000"))    // unknown token
	failed(get(e.client, ""))                   // missing token
	rOpen := e.join("open", "Probe", "VIEWER")  // meeting allows requests without session
	if s, raw := get(&http.Client{}, rOpen.SessionToken); s.ReturnCode != "" || len(s.TurnServers) != 1 {
		t.Fatalf("allowRequestsWithoutSession=true: %s", raw)
	}
	e.call("end", "meetingID=room-1")
	failed(get(e.client, r.SessionToken)) // ended

	t.Run("server-wide allowRequestsWithoutSession and empty lists", func(t *testing.T) {
		e := newEnv(t, Config{AllowRequestsWithoutSession: true})
		e.create("room-1")
		r := e.join("room-1", "Probe", "VIEWER")
		_, raw := get(&http.Client{}, r.SessionToken)
		_ = raw
		resp, err := http.Get(e.url("stuns", "sessionToken="+r.SessionToken))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var m map[string]json.RawMessage
		_ = json.NewDecoder(resp.Body).Decode(&m)
		for _, k := range []string{"stunServers", "turnServers", "remoteIceCandidates"} {
			if string(m[k]) != "[]" {
				t.Fatalf("%s = %s, want []", k, m[k])
			}
		}
	})
}

func TestConfiguredURLs(t *testing.T) {
	e := newEnv(t, Config{ClientURL: "https://client.example/html5client", LogoutURL: "https://school.example/bye", PublicURL: "https://bbb.example"})
	e.create("room-1")
	r := e.join("room-1", "A", "VIEWER")
	if r.URL != "https://client.example/html5client?sessionToken="+r.SessionToken {
		t.Fatalf("url %s", r.URL)
	}
	resp, _ := e.do("GET", e.url("join", "fullName=A&meetingID=room-1&role=VIEWER&checksum=bad"), "", nil)
	if !strings.HasPrefix(resp.Header.Get("Location"), "https://school.example/bye?errors=") {
		t.Fatalf("Location %s", resp.Header.Get("Location"))
	}
	_, root := e.do("GET", e.ts.URL+"/bigbluebutton/api", "", nil)
	mustContain(t, root, "<apiUrl>https://bbb.example/bigbluebutton/api</apiUrl>")
}

// TestGetJoinURL: 3.0's session-authenticated getJoinUrl signs with SHA-1.
func TestGetJoinURL(t *testing.T) {
	e := newEnv(t, Config{})
	e.create("room-1")
	r := e.join("room-1", "Anna Maria", "MODERATOR", "userID=t1")
	_, js := e.do("GET", e.url("getJoinUrl", "sessionToken="+r.SessionToken), "", nil)
	mustContain(t, js, `"message":"Meeting not found"`) // not running yet
	e.enter(r.SessionToken)
	_, js = e.do("GET", e.url("getJoinUrl", "sessionToken="+r.SessionToken), "", nil)
	var out struct {
		Response struct{ ReturnCode, URL string }
	}
	if err := json.Unmarshal([]byte(js), &out); err != nil || out.Response.ReturnCode != "SUCCESS" {
		t.Fatalf("%s", js)
	}
	q := "fullName=Anna+Maria&meetingID=room-1&role=MODERATOR&redirect=true&userID=t1"
	if out.Response.URL != e.ts.URL+"/bigbluebutton/api/join?"+q+"&checksum="+hexSum("sha1", "join"+q+e.secret) {
		t.Fatalf("url %s", out.Response.URL)
	}
	resp, _ := e.do("GET", out.Response.URL, "", nil)
	if resp.StatusCode != http.StatusFound || !strings.Contains(resp.Header.Get("Location"), "/html5client?sessionToken=") {
		t.Fatalf("join with getJoinUrl result: %d", resp.StatusCode)
	}
}
