package bbbsim

import (
	"crypto/sha1"
	"encoding/hex"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestContentType: §14.3 – POST bodies need exactly application/xml or
// application/x-www-form-urlencoded; join is GET only.
func TestContentType(t *testing.T) {
	e := newEnv(t, Config{})
	e.create("ct-room")
	xmlBody := `<modules><module name="presentation"><document url="https://example.org/a.pdf"/></module></modules>`
	cases := []struct {
		name, call, query, ct, body string
		wantKey                     string
	}{
		{"xml with charset", "create", "name=Room&meetingID=ct-1", "application/xml; charset=UTF-8", xmlBody, keyUnsupportedContentType},
		{"text/xml", "create", "name=Room&meetingID=ct-2", "text/xml", xmlBody, keyUnsupportedContentType},
		{"form with charset", "create", "name=Room&meetingID=ct-3", "application/x-www-form-urlencoded; charset=UTF-8", "record=true", keyUnsupportedContentType},
		{"missing content type", "create", "name=Room&meetingID=ct-4", "", xmlBody, keyUnsupportedContentType},
		{"uppercase type", "create", "name=Room&meetingID=ct-5", "Application/XML", xmlBody, keyUnsupportedContentType},
		{"exact xml", "create", "name=Room&meetingID=ct-6", "application/xml", xmlBody, ""},
		{"exact form", "create", "name=Room&meetingID=ct-7", "application/x-www-form-urlencoded", "record=true", ""},
		{"no body, no type", "create", "name=Room&meetingID=ct-8", "", "", ""},
		{"insertDocument with form", "insertDocument", "meetingID=ct-room", "application/x-www-form-urlencoded", "a=b", keyUnsupportedContentType},
		{"isMeetingRunning with xml", "isMeetingRunning", "meetingID=ct-room", "application/xml", "<x/>", keyUnsupportedContentType},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var body *strings.Reader
			if c.body != "" {
				body = strings.NewReader(c.body)
			}
			var resp *http.Response
			var out string
			if body == nil {
				resp, out = e.do("POST", e.url(c.call, signed("sha256", c.call, c.query, e.secret)), c.ct, nil)
			} else {
				resp, out = e.do("POST", e.url(c.call, signed("sha256", c.call, c.query, e.secret)), c.ct, body)
			}
			if resp.StatusCode != 200 {
				t.Fatalf("status %d", resp.StatusCode)
			}
			r := parseResp(t, out)
			if c.wantKey == "" {
				if r.ReturnCode != "SUCCESS" {
					t.Fatalf("want success: %s", out)
				}
				return
			}
			wantKey(t, r, "FAILED", c.wantKey)
			if r.Message != msgUnsupportedContentType {
				t.Fatalf("message %q", r.Message)
			}
		})
	}
	t.Run("checksum is checked before the content type", func(t *testing.T) {
		_, out := e.do("POST", e.url("create", "name=Room&meetingID=ct-9&checksum=00"), "text/plain", strings.NewReader("x"))
		wantKey(t, parseResp(t, out), "FAILED", keyChecksumError)
	})
	t.Run("join is GET only", func(t *testing.T) {
		q := signed("sha256", "join", "fullName=A&meetingID=ct-room&role=VIEWER", e.secret)
		resp, _ := e.do("POST", e.url("join", q), "", nil)
		if resp.StatusCode != http.StatusMethodNotAllowed {
			t.Fatalf("status %d", resp.StatusCode)
		}
	})
	t.Run("insertDocument is POST only", func(t *testing.T) {
		resp, _ := e.do("GET", e.url("insertDocument", signed("sha256", "insertDocument", "meetingID=ct-room", e.secret)), "", nil)
		if resp.StatusCode != http.StatusMethodNotAllowed {
			t.Fatalf("status %d", resp.StatusCode)
		}
	})
	t.Run("scalelite drops xml with charset silently", func(t *testing.T) {
		e := newEnv(t, Config{Flavor: FlavorScalelite})
		_, out := e.do("POST", e.url("create", signed("sha256", "create", "name=Room&meetingID=sl-1", e.secret)), "application/xml; charset=UTF-8", strings.NewReader(xmlBody))
		wantKey(t, parseResp(t, out), "SUCCESS", "")
		// The node saw a create without body and shows its default slides.
		if ps := e.s.Presentations("sl-1"); len(ps) != 1 || !ps[0].Default {
			t.Fatalf("scalelite forwarded the XML: %+v", ps)
		}
	})
}

