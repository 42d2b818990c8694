package slides

import (
	"bytes"
	"context"
	"errors"
	"github.com/tafel-schule/tafel/internal/testpdf"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/tafel-schule/tafel/translations"
)

func TestValidateEachKind(t *testing.T) {
	cases := []struct {
		name  string
		data  []byte
		kind  Kind
		pages int
	}{
		{"deck.pdf", testpdf.Pages(3, "", 0), KindPDF, 3},
		{"deck.pptx", makePPTX(t, 4), KindPPTX, 4},
		{"old.ppt", makeCFB("PowerPoint Document"), KindPPT, 0},
		{"letter.docx", makeDOCX(t, 2), KindDOCX, 2},
		{"letter.doc", makeCFB("WordDocument"), KindDOC, 0},
		{"marks.xlsx", makeXLSX(t), KindXLSX, 0},
		{"marks.xls", makeCFB("Workbook"), KindXLS, 0},
		{"marks95.xls", makeCFB("Book"), KindXLS, 0},
		{"text.odt", makeODF(t, "text", 5), KindODT, 5},
		{"talk.odp", makeODF(t, "presentation", 6), KindODP, 6},
		{"calc.ods", makeODF(t, "spreadsheet", 0), KindODS, 0},
		{"draw.odg", makeODF(t, "graphics", 0), KindODG, 0},
		{"photo.jpg", makeJPEG(t), KindJPG, 1},
		{"photo.jpeg", makeJPEG(t), KindJPG, 1},
		{"chart.png", makePNG(t), KindPNG, 1},
		{"pic.webp", makeWEBP(), KindWEBP, 1},
		{"plan.svg", []byte(`<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>`), KindSVG, 1},
		{"notes.rtf", []byte(`{\rtf1\ansi Hallo}`), KindRTF, 0},
		{"notes.txt", []byte("Aufgabe 1: Brüche kürzen\n"), KindTXT, 0},
		// Notepad's "Unicode" (UTF-16LE with BOM): FF FE is also an MPEG sync.
		{"unicode.txt", utf16Text16("Aufgabe 1: Brüche kürzen 😀\r\n", false), KindTXT, 0},
		{"unicode-be.txt", utf16Text16("Aufgabe 2\r\n", true), KindTXT, 0},
		// A page count that overflows int is garbage metadata: unknown.
		{"huge-meta.docx", makeZip(t, zipEntry{"[Content_Types].xml", ctXML}, zipEntry{"word/document.xml", "<w:document/>"},
			zipEntry{"docProps/app.xml", `<Properties><Pages>99999999999999999999</Pages></Properties>`}), KindDOCX, 0},
		{"absurd-meta.docx", makeZip(t, zipEntry{"[Content_Types].xml", ctXML}, zipEntry{"word/document.xml", "<w:document/>"},
			zipEntry{"docProps/app.xml", `<Properties><ep:Pages> 5000000 </ep:Pages></Properties>`}), KindDOCX, 0},
		{"huge-meta.odt", makeZip(t, zipEntry{"mimetype", "application/vnd.oasis.opendocument.text"}, zipEntry{"content.xml", "<x/>"},
			zipEntry{"meta.xml", `<meta:document-statistic meta:page-count="18446744073709551616"/>`}), KindODT, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			info, err := Validate(context.Background(), writeFile(t, c.name, c.data), Limits{})
			if err != nil {
				t.Fatalf("Validate: %v", err)
			}
			if info.Kind != c.kind || info.Pages != c.pages || info.Size != int64(len(c.data)) {
				t.Fatalf("got kind %s pages %d size %d, want %s %d %d", info.Kind, info.Pages, info.Size, c.kind, c.pages, len(c.data))
			}
			if info.UploadName != c.name || len(info.Notices) != 0 {
				t.Fatalf("upload name %q, notices %v", info.UploadName, info.Notices)
			}
		})
	}
}

