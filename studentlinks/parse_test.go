package studentlinks

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/tafel-schule/tafel/translations"
)

func names(cl *ClassList) []string {
	var out []string
	for _, s := range cl.Students {
		out = append(out, s.Name)
	}
	return out
}

func utf16Bytes(s string, bigEndian, bom bool) []byte {
	var b []byte
	u := utf16.Encode([]rune(s))
	if bom {
		u = append([]uint16{0xFEFF}, u...)
	}
	for _, c := range u {
		if bigEndian {
			b = append(b, byte(c>>8), byte(c))
		} else {
			b = append(b, byte(c), byte(c>>8))
		}
	}
	return b
}

func TestParseFormats(t *testing.T) {
	cases := []struct {
		name   string
		in     []byte
		want   []string
		enc    string
		sep    string
		layout string
		class  string
	}{
		{"plain", []byte("Anna Müller\nBen Özdemir\n"), []string{"Anna Müller", "Ben Özdemir"}, "utf-8", "", "plain", ""},
		{"plain blank lines, spaces, CRLF", []byte("\r\n  Anna   Müller \r\n\r\n\tBen Özdemir\r\n\r\n"), []string{"Anna Müller", "Ben Özdemir"}, "utf-8", "", "plain", ""},
		{"plain CR only (old Mac)", []byte("Anna\rBen\r"), []string{"Anna", "Ben"}, "utf-8", "", "plain", ""},
		{"plain header", []byte("Name\nAnna Müller\nBen\n"), []string{"Anna Müller", "Ben"}, "utf-8", "", "header", ""},
		{"school export with BOM", []byte("\xef\xbb\xbfNachname;Vorname;Klasse\r\nMüller;Anna;7b\r\nÖzdemir;Ben;7b\r\n"),
			[]string{"Anna Müller", "Ben Özdemir"}, "utf-8-bom", ";", "header", "7b"},
		{"windows-1252", []byte("Nachname;Vorname\nM\xfcller;J\xfcrgen\nGro\xdf;Zo\xeb\nNov\xe1k;\x8aimon \x80\n"),
			[]string{"Jürgen Müller", "Zoë Groß", "Šimon € Novák"}, "windows-1252", ";", "header", ""},
		{"utf-16le bom", utf16Bytes("Vorname\tNachname\r\nAnna\tMüller\r\n", false, true), []string{"Anna Müller"}, "utf-16le-bom", "\t", "header", ""},
		{"utf-16be bom", utf16Bytes("Anna Müller\nBen\n", true, true), []string{"Anna Müller", "Ben"}, "utf-16be-bom", "", "plain", ""},
		{"utf-16le no bom", utf16Bytes("Anna Müller\nBen Becker\n", false, false), []string{"Anna Müller", "Ben Becker"}, "utf-16le", "", "plain", ""},
		{"comma english header", []byte("First name,Last name,Email,Class\nAnna,Smith,anna@example.org,7B\n"),
			[]string{"Anna Smith"}, "utf-8", ",", "header", "7B"},
		{"comma no header = Nachname, Vorname", []byte("Müller, Anna\nBecker, Jonas\n"), []string{"Anna Müller", "Jonas Becker"}, "utf-8", ",", "lastname-firstname", ""},
		{"semicolon no header with class", []byte("Müller;Anna;7b\nBecker;Jonas;7b\n"), []string{"Anna Müller", "Jonas Becker"}, "utf-8", ";", "lastname-firstname", "7b"},
		{"Name;Vorname means Name is the last name", []byte("Name;Vorname;E-Mail\nMüller;Anna;a@x.de\n"), []string{"Anna Müller"}, "utf-8", ";", "header", ""},
		{"quoted fields", []byte("Name;Klasse\n\"Müller; Anna \"\"Anni\"\"\";7b\n"), []string{`Müller; Anna "Anni"`}, "utf-8", ";", "header", "7b"},
		{"only separators on a line", []byte("Nachname;Vorname\nMüller;Anna\n;;\n;\nBecker;Jonas\n"), []string{"Anna Müller", "Jonas Becker"}, "utf-8", ";", "header", ""},
		{"a few commas stay a plain list", []byte("Anna Müller\nBen Becker\nMeier, Lisa\nTom\n"), []string{"Anna Müller", "Ben Becker", "Meier, Lisa", "Tom"}, "utf-8", "", "plain", ""},
		{"title rows before the header", []byte("Klassenliste 7b;;\nStand: 01.09.2026;;\n\nNachname;Vorname;Klasse\nMüller;Anna;7b\n"),
			[]string{"Anna Müller"}, "utf-8", ";", "header", "7b"},
		{"comments and zero-width chars", []byte("# Klasse 7b\nAn\u200bna\n"), []string{"Anna"}, "utf-8", "", "plain", ""},
		{"quotes inside a field are tolerated", []byte("Name;Klasse\nAnna \"Ann\" Müller;7b\nBen \"Benni;7b\n"),
			[]string{`Anna "Ann" Müller`, `Ben "Benni`}, "utf-8", ";", "header", "7b"},
		{"title row before a header-less list", []byte("Klassenliste 7b\nMüller;Anna\nSchmidt;Ben\nKaya;Elif\n"),
			[]string{"Anna Müller", "Ben Schmidt", "Elif Kaya"}, "utf-8", ";", "lastname-firstname", ""},
		{"padded title rows before a header-less list", []byte("Klassenliste 7b;;\nStand: 01.09.2026;;\n\nMüller;Anna;7b\nSchmidt;Ben;7b\nKaya;Elif;7b\n"),
			[]string{"Anna Müller", "Ben Schmidt", "Elif Kaya"}, "utf-8", ";", "lastname-firstname", "7b"},
		{"short row further down is still a name", []byte("Müller;Anna\nKaya\nSchmidt;Ben\n"),
			[]string{"Anna Müller", "Kaya", "Ben Schmidt"}, "utf-8", ";", "lastname-firstname", ""},
		{"first row with an empty first name keeps two columns", []byte("Kaya;\nMüller;Anna\n"),
			[]string{"Kaya", "Anna Müller"}, "utf-8", ";", "lastname-firstname", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cl, err := Parse(bytes.NewReader(c.in), ParseOptions{})
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if got := names(cl); !reflect.DeepEqual(got, c.want) {
				t.Fatalf("names %q, want %q", got, c.want)
			}
			if cl.Encoding != c.enc || cl.Separator != c.sep || cl.Layout != c.layout || cl.Class != c.class {
				t.Fatalf("encoding %q sep %q layout %q class %q; want %q %q %q %q", cl.Encoding, cl.Separator, cl.Layout, cl.Class, c.enc, c.sep, c.layout, c.class)
			}
		})
	}
}

