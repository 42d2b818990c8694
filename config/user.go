package config

import (
	"errors"
	"io/fs"
	"net/url"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/tafel-schule/tafel/bbbclient"
	"github.com/tafel-schule/tafel/internal/atomicfile"
)

// UserFileName is the user's settings file inside Dir().
const UserFileName = "config.json"

// UserFormatVersion is the version this Tafel writes into config.json.
const UserFormatVersion = 1

// Pool is one BigBlueButton server or load balancer. Its shared secret is
// not here: it lives in the OS keyring under SecretKey().
type Pool struct {
	// Name is what the teacher calls the pool ("Schul-BBB"); unique,
	// compared case-insensitively.
	Name string `json:"name"`
	// URL is the API endpoint, normalised to …/bigbluebutton/api.
	URL string `json:"url"`
	// Checksum is the checksum algorithm: sha256 (default), sha512 or sha1.
	Checksum string `json:"checksum"`
	// MaxInlineBytes is the largest POST body the pool accepts for inline
	// slide uploads (BBB default 2 MB); 0 means that default.
	MaxInlineBytes int64 `json:"max_inline_bytes,omitempty"`
	// MaxFileBytes is the pool's per-file limit (BBB default 30,000,000).
	MaxFileBytes int64 `json:"max_file_bytes,omitempty"`

	problem error  // set by LoadUser for an entry "tafel pool add" would refuse
	source  Source // the layer the entry comes from (Layered.Effective)
	// MaxPages is the pool's page limit per file (BBB default 200).
	MaxPages int `json:"max_pages,omitempty"`
}

// Pool limits when the pool does not say otherwise (bbb-api.md §4.2).
const (
	DefaultMaxInlineBytes = 2 << 20
	DefaultMaxFileBytes   = 30_000_000
	DefaultMaxPages       = 200
)

// Limits returns the pool's limits with defaults filled in.
func (p Pool) Limits() (inline, file int64, pages int) {
	inline, file, pages = p.MaxInlineBytes, p.MaxFileBytes, p.MaxPages
	if inline <= 0 {
		inline = DefaultMaxInlineBytes
	}
	if file <= 0 {
		file = DefaultMaxFileBytes
	}
	if pages <= 0 {
		pages = DefaultMaxPages
	}
	return
}

// Source is the configuration layer the pool comes from: SourceUser for
// the teacher's own, SourceManaged or SourceRecommended for school IT's.
func (p Pool) Source() Source {
	if p.source == "" {
		return SourceUser
	}
	return p.source
}

// SecretKey is the keyring account of the pool's shared secret.
func (p Pool) SecretKey() string { return "pool:" + p.Name }

// Algorithm returns the checksum algorithm (sha256 if unset).
func (p Pool) Algorithm() bbbclient.Algorithm {
	if p.Checksum == "" {
		return bbbclient.SHA256
	}
	return bbbclient.Algorithm(p.Checksum)
}

// NewPool validates and normalises a pool definition.
func NewPool(name, rawURL, checksum string) (Pool, error) {
	name = strings.TrimSpace(name)
	if name == "" || utf8.RuneCountInString(name) > 64 || strings.ContainsFunc(name, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return Pool{}, &Error{Code: CodeInvalidPool, Detail: "name"}
	}
	if checksum == "" {
		checksum = string(bbbclient.SHA256)
	}
	alg, err := bbbclient.ParseAlgorithm(checksum)
	if err != nil || alg == bbbclient.SHA384 {
		// sha384 is refused by Scalelite (bbb-api.md §2.2), so never offered.
		return Pool{}, &Error{Code: CodeInvalidPool, Detail: "checksum"}
	}
	u, err := url.Parse(strings.TrimSpace(rawURL))
	if err != nil || u.Host == "" || u.User != nil || (u.Scheme != "https" && !(u.Scheme == "http" && isLoopback(u.Hostname()))) {
		// Plain http only to this machine (simulator, demo): the join
		// URLs and checksums must not cross a network unencrypted.
		return Pool{}, &Error{Code: CodeInvalidPool, Detail: "url"}
	}
	norm, err := bbbclient.NormalizeBaseURL(u.String())
	if err != nil {
		return Pool{}, &Error{Code: CodeInvalidPool, Detail: "url", Err: err}
	}
	return Pool{Name: name, URL: norm, Checksum: string(alg)}, nil
}

func isLoopback(host string) bool {
	return host == "localhost" || host == "::1" || strings.HasPrefix(host, "127.")
}

// User is config.json: the teacher's own settings. Issue 7 layers the
// admin files (same keys) around it.
type User struct {
	Version     int    `json:"version"`
	DefaultPool string `json:"default_pool,omitempty"`
	Pools       []Pool `json:"pools"`
	// Browser, if set, opens join URLs instead of the system default
	// (open.RunWith): "firefox" on Linux/Windows, "Firefox" on macOS.
	Browser string `json:"browser,omitempty"`
	// TeacherName is the name shown in the meeting; default: the OS
	// account's full name.
	TeacherName string `json:"teacher_name,omitempty"`
	// Language is "de", "en" or "" (follow the OS locale).
	Language string `json:"language,omitempty"`
	// CheckBeforeLesson runs the pre-flight before a lesson start when the
	// last one is too old. A pointer so that an absent key (older files)
	// means the default, true; use WantsCheckBeforeLesson.
	CheckBeforeLesson *bool `json:"check_before_lesson,omitempty"`
	// CloseToTray keeps Tafel in the tray when its window is closed; nil
	// means the default, true; use WantsCloseToTray.
	CloseToTray *bool `json:"close_to_tray,omitempty"`
}

