package studentlinks

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func parseSeeds() map[string][]byte {
	return map[string][]byte{
		"plain":        []byte("Anna Müller\nBen Özdemir\n\n"),
		"school-bom":   []byte("\xef\xbb\xbfNachname;Vorname;Klasse\r\nMüller;Anna;7b\r\n"),
		"cp1252":       []byte("Nachname;Vorname\nM\xfcller;J\xfcrgen\n"),
		"utf16le":      utf16Bytes("Vorname\tNachname\r\nAnna\tMüller\r\n", false, true),
		"utf16be":      utf16Bytes("Anna\nBen\n", true, true),
		"comma":        []byte("First name,Last name,Email\nAnna,Smith,a@x.org\n"),
		"quoted":       []byte("Name;Klasse\n\"Müller; \"\"Anni\"\"\";7b\n\"open quote\n"),
		"duplicates":   []byte("Anna\nanna\nAnna (2)\n"),
		"html":         []byte("<script>alert(1)</script>\nTom & Jerry\n"),
		"xlsx":         []byte("PK\x03\x04\x14\x00\x06\x00"),
		"empty":        {},
		"separators":   []byte(";;;\n,,,\n\t\t\n"),
		"mixed-ending": []byte("A\r\nB\rC\nD"),
		// Review findings: an unclosed quote swallowed the rest of the file;
		// a title row made a header-less list drop every first name.
		"unclosed-quote":  []byte("Nachname;Vorname;Klasse\n\"Müller;Anna;7b\nSchmidt;Ben;7b\nKaya;Elif;7b\nNowak;Jan;7b\n"),
		"title-no-header": []byte("Klassenliste 7b\nMüller;Anna\nSchmidt;Ben\nKaya;Elif\n"),
	}
}

// FuzzParse: any input gives either a typed error or a list of distinct,
// clean, non-empty names within the limits.
func FuzzParse(f *testing.F) {
	for _, s := range parseSeeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		cl, err := Parse(bytes.NewReader(data), ParseOptions{MaxStudents: 50})
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Code == "" {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		if len(cl.Students) == 0 || len(cl.Students) > 50 {
			t.Fatalf("%d students", len(cl.Students))
		}
		seen := map[string]bool{}
		for _, s := range cl.Students {
			if s.Name == "" || !utf8.ValidString(s.Name) || strings.TrimSpace(s.Name) != s.Name {
				t.Fatalf("bad name %q", s.Name)
			}
			for _, r := range s.Name {
				if unicode.IsControl(r) {
					t.Fatalf("control char in %q", s.Name)
				}
			}
			k := NormalizeName(s.Name)
			if seen[k] {
				t.Fatalf("duplicate name %q survived", s.Name)
			}
			seen[k] = true
		}
	})
}

// TestWriteParseSeeds regenerates testdata/fuzz/FuzzParse when
// TAFEL_WRITE_SEEDS=1 (the committed files are its output).
func TestWriteParseSeeds(t *testing.T) {
	if os.Getenv("TAFEL_WRITE_SEEDS") != "1" {
		t.Skip("set TAFEL_WRITE_SEEDS=1 to rewrite the seed corpus")
	}
	dir := filepath.Join("testdata", "fuzz", "FuzzParse")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, d := range parseSeeds() {
		body := fmt.Sprintf("go test fuzz v1\n[]byte(%s)\n", strconv.Quote(string(d)))
		if err := os.WriteFile(filepath.Join(dir, "seed-"+name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
