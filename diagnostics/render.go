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
	out := scrub(b.Bytes(), r.secrets, r.IPsRemoved)
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

// HTML is the report as one self-contained page (inline CSS; no scripts,
// fonts or other resources), verdicts first, details in tables.
func (r *Report) HTML(tr translations.Translator) ([]byte, error) {
	tpl, err := template.New("report").Funcs(template.FuncMap{
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
	}).Parse(htmlSource)
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
	return r.final(scrub(b.Bytes(), r.secrets, r.IPsRemoved))
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

// WriteFiles renders both files first and writes them into dir
// atomically (0600). Either both are written or neither is left behind.
func WriteFiles(dir string, r *Report, tr translations.Translator) (htmlPath, jsonPath string, err error) {
	h, err := r.HTML(tr)
	if err != nil {
		return "", "", err
	}
	j, err := r.JSON()
	if err != nil {
		return "", "", err
	}
	hn, jn := r.FileNames()
	htmlPath, jsonPath = filepath.Join(dir, hn), filepath.Join(dir, jn)
	if err := atomicfile.Write(htmlPath, h, 0o600); err != nil {
		return "", "", err
	}
	if err := atomicfile.Write(jsonPath, j, 0o600); err != nil {
		_ = os.Remove(htmlPath)
		return "", "", err
	}
	return htmlPath, jsonPath, nil
}

// orRaw translates prefix+v, or shows v itself when there is no text for
// it (a check kind or source this version does not know).
func orRaw(tr translations.Translator, prefix, v string) string {
	if s := tr.T(prefix + v); s != prefix+v {
		return s
	}
	return v
}
