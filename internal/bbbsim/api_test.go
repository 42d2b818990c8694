package bbbsim

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestAPIRoot: §14.13 – BBB 3.x form by default, 2.4 and Scalelite forms.
func TestAPIRoot(t *testing.T) {
	for _, c := range []struct {
		name   string
		cfg    Config
		want   func(base string) string
		suffix string
	}{
		{"bbb 3.x", Config{}, func(b string) string {
			return "<response><returncode>SUCCESS</returncode><version>2.0</version><apiVersion>2.0</apiVersion><bbbVersion></bbbVersion>" +
				"<apiUrl>" + b + "/bigbluebutton/api</apiUrl><graphqlWebsocketUrl>ws" + strings.TrimPrefix(b, "http") +
				"/graphql</graphqlWebsocketUrl><graphqlApiUrl>" + b + "/api/rest</graphqlApiUrl></response>"
		}, ""},
		{"bbb 3.x trailing slash", Config{}, nil, "/"},
		{"bbb 2.4", Config{Flavor: FlavorBBB24, BBBVersion: "2.4.9"}, func(string) string {
			return "<response><returncode>SUCCESS</returncode><version>2.0</version><apiVersion>2.0</apiVersion><bbbVersion>2.4.9</bbbVersion></response>"
		}, ""},
		{"scalelite", Config{Flavor: FlavorScalelite}, func(string) string {
			return "<response><returncode>SUCCESS</returncode><version>2.0</version><build>v1.6.0</build></response>"
		}, "/"},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t, c.cfg)
			resp, body := e.do("GET", e.ts.URL+"/bigbluebutton/api"+c.suffix, "", nil)
			if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/xml;charset=utf-8" {
				t.Fatalf("%d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
			}
			r := parseResp(t, body)
			if r.ReturnCode != "SUCCESS" || r.Version != "2.0" {
				t.Fatal(body)
			}
			if c.want != nil && body != c.want(e.ts.URL) {
				t.Fatalf("got  %s\nwant %s", body, c.want(e.ts.URL))
			}
			if c.cfg.Flavor == FlavorScalelite && (r.APIVersion != nil || r.BBBVersion != nil) {
				t.Fatal("scalelite root has no apiVersion/bbbVersion")
			}
		})
	}
}

// TestErrorFixtures: §14.12 – error shape and exact texts.
func TestErrorFixtures(t *testing.T) {
	e := newEnv(t, Config{})
	_, body := e.do("GET", e.url("getMeetings", "checksum=0000000000000000000000000000000000000000"), "", nil)
	if body != "<response><returncode>FAILED</returncode><messageKey>checksumError</messageKey><message>Checksums do not match</message></response>" {
		t.Fatalf("F5 checksumError: %s", body)
	}
	r := e.call("getMeetings", "")
	if r.Raw != "<response><returncode>SUCCESS</returncode><meetings/><messageKey>noMeetings</messageKey><message>no meetings were found on this server</message></response>" {
		t.Fatalf("noMeetings: %s", r.Raw)
	}
	wantKey(t, e.call("getMeetingInfo", "meetingID=nope"), "FAILED", keyNotFound)
	wantKey(t, e.call("end", "meetingID=nope"), "FAILED", keyNotFound)
	wantKey(t, e.call("getMeetingInfo", ""), "FAILED", keyMissingMeetingID)
	wantKey(t, e.call("isMeetingRunning", ""), "FAILED", keyMissingMeetingID)
	if r := e.call("isMeetingRunning", "meetingID=nope"); r.Raw != "<response><returncode>SUCCESS</returncode><running>false</running></response>" {
		t.Fatalf("isMeetingRunning unknown: %s", r.Raw)
	}
	// Unknown calls are not routed, with or without checksum.
	r = e.call("getJoinURL", "meetingID=x") // wrong case
	wantKey(t, r, "FAILED", keyValidationError)
	if r.Message != msgRequestNotRecognized {
		t.Fatal(r.Message)
	}
	// 2.4 has no insertDocument.
	e24 := newEnv(t, Config{Flavor: FlavorBBB24})
	resp, body := e24.do("POST", e24.url("insertDocument", signed("sha256", "insertDocument", "meetingID=abc", e24.secret)), "application/xml", strings.NewReader("<modules/>"))
	if resp.StatusCode != 200 || parseResp(t, body).MessageKey != keyValidationError {
		t.Fatalf("2.4 insertDocument: %s", body)
	}
}

