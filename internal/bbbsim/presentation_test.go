package bbbsim

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// makePDF writes a minimal valid PDF with the given number of pages and an
// optional unreferenced stream of pad bytes (to reach a target size).
func makePDF(pages, pad int) []byte {
	var b bytes.Buffer
	var offsets []int
	obj := func(body string) {
		offsets = append(offsets, b.Len())
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", len(offsets), body)
	}
	b.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	obj("<< /Type /Catalog /Pages 2 0 R >>")
	kids := make([]string, pages)
	for i := range kids {
		kids[i] = fmt.Sprintf("%d 0 R", 3+i)
	}
	obj(fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", strings.Join(kids, " "), pages))
	for range pages {
		obj("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << >> >>")
	}
	if pad > 0 {
		obj(fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", pad, strings.Repeat("A", pad)))
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(offsets)+1)
	for _, o := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(offsets)+1, xref)
	return b.Bytes()
}

// b64Lines is base64 split into 76-character lines, as PHP's chunk_split
// and many other clients send it.
func b64Lines(data []byte) string {
	s := base64.StdEncoding.EncodeToString(data)
	var b strings.Builder
	for len(s) > 76 {
		b.WriteString(s[:76] + "\r\n")
		s = s[76:]
	}
	b.WriteString(s)
	return b.String()
}

func (e *env) postXML(call, query, body string) (*http.Response, string) {
	e.t.Helper()
	return e.do("POST", e.url(call, signed("sha256", call, query, e.secret)), "application/xml", strings.NewReader(body))
}

func (e *env) waitConversions() {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := e.s.WaitConversions(ctx); err != nil {
		e.t.Fatal(err)
	}
}

func byName(ps []Presentation) map[string]Presentation {
	m := map[string]Presentation{}
	for _, p := range ps {
		m[p.Name] = p
	}
	return m
}

var pngBytes = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89")

// TestPresentationsInline: §14.11 – inline base64 documents, formats,
// pages, names, flags, order; outcomes only through the hook.
func TestPresentationsInline(t *testing.T) {
	e := newEnv(t, Config{})
	docs := []string{
		`<document name="three.pdf">` + b64Lines(makePDF(3, 0)) + `</document>`,
		`<document name="notes.txt" downloadable="true" removable="false" current="true">` + b64Lines([]byte("line\n")) + `</document>`,
		`<document name="noextension">` + b64Lines(makePDF(1, 0)) + `</document>`,
		`<document name="setup.exe">TVqQAAMAAAAEAAAA</document>`,
		`<document name="fake.pdf">` + b64Lines(pngBytes) + `</document>`,
		`<document name="broken.pdf">` + b64Lines([]byte("%PDF-1.4\nthis is not a pdf\n")) + `</document>`,
		`<document name="many.pdf"><![CDATA[` + b64Lines(makePDF(201, 0)) + `]]></document>`,
		`<document name="pic.PNG">` + b64Lines(pngBytes) + `</document>`,
		`<document name="dir/sub/deck.pdf">` + b64Lines(makePDF(2, 0)) + `</document>`,
		`<document url="">ignored: neither url nor name</document>`,
	}
	body := `<?xml version="1.0" encoding="UTF-8"?>` + "\n<modules>\n<!-- slides -->\n<module name=\"presentation\">" + strings.Join(docs, "\n") + "</module></modules>\n"
	_, out := e.postXML("create", "name=Room&meetingID=room-1", body)
	wantKey(t, parseResp(t, out), "SUCCESS", "")
	e.waitConversions()
	ps := e.s.Presentations("room-1")
	if len(ps) != 9 {
		t.Fatalf("%d presentations: %+v", len(ps), ps)
	}
	// The first current="true" document moves to the front and is shown.
	if ps[0].Name != "notes.txt" || !ps[0].Current || !ps[0].Initial || ps[1].Current {
		t.Fatalf("order/current: %+v", ps[:2])
	}
	got := byName(ps)
	want := map[string]struct {
		status, reason string
		pages          int
	}{
		"three.pdf":   {StatusConverted, "", 3},
		"notes.txt":   {StatusConverted, "", 1},
		"noextension": {StatusFailed, ReasonInvalidFilename, 0},
		"setup.exe":   {StatusFailed, ReasonUnsupportedFormat, 0},
		"fake.pdf":    {StatusFailed, ReasonUnsupportedFormat, 0},
		"broken.pdf":  {StatusFailed, ReasonPageCountFailed, 0},
		"many.pdf":    {StatusFailed, ReasonTooManyPages, 201},
		"pic.PNG":     {StatusConverted, "", 1},
		"deck.pdf":    {StatusConverted, "", 2},
	}
	for name, w := range want {
		p, ok := got[name]
		if !ok {
			t.Errorf("missing %s", name)
			continue
		}
		if p.Status != w.status || p.Reason != w.reason || p.Pages != w.pages || p.Source != "inline" {
			t.Errorf("%s: %+v, want %+v", name, p, w)
		}
	}
	if p := got["three.pdf"]; p.Downloadable || !p.Removable || p.Size != int64(len(makePDF(3, 0))) {
		t.Errorf("defaults: %+v", p)
	}
	if p := got["notes.txt"]; !p.Downloadable || p.Removable {
		t.Errorf("flags: %+v", p)
	}
	// The client page lists the slides.
	r := e.join("room-1", "A", "VIEWER")
	_, page := e.enter(r.SessionToken)
	mustContain(t, page, "three.pdf – converted, 3 pages")
	mustContain(t, page, "many.pdf – failed, 201 pages (too many pages)")
}

func TestPresentationLimits(t *testing.T) {
	e := newEnv(t, Config{MaxFileSize: 2000})
	small, large := makePDF(3, 0), makePDF(1, 2500)
	body := `<modules><module name="presentation"><document name="small.pdf">` + b64Lines(small) +
		`</document><document name="large.pdf">` + b64Lines(large) + `</document></module></modules>`
	e.postXML("create", "name=Room&meetingID=room-1&maxNumPages=2", body)
	e.waitConversions()
	got := byName(e.s.Presentations("room-1"))
	if p := got["small.pdf"]; p.Status != StatusFailed || p.Reason != ReasonTooManyPages {
		t.Errorf("maxNumPages=2: %+v", p)
	}
	if p := got["large.pdf"]; p.Status != StatusFailed || p.Reason != ReasonFileTooLarge || p.Size != int64(len(large)) {
		t.Errorf("MaxFileSize: %+v", p)
	}
}

// TestPresentationsURL: the server downloads URL documents itself.
func TestPresentationsURL(t *testing.T) {
	pdf := makePDF(4, 0)
	files := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/class7/week3.pdf", "/download":
			w.Write(pdf)
		case "/huge.pdf":
			w.Write(makePDF(1, 5000))
		default:
			http.NotFound(w, r)
		}
	}))
	defer files.Close()
	e := newEnv(t, Config{MaxFileSize: 3000})
	doc := func(attrs string) string { return `<document ` + attrs + `/>` }
	body := `<modules><module name="presentation">` +
		doc(`url="`+files.URL+`/class7/week3.pdf" downloadable="false" removable="true"`) +
		doc(`url="`+files.URL+`/download?id=7" filename="from-lms.pdf"`) +
		doc(`url="`+files.URL+`/download?id=8&amp;v=2"`) +
		doc(`url="`+files.URL+`/missing.pdf"`) +
		doc(`url="`+files.URL+`/huge.pdf"`) +
		doc(`url="ftp://files.example/a.pdf"`) +
		`</module></modules>`
	_, out := e.postXML("create", "name=Room&meetingID=room-1", body)
	wantKey(t, parseResp(t, out), "SUCCESS", "")
	e.waitConversions()
	got := byName(e.s.Presentations("room-1"))
	check := func(name, status, reason string, pages int) {
		t.Helper()
		p, ok := got[name]
		if !ok || p.Status != status || p.Reason != reason || p.Pages != pages || p.Source != "url" {
			t.Errorf("%s: %+v (present %v)", name, p, ok)
		}
	}
	check("week3.pdf", StatusConverted, "", 4)
	check("from-lms.pdf", StatusConverted, "", 4)
	// Without filename the name is the URL's last token, query included:
	// "download?id=8&v=2" has no extension.
	check("download?id=8&v=2", StatusFailed, ReasonInvalidFilename, 0)
	check("missing.pdf", StatusFailed, ReasonDownloadFailed, 0)
	check("huge.pdf", StatusFailed, ReasonFileTooLarge, 0)
	check("a.pdf", StatusFailed, ReasonDownloadFailed, 0)
	if got["week3.pdf"].URL != files.URL+"/class7/week3.pdf" {
		t.Error("URL not recorded")
	}
}

