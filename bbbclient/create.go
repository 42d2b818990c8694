package bbbclient

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"sort"
	"strings"
	"unicode/utf16"
)

// GuestPolicy decides how joins with guest=true are admitted.
type GuestPolicy string

// Guest policies. GuestAlwaysAcceptAuth exists in the server source but is
// undocumented.
const (
	GuestAlwaysAccept     GuestPolicy = "ALWAYS_ACCEPT"
	GuestAlwaysDeny       GuestPolicy = "ALWAYS_DENY"
	GuestAskModerator     GuestPolicy = "ASK_MODERATOR"
	GuestAlwaysAcceptAuth GuestPolicy = "ALWAYS_ACCEPT_AUTH"
)

// Layout is a meetingLayout value.
type Layout string

// Layouts; see doc.go for the versions accepting each.
const (
	LayoutCustom                  Layout = "CUSTOM_LAYOUT"
	LayoutSmart                   Layout = "SMART_LAYOUT"
	LayoutPresentationFocus       Layout = "PRESENTATION_FOCUS"
	LayoutVideoFocus              Layout = "VIDEO_FOCUS"
	LayoutCamerasOnly             Layout = "CAMERAS_ONLY"               // 3.0
	LayoutPresentationOnly        Layout = "PRESENTATION_ONLY"          // 3.0
	LayoutParticipantsAndChatOnly Layout = "PARTICIPANTS_AND_CHAT_ONLY" // 3.0
	LayoutMediaOnly               Layout = "MEDIA_ONLY"                 // 3.0
	LayoutUnified                 Layout = "UNIFIED_LAYOUT"             // 4.0 (develop)
)

// Feature is a disabledFeatures / disabledFeaturesExclude value.
type Feature string

// Features by the version that introduced them (bbb-api.md §3.4).
const (
	// 2.5
	FeatureBreakoutRooms                                  Feature = "breakoutRooms"
	FeatureCaptions                                       Feature = "captions"
	FeatureChat                                           Feature = "chat"
	FeatureDownloadPresentationWithAnnotations            Feature = "downloadPresentationWithAnnotations"
	FeatureExternalVideos                                 Feature = "externalVideos"
	FeatureImportPresentationWithAnnotationsFromBreakouts Feature = "importPresentationWithAnnotationsFromBreakoutRooms"
	FeatureImportSharedNotesFromBreakoutRooms             Feature = "importSharedNotesFromBreakoutRooms"
	FeatureLayouts                                        Feature = "layouts"
	FeatureLearningDashboard                              Feature = "learningDashboard"
	FeaturePolls                                          Feature = "polls"
	FeatureScreenshare                                    Feature = "screenshare"
	FeatureSharedNotes                                    Feature = "sharedNotes"
	FeatureVirtualBackgrounds                             Feature = "virtualBackgrounds"
	FeatureCustomVirtualBackgrounds                       Feature = "customVirtualBackgrounds"
	// 2.6
	FeatureLiveTranscription Feature = "liveTranscription"
	FeaturePresentation      Feature = "presentation"
	// 2.7
	FeatureCameraAsContent                      Feature = "cameraAsContent"
	FeatureSnapshotOfCurrentSlide               Feature = "snapshotOfCurrentSlide"
	FeatureDownloadPresentationOriginalFile     Feature = "downloadPresentationOriginalFile"
	FeatureDownloadPresentationConvertedToPdf   Feature = "downloadPresentationConvertedToPdf"
	FeatureTimer                                Feature = "timer"
	FeatureLearningDashboardDownloadSessionData Feature = "learningDashboardDownloadSessionData" // 2.7.5
	// 3.0
	FeaturePrivateChat          Feature = "privateChat"
	FeatureInfiniteWhiteboard   Feature = "infiniteWhiteboard"
	FeatureDeleteChatMessage    Feature = "deleteChatMessage"
	FeatureEditChatMessage      Feature = "editChatMessage"
	FeatureReplyChatMessage     Feature = "replyChatMessage"
	FeatureChatMessageReactions Feature = "chatMessageReactions"
	FeatureRaiseHand            Feature = "raiseHand"
	FeatureUserReactions        Feature = "userReactions"
	FeatureChatEmojiPicker      Feature = "chatEmojiPicker"
	FeatureQuizzes              Feature = "quizzes"
	// 4.0 (develop)
	FeatureMultiFunctionalMode Feature = "multiFunctionalMode"
	FeaturePinChatMessage      Feature = "pinChatMessage"
	FeatureLockSettings        Feature = "lockSettings"
)

