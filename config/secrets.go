package config

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/zalando/go-keyring"
)

// KeyringService is the one keyring service name Tafel uses for all its
// items; `keyring.DeleteAll("tafel")` removes them on uninstall.
const KeyringService = "tafel"

// Secrets stores the pools' shared secrets. The direct-API pool reads
// them; a later broker mode needs none. Implementations never log values.
type Secrets interface {
	Get(ctx context.Context, key string) (string, error)
	Set(ctx context.Context, key, value string) error
	Delete(ctx context.Context, key string) error
}

// Keyring is Secrets in the OS keyring (Secret Service on Linux, Keychain
// on macOS, Credential Manager on Windows). There is no plaintext fallback.
type Keyring struct {
	// Timeout bounds one call; an unlock prompt nobody answers must not
	// hang the CLI forever. Default 2 minutes (time to type a password).
	Timeout time.Duration
}

// DefaultKeyringTimeout is Keyring's default per-call timeout.
const DefaultKeyringTimeout = 2 * time.Minute

// Get returns the secret for key; ErrSecretNotFound if there is none.
func (k Keyring) Get(ctx context.Context, key string) (string, error) {
	var v string
	err := k.call(ctx, func() error {
		var err error
		v, err = keyring.Get(KeyringService, key)
		return err
	})
	return v, err
}

// Set stores value under key, replacing an older value.
func (k Keyring) Set(ctx context.Context, key, value string) error {
	return k.call(ctx, func() error { return keyring.Set(KeyringService, key, value) })
}

// Delete removes key; a missing key is not an error.
func (k Keyring) Delete(ctx context.Context, key string) error {
	err := k.call(ctx, func() error { return keyring.Delete(KeyringService, key) })
	if errors.Is(err, ErrSecretNotFound) {
		return nil
	}
	return err
}

// call runs f in a goroutine, because the keyring may wait for an unlock
// prompt; the caller gets ErrKeyringTimeout or ctx's error instead of a hang.
func (k Keyring) call(ctx context.Context, f func() error) error {
	timeout := k.Timeout
	if timeout <= 0 {
		timeout = DefaultKeyringTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- f() }()
	select {
	case err := <-done:
		return classifyKeyringError(err)
	case <-ctx.Done():
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return &Error{Code: CodeKeyringTimeout, Err: ctx.Err()}
		}
		return ctx.Err()
	}
}

// classifyKeyringError maps go-keyring and D-Bus failures to stable codes
// (desktop-platform.md §12). go-keyring's texts never contain the secret.
func classifyKeyringError(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, keyring.ErrNotFound) {
		return &Error{Code: CodeSecretNotFound}
	}
	if errors.Is(err, keyring.ErrSetDataTooBig) {
		return &Error{Code: CodeSecretInvalid, Detail: "too long", Err: err}
	}
	msg := err.Error()
	switch {
	case strings.Contains(msg, "failed to unlock"), strings.Contains(msg, "IsLocked"), strings.Contains(msg, "dismissed"):
		return &Error{Code: CodeKeyringLocked, Err: err}
	}
	// Everything else means there is no usable password store: no session
	// bus ("dial unix …", "couldn't determine address"), no Secret Service
	// on it ("org.freedesktop.secrets was not provided by any .service
	// files"), an unsupported platform.
	return &Error{Code: CodeKeyringUnavailable, Err: err}
}

// MemorySecrets is Secrets in memory: for tests, and for "keep the secret
// for this run only" when no keyring exists.
type MemorySecrets struct{ m syncMap }

// Get implements Secrets.
func (s *MemorySecrets) Get(_ context.Context, key string) (string, error) {
	if v, ok := s.m.load(key); ok {
		return v, nil
	}
	return "", &Error{Code: CodeSecretNotFound}
}

// Set implements Secrets.
func (s *MemorySecrets) Set(_ context.Context, key, value string) error {
	s.m.store(key, value)
	return nil
}

// Delete implements Secrets.
func (s *MemorySecrets) Delete(_ context.Context, key string) error {
	s.m.delete(key)
	return nil
}
