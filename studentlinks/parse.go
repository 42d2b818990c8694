package studentlinks

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// Parse limits. A class has 20–35 students; a course list of a whole year
// stays far below these.
const (
	DefaultMaxBytes    = 1 << 20
	DefaultMaxStudents = 500
	// MaxNameRunes keeps a name printable on one card line and well under
	// BBB's fullName limits; longer names are cut and reported.
	MaxNameRunes = 80
	// maxTitleRows is how far down the header row is looked for.
	maxTitleRows = 5
)

// ParseOptions bound what Parse accepts.
type ParseOptions struct {
	MaxBytes    int64 // 0 → DefaultMaxBytes
	MaxStudents int   // 0 → DefaultMaxStudents
}

// Student is one entry of a class list.
type Student struct {
	// Name is the display name used as BBB fullName ("Vorname Nachname"),
	// with " (2)", " (3)" … appended to repeated names.
	Name     string
	Original string // the name before a duplicate suffix
	Class    string // from a Klasse/Class column, if any
	Email    string // from an E-Mail column, if any (for mail merge)
	Line     int    // 1-based line in the source
}

// Duplicate reports a name that occurs more than once and how the repeats
// were renamed so that each student gets a distinct link and userID.
type Duplicate struct {
	Name    string
	Lines   []int
	Renamed []string // the new names of the second, third … occurrence
}

// ClassList is a parsed class list and what the parser had to decide.
type ClassList struct {
	Students   []Student
	Encoding   string   // "utf-8", "utf-8-bom", "utf-16le-bom", "utf-16be-bom", "utf-16le", "utf-16be", "windows-1252"
	Separator  string   // "" (one name per line), ";", "," or "\t"
	Header     []string // the detected header row, nil if none
	Layout     string   // "plain", "header", "lastname-firstname" (no header, Nachname;Vorname order assumed)
	Duplicates []Duplicate
	Truncated  []int // lines whose name was cut to MaxNameRunes
	Skipped    []int // title lines before the header row or the first Nachname;Vorname row, not read as names
	EmptyLines int
	// Class is the class all students share (from a class column), or "".
	Class string
}

// ParseFile reads a class list from a file; errors name the file by its
// base name only.
func ParseFile(path string, opts ParseOptions) (*ClassList, error) {
	name := filepath.Base(path)
	f, err := os.Open(path)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, &Error{Code: CodeUnreadable, File: name, Err: err}
	}
	defer f.Close()
	cl, err := Parse(f, opts)
	var e *Error
	if errors.As(err, &e) {
		e.File = name
	}
	return cl, err
}

