package bbbsim

import (
	"bytes"
	"encoding/json"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/tafel-schule/tafel/turnrest"
)

// redirectWanted is join's redirect parameter (default true).
func redirectWanted(p params) bool {
	v := p.get("redirect")
	return v == "" || javaParseBoolean(v)
}

// joinError answers a failed join: with redirect (the default) it is not
// XML but a 302 to errorRedirectUrl (2.7+), the logoutURL parameter or the
// server's logout URL, with ?errors=[{"key":..,"message":..}] appended.
func (rc *reqCtx) joinError(p params, key, msg string) {
	if !redirectWanted(p) {
		writeXML(rc.w, errorXML(key, msg))
		return
	}
	target := rc.logoutURL()
	if v := p.get("errorRedirectUrl"); v != "" && rc.f.flavor != FlavorBBB24 {
		target = v
	} else if v := p.get("logoutURL"); v != "" {
		target = v
	}
	u, err := url.Parse(target)
	if err != nil {
		u, _ = url.Parse(rc.logoutURL())
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode([]struct {
		Key     string `json:"key"`
		Message string `json:"message"`
	}{{key, msg}})
	errs := uriQuote(strings.TrimSpace(buf.String()))
	q := "errors=" + errs
	if u.RawQuery != "" {
		q = u.RawQuery + "&" + q
	}
	loc := ""
	if u.Scheme != "" {
		loc = u.Scheme + ":"
	}
	if u.Host != "" {
		loc += "//" + u.Host
	}
	loc += u.EscapedPath() + "?" + q
	if u.Fragment != "" {
		loc += "#" + u.EscapedFragment()
	}
	rc.w.Header().Set("Location", loc)
	rc.w.Header().Set("Cache-Control", "no-cache")
	rc.w.WriteHeader(http.StatusFound)
}

// httpSessionLocked returns the caller's servlet session (JSESSIONID),
// creating one and setting the cookie when create is set.
func (rc *reqCtx) httpSessionLocked(create bool) string {
	for _, c := range rc.r.Cookies() {
		if c.Name == "JSESSIONID" && rc.s.httpSessions[c.Value] != nil {
			return c.Value
		}
	}
	if !create {
		return ""
	}
	id := randString(32, upperHexCh)
	rc.s.httpSessions[id] = map[string]bool{}
	http.SetCookie(rc.w, &http.Cookie{Name: "JSESSIONID", Value: id, Path: "/", HttpOnly: true, Secure: rc.r.TLS != nil})
	return id
}

// validSessionLocked is hasValidSession: the token must belong to the
// caller's JSESSIONID, unless requests without session are allowed by the
// server or by the meeting's create parameter.
func (rc *reqCtx) validSessionLocked(u *session) bool {
	for _, c := range rc.r.Cookies() {
		if c.Name == "JSESSIONID" && rc.s.httpSessions[c.Value][u.token] {
			return true
		}
	}
	return rc.s.cfg.AllowRequestsWithoutSession || u.m.settings.AllowRequestsWithoutSession
}

func handleJoin(rc *reqCtx, p params, _ *input) {
	s := rc.s
	id := p.get("meetingID")
	if key, msg, ok := validateMeetingID(id); !ok {
		rc.joinError(p, key, msg)
		return
	}
	s.lock()
	m := s.meetings[id]
	fail := func(key, msg string) {
		s.mu.Unlock()
		rc.joinError(p, key, msg)
	}
	// "Params required" errors are rendered as XML even when redirecting.
	failXML := func(msg string) {
		s.mu.Unlock()
		writeXML(rc.w, errorXML(keyParamsRequired, msg))
	}
	switch {
	case m == nil:
		fail(keyInvalidMeetingID, msgInvalidMeetingID)
		return
	case m.forciblyEnded:
		fail(keyForciblyEnded, msgForciblyEnded)
		return
	case p.get("fullName") == "":
		fail(keyMissingFullName, msgMissingFullName)
		return
	case !isJavaBoolean(p.get("guest")):
		fail(keyValidationError, "Guest must be a boolean value (true or false)")
		return
	case !isJavaBoolean(p.get("auth")):
		fail(keyValidationError, "Auth must be a boolean value (true or false)")
		return
	case !isIntegral(p.get("createTime")):
		fail(keyValidationError, "An unknown validation error occurred")
		return
	}
	if ct, present := p.lookup("createTime"); present {
		n, err := strconv.ParseInt(ct, 10, 64)
		if err != nil {
			n = -1
		}
		if n != m.createTime {
			fail(keyMismatchCreateTime, msgMismatchCreateTime)
			return
		}
	}
	role := map[string]string{"moderator": RoleModerator, "viewer": RoleViewer}[strings.ToLower(p.get("role"))]
	if role == "" {
		pw := p.get("password")
		switch {
		case pw == "":
			failXML(msgNoRoleNoPassword)
			return
		case m.moderatorPW == "" || m.attendeePW == "":
			failXML(msgNoPasswords)
			return
		case pw == m.moderatorPW:
			role = RoleModerator
		case pw == m.attendeePW:
			role = RoleViewer
		default:
			failXML(msgWrongPassword)
			return
		}
	}
	guestParam := p.get("guest")
	guest := javaParseBoolean(guestParam)
	authed := guestParam == "" // no guest parameter: authenticated
	if a := p.get("auth"); a != "" {
		authed = javaParseBoolean(a)
	}
	u := &session{
		token:          randString(16, lowerAlnum),
		authToken:      randString(12, lowerAlnum),
		internalUserID: s.newInternalUserIDLocked(),
		fullName:       sanitize(p.get("fullName")),
		role:           role,
		guest:          guest,
		authed:         authed,
		m:              m,
		logoutURL:      m.settings.LogoutURL,
	}
	if v := p.get("logoutURL"); v != "" && rc.f.flavor != FlavorBBB24 {
		u.logoutURL = v
	}
	u.externUserID = p.get("userID")
	if u.externUserID == "" {
		u.externUserID = u.internalUserID
	}
	for _, kv := range p {
		if name, ok := strings.CutPrefix(kv.Key, "userdata-"); ok && name != "" {
			u.customData = append(u.customData, param{name, kv.Value})
		}
	}
	u.guestStatus = m.guestStatusFor(role, guest, authed)
	if m.reachedMaxParticipants(u) {
		fail(keyMaxParticipants, msgMaxParticipants)
		return
	}
	m.sessions = append(m.sessions, u)
	s.sessions[u.token] = u
	hs := rc.httpSessionLocked(true)
	s.httpSessions[hs][u.token] = true

	dest := rc.clientURL() + "?sessionToken=" + u.token
	key, msg := keyJoined, msgJoined
	switch u.guestStatus {
	case GuestWait:
		dest = rc.guestWaitURL() + "?sessionToken=" + u.token
		for _, kv := range u.customData {
			if kv.Key == "bbb_override_default_locale" {
				dest += "&locale=" + kv.Value
			}
		}
		key, msg = keyGuestWait, msgGuestWait
	case GuestDeny:
		// Registered (and with a session cookie) but refused, as in bbb-web.
		fail(keyGuestDenied, msgGuestDenied)
		return
	}
	status := u.guestStatus // ApproveGuest may change it once unlocked
	s.mu.Unlock()

	if redirectWanted(p) {
		rc.w.Header().Set("Location", dest)
		rc.w.WriteHeader(http.StatusFound)
		return
	}
	var x xmlBuilder
	x.open("response")
	x.elem("returncode", "SUCCESS")
	x.elem("messageKey", key)
	x.elem("message", msg)
	x.elem("meeting_id", m.intID)
	x.elem("user_id", u.internalUserID)
	x.elem("auth_token", u.authToken)
	x.elem("session_token", u.token)
	x.elem("guestStatus", status)
	x.elem("url", dest)
	x.close("response")
	writeXML(rc.w, x.String())
}

type iceServer struct {
	URL string `json:"url"`
}

type turnEntry struct {
	Username string `json:"username"`
	Password string `json:"password"`
	URL      string `json:"url"`
	TTL      int64  `json:"ttl"`
}

type remoteCandidate struct {
	IP string `json:"ip"`
}

// stunsResponse is ApiController.stuns' JSON: no "response" wrapper.
type stunsResponse struct {
	StunServers         []iceServer       `json:"stunServers"`
	TurnServers         []turnEntry       `json:"turnServers"`
	RemoteIceCandidates []remoteCandidate `json:"remoteIceCandidates"`
}

func handleStuns(rc *reqCtx, p params, _ *input) {
	s := rc.s
	now := s.lock()
	u := s.sessions[strings.TrimSpace(p.get("sessionToken"))]
	ok := u != nil && !u.m.ended && s.meetings[u.m.extID] == u.m && rc.validSessionLocked(u)
	if !ok {
		s.mu.Unlock()
		writeJSON(rc.w, struct {
			ReturnCode string `json:"returncode"`
			Message    string `json:"message"`
			LogoutURL  string `json:"logoutURL"`
		}{"FAILED", msgStunsFailed, rc.logoutURL()})
		return
	}
	resp := stunsResponse{StunServers: []iceServer{}, TurnServers: []turnEntry{}, RemoteIceCandidates: []remoteCandidate{}}
	for _, st := range s.cfg.STUN {
		resp.StunServers = append(resp.StunServers, iceServer{st})
	}
	for _, t := range s.cfg.TURN {
		c := turnrest.Mint(t.Secret, u.internalUserID, now, t.TTL)
		resp.TurnServers = append(resp.TurnServers, turnEntry{c.Username, c.Password, t.URL, int64(t.TTL.Seconds())})
	}
	for _, ip := range s.cfg.RemoteICECandidates {
		resp.RemoteIceCandidates = append(resp.RemoteIceCandidates, remoteCandidate{ip})
	}
	s.mu.Unlock()
	writeJSON(rc.w, resp)
}

// handleGuestWaitAPI is the lobby's polling call (JSON, no checksum).
func handleGuestWaitAPI(rc *reqCtx, p params, _ *input) {
	s := rc.s
	s.lock()
	u := s.sessions[strings.TrimSpace(p.get("sessionToken"))]
	if u == nil || u.m.ended {
		s.mu.Unlock()
		writeJSON(rc.w, map[string]any{"response": map[string]string{
			"returncode": "FAILED", "messageKey": "sessionMissing", "message": "Invalid session token", "url": rc.logoutURL(),
		}})
		return
	}
	status, key, msg := u.guestStatus, "", ""
	dest := rc.clientURL() + "?sessionToken=" + u.token
	redirect := redirectWanted(p)
	switch status {
	case GuestWait:
		dest, key, msg, redirect = rc.guestWaitURL()+"?sessionToken="+u.token, keyGuestWait,
			"Please wait for a moderator to approve you joining the meeting.", false
	case GuestDeny:
		dest, key, msg, redirect = rc.userLogoutURL(u), "guestDeny", "Guest denied of joining the meeting.", false
	}
	resp := map[string]string{
		"returncode": "SUCCESS", "messageKey": key, "message": msg, "meeting_id": u.m.intID,
		"user_id": u.internalUserID, "auth_token": u.authToken, "session_token": u.token,
		"guestStatus": status, "url": dest,
	}
	s.mu.Unlock()
	if redirect {
		http.Redirect(rc.w, rc.r, dest, http.StatusFound)
		return
	}
	writeJSON(rc.w, map[string]any{"response": resp})
}

func (rc *reqCtx) userLogoutURL(u *session) string {
	if u.logoutURL != "" {
		return u.logoutURL
	}
	return rc.logoutURL()
}

// handleGetJoinURL is 3.0's getJoinUrl: a SHA-1 signed join URL for the
// session's user, authenticated by the session, not by a checksum.
func handleGetJoinURL(rc *reqCtx, p params, _ *input) {
	s := rc.s
	s.lock()
	u := s.sessions[strings.TrimSpace(p.get("sessionToken"))]
	msg := ""
	switch {
	case u == nil || !rc.validSessionLocked(u):
		msg = "Invalid Session"
	case !u.m.running():
		msg = "Meeting not found"
	}
	if msg != "" {
		s.mu.Unlock()
		writeJSON(rc.w, map[string]any{"response": map[string]string{"returncode": "FAILED", "message": msg}})
		return
	}
	role := RoleViewer
	if u.role == RoleModerator {
		role = RoleModerator
	}
	q := "fullName=" + wwwFormEncode(u.fullName) + "&meetingID=" + wwwFormEncode(u.m.extID) +
		"&role=" + role + "&redirect=true&userID=" + u.externUserID
	s.mu.Unlock()
	sum := sign("sha1", "join", q, rc.f.cs.secret)
	writeJSON(rc.w, map[string]any{"response": map[string]string{
		"returncode": "SUCCESS", "message": "Join URL provided successfully.",
		"url": rc.base + apiPrefix + "/join?" + q + "&checksum=" + sum,
	}})
}

var pageTmpl = template.Must(template.New("page").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">{{if .Refresh}}<meta http-equiv="refresh" content="2">{{end}}
<title>{{.Title}} – BigBlueButton simulator</title></head>
<body>
<h1 id="title">{{.Title}}</h1>
{{if .Message}}<p id="message">{{.Message}}</p>{{end}}
{{if .FullName}}<p>Joined as <b id="fullName">{{.FullName}}</b> (<span id="role">{{.Role}}</span>)</p>
<h2>Slides</h2>
<ul id="slides">{{range .Slides}}<li data-status="{{.Status}}">{{.Name}} – {{.Status}}{{if .Pages}}, {{.Pages}} pages{{end}}{{if .Reason}} ({{.Reason}}){{end}}</li>{{else}}<li>none</li>{{end}}</ul>
<form method="post" action="{{.LeaveURL}}"><button>Leave meeting</button></form>{{end}}
{{range .Errors}}<p class="error"><code>{{.Key}}</code>: {{.Message}}</p>{{end}}
</body></html>
`))

type pageData struct {
	Title, Message, FullName, Role, LeaveURL string
	Refresh                                  bool
	Slides                                   []Presentation
	Errors                                   []struct{ Key, Message string }
}

func renderPage(w http.ResponseWriter, status int, d pageData) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(status)
	_ = pageTmpl.Execute(w, d)
}

// serveClient is the simulated HTML5 client: loading it with a valid
// session token and the matching JSESSIONID is what really joins the user
// (only then is the meeting running).
func (f *frontend) serveClient(rc *reqCtx) {
	s := rc.s
	token := rc.r.URL.Query().Get("sessionToken")
	now := s.lock()
	u := s.sessions[token]
	switch {
	case u == nil || !rc.validSessionLocked(u):
		s.mu.Unlock()
		renderPage(rc.w, http.StatusUnauthorized, pageData{Title: "Session not found", Message: "You have been removed, or the session token is invalid (missing JSESSIONID cookie?)."})
		return
	case u.m.ended || s.meetings[u.m.extID] != u.m:
		s.mu.Unlock()
		renderPage(rc.w, http.StatusGone, pageData{Title: "Meeting ended", Message: "This meeting has ended."})
		return
	case u.guestStatus == GuestWait:
		s.mu.Unlock()
		http.Redirect(rc.w, rc.r, rc.guestWaitURL()+"?sessionToken="+url.QueryEscape(token), http.StatusFound)
		return
	case u.guestStatus == GuestDeny:
		s.mu.Unlock()
		renderPage(rc.w, http.StatusForbidden, pageData{Title: "Access denied", Message: msgGuestDenied})
		return
	case u.m.reachedMaxParticipants(u):
		s.mu.Unlock()
		renderPage(rc.w, http.StatusForbidden, pageData{Title: "Meeting full", Message: "The maximum number of participants allowed for this meeting has been reached."})
		return
	}
	u.m.enter(u, now)
	d := pageData{
		Title: u.m.name, FullName: u.fullName, Role: u.role,
		LeaveURL: "/html5client/leave?sessionToken=" + url.QueryEscape(token),
	}
	for _, p := range u.m.presentations {
		d.Slides = append(d.Slides, *p)
	}
	s.mu.Unlock()
	renderPage(rc.w, http.StatusOK, d)
}

// serveGuestWait is the guest lobby page; it forwards to the client once a
// moderator (ApproveGuest) let the guest in.
func (f *frontend) serveGuestWait(rc *reqCtx) {
	s := rc.s
	token := rc.r.URL.Query().Get("sessionToken")
	s.lock()
	u := s.sessions[token]
	if u == nil || u.m.ended {
		s.mu.Unlock()
		renderPage(rc.w, http.StatusUnauthorized, pageData{Title: "Session not found"})
		return
	}
	status, name, logout := u.guestStatus, u.m.name, rc.userLogoutURL(u)
	s.mu.Unlock()
	switch status {
	case GuestAllow:
		http.Redirect(rc.w, rc.r, rc.clientURL()+"?sessionToken="+url.QueryEscape(token), http.StatusFound)
	case GuestDeny:
		renderPage(rc.w, http.StatusForbidden, pageData{Title: name, Message: "Guest denied of joining the meeting. " + logout})
	default:
		renderPage(rc.w, http.StatusOK, pageData{Title: name, Message: "Please wait for a moderator to approve you joining the meeting.", Refresh: true})
	}
}

// serveLeave is the client's leave button.
func (f *frontend) serveLeave(rc *reqCtx) {
	if rc.r.Method != http.MethodPost {
		rc.w.Header().Set("Allow", "POST")
		http.Error(rc.w, "405 Method Not Allowed", http.StatusMethodNotAllowed)
		return
	}
	s := rc.s
	now := s.lock()
	u := s.sessions[rc.r.URL.Query().Get("sessionToken")]
	if u == nil || !rc.validSessionLocked(u) {
		s.mu.Unlock()
		renderPage(rc.w, http.StatusUnauthorized, pageData{Title: "Session not found"})
		return
	}
	u.m.leave(u, now)
	dest := rc.userLogoutURL(u)
	s.mu.Unlock()
	http.Redirect(rc.w, rc.r, dest, http.StatusFound)
}

// serveIndex is the default logout URL; it shows join errors passed in
// ?errors=.
func (f *frontend) serveIndex(rc *reqCtx) {
	d := pageData{Title: "BigBlueButton simulator"}
	if e := rc.r.URL.Query().Get("errors"); e != "" {
		_ = json.Unmarshal([]byte(e), &d.Errors)
	}
	renderPage(rc.w, http.StatusOK, d)
}
