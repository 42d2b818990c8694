package slides

import (
	"bytes"
	"context"
	"errors"
	"github.com/tafel-schule/tafel/internal/testpdf"
	"io"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tafel-schule/tafel/bbbclient"
	"github.com/tafel-schule/tafel/internal/bbbsim"
	"github.com/tafel-schule/tafel/translations"
)

func validated(t *testing.T, name string, data []byte) *Info {
	t.Helper()
	info, err := Validate(context.Background(), writeFile(t, name, data), Limits{})
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return info
}

func TestPrepareBatchesAndNeedURL(t *testing.T) {
	small := validated(t, "a.pdf", testpdf.Pages(2, "", 300_000))  // ~0.6 MB → ~0.8 MB encoded
	small2 := validated(t, "b.pdf", testpdf.Pages(2, "", 300_000)) // fits with a, not with a+c
	small3 := validated(t, "c.pdf", testpdf.Pages(2, "", 300_000))
	big := validated(t, "gross.pdf", testpdf.Pages(4, "", 700_000)) // ~2.8 MB raw: never inline under 2 MiB
	plan, err := Prepare([]*Info{small, big, small2, small3}, PrepareOptions{FirstCurrent: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Batches) != 2 || len(plan.Batches[0].Docs) != 2 || len(plan.Batches[1].Docs) != 1 {
		t.Fatalf("batches: %d %+v", len(plan.Batches), plan.Batches)
	}
	for i, b := range plan.Batches {
		n, err := bbbclient.EncodedSize(b.Docs)
		if err != nil || n != b.BodySize || n > DefaultMaxInlineBody {
			t.Fatalf("batch %d: body %d, recorded %d, err %v", i, n, b.BodySize, err)
		}
	}
	if !plan.Batches[0].Docs[0].Current || plan.Batches[0].Docs[1].Current || !plan.Batches[0].Docs[0].Removable {
		t.Fatalf("flags: %+v", plan.Batches[0].Docs)
	}
	if plan.RawTotal != small.Size+small2.Size+small3.Size {
		t.Fatalf("RawTotal %d", plan.RawTotal)
	}
	if len(plan.NeedURL) != 1 || plan.NeedURL[0].File != "gross.pdf" || plan.NeedURL[0].Limit != DefaultMaxInlineBody ||
		plan.NeedURL[0].Size <= DefaultMaxInlineBody {
		t.Fatalf("NeedURL %+v", plan.NeedURL)
	}
	if err := plan.Err(); !errors.Is(err, ErrNeedsURLUpload) {
		t.Fatalf("Err() = %v", err)
	}
	msg := Message(translations.New("de"), plan.NeedURL[0])
	if !strings.Contains(msg, "2 MB") || !strings.Contains(msg, "URL") || !strings.Contains(msg, "gross.pdf") {
		t.Fatalf("message %q", msg)
	}
	// When the first file must wait for a URL upload, the first file
	// really sent becomes current.
	plan, _ = Prepare([]*Info{big, small, small2}, PrepareOptions{FirstCurrent: true})
	if d := plan.Batches[0].Docs; !d[0].Current || d[1].Current {
		t.Fatalf("current flags after a NeedURL file: %v %v", d[0].Current, d[1].Current)
	}
	// A pool with a larger inline limit takes it inline.
	plan, err = Prepare([]*Info{big}, PrepareOptions{Limits: Limits{MaxInlineBody: 8 << 20}})
	if err != nil || len(plan.Batches) != 1 || len(plan.NeedURL) != 0 || plan.Err() != nil {
		t.Fatalf("8 MiB pool: %+v %v", plan, err)
	}
	// Content validated from memory uploads from memory.
	data := testpdf.Pages(1, "", 0)
	mem, err := ValidateReader(context.Background(), "/tmp/x/Mitschrift", bytes.NewReader(data), int64(len(data)), Limits{})
	if err != nil || mem.UploadName != "Mitschrift.pdf" || mem.Path != "" {
		t.Fatalf("ValidateReader: %+v %v", mem, err)
	}
	rc, _ := mem.Open()
	got, _ := io.ReadAll(rc)
	if !bytes.Equal(got, data) {
		t.Fatal("Open returned other bytes")
	}
	if _, err := Prepare([]*Info{{File: "x.pdf"}}, PrepareOptions{}); err == nil {
		t.Fatal("unvalidated Info accepted")
	}
}

// Round trip: validated files (one with a wrong extension) go to bbbsim
// through bbbclient — the first batch with create, the rest with
// insertDocument — and the simulator converts every one of them.
func TestRoundTripBBBSim(t *testing.T) {
	sim, err := bbbsim.New(bbbsim.Config{Secret: "test-secret-5b"})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sim.Handler())
	t.Cleanup(func() { srv.Close(); sim.Close() })
	client, err := bbbclient.New(bbbclient.Options{BaseURL: srv.URL + "/bigbluebutton/api", Secret: "test-secret-5b"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	infos := []*Info{
		validated(t, "Einstieg.pdf", testpdf.Pages(3, "", 400_000)),
		validated(t, "Folien.ppt", testpdf.Pages(2, "", 400_000)), // really a PDF
		validated(t, "Abschluss.pptx", makePPTX(t, 5)),
		validated(t, "Tafelbild.png", makePNG(t)),
		validated(t, "Vokabeln.odt", makeODF(t, "text", 1)),
		validated(t, "Noten.xlsx", makeXLSX(t)),
	}
	plan, err := Prepare(infos, PrepareOptions{FirstCurrent: true})
	if err != nil || len(plan.NeedURL) != 0 || len(plan.Batches) < 2 {
		t.Fatalf("plan: %d batches, %d need URL, %v", len(plan.Batches), len(plan.NeedURL), err)
	}
	var mu sync.Mutex
	var last, calls int64
	progress := func(sent, total int64) {
		mu.Lock()
		defer mu.Unlock()
		if sent < last || total != plan.RawTotal || sent > total {
			t.Errorf("progress went from %d to %d of %d (total %d)", last, sent, total, plan.RawTotal)
		}
		last, calls = sent, calls+1
	}
	res, err := client.Create(ctx, bbbclient.CreateParams{
		Name: "Klasse 7b", MeetingID: "tafel-5b-roundtrip",
		Documents: plan.Batches[0].Docs, Upload: plan.Options(0, progress),
	})
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	if err := plan.InsertAll(ctx, client, res.MeetingID, 1, progress); err != nil {
		t.Fatalf("insert: %v", err)
	}
	if last != plan.RawTotal || calls == 0 {
		t.Fatalf("progress ended at %d of %d after %d calls", last, plan.RawTotal, calls)
	}
	if err := sim.WaitConversions(ctx); err != nil {
		t.Fatal(err)
	}
	got := map[string]bbbsim.Presentation{}
	for _, p := range sim.Presentations(res.MeetingID) {
		got[p.Name] = p
	}
	for _, info := range infos {
		p, ok := got[info.UploadName]
		if !ok {
			t.Errorf("%s (as %s) not on the server; have %v", info.File, info.UploadName, got)
			continue
		}
		if p.Status != bbbsim.StatusConverted || p.Size != info.Size {
			t.Errorf("%s: status %s (%s), size %d of %d", info.UploadName, p.Status, p.Reason, p.Size, info.Size)
		}
		if info.Pages > 0 && info.Kind != KindODT && p.Pages != info.Pages {
			t.Errorf("%s: server counted %d pages, we %d", info.UploadName, p.Pages, info.Pages)
		}
	}
	if !got["Einstieg.pdf"].Initial {
		t.Errorf("first file is not the initial presentation: %+v", got["Einstieg.pdf"])
	}
	// Without the content check the wrongly named file fails on the server.
	raw := infos[1]
	doc := bbbclient.Document{Name: raw.File, Size: raw.Size, Open: raw.Open, Removable: true}
	if err := client.InsertDocument(ctx, res.MeetingID, []bbbclient.Document{doc}, bbbclient.UploadOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := sim.WaitConversions(ctx); err != nil {
		t.Fatal(err)
	}
	for _, p := range sim.Presentations(res.MeetingID) {
		if p.Name == raw.File && p.Status != bbbsim.StatusFailed {
			t.Errorf("simulator accepted a PDF named .ppt: %+v", p)
		}
	}
}

// A file over the pool's inline limit gets an explanation, and a pool that
// raises its limit takes the same file.
func TestRoundTripInlineLimit(t *testing.T) {
	sim, err := bbbsim.New(bbbsim.Config{Secret: "s5b", MaxInlineBody: 4 << 20})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sim.Handler())
	t.Cleanup(func() { srv.Close(); sim.Close() })
	client, _ := bbbclient.New(bbbclient.Options{BaseURL: srv.URL, Secret: "s5b"})
	info := validated(t, "gross.pdf", testpdf.Pages(4, "", 700_000))
	plan, _ := Prepare([]*Info{info}, PrepareOptions{})
	if len(plan.NeedURL) != 1 || len(plan.Batches) != 0 {
		t.Fatalf("default limit: %+v", plan)
	}
	lim := Limits{MaxInlineBody: 4 << 20}
	plan, _ = Prepare([]*Info{info}, PrepareOptions{Limits: lim})
	if len(plan.Batches) != 1 {
		t.Fatalf("4 MiB limit: %+v", plan)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	res, err := client.Create(ctx, bbbclient.CreateParams{Name: "Raum", MeetingID: "tafel-5b-big",
		Documents: plan.Batches[0].Docs, Upload: plan.Options(0, nil)})
	if err != nil {
		t.Fatal(err)
	}
	sim.WaitConversions(ctx)
	ps := sim.Presentations(res.MeetingID)
	if len(ps) == 0 || ps[0].Name != "gross.pdf" || ps[0].Status != bbbsim.StatusConverted || ps[0].Pages != 4 {
		t.Fatalf("presentations %+v", ps)
	}
}
