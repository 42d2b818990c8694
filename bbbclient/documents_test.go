package bbbclient

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func openString(s string) func() (io.ReadCloser, error) {
	return func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(s)), nil }
}

// patternReader yields n deterministic bytes without holding them.
type patternReader struct {
	n, off int64
	closed atomic.Bool
	// gate, if set, is called before each read with the offset.
	gate func(off int64) error
}

func (p *patternReader) Read(b []byte) (int, error) {
	if p.closed.Load() {
		return 0, errors.New("read after close")
	}
	if p.gate != nil {
		if err := p.gate(p.off); err != nil {
			return 0, err
		}
	}
	if p.n >= 0 && p.off >= p.n {
		return 0, io.EOF
	}
	if p.n >= 0 && int64(len(b)) > p.n-p.off {
		b = b[:p.n-p.off]
	}
	for i := range b {
		x := p.off + int64(i)
		b[i] = byte(x*7 + x>>9)
	}
	p.off += int64(len(b))
	return len(b), nil
}

func (p *patternReader) Close() error { p.closed.Store(true); return nil }

type xmlModules struct {
	XMLName xml.Name `xml:"modules"`
	Modules []struct {
		Name string `xml:"name,attr"`
		Docs []struct {
			Name         string `xml:"name,attr"`
			URL          string `xml:"url,attr"`
			Filename     string `xml:"filename,attr"`
			Downloadable string `xml:"downloadable,attr"`
			Removable    string `xml:"removable,attr"`
			Current      string `xml:"current,attr"`
			Content      string `xml:",chardata"`
		} `xml:"document"`
	} `xml:"module"`
}

func TestInsertDocumentRequest(t *testing.T) {
	srv, rec := xmlServer(t, 200, fixtureInsertDoc)
	c, _ := newTestClient(t, srv.URL)
	pdf := "%PDF-1.4\n\x00\xff binary \"quoted\" & <tags>\n"
	docs := []Document{
		{Name: `Arbeitsblatt "7b" & <Lösung>.pdf`, Open: openString(pdf), Size: int64(len(pdf)), Downloadable: true, Removable: true, Current: true},
		{URL: "https://files.example.org/a.pdf?x=1&y=\"2\"", Filename: "week3.pdf"},
		{Name: "unknown-size.txt", Open: openString("hello")},
	}
	var progress []int64
	err := c.InsertDocument(t.Context(), "abc123", docs, UploadOptions{Progress: func(sent, total int64) {
		progress = append(progress, sent, total)
	}})
	if err != nil {
		t.Fatal(err)
	}
	got := rec.last(t)
	if got.Method != http.MethodPost || got.Path != "/bigbluebutton/api/insertDocument" {
		t.Errorf("%s %s", got.Method, got.Path)
	}
	// bbb-api.md §2.6 vector: insertDocumentmeetingID=abc123<secret>, sha256.
	if got.RawQuery != "meetingID=abc123&checksum=5550072b9b456c6e0c2bf6b9cb86b154c19f92b62ddad920167b444bc90067f9" {
		t.Errorf("query = %s", got.RawQuery)
	}
	if got.ContentType != "application/xml" {
		t.Errorf("Content-Type = %q", got.ContentType)
	}
	var m xmlModules
	if err := xml.Unmarshal(got.Body, &m); err != nil {
		t.Fatalf("body is not XML: %v\n%s", err, got.Body)
	}
	if len(m.Modules) != 1 || m.Modules[0].Name != "presentation" || len(m.Modules[0].Docs) != 3 {
		t.Fatalf("modules = %+v", m)
	}
	d := m.Modules[0].Docs
	raw, err := base64.StdEncoding.DecodeString(d[0].Content)
	if err != nil || string(raw) != pdf {
		t.Errorf("inline content = %q, %v", raw, err)
	}
	if d[0].Name != docs[0].Name || d[0].Downloadable != "true" || d[0].Removable != "true" || d[0].Current != "true" {
		t.Errorf("doc0 = %+v", d[0])
	}
	if d[1].URL != docs[1].URL || d[1].Filename != "week3.pdf" || d[1].Downloadable != "false" || d[1].Removable != "false" || d[1].Current != "false" || d[1].Content != "" {
		t.Errorf("doc1 = %+v", d[1])
	}
	if raw, _ := base64.StdEncoding.DecodeString(d[2].Content); string(raw) != "hello" {
		t.Errorf("doc2 = %q", raw)
	}
	// Attributes are explicit, never left to the version-dependent defaults.
	if n := bytes.Count(got.Body, []byte(`downloadable="`)); n != 3 {
		t.Errorf("downloadable written %d times", n)
	}
	// One unknown size: chunked, progress total unknown.
	if got.ContentLength != -1 || len(got.TransferEncoding) == 0 || got.TransferEncoding[0] != "chunked" {
		t.Errorf("ContentLength %d, TE %v", got.ContentLength, got.TransferEncoding)
	}
	if len(progress) < 2 || progress[len(progress)-2] != int64(len(pdf)+5) || progress[len(progress)-1] != -1 {
		t.Errorf("progress = %v", progress)
	}
}