// TestDefaultPresentation: bbb-web's default.pdf rules.
func TestDefaultPresentation(t *testing.T) {
	e := newEnv(t, Config{})
	e.create("plain")
	if ps := e.s.Presentations("plain"); len(ps) != 1 || !ps[0].Default || !ps[0].Current || ps[0].Status != StatusConverted {
		t.Fatalf("no body: %+v", ps)
	}
	doc := `<modules><module name="presentation"><document name="a.txt">YQ==</document></module></modules>`
	e.postXML("create", "name=Room&meetingID=keep&preUploadedPresentationOverrideDefault=false", doc)
	if ps := e.s.Presentations("keep"); len(ps) != 2 || !ps[0].Default || ps[1].Name != "a.txt" {
		t.Fatalf("override=false: %+v", ps)
	}
	// Without a presentation module bbb-web never considers its default,
	// whatever preUploadedPresentationOverrideDefault says.
	e.postXML("create", "name=Room&meetingID=other&preUploadedPresentationOverrideDefault=false", `<modules><module name="clientSettingsOverride"><![CDATA[{}]]></module></modules>`)
	if ps := e.s.Presentations("other"); len(ps) != 0 {
		t.Fatalf("XML without presentation module: %+v", ps)
	}
	e.postXML("create", "name=Room&meetingID=off&disabledFeatures=presentation", doc)
	e.create("off2", "disabledFeatures=presentation")
	if len(e.s.Presentations("off"))+len(e.s.Presentations("off2")) != 0 {
		t.Fatal("presentation feature disabled")
	}
	e.waitConversions()
}

