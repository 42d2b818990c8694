package bbbclient

import (
	"context"
	"errors"
	"fmt"
	"mime"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"unicode/utf8"
)

// APIError is an answer with returncode FAILED (or another non-SUCCESS
// code) from BBB or a load balancer. Branch on MessageKey, never on
// Message: the key is stable, the English text is not. errors.Is matches
// the Err… values below by messageKey.
type APIError struct {
	Call       string // BBB call name, e.g. "create"
	HTTPStatus int
	ReturnCode string
	MessageKey string
	Message    string
	// Errors holds the legacy <errors><error><key/><message/></error></errors>
	// form; MessageKey and Message then mirror its first entry.
	Errors []ErrorDetail
}

// ErrorDetail is one entry of the legacy multi-error form.
type ErrorDetail struct {
	Key     string
	Message string
}

func (e *APIError) Error() string {
	var b strings.Builder
	b.WriteString("bbbclient: ")
	b.WriteString(e.Call)
	b.WriteString(" failed")
	if e.HTTPStatus != 0 && e.HTTPStatus != http.StatusOK {
		fmt.Fprintf(&b, " (HTTP %d)", e.HTTPStatus)
	}
	if e.MessageKey != "" {
		b.WriteString(": ")
		b.WriteString(cleanText(e.MessageKey, 80))
	}
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(cleanText(e.Message, 300))
	}
	return b.String()
}

// Is reports whether target is a key sentinel (ErrIDNotUnique, …) matching
// this error's messageKey or any legacy error key, or ErrBodyTooLarge for 413.
func (e *APIError) Is(target error) bool {
	switch t := target.(type) {
	case *keyError:
		if t.matches(e.MessageKey) {
			return true
		}
		for _, d := range e.Errors {
			if t.matches(d.Key) {
				return true
			}
		}
	case *statusError:
		return e.HTTPStatus == t.status
	}
	return false
}

// keyError is a sentinel matched by messageKey; several keys may alias one
// meaning across versions (guestDeny vs guestDeniedAccess).
type keyError struct{ keys []string }

func (k *keyError) Error() string { return "bbbclient: " + k.keys[0] }

func (k *keyError) matches(key string) bool {
	for _, c := range k.keys {
		if key == c {
			return true
		}
	}
	return false
}

func keyErr(keys ...string) error { return &keyError{keys: keys} }

// Sentinels for errors.Is, keyed by BBB messageKey (bbb-api.md §9).
var (
	ErrChecksum                 = keyErr("checksumError")
	ErrValidation               = keyErr("validationError")
	ErrNotFound                 = keyErr("notFound")
	ErrInvalidMeetingIdentifier = keyErr("invalidMeetingIdentifier")
	ErrIDNotUnique              = keyErr("idNotUnique")
	ErrNonUniqueVoiceBridge     = keyErr("nonUniqueVoiceBridge")
	ErrMismatchCreateTime       = keyErr("mismatchCreateTimeParam")
	ErrMeetingForciblyEnded     = keyErr("meetingForciblyEnded", "meetingEnded")
	ErrMaxParticipantsReached   = keyErr("maxParticipantsReached")
	ErrGuestDeniedAccess        = keyErr("guestDeniedAccess", "guestDeny")
	ErrGuestWait                = keyErr("guestWait")
	ErrMissingSession           = keyErr("missingSession")
	ErrUnsupportedContentType   = keyErr("unsupportedContentType")
	ErrMissingParam             = keyErr("missingParamMeetingID", "missingParamFullName", "missingParameter", "Params required")
	ErrInvalidFilename          = keyErr("invalid_filename")
	ErrAPINotEnabled            = keyErr("apiNotEnabled")
	ErrUnsupportedRequest       = keyErr("unsupportedRequest")
	ErrServerUnavailable        = keyErr("serverUnavailable", "serverTagUnavailable")
	ErrInternal                 = keyErr("internalError")
)

// statusError is a sentinel matched by HTTP status.
type statusError struct {
	status int
	text   string
}

func (s *statusError) Error() string { return s.text }

// ErrBodyTooLarge matches a 413 answer: the inline slide upload exceeded the
// server's POST limit (2 MB by default); use the URL form for big files.
var ErrBodyTooLarge error = &statusError{http.StatusRequestEntityTooLarge, "bbbclient: request body too large (HTTP 413)"}

// ErrResponseTooLarge matches a response longer than Options.MaxResponseBytes.
var ErrResponseTooLarge = errors.New("bbbclient: response exceeds the size limit")

