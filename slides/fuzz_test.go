package slides

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"github.com/tafel-schule/tafel/internal/testpdf"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// seedInputs are the kinds of content the sniffer must tell apart, plus
// broken variants. TestWriteFuzzSeeds commits them to testdata/fuzz.
func seedInputs(t testing.TB) map[string][]byte {
	pdf := testpdf.Pages(2, "", 0)
	docx := makeDOCX(t, 1)
	return map[string][]byte{
		"pdf":           pdf,
		"pdf-truncated": pdf[:len(pdf)/2],
		"pdf-encrypted": encryptPDF(t, pdf, "u", "o"),
		"pptx":          makePPTX(t, 2),
		"docx":          docx,
		"docx-cut":      docx[:len(docx)-30],
		"xlsx":          makeXLSX(t),
		"odp":           makeODF(t, "presentation", 2),
		"odt":           makeODF(t, "text", 1),
		"doc":           makeCFB("WordDocument"),
		"ppt":           makeCFB("PowerPoint Document"),
		"ole-bad":       append(append([]byte{}, magicOLE...), bytes.Repeat([]byte{0xFF}, 600)...),
		"png":           makePNG(t),
		"jpg":           makeJPEG(t),
		"webp":          makeWEBP(),
		"svg":           []byte(`<svg xmlns="http://www.w3.org/2000/svg"/>`),
		"rtf":           []byte(`{\rtf1 x}`),
		"txt":           []byte("Hallo Klasse\n"),
		"heic":          []byte("\x00\x00\x00\x18ftypheic\x00\x00\x00\x00"),
		"empty":         {},
		"pdf-junk":      append([]byte("junk\n"), pdf...),
		"keynote":       makeZip(t, zipEntry{"Index/Document.iwa", "x"}),
		// Review findings: a page count overflowing int, Notepad's "Unicode".
		"docx-huge-pages": makeZip(t, zipEntry{"[Content_Types].xml", ctXML}, zipEntry{"word/document.xml", "<w:document/>"},
			zipEntry{"docProps/app.xml", `<Properties><Pages>99999999999999999999</Pages></Properties>`}),
		"txt-utf16le": utf16Text16("Hallo Klasse\r\nAufgabe 1: Brüche kürzen\r\n", false),
	}
}

// FuzzValidate feeds arbitrary bytes to the content sniffer and validator:
// no panic, no hang, and every accepted file is consistent.
func FuzzValidate(f *testing.F) {
	for _, d := range seedInputs(f) {
		f.Add(d)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r := bytes.NewReader(data)
		k1, d1, e1 := Sniff(r, int64(len(data)))
		k2, d2, e2 := Sniff(r, int64(len(data)))
		if k1 != k2 || d1 != d2 || (e1 == nil) != (e2 == nil) {
			t.Fatalf("Sniff not deterministic")
		}
		info, err := ValidateReader(context.Background(), "upload.bin", r, int64(len(data)), Limits{})
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Code == "" || e.File != "upload.bin" {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		if info.Kind != k1 || kindOfExt(strings.TrimPrefix(filepath.Ext(info.UploadName), ".")) != info.Kind {
			t.Fatalf("kind %s, sniffed %s, upload name %q", info.Kind, k1, info.UploadName)
		}
		if info.Pages < 0 || info.Pages > DefaultMaxPages {
			t.Fatalf("pages %d", info.Pages)
		}
	})
}

// TestWriteFuzzSeeds regenerates testdata/fuzz/FuzzValidate when
// TAFEL_WRITE_SEEDS=1 (the committed files are its output).
func TestWriteFuzzSeeds(t *testing.T) {
	if os.Getenv("TAFEL_WRITE_SEEDS") != "1" {
		t.Skip("set TAFEL_WRITE_SEEDS=1 to rewrite the seed corpus")
	}
	dir := filepath.Join("testdata", "fuzz", "FuzzValidate")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, d := range seedInputs(t) {
		body := fmt.Sprintf("go test fuzz v1\n[]byte(%s)\n", strconv.Quote(string(d)))
		if err := os.WriteFile(filepath.Join(dir, "seed-"+name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