// TestGetMeetings: F4 shape per meeting.
func TestGetMeetings(t *testing.T) {
	e := newEnv(t, Config{})
	e.create("b-room", "meta_Foo=bar")
	e.clock.Advance(time.Millisecond)
	e.create("a-room")
	r := e.join("b-room", "Lehrerin", "MODERATOR", "userID=t1")
	_ = e.s.EnterClient(r.SessionToken)
	g := e.call("getMeetings", "")
	wantKey(t, g, "SUCCESS", "")
	if len(g.Meetings) != 2 || g.Meetings[0].MeetingID != "b-room" || !g.Meetings[0].Running || g.Meetings[1].Running {
		t.Fatalf("getMeetings: %s", g.Raw)
	}
	mustContain(t, g.Raw, "<attendees><attendee><userID>t1</userID><fullName>Lehrerin</fullName><role>MODERATOR</role><isPresenter>true</isPresenter>")
	mustContain(t, g.Raw, "<metadata><foo>bar</foo></metadata><isBreakout>false</isBreakout></meeting>")
}

// TestBodyLimit: §14.10 – bodies over MaxInlineBody get 413 without XML,
// before anything is parsed or created.
func TestBodyLimit(t *testing.T) {
	e := newEnv(t, Config{MaxInlineBody: 1000})
	big := "<modules>" + strings.Repeat(" ", 1000) + "</modules>"
	q := signed("sha256", "create", "name=Room&meetingID=big", e.secret)
	resp, body := e.do("POST", e.url("create", q), "application/xml", strings.NewReader(big))
	if resp.StatusCode != http.StatusRequestEntityTooLarge || strings.Contains(body, "<response>") || !strings.Contains(body, "413") {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	// Chunked (unknown length): same answer, still nothing created.
	resp, _ = e.do("POST", e.url("create", q), "application/xml", io.MultiReader(strings.NewReader(big)))
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("chunked: %d", resp.StatusCode)
	}
	// Form bodies and bodies of the wrong type are limited too.
	resp, _ = e.do("POST", e.url("create", q), "application/x-www-form-urlencoded", io.MultiReader(strings.NewReader("a="+strings.Repeat("x", 1000))))
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("form: %d", resp.StatusCode)
	}
	resp, _ = e.do("POST", e.url("create", q), "text/plain", io.MultiReader(strings.NewReader(big)))
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("text/plain: %d", resp.StatusCode)
	}
	if _, ok := e.s.Meeting("big"); ok {
		t.Fatal("an oversized request must not create the meeting")
	}
	// At the limit it is fine, chunked or not.
	ok := "<modules>" + strings.Repeat(" ", 1000-len("<modules></modules>")) + "</modules>"
	_, body = e.do("POST", e.url("create", q), "application/xml", io.MultiReader(strings.NewReader(ok)))
	wantKey(t, parseResp(t, body), "SUCCESS", "")
	last := e.s.Requests()[len(e.s.Requests())-1]
	if last.Call != "create" || last.ContentType != "application/xml" || last.ReturnCode != "SUCCESS" || !strings.Contains(last.RawQuery, "checksum=") {
		t.Fatalf("request log %+v", last)
	}
}