func TestUploadContentLength(t *testing.T) {
	srv, rec := xmlServer(t, 200, fixtureInsertDoc)
	c, _ := newTestClient(t, srv.URL)
	for _, size := range []int64{1, 2, 3, 4, 100_000, 100_001, 100_002} {
		docs := []Document{
			{Name: "a.pdf", Open: func() (io.ReadCloser, error) { return &patternReader{n: size}, nil }, Size: size},
			{URL: "https://x.org/b.pdf"},
		}
		want, err := EncodedSize(docs)
		if err != nil {
			t.Fatal(err)
		}
		var last, total int64
		if err := c.InsertDocument(t.Context(), "abc123", docs, UploadOptions{Progress: func(s, tot int64) { last, total = s, tot }}); err != nil {
			t.Fatal(err)
		}
		got := rec.last(t)
		if got.ContentLength != want || int64(len(got.Body)) != want || len(got.TransferEncoding) != 0 {
			t.Errorf("size %d: ContentLength %d, body %d, EncodedSize %d, TE %v", size, got.ContentLength, len(got.Body), want, got.TransferEncoding)
		}
		if last != size || total != size {
			t.Errorf("progress %d/%d, want %d", last, total, size)
		}
	}
	n, err := EncodedSize([]Document{{Name: "a.pdf", Open: openString("x")}})
	if err != nil || n != -1 {
		t.Errorf("unknown size: %d %v", n, err)
	}
}

func TestCreateWithDocuments(t *testing.T) {
	srv, rec := xmlServer(t, 200, fixtureF1Create)
	c, _ := newTestClient(t, srv.URL)
	content := strings.Repeat("slide ", 1000)
	_, err := c.Create(t.Context(), CreateParams{
		Name: "Klasse 7b", MeetingID: "klasse-7b",
		Documents: []Document{{Name: "s.pdf", Open: openString(content), Size: int64(len(content)), Removable: true}},
	})
	if err != nil {
		t.Fatal(err)
	}
	got := rec.last(t)
	if got.Method != http.MethodPost || got.ContentType != "application/xml" {
		t.Errorf("%s %q", got.Method, got.ContentType)
	}
	// All parameters stay in the URL; the checksum covers the query only.
	if q := verifySigned(t, "create", got.RawQuery, docSecret); q != "name=Klasse+7b&meetingID=klasse-7b&record=false" {
		t.Errorf("query = %s", q)
	}
	var m xmlModules
	if err := xml.Unmarshal(got.Body, &m); err != nil {
		t.Fatal(err)
	}
	raw, _ := base64.StdEncoding.DecodeString(m.Modules[0].Docs[0].Content)
	if string(raw) != content {
		t.Error("content mismatch")
	}
}

func TestFileDocument(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "Folien 7b.pdf")
	content := bytes.Repeat([]byte{0, 1, 2, 250, 251, 252}, 50_000)
	if err := os.WriteFile(path, content, 0o600); err != nil {
		t.Fatal(err)
	}
	d, err := FileDocument(path)
	if err != nil {
		t.Fatal(err)
	}
	if d.Name != "Folien 7b.pdf" || d.Size != int64(len(content)) || !d.Removable || d.Downloadable {
		t.Errorf("doc = %+v", d)
	}
	srv, rec := xmlServer(t, 200, fixtureInsertDoc)
	c, _ := newTestClient(t, srv.URL)
	if err := c.InsertDocument(t.Context(), "abc123", []Document{d}, UploadOptions{}); err != nil {
		t.Fatal(err)
	}
	var m xmlModules
	if err := xml.Unmarshal(rec.last(t).Body, &m); err != nil {
		t.Fatal(err)
	}
	raw, _ := base64.StdEncoding.DecodeString(m.Modules[0].Docs[0].Content)
	if !bytes.Equal(raw, content) {
		t.Error("file content mismatch")
	}
	if _, err := FileDocument(dir); err == nil {
		t.Error("directory accepted")
	}
	if _, err := FileDocument(filepath.Join(dir, "missing.pdf")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing: %v", err)
	}
}