// TestModuleXMLErrors: XmlSlurper throws, bbb-web answers 500 although the
// meeting was created.
func TestModuleXMLErrors(t *testing.T) {
	e := newEnv(t, Config{})
	for i, body := range []string{
		`<modules><module name="presentation">`,
		`<!DOCTYPE x [<!ENTITY e "x">]><modules/>`,
		`<modules><module name="presentation"><document name="a.pdf">&nbsp;</document></module></modules>`,
		`<a/><b/>`,
		` <?xml version="1.0"?><modules/>`,
	} {
		id := fmt.Sprintf("bad-%d", i)
		resp, _ := e.postXML("create", "name=Room&meetingID="+id, body)
		if resp.StatusCode != http.StatusInternalServerError {
			t.Errorf("%q: status %d", body, resp.StatusCode)
		}
		if _, ok := e.s.Meeting(id); !ok {
			t.Errorf("%q: meeting must exist", body)
		}
	}
}

// TestInsertDocument: §14.9.
func TestInsertDocument(t *testing.T) {
	e := newEnv(t, Config{})
	e.create("abc123")
	doc := `<modules><module name="presentation"><document name="a.pdf">` + b64Lines(makePDF(2, 0)) +
		`</document><document name="b.pdf" current="true">` + b64Lines(makePDF(5, 0)) + `</document></module></modules>`
	// Doc vector: the checksum covers "meetingID=abc123" only.
	resp, out := e.do("POST", e.url("insertDocument", "meetingID=abc123&checksum=5550072b9b456c6e0c2bf6b9cb86b154c19f92b62ddad920167b444bc90067f9"), "application/xml", strings.NewReader(doc))
	if out != "<response><returncode>SUCCESS</returncode><messageKey></messageKey><message>Presentation is being uploaded</message></response>" || resp.StatusCode != 200 {
		t.Fatalf("insertDocument: %d %s", resp.StatusCode, out)
	}
	e.waitConversions()
	ps := e.s.Presentations("abc123")
	if len(ps) != 3 || !ps[0].Default || ps[1].Name != "b.pdf" || !ps[1].Current || ps[1].Initial || !ps[1].FromInsert || ps[1].Pages != 5 || ps[2].Current {
		t.Fatalf("presentations: %+v", ps)
	}
	_, out = e.postXML("insertDocument", "meetingID=nope", doc)
	if out != "<response><returncode>FAILED</returncode><messageKey></messageKey><message>Meeting with id [nope] not found.</message></response>" {
		t.Fatalf("unknown meeting: %s", out)
	}
	e.create("nopres", "disabledFeatures=presentation")
	_, out = e.postXML("insertDocument", "meetingID=nopres", doc)
	if r := parseResp(t, out); r.ReturnCode != "FAILED" || r.Message != msgPresentationDisabled {
		t.Fatalf("disabled: %s", out)
	}
	resp, out = e.postXML("insertDocument", "meetingID=abc123", "")
	if resp.StatusCode != 200 || out != "" {
		t.Fatalf("empty body: %d %q", resp.StatusCode, out)
	}
	resp, out = e.postXML("insertDocument", "meetingID=abc123", "<modules><module")
	if resp.StatusCode != http.StatusInternalServerError {
		t.Fatalf("broken XML: %d %s", resp.StatusCode, out)
	}
	// A repeated create never uploads, insertDocument always does.
	if n := len(e.s.Presentations("abc123")); n != 3 {
		t.Fatalf("%d presentations", n)
	}
	if r := e.s.Requests(); r[len(r)-1].Call != "insertDocument" || r[len(r)-1].Status != 500 {
		t.Fatalf("request log %+v", r[len(r)-1])
	}
}