func TestWrongExtensionContentWins(t *testing.T) {
	tr := translations.New("de")
	for _, c := range []struct{ name, upload, ext string }{
		{"Stunde3.pptx", "Stunde3.pdf", "pptx"},
		{"Stunde3", "Stunde3.pdf", ""},
		{"Stunde3.PDF.exe", "Stunde3.PDF.pdf", "exe"},
		{".pdf", ".pdf", "pdf"},
	} {
		info, err := Validate(context.Background(), writeFile(t, c.name, testpdf.Pages(1, "", 0)), Limits{})
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if info.Kind != KindPDF || info.UploadName != c.upload {
			t.Fatalf("%s: kind %s upload %q, want pdf %q", c.name, info.Kind, info.UploadName, c.upload)
		}
		if c.upload == c.name {
			continue
		}
		if len(info.Notices) != 1 || info.Notices[0].Code != NoticeExtMismatch || info.Notices[0].Ext != c.ext {
			t.Fatalf("%s: notices %+v", c.name, info.Notices)
		}
		msg := NoticeMessage(tr, info.Notices[0])
		if !strings.Contains(msg, c.upload) || !strings.Contains(msg, "PDF") {
			t.Fatalf("notice text %q", msg)
		}
	}
	// A photo from a phone named .pdf is not a PDF: explain, do not upload.
	heic := append([]byte("\x00\x00\x00\x18ftypheic"), make([]byte, 100)...)
	_, err := Validate(context.Background(), writeFile(t, "Tafelbild.pdf", heic), Limits{})
	var e *Error
	if !errors.As(err, &e) || e.Code != CodeUnsupported || e.Detected != "heic" {
		t.Fatalf("heic: %v", err)
	}
	if msg := Message(tr, err); !strings.Contains(msg, "HEIC") || !strings.Contains(msg, "JPG") {
		t.Fatalf("heic message %q", msg)
	}
}

func TestZeroByte(t *testing.T) {
	_, err := Validate(context.Background(), writeFile(t, "leer.pdf", nil), Limits{})
	if !errors.Is(err, ErrEmpty) {
		t.Fatalf("err = %v", err)
	}
	if msg := Message(translations.New("en"), err); !strings.Contains(msg, "leer.pdf") || !strings.Contains(msg, "0 bytes") {
		t.Fatalf("message %q", msg)
	}
}

func TestOverSizeLimit(t *testing.T) {
	// A sparse file: 30 MB + 1 byte without writing 30 MB.
	p := filepath.Join(t.TempDir(), "riesig.pdf")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(DefaultMaxFileSize + 1); err != nil {
		t.Fatal(err)
	}
	f.Close()
	_, err = Validate(context.Background(), p, Limits{})
	var e *Error
	if !errors.Is(err, ErrTooLarge) || !errors.As(err, &e) || e.Size != DefaultMaxFileSize+1 || e.Limit != DefaultMaxFileSize {
		t.Fatalf("err = %v", err)
	}
	de := Message(translations.New("de"), err)
	if !strings.Contains(de, "30,1 MB") || !strings.Contains(de, "höchstens 30 MB") || strings.Contains(de, p) {
		t.Fatalf("de message %q", de)
	}
	en := Message(translations.New("en"), err)
	if !strings.Contains(en, "30.1 MB") || !strings.Contains(en, "at most 30 MB") {
		t.Fatalf("en message %q", en)
	}
	// The pool's own limit counts, not BBB's default.
	_, err = Validate(context.Background(), writeFile(t, "a.pdf", testpdf.Pages(1, "", 5000)), Limits{MaxFileSize: 4000})
	if !errors.As(err, &e) || e.Code != CodeTooLarge || e.Limit != 4000 {
		t.Fatalf("custom limit: %v", err)
	}
}

func TestOverPageLimit(t *testing.T) {
	tr := translations.New("de")
	_, err := Validate(context.Background(), writeFile(t, "lang.pdf", testpdf.Pages(201, "", 0)), Limits{})
	var e *Error
	if !errors.As(err, &e) || e.Code != CodeTooManyPages || e.Pages != 201 || e.MaxPages != 200 {
		t.Fatalf("err = %v", err)
	}
	if msg := Message(tr, err); !strings.Contains(msg, "201 Seiten") || !strings.Contains(msg, "höchstens 200") {
		t.Fatalf("message %q", msg)
	}
	if _, err := Validate(context.Background(), writeFile(t, "ok.pdf", testpdf.Pages(200, "", 0)), Limits{}); err != nil {
		t.Fatalf("200 pages: %v", err)
	}
	_, err = Validate(context.Background(), writeFile(t, "deck.pptx", makePPTX(t, 3)), Limits{MaxPages: 2})
	if !errors.Is(err, ErrTooManyPages) {
		t.Fatalf("pptx: %v", err)
	}
	_, err = Validate(context.Background(), writeFile(t, "deck.odp", makeODF(t, "presentation", 3)), Limits{MaxPages: 2})
	if !errors.Is(err, ErrTooManyPages) {
		t.Fatalf("odp: %v", err)
	}
}

