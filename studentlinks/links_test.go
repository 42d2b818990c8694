package studentlinks

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/csv"
	"errors"
	"fmt"
	stdhtml "html"
	"image/png"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/tafel-schule/tafel/bbbclient"
	"github.com/tafel-schule/tafel/internal/bbbsim"
	"github.com/tafel-schule/tafel/translations"
)

const testSecret = "studentlinks-test-secret"

func testClient(t testing.TB, base string) *bbbclient.Client {
	t.Helper()
	c, err := bbbclient.New(bbbclient.Options{BaseURL: base, Secret: testSecret})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func classOf(t testing.TB, n int) []Student {
	var b strings.Builder
	b.WriteString("Nachname;Vorname;Klasse\n")
	for i := range n {
		fmt.Fprintf(&b, "Schüler%02d;Kind;7b\n", i+1)
	}
	cl, err := Parse(strings.NewReader(b.String()), ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return cl.Students
}

// Links work against the simulator only as VIEWER, and a tampered link
// (role changed to MODERATOR) is rejected by the checksum.
func TestLinksJoinBBBSimAsViewer(t *testing.T) {
	sim, err := bbbsim.New(bbbsim.Config{Secret: testSecret})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sim.Handler())
	t.Cleanup(func() { srv.Close(); sim.Close() })
	c := testClient(t, srv.URL)
	ctx := context.Background()
	res, err := c.Create(ctx, bbbclient.CreateParams{Name: "Klasse 7b", MeetingID: "tafel-links-7b"})
	if err != nil {
		t.Fatal(err)
	}
	cl, err := Parse(strings.NewReader("Anna Müller\nBen <b>Becker</b>\nAnna Müller\n"), ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// Even a template asking for MODERATOR yields viewer links.
	sign := ViewerSigner(c, bbbclient.JoinParams{MeetingID: res.MeetingID, CreateTime: res.CreateTime, Role: bbbclient.RoleModerator})
	links, err := BuildLinks(ctx, res.MeetingID, cl.Students, sign)
	if err != nil {
		t.Fatal(err)
	}
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, l := range links {
		resp, err := hc.Get(l.URL.Reveal())
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusFound || !strings.Contains(loc, "sessionToken=") {
			t.Fatalf("%s: join answered %d", l.Student.Name, resp.StatusCode)
		}
	}
	m, _ := sim.Meeting(res.MeetingID)
	if len(m.Users) != 3 {
		t.Fatalf("users %d", len(m.Users))
	}
	for i, u := range m.Users {
		if u.Role != "VIEWER" || u.UserID != links[i].UserID || u.FullName != links[i].Student.Name {
			t.Errorf("user %d: %+v", i, u)
		}
	}
	// Tampering: role=MODERATOR with the viewer checksum.
	u, _ := url.Parse(links[0].URL.Reveal())
	q := u.Query()
	q.Set("role", "MODERATOR")
	u.RawQuery = q.Encode()
	resp, err := hc.Get(u.String())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if loc := resp.Header.Get("Location"); strings.Contains(loc, "sessionToken=") || !strings.Contains(loc, "checksumError") {
		t.Fatalf("tampered link accepted (status %d)", resp.StatusCode)
	}
	if m, _ := sim.Meeting(res.MeetingID); len(m.Users) != 3 {
		t.Fatalf("tampered link joined: %d users", len(m.Users))
	}
}

func TestBuildLinksRefusesNonViewer(t *testing.T) {
	c := testClient(t, "https://bbb.example.org")
	students := classOf(t, 2)
	signWith := func(mut func(p *bbbclient.JoinParams)) Signer {
		return func(_ context.Context, name, id string) (URL, error) {
			p := bbbclient.JoinParams{MeetingID: "m1", CreateTime: 1, FullName: name, UserID: id, Role: bbbclient.RoleViewer}
			mut(&p)
			return c.JoinURL(p)
		}
	}
	bad := map[string]Signer{
		"moderator":  signWith(func(p *bbbclient.JoinParams) { p.Role = bbbclient.RoleModerator }),
		"other name": signWith(func(p *bbbclient.JoinParams) { p.FullName = "Lehrerin" }),
		"no userID":  signWith(func(p *bbbclient.JoinParams) { p.UserID = "" }),
		"other room": signWith(func(p *bbbclient.JoinParams) { p.MeetingID = "m2" }),
		"not join": func(context.Context, string, string) (URL, error) {
			return c.SignedCallURL("getMeetingInfo", &bbbclient.Params{})
		},
		"empty": func(context.Context, string, string) (URL, error) { return bbbclient.SignedURL{}, nil },
	}
	for name, s := range bad {
		_, err := BuildLinks(context.Background(), "m1", students, s)
		if !errors.Is(err, ErrNotViewer) {
			t.Errorf("%s: err = %v", name, err)
			continue
		}
		if strings.Contains(err.Error(), "checksum") || strings.Contains(err.Error(), "bbb.example.org") {
			t.Errorf("%s: error leaks the URL: %v", name, err)
		}
		if msg := Message(translations.New("de"), err); !strings.Contains(msg, students[0].Name) {
			t.Errorf("%s: message %q", name, msg)
		}
	}
	_, err := BuildLinks(context.Background(), "m1", students, func(context.Context, string, string) (URL, error) {
		return nil, errors.New("meeting not running")
	})
	if !errors.Is(err, ErrSignFailed) {
		t.Fatalf("sign failure: %v", err)
	}
	good, err := BuildLinks(context.Background(), "m1", students, ViewerSigner(c, bbbclient.JoinParams{MeetingID: "m1", CreateTime: 5}))
	if err != nil || len(good) != 2 {
		t.Fatalf("good: %v", err)
	}
	if s := fmt.Sprintf("%v %+v", good[0], good[0]); strings.Contains(s, "checksum") {
		t.Fatalf("a printed Link reveals the URL: %s", s)
	}
}

func sheetLinks(t testing.TB, students []Student) []Link {
	c := testClient(t, "https://bbb.example.org/bigbluebutton/api")
	links, err := BuildLinks(context.Background(), "tafel-7b-mathe", students,
		ViewerSigner(c, bbbclient.JoinParams{MeetingID: "tafel-7b-mathe", CreateTime: 1764237600000}))
	if err != nil {
		t.Fatal(err)
	}
	return links
}

func TestSheet(t *testing.T) {
	cl, err := Parse(strings.NewReader("Name;Klasse\n<script>alert(1)</script>;7b\nTom & \"Jerry\" O'Neil;7b\n"), ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	students := append(cl.Students, classOf(t, 15)...)
	links := sheetLinks(t, students)
	var b bytes.Buffer
	if err := WriteSheet(&b, links, SheetOptions{Room: "Mathe <7b>", Date: "27.11.2026"}); err != nil {
		t.Fatal(err)
	}
	html := b.String()
	for _, bad := range []string{"<script>alert", `Tom & "Jerry"`, "Mathe <7b>"} {
		if strings.Contains(html, bad) {
			t.Errorf("unescaped %q in sheet", bad)
		}
	}
	for _, want := range []string{`lang="de"`, "&lt;script&gt;alert(1)&lt;/script&gt;", "Tom &amp; &#34;Jerry&#34; O&#39;Neil",
		"Zugangslinks – Mathe &lt;7b&gt;", "solange der Unterricht läuft", "27.11.2026", "@page { size: A4",
		"bbb.example.org/…", "Klasse: 7b"} {
		if !strings.Contains(html, want) {
			t.Errorf("sheet lacks %q", want)
		}
	}
	if n := strings.Count(html, `<td class="card">`); n != 17 {
		t.Errorf("%d cards", n)
	}
	if n := strings.Count(html, `<table class="page">`); n != 3 {
		t.Errorf("%d pages", n)
	}
	if a, b := strings.Count(html, "<tr>"), strings.Count(html, "</tr>"); a != 9 || b != 9 {
		t.Errorf("rows %d/%d", a, b)
	}
	qrs := regexp.MustCompile(`src="data:image/png;base64,([^"]+)"`).FindAllStringSubmatch(html, -1)
	if len(qrs) != 17 {
		t.Fatalf("%d QR images", len(qrs))
	}
	for _, m := range qrs {
		b, err := base64.StdEncoding.DecodeString(stdhtml.UnescapeString(m[1]))
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil || img.Bounds().Dx() < 100 {
			t.Fatalf("QR PNG: %v", err)
		}
	}
	// Each href is the student's exact join URL, escaped for HTML only.
	hrefs := regexp.MustCompile(`href="([^"]+)"`).FindAllStringSubmatch(html, -1)
	if len(hrefs) != len(links) {
		t.Fatalf("%d links", len(hrefs))
	}
	for i, l := range links {
		if stdhtml.UnescapeString(hrefs[i][1]) != l.URL.Reveal() {
			t.Errorf("href for %s differs", l.Student.Name)
		}
	}
	b.Reset()
	WriteSheet(&b, links[:1], SheetOptions{Lang: "en", Room: "Maths", Short: func(Link) string { return "t.example/x1" }})
	if s := b.String(); !strings.Contains(s, `lang="en"`) || !strings.Contains(s, "while the lesson is running") || !strings.Contains(s, "t.example/x1") {
		t.Errorf("English sheet: %s", s[:300])
	}
}

func TestCSVExport(t *testing.T) {
	cl, err := Parse(strings.NewReader("Vorname;Nachname;E-Mail\nAnna;Müller; anna@schule.de\n=HYPERLINK(\"x\");Evil;\n\"Ben; \"\"B\"\"\";Becker;\n"), ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	links := sheetLinks(t, cl.Students)
	var b bytes.Buffer
	if err := WriteCSV(&b, links, SheetOptions{Room: "Mathe", Class: "7b"}); err != nil {
		t.Fatal(err)
	}
	raw := b.Bytes()
	if !bytes.HasPrefix(raw, []byte("\xef\xbb\xbfName;Klasse;Raum;Link;Benutzer-ID;E-Mail;Hinweis\r\n")) {
		t.Fatalf("head %q", raw[:80])
	}
	r := csv.NewReader(bytes.NewReader(raw[3:]))
	r.Comma = ';'
	rows, err := r.ReadAll()
	if err != nil || len(rows) != 4 {
		t.Fatalf("rows %d, %v", len(rows), err)
	}
	if rows[1][0] != "Anna Müller" || rows[1][1] != "7b" || rows[1][3] != links[0].URL.Reveal() || rows[1][4] != links[0].UserID || rows[1][5] != "anna@schule.de" {
		t.Errorf("row 1 %q", rows[1])
	}
	if !strings.HasPrefix(rows[2][0], "'=") {
		t.Errorf("formula not defused: %q", rows[2][0])
	}
	if rows[3][0] != `Ben; "B" Becker` {
		t.Errorf("quoting: %q", rows[3][0])
	}
}

// BenchmarkSheet35 is the budget: the sheet for a class of 35
// (QR codes included) in ≤ 200 ms.
func BenchmarkSheet35(b *testing.B) {
	links := sheetLinks(b, classOf(b, 35))
	var buf bytes.Buffer
	b.ResetTimer()
	for b.Loop() {
		buf.Reset()
		if err := WriteSheet(&buf, links, SheetOptions{Room: "Klasse 7b – Mathematik", Date: "27.11.2026"}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(buf.Len())/1024, "KiB/sheet")
}

// BenchmarkLinks35 covers parsing a list of 35 and signing their links.
func BenchmarkLinks35(b *testing.B) {
	var in strings.Builder
	in.WriteString("Nachname;Vorname;Klasse\n")
	for i := range 35 {
		fmt.Fprintf(&in, "Schüler%02d;Kind;7b\n", i)
	}
	c := testClient(b, "https://bbb.example.org")
	sign := ViewerSigner(c, bbbclient.JoinParams{MeetingID: "m1", CreateTime: 1})
	for b.Loop() {
		cl, err := Parse(strings.NewReader(in.String()), ParseOptions{})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := BuildLinks(context.Background(), "m1", cl.Students, sign); err != nil {
			b.Fatal(err)
		}
	}
}

// TestWriteExampleSheet writes an example sheet for eyeballing when
// TAFEL_SHEET_OUT is set (e.g. then: weasyprint sheet.html sheet.pdf).
func TestWriteExampleSheet(t *testing.T) {
	out := os.Getenv("TAFEL_SHEET_OUT")
	if out == "" {
		t.Skip("set TAFEL_SHEET_OUT=path.html to write an example sheet")
	}
	cl, err := Parse(strings.NewReader("Nachname;Vorname;Klasse\nYılmaz;Ayşe;7b\nBecker;Jonas;7b\nSchröder;Mia;7b\n"+
		"Papadopoulou-Schmidt;Konstantina Alexandra Maria;7b\nO'Neil;Tom & <b>Jerry</b>;7b\nMüller;Anna;7b\nMüller;Anna;7b\n"+
		"Nguyễn;Thị Minh Khai;7b\nKowalski;Zbigniew;7b\n"), ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := WriteSheet(f, sheetLinks(t, cl.Students), SheetOptions{Room: "Klasse 7b – Mathematik", Class: cl.Class, Date: "27.11.2026"}); err != nil {
		t.Fatal(err)
	}
}

// A printed sheet (AnyInstance links) keeps working for the next lesson in
// the same room, and stops working once the room's meeting ID is rotated.
func TestPrintedLinksSurviveRestartUntilRotation(t *testing.T) {
	sim, err := bbbsim.New(bbbsim.Config{Secret: testSecret})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sim.Handler())
	t.Cleanup(func() { srv.Close(); sim.Close() })
	c := testClient(t, srv.URL)
	ctx := context.Background()
	const room = "tafel-links-7c"
	links, err := BuildLinks(ctx, room, classOf(t, 2), ViewerSigner(c, bbbclient.JoinParams{MeetingID: room, AnyInstance: true}))
	if err != nil {
		t.Fatal(err)
	}
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	joins := func(l Link) bool {
		resp, err := hc.Get(l.URL.Reveal())
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return strings.Contains(resp.Header.Get("Location"), "sessionToken=")
	}
	if joins(links[0]) {
		t.Fatal("joined before the lesson started")
	}
	for lesson := 1; lesson <= 2; lesson++ {
		if _, err := c.Create(ctx, bbbclient.CreateParams{Name: "7c", MeetingID: room}); err != nil {
			t.Fatal(err)
		}
		if !joins(links[0]) {
			t.Fatalf("lesson %d: printed link refused", lesson)
		}
		if err := sim.EndMeeting(room); err != nil {
			t.Fatal(err)
		}
	}
	// Rotation: the room now runs under a new ID; old links lead nowhere.
	if _, err := c.Create(ctx, bbbclient.CreateParams{Name: "7c", MeetingID: room + "-rotated"}); err != nil {
		t.Fatal(err)
	}
	if joins(links[1]) {
		t.Fatal("old link joined after rotation")
	}
}
