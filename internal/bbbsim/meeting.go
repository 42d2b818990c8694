package bbbsim

import (
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Guest statuses (join's guestStatus).
const (
	GuestAllow = "ALLOW"
	GuestWait  = "WAIT"
	GuestDeny  = "DENY"
)

// Roles as bbb-web reports them.
const (
	RoleModerator = "MODERATOR"
	RoleViewer    = "VIEWER"
)

// End reasons reported by MeetingState.EndReason.
const (
	EndReasonEndCall      = "end API call"
	EndReasonHook         = "ended by test hook"
	EndReasonNeverJoined  = "nobody joined within meetingExpireIfNoUserJoinedInMinutes"
	EndReasonLastUserLeft = "last user left (meetingExpireWhenLastUserLeftInMinutes)"
	EndReasonDuration     = "duration elapsed"
	EndReasonNoModerator  = "no moderator (endWhenNoModerator)"
	EndReasonReplaced     = "replaced by a new create after it ended"
)

// LockSettings are the lockSettings* create parameters as the server
// applies them.
type LockSettings struct {
	DisableCam             bool
	DisableMic             bool
	DisablePrivateChat     bool
	DisablePublicChat      bool
	DisableNotes           bool // also set by the deprecated lockSettingsDisableNote
	HideUserList           bool
	LockedLayout           bool
	LockOnJoin             bool // default true
	LockOnJoinConfigurable bool
	HideViewersCursor      bool
}

// Settings are the create parameters as the server applies them, defaults
// included, so tests can assert what a real server would do with a request.
type Settings struct {
	Record                  bool
	AutoStartRecording      bool
	AllowStartStopRecording bool // default true
	RecordFullDurationMedia bool
	NotifyRecordingIsOn     bool
	MuteOnStart             bool
	AllowModsToUnmuteUsers  bool
	AllowModsToEjectCameras bool
	WebcamsOnlyForModerator bool
	UserCameraCap           int // default 3
	MeetingCameraCap        int
	MaxPinnedCameras        int // default 3
	// GuestPolicy is ALWAYS_ACCEPT (default), ALWAYS_DENY, ASK_MODERATOR
	// or ALWAYS_ACCEPT_AUTH.
	GuestPolicy                            string
	AllowPromoteGuestToModerator           bool
	MeetingExpireIfNoUserJoinedInMinutes   int // default 5
	MeetingExpireWhenLastUserLeftInMinutes int // default 1; 0 disables
	EndWhenNoModerator                     bool
	EndWhenNoModeratorDelayInMinutes       int // default 1
	Duration                               int // minutes, 0 = unlimited
	MaxParticipants                        int // 0 = unlimited
	Welcome                                string
	ModeratorOnlyMessage                   string
	LogoutURL                              string
	LoginURL                               string
	MeetingLayout                          string
	// DisabledFeatures combines the server's defaults, disabledFeatures and
	// disabledFeaturesExclude.
	DisabledFeatures                       []string
	MaxNumPages                            int // 0: the server's MaxPages
	AllowRequestsWithoutSession            bool
	PreUploadedPresentationOverrideDefault bool // default true
	MeetingEndedURL                        string
	BannerText                             string
	BannerColor                            string
	IsBreakout                             bool
	Lock                                   LockSettings
}

// FeatureDisabled reports whether the meeting has feature disabled.
func (st Settings) FeatureDisabled(feature string) bool {
	for _, f := range st.DisabledFeatures {
		if f == feature {
			return true
		}
	}
	return false
}

func boolParam(p params, key string, def bool) bool {
	v, ok := p.lookup(key)
	if !ok || v == "" {
		return def
	}
	return javaParseBoolean(v)
}

// intParam mirrors ParamsProcessorUtil: unparsable numbers fall back to
// the default instead of failing the request.
func intParam(p params, key string, def int) int {
	v, ok := p.lookup(key)
	if !ok || v == "" {
		return def
	}
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil {
		return def
	}
	return n
}

func csv(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

func parseSettings(p params, serverDisabled []string) Settings {
	st := Settings{
		Record:                                 boolParam(p, "record", false),
		AutoStartRecording:                     boolParam(p, "autoStartRecording", false),
		AllowStartStopRecording:                boolParam(p, "allowStartStopRecording", true),
		RecordFullDurationMedia:                boolParam(p, "recordFullDurationMedia", false),
		NotifyRecordingIsOn:                    boolParam(p, "notifyRecordingIsOn", false),
		MuteOnStart:                            boolParam(p, "muteOnStart", false),
		AllowModsToUnmuteUsers:                 boolParam(p, "allowModsToUnmuteUsers", false),
		AllowModsToEjectCameras:                boolParam(p, "allowModsToEjectCameras", false),
		WebcamsOnlyForModerator:                boolParam(p, "webcamsOnlyForModerator", false),
		UserCameraCap:                          intParam(p, "userCameraCap", 3),
		MeetingCameraCap:                       intParam(p, "meetingCameraCap", 0),
		MaxPinnedCameras:                       intParam(p, "maxPinnedCameras", 3),
		GuestPolicy:                            p.get("guestPolicy"),
		AllowPromoteGuestToModerator:           boolParam(p, "allowPromoteGuestToModerator", false),
		MeetingExpireIfNoUserJoinedInMinutes:   intParam(p, "meetingExpireIfNoUserJoinedInMinutes", 5),
		MeetingExpireWhenLastUserLeftInMinutes: intParam(p, "meetingExpireWhenLastUserLeftInMinutes", 1),
		EndWhenNoModerator:                     boolParam(p, "endWhenNoModerator", false),
		EndWhenNoModeratorDelayInMinutes:       intParam(p, "endWhenNoModeratorDelayInMinutes", 1),
		Duration:                               intParam(p, "duration", 0),
		MaxParticipants:                        intParam(p, "maxParticipants", 0),
		Welcome:                                p.get("welcome"),
		ModeratorOnlyMessage:                   p.get("moderatorOnlyMessage"),
		LogoutURL:                              p.get("logoutURL"),
		LoginURL:                               p.get("loginURL"),
		MeetingLayout:                          p.get("meetingLayout"),
		MaxNumPages:                            intParam(p, "maxNumPages", 0),
		AllowRequestsWithoutSession:            boolParam(p, "allowRequestsWithoutSession", false),
		PreUploadedPresentationOverrideDefault: boolParam(p, "preUploadedPresentationOverrideDefault", true),
		MeetingEndedURL:                        p.get("meetingEndedURL"),
		BannerText:                             p.get("bannerText"),
		BannerColor:                            p.get("bannerColor"),
		IsBreakout:                             boolParam(p, "isBreakout", false),
	}
	if st.GuestPolicy == "" {
		st.GuestPolicy = "ALWAYS_ACCEPT"
	}
	notes := "lockSettingsDisableNotes"
	if !p.has(notes) {
		notes = "lockSettingsDisableNote" // deprecated spelling bbb-web still reads
	}
	st.Lock = LockSettings{
		DisableCam:             boolParam(p, "lockSettingsDisableCam", false),
		DisableMic:             boolParam(p, "lockSettingsDisableMic", false),
		DisablePrivateChat:     boolParam(p, "lockSettingsDisablePrivateChat", false),
		DisablePublicChat:      boolParam(p, "lockSettingsDisablePublicChat", false),
		DisableNotes:           boolParam(p, notes, false),
		HideUserList:           boolParam(p, "lockSettingsHideUserList", false),
		LockedLayout:           boolParam(p, "lockSettingsLockedLayout", false),
		LockOnJoin:             boolParam(p, "lockSettingsLockOnJoin", true),
		LockOnJoinConfigurable: boolParam(p, "lockSettingsLockOnJoinConfigurable", false),
		HideViewersCursor:      boolParam(p, "lockSettingsHideViewersCursor", false),
	}
	exclude := map[string]bool{}
	for _, f := range csv(p.get("disabledFeaturesExclude")) {
		exclude[f] = true
	}
	seen := map[string]bool{}
	for _, f := range append(append([]string(nil), serverDisabled...), csv(p.get("disabledFeatures"))...) {
		if !exclude[f] && !seen[f] {
			seen[f] = true
			st.DisabledFeatures = append(st.DisabledFeatures, f)
		}
	}
	return st
}

// metadataOf collects meta_* parameters with the prefix removed and the
// name lowercased, as bbb-web stores and returns them.
func metadataOf(p params) []param {
	var out []param
	seen := map[string]bool{}
	for _, kv := range p {
		if len(kv.Key) > 5 && strings.EqualFold(kv.Key[:5], "meta_") {
			name := strings.ToLower(kv.Key[5:])
			if !seen[name] {
				seen[name] = true
				out = append(out, param{name, kv.Value})
			}
		}
	}
	return out
}

// meeting is one meeting instance. A re-create after the end makes a new
// instance with a new createTime; join URLs for the old one then fail.
type meeting struct {
	extID, intID, name      string
	createTime              int64 // ms since the epoch
	created                 time.Time
	attendeePW, moderatorPW string
	voiceBridge             string
	params                  params
	settings                Settings
	metadata                []param
	presentations           []*Presentation

	sessions   []*session // every join, in order
	everJoined bool       // hasUserJoined
	// lastLeft is when the last present user left (zero while someone is
	// present or before anyone joined).
	lastLeft time.Time
	// noModSince is when the last moderator left while users stayed.
	noModSince time.Time

	endRequested  time.Time // end call received, processed after EndDelay
	ended         bool
	forciblyEnded bool
	endTime       int64
	endedAt       time.Time
	endReason     string
}

// session is one join: bbb-web's UserSession.
type session struct {
	token, authToken             string
	internalUserID, externUserID string
	fullName, role               string
	guest, authed                bool
	guestStatus                  string
	customData                   []param
	logoutURL                    string
	m                            *meeting
	present                      bool // the client really joined and has not left
	everEntered, left, presenter bool
	enteredAt                    time.Time
}

// present returns the users currently in the meeting, in join order.
func (m *meeting) present() []*session {
	var out []*session
	for _, u := range m.sessions {
		if u.present {
			out = append(out, u)
		}
	}
	return out
}

func (m *meeting) running() bool { return !m.ended && len(m.present()) > 0 }

func (m *meeting) moderatorCount() int {
	n := 0
	for _, u := range m.present() {
		if u.role == RoleModerator {
			n++
		}
	}
	return n
}

// uniquePresentExtIDs is countUniqueExtIds in bbb-web's max-participants check.
func (m *meeting) uniquePresentExtIDs() map[string]bool {
	ids := map[string]bool{}
	for _, u := range m.present() {
		ids[u.externUserID] = true
	}
	return ids
}

// reachedMaxParticipants is bbb-web's hasReachedMaxParticipants: only users
// really in the meeting count, unique by external userID, and a user whose
// external ID is already inside may always (re)join.
func (m *meeting) reachedMaxParticipants(u *session) bool {
	maxP := m.settings.MaxParticipants
	if maxP <= 0 || u.present {
		return false
	}
	ids := m.uniquePresentExtIDs()
	if ids[u.externUserID] {
		return false
	}
	return len(ids) >= maxP
}

// guestStatusFor is Meeting.calcGuestStatus.
func (m *meeting) guestStatusFor(role string, guest, authed bool) string {
	if role == RoleModerator {
		return GuestAllow
	}
	needsApproval := guest || !authed
	switch m.settings.GuestPolicy {
	case "ALWAYS_DENY":
		if needsApproval {
			return GuestDeny
		}
	case "ASK_MODERATOR", "ALWAYS_ACCEPT_AUTH":
		if needsApproval {
			return GuestWait
		}
	}
	return GuestAllow
}

func (m *meeting) maxPages(serverMax int) int {
	if m.settings.MaxNumPages > 0 {
		return m.settings.MaxNumPages
	}
	return serverMax
}

// enter puts a session's user into the meeting (the HTML5 client
// connected).
func (m *meeting) enter(u *session, now time.Time) {
	if u.present {
		return
	}
	u.present, u.everEntered, u.left = true, true, false
	u.enteredAt = now
	m.everJoined = true
	m.lastLeft = time.Time{}
	if u.role == RoleModerator {
		m.noModSince = time.Time{}
		hasPresenter := false
		for _, o := range m.present() {
			hasPresenter = hasPresenter || o.presenter
		}
		u.presenter = !hasPresenter
	}
}

// leave removes a user; the expiry timers start when the last one leaves.
func (m *meeting) leave(u *session, now time.Time) {
	if !u.present {
		return
	}
	u.present, u.left, u.presenter = false, true, false
	if len(m.present()) == 0 {
		m.lastLeft = now
	}
	if u.role == RoleModerator && m.moderatorCount() == 0 && len(m.present()) > 0 {
		m.noModSince = now
	}
}

// expiry decides whether m has to end at now, why, and at which instant
// the deadline passed. bbb-web and akka-apps run these checks on timers; the
// simulator runs them lazily on every request and hook, which gives the same
// answers (and the same endTime) on a manual clock.
func (m *meeting) expiry(now time.Time, endDelay time.Duration) (reason string, forced bool, at time.Time) {
	if m.ended {
		return "", false, time.Time{}
	}
	due := func(t time.Time) bool { return !now.Before(t) }
	if !m.endRequested.IsZero() && due(m.endRequested.Add(endDelay)) {
		return EndReasonEndCall, true, m.endRequested.Add(endDelay)
	}
	st := m.settings
	if st.Duration > 0 {
		if t := m.created.Add(minutes(st.Duration)); due(t) {
			return EndReasonDuration, false, t
		}
	}
	if !m.everJoined {
		if d := st.MeetingExpireIfNoUserJoinedInMinutes; d > 0 {
			if t := m.created.Add(minutes(d)); due(t) {
				return EndReasonNeverJoined, false, t
			}
		}
		return "", false, time.Time{}
	}
	if !m.lastLeft.IsZero() {
		if d := st.MeetingExpireWhenLastUserLeftInMinutes; d > 0 {
			if t := m.lastLeft.Add(minutes(d)); due(t) {
				return EndReasonLastUserLeft, false, t
			}
		}
	}
	if st.EndWhenNoModerator && !m.noModSince.IsZero() {
		if t := m.noModSince.Add(minutes(st.EndWhenNoModeratorDelayInMinutes)); due(t) {
			return EndReasonNoModerator, false, t
		}
	}
	return "", false, time.Time{}
}

func minutes(n int) time.Duration { return time.Duration(n) * time.Minute }

// end marks m ended; every user is disconnected.
func (m *meeting) end(now time.Time, reason string, forced bool) {
	if m.ended {
		return
	}
	for _, u := range m.sessions {
		if u.present {
			u.present, u.left, u.presenter = false, true, false
		}
	}
	m.ended, m.forciblyEnded = true, forced
	m.endTime = now.UnixMilli()
	m.endedAt = now
	m.endReason = reason
}

// MeetingState is a snapshot of one meeting for tests.
type MeetingState struct {
	MeetingID         string
	InternalMeetingID string
	Name              string
	CreateTime        int64
	AttendeePW        string
	ModeratorPW       string
	VoiceBridge       string
	// Params are the create parameters as received (decoded, sanitized).
	Params   url.Values
	Settings Settings
	// Metadata has the meta_* parameters with lowercased names.
	Metadata      map[string]string
	Running       bool
	HasUserJoined bool
	Ended         bool
	ForciblyEnded bool
	EndReason     string
	// Users lists every join, whether or not the client connected.
	Users         []UserState
	Presentations []Presentation
}

// UserState is one join of a meeting.
type UserState struct {
	UserID         string // external userID (the internal ID if none was sent)
	InternalUserID string
	FullName       string
	Role           string
	Guest          bool
	GuestStatus    string
	SessionToken   string
	Joined         bool // the client is connected now
	EverJoined     bool
	Left           bool
	Presenter      bool
	CustomData     map[string]string
}

func (m *meeting) snapshot() MeetingState {
	ms := MeetingState{
		MeetingID:         m.extID,
		InternalMeetingID: m.intID,
		Name:              m.name,
		CreateTime:        m.createTime,
		AttendeePW:        m.attendeePW,
		ModeratorPW:       m.moderatorPW,
		VoiceBridge:       m.voiceBridge,
		Params:            m.params.values(),
		Settings:          m.settings,
		Metadata:          map[string]string{},
		Running:           m.running(),
		HasUserJoined:     m.everJoined,
		Ended:             m.ended,
		ForciblyEnded:     m.forciblyEnded,
		EndReason:         m.endReason,
	}
	ms.Settings.DisabledFeatures = append([]string(nil), m.settings.DisabledFeatures...)
	for _, kv := range m.metadata {
		ms.Metadata[kv.Key] = kv.Value
	}
	for _, u := range m.sessions {
		cd := map[string]string{}
		for _, kv := range u.customData {
			cd[kv.Key] = kv.Value
		}
		ms.Users = append(ms.Users, UserState{
			UserID: u.externUserID, InternalUserID: u.internalUserID,
			FullName: u.fullName, Role: u.role, Guest: u.guest, GuestStatus: u.guestStatus,
			SessionToken: u.token, Joined: u.present, EverJoined: u.everEntered, Left: u.left,
			Presenter: u.presenter, CustomData: cd,
		})
	}
	for _, p := range m.presentations {
		ms.Presentations = append(ms.Presentations, *p)
	}
	return ms
}