// Parse reads a class list: CSV with ';', ',' or tab (header detection for
// school exports such as "Nachname;Vorname;Klasse") or plain text with one
// name per line; UTF-8 with or without BOM, UTF-16 with BOM, and
// Windows-1252 (what German Excel writes as "CSV") are recognised.
func Parse(r io.Reader, opts ParseOptions) (*ClassList, error) {
	maxBytes, maxStudents := opts.MaxBytes, opts.MaxStudents
	if maxBytes <= 0 {
		maxBytes = DefaultMaxBytes
	}
	if maxStudents <= 0 {
		maxStudents = DefaultMaxStudents
	}
	raw, err := io.ReadAll(io.LimitReader(r, maxBytes+1))
	if err != nil {
		return nil, &Error{Code: CodeUnreadable, Err: err}
	}
	if int64(len(raw)) > maxBytes {
		return nil, &Error{Code: CodeTooLarge, Size: int64(len(raw)), Limit: maxBytes}
	}
	if isSpreadsheet(raw) {
		return nil, &Error{Code: CodeSpreadsheet}
	}
	text, enc, ok := decode(raw)
	if !ok {
		return nil, &Error{Code: CodeNotText}
	}
	cl := &ClassList{Encoding: enc}
	text = strings.ReplaceAll(text, "\r\n", "\n")
	text = strings.ReplaceAll(text, "\r", "\n")
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	sep := detectSeparator(lines)
	if sep != 0 {
		cl.Separator = string(sep)
	}
	recs, err := records(text, lines, sep)
	if err != nil {
		return nil, err
	}
	if sep != 0 {
		// encoding/csv skips blank lines; count them for the report.
		for _, l := range lines {
			if strings.TrimSpace(l) == "" {
				cl.EmptyLines++
			}
		}
	}
	cols := columns{full: 0, first: -1, last: -1, class: -1, email: -1}
	cl.Layout = "plain"
	start := 0
	// School exports often start with a title row ("Klassenliste 7b",
	// date) before the header: look for the header in the first rows and
	// skip what precedes it.
	seen := 0
	for i, rec := range recs {
		if rec.empty() {
			continue
		}
		// Below the first row a header needs two known columns (a lone
		// "Name" there is more likely a student), and plain lists have
		// no title rows.
		if c, hits, ok := detectHeader(rec.fields); ok && (seen == 0 || (sep != 0 && hits >= 2)) {
			cols, cl.Header, cl.Layout = c, rec.fields, "header"
			start = i + 1
			for _, r := range recs[:i] {
				if !r.empty() {
					cl.Skipped = append(cl.Skipped, r.line)
				}
			}
			break
		}
		if seen++; seen == maxTitleRows {
			break
		}
	}
	if cl.Layout == "plain" && sep != 0 {
		// Without a header, most rows decide: a title row ("Klassenliste
		// 7b") above a Nachname;Vorname list must not turn the whole list
		// into one-column names and drop every first name.
		multi, nonEmpty, first, firstWide := 0, 0, -1, false
		for i, rec := range recs {
			if rec.empty() {
				continue
			}
			if nonEmpty++; nonEmpty == 1 {
				firstWide = len(rec.fields) >= 2 // "Kaya;" first: as before
			}
			if rec.width() >= 2 {
				multi++
				if first < 0 {
					first = i
				}
			}
		}
		majority := multi*2 > nonEmpty
		if majority || firstWide {
			cols = columns{full: -1, last: 0, first: 1, class: -1, email: -1}
			cl.Layout = "lastname-firstname"
		}
		if majority {
			// Short rows above the first two-column row are titles, as
			// above a header; further down a short row is still a name.
			if n := countNonEmpty(recs[:first]); n > 0 && n <= maxTitleRows {
				for _, r := range recs[:first] {
					if !r.empty() {
						cl.Skipped = append(cl.Skipped, r.line)
					}
				}
				start = first
			}
		}
	}
	classes := map[string]bool{}
	for i, rec := range recs {
		if i < start {
			continue
		}
		if rec.empty() || (sep == 0 && strings.HasPrefix(strings.TrimSpace(rec.fields[0]), "#")) {
			cl.EmptyLines++
			continue
		}
		s := cols.student(rec.fields, cl.Layout == "lastname-firstname")
		if s.Name == "" {
			cl.EmptyLines++
			continue
		}
		if n, cut := clip(s.Name); cut {
			s.Name = n
			cl.Truncated = append(cl.Truncated, rec.line)
		}
		s.Line, s.Original = rec.line, s.Name
		cl.Students = append(cl.Students, s)
		classes[s.Class] = true
		if len(cl.Students) > maxStudents {
			return nil, &Error{Code: CodeTooMany, Count: countNonEmpty(recs[i:]) + len(cl.Students) - 1, Limit: int64(maxStudents)}
		}
	}
	if len(cl.Students) == 0 {
		return nil, &Error{Code: CodeEmpty}
	}
	if len(classes) == 1 {
		cl.Class = cl.Students[0].Class
	}
	cl.Duplicates = disambiguate(cl.Students)
	return cl, nil
}

func countNonEmpty(recs []record) int {
	n := 0
	for _, r := range recs {
		if !r.empty() {
			n++
		}
	}
	return n
}

// isSpreadsheet spots the common mistake of choosing the Excel or Calc
// file itself instead of a CSV export.
func isSpreadsheet(b []byte) bool {
	return bytes.HasPrefix(b, []byte("PK\x03\x04")) ||
		bytes.HasPrefix(b, []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1})
}

// decode turns the bytes into text: BOMs first, then UTF-16 without BOM
// (NUL in every other byte), then UTF-8, else Windows-1252 — invalid UTF-8
// from a German school PC is nearly always 1252 ("M\xfcller").
func decode(b []byte) (text, enc string, ok bool) {
	switch {
	case bytes.HasPrefix(b, []byte{0xEF, 0xBB, 0xBF}):
		b = b[3:]
		if utf8.Valid(b) {
			text, enc = string(b), "utf-8-bom"
		} else {
			text, enc = decode1252(b), "windows-1252"
		}
	case bytes.HasPrefix(b, []byte{0xFF, 0xFE}):
		text, enc = decodeUTF16(b[2:], false), "utf-16le-bom"
	case bytes.HasPrefix(b, []byte{0xFE, 0xFF}):
		text, enc = decodeUTF16(b[2:], true), "utf-16be-bom"
	case looksUTF16(b, false):
		text, enc = decodeUTF16(b, false), "utf-16le"
	case looksUTF16(b, true):
		text, enc = decodeUTF16(b, true), "utf-16be"
	case utf8.Valid(b):
		text, enc = string(b), "utf-8"
	default:
		text, enc = decode1252(b), "windows-1252"
	}
	// Text has no NULs and few control characters; binary files have many.
	ctl := 0
	for _, r := range text {
		if r == 0 {
			return "", enc, false
		}
		if unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t' {
			ctl++
		}
	}
	if ctl > 8 && ctl*20 > utf8.RuneCountInString(text) {
		return "", enc, false
	}
	return text, enc, true
}

