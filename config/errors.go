package config

import "errors"

// Stable error codes; the CLI and GUI map them to translated sentences.
const (
	CodeNoConfigDir        = "config_dir"
	CodePoolNotFound       = "pool_not_found"
	CodePoolExists         = "pool_exists"
	CodeNoPool             = "no_pool"
	CodeAmbiguousPool      = "pool_ambiguous"
	CodeInvalidPool        = "pool_invalid"
	CodeKeyringUnavailable = "keyring_unavailable"
	CodeKeyringLocked      = "keyring_locked"
	CodeKeyringTimeout     = "keyring_timeout"
	CodeSecretNotFound     = "secret_not_found"
	CodeSecretInvalid      = "secret_invalid"
	// CodeManaged: school IT fixed this setting in managed.json.
	CodeManaged = "managed"
)

// Error is a configuration error with a stable Code. Err (if any) is the
// cause for logs; it never holds a secret.
type Error struct {
	Code   string
	Detail string // short, secret-free detail (a pool name, a field)
	Err    error
}

func (e *Error) Error() string {
	s := "config: " + e.Code
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
	ErrCorrupt            = errors.New("config: damaged file")
	ErrNewerFormat        = errors.New("config: file from a newer Tafel")
	ErrPoolNotFound       = &Error{Code: CodePoolNotFound}
	ErrPoolExists         = &Error{Code: CodePoolExists}
	ErrNoPool             = &Error{Code: CodeNoPool}
	ErrAmbiguousPool      = &Error{Code: CodeAmbiguousPool}
	ErrInvalidPool        = &Error{Code: CodeInvalidPool}
	ErrKeyringUnavailable = &Error{Code: CodeKeyringUnavailable}
	ErrKeyringLocked      = &Error{Code: CodeKeyringLocked}
	ErrKeyringTimeout     = &Error{Code: CodeKeyringTimeout}
	ErrSecretNotFound     = &Error{Code: CodeSecretNotFound}
	ErrSecretInvalid      = &Error{Code: CodeSecretInvalid}
	ErrManaged            = &Error{Code: CodeManaged}
)

// Code returns the stable code of err: an *Error's Code, "corrupt_file",
// "newer_format", or "" if err carries none.
func Code(err error) string {
	var ce *Error
	switch {
	case err == nil:
		return ""
	case errors.As(err, &ce):
		return ce.Code
	case errors.Is(err, ErrCorrupt):
		return "corrupt_file"
	case errors.Is(err, ErrNewerFormat):
		return "newer_format"
	}
	return ""
}

// PoolFileError is a pool entry in config.json that "tafel pool add" would
// have refused (hand-edited or deployed): Err is the *Error with the field.
type PoolFileError struct {
	Path string
	Pool string
	Err  error
}

func (e *PoolFileError) Error() string {
	return "config: pool " + e.Pool + " in " + e.Path + ": " + e.Err.Error()
}

func (e *PoolFileError) Unwrap() error { return e.Err }
