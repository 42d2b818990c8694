package backend

import (
	"context"
	"errors"
	"net/http"
	"os"
	"os/user"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/tafel-schule/tafel/checkhistory"
	"github.com/tafel-schule/tafel/config"
	"github.com/tafel-schule/tafel/rooms"
	"github.com/tafel-schule/tafel/translations"
)

// Options configure Open. Zero values take the real thing.
type Options struct {
	// ConfigDir holds config.json and rooms.json; "" is config.Dir().
	ConfigDir string
	// AdminDir holds school IT's recommended.json and managed.json; "" is
	// config.AdminDir() (the system directory or TAFEL_CONFIG_DIR).
	AdminDir string
	// Secrets keeps the pools' shared secrets; nil is the OS keyring.
	Secrets config.Secrets
	// HTTPClient talks to the pool; nil is a client with a 60 s timeout.
	HTTPClient *http.Client
	// Opener opens a link in the browser (the configured one, or the
	// system default for ""); nil is rooms.BrowserOpener.
	Opener func(browser string) rooms.Opener
	// History is the pre-flight history (echo test skip); nil is the
	// default one in the user's cache directory.
	History *checkhistory.Store
	// Lang forces the language of messages; "" follows the saved setting,
	// then the OS locale.
	Lang string
	// Now is the clock; nil is time.Now.
	Now func() time.Time
	// Policy is what school IT set for rooms; zero reads it from the admin
	// files (rooms.PolicyFrom).
	Policy rooms.Policy
	// KeyringTimeout bounds the keyring look-up of NeedsPool, which must
	// not hang on an unlock prompt; default 10 s.
	KeyringTimeout time.Duration
}

// Backend is the services' shared state. Its parts (Rooms, Lessons,
// Settings, Setup) are safe for concurrent use.
type Backend struct {
	opts     Options
	userPath string
	store    *rooms.Store
	// policyFromAdmin: the rooms policy is read from the admin files at
	// each use (IT may change them while Tafel runs), not Options.Policy.
	policyFromAdmin bool

	cfgMu sync.Mutex // serialises config.json read-modify-write in this process

	mu       sync.Mutex // guards the fields below; never held across I/O waits
	lang     string     // the saved language setting, cached
	sheetDir string     // private temp dir of OpenSheet; removed by Close
	closed   bool
}

// Open loads the user's settings and rooms. A damaged file is moved aside
// (nothing is lost) and a file from a newer Tafel is left alone: Open then
// returns a usable Backend together with that error to show once
// (Explain turns it into a sentence). Other errors return no Backend.
func Open(opts Options) (*Backend, error) {
	if opts.ConfigDir == "" {
		d, err := config.Dir()
		if err != nil {
			return nil, err
		}
		opts.ConfigDir = d
	}
	if opts.Secrets == nil {
		opts.Secrets = config.Keyring{}
	}
	if opts.HTTPClient == nil {
		opts.HTTPClient = &http.Client{Timeout: 60 * time.Second}
	}
	if opts.Opener == nil {
		opts.Opener = rooms.BrowserOpener
	}
	if opts.History == nil {
		if h, err := checkhistory.Open(); err == nil {
			opts.History = h
		}
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.KeyringTimeout <= 0 {
		opts.KeyringTimeout = 10 * time.Second
	}
	if opts.AdminDir == "" {
		opts.AdminDir = config.AdminDir()
	}
	b := &Backend{opts: opts, userPath: filepath.Join(opts.ConfigDir, config.UserFileName),
		policyFromAdmin: opts.Policy.Forced == nil && opts.Policy.Recommended == nil}

	var warnings []error
	store, err := rooms.OpenStore(filepath.Join(opts.ConfigDir, rooms.FileName))
	if err != nil {
		if !usableFileError(err) {
			return nil, err
		}
		warnings = append(warnings, err)
	}
	b.store = store
	l, err := b.loadLayers()
	if err != nil {
		if !usableFileError(err) {
			return nil, err
		}
		warnings = append(warnings, err)
	}
	if l != nil {
		b.lang = l.Effective().Language
		// IT's malformed admin files: shown once, and then ignored.
		warnings = append(warnings, l.Warnings()...)
		if b.policyFromAdmin {
			_, probs := rooms.PolicyFrom(l)
			warnings = append(warnings, probs...)
		}
	}
	return b, errors.Join(warnings...)
}

// usableFileError: the file was moved aside, or it is newer and left alone.
func usableFileError(err error) bool {
	var ce *config.CorruptError
	return errors.As(err, &ce) || errors.Is(err, config.ErrNewerFormat)
}

// Close removes the temporary sheets OpenSheet wrote (they hold bearer
// links). Call it when Tafel quits.
func (b *Backend) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.closed = true
	if b.sheetDir == "" {
		return nil
	}
	err := os.RemoveAll(b.sheetDir)
	b.sheetDir = ""
	return err
}

