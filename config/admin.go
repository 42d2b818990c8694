package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"unicode/utf8"
)

// Admin file names inside the admin directory (desktop-platform.md §13).
const (
	RecommendedFileName = "recommended.json"
	ManagedFileName     = "managed.json"
)

// AdminFormatVersion is the newest admin file format this Tafel reads.
const AdminFormatVersion = 1

// maxAdminFileBytes bounds an admin file: they are a few hundred bytes, and
// a huge file must not stall the start.
const maxAdminFileBytes = 1 << 20

// EnvConfigDir replaces the admin directory (imaging checks and tests), as
// the global --config-dir flag does.
const EnvConfigDir = "TAFEL_CONFIG_DIR"

// AdminDir is where school IT puts recommended.json and managed.json: the
// TAFEL_CONFIG_DIR override, else the per-OS system directory. Linux uses
// /etc/xdg/tafel only, not every entry of $XDG_CONFIG_DIRS: IT knows one
// place to look, and a desktop's own XDG_CONFIG_DIRS cannot hide it.
func AdminDir() string {
	if d := strings.TrimSpace(os.Getenv(EnvConfigDir)); d != "" {
		if abs, err := filepath.Abs(d); err == nil {
			return abs // the paths in warnings and `config show` say where exactly
		}
		return d
	}
	return systemAdminDir(runtime.GOOS, os.Getenv)
}

func systemAdminDir(goos string, getenv func(string) string) string {
	switch goos {
	case "windows":
		pd := getenv("ProgramData")
		if pd == "" {
			pd = `C:\ProgramData`
		}
		return pd + `\Tafel`
	case "darwin":
		return "/Library/Application Support/Tafel"
	}
	return "/etc/xdg/tafel"
}

// Admin is recommended.json or managed.json: the user file's keys (minus
// the personal teacher_name) plus presets. A nil field is "not given".
type Admin struct {
	Version           int     `json:"version,omitempty"`
	Pools             []Pool  `json:"pools,omitempty"`
	DefaultPool       *string `json:"default_pool,omitempty"`
	Language          *string `json:"language,omitempty"`
	Browser           *string `json:"browser,omitempty"`
	CheckBeforeLesson *bool   `json:"check_before_lesson,omitempty"`
	CloseToTray       *bool   `json:"close_to_tray,omitempty"`
	// Presets maps a preset ID, or "*" for all, to room settings. Their
	// keys are the rooms package's; it validates them (rooms.PolicyFrom).
	Presets map[string]map[string]json.RawMessage `json:"presets,omitempty"`
}

// AdminFileError is a problem in an admin file. The file (Key == "") or
// the one key is ignored; Tafel goes on. It never holds file contents.
type AdminFileError struct {
	Path   string
	Layer  Source
	Key    string // "" when the whole file is ignored
	Reason string // short, English, for logs and `tafel config show`
}

func (e *AdminFileError) Error() string {
	if e.Key == "" {
		return fmt.Sprintf("config: %s ignored: %s", e.Path, e.Reason)
	}
	return fmt.Sprintf("config: %s: %q %s; ignored", e.Path, e.Key, e.Reason)
}

// Is makes errors.Is(err, ErrAdminFile) work.
func (e *AdminFileError) Is(target error) bool { return target == ErrAdminFile }

// ErrAdminFile matches every *AdminFileError.
var ErrAdminFile = errors.New("config: problem in an admin file")

// adminKeys are the keys an admin file may hold.
var adminKeys = map[string]bool{
	"version": true, "pools": true, "default_pool": true, "language": true, "browser": true,
	"check_before_lesson": true, "close_to_tray": true, "presets": true,
}