// LockSettings are the lockSettings* create parameters; nil fields are not
// sent. Beware LockOnJoin: the server default is true, and an explicit
// false disables every lock.
type LockSettings struct {
	DisableCam             *bool
	DisableMic             *bool
	DisablePrivateChat     *bool
	DisablePublicChat      *bool
	DisableNotes           *bool
	HideUserList           *bool
	LockedLayout           *bool
	LockOnJoin             *bool
	LockOnJoinConfigurable *bool
	HideViewersCursor      *bool  // 2.5
	PresenterPolicy        string // 4.0 (develop): moderatorOnly, requireApproval, freeForAll
}

// CreateParams are the create parameters of bbb-api.md §3.2–3.5. Pointer
// and empty fields are not sent, so server and load-balancer defaults
// apply (use new(true), new(5) to set them). Record is always sent.
// attendeePW/moderatorPW do not exist here on purpose: join by role.
type CreateParams struct {
	Name      string // required, 2–64 characters
	MeetingID string // required, 2–256 characters, no comma
	Record    bool   // always sent

	AutoStartRecording      *bool
	AllowStartStopRecording *bool
	RecordFullDurationMedia *bool // 2.6.9
	NotifyRecordingIsOn     *bool // 2.6

	MuteOnStart             *bool
	AllowModsToUnmuteUsers  *bool
	AllowModsToEjectCameras *bool
	WebcamsOnlyForModerator *bool
	UserCameraCap           *int
	MeetingCameraCap        *int // 2.5
	MaxPinnedCameras        *int // 2.6

	GuestPolicy                  GuestPolicy
	AllowPromoteGuestToModerator *bool // 2.7.9

	MeetingExpireIfNoUserJoinedInMinutes   *int // 2.5
	MeetingExpireWhenLastUserLeftInMinutes *int // 2.5
	EndWhenNoModerator                     *bool
	EndWhenNoModeratorDelayInMinutes       *int
	Duration                               *int // minutes, 0 = unlimited
	MaxParticipants                        *int // 0 = unlimited

	Welcome              string // limited HTML; never pass untrusted HTML
	ModeratorOnlyMessage string
	LogoutURL            string
	LoginURL             string // 3.0
	MeetingEndedURL      string

	MeetingLayout           Layout
	DisabledFeatures        []Feature // 2.5
	DisabledFeaturesExclude []Feature // 2.6.9
	Lock                    LockSettings

	MaxNumPages                            *int   // 3.0
	BannerText                             string // 3.0
	BannerColor                            string // 3.0, #RRGGBB
	Logo                                   string // 3.0
	DarkLogo                               string // 3.0
	LearningDashboardCleanupDelayInMinutes *int
	AllowRequestsWithoutSession            *bool // 2.4.3
	MeetingKeepEvents                      *bool

	PreUploadedPresentation                string // 2.7.2, URL-only pre-upload
	PreUploadedPresentationName            string
	PreUploadedPresentationOverrideDefault *bool  // 2.5
	PresentationUploadExternalURL          string // 2.6, needs the description too
	PresentationUploadExternalDescription  string

	// Meta is sent as meta_<key>; BBB returns the keys lowercased.
	Meta map[string]string
	// Extra carries parameters without a typed field. It is applied last,
	// in sorted key order, and replaces a typed parameter of the same name.
	Extra map[string]string

	// Documents are pre-uploaded in the POST body (bbb-api.md §4.1). A
	// repeated create (CreateResult.Duplicate) ignores them; use
	// InsertDocument then.
	Documents []Document
	Upload    UploadOptions
}

// CreateResult is the create answer. With Duplicate set it describes the
// meeting that already existed (new parameters and documents were ignored).
type CreateResult struct {
	MeetingID            string
	InternalMeetingID    string
	ParentMeetingID      string
	CreateTime           int64 // ms since epoch; pass it to JoinParams.CreateTime
	CreateDate           string
	VoiceBridge          string
	DialNumber           string
	AttendeePW           string // deprecated credential; never shown by String
	ModeratorPW          string // deprecated credential; never shown by String
	HasUserJoined        bool
	Duration             int
	HasBeenForciblyEnded bool
	MessageKey           string
	Message              string
	Duplicate            bool // messageKey duplicateWarning
}

