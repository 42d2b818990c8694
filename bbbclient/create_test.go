package bbbclient

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestCreateMinimalQuery(t *testing.T) {
	srv, rec := xmlServer(t, 200, fixtureF1Create)
	c, _ := newTestClient(t, srv.URL)
	res, err := c.Create(t.Context(), CreateParams{Name: "Klasse 7b", MeetingID: "klasse-7b"})
	if err != nil {
		t.Fatal(err)
	}
	got := rec.last(t)
	if got.Method != "GET" || got.Path != "/bigbluebutton/api/create" {
		t.Errorf("%s %s", got.Method, got.Path)
	}
	// record is always sent; nothing else that was not set.
	if q := verifySigned(t, "create", got.RawQuery, docSecret); q != "name=Klasse+7b&meetingID=klasse-7b&record=false" {
		t.Errorf("query = %s", q)
	}
	want := CreateResult{
		MeetingID: "random-1665177", AttendeePW: "tK6J5cJv3hMLNx5IBePa", ModeratorPW: "34Heu0uiZYqCZXX9C4m2",
		CreateTime: 1453283819419, VoiceBridge: "76286", DialNumber: "613-555-1234",
		CreateDate: "Wed Jan 20 04:56:59 EST 2016", Duration: 20,
	}
	if *res != want {
		t.Errorf("result = %#v", res)
	}
}