// TestRecordings: getRecordings filters, pagination, publish and delete.
func TestRecordings(t *testing.T) {
	e := newEnv(t, Config{})
	r := e.call("getRecordings", "")
	if r.Raw != "<response><returncode>SUCCESS</returncode><recordings></recordings><messageKey>noRecordings</messageKey><message>There are no recordings for the meeting(s).</message></response>" {
		t.Fatalf("noRecordings: %s", r.Raw)
	}
	e.s.AddRecording(Recording{MeetingID: "room-1", RecordID: "rec-a1", Published: true, StartTime: 1, Metadata: map[string]string{"origin": "tafel"},
		Playback: []PlaybackFormat{{Type: "presentation", URL: "https://x/playback", Length: 3, Previews: []PreviewImage{{URL: "https://x/1.png", Alt: "a&b", Width: 176, Height: 136}}}}})
	e.s.AddRecording(Recording{MeetingID: "room-1", RecordID: "rec-a2", Published: false, StartTime: 2})
	e.s.AddRecording(Recording{MeetingID: "room-2", RecordID: "rec-b1", Published: true, StartTime: 3})
	e.s.AddRecording(Recording{MeetingID: "room-2", RecordID: "rec-b2", State: "processing", StartTime: 4})
	ids := func(r apiResp) string {
		var s []string
		for _, x := range r.Recordings {
			s = append(s, x.RecordID)
		}
		return strings.Join(s, ",")
	}
	for _, c := range []struct{ q, want string }{
		{"", "rec-a1,rec-a2,rec-b1"},
		{"meetingID=room-1", "rec-a1,rec-a2"},
		{"meetingID=room-1,room-2&state=published", "rec-a1,rec-b1"},
		{"recordID=rec-b&meetingID=room-1", "rec-b1"}, // recordID prefix wins
		{"state=any", "rec-a1,rec-a2,rec-b1,rec-b2"},
		{"meta_Origin=tafel", "rec-a1"},
		{"offset=1&limit=1", "rec-a2"},
	} {
		if got := ids(e.call("getRecordings", c.q)); got != c.want {
			t.Errorf("getRecordings?%s = %s, want %s", c.q, got, c.want)
		}
	}
	if r := e.call("getRecordings", "limit=2"); r.TotalElements != 3 {
		t.Fatalf("totalElements %d", r.TotalElements)
	}
	r = e.call("getRecordings", "recordID=rec-a1")
	mustContain(t, r.Raw, `<playback><format><type>presentation</type><url>https://x/playback</url><processingTime>0</processingTime><length>3</length><preview><images><image width="176" height="136" alt="a&amp;b">https://x/1.png</image></images></preview></format></playback>`)
	if r := e.call("publishRecordings", "recordID=rec-a2&publish=true"); !strings.Contains(r.Raw, "<published>true</published>") {
		t.Fatal(r.Raw)
	}
	if r := e.call("deleteRecordings", "recordID=rec-a1"); !strings.Contains(r.Raw, "<deleted>true</deleted>") {
		t.Fatal(r.Raw)
	}
	if got := ids(e.call("getRecordings", "meetingID=room-1")); got != "rec-a2" {
		t.Fatalf("after publish/delete: %s", got)
	}
	wantKey(t, e.call("deleteRecordings", "recordID=nope"), "FAILED", keyNotFound)
	wantKey(t, e.call("publishRecordings", "recordID=rec-a2"), "FAILED", "missingParamPublish")
}

func TestNewValidatesConfig(t *testing.T) {
	for _, c := range []Config{{}, {Secret: "s", Algorithms: []string{"md5"}}, {Secret: "s", Flavor: Flavor(9)}} {
		if s, err := New(c); err == nil {
			s.Close()
			t.Errorf("New(%+v) accepted", c)
		}
	}
}

// TestCloseStopsConversions: Close cancels pending conversions and waits.
func TestCloseStopsConversions(t *testing.T) {
	started := make(chan struct{})
	s, err := New(Config{Secret: docSecret, Convert: func(ctx context.Context, _ string, _ io.ReaderAt, _ int64) (int, error) {
		close(started)
		<-ctx.Done()
		return 0, ctx.Err()
	}})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s.Handler())
	defer ts.Close()
	body := `<modules><module name="presentation"><document name="a.txt">aGk=</document></module></modules>`
	resp, err := http.Post(ts.URL+"/bigbluebutton/api/create?"+signed("sha256", "create", "name=Room&meetingID=r1", docSecret), "application/xml", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	<-started
	s.Close()
	if err := s.WaitConversions(context.Background()); err != nil {
		t.Fatal(err)
	}
	if ps := s.Presentations("r1"); len(ps) != 1 || ps[0].Status != StatusFailed || ps[0].Reason != context.Canceled.Error() {
		t.Fatalf("%+v", ps)
	}
}