// MalformedResponseError is an answer that is not a BBB response at all:
// a load balancer's bare 400/403, an HTML error page, an empty or truncated
// body. Error() never includes body content.
type MalformedResponseError struct {
	Call        string
	HTTPStatus  int
	ContentType string // media type only
	Reason      string
	Err         error // decoder error, if any; kept out of Error()
}

func (e *MalformedResponseError) Error() string {
	var b strings.Builder
	b.WriteString("bbbclient: ")
	b.WriteString(e.Call)
	b.WriteString(": unexpected response (HTTP ")
	fmt.Fprintf(&b, "%d", e.HTTPStatus)
	if e.ContentType != "" {
		b.WriteString(", ")
		b.WriteString(e.ContentType)
	}
	b.WriteString("): ")
	b.WriteString(e.Reason)
	return b.String()
}

func (e *MalformedResponseError) Unwrap() error { return e.Err }

// Is matches ErrBodyTooLarge for HTTP 413 and ErrResponseTooLarge.
func (e *MalformedResponseError) Is(target error) bool {
	if t, ok := target.(*statusError); ok {
		return e.HTTPStatus == t.status
	}
	return target == ErrResponseTooLarge && e.Reason == reasonTooLarge
}

const (
	reasonEmpty        = "empty body"
	reasonNotBBB       = "not a BBB response"
	reasonNoReturnCode = "no returncode"
	reasonTooLarge     = "response too large"
	reasonBadPayload   = "undecodable response fields"
	reasonNoSession    = "join answer without session_token"
	reasonNotJSON      = "not a JSON stuns answer"
)

func mediaType(ct string) string {
	if ct == "" {
		return ""
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return "invalid content type"
	}
	return cleanText(mt, 60)
}

// TransportError is a network-level failure (DNS, TCP, TLS, timeout,
// cancellation). It replaces Go's *url.Error, whose message contains the
// full signed URL; Unwrap exposes the cause so errors.As finds
// x509.UnknownAuthorityError, *net.DNSError, net.Error and context errors.
type TransportError struct {
	Call string
	Err  error
}

func (e *TransportError) Error() string {
	msg := "unknown error"
	if e.Err != nil {
		msg = redactText(e.Err.Error())
	}
	return "bbbclient: " + e.Call + ": " + msg
}

func (e *TransportError) Unwrap() error { return e.Err }

// Timeout reports whether the failure was a timeout or deadline.
func (e *TransportError) Timeout() bool { return IsTimeout(e.Err) }

func newTransportError(call string, err error) *TransportError {
	var ue *url.Error
	for errors.As(err, &ue) {
		err = ue.Err
	}
	return &TransportError{Call: call, Err: err}
}

// IsTimeout reports whether err is a deadline or network timeout.
func IsTimeout(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// StatusCode returns the HTTP status carried by an APIError or
// MalformedResponseError in err's chain, or 0.
func StatusCode(err error) int {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.HTTPStatus
	}
	var me *MalformedResponseError
	if errors.As(err, &me) {
		return me.HTTPStatus
	}
	return 0
}

// ValidationError is a parameter rejected locally, before any request.
type ValidationError struct {
	Field  string
	Reason string
}

func (e *ValidationError) Error() string {
	return "bbbclient: invalid " + e.Field + ": " + e.Reason
}

func invalid(field, format string, args ...any) error {
	return &ValidationError{Field: field, Reason: fmt.Sprintf(format, args...)}
}

// DocumentError is a failure reading a slide for an inline upload.
type DocumentError struct {
	Name string
	Err  error
}

func (e *DocumentError) Error() string {
	return fmt.Sprintf("bbbclient: document %q: %v", e.Name, e.Err)
}

func (e *DocumentError) Unwrap() error { return e.Err }

// sensitiveParam matches query parameters that are credentials. Errors built
// from foreign text (net/http, server messages) pass through it as a last
// line of defence.
var sensitiveParam = regexp.MustCompile(`(?i)(checksum|sessionToken|session_token|auth_token|authToken|password|attendeePW|moderatorPW)=[^&\s"'<>]*`)

func redactText(s string) string {
	return sensitiveParam.ReplaceAllString(s, "$1=[redacted]")
}

// cleanText makes foreign text safe for one log line: no control
// characters, valid UTF-8, bounded length, credentials redacted.
func cleanText(s string, max int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > max {
		cut := max
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return redactText(s)
}
