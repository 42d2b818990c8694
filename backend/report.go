package backend

import (
	"context"
	"os"
	"path/filepath"
	"sync"

	"github.com/tafel-schule/tafel/diagnostics"
	"github.com/tafel-schule/tafel/internal/atomicfile"
	"github.com/tafel-schule/tafel/rooms"
	"github.com/tafel-schule/tafel/translations"
)

// ReportService makes the report for IT for the GUI ("Bericht für die
// IT"). It gets its inputs from gather, which cmd/tafel provides (the
// sound devices need cgo, which this package must not), and shows or
// saves the report only where the teacher says: nothing is sent.
type ReportService struct {
	gather func(ctx context.Context) diagnostics.Sources
	tr     translations.Translator
	open   rooms.Opener

	mu     sync.Mutex
	dir    string // private temp dir of OpenInBrowser; removed by Close
	closed bool
}

// NewReport returns the service. opener opens the HTML page (nil: the
// system's default browser).
func NewReport(gather func(ctx context.Context) diagnostics.Sources, tr translations.Translator, opener rooms.Opener) *ReportService {
	if opener == nil {
		opener = rooms.BrowserOpener("")
	}
	return &ReportService{gather: gather, tr: tr, open: opener}
}

// Build collects a fresh report; redactIPs replaces IP addresses by their
// kind.
func (s *ReportService) Build(ctx context.Context, redactIPs bool) (*diagnostics.Report, error) {
	var src diagnostics.Sources
	if s.gather != nil {
		src = s.gather(ctx)
	}
	if src.Lang == "" {
		src.Lang = s.tr.Lang
	}
	src.RedactIPs = redactIPs
	return diagnostics.Build(ctx, src)
}

// Preview is the HTML page as it would be saved.
func (s *ReportService) Preview(r *diagnostics.Report) ([]byte, error) { return r.HTML(s.tr) }

// Save writes the HTML page and the JSON file into dir and returns their
// paths (HTML first). Either both are written or neither.
func (s *ReportService) Save(r *diagnostics.Report, dir string) ([]string, error) {
	h, j, err := diagnostics.WriteFiles(dir, r, s.tr)
	if err != nil {
		return nil, err
	}
	return []string{h, j}, nil
}

// OpenInBrowser writes the HTML page into a private temporary folder
// (0700, the file 0600) and opens it in the browser. Close removes it.
func (s *ReportService) OpenInBrowser(r *diagnostics.Report) error {
	page, err := r.HTML(s.tr)
	if err != nil {
		return err
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return ErrClosed
	}
	if s.dir == "" {
		d, err := os.MkdirTemp("", "tafel-report-") // 0700
		if err != nil {
			s.mu.Unlock()
			return err
		}
		s.dir = d
	}
	name, _ := r.FileNames()
	path := filepath.Join(s.dir, name)
	err = atomicfile.Write(path, page, 0o600)
	s.mu.Unlock()
	if err != nil {
		return err
	}
	return rooms.OpenWithin(s.open, rooms.NewJoinURL(fileURL(path)))
}

// Close removes the temporary pages.
func (s *ReportService) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	if s.dir == "" {
		return nil
	}
	err := os.RemoveAll(s.dir)
	s.dir = ""
	return err
}