// WantsCheckBeforeLesson is CheckBeforeLesson with its default (true).
func (u *User) WantsCheckBeforeLesson() bool {
	return u == nil || u.CheckBeforeLesson == nil || *u.CheckBeforeLesson
}

// WantsCloseToTray is CloseToTray with its default (true).
func (u *User) WantsCloseToTray() bool {
	return u == nil || u.CloseToTray == nil || *u.CloseToTray
}

// UserPath is Dir()/config.json.
func UserPath() (string, error) {
	d, err := Dir()
	if err != nil {
		return "", err
	}
	return filepath.Join(d, UserFileName), nil
}

// LoadUser reads the settings file at path. A missing file is an empty
// configuration. A damaged one is moved aside: the returned User is then
// empty and usable, and the error is a *CorruptError to show the user.
func LoadUser(path string) (*User, error) {
	u := &User{Version: UserFormatVersion}
	var f User
	err := ReadJSON(path, &f)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return u, nil
	case err != nil:
		return u, err
	case f.Version > UserFormatVersion:
		return nil, &NewerFormatError{Path: path, Version: f.Version}
	}
	// A hand-edited or deployed file gets the same checks as "tafel pool
	// add": above all, no plain http to another machine.
	for i, p := range f.Pools {
		// Such a pool stays in the file (so "pool add --replace" or
		// "pool remove" can fix it) but is never used.
		checked, err := NewPool(p.Name, p.URL, p.Checksum)
		if err != nil {
			f.Pools[i].problem = &PoolFileError{Path: path, Pool: p.Name, Err: err}
			continue
		}
		f.Pools[i].Name, f.Pools[i].URL, f.Pools[i].Checksum = checked.Name, checked.URL, checked.Checksum
	}
	f.Version = UserFormatVersion
	return &f, nil
}

// SaveUser writes u to path atomically (0600: it names the pools in use).
func SaveUser(path string, u *User) error {
	u.Version = UserFormatVersion
	if u.Pools == nil {
		u.Pools = []Pool{}
	}
	b, err := MarshalFile(u)
	if err != nil {
		return err
	}
	return atomicfile.Write(path, b, 0o600)
}

// FindPool returns the pool called name (case-insensitive).
func (u *User) FindPool(name string) (Pool, bool) {
	if i := u.poolIndex(name); i >= 0 {
		return u.Pools[i], true
	}
	return Pool{}, false
}

func (u *User) poolIndex(name string) int {
	for i, p := range u.Pools {
		if strings.EqualFold(p.Name, strings.TrimSpace(name)) {
			return i
		}
	}
	return -1
}

// AddPool adds p; a pool of the same name is replaced only with replace.
// The first pool becomes the default.
func (u *User) AddPool(p Pool, replace bool) error {
	if i := u.poolIndex(p.Name); i >= 0 {
		if !replace {
			return &Error{Code: CodePoolExists, Detail: p.Name}
		}
		u.Pools[i] = p
		return nil
	}
	u.Pools = append(u.Pools, p)
	if u.DefaultPool == "" {
		u.DefaultPool = p.Name
	}
	return nil
}

// RemovePool removes the pool called name and returns it.
func (u *User) RemovePool(name string) (Pool, error) {
	i := u.poolIndex(name)
	if i < 0 {
		return Pool{}, &Error{Code: CodePoolNotFound, Detail: name}
	}
	p := u.Pools[i]
	u.Pools = append(u.Pools[:i], u.Pools[i+1:]...)
	if strings.EqualFold(u.DefaultPool, p.Name) {
		u.DefaultPool = ""
		if len(u.Pools) == 1 {
			u.DefaultPool = u.Pools[0].Name
		}
	}
	return p, nil
}

// ResolvePool picks the pool for name: that pool, else (name empty) the
// default pool, else the only pool there is.
func (u *User) ResolvePool(name string) (Pool, error) {
	p, err := u.resolvePool(name)
	if err == nil && p.problem != nil {
		return Pool{}, p.problem
	}
	return p, err
}

func (u *User) resolvePool(name string) (Pool, error) {
	if name != "" {
		if p, ok := u.FindPool(name); ok {
			return p, nil
		}
		return Pool{}, &Error{Code: CodePoolNotFound, Detail: name}
	}
	if u.DefaultPool != "" {
		if p, ok := u.FindPool(u.DefaultPool); ok {
			return p, nil
		}
	}
	switch len(u.Pools) {
	case 0:
		return Pool{}, &Error{Code: CodeNoPool}
	case 1:
		return u.Pools[0], nil
	}
	return Pool{}, &Error{Code: CodeAmbiguousPool}
}
