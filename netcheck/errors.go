package netcheck

import "errors"

// Error is a netcheck configuration or source error with a stable code.
// Its text never contains credentials.
type Error struct {
	Code string // e.g. "bad_url", "no_turn_servers", "source_failed"
	Msg  string
	Err  error
}

func (e *Error) Error() string {
	s := "netcheck: " + e.Msg
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// Is matches errors by code, so errors.Is(err, ErrBadURL) works for every
// bad-URL error.
func (e *Error) Is(target error) bool {
	var t *Error
	return errors.As(target, &t) && t.Code == e.Code && t.Msg == ""
}

// Sentinel errors for errors.Is.
var (
	// ErrBadURL: an ICE server URL cannot be parsed or is not a TURN URL.
	ErrBadURL = &Error{Code: "bad_url"}
	// ErrNoCredentials: a TURN URL without username or credential (pion
	// would refuse it silently).
	ErrNoCredentials = &Error{Code: "no_credentials"}
	// ErrNoTURNServers: the source returned no TURN server to test.
	ErrNoTURNServers = &Error{Code: "no_turn_servers"}
	// ErrSource: the ICE servers could not be fetched (API, join, stuns).
	ErrSource = &Error{Code: "source_failed"}
)

func newErr(code, msg string, err error) error { return &Error{Code: code, Msg: msg, Err: err} }
