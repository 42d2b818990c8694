package slides

import (
	"bytes"
	"context"
	"github.com/tafel-schule/tafel/internal/testpdf"
	"testing"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
)

// BenchmarkValidatePDF30MB200Pages validates a PDF at both stock limits:
// 200 pages, just under 30 MB (sniffing, pdfcpu read + relaxed
// validation, page count).
func BenchmarkValidatePDF30MB200Pages(b *testing.B) {
	pdf := testpdf.Pages(200, "", 148_500)
	if len(pdf) > DefaultMaxFileSize || len(pdf) < DefaultMaxFileSize-1_000_000 {
		b.Fatalf("fixture is %d bytes", len(pdf))
	}
	path := writeFile(b, "gross.pdf", pdf)
	b.SetBytes(int64(len(pdf)))
	for b.Loop() {
		info, err := Validate(context.Background(), path, Limits{})
		if err != nil || info.Pages != 200 {
			b.Fatalf("%v, %d pages", err, info.Pages)
		}
	}
}

// BenchmarkValidatePPTX is the common small case.
func BenchmarkValidatePPTX(b *testing.B) {
	path := writeFile(b, "deck.pptx", makePPTX(b, 30))
	for b.Loop() {
		if _, err := Validate(context.Background(), path, Limits{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkValidateScanPDF30MB200Pages: 200 pages, each a ~149 KB JPEG
// image, written by pdfcpu with object streams and an xref stream (how
// current exporters write PDFs).
func BenchmarkValidateScanPDF30MB200Pages(b *testing.B) {
	raw := makeImagePDF(b, 200, 148_000)
	var opt bytes.Buffer
	conf := model.NewDefaultConfiguration()
	if err := api.Optimize(bytes.NewReader(raw), &opt, conf); err != nil {
		b.Fatal(err)
	}
	pdf := opt.Bytes()
	if len(pdf) > DefaultMaxFileSize || len(pdf) < DefaultMaxFileSize-1_000_000 {
		b.Fatalf("fixture is %d bytes", len(pdf))
	}
	path := writeFile(b, "scan.pdf", pdf)
	b.SetBytes(int64(len(pdf)))
	for b.Loop() {
		info, err := Validate(context.Background(), path, Limits{})
		if err != nil || info.Pages != 200 {
			b.Fatalf("%v, %d pages", err, info.Pages)
		}
	}
}
