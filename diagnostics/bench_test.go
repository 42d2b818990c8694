package diagnostics

import (
	"context"
	"testing"

	"github.com/tafel-schule/tafel/translations"
)

// BenchmarkBuildReport: Build, JSON and HTML with a realistic history and
// 50 log records (what `tafel report` and the GUI's button do).
func BenchmarkBuildReport(b *testing.B) {
	src := testSources(b, 50)
	tr := translations.New("de")
	b.ReportAllocs()
	for b.Loop() {
		r, err := Build(context.Background(), src)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := r.JSON(); err != nil {
			b.Fatal(err)
		}
		if _, err := r.HTML(tr); err != nil {
			b.Fatal(err)
		}
	}
}
