package roundtrip

import (
	"bytes"
	"context"
	"errors"
	"github.com/tafel-schule/tafel/internal/testpdf"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tafel-schule/tafel/bbbclient"
	"github.com/tafel-schule/tafel/internal/bbbsim"
	"github.com/tafel-schule/tafel/internal/testenv"
)

const secret = "639259d4-9dd8-4b25-bf01-95f9567eaf4b"

type fixture struct {
	sim    *bbbsim.Server
	srv    *httptest.Server
	node   *httptest.Server
	client *bbbclient.Client
	logs   *bytes.Buffer
}

// start runs a simulator and a client against it; the client logs into a
// buffer that every test checks for leaked secrets at the end.
func start(t *testing.T, cfg bbbsim.Config, alg bbbclient.Algorithm) *fixture {
	t.Helper()
	if cfg.Secret == "" {
		cfg.Secret = secret
	}
	sim, err := bbbsim.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{sim: sim, srv: httptest.NewServer(sim.Handler()), logs: &bytes.Buffer{}}
	if cfg.Flavor == bbbsim.FlavorScalelite {
		f.node = httptest.NewServer(sim.NodeHandler())
		sim.SetNodeURL(f.node.URL)
	}
	t.Cleanup(func() {
		f.srv.Close()
		if f.node != nil {
			f.node.Close()
		}
		sim.Close()
		if strings.Contains(f.logs.String(), cfg.Secret) || strings.Contains(f.logs.String(), "checksum=") {
			t.Errorf("client log leaks a secret or checksum:\n%s", f.logs)
		}
	})
	f.client, err = bbbclient.New(bbbclient.Options{
		BaseURL:   f.srv.URL + "/bigbluebutton/api",
		Secret:    cfg.Secret,
		Algorithm: alg,
		Logger:    slog.New(slog.NewTextHandler(f.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

// browse opens a signed URL like a browser: follows redirects with a cookie jar.
func browse(t *testing.T, u string) (*http.Response, string) {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	resp, err := (&http.Client{Jar: jar, Timeout: 10 * time.Second}).Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func TestVersionPerFlavor(t *testing.T) {
	for _, tc := range []struct {
		flavor     bbbsim.Flavor
		apiVersion string
	}{{bbbsim.FlavorBBB, "2.0"}, {bbbsim.FlavorBBB24, "2.0"}, {bbbsim.FlavorScalelite, ""}} {
		t.Run(tc.flavor.String(), func(t *testing.T) {
			f := start(t, bbbsim.Config{Flavor: tc.flavor}, "")
			v, err := f.client.Version(ctx(t))
			if err != nil {
				t.Fatal(err)
			}
			if v.Version != "2.0" || v.APIVersion != tc.apiVersion {
				t.Fatalf("version %+v", v)
			}
		})
	}
}

// Every algorithm round-trips where the server accepts it and fails with
// checksumError where it does not (Scalelite refuses sha384, BBB 2.4 sha384/512).
func TestChecksumAlgorithms(t *testing.T) {
	accepts := map[bbbsim.Flavor]map[bbbclient.Algorithm]bool{
		bbbsim.FlavorBBB:       {bbbclient.SHA1: true, bbbclient.SHA256: true, bbbclient.SHA384: true, bbbclient.SHA512: true},
		bbbsim.FlavorBBB24:     {bbbclient.SHA1: true, bbbclient.SHA256: true},
		bbbsim.FlavorScalelite: {bbbclient.SHA1: true, bbbclient.SHA256: true, bbbclient.SHA512: true},
	}
	for flavor, ok := range accepts {
		for _, alg := range []bbbclient.Algorithm{bbbclient.SHA1, bbbclient.SHA256, bbbclient.SHA384, bbbclient.SHA512} {
			t.Run(flavor.String()+"/"+string(alg), func(t *testing.T) {
				f := start(t, bbbsim.Config{Flavor: flavor}, alg)
				_, err := f.client.Create(ctx(t), bbbclient.CreateParams{Name: "Klasse 8c Bio", MeetingID: "alg-" + string(alg)})
				if ok[alg] && err != nil {
					t.Fatalf("accepted algorithm failed: %v", err)
				}
				if !ok[alg] && !errors.Is(err, bbbclient.ErrChecksum) {
					t.Fatalf("refused algorithm: err = %v, want checksumError", err)
				}
			})
		}
	}
}

func TestWrongSecretIsChecksumErrorWithoutLeak(t *testing.T) {
	f := start(t, bbbsim.Config{}, "")
	bad, err := bbbclient.New(bbbclient.Options{BaseURL: f.srv.URL, Secret: "wrong-secret-value"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = bad.Create(ctx(t), bbbclient.CreateParams{Name: "Klasse 9", MeetingID: "wrong-secret"})
	var apiErr *bbbclient.APIError
	if !errors.As(err, &apiErr) || !errors.Is(err, bbbclient.ErrChecksum) {
		t.Fatalf("err = %v, want APIError checksumError", err)
	}
	if apiErr.Message != "Checksums do not match" {
		t.Errorf("message %q", apiErr.Message)
	}
	for _, s := range []string{"wrong-secret-value", "checksum=", f.srv.URL + "/bigbluebutton/api/create?"} {
		if strings.Contains(err.Error(), s) {
			t.Errorf("error %q contains %q", err, s)
		}
	}
}

func schoolParams(id string) bbbclient.CreateParams {
	return bbbclient.CreateParams{
		Name:                                   "Klasse 7b – Mathe",
		MeetingID:                              id,
		MuteOnStart:                            new(true),
		WebcamsOnlyForModerator:                new(true),
		GuestPolicy:                            bbbclient.GuestPolicy("ASK_MODERATOR"),
		AllowPromoteGuestToModerator:           new(false),
		MeetingExpireWhenLastUserLeftInMinutes: new(1),
		DisabledFeatures:                       []bbbclient.Feature{"sharedNotes", "privateChat"},
		Lock: bbbclient.LockSettings{
			DisablePrivateChat: new(true),
			DisableNotes:       new(true),
			LockOnJoin:         new(true),
		},
		Welcome: "Willkommen, Klasse 7b! Ümlaute & <b>fett</b>",
		Meta:    map[string]string{"bbb-origin": "Tafel", "endCallbackUrl": "https://schule.example/ende?x=1&y=2"},
	}
}

// The simulator receives exactly the school settings the client sends, and
// getMeetingInfo returns the metadata with lowercased keys.
func TestCreateSchoolSettingsReachServer(t *testing.T) {
	f := start(t, bbbsim.Config{}, "")
	res, err := f.client.Create(ctx(t), schoolParams("school-7b"))
	if err != nil {
		t.Fatal(err)
	}
	if res.Duplicate || res.CreateTime == 0 || !strings.HasSuffix(res.InternalMeetingID, "-"+strconv.FormatInt(res.CreateTime, 10)) {
		t.Fatalf("create result %v", res)
	}
	m, ok := f.sim.Meeting("school-7b")
	if !ok {
		t.Fatal("meeting missing in simulator")
	}
	want := map[string]string{
		"record": "false", "muteOnStart": "true", "webcamsOnlyForModerator": "true", "guestPolicy": "ASK_MODERATOR",
		"lockSettingsDisablePrivateChat": "true", "lockSettingsDisableNotes": "true", "lockSettingsLockOnJoin": "true",
		"disabledFeatures": "sharedNotes,privateChat", "welcome": "Willkommen, Klasse 7b! Ümlaute & <b>fett</b>",
		"meetingExpireWhenLastUserLeftInMinutes": "1", "allowPromoteGuestToModerator": "false",
	}
	for k, v := range want {
		if got := m.Params.Get(k); got != v {
			t.Errorf("server got %s=%q, want %q", k, got, v)
		}
	}
	for _, k := range []string{"attendeePW", "moderatorPW", "lockSettingsDisableCam"} {
		if m.Params.Has(k) {
			t.Errorf("client sent %s, which it must not", k)
		}
	}
	info, err := f.client.GetMeetingInfo(ctx(t), "school-7b")
	if err != nil {
		t.Fatal(err)
	}
	if info.Metadata["endcallbackurl"] != "https://schule.example/ende?x=1&y=2" || info.Metadata["bbb-origin"] != "Tafel" {
		t.Errorf("metadata %v", info.Metadata)
	}
	if info.CreateTime != res.CreateTime || info.Running {
		t.Errorf("info createTime %d running %v", info.CreateTime, info.Running)
	}
}

// A repeated create is a success (duplicateWarning) that keeps the first
// meeting, its createTime and its settings; after end, a new instance.
func TestCreateIdempotentAndRecreateAfterEnd(t *testing.T) {
	f := start(t, bbbsim.Config{}, "")
	first, err := f.client.Create(ctx(t), schoolParams("idem"))
	if err != nil {
		t.Fatal(err)
	}
	p := schoolParams("idem")
	p.MuteOnStart = new(false)
	again, err := f.client.Create(ctx(t), p)
	if err != nil {
		t.Fatal(err)
	}
	if !again.Duplicate || again.CreateTime != first.CreateTime {
		t.Fatalf("second create %v, want duplicate of %v", again, first)
	}
	if m, _ := f.sim.Meeting("idem"); m.Params.Get("muteOnStart") != "true" {
		t.Error("re-create changed the running meeting's settings")
	}
	if err := f.client.End(ctx(t), "idem"); err != nil {
		t.Fatal(err)
	}
	// End is asynchronous: wait until the server reports it ended or gone.
	deadline := time.Now().Add(5 * time.Second)
	for {
		info, err := f.client.GetMeetingInfo(ctx(t), "idem")
		if errors.Is(err, bbbclient.ErrNotFound) || (err == nil && info.HasBeenForciblyEnded) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("meeting not ended: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	third, err := f.client.Create(ctx(t), schoolParams("idem"))
	if err != nil {
		t.Fatal(err)
	}
	if third.Duplicate || third.CreateTime == first.CreateTime {
		t.Fatalf("create after end = %v, want a new instance", third)
	}
}

func TestCreateValidatesLocally(t *testing.T) {
	f := start(t, bbbsim.Config{}, "")
	for _, p := range []bbbclient.CreateParams{
		{Name: "x", MeetingID: "ok-id"},
		{Name: "Klasse", MeetingID: "a,b"},
		{Name: "Klasse", MeetingID: "a"},
	} {
		_, err := f.client.Create(ctx(t), p)
		var ve *bbbclient.ValidationError
		if !errors.As(err, &ve) {
			t.Errorf("%+v: err = %v, want ValidationError", p, err)
		}
	}
	if n := len(f.sim.Requests()); n != 0 {
		t.Errorf("invalid creates reached the server (%d requests)", n)
	}
}

// Join URLs: teacher and student land on the client with their roles; the
// meeting runs only once a client has really joined; tampering is refused.
func TestJoinURLsRolesAndTampering(t *testing.T) {
	f := start(t, bbbsim.Config{}, "")
	res, err := f.client.Create(ctx(t), schoolParams("join-7b"))
	if err != nil {
		t.Fatal(err)
	}
	if running, _ := f.client.IsMeetingRunning(ctx(t), "join-7b"); running {
		t.Fatal("running before anyone joined")
	}
	teacher, err := f.client.JoinURL(bbbclient.JoinParams{MeetingID: "join-7b", FullName: "Frau Keller", Role: bbbclient.RoleModerator,
		CreateTime: res.CreateTime, UserID: "t-keller", UserData: map[string]string{"bbb_skip_check_audio_on_first_join": "true"}})
	if err != nil {
		t.Fatal(err)
	}
	student, err := f.client.JoinURL(bbbclient.JoinParams{MeetingID: "join-7b", FullName: "Jonas", Role: bbbclient.RoleViewer,
		CreateTime: res.CreateTime, UserID: "s-jonas"})
	if err != nil {
		t.Fatal(err)
	}
	if _, page := browse(t, teacher.Reveal()); !strings.Contains(page, "MODERATOR") {
		t.Fatalf("teacher page:\n%s", page)
	}
	if _, page := browse(t, student.Reveal()); !strings.Contains(page, "VIEWER") {
		t.Fatalf("student page:\n%s", page)
	}
	if running, err := f.client.IsMeetingRunning(ctx(t), "join-7b"); err != nil || !running {
		t.Fatalf("running after joins = %v, %v", running, err)
	}
	info, err := f.client.GetMeetingInfo(ctx(t), "join-7b")
	if err != nil {
		t.Fatal(err)
	}
	roles := map[string]string{}
	for _, a := range info.Attendees {
		roles[a.UserID] = string(a.Role)
	}
	if roles["t-keller"] != "MODERATOR" || roles["s-jonas"] != "VIEWER" || info.ModeratorCount != 1 {
		t.Fatalf("attendees %v", info.Attendees)
	}
	meetings, err := f.client.GetMeetings(ctx(t))
	if err != nil || len(meetings) != 1 || meetings[0].MeetingID != "join-7b" {
		t.Fatalf("getMeetings = %v, %v", meetings, err)
	}

	// Tampered links: the checksum no longer matches, the browser ends on
	// the error redirect with checksumError and nobody joins as moderator.
	for name, u := range map[string]string{
		"role flipped":    strings.Replace(student.Reveal(), "role=VIEWER", "role=MODERATOR", 1),
		"meeting swapped": strings.Replace(student.Reveal(), "meetingID=join-7b", "meetingID=join-7c", 1),
	} {
		resp, _ := browse(t, u)
		if !strings.Contains(resp.Request.URL.RawQuery, "checksumError") {
			t.Errorf("%s: ended at %s, want an errors=[checksumError] redirect", name, resp.Request.URL.Path)
		}
	}
	info, _ = f.client.GetMeetingInfo(ctx(t), "join-7b")
	if info.ModeratorCount != 1 {
		t.Errorf("tampered link made a moderator: %d moderators", info.ModeratorCount)
	}
	// A stale createTime is refused.
	stale, _ := f.client.JoinURL(bbbclient.JoinParams{MeetingID: "join-7b", FullName: "Alt", Role: bbbclient.RoleViewer, CreateTime: res.CreateTime - 1})
	if resp, _ := browse(t, stale.Reveal()); !strings.Contains(resp.Request.URL.RawQuery, "mismatchCreateTimeParam") {
		t.Errorf("stale createTime not refused: %s", resp.Request.URL)
	}
}

// Slides: inline (streamed base64) and URL forms in create, insertDocument
// into the running meeting, the page limit, and the inline body limit.
func TestSlidesPreUploadAndInsert(t *testing.T) {
	files := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/pdf")
		w.Write(testpdf.Pages(3, "", 0))
	}))
	defer files.Close()
	f := start(t, bbbsim.Config{MaxInlineBody: 4 << 20}, "")
	pdf := testpdf.Pages(2, "", 0)
	p := schoolParams("slides")
	p.Documents = []bbbclient.Document{
		{Name: "Brüche & Dezimalzahlen.pdf", Size: int64(len(pdf)), Open: opener(pdf), Removable: true, Current: true},
		{URL: files.URL + "/download?id=7", Filename: "arbeitsblatt.pdf", Downloadable: true, Removable: true},
	}
	var progress []int64
	p.Upload.Progress = func(sent, total int64) { progress = append(progress, sent) }
	if _, err := f.client.Create(ctx(t), p); err != nil {
		t.Fatal(err)
	}
	if len(progress) == 0 || progress[len(progress)-1] != int64(len(pdf)) {
		t.Errorf("progress %v, want to end at %d", progress, len(pdf))
	}
	big := testpdf.Pages(201, "", 0)
	if err := f.client.InsertDocument(ctx(t), "slides", []bbbclient.Document{
		{Name: "zu-lang.pdf", Size: int64(len(big)), Open: opener(big), Removable: true},
	}, bbbclient.UploadOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := f.sim.WaitConversions(ctx(t)); err != nil {
		t.Fatal(err)
	}
	got := map[string]bbbsim.Presentation{}
	for _, pr := range f.sim.Presentations("slides") {
		got[pr.Name] = pr
	}
	if pr := got["Brüche & Dezimalzahlen.pdf"]; pr.Status != bbbsim.StatusConverted || pr.Pages != 2 || !pr.Current || pr.Downloadable {
		t.Errorf("inline slide %+v", pr)
	}
	if pr := got["arbeitsblatt.pdf"]; pr.Status != bbbsim.StatusConverted || pr.Pages != 3 || !pr.Downloadable {
		t.Errorf("URL slide %+v", pr)
	}
	if pr := got["zu-lang.pdf"]; pr.Status != bbbsim.StatusFailed || !pr.FromInsert {
		t.Errorf("201-page slide %+v, want failed", pr)
	}

	// Over the inline POST limit: HTTP 413, a typed error, nothing stored.
	huge := bytes.Repeat([]byte("%PDF-1.4\n"), 4<<20/9+1)
	err := f.client.InsertDocument(ctx(t), "slides", []bbbclient.Document{{Name: "riesig.pdf", Size: int64(len(huge)), Open: opener(huge)}}, bbbclient.UploadOptions{})
	if !errors.Is(err, bbbclient.ErrBodyTooLarge) {
		t.Fatalf("oversized inline upload: err = %v, want ErrBodyTooLarge", err)
	}
	// Unknown meeting.
	err = f.client.InsertDocument(ctx(t), "no-such-meeting", []bbbclient.Document{{Name: "a.pdf", Size: int64(len(pdf)), Open: opener(pdf)}}, bbbclient.UploadOptions{})
	var apiErr *bbbclient.APIError
	if !errors.As(err, &apiErr) || !strings.Contains(apiErr.Message, "not found") {
		t.Fatalf("insert into unknown meeting: %v", err)
	}
}

func opener(b []byte) func() (io.ReadCloser, error) {
	return func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
}

// The pool's TURN servers, fetched the way the network check will (join with
// redirect=false in the client's own cookie jar, then stuns), are accepted by
// a real coturn sharing the static secret — directly and behind Scalelite.
func TestICEServersWorkWithRealCoturn(t *testing.T) {
	turn := testenv.StartCoturn(t, testenv.CoturnOptions{Secret: "coturn-static-auth-secret"})
	for _, flavor := range []bbbsim.Flavor{bbbsim.FlavorBBB, bbbsim.FlavorScalelite} {
		t.Run(flavor.String(), func(t *testing.T) {
			f := start(t, bbbsim.Config{Flavor: flavor, TURN: []bbbsim.TURNServer{
				{URL: turn.URL("udp"), Secret: turn.Secret, TTL: time.Hour},
				{URL: turn.URL("tcp"), Secret: turn.Secret, TTL: time.Hour},
			}}, "")
			res, err := f.client.Create(ctx(t), bbbclient.CreateParams{Name: "Tafel-Netzwerktest", MeetingID: "tafel-check-" + flavor.String(),
				MeetingExpireIfNoUserJoinedInMinutes: new(1)})
			if err != nil {
				t.Fatal(err)
			}
			ice, err := f.client.FetchICEServers(ctx(t), bbbclient.JoinParams{MeetingID: res.MeetingID, FullName: "Tafel check",
				Role: bbbclient.RoleViewer, CreateTime: res.CreateTime, ExcludeFromDashboard: true})
			if err != nil {
				t.Fatal(err)
			}
			if len(ice.TURNServers) != 2 {
				t.Fatalf("TURN servers: %v", ice)
			}
			if until := time.Until(ice.Expires); until < 50*time.Minute || until > time.Hour+time.Minute {
				t.Errorf("expiry in %v, want about 1h", until)
			}
			for _, s := range ice.TURNServers {
				if strings.Contains(s.String(), s.Credential) {
					t.Errorf("ICEServer.String leaks the credential: %s", s)
				}
				tcp := strings.Contains(s.URLs[0], "transport=tcp")
				if err := turn.AllocateWithUClient(ctx(t), t, s.Username, s.Credential, tcp); err != nil {
					t.Errorf("coturn refused the pool's credential for %s: %v", s.URLs[0], err)
				}
			}
			if err := f.client.End(ctx(t), res.MeetingID); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// Without the session cookie stuns refuses: the reason Tafel never hands a
// redirect=false session to the browser.
func TestStunsNeedsSessionCookie(t *testing.T) {
	f := start(t, bbbsim.Config{TURN: []bbbsim.TURNServer{{URL: "turn:127.0.0.1:3478", Secret: "x"}}}, "")
	res, err := f.client.Create(ctx(t), bbbclient.CreateParams{Name: "Check", MeetingID: "stuns-cookie"})
	if err != nil {
		t.Fatal(err)
	}
	sess, err := f.client.JoinSession(ctx(t), bbbclient.JoinParams{MeetingID: res.MeetingID, FullName: "Tafel check",
		Role: bbbclient.RoleViewer, CreateTime: res.CreateTime})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(f.srv.URL + "/bigbluebutton/api/stuns?sessionToken=" + url.QueryEscape(sess.Token()))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(b), `"returncode":"FAILED"`) {
		t.Fatalf("stuns without cookie answered %s", b)
	}
	if strings.Contains(sess.String(), sess.Token()) {
		t.Error("Session.String leaks the session token")
	}
}

// Meetings nobody joins expire on the server's clock (default 5 minutes).
func TestExpiryOnSimulatedClock(t *testing.T) {
	clock := bbbsim.NewManualClock(time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC))
	f := start(t, bbbsim.Config{Clock: clock.Now}, "")
	if _, err := f.client.Create(ctx(t), bbbclient.CreateParams{Name: "Frühstunde", MeetingID: "expire"}); err != nil {
		t.Fatal(err)
	}
	clock.Advance(4 * time.Minute)
	if _, err := f.client.GetMeetingInfo(ctx(t), "expire"); err != nil {
		t.Fatalf("expired too early: %v", err)
	}
	clock.Advance(2 * time.Minute)
	if _, err := f.client.GetMeetingInfo(ctx(t), "expire"); !errors.Is(err, bbbclient.ErrNotFound) {
		t.Fatalf("after 6 min: err = %v, want notFound", err)
	}
}

func TestRecordings(t *testing.T) {
	f := start(t, bbbsim.Config{}, "")
	recs, err := f.client.GetRecordings(ctx(t), bbbclient.RecordingsQuery{})
	if err != nil || len(recs.Recordings) != 0 {
		t.Fatalf("empty: %v %v", recs, err)
	}
	f.sim.AddRecording(bbbsim.Recording{RecordID: "rec-1", MeetingID: "klasse-7b", Name: "Klasse 7b", Published: true, State: "published"})
	f.sim.AddRecording(bbbsim.Recording{RecordID: "rec-2", MeetingID: "klasse-8a", Name: "Klasse 8a", Published: true, State: "published"})
	recs, err = f.client.GetRecordings(ctx(t), bbbclient.RecordingsQuery{MeetingIDs: []string{"klasse-7b"}})
	if err != nil || len(recs.Recordings) != 1 || recs.Recordings[0].RecordID != "rec-1" {
		t.Fatalf("filtered: %+v %v", recs, err)
	}
}
