package slides

import (
	"archive/zip"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"image"
	_ "image/jpeg" // DecodeConfig for the corruption check
	_ "image/png"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
)

// Limits are a pool's presentation limits. Zero fields take the stock BBB
// values, which are also bbbsim's defaults (bbb-api.md §4.2).
type Limits struct {
	MaxFileSize   int64 // bytes per file (maxFileSizeUpload)
	MaxPages      int   // pages per file (maxNumPages)
	MaxInlineBody int64 // whole inline POST body, base64 included
}

// Stock BBB limits.
const (
	DefaultMaxFileSize   = 30_000_000
	DefaultMaxPages      = 200
	DefaultMaxInlineBody = 2 << 20
	// SlowPDFSize is where PDF conversions start to hit BBB's 5-minute
	// timeout (bbb-api.md §4.2: "PDFs over about 12 MB have timed out").
	SlowPDFSize = 12_000_000
)

// DefaultLimits returns the stock BBB limits.
func DefaultLimits() Limits {
	return Limits{MaxFileSize: DefaultMaxFileSize, MaxPages: DefaultMaxPages, MaxInlineBody: DefaultMaxInlineBody}
}

func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	if l.MaxFileSize <= 0 {
		l.MaxFileSize = d.MaxFileSize
	}
	if l.MaxPages <= 0 {
		l.MaxPages = d.MaxPages
	}
	if l.MaxInlineBody <= 0 {
		l.MaxInlineBody = d.MaxInlineBody
	}
	return l
}

// Info describes a file that passed validation.
type Info struct {
	Path       string // local path; "" for ValidateReader
	File       string // base name as chosen by the teacher
	UploadName string // name sent to BBB; its extension always matches Kind
	Kind       Kind
	Size       int64
	Pages      int // 0 when the format does not tell without converting
	Notices    []*Notice

	open func() (io.ReadCloser, error)
}

// Open returns the validated content for the upload.
func (i *Info) Open() (io.ReadCloser, error) {
	if i.open == nil {
		return nil, errors.New("slides: Info was not produced by Validate")
	}
	return i.open()
}

var disableConfigOnce sync.Once

// pdfcpu must never create or read ~/.config/pdfcpu from a teacher's laptop.
func pdfcpuInit() { disableConfigOnce.Do(api.DisableConfigDir) }

// Validate checks a local file before any upload: size against the limit
// first (no need to read a 2 GB video), then the type by content, then
// corruption, encryption and page count.
func Validate(ctx context.Context, path string, lim Limits) (*Info, error) {
	name := filepath.Base(path)
	fi, err := os.Stat(path)
	if err != nil {
		return nil, &Error{Code: CodeUnreadable, File: name, Err: pathless(err)}
	}
	if !fi.Mode().IsRegular() {
		return nil, &Error{Code: CodeUnreadable, File: name, Err: errors.New("not a regular file")}
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, &Error{Code: CodeUnreadable, File: name, Err: pathless(err)}
	}
	defer f.Close()
	info, err := ValidateReader(ctx, name, f, fi.Size(), lim)
	if err != nil {
		return nil, err
	}
	info.Path = path
	info.open = func() (io.ReadCloser, error) { return os.Open(path) }
	return info, nil
}

// pathless drops the path from an *fs.PathError: messages name files by
// base name only (a path can contain the teacher's user name).
func pathless(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %w", pe.Op, pe.Err)
	}
	return err
}