// TestCreateFullQuery pins the order and spelling of every typed parameter.
func TestCreateFullQuery(t *testing.T) {
	srv, rec := xmlServer(t, 200, fixtureF1Create)
	c, _ := newTestClient(t, srv.URL, func(o *Options) { o.Algorithm = SHA512 })
	p := CreateParams{
		Name: "Mathe 7b", MeetingID: "abc-123", Record: true,
		AutoStartRecording: new(false), AllowStartStopRecording: new(true), RecordFullDurationMedia: new(false), NotifyRecordingIsOn: new(true),
		MuteOnStart: new(true), AllowModsToUnmuteUsers: new(false), AllowModsToEjectCameras: new(true), WebcamsOnlyForModerator: new(true),
		UserCameraCap: new(1), MeetingCameraCap: new(0), MaxPinnedCameras: new(2),
		GuestPolicy: GuestAskModerator, AllowPromoteGuestToModerator: new(false),
		MeetingExpireIfNoUserJoinedInMinutes: new(10), MeetingExpireWhenLastUserLeftInMinutes: new(0),
		EndWhenNoModerator: new(true), EndWhenNoModeratorDelayInMinutes: new(2), Duration: new(90), MaxParticipants: new(35),
		Welcome: "Willkommen in %%CONFNAME%%!", ModeratorOnlyMessage: "Link: https://x.org/a?b=c", LogoutURL: "https://schule.example.org/",
		LoginURL: "https://schule.example.org/login", MeetingEndedURL: "https://cb.example.org/end?x=1",
		MeetingLayout: LayoutSmart, DisabledFeatures: []Feature{FeatureChat, FeaturePolls}, DisabledFeaturesExclude: []Feature{FeatureLayouts},
		Lock: LockSettings{
			DisableCam: new(true), DisableMic: new(false), DisablePrivateChat: new(true), DisablePublicChat: new(false),
			DisableNotes: new(true), HideUserList: new(true), LockedLayout: new(false), LockOnJoin: new(true),
			LockOnJoinConfigurable: new(false), HideViewersCursor: new(true), PresenterPolicy: "requireApproval",
		},
		MaxNumPages: new(50), BannerText: "Prüfung", BannerColor: "#FF0000", Logo: "https://x.org/l.png", DarkLogo: "https://x.org/d.png",
		LearningDashboardCleanupDelayInMinutes: new(0), AllowRequestsWithoutSession: new(false), MeetingKeepEvents: new(false),
		PreUploadedPresentation: "https://x.org/s.pdf", PreUploadedPresentationName: "s.pdf", PreUploadedPresentationOverrideDefault: new(false),
		PresentationUploadExternalURL: "https://x.org/up", PresentationUploadExternalDescription: "Upload",
		Meta:  map[string]string{"endCallbackUrl": "https://cb.example.org/x?y=1", "bbb-origin": "tafel"},
		Extra: map[string]string{"voiceBridge": "71234", "muteOnStart": "false"},
	}
	if _, err := c.Create(t.Context(), p); err != nil {
		t.Fatal(err)
	}
	q := verifySigned(t, "create", rec.last(t).RawQuery, docSecret)
	want := strings.Join([]string{
		"name=Mathe+7b", "meetingID=abc-123", "record=true",
		"autoStartRecording=false", "allowStartStopRecording=true", "recordFullDurationMedia=false", "notifyRecordingIsOn=true",
		"muteOnStart=false", // replaced in place by Extra
		"allowModsToUnmuteUsers=false", "allowModsToEjectCameras=true", "webcamsOnlyForModerator=true",
		"userCameraCap=1", "meetingCameraCap=0", "maxPinnedCameras=2",
		"guestPolicy=ASK_MODERATOR", "allowPromoteGuestToModerator=false",
		"meetingExpireIfNoUserJoinedInMinutes=10", "meetingExpireWhenLastUserLeftInMinutes=0",
		"endWhenNoModerator=true", "endWhenNoModeratorDelayInMinutes=2", "duration=90", "maxParticipants=35",
		"welcome=Willkommen+in+%25%25CONFNAME%25%25%21", "moderatorOnlyMessage=Link%3A+https%3A%2F%2Fx.org%2Fa%3Fb%3Dc",
		"logoutURL=https%3A%2F%2Fschule.example.org%2F", "loginURL=https%3A%2F%2Fschule.example.org%2Flogin",
		"meetingEndedURL=https%3A%2F%2Fcb.example.org%2Fend%3Fx%3D1",
		"meetingLayout=SMART_LAYOUT", "disabledFeatures=chat%2Cpolls", "disabledFeaturesExclude=layouts",
		"lockSettingsDisableCam=true", "lockSettingsDisableMic=false", "lockSettingsDisablePrivateChat=true",
		"lockSettingsDisablePublicChat=false", "lockSettingsDisableNotes=true", "lockSettingsHideUserList=true",
		"lockSettingsLockedLayout=false", "lockSettingsLockOnJoin=true", "lockSettingsLockOnJoinConfigurable=false",
		"lockSettingsHideViewersCursor=true", "lockSettingsPresenterPolicy=requireApproval",
		"maxNumPages=50", "bannerText=Pr%C3%BCfung", "bannerColor=%23FF0000", "logo=https%3A%2F%2Fx.org%2Fl.png", "darklogo=https%3A%2F%2Fx.org%2Fd.png",
		"learningDashboardCleanupDelayInMinutes=0", "allowRequestsWithoutSession=false", "meetingKeepEvents=false",
		"preUploadedPresentation=https%3A%2F%2Fx.org%2Fs.pdf", "preUploadedPresentationName=s.pdf", "preUploadedPresentationOverrideDefault=false",
		"presentationUploadExternalUrl=https%3A%2F%2Fx.org%2Fup", "presentationUploadExternalDescription=Upload",
		"meta_bbb-origin=tafel", "meta_endCallbackUrl=https%3A%2F%2Fcb.example.org%2Fx%3Fy%3D1",
		"voiceBridge=71234",
	}, "&")
	if q != want {
		t.Errorf("query:\n got %s\nwant %s", q, want)
	}
	if _, sum := splitChecksum(t, rec.last(t).RawQuery); len(sum) != 128 {
		t.Errorf("sha512 checksum length %d", len(sum))
	}
	for _, banned := range []string{"attendeePW", "moderatorPW", "password"} {
		if strings.Contains(q, banned) {
			t.Errorf("query contains %s", banned)
		}
	}
}

func TestCreateDuplicate(t *testing.T) {
	srv, _ := xmlServer(t, 200, fixtureF2Duplicate)
	c, logs := newTestClient(t, srv.URL)
	res, err := c.Create(t.Context(), CreateParams{Name: "Test", MeetingID: "Test"})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Duplicate || res.CreateTime != 1531155809613 || res.InternalMeetingID != "640ab2bae07bedc4c163f679a746f7ab7fb5d1fa-1531155809613" ||
		res.ParentMeetingID != "bbb-none" || res.MessageKey != "duplicateWarning" || res.VoiceBridge != "70757" {
		t.Errorf("result = %#v", *res)
	}
	if !strings.Contains(logs.String(), "messageKey=duplicateWarning") {
		t.Errorf("log: %s", logs)
	}
	// Printing the result hides the deprecated passwords.
	for _, s := range []string{fmt.Sprint(res), fmt.Sprintf("%+v", *res), fmt.Sprintf("%#v", res), fmt.Sprintf("%d", *res), fmt.Sprintf("%s", res)} {
		if strings.Contains(s, `"ap"`) || strings.Contains(s, `"mp"`) || strings.Contains(s, "PW") {
			t.Errorf("printed passwords: %s", s)
		}
	}
}