// looksUTF16 detects BOM-less UTF-16 of mostly Latin text: in the first
// bytes, the high byte of nearly every code unit is zero.
func looksUTF16(b []byte, bigEndian bool) bool {
	n := min(len(b), 512) &^ 1
	if n < 4 {
		return false
	}
	zeros := 0
	for i := 0; i < n; i += 2 {
		hi := b[i+1]
		if bigEndian {
			hi = b[i]
		}
		if hi == 0 {
			zeros++
		}
	}
	return zeros*10 >= (n/2)*9
}

func decodeUTF16(b []byte, bigEndian bool) string {
	u := make([]uint16, len(b)/2)
	for i := range u {
		if bigEndian {
			u[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
		} else {
			u[i] = uint16(b[2*i+1])<<8 | uint16(b[2*i])
		}
	}
	return string(utf16.Decode(u))
}

// cp1252 maps 0x80–0x9F; the rest of Windows-1252 equals Latin-1. The five
// undefined bytes map to C1 controls, as the WHATWG decoder does.
var cp1252 = [32]rune{
	'€', 0x81, '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', 0x8D, 'Ž', 0x8F,
	0x90, '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', 0x9D, 'ž', 'Ÿ',
}

func decode1252(b []byte) string {
	var sb strings.Builder
	sb.Grow(len(b) + len(b)/8)
	for _, c := range b {
		switch {
		case c < 0x80:
			sb.WriteByte(c)
		case c < 0xA0:
			sb.WriteRune(cp1252[c-0x80])
		default:
			sb.WriteRune(rune(c))
		}
	}
	return sb.String()
}

// detectSeparator looks at the first non-empty lines: a separator that
// appears in at least half of them wins, ';' before tab before ','.
// A plain list where a few names carry a comma stays a plain list.
func detectSeparator(lines []string) rune {
	var sample []string
	for _, l := range lines {
		if strings.TrimSpace(l) != "" {
			sample = append(sample, l)
			if len(sample) == 21 {
				break
			}
		}
	}
	if len(sample) == 0 {
		return 0
	}
	for _, sep := range []rune{';', '\t', ','} {
		n := 0
		for _, l := range sample {
			if strings.ContainsRune(strings.TrimSpace(l), sep) {
				n++
			}
		}
		if n*2 > len(sample) || (n > 0 && n*2 == len(sample) && len(sample) > 2) {
			return sep
		}
	}
	return 0
}

type record struct {
	line   int
	fields []string
}

// width is the number of fields up to the last non-empty one: Excel pads
// a title row to the table's width ("Klassenliste 7b;;").
func (r record) width() int {
	for i := len(r.fields) - 1; i >= 0; i-- {
		if strings.TrimSpace(r.fields[i]) != "" {
			return i + 1
		}
	}
	return 0
}

func (r record) empty() bool {
	for _, f := range r.fields {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

// records splits the text into rows; CSV quoting ("Müller; Anna") is
// honoured when a separator was detected.
func records(text string, lines []string, sep rune) ([]record, error) {
	if sep == 0 {
		out := make([]record, len(lines))
		for i, l := range lines {
			out[i] = record{line: i + 1, fields: []string{l}}
		}
		return out, nil
	}
	// A final line break makes an unclosed quote on the last line span
	// lines too, so it fails the same with or without one.
	if !strings.HasSuffix(text, "\n") {
		text += "\n"
	}
	cr := csv.NewReader(strings.NewReader(text))
	cr.Comma = sep
	cr.LazyQuotes = true
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = false
	var out []record
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			line := 0
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.StartLine
			}
			return nil, &Error{Code: CodeBadCSV, Line: line, Err: err}
		}
		// LazyQuotes tolerates quotes inside a field (Anna "Ann" Müller),
		// but also lets an unclosed quote run to the end of the file and
		// swallow every name below it. No name spans lines, so a field
		// with a line break is such a broken quote: report where it starts.
		for i, f := range rec {
			if strings.Contains(f, "\n") {
				line, _ := cr.FieldPos(i)
				return nil, &Error{Code: CodeBadCSV, Line: line, Err: errors.New("unclosed quote: field spans lines")}
			}
		}
		line, _ := cr.FieldPos(0)
		out = append(out, record{line: line, fields: rec})
	}
	return out, nil
}