// ValidateReader is Validate for content already in hand (a drag-and-drop
// buffer); name is only used for messages and the upload name. The returned
// Info's Open reads from r, which must stay valid until the upload ends.
func ValidateReader(ctx context.Context, name string, r io.ReaderAt, size int64, lim Limits) (*Info, error) {
	lim = lim.withDefaults()
	name = filepath.Base(name)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	switch {
	case size == 0:
		return nil, &Error{Code: CodeEmpty, File: name}
	case size < 0:
		return nil, &Error{Code: CodeUnreadable, File: name, Err: errors.New("unknown size")}
	case size > lim.MaxFileSize:
		return nil, &Error{Code: CodeTooLarge, File: name, Size: size, Limit: lim.MaxFileSize}
	}
	kind, detected, err := Sniff(r, size)
	if err != nil {
		if errors.Is(err, errCorruptContainer) {
			return nil, &Error{Code: CodeCorrupt, File: name, Kind: kind, Detected: detected, Err: err}
		}
		return nil, &Error{Code: CodeUnreadable, File: name, Err: pathless(err)}
	}
	if kind == "" {
		return nil, &Error{Code: CodeUnsupported, File: name, Detected: detected}
	}
	info := &Info{File: name, Kind: kind, Size: size,
		open: func() (io.ReadCloser, error) { return io.NopCloser(io.NewSectionReader(r, 0, size)), nil }}
	info.UploadName, info.Notices = uploadName(name, kind, size)
	if err := inspect(ctx, info, r, size, lim); err != nil {
		return nil, err
	}
	return info, nil
}

// uploadName keeps the teacher's name when its extension fits the content
// and otherwise replaces (or adds) the extension, because bbb-web picks the
// converter by extension and rejects a mismatch.
func uploadName(name string, kind Kind, size int64) (string, []*Notice) {
	ext := strings.TrimPrefix(filepath.Ext(name), ".")
	stem := strings.TrimSuffix(name, filepath.Ext(name))
	if stem == "" || strings.TrimSpace(stem) == "" {
		stem = "slides"
	}
	if kindOfExt(ext) == kind {
		return name, nil
	}
	up := stem + "." + string(kind)
	return up, []*Notice{{Code: NoticeExtMismatch, File: name, UploadName: up, Ext: ext, Kind: kind, Size: size}}
}

// inspect runs the per-format checks: PDF via pdfcpu, page counts the
// container reveals cheaply, image headers.
func inspect(ctx context.Context, info *Info, r io.ReaderAt, size int64, lim Limits) error {
	corrupt := func(err error) error {
		return &Error{Code: CodeCorrupt, File: info.File, Kind: info.Kind, Err: err}
	}
	switch info.Kind {
	case KindPDF:
		pages, encrypted, err := pdfInspect(ctx, r, size)
		switch {
		case errors.Is(err, pdfcpu.ErrWrongPassword):
			return &Error{Code: CodeEncrypted, File: info.File, Kind: info.Kind, Err: err}
		case ctx.Err() != nil:
			return ctx.Err()
		case err != nil:
			return corrupt(err)
		}
		info.Pages = pages
		if encrypted {
			info.Notices = append(info.Notices, &Notice{Code: NoticeRestrictedPDF, File: info.File, UploadName: info.UploadName, Kind: info.Kind, Size: size})
		}
		if size > SlowPDFSize {
			info.Notices = append(info.Notices, &Notice{Code: NoticeLargePDF, File: info.File, UploadName: info.UploadName, Kind: info.Kind, Size: size})
		}
	case KindJPG, KindPNG:
		if _, _, err := image.DecodeConfig(io.NewSectionReader(r, 0, size)); err != nil {
			return corrupt(err)
		}
		info.Pages = 1
	case KindWEBP, KindSVG:
		info.Pages = 1
	case KindPPTX, KindDOCX, KindODP, KindODT:
		n, err := officePages(r, size, info.Kind)
		if err != nil {
			return corrupt(err)
		}
		info.Pages = n
	}
	if info.Pages > lim.MaxPages {
		return &Error{Code: CodeTooManyPages, File: info.File, Kind: info.Kind, Pages: info.Pages, MaxPages: lim.MaxPages}
	}
	return nil
}

// pdfConfig bounds what a hostile PDF can make pdfcpu allocate; relaxed
// validation accepts the small defects real exporters produce and BBB's
// converters accept too.
func pdfConfig() *model.Configuration {
	conf := model.NewDefaultConfiguration()
	conf.ValidationMode = model.ValidationRelaxed
	conf.Limits.MaxStreamBytes = 64 << 20
	conf.Limits.MaxDecodeBytes = 256 << 20
	conf.Limits.MaxImageBytes = 256 << 20
	conf.Limits.MaxObjectCount = 2_000_000
	conf.Limits.MaxObjectStreamCount = 200_000
	conf.Limits.MaxXRefEntries = 2_000_000
	return conf
}

