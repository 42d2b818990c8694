package bbbsim

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
)

// Presentation statuses.
const (
	StatusProcessing = "processing"
	StatusConverted  = "converted"
	StatusFailed     = "failed"
)

// Conversion failure reasons (Presentation.Reason). A real server reports
// these only inside the client, never in API responses; tests read them
// through [Server.Presentations].
const (
	ReasonInvalidFilename   = "invalid_filename"
	ReasonDownloadFailed    = "failed_to_download_file"
	ReasonFileTooLarge      = "file too large"
	ReasonTooManyPages      = "too many pages"
	ReasonUnsupportedFormat = "unsupported format"
	ReasonPageCountFailed   = "page count failed"
	ReasonEmpty             = "file empty"
	ReasonCanceled          = "conversion canceled"
)

// Presentation is one uploaded document of a meeting and its conversion
// outcome.
type Presentation struct {
	Name         string // file name used for type detection
	Source       string // "inline", "url" or "default" (BBB's default.pdf)
	URL          string // for Source "url"
	Size         int64  // bytes received (for oversized files: at least MaxFileSize+1)
	Pages        int
	Status       string // StatusProcessing, StatusConverted or StatusFailed
	Reason       string // why it failed
	Current      bool
	Downloadable bool // default false, as in bbb-web's code
	Removable    bool // default true
	Initial      bool // the presentation shown when the meeting starts
	FromInsert   bool // uploaded with insertDocument rather than create
	Default      bool // BBB's default.pdf
}

// supportedExt are the formats bbb-web converts (docs §4.2).
var supportedExt = []string{"pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "odt", "ods", "odp", "odg",
	"jpg", "jpeg", "png", "webp", "svg", "rtf", "txt"}