// TestCreateValidation: §14.4 – name/meetingID rules with bbb-web's messages.
func TestCreateValidation(t *testing.T) {
	e := newEnv(t, Config{})
	long := func(n int) string { return strings.Repeat("x", n) }
	cases := []struct {
		name, query, key, msg string
	}{
		{"no meetingID", "name=Room", keyMissingMeetingID, msgMissingMeetingID},
		{"meetingID too short", "name=Room&meetingID=a", keyValidationError, "Meeting ID must be between 2 and 256 characters"},
		{"meetingID too long", "name=Room&meetingID=" + long(257), keyValidationError, "Meeting ID must be between 2 and 256 characters"},
		{"meetingID with comma", "name=Room&meetingID=a%2Cb", keyValidationError, "Meeting ID cannot contain ','"},
		{"meetingID with control char", "name=Room&meetingID=ab%07c", keyValidationError, "Invalid meeting ID"},
		{"no name", "meetingID=room-1", keyValidationError, "You must provide a meeting name"},
		{"empty name", "name=&meetingID=room-1", keyValidationError, "You must provide a meeting name"},
		{"name too short", "name=R&meetingID=room-1", keyValidationError, "Meeting name must be between 2 and 64 characters"},
		{"name too long", "name=" + long(65) + "&meetingID=room-1", keyValidationError, "Meeting name must be between 2 and 64 characters"},
		{"record not boolean", "name=Room&meetingID=room-1&record=yes", keyValidationError, "Record must be a boolean value (true or false)"},
		{"voiceBridge not integral", "name=Room&meetingID=room-1&voiceBridge=12a", keyValidationError, "Voice bridge must be an integral value"},
		{"empty password", "name=Room&meetingID=room-1&attendeePW=", keyValidationError, "You must provide your password"},
		{"unknown guest policy", "name=Room&meetingID=room-1&guestPolicy=SOMETIMES", keyValidationError, "Invalid guest policy"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := e.call("create", c.query)
			wantKey(t, r, "FAILED", c.key)
			if r.Message != c.msg {
				t.Fatalf("message %q, want %q", r.Message, c.msg)
			}
		})
	}
	for _, ok := range []string{"name=Ro&meetingID=ab", "name=" + long(64) + "&meetingID=" + long(256), "name=Room&meetingID=room-x&record=1"} {
		if r := e.call("create", ok); r.ReturnCode != "SUCCESS" {
			t.Errorf("%s: %s", ok, r.Raw)
		}
	}
	// "record=1" passes validation but Boolean.parseBoolean makes it false.
	if m, _ := e.s.Meeting("room-x"); m.Settings.Record {
		t.Error("record=1 must mean false")
	}
	if len(e.s.Meetings()) != 3 {
		t.Fatalf("failed creates must not create meetings: %d", len(e.s.Meetings()))
	}
}

// TestCreateIdempotent: §14.4 – repeats, idNotUnique, new instance after the end.
func TestCreateIdempotent(t *testing.T) {
	e := newEnv(t, Config{})
	first := e.create("room-1", "record=false", "meta_Origin=tafel")
	sum := sha1.Sum([]byte("room-1"))
	if want := hex.EncodeToString(sum[:]) + "-" + strconv.FormatInt(first.CreateTime, 10); first.InternalMeetingID != want {
		t.Fatalf("internalMeetingID %s, want %s", first.InternalMeetingID, want)
	}
	if first.CreateTime != t0.UnixMilli() {
		t.Fatalf("createTime %d", first.CreateTime)
	}
	if first.CreateDate != "Mon Mar 10 08:00:00 UTC 2025" {
		t.Fatalf("createDate %q", first.CreateDate)
	}
	for _, pw := range []string{first.AttendeePW, first.ModeratorPW} {
		if !regexp.MustCompile(`^[A-Za-z0-9]{8}$`).MatchString(pw) {
			t.Fatalf("generated password %q", pw)
		}
	}
	mustContain(t, first.Raw, "<parentMeetingID>bbb-none</parentMeetingID>")
	mustContain(t, first.Raw, "<messageKey></messageKey><message></message></response>")

	e.clock.Advance(time.Minute)
	xmlBody := `<modules><module name="presentation"><document name="a.txt">aGVsbG8=</document></module></modules>`
	q := signed("sha256", "create", "name=Other+Name&meetingID=room-1&record=true&meta_origin=changed", e.secret)
	_, out := e.do("POST", e.url("create", q), "application/xml", strings.NewReader(xmlBody))
	again := parseResp(t, out)
	wantKey(t, again, "SUCCESS", keyDuplicateWarning)
	if again.Message != msgDuplicateWarning {
		t.Fatalf("message %q", again.Message)
	}
	if again.InternalMeetingID != first.InternalMeetingID || again.CreateTime != first.CreateTime || again.AttendeePW != first.AttendeePW {
		t.Fatal("a repeat must return the existing meeting")
	}
	m, _ := e.s.Meeting("room-1")
	if m.Settings.Record || m.Name != "Room room-1" || m.Metadata["origin"] != "tafel" {
		t.Fatalf("repeat applied new parameters: %+v", m)
	}
	if n := len(e.s.Presentations("room-1")); n != 1 || !e.s.Presentations("room-1")[0].Default {
		t.Fatalf("repeat must ignore module XML, got %d presentations", n)
	}

	both := "attendeePW=" + first.AttendeePW + "&moderatorPW=" + first.ModeratorPW
	wantKey(t, e.call("create", "name=Room&meetingID=room-1&"+both), "SUCCESS", keyDuplicateWarning)
	r := e.call("create", "name=Room&meetingID=room-1&attendeePW=wrong1&moderatorPW=wrong2")
	wantKey(t, r, "FAILED", keyIDNotUnique)
	if r.Raw != "<response><returncode>FAILED</returncode><messageKey>idNotUnique</messageKey><message>A meeting already exists with that meeting ID.  Please use a different meeting ID.</message></response>" {
		t.Fatalf("F5 idNotUnique differs: %s", r.Raw)
	}
	// Only one of the two passwords, even the right one: idNotUnique.
	wantKey(t, e.call("create", "name=Room&meetingID=room-1&attendeePW="+first.AttendeePW), "FAILED", keyIDNotUnique)

	// After the end, the same ID is a new meeting with a new createTime.
	wantKey(t, e.call("end", "meetingID=room-1"), "SUCCESS", keySentEnd)
	e.clock.Advance(time.Second)
	second := e.create("room-1")
	if second.MessageKey != "" || second.CreateTime == first.CreateTime || second.InternalMeetingID == first.InternalMeetingID {
		t.Fatalf("expected a new instance: %+v", second)
	}
	// Old join links (createTime) no longer work.
	resp, _ := e.do("GET", e.url("join", signed("sha256", "join", "fullName=A&meetingID=room-1&role=VIEWER&createTime="+strconv.FormatInt(first.CreateTime, 10), e.secret)), "", nil)
	if k, _ := errorsParam(t, resp.Header.Get("Location")); k != keyMismatchCreateTime {
		t.Fatalf("old link: %s", k)
	}
}