// pdfInspect reads and validates the PDF with pdfcpu (empty passwords): a
// file that needs a user password fails with pdfcpu.ErrWrongPassword; one
// with only an owner password opens and reports encrypted=true. pdfcpu has
// no context, so it runs in a goroutine the caller can abandon.
func pdfInspect(ctx context.Context, r io.ReaderAt, size int64) (pages int, encrypted bool, err error) {
	pdfcpuInit()
	type result struct {
		pages     int
		encrypted bool
		err       error
	}
	ch := make(chan result, 1)
	go func() {
		var res result
		defer func() {
			if p := recover(); p != nil {
				res = result{err: fmt.Errorf("pdfcpu panic: %v", p)}
			}
			ch <- res
		}()
		pctx, err := api.ReadAndValidate(io.NewSectionReader(r, 0, size), pdfConfig())
		if err != nil {
			res.err = err
			return
		}
		if err := pctx.EnsurePageCount(); err != nil {
			res.err = err
			return
		}
		res.pages, res.encrypted = pctx.PageCount, pctx.Encrypt != nil
		if res.pages <= 0 {
			res.err = errors.New("no pages")
		}
	}()
	select {
	case res := <-ch:
		return res.pages, res.encrypted, res.err
	case <-ctx.Done():
		return 0, false, ctx.Err()
	}
}

var (
	rePPTXSlide = regexp.MustCompile(`^ppt/slides/slide[0-9]+\.xml$`)
	reAppPages  = regexp.MustCompile(`<(?:\w+:)?Pages>\s*([0-9]+)\s*</`)
	reODTPages  = regexp.MustCompile(`meta:page-count="([0-9]+)"`)
)

// maxMetaPages is the largest page count a document's metadata is
// believed; above it the value is garbage, and results must not depend on
// the size of int.
const maxMetaPages = 1_000_000

// maxMetaBytes bounds how much of a zipped part is decompressed to count
// pages (zip bombs).
const maxMetaBytes = 64 << 20

// officePages counts pages where the container says so without
// converting: PPTX slides, ODP draw:page elements, the page counts DOCX
// (docProps/app.xml) and ODT (meta.xml) store. 0 means unknown.
func officePages(r io.ReaderAt, size int64, kind Kind) (int, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return 0, err
	}
	find := func(name string) *zip.File {
		for _, f := range zr.File {
			if f.Name == name {
				return f
			}
		}
		return nil
	}
	switch kind {
	case KindPPTX:
		n := 0
		for _, f := range zr.File {
			if rePPTXSlide.MatchString(f.Name) {
				n++
			}
		}
		return n, nil
	case KindODP:
		f := find("content.xml")
		if f == nil {
			return 0, errors.New("content.xml missing")
		}
		return countODPPages(f)
	case KindDOCX:
		return metaInt(find("docProps/app.xml"), reAppPages), nil
	case KindODT:
		return metaInt(find("meta.xml"), reODTPages), nil
	}
	return 0, nil
}

func metaInt(f *zip.File, re *regexp.Regexp) int {
	if f == nil {
		return 0
	}
	rc, err := f.Open()
	if err != nil {
		return 0
	}
	defer rc.Close()
	b, _ := io.ReadAll(io.LimitReader(rc, 1<<20))
	m := re.FindSubmatch(b)
	if m == nil {
		return 0
	}
	// The count is untrusted metadata: one that overflows or no editor
	// could have written means unknown, not "rejected for too many pages".
	n, err := strconv.Atoi(string(m[1]))
	if err != nil || n > maxMetaPages {
		return 0
	}
	return n
}

// countODPPages streams content.xml and counts top-level draw:page elements.
func countODPPages(f *zip.File) (int, error) {
	rc, err := f.Open()
	if err != nil {
		return 0, err
	}
	defer rc.Close()
	d := xml.NewDecoder(io.LimitReader(rc, maxMetaBytes))
	n := 0
	for {
		tok, err := d.RawToken()
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return 0, err
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "page" && se.Name.Space == "draw" {
			n++
		}
	}
}