// TestConversionIsAsynchronous: create answers before the conversion is
// done, like bbb-web.
func TestConversionIsAsynchronous(t *testing.T) {
	release := make(chan struct{})
	var mu sync.Mutex
	var seen []Presentation
	e := newEnv(t, Config{
		Convert: func(ctx context.Context, name string, r io.ReaderAt, size int64) (int, error) {
			select {
			case <-release:
			case <-ctx.Done():
				return 0, ctx.Err()
			}
			return DefaultConvert(ctx, name, r, size)
		},
		OnConversion: func(id string, p Presentation) {
			mu.Lock()
			seen = append(seen, p)
			mu.Unlock()
		},
	})
	body := `<modules><module name="presentation"><document name="a.pdf">` + b64Lines(makePDF(2, 0)) + `</document></module></modules>`
	_, out := e.postXML("create", "name=Room&meetingID=room-1", body)
	wantKey(t, parseResp(t, out), "SUCCESS", "")
	if ps := e.s.Presentations("room-1"); len(ps) != 1 || ps[0].Status != StatusProcessing {
		t.Fatalf("before conversion: %+v", ps)
	}
	close(release)
	e.waitConversions()
	if ps := e.s.Presentations("room-1"); ps[0].Status != StatusConverted || ps[0].Pages != 2 {
		t.Fatalf("after conversion: %+v", ps)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(seen) != 1 || seen[0].Name != "a.pdf" {
		t.Fatalf("OnConversion: %+v", seen)
	}
}

// TestLargeInlineUpload: a 30 MB PDF inline (about 40 MB of base64) with
// the body limit raised is streamed and answered before conversion.
func TestLargeInlineUpload(t *testing.T) {
	if testing.Short() {
		t.Skip("large upload")
	}
	pdf := makePDF(2, 30_000_000-600)
	if len(pdf) > 30_000_000 {
		t.Fatalf("pdf is %d bytes", len(pdf))
	}
	body := `<modules><module name="presentation"><document name="big.pdf">` + b64Lines(pdf) + `</document></module></modules>`
	e := newEnv(t, Config{MaxInlineBody: 64 << 20})
	start := time.Now()
	resp, out := e.postXML("create", "name=Room&meetingID=big", body)
	took := time.Since(start)
	if resp.StatusCode != 200 {
		t.Fatalf("%d %s", resp.StatusCode, out)
	}
	wantKey(t, parseResp(t, out), "SUCCESS", "")
	t.Logf("create with %d MB body answered in %v", len(body)>>20, took)
	e.waitConversions()
	ps := e.s.Presentations("big")
	if len(ps) != 1 || ps[0].Status != StatusConverted || ps[0].Pages != 2 || ps[0].Size != int64(len(pdf)) {
		t.Fatalf("%+v", ps)
	}
}

func BenchmarkCreateInline30MB(b *testing.B) {
	pdf := makePDF(2, 30_000_000-600)
	body := `<modules><module name="presentation"><document name="big.pdf">` + b64Lines(pdf) + `</document></module></modules>`
	s, err := New(Config{Secret: docSecret, MaxInlineBody: 64 << 20})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	ts := httptest.NewServer(s.Handler())
	defer ts.Close()
	b.SetBytes(int64(len(body)))
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		q := signed("sha256", "create", fmt.Sprintf("name=Room&meetingID=big-%d", i), docSecret)
		resp, err := http.Post(ts.URL+"/bigbluebutton/api/create?"+q, "application/xml", strings.NewReader(body))
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			b.Fatal(resp.Status)
		}
	}
	b.StopTimer()
	_ = s.WaitConversions(context.Background())
}
