package studentlinks

import (
	"errors"
	"fmt"
)

// Code is a stable machine code; it doubles as the translation key.
type Code string

// Error codes.
const (
	CodeTooLarge    Code = "studentlinks.too_large"   // Size > Limit bytes
	CodeTooMany     Code = "studentlinks.too_many"    // Count > Limit names
	CodeEmpty       Code = "studentlinks.empty"       // no names at all
	CodeNotText     Code = "studentlinks.not_text"    // binary content
	CodeSpreadsheet Code = "studentlinks.spreadsheet" // an .xlsx/.xls/.ods file instead of CSV
	CodeUnreadable  Code = "studentlinks.unreadable"  // missing file, no permission
	CodeNotViewer   Code = "studentlinks.not_viewer"  // the signer returned a non-VIEWER link
	CodeSignFailed  Code = "studentlinks.sign_failed" // the signer failed (meeting not running, …)
	CodeBadCSV      Code = "studentlinks.bad_csv"     // CSV syntax the reader cannot recover from
	CodeDuplicate   Code = "studentlinks.duplicate"   // report key, not an error
	CodeTruncated   Code = "studentlinks.truncated"   // report key, not an error
	CodeSkipped     Code = "studentlinks.skipped"     // report key, not an error
)

// Error is a class-list or link failure. It never contains a join URL.
type Error struct {
	Code  Code
	File  string // base name of the class list, if known
	Line  int    // 1-based source line, if known
	Name  string // the student concerned (sign_failed, not_viewer)
	Size  int64
	Count int
	Limit int64
	Err   error // technical cause, for IT details; never a URL
}

func (e *Error) Error() string {
	s := "studentlinks: " + string(e.Code)
	if e.File != "" {
		s += " in " + e.File
	}
	if e.Line > 0 {
		s += fmt.Sprintf(" line %d", e.Line)
	}
	if e.Limit > 0 {
		s += fmt.Sprintf(" (limit %d)", e.Limit)
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// Is matches the sentinel with the same code.
func (e *Error) Is(target error) bool {
	var t *Error
	if errors.As(target, &t) && t.File == "" && t.Err == nil && t.Name == "" {
		return t.Code == e.Code
	}
	return false
}

// Sentinels for errors.Is.
var (
	ErrTooLarge    error = &Error{Code: CodeTooLarge}
	ErrTooMany     error = &Error{Code: CodeTooMany}
	ErrEmpty       error = &Error{Code: CodeEmpty}
	ErrNotText     error = &Error{Code: CodeNotText}
	ErrSpreadsheet error = &Error{Code: CodeSpreadsheet}
	ErrUnreadable  error = &Error{Code: CodeUnreadable}
	ErrNotViewer   error = &Error{Code: CodeNotViewer}
	ErrSignFailed  error = &Error{Code: CodeSignFailed}
	ErrBadCSV      error = &Error{Code: CodeBadCSV}
)
