package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// Source is the layer a configuration value comes from, low to high:
// built-in defaults < IT's recommended.json < the user's config.json <
// IT's managed.json (desktop-platform.md §13).
type Source string

// The layers.
const (
	SourceDefault     Source = "default"
	SourceRecommended Source = "recommended"
	SourceUser        Source = "user"
	SourceManaged     Source = "managed"
)

// Setting keys: the JSON keys of the files, used by `tafel config`, the
// GUI's locks and the report.
const (
	KeyPools             = "pools"
	KeyDefaultPool       = "default_pool"
	KeyLanguage          = "language"
	KeyBrowser           = "browser"
	KeyTeacherName       = "teacher_name"
	KeyCheckBeforeLesson = "check_before_lesson"
	KeyCloseToTray       = "close_to_tray"
	KeyPresets           = "presets"
)

// Values the user's file holds for an explicit "" (follow the OS language,
// use the system's default browser) where "" itself means "not set": only
// written when IT recommends something else, which "" would inherit.
const (
	LanguageAuto  = "auto"
	BrowserSystem = "system"
)

// userString is a user file's string as a layer value: nil when unset,
// "" for the explicit-empty sentinel.
func userString(s, sentinel string) *string {
	if s == sentinel {
		empty := ""
		return &empty
	}
	return strPtr(s)
}

// LoadOptions say where the layers are; zero values take the real places.
type LoadOptions struct {
	// UserPath is the user's config.json; "" is UserPath().
	UserPath string
	// AdminDir holds recommended.json and managed.json; "" is AdminDir().
	AdminDir string
}

// Layered is the configuration with all its layers. Code reads Effective();
// the teacher's changes go into User, which SaveUser writes: Tafel never
// writes the admin files.
type Layered struct {
	UserPath    string
	AdminDir    string
	User        *User  // the user's own file as stored
	Recommended *Admin // nil when absent or unusable
	Managed     *Admin // nil when absent or unusable
	warnings    []error
}

// Load reads the user's file and the admin files. The error is that of
// LoadUser: a damaged user file (moved aside; the returned Layered is usable
// with an empty user layer) or a newer one (no Layered). Problems in admin
// files are never errors: they are in Warnings and the bad part is ignored.
func Load(opts LoadOptions) (*Layered, error) {
	if opts.UserPath == "" {
		p, err := UserPath()
		if err != nil {
			return nil, err
		}
		opts.UserPath = p
	}
	l := LoadAdminLayers(opts.AdminDir)
	l.UserPath = opts.UserPath
	u, err := LoadUser(opts.UserPath)
	if u == nil {
		return nil, err
	}
	l.User = u
	return l, err
}

// LoadAdminLayers reads only the admin files (adminDir "" is AdminDir()),
// with an empty user layer: for what only IT sets, such as the presets.
func LoadAdminLayers(adminDir string) *Layered {
	if adminDir == "" {
		adminDir = AdminDir()
	}
	l := &Layered{AdminDir: adminDir, User: &User{Version: UserFormatVersion, Pools: []Pool{}}}
	var probs []error
	l.Recommended, probs = LoadAdmin(filepath.Join(adminDir, RecommendedFileName), SourceRecommended)
	l.warnings = append(l.warnings, probs...)
	l.Managed, probs = LoadAdmin(filepath.Join(adminDir, ManagedFileName), SourceManaged)
	l.warnings = append(l.warnings, probs...)
	return l
}

// Warnings are the problems found in the admin files (*AdminFileError).
func (l *Layered) Warnings() []error { return l.warnings }

