package bbbclient

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

func TestDecodeMeetingInfo(t *testing.T) {
	tests := []struct {
		name string
		body string
		want MeetingInfo
	}{
		{"F4 3.0 sample", fixtureF4MeetingInfo, MeetingInfo{
			MeetingName: "Anton G's Room", MeetingID: "gbesu6dht08uobpislzqxsizjzihn87cmewqyacs",
			InternalMeetingID: "a0715c95000a2bcb90604ecc7097dbc94592c690-1715261728123", CreateTime: 1715261728123,
			CreateDate: "Thu May 09 13:35:28 UTC 2024", VoiceBridge: "66052", DialNumber: "613-555-1234",
			AttendeePW: "1umEM3ic", ModeratorPW: "V91JirCa", Running: true, HasUserJoined: true, Recording: true,
			StartTime: 1715261728142, ParticipantCount: 1, VoiceParticipantCount: 1, VideoCount: 1, ModeratorCount: 1,
			Attendees: []Attendee{{
				UserID: "w_ftcrsyuh44oj", FullName: "Anton G", Role: RoleModerator, IsPresenter: true,
				HasJoinedVoice: true, HasVideo: true, ClientType: "HTML5",
			}},
			Metadata: map[string]string{
				"bbb-origin-version":      "summit2024-6d8120x",
				"bbb-origin-server-name":  "test30.bigbluebutton.org",
				"bbb-recording-ready-url": "https://test30.bigbluebutton.org/recording_ready",
				"bbb-origin":              "greenlight",
				"endcallbackurl":          "https://test30.bigbluebutton.org/meeting_ended",
			},
		}},
		{"parent with breakouts, CRLF, no passwords", fixtureMeetingInfoParent, MeetingInfo{
			MeetingName: "7b", MeetingID: "klasse-7b", CreateTime: 1715261728123, Running: true,
			Attendees: []Attendee{{UserID: "s1", FullName: "Kim", Role: RoleViewer, CustomData: map[string]string{"bbb_color": "blue"}}},
			BreakoutRooms: []string{
				"1111111111111111111111111111111111111111-1715261800000",
				"2222222222222222222222222222222222222222-1715261800000",
			},
		}},
		{"2.x breakout", fixtureMeetingInfoBreakout, MeetingInfo{
			MeetingName: "7b (Room 1)", MeetingID: "1111111111111111111111111111111111111111-1715261800000",
			CreateTime: 1715261800000, IsBreakout: true,
			ParentMeetingID: "a0715c95000a2bcb90604ecc7097dbc94592c690-1715261728123", Sequence: 1, FreeJoin: true,
		}},
		{"odd values tolerated", `<response><returncode>SUCCESS</returncode><running>TRUE</running><createTime> 12 </createTime><participantCount>many</participantCount><hasUserJoined>1</hasUserJoined><unknown><deep>x</deep></unknown></response>`,
			MeetingInfo{Running: true, CreateTime: 12, HasUserJoined: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var x xmlMeeting
			if _, err := decodeXML("getMeetingInfo", 200, "", []byte(tt.body), &x); err != nil {
				t.Fatal(err)
			}
			if got := x.info(); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %#v\nwant %#v", fields(got), fields(tt.want))
			}
		})
	}
}

// fields prints every field, passwords included, for test diffs only.
func fields(m MeetingInfo) string {
	type plain MeetingInfo
	return fmt.Sprintf("%+v", plain(m))
}

func TestGetMeetingInfoCall(t *testing.T) {
	srv, rec := xmlServer(t, 200, fixtureF4MeetingInfo)
	c, _ := newTestClient(t, srv.URL)
	m, err := c.GetMeetingInfo(t.Context(), "gbesu6dht08uobpislzqxsizjzihn87cmewqyacs")
	if err != nil {
		t.Fatal(err)
	}
	if q := verifySigned(t, "getMeetingInfo", rec.last(t).RawQuery, docSecret); q != "meetingID=gbesu6dht08uobpislzqxsizjzihn87cmewqyacs" {
		t.Errorf("query %s", q)
	}
	for _, s := range []string{fmt.Sprint(m), fmt.Sprintf("%+v", *m), fmt.Sprintf("%#v", m), fmt.Sprintf("%d", m)} {
		if strings.Contains(s, "1umEM3ic") || strings.Contains(s, "V91JirCa") {
			t.Errorf("printed passwords: %s", s)
		}
	}
}

func TestIsMeetingRunning(t *testing.T) {
	srv, rec := xmlServer(t, 200, fixtureF6Running)
	c, _ := newTestClient(t, srv.URL, func(o *Options) { o.Algorithm = SHA1 })
	running, err := c.IsMeetingRunning(t.Context(), "abc123")
	if err != nil || !running {
		t.Fatalf("running = %v, %v", running, err)
	}
	// §2.6 vector: isMeetingRunningmeetingID=abc123<secret>, sha1.
	if got := rec.last(t).RawQuery; got != "meetingID=abc123&checksum=8478733ccb8695b8aaaff48b3c1e281a75a6f046" {
		t.Errorf("query %s", got)
	}
}

func TestEnd(t *testing.T) {
	srv, rec := xmlServer(t, 200, fixtureF6End)
	c, logs := newTestClient(t, srv.URL)
	if err := c.End(t.Context(), "abc123"); err != nil {
		t.Fatal(err)
	}
	if q := verifySigned(t, "end", rec.last(t).RawQuery, docSecret); q != "meetingID=abc123" {
		t.Errorf("query %s", q)
	}
	if !strings.Contains(logs.String(), "messageKey=sentEndMeetingRequest") {
		t.Errorf("log %s", logs)
	}
	srv2, _ := xmlServer(t, 200, fixtureNotFound)
	c2, _ := newTestClient(t, srv2.URL)
	if err := c2.End(t.Context(), "abc123"); !errors.Is(err, ErrNotFound) {
		t.Errorf("err = %v", err)
	}
}

func TestGetMeetings(t *testing.T) {
	srv, rec := xmlServer(t, 200, fixtureNoMeetings)
	c, _ := newTestClient(t, srv.URL)
	ms, err := c.GetMeetings(t.Context())
	if err != nil || ms == nil || len(ms) != 0 {
		t.Fatalf("noMeetings: %v, %v", ms, err)
	}
	// §2.6 vector: getMeetings<secret> with an empty query.
	if got := rec.last(t).RawQuery; got != "checksum=a5370c5f3d97d56d53b435684cdbc429c2898a3bf9f435518b4279e1e0dbfc8c" {
		t.Errorf("query %s", got)
	}
	srv2, _ := xmlServer(t, 200, fixtureGetMeetings)
	c2, _ := newTestClient(t, srv2.URL)
	ms, err = c2.GetMeetings(t.Context())
	if err != nil || len(ms) != 2 {
		t.Fatalf("%v %v", ms, err)
	}
	if ms[0].MeetingID != "klasse-7b" || !ms[0].Running || ms[0].ParticipantCount != 3 || ms[0].Metadata["bbb-origin"] != "tafel" ||
		ms[1].MeetingID != "klasse-8a" || ms[1].Running {
		t.Errorf("%+v", ms)
	}
}
