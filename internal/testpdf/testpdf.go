// Package testpdf builds small, valid PDFs for tests and benchmarks: a given
// number of pages, each showing "Seite N", optionally padded to reach a file
// size, and optionally tagged so that two files never share their bytes.
package testpdf

import (
	"bytes"
	"fmt"
	"strings"
)

// Pages returns a valid PDF with pages pages. tag (may be empty) goes into
// every content stream as a comment; each content stream is padded with
// comment lines to at least pad bytes.
func Pages(pages int, tag string, pad int) []byte {
	var b bytes.Buffer
	var offs []int
	obj := func(body string) {
		offs = append(offs, b.Len())
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", len(offs), body)
	}
	b.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	// Objects: 1 catalog, 2 pages, 3 font, then page and content per page.
	kids := make([]string, pages)
	for i := range pages {
		kids[i] = fmt.Sprintf("%d 0 R", 4+2*i)
	}
	obj("<< /Type /Catalog /Pages 2 0 R >>")
	obj(fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", strings.Join(kids, " "), pages))
	obj("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
	line := "%" + strings.Repeat("x", 78) + "\n"
	for i := range pages {
		obj(fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>", 5+2*i))
		var c strings.Builder
		fmt.Fprintf(&c, "BT /F1 24 Tf 72 760 Td (Seite %d) Tj ET\n", i+1)
		if tag != "" {
			fmt.Fprintf(&c, "%% %s\n", strings.NewReplacer("\r", " ", "\n", " ").Replace(tag))
		}
		for c.Len() < pad {
			c.WriteString(line)
		}
		obj(fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", c.Len(), c.String()))
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(offs)+1)
	for _, o := range offs {
		fmt.Fprintf(&b, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(offs)+1, xref)
	return b.Bytes()
}
