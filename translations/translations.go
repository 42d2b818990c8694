// Package translations holds Tafel's user-facing texts in German and English
// (de.json, en.json). The files use Fyne's lang format — flat keys, values with
// Go text/template placeholders such as {{.URL}} — so the GUI loads them with
// lang.AddTranslationsFS(translations.FS, "."), while the CLI uses the small
// Fyne-free Translator below. German is first-class: every key exists in both.
package translations

import (
	"bytes"
	"embed"
	"encoding/json"
	"os"
	"strconv"
	"strings"
	"sync"
	"text/template"
)

// FS holds de.json and en.json.
//
//go:embed *.json
var FS embed.FS

// FyneFS holds Fyne's own words (dialog buttons …) as Fyne v2.8.1 ships
// them (fyne/base.de.json, base.en.json): when Tafel's language differs
// from the OS locale, they are loaded under the OS locale with Tafel's, so
// a file dialog is not left in the OS language. Fyne keeps its copy
// unexported.
//
//go:embed fyne/*.json
var FyneFS embed.FS

// Languages Tafel speaks, German first.
var Languages = []string{"de", "en"}

var (
	loadOnce sync.Once
	tables   map[string]map[string]string
)

func load() {
	tables = make(map[string]map[string]string)
	for _, l := range Languages {
		b, err := FS.ReadFile(l + ".json")
		if err != nil {
			panic("translations: missing " + l + ".json")
		}
		m := make(map[string]string)
		if err := json.Unmarshal(b, &m); err != nil {
			panic("translations: " + l + ".json: " + err.Error())
		}
		tables[l] = m
	}
}

// Translator looks up texts for one language, falling back to English and then
// to the key itself, so a missing text never breaks the program.
type Translator struct{ Lang string }

// New returns a Translator for lang ("de", "en", or a locale like "de_DE.UTF-8").
func New(lang string) Translator { return Translator{Lang: Normalize(lang)} }

// T returns the text for key, with data filled into its {{.Placeholders}}.
func (tr Translator) T(key string, data ...map[string]any) string {
	loadOnce.Do(load)
	s, ok := tables[tr.Lang][key]
	if !ok {
		if s, ok = tables["en"][key]; !ok {
			return key
		}
	}
	if len(data) == 0 || !strings.Contains(s, "{{") {
		return s
	}
	tpl, err := template.New(key).Option("missingkey=zero").Parse(s)
	if err != nil {
		return s
	}
	var b bytes.Buffer
	if err := tpl.Execute(&b, data[0]); err != nil {
		return s
	}
	return b.String()
}

// Normalize maps a locale such as "de_AT.UTF-8" to a language Tafel speaks.
func Normalize(locale string) string {
	l := strings.ToLower(locale)
	if strings.HasPrefix(l, "de") {
		return "de"
	}
	return "en"
}

// FromEnvironment picks the language from the POSIX locale variables, in the
// order the C library uses them; German when the user's locale is German.
func FromEnvironment() string {
	for _, v := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if s := os.Getenv(v); s != "" && s != "C" && s != "POSIX" {
			return Normalize(s)
		}
	}
	return "en"
}

// Decimal formats v with prec decimals in the language's style: a decimal
// comma in German ("64,9"), a point in English ("64.9").
func (t Translator) Decimal(v float64, prec int) string {
	s := strconv.FormatFloat(v, 'f', prec, 64)
	if s == "-0" || strings.HasPrefix(s, "-0.") && strings.Trim(s[3:], "0") == "" {
		s = s[1:] // no "-0,0" for values that round to zero
	}
	if t.Lang == "de" {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}