// Effective is the configuration in force: per key the highest layer that
// sets it. Pools are merged by name: IT's managed pools, then the user's,
// then recommended ones the user has not replaced.
func (l *Layered) Effective() *User {
	u := *l.User
	u.Pools = nil
	seen := map[string]bool{}
	add := func(ps []Pool, src Source) {
		for _, p := range ps {
			k := strings.ToLower(p.Name)
			if seen[k] {
				continue
			}
			seen[k] = true
			p.source = src
			u.Pools = append(u.Pools, p)
		}
	}
	if l.Managed != nil {
		add(l.Managed.Pools, SourceManaged)
	}
	add(l.User.Pools, SourceUser)
	if l.Recommended != nil {
		add(l.Recommended.Pools, SourceRecommended)
	}
	if u.Pools == nil {
		u.Pools = []Pool{}
	}
	u.DefaultPool, _ = pickString(l.Recommended.defaultPool(), strPtr(l.User.DefaultPool), l.Managed.defaultPool())
	u.Language, _ = pickString(l.Recommended.language(), userString(l.User.Language, LanguageAuto), l.Managed.language())
	u.Browser, _ = pickString(l.Recommended.browser(), userString(l.User.Browser, BrowserSystem), l.Managed.browser())
	u.CheckBeforeLesson, _ = pickBool(l.Recommended.checkBeforeLesson(), l.User.CheckBeforeLesson, l.Managed.checkBeforeLesson())
	u.CloseToTray, _ = pickBool(l.Recommended.closeToTray(), l.User.CloseToTray, l.Managed.closeToTray())
	return &u
}

// Inherited is what the user's value of key would be without the user's own
// file: the recommended value or the default. Saving a setting that equals
// it leaves the user's file silent, so a later change by IT still reaches
// this teacher.
func (l *Layered) Inherited() *User {
	c := *l
	c.User = &User{Version: UserFormatVersion}
	c.Managed = nil
	return c.Effective()
}

// Locked reports whether school IT fixed key in managed.json. Besides the
// keys above, "pool" is locked when IT manages the pools or the default
// pool, and "pools.NAME" when pool NAME is managed.
func (l *Layered) Locked(key string) bool {
	m := l.Managed
	if m == nil {
		return false
	}
	switch key {
	case "pool":
		return len(m.Pools) > 0 || m.DefaultPool != nil
	case KeyPools:
		return len(m.Pools) > 0
	case KeyDefaultPool:
		return m.DefaultPool != nil
	case KeyLanguage:
		return m.Language != nil
	case KeyBrowser:
		return m.Browser != nil
	case KeyCheckBeforeLesson:
		return m.CheckBeforeLesson != nil
	case KeyCloseToTray:
		return m.CloseToTray != nil
	}
	if name, ok := strings.CutPrefix(key, KeyPools+"."); ok {
		for _, p := range m.Pools {
			if strings.EqualFold(p.Name, name) {
				return true
			}
		}
	}
	return false
}

// CheckChange returns ErrManaged (with the key as Detail) when key is
// fixed by school IT, for the CLI to refuse a change with that reason.
func (l *Layered) CheckChange(key string) error {
	if l.Locked(key) {
		return &Error{Code: CodeManaged, Detail: key}
	}
	return nil
}

// Value is one effective setting and where it comes from, for `tafel
// config show` and the IT report. Value is its text ("" when unset).
type Value struct {
	Key    string `json:"key"`
	Value  string `json:"value"`
	Source Source `json:"source"`
	Locked bool   `json:"locked"`
}

// Values lists every effective setting with its source, in a fixed order:
// the pools (one entry each, "pools.NAME" = URL), the scalar settings,
// then IT's preset settings ("presets.ID.KEY").
func (l *Layered) Values() []Value {
	var out []Value
	eff := l.Effective()
	for _, p := range eff.Pools {
		out = append(out, Value{Key: KeyPools + "." + p.Name, Value: p.URL, Source: p.Source(), Locked: p.Source() == SourceManaged})
	}
	str := func(key string, rec, usr, man *string) {
		v, src := pickString(rec, usr, man)
		out = append(out, Value{Key: key, Value: v, Source: src, Locked: src == SourceManaged})
	}
	boolean := func(key string, rec, usr, man *bool) {
		v, src := pickBool(rec, usr, man)
		text := "true" // both default to true
		if v != nil {
			text = strconv.FormatBool(*v)
		}
		out = append(out, Value{Key: key, Value: text, Source: src, Locked: src == SourceManaged})
	}
	r, u, m := l.Recommended, l.User, l.Managed
	str(KeyDefaultPool, r.defaultPool(), strPtr(u.DefaultPool), m.defaultPool())
	str(KeyLanguage, r.language(), userString(u.Language, LanguageAuto), m.language())
	str(KeyBrowser, r.browser(), userString(u.Browser, BrowserSystem), m.browser())
	str(KeyTeacherName, nil, strPtr(u.TeacherName), nil)
	boolean(KeyCheckBeforeLesson, r.checkBeforeLesson(), u.CheckBeforeLesson, m.checkBeforeLesson())
	boolean(KeyCloseToTray, r.closeToTray(), u.CloseToTray, m.closeToTray())

	presets := map[string]Value{}
	for _, layer := range []struct {
		a   *Admin
		src Source
	}{{r, SourceRecommended}, {m, SourceManaged}} {
		if layer.a == nil {
			continue
		}
		for id, settings := range layer.a.Presets {
			for k, raw := range settings {
				key := KeyPresets + "." + id + "." + k
				presets[key] = Value{Key: key, Value: compactJSON(raw), Source: layer.src, Locked: layer.src == SourceManaged}
			}
		}
	}
	keys := make([]string, 0, len(presets))
	for k := range presets {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		out = append(out, presets[k])
	}
	return out
}