func TestCreateStoresSettings(t *testing.T) {
	e := newEnv(t, Config{DefaultDisabledFeatures: []string{"learningDashboard", "polls"}})
	e.create("defaults")
	m, _ := e.s.Meeting("defaults")
	st := m.Settings
	if st.Record || !st.AllowStartStopRecording || !st.Lock.LockOnJoin || st.GuestPolicy != "ALWAYS_ACCEPT" ||
		st.MeetingExpireIfNoUserJoinedInMinutes != 5 || st.MeetingExpireWhenLastUserLeftInMinutes != 1 ||
		st.UserCameraCap != 3 || !st.PreUploadedPresentationOverrideDefault {
		t.Fatalf("defaults: %+v", st)
	}
	e.create("custom", "record=true", "lockSettingsDisableCam=true", "lockSettingsLockOnJoin=false",
		"lockSettingsDisableNote=true", "guestPolicy=ASK_MODERATOR", "maxParticipants=30", "maxNumPages=50",
		"disabledFeatures=chat,presentation", "disabledFeaturesExclude=polls", "meetingLayout=VIDEO_FOCUS",
		"meta_bbb-origin=Tafel", "meta_EndCallbackUrl=https%3A%2F%2Fschool.example%2Fend%3Fa%3D1",
		"welcome=Hallo+%3Cb%3EKlasse%3C%2Fb%3E", "duration=45", "meetingExpireIfNoUserJoinedInMinutes=10",
		"userCameraCap=oops")
	m, _ = e.s.Meeting("custom")
	st = m.Settings
	if !st.Record || !st.Lock.DisableCam || st.Lock.LockOnJoin || !st.Lock.DisableNotes || st.GuestPolicy != "ASK_MODERATOR" ||
		st.MaxParticipants != 30 || st.MaxNumPages != 50 || st.MeetingLayout != "VIDEO_FOCUS" || st.Duration != 45 ||
		st.MeetingExpireIfNoUserJoinedInMinutes != 10 || st.Welcome != "Hallo <b>Klasse</b>" || st.UserCameraCap != 3 {
		t.Fatalf("settings: %+v", st)
	}
	if strings.Join(st.DisabledFeatures, ",") != "learningDashboard,chat,presentation" || !st.FeatureDisabled("presentation") {
		t.Fatalf("disabled features %v", st.DisabledFeatures)
	}
	if m.Params.Get("meetingLayout") != "VIDEO_FOCUS" || m.Params.Has("checksum") {
		t.Fatal("params must be stored without the checksum")
	}
	info := e.call("getMeetingInfo", "meetingID=custom")
	meta := info.meta()
	if meta["bbb-origin"] != "Tafel" || meta["endcallbackurl"] != "https://school.example/end?a=1" || len(meta) != 2 {
		t.Fatalf("metadata %v\n%s", meta, info.Raw)
	}
	if info.Recording != "true" || info.MaxUsers != 30 {
		t.Fatalf("info %+v", info)
	}
}

func TestNonUniqueVoiceBridge(t *testing.T) {
	e := newEnv(t, Config{})
	e.create("vb-1", "voiceBridge=71234")
	r := e.call("create", "name=Room&meetingID=vb-2&voiceBridge=71234")
	if r.ReturnCode != "FAILED" || len(r.Errors) != 1 || r.Errors[0].Key != "nonUniqueVoiceBridge" {
		t.Fatalf("want the legacy multi-error form: %s", r.Raw)
	}
	a, b := e.create("vb-3"), e.create("vb-4")
	if a.VoiceBridge == b.VoiceBridge || len(a.VoiceBridge) != 5 {
		t.Fatalf("voice bridges %q %q", a.VoiceBridge, b.VoiceBridge)
	}
}
