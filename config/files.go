package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// AppDirName is the folder Tafel uses below the OS config directory.
const AppDirName = "tafel"

// Dir is os.UserConfigDir()/tafel, where the user's settings and rooms live.
func Dir() (string, error) {
	base, err := os.UserConfigDir()
	if err != nil {
		return "", &Error{Code: CodeNoConfigDir, Err: err}
	}
	return filepath.Join(base, AppDirName), nil
}

// CorruptError says a file could not be read as what it should be. The file
// was renamed to MovedTo (unless that failed, then MovedTo is empty and the
// file is left alone), so nothing is lost and the next save starts fresh.
type CorruptError struct {
	Path    string
	MovedTo string
	Err     error // the parse error (no file content in it)
}

func (e *CorruptError) Error() string {
	if e.MovedTo == "" {
		return fmt.Sprintf("config: %s is damaged and could not be moved aside: %v", filepath.Base(e.Path), e.Err)
	}
	return fmt.Sprintf("config: %s is damaged (%v); kept as %s", filepath.Base(e.Path), e.Err, filepath.Base(e.MovedTo))
}

func (e *CorruptError) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrCorrupt) work.
func (e *CorruptError) Is(target error) bool { return target == ErrCorrupt }

// NewerFormatError says a file was written by a newer Tafel. It is left
// untouched and must not be overwritten.
type NewerFormatError struct {
	Path    string
	Version int
}

func (e *NewerFormatError) Error() string {
	return fmt.Sprintf("config: %s has format version %d, newer than this Tafel understands", filepath.Base(e.Path), e.Version)
}

// Is makes errors.Is(err, ErrNewerFormat) work.
func (e *NewerFormatError) Is(target error) bool { return target == ErrNewerFormat }

// clock is replaceable in tests (names of moved-aside files).
var clock = time.Now

// ReadJSON decodes the JSON file at path into v. A missing file returns
// fs.ErrNotExist (wrapped) and leaves v alone. A file that is not valid JSON
// for v is moved aside to "<path>.corrupt-<UTC time>" and a *CorruptError is
// returned; v is then left at its zero state.
func ReadJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(v); err != nil {
		return moveAside(path, syntaxOnly(err))
	}
	if dec.More() {
		return moveAside(path, errors.New("unexpected data after the JSON value"))
	}
	return nil
}

// syntaxOnly keeps the position of a JSON error but drops any quoted input
// the decoder might echo (file contents are not for error messages).
func syntaxOnly(err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("invalid JSON at byte %d", se.Offset)
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Errorf("wrong type for %q at byte %d", te.Field, te.Offset)
	}
	return errors.New("invalid JSON")
}

// MoveAside renames a damaged file out of the way and returns the
// *CorruptError describing it.
func MoveAside(path string, cause error) error { return moveAside(path, cause) }

func moveAside(path string, cause error) error {
	dst := path + ".corrupt-" + clock().UTC().Format("20060102T150405Z")
	for i := 1; ; i++ {
		if _, err := os.Lstat(dst); errors.Is(err, fs.ErrNotExist) {
			break
		}
		dst = fmt.Sprintf("%s.corrupt-%s-%d", path, clock().UTC().Format("20060102T150405Z"), i)
	}
	if err := os.Rename(path, dst); err != nil {
		return &CorruptError{Path: path, Err: cause}
	}
	return &CorruptError{Path: path, MovedTo: dst, Err: cause}
}

// MarshalFile is the one JSON style of Tafel's files: indented, a final
// newline, no HTML escaping (so "<" in a welcome text stays readable).
func MarshalFile(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