// LoadAdmin reads one admin file. A missing file gives (nil, nil). A file
// that cannot be used at all gives (nil, problems); a file with some bad
// keys gives the usable rest together with a problem per bad key.
func LoadAdmin(path string, layer Source) (*Admin, []error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	whole := func(reason string) (*Admin, []error) {
		return nil, []error{&AdminFileError{Path: path, Layer: layer, Reason: reason}}
	}
	if err != nil {
		return whole("cannot be read: " + errText(err))
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.IsDir() {
		return whole("is a directory")
	}
	b, err := io.ReadAll(io.LimitReader(f, maxAdminFileBytes+1))
	if err != nil {
		return whole("cannot be read: " + errText(err))
	}
	if len(b) > maxAdminFileBytes {
		return whole("larger than 1 MiB")
	}
	return ParseAdmin(b, path, layer)
}

// errText is an OS error without the path it may repeat.
func errText(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// ParseAdmin parses the bytes of an admin file (see LoadAdmin).
func ParseAdmin(b []byte, path string, layer Source) (*Admin, []error) {
	var probs []error
	keyProblem := func(key, reason string) {
		probs = append(probs, &AdminFileError{Path: path, Layer: layer, Key: key, Reason: reason})
	}
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf")) // Notepad's BOM
	if !utf8.Valid(b) {
		// encoding/json would silently turn "Süd" saved as Windows-1252
		// into "S\uFFFDd": a pool name (and its keyring entry) IT never
		// wrote.
		return nil, []error{&AdminFileError{Path: path, Layer: layer, Reason: "not saved as UTF-8 text"}}
	}
	var raw map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&raw); err != nil || raw == nil {
		reason := "not a JSON object"
		var te *json.UnmarshalTypeError
		if err != nil && !errors.As(err, &te) {
			reason = syntaxOnly(err).Error()
		}
		return nil, []error{&AdminFileError{Path: path, Layer: layer, Reason: reason}}
	}
	if dec.More() {
		return nil, []error{&AdminFileError{Path: path, Layer: layer, Reason: "unexpected data after the JSON object"}}
	}
	// encoding/json keeps the last of duplicate keys without a word; a
	// second "presets": {} would silently drop IT's locks. Which one IT
	// meant is unknown, so such a key is ignored, with a warning.
	dups := duplicateKeys(b)
	if dups["version"] {
		return nil, []error{&AdminFileError{Path: path, Layer: layer, Reason: `"version" is given more than once`}}
	}
	a := &Admin{}
	if v, ok := raw["version"]; ok {
		if json.Unmarshal(v, &a.Version) != nil || a.Version < 0 {
			return nil, []error{&AdminFileError{Path: path, Layer: layer, Reason: `"version" must be a number`}}
		}
		if a.Version > AdminFormatVersion {
			return nil, []error{&AdminFileError{Path: path, Layer: layer,
				Reason: fmt.Sprintf("format version %d is newer than this Tafel understands", a.Version)}}
		}
	}
	keys := make([]string, 0, len(raw))
	for k := range raw {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := raw[k]
		if dups[k] {
			keyProblem(k, "is given more than once (or a key inside it is)")
			continue
		}
		switch k {
		case "version":
		case "pools":
			var pools []Pool
			var fields []map[string]json.RawMessage
			if json.Unmarshal(v, &pools) != nil || json.Unmarshal(v, &fields) != nil || len(fields) != len(pools) {
				keyProblem(k, "must be a list of pools")
				continue
			}
			seen := map[string]bool{}
			for i, p := range pools {
				for _, f := range sortedKeys(fields[i]) {
					// Only this field is ignored, so the key names it.
					fieldKey := k + "." + shortText(p.Name) + "." + shortText(f)
					switch {
					case poolFields[f]:
					case looksSecret(f):
						// Never echo the value. The pool itself is fine:
						// ignoring it would stop every lesson on the fleet.
						keyProblem(fieldKey, "a shared secret does not belong in an admin file: every account on this computer can read it; each teacher enters it once, and Tafel keeps it in their own keyring")
					default:
						keyProblem(fieldKey, "is not a pool setting")
					}
				}
				checked, err := NewPool(p.Name, p.URL, p.Checksum)
				if err != nil {
					keyProblem(k, "pool "+quoteShort(p.Name)+": invalid "+poolField(err))
					continue
				}
				if seen[strings.ToLower(checked.Name)] {
					keyProblem(k, "pool "+quoteShort(p.Name)+" is listed twice")
					continue
				}
				seen[strings.ToLower(checked.Name)] = true
				checked.MaxInlineBytes, checked.MaxFileBytes, checked.MaxPages = p.MaxInlineBytes, p.MaxFileBytes, p.MaxPages
				checked.source = layer
				a.Pools = append(a.Pools, checked)
			}
		case "default_pool", "browser":
			var s string
			if json.Unmarshal(v, &s) != nil || strings.ContainsFunc(s, isControl) || len(s) > 256 {
				keyProblem(k, "must be a short text")
				continue
			}
			s = strings.TrimSpace(s)
			if k == "default_pool" {
				a.DefaultPool = &s
			} else {
				a.Browser = &s
			}
		case "language":
			var s string
			if json.Unmarshal(v, &s) != nil {
				keyProblem(k, `must be "de", "en" or ""`)
				continue
			}
			s = strings.ToLower(strings.TrimSpace(s))
			if s != "" && s != "de" && s != "en" {
				keyProblem(k, `must be "de", "en" or ""`)
				continue
			}
			a.Language = &s
		case "check_before_lesson", "close_to_tray":
			var x bool
			if json.Unmarshal(v, &x) != nil {
				keyProblem(k, "must be true or false")
				continue
			}
			if k == "check_before_lesson" {
				a.CheckBeforeLesson = &x
			} else {
				a.CloseToTray = &x
			}
		case "presets":
			var p map[string]map[string]json.RawMessage
			if json.Unmarshal(v, &p) != nil {
				keyProblem(k, "must map preset names to settings")
				continue
			}
			a.Presets = p
		case "teacher_name":
			keyProblem(k, "is personal and only set by each teacher")
		default:
			keyProblem(k, "is not a Tafel setting")
		}
	}
	if a.DefaultPool != nil && *a.DefaultPool != "" && layer == SourceManaged {
		// A managed default must name a pool the user cannot remove.
		found := false
		for _, p := range a.Pools {
			found = found || strings.EqualFold(p.Name, *a.DefaultPool)
		}
		if !found {
			keyProblem("default_pool", "names no pool in the same file")
			a.DefaultPool = nil
		}
	}
	return a, probs
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

// poolFields are the keys of a pool entry (config.Pool's JSON names).
var poolFields = map[string]bool{
	"name": true, "url": true, "checksum": true,
	"max_inline_bytes": true, "max_file_bytes": true, "max_pages": true,
}

// looksSecret: a key under which IT may have put the shared secret.
func looksSecret(key string) bool {
	k := strings.ToLower(key)
	for _, w := range []string{"secret", "salt", "password", "passwd", "token", "key"} {
		if strings.Contains(k, w) {
			return true
		}
	}
	return false
}

func sortedKeys(m map[string]json.RawMessage) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// duplicateKeys returns the top-level keys of the JSON object b that occur
// twice, or hold an object (at any depth) with a key twice. b is valid JSON.
func duplicateKeys(b []byte) map[string]bool {
	dups := map[string]bool{}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return dups
	}
	seen := map[string]bool{}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return dups
		}
		k, _ := t.(string)
		if seen[k] {
			dups[k] = true
		}
		seen[k] = true
		if inner, err := skipValue(dec); err != nil {
			return dups
		} else if inner {
			dups[k] = true
		}
	}
	return dups
}

