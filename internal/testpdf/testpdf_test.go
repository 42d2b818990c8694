package testpdf

import (
	"bytes"
	"testing"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
)

func TestPagesIsValid(t *testing.T) {
	api.DisableConfigDir()
	for _, n := range []int{1, 3, 200} {
		pdf := Pages(n, "tag\nwith newline", 1000)
		conf := model.NewDefaultConfiguration()
		conf.ValidationMode = model.ValidationStrict
		if err := api.Validate(bytes.NewReader(pdf), conf); err != nil {
			t.Fatalf("%d pages: %v", n, err)
		}
		got, err := api.PageCount(bytes.NewReader(pdf), conf)
		if err != nil || got != n {
			t.Fatalf("page count %d, %v; want %d", got, err, n)
		}
	}
	if bytes.Equal(Pages(1, "a", 0), Pages(1, "b", 0)) {
		t.Fatal("tags must make files differ")
	}
}
