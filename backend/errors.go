package backend

// Stable error codes of this package (the domain packages have their own).
const (
	// CodeNoClassList: StudentLinks without a class list, and the room
	// remembers none.
	CodeNoClassList = "no_class_list"
	// CodeSecretEmpty: AddPool with an empty secret.
	CodeSecretEmpty = "secret_empty"
	// CodeSheetWrite: the sheet could not be written (SaveSheet, OpenSheet).
	CodeSheetWrite = "sheet_write"
	// CodeClosed: the Backend was closed.
	CodeClosed = "closed"
)

// Error is a backend error with a stable Code. Err is the cause for logs;
// it never holds a secret or a signed URL.
type Error struct {
	Code string
	Err  error
}

func (e *Error) Error() string {
	s := "backend: " + e.Code
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// Is matches the sentinels below by Code.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Err == nil && t.Code == e.Code
}

// Sentinels for errors.Is.
var (
	ErrNoClassList = &Error{Code: CodeNoClassList}
	ErrSecretEmpty = &Error{Code: CodeSecretEmpty}
	ErrSheetWrite  = &Error{Code: CodeSheetWrite}
	ErrClosed      = &Error{Code: CodeClosed}
)

// PoolError names the pool a failed call went to, so that Explain can say
// which one; Err is the cause (bbbclient, config or keyring error).
type PoolError struct {
	Pool string
	Err  error
}

func (e *PoolError) Error() string { return "backend: pool " + e.Pool + ": " + e.Err.Error() }

func (e *PoolError) Unwrap() error { return e.Err }

func poolErr(name string, err error) error {
	if err == nil {
		return nil
	}
	return &PoolError{Pool: name, Err: err}
}
