package studentlinks

import (
	"errors"
	"strconv"
	"strings"

	"github.com/tafel-schule/tafel/translations"
)

// Message turns an error into one teacher-facing sentence. Non-package
// errors get a generic sentence; their text belongs in details.
func Message(tr translations.Translator, err error) string {
	var e *Error
	if !errors.As(err, &e) {
		return tr.T("studentlinks.failed")
	}
	file := e.File
	if file == "" {
		file = tr.T("studentlinks.the_list")
	}
	return tr.T(string(e.Code), map[string]any{
		"File":  file,
		"Line":  e.Line,
		"Name":  e.Name,
		"Count": e.Count,
		"Limit": limitText(e),
		"Size":  kb(e.Size),
	})
}

func limitText(e *Error) string {
	if e.Code == CodeTooLarge {
		return kb(e.Limit)
	}
	return strconv.FormatInt(e.Limit, 10)
}

func kb(n int64) string { return strconv.FormatInt((n+1023)/1024, 10) + " KB" }

// DuplicateMessage reports one duplicate name and its new names.
func DuplicateMessage(tr translations.Translator, d Duplicate) string {
	lines := make([]string, len(d.Lines))
	for i, l := range d.Lines {
		lines[i] = strconv.Itoa(l)
	}
	quoted := make([]string, len(d.Renamed))
	for i, r := range d.Renamed {
		quoted[i] = tr.T("studentlinks.quote", map[string]any{"Name": r})
	}
	return tr.T(string(CodeDuplicate), map[string]any{
		"Name": d.Name, "Count": len(d.Lines), "Lines": strings.Join(lines, ", "), "Renamed": strings.Join(quoted, ", "),
	})
}

// TruncatedMessage reports a name cut to MaxNameRunes.
func TruncatedMessage(tr translations.Translator, line int) string {
	return tr.T(string(CodeTruncated), map[string]any{"Line": line, "Max": MaxNameRunes})
}

// SkippedMessage reports title lines above the header row (or above the
// first Nachname;Vorname row of a list without header) that were not read
// as names (ClassList.Skipped); "" when there were none.
func SkippedMessage(tr translations.Translator, lines []int) string {
	if len(lines) == 0 {
		return ""
	}
	s := make([]string, len(lines))
	for i, l := range lines {
		s[i] = strconv.Itoa(l)
	}
	return tr.T(string(CodeSkipped), map[string]any{"Lines": strings.Join(s, ", ")})
}