// Presets returns IT's preset settings of one layer (nil when none), for
// the rooms package to turn into its Policy.
func (l *Layered) Presets(layer Source) map[string]map[string]json.RawMessage {
	switch layer {
	case SourceRecommended:
		if l.Recommended != nil {
			return l.Recommended.Presets
		}
	case SourceManaged:
		if l.Managed != nil {
			return l.Managed.Presets
		}
	}
	return nil
}

// ManagedPool returns the pool school IT fixed for this machine: the
// managed default pool, else the only managed pool.
func (l *Layered) ManagedPool() (Pool, bool) {
	if l.Managed == nil || len(l.Managed.Pools) == 0 {
		return Pool{}, false
	}
	if d := l.Managed.DefaultPool; d != nil && *d != "" {
		for _, p := range l.Managed.Pools {
			if strings.EqualFold(p.Name, *d) {
				return p, true
			}
		}
	}
	if len(l.Managed.Pools) == 1 {
		return l.Managed.Pools[0], true
	}
	return Pool{}, false
}

// AdminPool returns the pool called name if school IT defines it (managed
// or recommended), with its Source.
func (l *Layered) AdminPool(name string) (Pool, bool) {
	for _, a := range []*Admin{l.Managed, l.Recommended} {
		if a == nil {
			continue
		}
		for _, p := range a.Pools {
			if strings.EqualFold(p.Name, strings.TrimSpace(name)) {
				return p, true
			}
		}
	}
	return Pool{}, false
}

func compactJSON(raw json.RawMessage) string {
	var b bytes.Buffer
	if json.Compact(&b, raw) != nil {
		return string(raw)
	}
	s := b.String()
	if unq, err := strconv.Unquote(s); err == nil && strings.HasPrefix(s, `"`) {
		return unq
	}
	return s
}

// pickString returns the value of the highest layer that sets it.
func pickString(rec, usr, man *string) (string, Source) {
	switch {
	case man != nil:
		return *man, SourceManaged
	case usr != nil:
		return *usr, SourceUser
	case rec != nil:
		return *rec, SourceRecommended
	}
	return "", SourceDefault
}

func pickBool(rec, usr, man *bool) (*bool, Source) {
	switch {
	case man != nil:
		return man, SourceManaged
	case usr != nil:
		return usr, SourceUser
	case rec != nil:
		return rec, SourceRecommended
	}
	return nil, SourceDefault
}

// strPtr treats the user file's "" as "not set" (omitempty in the file).
func strPtr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// Nil-safe accessors, so a missing admin file reads as "sets nothing".
func (a *Admin) defaultPool() *string {
	if a == nil {
		return nil
	}
	return a.DefaultPool
}

func (a *Admin) language() *string {
	if a == nil {
		return nil
	}
	return a.Language
}

func (a *Admin) browser() *string {
	if a == nil {
		return nil
	}
	return a.Browser
}

func (a *Admin) checkBeforeLesson() *bool {
	if a == nil {
		return nil
	}
	return a.CheckBeforeLesson
}

func (a *Admin) closeToTray() *bool {
	if a == nil {
		return nil
	}
	return a.CloseToTray
}

// ManagedKey returns the setting key of an ErrManaged error ("" if err is
// none).
func ManagedKey(err error) string {
	var ce *Error
	if errors.As(err, &ce) && ce.Code == CodeManaged {
		return ce.Detail
	}
	return ""
}