func TestEncryptedPDF(t *testing.T) {
	plain := testpdf.Pages(2, "", 0)
	locked := encryptPDF(t, plain, "geheim", "owner")
	_, err := Validate(context.Background(), writeFile(t, "Arbeitsblatt.pdf", locked), Limits{})
	if !errors.Is(err, ErrEncrypted) {
		t.Fatalf("user password: err = %v", err)
	}
	if msg := Message(translations.New("de"), err); !strings.Contains(msg, "Passwort") || !strings.Contains(msg, "Arbeitsblatt.pdf") {
		t.Fatalf("message %q", msg)
	}
	restricted := encryptPDF(t, plain, "", "owner")
	info, err := Validate(context.Background(), writeFile(t, "r.pdf", restricted), Limits{})
	if err != nil {
		t.Fatalf("owner-only: %v", err)
	}
	if info.Pages != 2 || len(info.Notices) != 1 || info.Notices[0].Code != NoticeRestrictedPDF {
		t.Fatalf("owner-only: pages %d notices %+v", info.Pages, info.Notices)
	}
}

func TestCorrupt(t *testing.T) {
	pdf := testpdf.Pages(3, "", 2000)
	docx := makeDOCX(t, 1)
	cases := map[string][]byte{
		"truncated.pdf":   pdf[:len(pdf)/2],
		"garbage.pdf":     []byte("%PDF-1.7\nthis is not a pdf at all\n"),
		"truncated.docx":  docx[:len(docx)/2],
		"broken.png":      makePNG(t)[:20],
		"broken.jpg":      []byte{0xFF, 0xD8, 0xFF, 0x00, 0x01},
		"broken.doc":      append(append([]byte{}, magicOLE...), make([]byte, 600)...),
		"odp-no-content":  makeZip(t, zipEntry{"mimetype", "application/vnd.oasis.opendocument.presentation"}),
		"junk-header.pdf": append([]byte("\r\n\x00junk"), pdf...),
	}
	for name, data := range cases {
		_, err := Validate(context.Background(), writeFile(t, name, data), Limits{})
		if !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: err = %v, want corrupt", name, err)
			continue
		}
		if msg := Message(translations.New("de"), err); !strings.Contains(msg, name) || !strings.Contains(msg, "neu") {
			t.Errorf("%s: message %q", name, msg)
		}
	}
}

func TestUnsupportedAndUnreadable(t *testing.T) {
	cases := map[string]struct {
		data     []byte
		detected string
	}{
		"a.zip":  {makeZip(t, zipEntry{"x.txt", "hi"}), "zip"},
		"a.gif":  {[]byte("GIF89a\x01\x00\x01\x00"), "gif"},
		"a.exe":  {[]byte("MZ\x90\x00\x03"), "program"},
		"a.html": {[]byte("<!DOCTYPE html><html><body>hi</body></html>"), "html"},
		"a.txt":  {[]byte("K\xfcrbis\n"), "text-not-utf8"},
		"a.bin":  {[]byte{1, 2, 0, 4}, "binary"},
		"a.vsd":  {makeCFB("VisioDocument"), "visio"},
		"a.key":  {makeZip(t, zipEntry{"Index/Document.iwa", "x"}, zipEntry{"Metadata/Properties.plist", "x"}), "iwork"},
	}
	for name, c := range cases {
		_, err := Validate(context.Background(), writeFile(t, name, c.data), Limits{})
		var e *Error
		if !errors.As(err, &e) || e.Code != CodeUnsupported || e.Detected != c.detected {
			t.Errorf("%s: err = %v, want unsupported %s", name, err, c.detected)
			continue
		}
		for _, lang := range translations.Languages {
			msg := Message(translations.New(lang), err)
			if strings.Contains(msg, "slides.detected") || strings.Contains(msg, "slides.unsupported") || !strings.Contains(msg, name) {
				t.Errorf("%s/%s: message %q", name, lang, msg)
			}
		}
	}
	dir := t.TempDir()
	for _, p := range []string{filepath.Join(dir, "fehlt.pdf"), dir} {
		_, err := Validate(context.Background(), p, Limits{})
		if !errors.Is(err, ErrUnreadable) {
			t.Fatalf("%s: %v", p, err)
		}
		if strings.Contains(err.Error(), dir) {
			t.Fatalf("error names the full path: %v", err)
		}
	}
}