// String omits the passwords, which would let anyone join as moderator.
func (r CreateResult) String() string {
	return fmt.Sprintf("CreateResult{MeetingID:%q InternalMeetingID:%q CreateTime:%d Duplicate:%t MessageKey:%q}",
		r.MeetingID, r.InternalMeetingID, r.CreateTime, r.Duplicate, r.MessageKey)
}

// Format makes every fmt verb use String.
func (r CreateResult) Format(f fmt.State, verb rune) { fmt.Fprint(f, r.String()) }

// LogValue implements slog.LogValuer without the passwords.
func (r CreateResult) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("meeting_id", r.MeetingID),
		slog.String("internal_meeting_id", r.InternalMeetingID),
		slog.Int64("create_time", r.CreateTime),
		slog.Bool("duplicate", r.Duplicate),
	)
}

type xmlCreate struct {
	MeetingID            string `xml:"meetingID"`
	InternalMeetingID    string `xml:"internalMeetingID"`
	ParentMeetingID      string `xml:"parentMeetingID"`
	AttendeePW           string `xml:"attendeePW"`
	ModeratorPW          string `xml:"moderatorPW"`
	CreateTime           string `xml:"createTime"`
	VoiceBridge          string `xml:"voiceBridge"`
	DialNumber           string `xml:"dialNumber"`
	CreateDate           string `xml:"createDate"`
	HasUserJoined        string `xml:"hasUserJoined"`
	Duration             string `xml:"duration"`
	HasBeenForciblyEnded string `xml:"hasBeenForciblyEnded"`
	MessageKey           string `xml:"messageKey"`
	Message              string `xml:"message"`
}

func (x *xmlCreate) result() *CreateResult {
	r := &CreateResult{
		MeetingID:            xstr(x.MeetingID),
		InternalMeetingID:    xstr(x.InternalMeetingID),
		ParentMeetingID:      xstr(x.ParentMeetingID),
		CreateTime:           xint64(x.CreateTime),
		CreateDate:           xstr(x.CreateDate),
		VoiceBridge:          xstr(x.VoiceBridge),
		DialNumber:           xstr(x.DialNumber),
		AttendeePW:           xstr(x.AttendeePW),
		ModeratorPW:          xstr(x.ModeratorPW),
		HasUserJoined:        xbool(x.HasUserJoined),
		Duration:             xint(x.Duration),
		HasBeenForciblyEnded: xbool(x.HasBeenForciblyEnded),
		MessageKey:           xstr(x.MessageKey),
		Message:              xstr(x.Message),
	}
	r.Duplicate = r.MessageKey == "duplicateWarning"
	return r
}

// Create creates the meeting, or returns the running one (Duplicate): BBB's
// create is idempotent, so call it right before building join URLs. With
// Documents it POSTs the module XML, streaming inline files.
func (c *Client) Create(ctx context.Context, p CreateParams) (*CreateResult, error) {
	q, err := p.params()
	if err != nil {
		return nil, err
	}
	var body *xmlBody
	if len(p.Documents) > 0 {
		if body, err = newXMLBody(ctx, p.Documents, p.Upload); err != nil {
			return nil, err
		}
	}
	sq, err := c.signedQuery("create", q)
	if err != nil {
		return nil, err
	}
	r := request{call: "create", method: http.MethodGet, url: c.callURL("create", sq)}
	if body != nil {
		r.method, r.body = http.MethodPost, body
	}
	var x xmlCreate
	if err := c.roundTripXML(ctx, r, &x); err != nil {
		return nil, err
	}
	return x.result(), nil
}

// javaLen counts UTF-16 code units, as Java's String.length() in the
// server's validators does.
func javaLen(s string) int { return len(utf16.Encode([]rune(s))) }

func validateMeetingID(field, id string) error {
	id = stripControl(id)
	if n := javaLen(id); n < 2 || n > 256 {
		return invalid(field, "must be between 2 and 256 characters")
	}
	if strings.Contains(id, ",") {
		return invalid(field, "must not contain ','")
	}
	return nil
}

// enumOK keeps typed-but-open enums injection free while allowing values
// of newer servers.
func enumOK(s string, extra string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune(extra, r)) {
			return false
		}
	}
	return true
}

func featureCSV(field string, fs []Feature) (string, error) {
	parts := make([]string, 0, len(fs))
	for _, f := range fs {
		if !enumOK(string(f), "_") {
			return "", invalid(field, "invalid feature %q", string(f))
		}
		parts = append(parts, string(f))
	}
	return strings.Join(parts, ","), nil
}