func TestDocumentValidation(t *testing.T) {
	srv, rec := xmlServer(t, 200, fixtureInsertDoc)
	c, _ := newTestClient(t, srv.URL)
	for name, docs := range map[string][]Document{
		"none":            nil,
		"no extension":    {{Name: "slides", Open: openString("x")}},
		"dot only":        {{Name: ".pdf", Open: openString("x")}},
		"trailing dot":    {{Name: "a.", Open: openString("x")}},
		"both forms":      {{Name: "a.pdf", Open: openString("x"), URL: "https://x.org/a.pdf"}},
		"neither form":    {{Name: "a.pdf"}},
		"ftp url":         {{URL: "ftp://x.org/a.pdf"}},
		"relative url":    {{URL: "/a.pdf"}},
		"negative size":   {{Name: "a.pdf", Open: openString("x"), Size: -1}},
		"control in name": {{Name: "a\n.pdf", Open: openString("x")}},
	} {
		if err := c.InsertDocument(t.Context(), "abc123", docs, UploadOptions{}); !isValidation(err) {
			t.Errorf("%s: err = %v", name, err)
		}
	}
	if err := c.InsertDocument(t.Context(), "a,b", []Document{{URL: "https://x.org/a.pdf"}}, UploadOptions{}); !isValidation(err) {
		t.Errorf("bad meeting id: %v", err)
	}
	if len(rec.all()) != 0 {
		t.Error("request sent")
	}
}

func TestUploadDocumentErrors(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		io.WriteString(w, fixtureInsertDoc)
	}))
	defer srv.Close()
	c, _ := newTestClient(t, srv.URL)
	tests := []struct {
		name string
		doc  Document
		is   error
	}{
		{"open fails", Document{Name: "a.pdf", Open: func() (io.ReadCloser, error) { return nil, os.ErrPermission }}, os.ErrPermission},
		{"longer than Size", Document{Name: "a.pdf", Open: openString("0123456789abcdef"), Size: 10}, nil},
		{"shorter than Size", Document{Name: "a.pdf", Open: openString("0123456789"), Size: 16}, nil},
		{"read error", Document{Name: "a.pdf", Open: func() (io.ReadCloser, error) {
			return &patternReader{n: -1, gate: func(off int64) error {
				if off > 100_000 {
					return io.ErrUnexpectedEOF
				}
				return nil
			}}, nil
		}}, io.ErrUnexpectedEOF},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := c.InsertDocument(t.Context(), "abc123", []Document{tt.doc}, UploadOptions{})
			var de *DocumentError
			if !errors.As(err, &de) || de.Name != "a.pdf" {
				t.Fatalf("err = %T %v", err, err)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("errors.Is(%v, %v) = false", err, tt.is)
			}
		})
	}
}

// TestUploadRedirect307 replays the body through GetBody (Open is called
// again) when a balancer answers 307, and refuses a 302 that would turn
// the POST into a bodyless GET.
func TestUploadRedirect307(t *testing.T) {
	node, rec := xmlServer(t, 200, fixtureInsertDoc)
	status := http.StatusTemporaryRedirect
	lb := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		http.Redirect(w, r, node.URL+r.URL.Path+"?"+r.URL.RawQuery, status)
	}))
	defer lb.Close()
	c, _ := newTestClient(t, lb.URL)
	var opens atomic.Int32
	doc := Document{Name: "a.pdf", Size: 5, Open: func() (io.ReadCloser, error) {
		opens.Add(1)
		return io.NopCloser(strings.NewReader("hello")), nil
	}}
	if err := c.InsertDocument(t.Context(), "abc123", []Document{doc}, UploadOptions{}); err != nil {
		t.Fatal(err)
	}
	if opens.Load() != 2 {
		t.Errorf("Open called %d times", opens.Load())
	}
	got := rec.last(t)
	var m xmlModules
	if err := xml.Unmarshal(got.Body, &m); err != nil || got.ContentType != "application/xml" || got.Method != http.MethodPost {
		t.Fatalf("%s %q %v", got.Method, got.ContentType, err)
	}
	if raw, _ := base64.StdEncoding.DecodeString(m.Modules[0].Docs[0].Content); string(raw) != "hello" {
		t.Errorf("content %q", raw)
	}

	status = http.StatusFound
	err := c.InsertDocument(t.Context(), "abc123", []Document{doc}, UploadOptions{})
	var te *TransportError
	if !errors.As(err, &te) || !strings.Contains(err.Error(), "drop the POST body") {
		t.Fatalf("302: err = %v", err)
	}
	if len(rec.all()) != 1 {
		t.Error("302 was followed")
	}
}

