package studentlinks

import (
	"encoding/csv"
	"io"
	"strings"

	"github.com/tafel-schule/tafel/translations"
)

// WriteCSV writes a mail-merge table for German Excel: UTF-8 with BOM
// (Excel otherwise reads it as 1252), ';' as separator, CRLF, quoting
// where needed. Columns: name, class, room, link, userID, e-mail, note.
// Cells that Excel would run as a formula (=, +, -, @ first) get a
// leading apostrophe, except the link, which starts with "http".
func WriteCSV(w io.Writer, links []Link, opt SheetOptions) error {
	tr := translations.New(lang(opt.Lang))
	if _, err := io.WriteString(w, "\uFEFF"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.Comma = ';'
	cw.UseCRLF = true
	head := []string{"name", "class", "room", "link", "userid", "email", "note"}
	for i, k := range head {
		head[i] = tr.T("studentlinks.csv." + k)
	}
	cw.Write(head)
	note := tr.T("studentlinks.card.note")
	if opt.Date != "" {
		note += " " + tr.T("studentlinks.card.date", map[string]any{"Date": opt.Date})
	}
	for _, l := range links {
		class := l.Student.Class
		if class == "" {
			class = opt.Class
		}
		cw.Write([]string{noFormula(l.Student.Name), noFormula(class), noFormula(opt.Room), l.URL.Reveal(),
			l.UserID, noFormula(l.Student.Email), note})
	}
	cw.Flush()
	return cw.Error()
}

// noFormula defuses CSV formula injection: a class list is outside data.
func noFormula(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