func checkNonNegative(field string, v *int) error {
	if v != nil && *v < 0 {
		return invalid(field, "must not be negative")
	}
	return nil
}

func isHexColor(s string) bool {
	if len(s) != 7 || s[0] != '#' {
		return false
	}
	for _, c := range s[1:] {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

// params validates p and encodes it in a fixed order.
func (p *CreateParams) params() (*Params, error) {
	if n := javaLen(stripControl(p.Name)); n < 2 || n > 64 {
		return nil, invalid("name", "must be between 2 and 64 characters")
	}
	if err := validateMeetingID("meetingID", p.MeetingID); err != nil {
		return nil, err
	}
	for _, n := range []struct {
		field string
		v     *int
	}{
		{"userCameraCap", p.UserCameraCap},
		{"meetingCameraCap", p.MeetingCameraCap},
		{"maxPinnedCameras", p.MaxPinnedCameras},
		{"meetingExpireIfNoUserJoinedInMinutes", p.MeetingExpireIfNoUserJoinedInMinutes},
		{"meetingExpireWhenLastUserLeftInMinutes", p.MeetingExpireWhenLastUserLeftInMinutes},
		{"endWhenNoModeratorDelayInMinutes", p.EndWhenNoModeratorDelayInMinutes},
		{"duration", p.Duration},
		{"maxParticipants", p.MaxParticipants},
		{"maxNumPages", p.MaxNumPages},
		{"learningDashboardCleanupDelayInMinutes", p.LearningDashboardCleanupDelayInMinutes},
	} {
		if err := checkNonNegative(n.field, n.v); err != nil {
			return nil, err
		}
	}
	if p.GuestPolicy != "" && !enumOK(string(p.GuestPolicy), "_") {
		return nil, invalid("guestPolicy", "invalid value %q", string(p.GuestPolicy))
	}
	if p.MeetingLayout != "" && !enumOK(string(p.MeetingLayout), "_") {
		return nil, invalid("meetingLayout", "invalid value %q", string(p.MeetingLayout))
	}
	if p.Lock.PresenterPolicy != "" && !enumOK(p.Lock.PresenterPolicy, "_") {
		return nil, invalid("lockSettingsPresenterPolicy", "invalid value %q", p.Lock.PresenterPolicy)
	}
	if p.BannerColor != "" && !isHexColor(p.BannerColor) {
		return nil, invalid("bannerColor", "must be #RRGGBB")
	}
	if (p.PresentationUploadExternalURL == "") != (p.PresentationUploadExternalDescription == "") {
		return nil, invalid("presentationUploadExternalUrl", "needs presentationUploadExternalDescription and vice versa")
	}
	disabled, err := featureCSV("disabledFeatures", p.DisabledFeatures)
	if err != nil {
		return nil, err
	}
	excluded, err := featureCSV("disabledFeaturesExclude", p.DisabledFeaturesExclude)
	if err != nil {
		return nil, err
	}

	q := &Params{}
	q.Set("name", p.Name)
	q.Set("meetingID", p.MeetingID)
	q.SetBool("record", p.Record)
	q.setBoolPtr("autoStartRecording", p.AutoStartRecording)
	q.setBoolPtr("allowStartStopRecording", p.AllowStartStopRecording)
	q.setBoolPtr("recordFullDurationMedia", p.RecordFullDurationMedia)
	q.setBoolPtr("notifyRecordingIsOn", p.NotifyRecordingIsOn)
	q.setBoolPtr("muteOnStart", p.MuteOnStart)
	q.setBoolPtr("allowModsToUnmuteUsers", p.AllowModsToUnmuteUsers)
	q.setBoolPtr("allowModsToEjectCameras", p.AllowModsToEjectCameras)
	q.setBoolPtr("webcamsOnlyForModerator", p.WebcamsOnlyForModerator)
	q.setIntPtr("userCameraCap", p.UserCameraCap)
	q.setIntPtr("meetingCameraCap", p.MeetingCameraCap)
	q.setIntPtr("maxPinnedCameras", p.MaxPinnedCameras)
	q.setOpt("guestPolicy", string(p.GuestPolicy))
	q.setBoolPtr("allowPromoteGuestToModerator", p.AllowPromoteGuestToModerator)
	q.setIntPtr("meetingExpireIfNoUserJoinedInMinutes", p.MeetingExpireIfNoUserJoinedInMinutes)
	q.setIntPtr("meetingExpireWhenLastUserLeftInMinutes", p.MeetingExpireWhenLastUserLeftInMinutes)
	q.setBoolPtr("endWhenNoModerator", p.EndWhenNoModerator)
	q.setIntPtr("endWhenNoModeratorDelayInMinutes", p.EndWhenNoModeratorDelayInMinutes)
	q.setIntPtr("duration", p.Duration)
	q.setIntPtr("maxParticipants", p.MaxParticipants)
	q.setOpt("welcome", p.Welcome)
	q.setOpt("moderatorOnlyMessage", p.ModeratorOnlyMessage)
	q.setOpt("logoutURL", p.LogoutURL)
	q.setOpt("loginURL", p.LoginURL)
	q.setOpt("meetingEndedURL", p.MeetingEndedURL)
	q.setOpt("meetingLayout", string(p.MeetingLayout))
	q.setOpt("disabledFeatures", disabled)
	q.setOpt("disabledFeaturesExclude", excluded)
	l := p.Lock
	q.setBoolPtr("lockSettingsDisableCam", l.DisableCam)
	q.setBoolPtr("lockSettingsDisableMic", l.DisableMic)
	q.setBoolPtr("lockSettingsDisablePrivateChat", l.DisablePrivateChat)
	q.setBoolPtr("lockSettingsDisablePublicChat", l.DisablePublicChat)
	q.setBoolPtr("lockSettingsDisableNotes", l.DisableNotes)
	q.setBoolPtr("lockSettingsHideUserList", l.HideUserList)
	q.setBoolPtr("lockSettingsLockedLayout", l.LockedLayout)
	q.setBoolPtr("lockSettingsLockOnJoin", l.LockOnJoin)
	q.setBoolPtr("lockSettingsLockOnJoinConfigurable", l.LockOnJoinConfigurable)
	q.setBoolPtr("lockSettingsHideViewersCursor", l.HideViewersCursor)
	q.setOpt("lockSettingsPresenterPolicy", l.PresenterPolicy)
	q.setIntPtr("maxNumPages", p.MaxNumPages)
	q.setOpt("bannerText", p.BannerText)
	q.setOpt("bannerColor", p.BannerColor)
	q.setOpt("logo", p.Logo)
	q.setOpt("darklogo", p.DarkLogo)
	q.setIntPtr("learningDashboardCleanupDelayInMinutes", p.LearningDashboardCleanupDelayInMinutes)
	q.setBoolPtr("allowRequestsWithoutSession", p.AllowRequestsWithoutSession)
	q.setBoolPtr("meetingKeepEvents", p.MeetingKeepEvents)
	q.setOpt("preUploadedPresentation", p.PreUploadedPresentation)
	q.setOpt("preUploadedPresentationName", p.PreUploadedPresentationName)
	q.setBoolPtr("preUploadedPresentationOverrideDefault", p.PreUploadedPresentationOverrideDefault)
	q.setOpt("presentationUploadExternalUrl", p.PresentationUploadExternalURL)
	q.setOpt("presentationUploadExternalDescription", p.PresentationUploadExternalDescription)
	if err := setMeta(q, p.Meta); err != nil {
		return nil, err
	}
	if err := setExtra(q, p.Extra, true); err != nil {
		return nil, err
	}
	return q, nil
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// setMeta adds meta_<key> in sorted order (map order would change the
// query, and with it the checksum, from call to call).
func setMeta(q *Params, meta map[string]string) error {
	for _, k := range sortedKeys(meta) {
		if !enumOK(k, "-_.") {
			return invalid("meta_"+k, "meta keys may contain only letters, digits, '-', '_' and '.'")
		}
		q.Set("meta_"+k, meta[k])
	}
	return nil
}

// setExtra applies Extra. For create it may replace a typed parameter (an
// escape hatch for version differences); for join it only adds: a join's
// role, meetingID or createTime must never be replaced behind the typed API.
func setExtra(q *Params, extra map[string]string, mayReplace bool) error {
	for _, k := range sortedKeys(extra) {
		if k == "" || stripControl(k) != k {
			return invalid("Extra", "invalid parameter name")
		}
		if reservedKeys[k] || k == "redirect" {
			return invalid(k, "parameter is never sent by bbbclient")
		}
		if _, taken := q.Get(k); taken && !mayReplace {
			return invalid(k, "is set by a typed field; Extra cannot replace it")
		}
		q.Set(k, extra[k])
	}
	return nil
}
