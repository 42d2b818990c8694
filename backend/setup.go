package backend

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/tafel-schule/tafel/config"
	"github.com/tafel-schule/tafel/rooms"
)

// maxSecretBytes bounds a shared secret (as `tafel pool add`).
const maxSecretBytes = 4096

// poolCheckTimeout bounds AddPool's test of the pool.
const poolCheckTimeout = 20 * time.Second

// Setup is the first run (app.Setup).
type Setup struct{ b *Backend }

// NeedsPool is true when no usable pool is configured, or its secret is
// not in the keyring; with a pool IT fixed for this machine (ManagedPool),
// when that pool's secret is not there. A keyring that fails or does not answer within
// Options.KeyringTimeout (an unlock prompt nobody answers) counts as
// "secret missing": the first run then asks for it again.
func (s *Setup) NeedsPool() bool {
	b := s.b
	l, _ := b.loadLayers()
	if l == nil {
		return true // a file from a newer Tafel
	}
	u := l.Effective()
	var candidates []config.Pool
	pc, err := u.ResolvePool("")
	mp, managed := l.ManagedPool()
	switch {
	case managed:
		// IT fixed this pool for the machine: its secret is what the
		// first run (which shows IT's pool) asks for, even when the
		// teacher's own default pool has a secret; otherwise the first
		// run never comes and rooms on IT's pool fail at the lesson.
		candidates = []config.Pool{mp}
	case err == nil:
		candidates = []config.Pool{pc}
	case errors.Is(err, config.ErrAmbiguousPool):
		candidates = u.Pools // rooms name their pool; any usable one will do
	default:
		return true
	}
	ctx, cancel := context.WithTimeout(context.Background(), b.opts.KeyringTimeout)
	defer cancel()
	for _, p := range candidates {
		if _, err := u.ResolvePool(p.Name); err != nil {
			continue // an entry that cannot be used (plain http …)
		}
		if b.hasSecret(ctx, p) {
			return false
		}
	}
	return true
}

// hasSecret asks the keyring for p's secret, giving up when ctx ends even
// if a Secrets implementation ignores ctx.
func (b *Backend) hasSecret(ctx context.Context, p config.Pool) bool {
	done := make(chan bool, 1)
	go func() {
		v, err := b.opts.Secrets.Get(ctx, p.SecretKey())
		done <- err == nil && v != ""
	}()
	select {
	case ok := <-done:
		return ok
	case <-ctx.Done():
		return false
	}
}

// ManagedPool is the pool school IT fixed in managed.json: the first run
// shows it locked and asks only for the secret, which each teacher keeps
// in their own keyring (it is never in an admin file).
func (s *Setup) ManagedPool() (name, url string, ok bool) {
	l, _ := s.b.loadLayers()
	if l == nil {
		return "", "", false
	}
	p, ok := l.ManagedPool()
	return p.Name, p.URL, ok
}

// AddPool tests the pool with the secret first and, only if it answers and
// accepts it, stores the secret in the keyring and the pool in config.json
// (the first pool becomes the default). A pool of the same name
// (case-insensitive) is replaced under its old spelling, so its keyring
// entry is replaced rather than orphaned: the first run uses this to
// re-enter a secret missing from the keyring. Nothing is stored on any
// failure before the keyring write.
func (s *Setup) AddPool(ctx context.Context, name, rawURL, secret string) error {
	b := s.b
	p, err := config.NewPool(name, rawURL, "")
	if err != nil {
		return err
	}
	secret = strings.TrimSpace(secret)
	if secret == "" {
		return ErrSecretEmpty
	}
	if len(secret) > maxSecretBytes || strings.ContainsFunc(secret, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return &config.Error{Code: config.CodeSecretInvalid}
	}
	// IT's own pool (same name): its address is fixed when managed, and
	// its checksum and limits are IT's.
	var admin config.Pool
	var isAdmin bool
	if l, _ := b.loadLayers(); l != nil {
		admin, isAdmin = l.AdminPool(p.Name)
	}
	if isAdmin && admin.Source() == config.SourceManaged && admin.URL != p.URL {
		return &config.Error{Code: config.CodeManaged, Detail: config.KeyPools + "." + admin.Name}
	}
	secretOnly := isAdmin && admin.URL == p.URL
	if secretOnly {
		p = admin
	}
	pool, err := rooms.NewDirectPool(p, secret, rooms.DirectOptions{HTTPClient: b.opts.HTTPClient})
	if err != nil {
		return poolErr(p.Name, err)
	}
	cctx, cancel := context.WithTimeout(ctx, poolCheckTimeout)
	err = pool.Check(cctx)
	cancel()
	if err != nil {
		return poolErr(p.Name, err)
	}

	b.cfgMu.Lock()
	defer b.cfgMu.Unlock()
	l, err := b.loadLayers()
	if l == nil {
		return err
	}
	u := l.User
	if old, ok := u.FindPool(p.Name); ok {
		// The secret goes under the name of the entry in force, or it is
		// never found (keyring names are case-sensitive).
		switch {
		case secretOnly && admin.Source() == config.SourceManaged:
			// IT's managed pool hides the teacher's entry.
		case secretOnly && old.URL == p.URL:
			// The teacher's own entry for IT's recommended pool is the
			// one in force: only its secret is new.
			p.Name = old.Name
		default:
			p.Name, secretOnly = old.Name, false
		}
	}
	// Keyring first: a pool without its secret is useless, and a failing
	// keyring must not leave a half-added pool behind.
	if err := b.opts.Secrets.Set(ctx, p.SecretKey(), secret); err != nil {
		return poolErr(p.Name, err)
	}
	if secretOnly {
		// IT's own pool: only the secret is the teacher's; the pool
		// stays in the admin file, so IT can still change it.
		return nil
	}
	if err := u.AddPool(p, true); err != nil {
		return poolErr(p.Name, err)
	}
	if _, err := u.ResolvePool(""); err != nil {
		// Several pools and none is the default (an old file): the one
		// just set up becomes it, so lessons know where to go.
		u.DefaultPool = p.Name
	}
	return config.SaveUser(b.userPath, u)
}
