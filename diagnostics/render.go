package diagnostics

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"os"
	"path/filepath"
	"strings"
	texttemplate "text/template"

	"github.com/tafel-schule/tafel/internal/atomicfile"
	"github.com/tafel-schule/tafel/internal/redact"
	"github.com/tafel-schule/tafel/translations"
)

// ErrUnsafe is returned instead of an output that still holds a known
// secret after redaction. It never says which secret.
var ErrUnsafe = errors.New("diagnostics: the report still contained a secret and was not produced")

// JSON is the report as indented JSON with stable snake_case fields.
func (r *Report) JSON() ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(r); err != nil {
		return nil, err
	}
	out := scrub(b.Bytes(), r.secrets, r.home, r.IPsRemoved)
	if !json.Valid(out) {
		return nil, ErrUnsafe
	}
	return r.final(out)
}

// final is the last gate before anything is shown or written.
func (r *Report) final(out []byte) ([]byte, error) {
	if err := redact.Verify(out, r.secrets...); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrUnsafe, err)
	}
	return out, nil
}

//go:embed report.html.tmpl
var htmlSource string

//go:embed report.txt.tmpl
var textSource string

// HTML is the report as one self-contained page (inline CSS; no scripts,
// fonts or other resources), verdicts first, details in tables.
func (r *Report) HTML(tr translations.Translator) ([]byte, error) {
	tpl, err := template.New("report").Funcs(r.funcs(tr)).Parse(htmlSource)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := tpl.Execute(&b, struct {
		R    *Report
		Lang string
	}{r, tr.Lang}); err != nil {
		return nil, err
	}
	return r.final(scrub(b.Bytes(), r.secrets, r.home, r.IPsRemoved))
}

// Text is the report as plain text for people, in the HTML page's order
// (verdicts first): what the report window shows, so that the teacher
// reads the content rather than JSON. The checks' raw details are only
// in the JSON.
func (r *Report) Text(tr translations.Translator) (string, error) {
	tpl, err := texttemplate.New("report").Funcs(texttemplate.FuncMap(r.funcs(tr))).Parse(textSource)
	if err != nil {
		return "", err
	}
	var b bytes.Buffer
	if err := tpl.Execute(&b, struct{ R *Report }{r}); err != nil {
		return "", err
	}
	out, err := r.final(scrub(b.Bytes(), r.secrets, r.home, r.IPsRemoved))
	return string(out), err
}

func (r *Report) funcs(tr translations.Translator) template.FuncMap {
	return template.FuncMap{
		"T": func(key string, kv ...any) string {
			if len(kv) == 0 {
				return tr.T(key)
			}
			m := map[string]any{}
			for i := 0; i+1 < len(kv); i += 2 {
				m[fmt.Sprint(kv[i])] = kv[i+1]
			}
			return tr.T(key, m)
		},
		"word":   func(v string) string { return orRaw(tr, "report.word.", v) },
		"source": func(s string) string { return orRaw(tr, "report.source.", s) },
		"kind":   func(k string) string { return orRaw(tr, "report.kind.", k) },
		"yesno": func(b bool) string {
			if b {
				return tr.T("report.yes")
			}
			return tr.T("report.no")
		},
		"when":   func(t any) string { return fmtTime(t) },
		"pretty": prettyJSON,
		"attrs":  fmtAttrs,
	}
}

func prettyJSON(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	var b bytes.Buffer
	if json.Indent(&b, raw, "", "  ") != nil {
		return string(raw)
	}
	return b.String()
}

func fmtAttrs(m map[string]string) string {
	var parts []string
	for _, k := range sortedKeys(m) {
		parts = append(parts, k+"="+m[k])
	}
	return strings.Join(parts, " ")
}

// FileNames are the report's file names for its creation time (local).
func (r *Report) FileNames() (html, js string) {
	base := "tafel-report-" + r.CreatedAt.Local().Format("20060102-150405")
	return base + ".html", base + ".json"
}

// maxNameTries bounds the search for free file names in WriteFiles.
const maxNameTries = 100

// WriteFiles renders both files first and writes them into dir
// atomically (0600). Either both are written or neither is left behind.
// An existing report is never replaced: two reports in the same second
// (the GUI saved with and without IP addresses) get "-2", "-3"… names.
func WriteFiles(dir string, r *Report, tr translations.Translator) (htmlPath, jsonPath string, err error) {
	h, err := r.HTML(tr)
	if err != nil {
		return "", "", err
	}
	j, err := r.JSON()
	if err != nil {
		return "", "", err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", "", err
	}
	htmlPath, jsonPath, err = reserveNames(dir, r)
	if err != nil {
		return "", "", err
	}
	// The reserved (empty) files are replaced atomically by the full ones.
	if err := atomicfile.Write(htmlPath, h, 0o600); err != nil {
		os.Remove(htmlPath)
		os.Remove(jsonPath)
		return "", "", err
	}
	if err := atomicfile.Write(jsonPath, j, 0o600); err != nil {
		os.Remove(htmlPath)
		os.Remove(jsonPath)
		return "", "", err
	}
	return htmlPath, jsonPath, nil
}

// reserveNames creates both files empty and exclusively (O_EXCL), so that
// neither another report of this second nor another process can have
// them: the first free pair of FileNames, then "-2", "-3"…
func reserveNames(dir string, r *Report) (htmlPath, jsonPath string, err error) {
	hn, jn := r.FileNames()
	hb, jb := strings.TrimSuffix(hn, ".html"), strings.TrimSuffix(jn, ".json")
	for i := 1; i <= maxNameTries; i++ {
		suffix := ""
		if i > 1 {
			suffix = fmt.Sprintf("-%d", i)
		}
		htmlPath, jsonPath = filepath.Join(dir, hb+suffix+".html"), filepath.Join(dir, jb+suffix+".json")
		if err := createExcl(htmlPath); err != nil {
			if errors.Is(err, os.ErrExist) {
				continue
			}
			return "", "", err
		}
		if err := createExcl(jsonPath); err != nil {
			os.Remove(htmlPath)
			if errors.Is(err, os.ErrExist) {
				continue
			}
			return "", "", err
		}
		return htmlPath, jsonPath, nil
	}
	return "", "", fmt.Errorf("diagnostics: no free file name in %s", dir)
}

func createExcl(path string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	return f.Close()
}

// orRaw translates prefix+v, or shows v itself when there is no text for
// it (a check kind or source this version does not know).
func orRaw(tr translations.Translator, prefix, v string) string {
	if s := tr.T(prefix + v); s != prefix+v {
		return s
	}
	return v
}