func TestParseSkippedTitle(t *testing.T) {
	cl, err := Parse(strings.NewReader("Klassenliste 7b;\n\nName;Klasse\nAnna;7b\n"), ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(names(cl), []string{"Anna"}) || !reflect.DeepEqual(cl.Skipped, []int{1}) {
		t.Fatalf("names %q skipped %v", names(cl), cl.Skipped)
	}
	if msg := SkippedMessage(translations.New("de"), cl.Skipped); !strings.Contains(msg, "Zeile(n) 1 ") {
		t.Fatalf("skipped message %q", msg)
	}
	// In a plain list only the first row can be a header.
	cl, err = Parse(strings.NewReader("Anna\nBen\nName\n"), ParseOptions{})
	if err != nil || !reflect.DeepEqual(names(cl), []string{"Anna", "Ben", "Name"}) || cl.Skipped != nil {
		t.Fatalf("plain: %q %v %v", names(cl), cl.Skipped, err)
	}
}

// Title rows above a header-less Nachname;Vorname list are skipped and
// reported like those above a header; only a majority of two-column rows
// makes that call.
func TestParseSkippedNoHeader(t *testing.T) {
	for _, c := range []struct {
		name    string
		in      string
		want    []string
		skipped []int
		layout  string
	}{
		{"one title row", "Klassenliste 7b\nMüller;Anna\nSchmidt;Ben\nKaya;Elif\n",
			[]string{"Anna Müller", "Ben Schmidt", "Elif Kaya"}, []int{1}, "lastname-firstname"},
		{"title, date, blank line", "Klassenliste 7b;\nStand 01.09.;\n\nMüller;Anna\nSchmidt;Ben\nKaya;Elif\nNowak;Jan\n",
			[]string{"Anna Müller", "Ben Schmidt", "Elif Kaya", "Jan Nowak"}, []int{1, 2}, "lastname-firstname"},
		{"no title", "Müller;Anna\nSchmidt;Ben\n", []string{"Anna Müller", "Ben Schmidt"}, nil, "lastname-firstname"},
		{"more leading short rows than title rows are names", "A\nB\nC\nD\nE\nF\nM;Anna\nS;Ben\nK;Elif\nN;Jan\nO;Tom\nP;Lea\nQ;Max\n",
			[]string{"A", "B", "C", "D", "E", "F", "Anna M", "Ben S", "Elif K", "Jan N", "Tom O", "Lea P", "Max Q"}, nil, "lastname-firstname"},
	} {
		t.Run(c.name, func(t *testing.T) {
			cl, err := Parse(strings.NewReader(c.in), ParseOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(names(cl), c.want) || !reflect.DeepEqual(cl.Skipped, c.skipped) || cl.Layout != c.layout {
				t.Fatalf("names %q skipped %v layout %s; want %q %v %s", names(cl), cl.Skipped, cl.Layout, c.want, c.skipped, c.layout)
			}
		})
	}
}

// An unclosed quote must not swallow the rest of the file into one name:
// bad CSV, naming the line where the quote starts.
func TestParseUnclosedQuote(t *testing.T) {
	for _, c := range []struct {
		name string
		in   string
		line int
	}{
		{"review input", "Nachname;Vorname;Klasse\n\"Müller;Anna;7b\nSchmidt;Ben;7b\nKaya;Elif;7b\nNowak;Jan;7b\n", 2},
		{"second field, CRLF", "Nachname;Vorname\r\nMüller;Anna\r\nSchmidt;\"Ben\r\nKaya;Elif\r\n", 3},
		{"last line", "Müller;Anna\nSchmidt;\"Ben\n", 2},
		{"last line without final newline", "Müller;Anna\nSchmidt;\"Ben", 2},
		{"closed only on a later line", "Name;Klasse\n\"Müller\nAnna\";7b\nBen;7b\n", 2},
		{"after blank lines", "Name,Klasse\n\nAnna,7b\n\n\"Ben,7b\nTom,7b\n", 5},
	} {
		t.Run(c.name, func(t *testing.T) {
			cl, err := Parse(strings.NewReader(c.in), ParseOptions{})
			var e *Error
			if !errors.As(err, &e) || e.Code != CodeBadCSV || e.Line != c.line {
				t.Fatalf("err = %v (students %v), want bad CSV at line %d", err, cl, c.line)
			}
			if msg := Message(translations.New("de"), err); !strings.Contains(msg, "Zeile "+strconv.Itoa(c.line)) {
				t.Fatalf("message %q", msg)
			}
		})
	}
}

func TestParseEmailAndLines(t *testing.T) {
	cl, err := Parse(strings.NewReader("\nVorname;Nachname;E-Mail\n\nAnna;Müller;anna@schule.de\n"), ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	s := cl.Students[0]
	if s.Email != "anna@schule.de" || s.Line != 4 || cl.EmptyLines != 2 || cl.Skipped != nil {
		t.Fatalf("student %+v, empty lines %d", s, cl.EmptyLines)
	}
}

func TestDuplicates(t *testing.T) {
	in := "Anna Müller\nBen\nanna  MÜLLER\nAnna Müller (2)\nAnna Mu\u0308ller\nBen\n"
	cl, err := Parse(strings.NewReader(in), ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"Anna Müller", "Ben", "anna MÜLLER (3)", "Anna Müller (2)", "Anna Mu\u0308ller (4)", "Ben (2)"}
	if got := names(cl); !reflect.DeepEqual(got, want) {
		t.Fatalf("names %q, want %q", got, want)
	}
	if len(cl.Duplicates) != 2 || !reflect.DeepEqual(cl.Duplicates[0].Lines, []int{1, 3, 5}) ||
		!reflect.DeepEqual(cl.Duplicates[0].Renamed, []string{"anna MÜLLER (3)", "Anna Mu\u0308ller (4)"}) {
		t.Fatalf("duplicates %+v", cl.Duplicates)
	}
	ids := map[string]bool{}
	for _, s := range cl.Students {
		ids[UserID("room-1", s.Name)] = true
	}
	if len(ids) != len(cl.Students) {
		t.Fatalf("userIDs not distinct: %d for %d students", len(ids), len(cl.Students))
	}
	msg := DuplicateMessage(translations.New("de"), cl.Duplicates[1])
	if !strings.Contains(msg, "„Ben“ steht 2-mal") || !strings.Contains(msg, "Zeilen 2, 6") || !strings.Contains(msg, "„Ben (2)“") {
		t.Fatalf("message %q", msg)
	}
}

func TestParseLimitsAndErrors(t *testing.T) {
	tr := translations.New("de")
	// Huge input: a clear error naming the limit, not an out-of-memory.
	huge := strings.Repeat("Anna Müller\n", DefaultMaxBytes/12+10)
	_, err := Parse(strings.NewReader(huge), ParseOptions{})
	var e *Error
	if !errors.As(err, &e) || e.Code != CodeTooLarge || e.Limit != DefaultMaxBytes {
		t.Fatalf("huge: %v", err)
	}
	if msg := Message(tr, err); !strings.Contains(msg, "1024 KB") {
		t.Fatalf("huge message %q", msg)
	}
	var many strings.Builder
	for i := range 600 {
		many.WriteString("Kind " + strings.Repeat("x", i%7) + string(rune('A'+i%26)) + " " + string(rune('a'+i/26)) + "\n")
	}
	_, err = Parse(strings.NewReader(many.String()), ParseOptions{})
	if !errors.As(err, &e) || e.Code != CodeTooMany || e.Limit != DefaultMaxStudents || e.Count != 600 {
		t.Fatalf("too many: %v (%+v)", err, e)
	}
	if msg := Message(tr, err); !strings.Contains(msg, "600 Namen") || !strings.Contains(msg, "500") {
		t.Fatalf("too many message %q", msg)
	}
	for in, want := range map[string]error{
		"":                          ErrEmpty,
		"\n\n  \r\n;;\n":            ErrEmpty,
		"Nachname;Vorname\n":        ErrEmpty,
		"PK\x03\x04\x14\x00rest":    ErrSpreadsheet,
		"\x89PNG\r\n\x1a\n\x00\x00": ErrNotText,
		"\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e\x0f": ErrNotText,
	} {
		if _, err := Parse(strings.NewReader(in), ParseOptions{}); !errors.Is(err, want) {
			t.Errorf("%q: err = %v, want %v", in, err, want)
		}
	}
	p := filepath.Join(t.TempDir(), "liste.xlsx")
	os.WriteFile(p, []byte("PK\x03\x04...."), 0o600)
	_, err = ParseFile(p, ParseOptions{})
	if msg := Message(tr, err); !errors.Is(err, ErrSpreadsheet) || !strings.Contains(msg, "„liste.xlsx“") || !strings.Contains(msg, "CSV") {
		t.Fatalf("xlsx: %v / %q", err, msg)
	}
	_, err = ParseFile(filepath.Join(t.TempDir(), "fehlt.csv"), ParseOptions{})
	if !errors.Is(err, ErrUnreadable) || strings.Contains(err.Error(), string(filepath.Separator)+"fehlt") {
		t.Fatalf("missing: %v", err)
	}
	// Every code has a German and an English sentence.
	for _, c := range []Code{CodeTooLarge, CodeTooMany, CodeEmpty, CodeNotText, CodeSpreadsheet, CodeUnreadable,
		CodeNotViewer, CodeSignFailed, CodeBadCSV, CodeDuplicate, CodeTruncated, CodeSkipped} {
		for _, l := range translations.Languages {
			if translations.New(l).T(string(c)) == string(c) {
				t.Errorf("%s: %s missing", l, c)
			}
		}
	}
}

func TestLongNameTruncated(t *testing.T) {
	long := strings.Repeat("Ä", MaxNameRunes+20)
	cl, err := Parse(strings.NewReader("Ben\n"+long+"\n"), ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if n := len([]rune(cl.Students[1].Name)); n != MaxNameRunes || !reflect.DeepEqual(cl.Truncated, []int{2}) {
		t.Fatalf("len %d, truncated %v", n, cl.Truncated)
	}
	if msg := TruncatedMessage(translations.New("en"), 2); !strings.Contains(msg, "line 2") {
		t.Fatalf("message %q", msg)
	}
}

func TestUserIDStable(t *testing.T) {
	a := UserID("room-abc", "Anna Müller")
	if a != UserID("room-abc", "  anna   MÜLLER ") || a != UserID("room-abc", "Anna Mu\u0308ller") {
		t.Fatal("normalised names must give the same userID")
	}
	if a == UserID("room-xyz", "Anna Müller") || a == UserID("room-abc", "Anna Müller (2)") {
		t.Fatal("other meeting or name must give another userID")
	}
	if len(a) != 26 || !strings.HasPrefix(a, "s-") || strings.Trim(a[2:], "abcdefghijklmnopqrstuvwxyz234567") != "" {
		t.Fatalf("userID format %q", a)
	}
	// Frozen: a re-export next year must give the same IDs.
	if got := UserID("tafel-7b", "Anna Müller"); got != frozenUserID {
		t.Fatalf("UserID changed: %s", got)
	}
}

const frozenUserID = "s-ayrazfovfz5miymaows5c3wc"