func TestUpload413(t *testing.T) {
	for _, readBody := range []bool{true, false} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if readBody {
				io.Copy(io.Discard, r.Body)
			}
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusRequestEntityTooLarge)
			io.WriteString(w, "<html><head><title>413 Request Entity Too Large</title></head></html>")
		}))
		c, logs := newTestClient(t, srv.URL)
		err := c.InsertDocument(t.Context(), "abc123", []Document{{Name: "a.pdf", Open: openString(strings.Repeat("x", 3000)), Size: 3000}}, UploadOptions{})
		if !errors.Is(err, ErrBodyTooLarge) || StatusCode(err) != 413 {
			t.Errorf("readBody=%v: err = %v", readBody, err)
		}
		assertClean(t, "413", err.Error()+logs.String(), docSecret, "5550072b")
		srv.Close()
	}
}

// TestUploadStreamsIncrementally proves the body is produced while the
// file is read: the reader stalls after 1 MiB until the server has
// received the first 64 KiB. A client that buffered first would deadlock.
func TestUploadStreamsIncrementally(t *testing.T) {
	const size = 4 << 20
	serverGot := make(chan struct{})
	var once sync.Once
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		buf := make([]byte, 32<<10)
		var n int64
		for {
			k, err := r.Body.Read(buf)
			n += int64(k)
			if n >= 64<<10 {
				once.Do(func() { close(serverGot) })
			}
			if err != nil {
				break
			}
		}
		io.WriteString(w, fixtureInsertDoc)
	}))
	defer srv.Close()
	c, _ := newTestClient(t, srv.URL)
	var readAtFirstByte atomic.Int64
	readAtFirstByte.Store(-1)
	doc := Document{Name: "big.pdf", Size: size, Open: func() (io.ReadCloser, error) {
		return &patternReader{n: size, gate: func(off int64) error {
			if off < 1<<20 {
				return nil
			}
			select {
			case <-serverGot:
				readAtFirstByte.CompareAndSwap(-1, off)
				return nil
			case <-time.After(10 * time.Second):
				return errors.New("server received nothing while the file was being read: body is not streamed")
			}
		}}, nil
	}}
	if err := c.InsertDocument(t.Context(), "abc123", []Document{doc}, UploadOptions{}); err != nil {
		t.Fatal(err)
	}
	if off := readAtFirstByte.Load(); off < 0 || off >= size {
		t.Errorf("server got data at file offset %d", off)
	}
}

