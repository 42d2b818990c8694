//go:build !linux

package testenv

import (
	"errors"
	"testing"
)

// SecretService is only implemented on Linux (gnome-keyring).
type SecretService struct {
	Address string
	Home    string
}

// StartKeyring skips (or fails in CI): no Secret Service test outside Linux.
func StartKeyring(t testing.TB) *SecretService {
	t.Helper()
	Missing(t, "Secret Service (gnome-keyring)", "run the keyring tests on Linux")
	return nil
}

// StartBusWithoutSecretService skips outside Linux.
func StartBusWithoutSecretService(t testing.TB) *SecretService {
	t.Helper()
	Missing(t, "D-Bus session bus", "run the keyring tests on Linux")
	return nil
}

// LaunchSecretService is not available outside Linux.
func LaunchSecretService(busBin, keyringBin, dir string) (*SecretService, error) {
	return nil, errors.New("testenv: Secret Service only on Linux")
}

// Stop does nothing.
func (s *SecretService) Stop() {}