func TestCreateIDNotUnique(t *testing.T) {
	srv, _ := xmlServer(t, 200, fixtureF5IDNotUnique)
	c, _ := newTestClient(t, srv.URL)
	_, err := c.Create(t.Context(), CreateParams{Name: "Test", MeetingID: "Test"})
	var ae *APIError
	if !errors.Is(err, ErrIDNotUnique) || !errors.As(err, &ae) {
		t.Fatalf("err = %v", err)
	}
	if ae.Call != "create" || ae.ReturnCode != "FAILED" || ae.Message != "A meeting already exists with that meeting ID.  Please use a different meeting ID." {
		t.Errorf("%#v", ae)
	}
}

func TestCreateValidation(t *testing.T) {
	srv, rec := xmlServer(t, 200, fixtureF1Create)
	c, _ := newTestClient(t, srv.URL)
	ok := CreateParams{Name: "Klasse 7b", MeetingID: "klasse-7b"}
	tests := []struct {
		name  string
		mod   func(*CreateParams)
		field string
	}{
		{"name too short", func(p *CreateParams) { p.Name = "x" }, "name"},
		{"name control only", func(p *CreateParams) { p.Name = "x\n" }, "name"},
		{"name too long", func(p *CreateParams) { p.Name = strings.Repeat("ä", 65) }, "name"},
		{"id too short", func(p *CreateParams) { p.MeetingID = "a" }, "meetingID"},
		{"id too long", func(p *CreateParams) { p.MeetingID = strings.Repeat("a", 257) }, "meetingID"},
		{"id comma", func(p *CreateParams) { p.MeetingID = "a,b" }, "meetingID"},
		{"negative cap", func(p *CreateParams) { p.UserCameraCap = new(-1) }, "userCameraCap"},
		{"bad guest policy", func(p *CreateParams) { p.GuestPolicy = "ALWAYS ACCEPT" }, "guestPolicy"},
		{"bad layout", func(p *CreateParams) { p.MeetingLayout = "A,B" }, "meetingLayout"},
		{"feature injection", func(p *CreateParams) { p.DisabledFeatures = []Feature{"chat,polls"} }, "disabledFeatures"},
		{"bad banner color", func(p *CreateParams) { p.BannerColor = "red" }, "bannerColor"},
		{"external url alone", func(p *CreateParams) { p.PresentationUploadExternalURL = "https://x" }, "presentationUploadExternalUrl"},
		{"bad meta key", func(p *CreateParams) { p.Meta = map[string]string{"a&b": "x"} }, "meta_a&b"},
		{"attendeePW via Extra", func(p *CreateParams) { p.Extra = map[string]string{"attendeePW": "ap"} }, "attendeePW"},
		{"moderatorPW via Extra", func(p *CreateParams) { p.Extra = map[string]string{"moderatorPW": "mp"} }, "moderatorPW"},
		{"checksum via Extra", func(p *CreateParams) { p.Extra = map[string]string{"checksum": "x"} }, "checksum"},
		{"doc without extension", func(p *CreateParams) { p.Documents = []Document{{Name: "slides", Open: openString("x")}} }, "document name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := ok
			tt.mod(&p)
			_, err := c.Create(t.Context(), p)
			var ve *ValidationError
			if !errors.As(err, &ve) || ve.Field != tt.field {
				t.Fatalf("err = %v, want ValidationError on %s", err, tt.field)
			}
		})
	}
	if n := len(rec.all()); n != 0 {
		t.Errorf("%d requests sent for invalid params", n)
	}
	// Boundaries are valid; UTF-16 length as in Java.
	p := ok
	p.Name, p.MeetingID = strings.Repeat("ä", 64), strings.Repeat("a", 256)
	if _, err := c.Create(t.Context(), p); err != nil {
		t.Errorf("boundary: %v", err)
	}
	if got := javaLen("😀"); got != 2 {
		t.Errorf("javaLen(emoji) = %d", got)
	}
}
