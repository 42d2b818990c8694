package rooms

// Stable error codes; the CLI and GUI map them to translated sentences.
const (
	CodeRoomNotFound   = "room_not_found"
	CodeRoomExists     = "room_exists"
	CodeInvalidName    = "room_invalid_name"
	CodeInvalidRoom    = "room_invalid"
	CodeUnknownPreset  = "unknown_preset"
	CodeUnknownSetting = "unknown_setting"
	CodeInvalidSetting = "invalid_setting"
	CodeSettingLocked  = "setting_locked"
	CodeSlideMissing   = "slide_missing"
	CodeSlideTooLarge  = "slide_needs_url_upload"
	CodeSlideUpload    = "upload_failed"
	CodeNotRunning     = "meeting_not_running"
	CodeOpenFailed     = "open_failed"
	CodeUnsafeJoinURL  = "unsafe_join_url"
	CodeImportFormat   = "import_format"
	CodeWelcomeTooLong = "welcome_too_long"
)

// Error is a rooms error with a stable Code; Detail names the room, setting
// or file (never a secret or a signed URL).
type Error struct {
	Code   string
	Detail string
	Err    error
}

func (e *Error) Error() string {
	s := "rooms: " + e.Code
	if e.Detail != "" {
		s += " (" + e.Detail + ")"
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// Is matches the sentinels below by Code.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Detail == "" && t.Err == nil && t.Code == e.Code
}

// Sentinels for errors.Is.
var (
	ErrRoomNotFound   = &Error{Code: CodeRoomNotFound}
	ErrRoomExists     = &Error{Code: CodeRoomExists}
	ErrInvalidName    = &Error{Code: CodeInvalidName}
	ErrUnknownPreset  = &Error{Code: CodeUnknownPreset}
	ErrUnknownSetting = &Error{Code: CodeUnknownSetting}
	ErrInvalidSetting = &Error{Code: CodeInvalidSetting}
	ErrSettingLocked  = &Error{Code: CodeSettingLocked}
	ErrSlideMissing   = &Error{Code: CodeSlideMissing}
	ErrNotRunning     = &Error{Code: CodeNotRunning}
	ErrUnsafeJoinURL  = &Error{Code: CodeUnsafeJoinURL}
	ErrImportFormat   = &Error{Code: CodeImportFormat}
)
