package slides

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
)

// makeImagePDF is a scanned-worksheet-like PDF: every page shows its own
// JPEG (DCTDecode image XObject) of jpegSize bytes, the way photographed
// or scanned handouts look.
func makeImagePDF(t testing.TB, pages, jpegSize int) []byte {
	img := image.NewGray(image.Rect(0, 0, 600, 600))
	seed := uint32(1)
	for i := range img.Pix {
		seed = seed*1664525 + 1013904223
		img.Pix[i] = byte(seed >> 24)
	}
	var jb bytes.Buffer
	if err := jpeg.Encode(&jb, img, &jpeg.Options{Quality: 95}); err != nil {
		t.Fatal(err)
	}
	base := jb.Bytes()
	if len(base) > jpegSize {
		base = base[:jpegSize]
	}
	var b bytes.Buffer
	var offs []int
	obj := func(body string) {
		offs = append(offs, b.Len())
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", len(offs), body)
	}
	b.WriteString("%PDF-1.5\n%\xe2\xe3\xcf\xd3\n")
	kids := make([]string, pages)
	for i := range pages {
		kids[i] = fmt.Sprintf("%d 0 R", 3+3*i)
	}
	obj("<< /Type /Catalog /Pages 2 0 R >>")
	obj(fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", strings.Join(kids, " "), pages))
	for i := range pages {
		obj(fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents %d 0 R /Resources << /XObject << /Im0 %d 0 R >> >> >>", 4+3*i, 5+3*i))
		c := "q 595 0 0 842 0 0 cm /Im0 Do Q"
		obj(fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(c), c))
		// Unique bytes per page (after EOI, ignored by decoders), so
		// nothing can be deduplicated.
		data := append(append([]byte{}, base...), []byte(fmt.Sprintf("page-%d", i))...)
		for len(data) < jpegSize {
			data = append(data, 0)
		}
		offs = append(offs, b.Len())
		fmt.Fprintf(&b, "%d 0 obj\n<< /Type /XObject /Subtype /Image /Width 600 /Height 600 /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /DCTDecode /Length %d >>\nstream\n", len(offs), len(data))
		b.Write(data)
		b.WriteString("\nendstream\nendobj\n")
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(offs)+1)
	for _, o := range offs {
		fmt.Fprintf(&b, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(offs)+1, xref)
	return b.Bytes()
}

// encryptPDF encrypts with AES-256; an empty user password gives a PDF that
// opens without a password but has owner restrictions.
func encryptPDF(t testing.TB, pdf []byte, userPW, ownerPW string) []byte {
	t.Helper()
	conf := model.NewAESConfiguration(userPW, ownerPW, 256)
	var out bytes.Buffer
	if err := api.Encrypt(bytes.NewReader(pdf), &out, conf); err != nil {
		t.Fatalf("encrypt: %v", err)
	}
	return out.Bytes()
}

// makeCFB builds a minimal OLE2 compound file with one stream entry named
// stream (512-byte sectors: header, FAT sector 0, directory sector 1).
func makeCFB(stream string) []byte {
	b := make([]byte, 512*3)
	le := binary.LittleEndian
	copy(b, magicOLE)
	le.PutUint16(b[0x18:], 0x3E)
	le.PutUint16(b[0x1A:], 3)
	le.PutUint16(b[0x1C:], 0xFFFE)
	le.PutUint16(b[0x1E:], 9)
	le.PutUint16(b[0x20:], 6)
	le.PutUint32(b[0x2C:], 1)
	le.PutUint32(b[0x30:], 1)
	le.PutUint32(b[0x38:], 4096)
	le.PutUint32(b[0x3C:], cfbEndOfChain)
	le.PutUint32(b[0x44:], cfbEndOfChain)
	for i := range 109 {
		le.PutUint32(b[0x4C+4*i:], 0xFFFFFFFF)
	}
	le.PutUint32(b[0x4C:], 0)
	fat := b[512:1024]
	for i := 0; i < 512; i += 4 {
		le.PutUint32(fat[i:], 0xFFFFFFFF)
	}
	le.PutUint32(fat[0:], 0xFFFFFFFD)
	le.PutUint32(fat[4:], cfbEndOfChain)
	dir := b[1024:]
	entry := func(i int, name string, typ byte, child uint32) {
		e := dir[i*128 : i*128+128]
		u := utf16.Encode([]rune(name))
		for j, c := range u {
			le.PutUint16(e[2*j:], c)
		}
		le.PutUint16(e[0x40:], uint16(2*len(u)+2))
		e[0x42] = typ
		le.PutUint32(e[0x44:], 0xFFFFFFFF)
		le.PutUint32(e[0x48:], 0xFFFFFFFF)
		le.PutUint32(e[0x4C:], child)
		le.PutUint32(e[0x74:], cfbEndOfChain)
	}
	entry(0, "Root Entry", 5, 1)
	entry(1, stream, 2, 0xFFFFFFFF)
	return b
}

type zipEntry struct{ name, body string }

func makeZip(t testing.TB, entries ...zipEntry) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, e := range entries {
		method := zip.Deflate
		if e.name == "mimetype" {
			method = zip.Store // ODF: first and uncompressed
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: e.name, Method: method})
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(e.body))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

const ctXML = `<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>`

func makePPTX(t testing.TB, slides int) []byte {
	es := []zipEntry{{"[Content_Types].xml", ctXML}, {"_rels/.rels", "<Relationships/>"}, {"ppt/presentation.xml", "<p:presentation/>"}}
	for i := 1; i <= slides; i++ {
		es = append(es, zipEntry{fmt.Sprintf("ppt/slides/slide%d.xml", i), "<p:sld/>"})
	}
	return makeZip(t, es...)
}

func makeDOCX(t testing.TB, pages int) []byte {
	return makeZip(t, zipEntry{"[Content_Types].xml", ctXML}, zipEntry{"word/document.xml", "<w:document/>"},
		zipEntry{"docProps/app.xml", fmt.Sprintf(`<Properties><Pages>%d</Pages></Properties>`, pages)})
}

func makeXLSX(t testing.TB) []byte {
	return makeZip(t, zipEntry{"[Content_Types].xml", ctXML}, zipEntry{"xl/workbook.xml", "<workbook/>"})
}

func makeODF(t testing.TB, kind string, pages int) []byte {
	var content strings.Builder
	content.WriteString(`<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"><office:body><office:presentation>`)
	if kind == "presentation" {
		for i := range pages {
			fmt.Fprintf(&content, `<draw:page draw:name="p%d"/>`, i+1)
		}
	}
	content.WriteString(`</office:presentation></office:body></office:document-content>`)
	meta := `<office:document-meta><office:meta></office:meta></office:document-meta>`
	if kind == "text" {
		meta = fmt.Sprintf(`<office:document-meta><office:meta><meta:document-statistic meta:page-count="%d"/></office:meta></office:document-meta>`, pages)
	}
	return makeZip(t, zipEntry{"mimetype", "application/vnd.oasis.opendocument." + kind},
		zipEntry{"content.xml", content.String()}, zipEntry{"meta.xml", meta}, zipEntry{"META-INF/manifest.xml", "<manifest/>"})
}

func makePNG(t testing.TB) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 8, 8))
	img.Set(1, 1, color.RGBA{255, 0, 0, 255})
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func makeJPEG(t testing.TB) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 8, 8))
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func makeWEBP() []byte {
	b := []byte("RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00\x2f\x00\x00\x00\x10\x07\x10\x11\x11\x88\x88\xfe\x07\x00")
	return b
}

func writeFile(t testing.TB, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}