// fileName and fileExt are commons-io FilenameUtils.getName/getExtension.
func fileName(p string) string {
	if i := strings.LastIndexAny(p, `/\`); i >= 0 {
		return p[i+1:]
	}
	return p
}

func fileExt(p string) string {
	name := fileName(p)
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		return name[i+1:]
	}
	return ""
}

// urlFileName is bbb-web's fallback name for a URL document without a
// filename attribute: the URL-decoded last '/'-token of the whole URL,
// query string included, so "…/slides.pdf?v=2" has the extension "pdf?v=2"
// and is not recognised as a PDF.
func urlFileName(u string) string {
	toks := strings.FieldsFunc(u, func(r rune) bool { return r == '/' })
	if len(toks) == 0 {
		return ""
	}
	name, err := url.QueryUnescape(toks[len(toks)-1])
	if err != nil {
		return ""
	}
	return name
}

// upload outcomes of uploadDocuments.
const (
	uploadAccepted = iota
	uploadDisabled
	uploadIgnored // insertDocument without a body
)

// convJob is one file waiting for conversion.
type convJob struct {
	m    *meeting
	p    *Presentation
	file string // decoded or downloaded bytes
	size int64
}

// uploadDocuments is ApiController.uploadDocuments: it parses the module
// XML (or falls back to the default presentation), stores the files and
// queues their conversion. Downloads happen here, synchronously, as in
// bbb-web; conversion is asynchronous.
func (rc *reqCtx) uploadDocuments(m *meeting, in *input, p params, fromInsert bool) (int, error) {
	s := rc.s
	if m.settings.FeatureDisabled("presentation") {
		return uploadDisabled, nil
	}
	type item struct {
		doc   *moduleDoc
		def   bool
		files string // temp file of an inline document
	}
	var items []item
	files := map[*moduleDoc]string{}
	cleanup := func() {
		for _, f := range files {
			os.Remove(f)
		}
	}
	sawPresentation := false
	if !fromInsert {
		if u := p.get("preUploadedPresentation"); u != "" {
			d := &moduleDoc{attrs: map[string]string{"url": u, "filename": p.get("preUploadedPresentationName")}}
			items = append(items, item{doc: d})
			sawPresentation = true
		}
	}
	if in.xml != nil {
		docs, saw, err := parseModules(in.xml, func(d *moduleDoc) (io.WriteCloser, error) {
			f, err := os.CreateTemp(s.tmpDir, "inline-*")
			if err != nil {
				return nil, err
			}
			files[d] = f.Name()
			return &cappedFile{f: f, limit: s.cfg.MaxFileSize + 1}, nil
		})
		if err != nil {
			cleanup()
			return 0, err
		}
		sawPresentation = sawPresentation || saw
		for _, d := range docs {
			items = append(items, item{doc: d, files: files[d]})
		}
	} else if fromInsert {
		// "Insert Document API called without a payload - ignoring"
		return uploadIgnored, nil
	} else if len(items) == 0 {
		items = append(items, item{def: true})
	}
	// The first current="true" document moves to the front.
	hasCurrent := false
	for i, it := range items {
		if it.doc != nil && javaParseBoolean(it.doc.attr("current")) {
			items = append(items[:i], items[i+1:]...)
			items = append([]item{it}, items...)
			hasCurrent = true
			break
		}
	}
	if in.xml != nil && sawPresentation && !fromInsert && !m.settings.PreUploadedPresentationOverrideDefault {
		if hasCurrent {
			items = append(items, item{def: true})
		} else {
			items = append([]item{{def: true}}, items...)
			hasCurrent = true
		}
	}

	var jobs []convJob
	var pres []*Presentation
	for i, it := range items {
		pr := &Presentation{Removable: true, FromInsert: fromInsert, Status: StatusProcessing}
		pres = append(pres, pr)
		if it.def {
			pr.Name, pr.Source, pr.Default = "default.pdf", "default", true
			pr.Current = i == 0
			pr.Initial = pr.Current && !fromInsert
			pr.Status, pr.Pages = StatusConverted, 1
			continue
		}
		d := it.doc
		if v := d.attr("removable"); v != "" {
			pr.Removable = javaParseBoolean(v)
		}
		if v := d.attr("downloadable"); v != "" {
			pr.Downloadable = javaParseBoolean(v)
		}
		if i == 0 {
			pr.Current = !fromInsert || hasCurrent
			pr.Initial = !fromInsert
		}
		switch {
		case d.attr("url") != "":
			pr.Source, pr.URL = "url", d.attr("url")
			pr.Name = d.attr("filename")
			if pr.Name == "" {
				pr.Name = urlFileName(pr.URL)
			}
			pr.Name = fileName(pr.Name)
			if pr.Name == "" || fileExt(pr.Name) == "" {
				fail(pr, ReasonInvalidFilename)
				continue
			}
			file, size, reason := s.download(pr.URL)
			pr.Size = size
			if reason != "" {
				fail(pr, reason)
				continue
			}
			jobs = append(jobs, convJob{m: m, p: pr, file: file, size: size})
		case d.inline:
			pr.Source, pr.Name, pr.Size = "inline", fileName(d.attr("name")), d.size
			if pr.Name == "" || fileExt(pr.Name) == "" {
				fail(pr, ReasonInvalidFilename)
				os.Remove(it.files)
				continue
			}
			jobs = append(jobs, convJob{m: m, p: pr, file: it.files, size: d.size})
		default:
			// "presentation module config found, but it did not contain url
			// or name attributes": bbb-web ignores the element.
			pres = pres[:len(pres)-1]
		}
	}
	for _, j := range jobs {
		if !slices.Contains(supportedExt, strings.ToLower(fileExt(j.p.Name))) {
			// bbb-web drops it ("not supported as a presentation").
			fail(j.p, ReasonUnsupportedFormat)
			os.Remove(j.file)
		}
	}
	s.mu.Lock()
	m.presentations = append(m.presentations, pres...)
	var queued []convJob
	for _, j := range jobs {
		if j.p.Status == StatusProcessing {
			queued = append(queued, j)
		}
	}
	s.startConversionsLocked(queued)
	s.mu.Unlock()
	return uploadAccepted, nil
}

func fail(p *Presentation, reason string) { p.Status, p.Reason = StatusFailed, reason }

// cappedFile stores at most limit bytes but reports every write as
// complete, so the decoder still counts the full size of an oversized file.
type cappedFile struct {
	f       *os.File
	limit   int64
	written int64
}

func (c *cappedFile) Write(p []byte) (int, error) {
	if room := c.limit - c.written; room > 0 {
		w := p
		if int64(len(w)) > room {
			w = w[:room]
		}
		if _, err := c.f.Write(w); err != nil {
			return 0, err
		}
	}
	c.written += int64(len(p))
	return len(p), nil
}

func (c *cappedFile) Close() error { return c.f.Close() }

// download fetches a pre-upload URL into a temp file, stopping one byte
// past MaxFileSize. It returns a failure reason instead of an error.
func (s *Server) download(raw string) (file string, size int64, reason string) {
	u, err := url.Parse(raw)
	if err != nil || !slices.Contains(s.cfg.DownloadSchemes, strings.ToLower(u.Scheme)) || u.Host == "" {
		return "", 0, ReasonDownloadFailed
	}
	ctx, cancel := context.WithTimeout(s.ctx, s.cfg.DownloadTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, raw, nil)
	if err != nil {
		return "", 0, ReasonDownloadFailed
	}
	resp, err := s.cfg.HTTPClient.Do(req)
	if err != nil {
		return "", 0, ReasonDownloadFailed
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", 0, ReasonDownloadFailed
	}
	f, err := os.CreateTemp(s.tmpDir, "download-*")
	if err != nil {
		return "", 0, ReasonDownloadFailed
	}
	n, err := io.CopyN(f, resp.Body, s.cfg.MaxFileSize+1)
	f.Close()
	if err != nil && !errors.Is(err, io.EOF) {
		os.Remove(f.Name())
		return "", n, ReasonDownloadFailed
	}
	return f.Name(), n, ""
}

// startConversionsLocked converts jobs in order on one goroutine, like
// bbb-web's queue handles the first (current) document first.
func (s *Server) startConversionsLocked(jobs []convJob) {
	if len(jobs) == 0 {
		return
	}
	if s.closed {
		for _, j := range jobs {
			fail(j.p, ReasonCanceled)
			os.Remove(j.file)
		}
		return
	}
	if s.pending == 0 {
		s.idle = make(chan struct{})
	}
	s.pending += len(jobs)
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for _, j := range jobs {
			s.convert(j)
		}
	}()
}

func (s *Server) convert(j convJob) {
	defer os.Remove(j.file)
	status, reason, pages := StatusFailed, "", 0
	switch {
	case s.ctx.Err() != nil:
		reason = ReasonCanceled
	case j.size > s.cfg.MaxFileSize:
		reason = ReasonFileTooLarge
	case j.size == 0:
		reason = ReasonEmpty
	default:
		f, err := os.Open(j.file)
		if err != nil {
			reason = ReasonPageCountFailed
			break
		}
		n, err := s.cfg.Convert(s.ctx, j.p.Name, f, j.size)
		f.Close()
		s.mu.Lock()
		limit := j.m.maxPages(s.cfg.MaxPages)
		s.mu.Unlock()
		switch {
		case err != nil:
			reason = err.Error()
		case n > limit:
			reason, pages = ReasonTooManyPages, n
		default:
			status, pages = StatusConverted, n
		}
	}
	s.mu.Lock()
	j.p.Status, j.p.Reason, j.p.Pages = status, reason, pages
	snapshot := *j.p
	meetingID := j.m.extID
	s.pending--
	if s.pending == 0 {
		close(s.idle)
	}
	s.mu.Unlock()
	if s.cfg.OnConversion != nil {
		s.cfg.OnConversion(meetingID, snapshot)
	}
}

// WaitConversions blocks until no conversion is pending or ctx is done.
func (s *Server) WaitConversions(ctx context.Context) error {
	s.mu.Lock()
	idle := s.idle
	s.mu.Unlock()
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// DefaultConvert is the simulator's stand-in for bbb-web's conversion:
// the extension must be supported and match the content (magic numbers,
// like bbb-web's MIME check), PDFs are opened with pdfcpu to count pages,
// PPTX slides and ODP pages are counted, TXT gets one page per 50 lines,
// images and other office files count as one page.
func DefaultConvert(ctx context.Context, name string, r io.ReaderAt, size int64) (int, error) {
	ext := strings.ToLower(fileExt(name))
	if !slices.Contains(supportedExt, ext) {
		return 0, errors.New(ReasonUnsupportedFormat)
	}
	head := make([]byte, min(size, 4096))
	if _, err := r.ReadAt(head, 0); err != nil && !errors.Is(err, io.EOF) {
		return 0, errors.New(ReasonPageCountFailed)
	}
	if !sniff(ext, head, r, size) {
		return 0, errors.New(ReasonUnsupportedFormat)
	}
	switch ext {
	case "pdf":
		return pdfPages(io.NewSectionReader(r, 0, size))
	case "pptx":
		return zipCount(r, size, regexp.MustCompile(`^ppt/slides/slide[0-9]+\.xml$`))
	case "odp":
		return odpPages(r, size)
	case "txt":
		return txtPages(io.NewSectionReader(r, 0, size))
	}
	return 1, nil
}

var (
	magicPDF  = []byte("%PDF-")
	magicOLE  = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}
	magicZIP  = []byte("PK\x03\x04")
	magicJPEG = []byte{0xFF, 0xD8, 0xFF}
	magicPNG  = []byte("\x89PNG\r\n\x1a\n")
	magicRTF  = []byte(`{\rtf`)
	utf8BOM   = []byte{0xEF, 0xBB, 0xBF}
)

// sniff checks that the content matches the extension.
func sniff(ext string, head []byte, r io.ReaderAt, size int64) bool {
	switch ext {
	case "pdf":
		return bytes.HasPrefix(bytes.TrimPrefix(head, utf8BOM), magicPDF)
	case "doc", "xls", "ppt":
		return bytes.HasPrefix(head, magicOLE)
	case "docx", "xlsx", "pptx":
		dir := map[string]string{"docx": "word/", "xlsx": "xl/", "pptx": "ppt/"}[ext]
		return bytes.HasPrefix(head, magicZIP) && zipHas(r, size, "[Content_Types].xml", dir)
	case "odt", "ods", "odp", "odg":
		kind := map[string]string{"odt": "text", "ods": "spreadsheet", "odp": "presentation", "odg": "graphics"}[ext]
		return bytes.HasPrefix(head, magicZIP) && zipMimetype(r, size) == "application/vnd.oasis.opendocument."+kind
	case "jpg", "jpeg":
		return bytes.HasPrefix(head, magicJPEG)
	case "png":
		return bytes.HasPrefix(head, magicPNG)
	case "webp":
		return len(head) >= 12 && string(head[:4]) == "RIFF" && string(head[8:12]) == "WEBP"
	case "svg":
		t := bytes.TrimLeft(bytes.TrimPrefix(head, utf8BOM), " \t\r\n")
		return bytes.HasPrefix(t, []byte("<")) && bytes.Contains(head, []byte("<svg"))
	case "rtf":
		return bytes.HasPrefix(head, magicRTF)
	case "txt":
		if bytes.IndexByte(head, 0) >= 0 {
			return false
		}
		// Allow a rune cut off at the end of the sniffed window.
		for i := 0; i < utf8.UTFMax && i < len(head); i++ {
			if utf8.Valid(head[:len(head)-i]) {
				return true
			}
		}
		return len(head) == 0
	}
	return false
}

func zipHas(r io.ReaderAt, size int64, file, dirPrefix string) bool {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return false
	}
	hasFile, hasDir := false, false
	for _, f := range zr.File {
		hasFile = hasFile || f.Name == file
		hasDir = hasDir || strings.HasPrefix(f.Name, dirPrefix)
	}
	return hasFile && hasDir
}

func zipMimetype(r io.ReaderAt, size int64) string {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return ""
	}
	for _, f := range zr.File {
		if f.Name != "mimetype" {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return ""
		}
		defer rc.Close()
		b, _ := io.ReadAll(io.LimitReader(rc, 200))
		return strings.TrimSpace(string(b))
	}
	return ""
}

func zipCount(r io.ReaderAt, size int64, re *regexp.Regexp) (int, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return 0, errors.New(ReasonPageCountFailed)
	}
	n := 0
	for _, f := range zr.File {
		if re.MatchString(path.Clean(f.Name)) {
			n++
		}
	}
	if n == 0 {
		return 0, errors.New(ReasonPageCountFailed)
	}
	return n, nil
}

func odpPages(r io.ReaderAt, size int64) (int, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return 0, errors.New(ReasonPageCountFailed)
	}
	for _, f := range zr.File {
		if f.Name != "content.xml" {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return 0, errors.New(ReasonPageCountFailed)
		}
		defer rc.Close()
		b, err := io.ReadAll(io.LimitReader(rc, 64<<20))
		if err != nil {
			return 0, errors.New(ReasonPageCountFailed)
		}
		if n := bytes.Count(b, []byte("<draw:page ")); n > 0 {
			return n, nil
		}
	}
	return 0, errors.New(ReasonPageCountFailed)
}

func txtPages(r io.Reader) (int, error) {
	lines := 1
	buf := make([]byte, 32<<10)
	for {
		n, err := r.Read(buf)
		lines += bytes.Count(buf[:n], []byte{'\n'})
		if err == io.EOF {
			break
		}
		if err != nil {
			return 0, errors.New(ReasonPageCountFailed)
		}
	}
	return (lines + 49) / 50, nil
}

// pdfConfig bounds what a hostile PDF can make pdfcpu allocate.
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

func pdfPages(rs io.ReadSeeker) (n int, err error) {
	defer func() {
		if r := recover(); r != nil {
			n, err = 0, errors.New(ReasonPageCountFailed)
		}
	}()
	n, err = api.PageCount(rs, pdfConfig())
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("%s", ReasonPageCountFailed)
	}
	return n, nil
}