// columns maps a row to a student; -1 means absent.
type columns struct{ full, first, last, class, email int }

func field(fields []string, i int) string {
	if i < 0 || i >= len(fields) {
		return ""
	}
	return cleanName(fields[i])
}

func (c columns) student(fields []string, guessClass bool) Student {
	s := Student{Class: field(fields, c.class), Email: field(fields, c.email)}
	first, last := field(fields, c.first), field(fields, c.last)
	if c.full >= 0 {
		s.Name = field(fields, c.full)
	}
	if s.Name == "" {
		s.Name = strings.TrimSpace(first + " " + last)
	}
	// Without a header a short third column with a digit ("7b", "10a",
	// "Q1") is the class; anything else there is left alone.
	if guessClass && s.Class == "" && len(fields) >= 3 {
		if v := field(fields, 2); utf8.RuneCountInString(v) <= 10 && strings.ContainsAny(v, "0123456789") {
			s.Class = v
		}
	}
	return s
}

// headerWords maps normalised header cells of common school exports (ASV,
// SchILD, WebUntis, Excel templates; German and English) to a column.
var headerWords = map[string]string{
	"nachname": "last", "familienname": "last", "surname": "last", "lastname": "last", "familyname": "last",
	"schülernachname": "last", "name(nachname)": "last",
	"vorname": "first", "rufname": "first", "firstname": "first", "givenname": "first", "schülervorname": "first",
	"vornamen": "first", "forename": "first",
	"name": "name", "vollständigername": "full", "schüler": "full", "schülerin": "full", "schüler/in": "full",
	"schüler:in": "full", "schüler*in": "full", "schülername": "full", "student": "full", "fullname": "full",
	"displayname": "full", "anzeigename": "full", "teilnehmer": "full", "teilnehmerin": "full", "pupil": "full",
	"klasse": "class", "class": "class", "lerngruppe": "class", "kurs": "class", "gruppe": "class",
	"klassenbezeichnung": "class", "form": "class", "group": "class", "course": "class",
	"email": "email", "mail": "email", "emailadresse": "email", "emailaddress": "email",
}

func normHeader(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' || r == '_' || r == '.' {
			return -1
		}
		return r
	}, s)
}

// detectHeader reports whether the first row is a header, and which
// columns hold what. "Name" is the last name when a first-name column
// exists ("Name;Vorname"), else the full name.
func detectHeader(fields []string) (columns, int, bool) {
	c := columns{full: -1, first: -1, last: -1, class: -1, email: -1}
	nameCol, hits := -1, 0
	for i, f := range fields {
		kind, ok := headerWords[normHeader(f)]
		if !ok {
			continue
		}
		set := func(p *int) {
			if *p < 0 {
				*p = i
				hits++
			}
		}
		switch kind {
		case "last":
			set(&c.last)
		case "first":
			set(&c.first)
		case "full":
			set(&c.full)
		case "class":
			set(&c.class)
		case "email":
			set(&c.email)
		case "name":
			if nameCol < 0 {
				nameCol = i
				hits++
			}
		}
	}
	if hits == 0 {
		return c, 0, false
	}
	if nameCol >= 0 {
		if c.first >= 0 && c.last < 0 {
			c.last = nameCol
		} else if c.full < 0 {
			c.full = nameCol
		}
	}
	if c.full < 0 && c.first < 0 && c.last < 0 {
		return c, hits, false // only "Klasse" or "E-Mail": a header without names is no class list header
	}
	return c, hits, true
}

// cleanName drops control and invisible format characters and collapses
// whitespace.
func cleanName(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '\t' || r == '\u00A0':
			return ' '
		case unicode.IsControl(r), unicode.Is(unicode.Cf, r), r == utf8.RuneError:
			return -1
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

func clip(s string) (string, bool) {
	if utf8.RuneCountInString(s) <= MaxNameRunes {
		return s, false
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:MaxNameRunes])), true
}