// TestUpload30MBMemory uploads a 30 MB document and checks that allocation
// and heap growth stay far below the file size (never the whole file or
// its 40 MB base64 copy in memory).
func TestUpload30MBMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	const size = 30_000_000
	var gotSum [32]byte
	var gotLen int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := sha256.New()
		gotLen, _ = io.Copy(h, r.Body)
		copy(gotSum[:], h.Sum(nil))
		io.WriteString(w, fixtureInsertDoc)
	}))
	defer srv.Close()
	c, _ := newTestClient(t, srv.URL)
	doc := Document{Name: "30mb.pdf", Size: size, Removable: true, Open: func() (io.ReadCloser, error) { return &patternReader{n: size}, nil }}

	// The expected body, hashed as a stream too.
	want := sha256.New()
	parts, _ := buildParts([]Document{doc})
	io.WriteString(want, xmlPrologue+parts[0].head)
	enc := base64.NewEncoder(base64.StdEncoding, want)
	io.Copy(enc, &patternReader{n: size})
	enc.Close()
	io.WriteString(want, docCloseTag+xmlEpilogue)

	var peak atomic.Uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	wg.Go(func() {
		for {
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			if m.HeapInuse > peak.Load() {
				peak.Store(m.HeapInuse)
			}
			select {
			case <-stop:
				return
			case <-time.After(2 * time.Millisecond):
			}
		}
	})
	err := c.InsertDocument(t.Context(), "abc123", []Document{doc}, UploadOptions{})
	close(stop)
	wg.Wait()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	if wantLen, _ := EncodedSize([]Document{doc}); gotLen != wantLen {
		t.Fatalf("server got %d bytes, want %d", gotLen, wantLen)
	}
	if !bytes.Equal(gotSum[:], want.Sum(nil)) {
		t.Fatal("body hash mismatch")
	}
	const limit = 16 << 20
	alloc := after.TotalAlloc - before.TotalAlloc
	growth := int64(peak.Load()) - int64(before.HeapInuse)
	t.Logf("30 MB upload: TotalAlloc +%d KiB, peak HeapInuse +%d KiB", alloc>>10, growth>>10)
	if alloc > limit || growth > limit {
		t.Errorf("memory scales with the file: alloc %d, heap growth %d", alloc, growth)
	}
}

// TestUploadCancelClosesFile cancels mid-upload: the call returns
// context.Canceled, the file is closed by the time it returns, and no
// producer goroutine is left behind.
func TestUploadCancelClosesFile(t *testing.T) {
	for _, size := range []int64{0, 1 << 40} { // chunked and Content-Length
		t.Run(fmt.Sprint(size), func(t *testing.T) {
			started, release := make(chan struct{}), make(chan struct{})
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				io.CopyN(io.Discard, r.Body, 256<<10)
				close(started)
				<-release // stall: stop reading, never answer
			}))
			defer srv.Close()
			defer close(release)
			c, _ := newTestClient(t, srv.URL)
			r := &patternReader{n: -1}
			ctx, cancel := context.WithCancel(t.Context())
			go func() {
				<-started
				cancel()
			}()
			doc := Document{Name: "endless.pdf", Size: size, Open: func() (io.ReadCloser, error) { return r, nil }}
			err := c.InsertDocument(ctx, "abc123", []Document{doc}, UploadOptions{})
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("err = %v", err)
			}
			if !r.closed.Load() {
				t.Error("file not closed when InsertDocument returned")
			}
			assertNoProducer(t)
		})
	}
}

// assertNoProducer waits briefly for upload goroutines to be gone.
func assertNoProducer(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Second)
	for {
		buf := make([]byte, 1<<20)
		stacks := string(buf[:runtime.Stack(buf, true)])
		if !strings.Contains(stacks, "bbbclient.(*xmlBody)") {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("upload goroutine leaked:\n%s", stacks)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestUploadNoLeakOnSuccess(t *testing.T) {
	srv, _ := xmlServer(t, 200, fixtureInsertDoc)
	c, _ := newTestClient(t, srv.URL)
	for range 5 {
		if err := c.InsertDocument(t.Context(), "abc123", []Document{{Name: "a.pdf", Open: openString("x")}}, UploadOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	assertNoProducer(t)
}

// BenchmarkInlineUpload measures the streaming encoder end to end against
// a server that discards the body.
func BenchmarkInlineUpload(b *testing.B) {
	const size = 8 << 20
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		io.WriteString(w, fixtureInsertDoc)
	}))
	defer srv.Close()
	c, err := New(Options{BaseURL: srv.URL, Secret: docSecret})
	if err != nil {
		b.Fatal(err)
	}
	doc := Document{Name: "b.pdf", Size: size, Open: func() (io.ReadCloser, error) { return &patternReader{n: size}, nil }}
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		if err := c.InsertDocument(b.Context(), "abc123", []Document{doc}, UploadOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEncodeBody is the encoder alone, into io.Discard.
func BenchmarkEncodeBody(b *testing.B) {
	const size = 8 << 20
	doc := Document{Name: "b.pdf", Size: size, Open: func() (io.ReadCloser, error) { return &patternReader{n: size}, nil }}
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		body, err := newXMLBody(b.Context(), []Document{doc}, UploadOptions{})
		if err != nil {
			b.Fatal(err)
		}
		rc, _ := body.open()
		io.Copy(io.Discard, rc)
		body.finish()
	}
}

var _ hash.Hash = sha256.New()
