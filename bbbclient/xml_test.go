package bbbclient

import (
	"errors"
	"testing"
)

// TestDecodeFixtures decodes every XML fixture of bbb-api.md (F1–F6, the
// §5.4 join forms and the §8.1 API root forms) with the decoder the call
// uses, and checks how it is classified.
func TestDecodeFixtures(t *testing.T) {
	type result struct {
		key string
		err error
	}
	create := func(body string) (any, result) {
		var x xmlCreate
		k, err := decodeXML("create", 200, "", []byte(body), &x)
		return x.result(), result{k, err}
	}
	join := func(body string) (any, result) {
		x, k, err := decodeJoin(200, "", []byte(body))
		return x, result{k, err}
	}
	info := func(body string) (any, result) {
		var x xmlMeeting
		k, err := decodeXML("getMeetingInfo", 200, "", []byte(body), &x)
		return x.info(), result{k, err}
	}
	running := func(body string) (any, result) {
		var x struct {
			Running string `xml:"running"`
		}
		k, err := decodeXML("isMeetingRunning", 200, "", []byte(body), &x)
		return xbool(x.Running), result{k, err}
	}
	version := func(body string) (any, result) {
		var x xmlVersion
		k, err := decodeXML("root", 200, "", []byte(body), &x)
		return *x.info(), result{k, err}
	}
	tests := []struct {
		name   string
		body   string
		decode func(string) (any, result)
		key    string
		errIs  error
		check  func(any) bool
	}{
		{"F1 create", fixtureF1Create, create, "", nil, func(v any) bool {
			r := v.(*CreateResult)
			return r.MeetingID == "random-1665177" && r.CreateTime == 1453283819419 && r.Duration == 20 && !r.Duplicate && r.InternalMeetingID == ""
		}},
		{"F2 duplicateWarning", fixtureF2Duplicate, create, "duplicateWarning", nil, func(v any) bool {
			r := v.(*CreateResult)
			return r.Duplicate && r.CreateTime == 1531155809613 && r.ParentMeetingID == "bbb-none"
		}},
		{"F3 join without url", fixtureF3Join, join, "successfullyJoined", nil, func(v any) bool {
			return v.(*xmlJoin).SessionToken == "rbe7bbkjzx5mnoda" && v.(*xmlJoin).URL == ""
		}},
		{"§5.4 join docs sample", fixtureJoinDocs, join, "successfullyJoined", nil, func(v any) bool {
			return v.(*xmlJoin).AuthToken == "14mm5y3eurjw"
		}},
		{"§5.4 join 3.0 order", fixtureJoin30, join, "successfullyJoined", nil, func(v any) bool { return v.(*xmlJoin).GuestStatus == "ALLOW" }},
		{"§5.4 guestWait", fixtureJoinGuestWait, join, "guestWait", nil, func(v any) bool { return v.(*xmlJoin).GuestStatus == "WAIT" }},
		{"§5.4 guestDeniedAccess", fixtureJoinGuestDenied, join, "guestDeniedAccess", ErrGuestDeniedAccess, nil},
		{"F4 getMeetingInfo", fixtureF4MeetingInfo, info, "", nil, func(v any) bool {
			m := v.(MeetingInfo)
			return m.Running && len(m.Attendees) == 1 && len(m.Metadata) == 5 && m.Metadata["endcallbackurl"] != ""
		}},
		{"F5 checksumError", fixtureF5Checksum, create, "checksumError", ErrChecksum, nil},
		{"F5 idNotUnique", fixtureF5IDNotUnique, create, "idNotUnique", ErrIDNotUnique, nil},
		{"F6 isMeetingRunning", fixtureF6Running, running, "", nil, func(v any) bool { return v.(bool) }},
		{"F6 end", fixtureF6End, running, "sentEndMeetingRequest", nil, nil},
		{"§8.1 3.x root", fixtureVersion30, version, "", nil, func(v any) bool { return v.(VersionInfo).GraphQLAPIURL != "" }},
		{"§8.1 2.x root", fixtureVersion2x, version, "", nil, func(v any) bool { return v.(VersionInfo).BBBVersion == "2.7.12" }},
		{"§8.1 PHP root", fixtureVersionPHP, version, "", nil, func(v any) bool { return v.(VersionInfo).APIVersion == "" }},
		{"§8.1 Scalelite root", fixtureVersionScalelite, version, "", nil, func(v any) bool { return v.(VersionInfo).Build == "v1.6.2" }},
		{"§8.1 b3lb root CRLF", fixtureVersionB3lb, version, "", nil, func(v any) bool { return v.(VersionInfo).APIVersion == "2.0" }},
		{"§9 legacy errors", fixtureLegacyErrors, create, "missingParamMeetingID", ErrMissingParam, nil},
		{"§4.3 insertDocument", fixtureInsertDoc, running, "", nil, nil},
		{"§4.3 insertDocument unknown", fixtureInsertUnknown, running, "notFound", ErrNotFound, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, r := tt.decode(tt.body)
			if r.key != tt.key {
				t.Errorf("messageKey = %q, want %q", r.key, tt.key)
			}
			if tt.errIs != nil {
				if !errors.Is(r.err, tt.errIs) {
					t.Fatalf("err = %v, want %v", r.err, tt.errIs)
				}
				return
			}
			if r.err != nil {
				t.Fatal(r.err)
			}
			if tt.check != nil && !tt.check(v) {
				t.Errorf("decoded %+v", v)
			}
		})
	}
}

func TestCharsetLatin1(t *testing.T) {
	var x xmlMeeting
	body := `<?xml version="1.0" encoding="ISO-8859-1"?><response><returncode>SUCCESS</returncode><meetingName>Gr` + "\xfc" + `n</meetingName></response>`
	if _, err := decodeXML("getMeetingInfo", 200, "", []byte(body), &x); err != nil || x.info().MeetingName != "Grün" {
		t.Fatalf("%q %v", x.MeetingName, err)
	}
}