// skipValue reads one value from dec; dup reports a duplicate key in an
// object inside it.
func skipValue(dec *json.Decoder) (dup bool, err error) {
	t, err := dec.Token()
	if err != nil {
		return false, err
	}
	switch t {
	case json.Delim('{'):
		seen := map[string]bool{}
		for dec.More() {
			kt, err := dec.Token()
			if err != nil {
				return dup, err
			}
			k, _ := kt.(string)
			dup = dup || seen[k]
			seen[k] = true
			d, err := skipValue(dec)
			if err != nil {
				return dup, err
			}
			dup = dup || d
		}
		_, err = dec.Token() // '}'
		return dup, err
	case json.Delim('['):
		for dec.More() {
			d, err := skipValue(dec)
			if err != nil {
				return dup, err
			}
			dup = dup || d
		}
		_, err = dec.Token() // ']'
		return dup, err
	}
	return false, nil
}

// shortText is an admin-given name for a key in a message: control
// characters replaced, cut to 64 runes.
func shortText(s string) string {
	r := []rune(strings.Map(func(r rune) rune {
		if isControl(r) {
			return '?'
		}
		return r
	}, strings.TrimSpace(s)))
	if len(r) > 64 {
		r = append(r[:64], '…')
	}
	return string(r)
}

// quoteShort quotes an admin-given name for a message, cut to 64 runes.
func quoteShort(s string) string {
	r := []rune(s)
	if len(r) > 64 {
		r = append(r[:64], '…')
	}
	return fmt.Sprintf("%q", string(r))
}

func poolField(err error) string {
	var ce *Error
	if errors.As(err, &ce) && ce.Detail != "" {
		return ce.Detail
	}
	return "entry"
}
