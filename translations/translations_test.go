package translations

import (
	"encoding/json"
	"regexp"
	"sort"
	"testing"
)

// Every key must exist in both languages with the same placeholders, so a
// German teacher never sees an English fallback or a broken template.
func TestLanguagesHaveSameKeysAndPlaceholders(t *testing.T) {
	read := func(name string) map[string]string {
		b, err := FS.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]string{}
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return m
	}
	de, en := read("de.json"), read("en.json")
	ph := regexp.MustCompile(`\{\{\s*\.(\w+)\s*\}\}`)
	names := func(s string) []string {
		var out []string
		for _, m := range ph.FindAllStringSubmatch(s, -1) {
			out = append(out, m[1])
		}
		sort.Strings(out)
		return out
	}
	for k, v := range en {
		d, ok := de[k]
		if !ok {
			t.Errorf("de.json lacks %q", k)
			continue
		}
		if a, b := names(v), names(d); !equal(a, b) {
			t.Errorf("%q: placeholders differ: en %v, de %v", k, a, b)
		}
	}
	for k := range de {
		if _, ok := en[k]; !ok {
			t.Errorf("en.json lacks %q", k)
		}
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestLookupAndFallback(t *testing.T) {
	if got := New("de_DE.UTF-8").T("sim.stop_hint"); got == "sim.stop_hint" || got == New("en").T("sim.stop_hint") {
		t.Fatalf("German text missing: %q", got)
	}
	if got := New("fr").T("no.such.key"); got != "no.such.key" {
		t.Fatalf("fallback = %q", got)
	}
	if got := New("en").T("sim.listening", map[string]any{"URL": "http://x"}); got != "BBB simulator running at http://x" {
		t.Fatalf("template = %q", got)
	}
}

func TestNormalize(t *testing.T) {
	for in, want := range map[string]string{"de_DE.UTF-8": "de", "de": "de", "DE_at": "de", "en_GB": "en", "fr_FR": "en", "": "en"} {
		if got := Normalize(in); got != want {
			t.Errorf("Normalize(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDecimal(t *testing.T) {
	for _, c := range []struct {
		lang string
		v    float64
		prec int
		want string
	}{
		{"de", 64.93, 1, "64,9"}, {"en", 64.93, 1, "64.9"}, {"de", -0.04, 1, "0,0"},
		{"de", -12.5, 0, "-12"}, {"en", 1917.4, 0, "1917"}, {"de", 2.345, 2, "2,35"},
	} {
		if got := New(c.lang).Decimal(c.v, c.prec); got != c.want {
			t.Errorf("%s %v/%d: %q want %q", c.lang, c.v, c.prec, got, c.want)
		}
	}
}