// Rooms is the rooms service.
func (b *Backend) Rooms() *Rooms { return &Rooms{b: b} }

// Lessons is the lessons service.
func (b *Backend) Lessons() *Lessons { return &Lessons{b: b} }

// Settings is the settings service.
func (b *Backend) Settings() *Settings { return &Settings{b: b} }

// Setup is the first-run service.
func (b *Backend) Setup() *Setup { return &Setup{b: b} }

// tr is the translator for messages: Options.Lang, the saved setting, the OS.
func (b *Backend) tr() translations.Translator {
	if b.opts.Lang != "" {
		return translations.New(b.opts.Lang)
	}
	b.mu.Lock()
	l := b.lang
	b.mu.Unlock()
	if l != "" {
		return translations.New(l)
	}
	return translations.New(translations.FromEnvironment())
}

// loadUser returns the configuration in force (all layers), read afresh
// (the CLI may have changed it). A damaged user file reads as empty (Open
// reported it); a newer one is an error.
func (b *Backend) loadUser() (*config.User, error) {
	l, err := b.loadLayers()
	if l == nil {
		return nil, err
	}
	return l.Effective(), nil
}

// loadLayers reads the user's file and the admin files, for changing the
// user's layer.
func (b *Backend) loadLayers() (*config.Layered, error) {
	return config.Load(config.LoadOptions{UserPath: b.userPath, AdminDir: b.opts.AdminDir})
}

// openPool resolves the pool called name (or the default) and opens it
// with its secret from the keyring.
func (b *Backend) openPool(ctx context.Context, u *config.User, name string) (*rooms.DirectPool, config.Pool, error) {
	pc, err := u.ResolvePool(name)
	if err != nil {
		return nil, pc, poolErr(name, err)
	}
	p, err := rooms.OpenDirectPool(ctx, pc, b.opts.Secrets, rooms.DirectOptions{HTTPClient: b.opts.HTTPClient})
	if err != nil {
		return nil, pc, poolErr(pc.Name, err)
	}
	return p, pc, nil
}

// policy is school IT's rooms policy in force now.
func (b *Backend) policy() rooms.Policy {
	if !b.policyFromAdmin {
		return b.opts.Policy
	}
	pol, _ := rooms.PolicyFrom(config.LoadAdminLayers(b.opts.AdminDir))
	return pol
}

// room returns the room called name from the latest rooms file.
func (b *Backend) room(name string) (rooms.Room, error) {
	_ = b.store.Reload() // on failure the rooms in memory stay
	return b.store.Get(name)
}

// TeacherName is the name the teacher appears with in the meeting: the
// setting, else the OS account's full name, else its login.
func TeacherName(u *config.User) string {
	if u != nil && strings.TrimSpace(u.TeacherName) != "" {
		return strings.TrimSpace(u.TeacherName)
	}
	if cu, err := user.Current(); err == nil {
		if n, _, _ := strings.Cut(cu.Name, ","); strings.TrimSpace(n) != "" {
			return strings.TrimSpace(n)
		}
		if cu.Username != "" {
			return cu.Username
		}
	}
	return "Tafel"
}

// DefaultPool opens the default pool with its secret, for the pre-flight.
// ok is false when no pool is set up at all (the checks that need one are
// then skipped, not failed).
func (b *Backend) DefaultPool(ctx context.Context) (p rooms.Pool, name string, ok bool, err error) {
	u, err := b.loadUser()
	if err != nil {
		return nil, "", true, err
	}
	if len(u.Pools) == 0 {
		return nil, "", false, nil
	}
	dp, pc, err := b.openPool(ctx, u, "")
	if err != nil {
		return nil, pc.Name, true, err
	}
	return dp, pc.Name, true, nil
}

// History is the pre-flight history the backend reads (echo-test skip).
func (b *Backend) History() *checkhistory.Store { return b.opts.History }

// Translator is the language of messages (see Options.Lang).
func (b *Backend) Translator() translations.Translator { return b.tr() }
