package slides

import (
	"errors"
	"fmt"
)

// Code is a stable machine code for a validation outcome. It doubles as the
// translation key of the teacher-facing sentence (translations/*.json).
type Code string

// Error codes. They never change meaning; scripts and the GUI branch on them.
const (
	CodeEmpty          Code = "slides.empty"
	CodeTooLarge       Code = "slides.too_large"
	CodeTooManyPages   Code = "slides.too_many_pages"
	CodeEncrypted      Code = "slides.encrypted"
	CodeCorrupt        Code = "slides.corrupt"
	CodeUnsupported    Code = "slides.unsupported"
	CodeUnreadable     Code = "slides.unreadable"
	CodeNeedsURLUpload Code = "slides.needs_url_upload"
)

// Notice codes: hints that do not stop the upload.
const (
	NoticeExtMismatch   Code = "slides.notice.ext_mismatch"
	NoticeLargePDF      Code = "slides.notice.large_pdf"
	NoticeRestrictedPDF Code = "slides.notice.restricted_pdf"
)

// Error is a validation or upload-preparation failure. It names the file by
// its base name only and carries the numbers a message needs (size and limit,
// pages and page limit), so the UI can say which limit was hit and what to do.
type Error struct {
	Code     Code
	File     string // base name, never a full path
	Kind     Kind   // the detected type, if known
	Detected string // what the content is when not supported, e.g. "heic", "zip"
	Size     int64  // bytes (for CodeNeedsURLUpload: the encoded body size)
	Limit    int64  // the byte limit that was hit
	Pages    int
	MaxPages int
	// Err is the technical cause (pdfcpu, zip, os) for logs and IT details.
	// It never goes into teacher-facing sentences.
	Err error
}

func (e *Error) Error() string {
	s := fmt.Sprintf("slides: %s: %s", e.File, e.Code)
	switch e.Code {
	case CodeTooLarge, CodeNeedsURLUpload:
		s += fmt.Sprintf(" (%d bytes, limit %d)", e.Size, e.Limit)
	case CodeTooManyPages:
		s += fmt.Sprintf(" (%d pages, limit %d)", e.Pages, e.MaxPages)
	case CodeUnsupported:
		if e.Detected != "" {
			s += " (" + e.Detected + ")"
		}
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// Is matches the sentinel of the same code, so errors.Is(err, ErrTooLarge)
// works for any file.
func (e *Error) Is(target error) bool {
	var t *Error
	if errors.As(target, &t) && t.File == "" && t.Err == nil {
		return t.Code == e.Code
	}
	return false
}

// Sentinels for errors.Is.
var (
	ErrEmpty          error = &Error{Code: CodeEmpty}
	ErrTooLarge       error = &Error{Code: CodeTooLarge}
	ErrTooManyPages   error = &Error{Code: CodeTooManyPages}
	ErrEncrypted      error = &Error{Code: CodeEncrypted}
	ErrCorrupt        error = &Error{Code: CodeCorrupt}
	ErrUnsupported    error = &Error{Code: CodeUnsupported}
	ErrUnreadable     error = &Error{Code: CodeUnreadable}
	ErrNeedsURLUpload error = &Error{Code: CodeNeedsURLUpload}
)

// CodeOf returns the code of a slides error, or "" for other errors.
func CodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// Notice is a non-fatal hint about a valid file.
type Notice struct {
	Code       Code
	File       string // base name as chosen
	UploadName string // name sent to BBB
	Ext        string // the file's own extension (without dot)
	Kind       Kind
	Size       int64
}