func TestAllCodesTranslated(t *testing.T) {
	codes := []Code{CodeEmpty, CodeTooLarge, CodeTooManyPages, CodeEncrypted, CodeCorrupt, CodeUnsupported,
		CodeUnreadable, CodeNeedsURLUpload, NoticeExtMismatch, NoticeLargePDF, NoticeRestrictedPDF}
	for _, lang := range translations.Languages {
		tr := translations.New(lang)
		for _, c := range codes {
			if tr.T(string(c)) == string(c) {
				t.Errorf("%s: %s missing", lang, c)
			}
		}
		for _, d := range []string{"heic", "avif", "gif", "bmp", "tiff", "video", "audio", "zip", "archive", "program",
			"postscript", "xml", "html", "binary", "unknown", "text-not-utf8", "epub", "ooxml-other",
			"opendocument-other", "ole", "visio", "outlook-msg", "empty", "iwork"} {
			if k := "slides.detected." + d; tr.T(k) == k {
				t.Errorf("%s: %s missing", lang, k)
			}
		}
	}
	if got := Message(translations.New("en"), errors.New("boom")); got == "slides.failed" || strings.Contains(got, "boom") {
		t.Fatalf("generic message %q", got)
	}
}

func TestContextCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Validate(ctx, writeFile(t, "a.pdf", testpdf.Pages(1, "", 0)), Limits{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
}

func TestFormatBytes(t *testing.T) {
	for _, c := range []struct {
		lang string
		n    int64
		up   bool
		want string
	}{
		{"de", 30_000_000, false, "30 MB"},
		{"de", 30_000_001, true, "30,1 MB"},
		{"en", 2 << 20, false, "2 MB"},
		{"en", 2 << 20, true, "2.1 MB"},
		{"de", 1500, true, "1,5 KB"},
	} {
		if got := formatBytes(c.lang, c.n, c.up); got != c.want {
			t.Errorf("formatBytes(%s, %d, %v) = %q, want %q", c.lang, c.n, c.up, got, c.want)
		}
	}
}

// utf16Text16 encodes s as UTF-16 with a BOM.
func utf16Text16(s string, bigEndian bool) []byte {
	var b []byte
	for _, c := range append([]uint16{0xFEFF}, utf16.Encode([]rune(s))...) {
		if bigEndian {
			b = append(b, byte(c>>8), byte(c))
		} else {
			b = append(b, byte(c), byte(c>>8))
		}
	}
	return b
}

func TestSniffUTF16(t *testing.T) {
	// BOM + 2046 units: the 4 KB window ends between the two halves of 😀.
	long := utf16Text16(strings.Repeat("kürzen", 341)+"😀 Ende", false)
	for _, c := range []struct {
		name     string
		data     []byte
		kind     Kind
		detected string
	}{
		{"le", utf16Text16("Hallo Klasse\n", false), KindTXT, "text-utf16le"},
		{"be", utf16Text16("Hallo Klasse\n", true), KindTXT, "text-utf16be"},
		{"le long, window cuts a pair", long, KindTXT, "text-utf16le"},
		{"le with one stray ESC in long text", utf16Text16(strings.Repeat("Zeile\n", 20)+"\x1b", false), KindTXT, "text-utf16le"},
		{"mpeg frame: NUL units", []byte{0xFF, 0xFE, 0x90, 0x00, 0x00, 0x00, 0x12, 0x34}, "", "audio"},
		{"mpeg frame: lone low surrogate", []byte{0xFF, 0xFE, 0x00, 0xDC, 0x41, 0x00}, "", "audio"},
		{"mpeg frame: high surrogate without low", []byte{0xFF, 0xFE, 0x00, 0xD8, 0x41, 0x00}, "", "audio"},
		{"mpeg frame: control characters", []byte{0xFF, 0xFE, 0x01, 0x00, 0x02, 0x00, 0x41, 0x00}, "", "audio"},
		{"be junk", []byte{0xFE, 0xFF, 0x00, 0x00}, "", "binary"},
	} {
		t.Run(c.name, func(t *testing.T) {
			k, d, err := Sniff(bytes.NewReader(c.data), int64(len(c.data)))
			if err != nil || k != c.kind || d != c.detected {
				t.Fatalf("Sniff = %q %q %v, want %q %q", k, d, err, c.kind, c.detected)
			}
		})
	}
}
