package config

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tafel-schule/tafel/internal/testenv"
)

func TestNewPoolValidates(t *testing.T) {
	p, err := NewPool(" Schul-BBB ", "https://bbb.schule.example", "")
	if err != nil {
		t.Fatal(err)
	}
	if p.Name != "Schul-BBB" || p.URL != "https://bbb.schule.example/bigbluebutton/api" || p.Checksum != "sha256" {
		t.Fatalf("normalised pool: %+v", p)
	}
	if _, err := NewPool("local", "http://127.0.0.1:8090/bigbluebutton/api", "sha512"); err != nil {
		t.Fatalf("loopback http must be allowed for the simulator: %v", err)
	}
	for _, c := range []struct{ name, url, alg, detail string }{
		{"", "https://x.example", "", "name"},
		{"a\nb", "https://x.example", "", "name"},
		{"x", "http://bbb.schule.example", "", "url"}, // plain http over the network
		{"x", "https://user:pw@bbb.example", "", "url"},
		{"x", "ftp://bbb.example", "", "url"},
		{"x", "https://bbb.example", "sha384", "checksum"}, // Scalelite refuses it
		{"x", "https://bbb.example", "md5", "checksum"},
	} {
		_, err := NewPool(c.name, c.url, c.alg)
		var ce *Error
		if !errors.As(err, &ce) || ce.Code != CodeInvalidPool || ce.Detail != c.detail {
			t.Errorf("NewPool(%q,%q,%q) = %v, want invalid %s", c.name, c.url, c.alg, err, c.detail)
		}
	}
}

func TestUserPoolsRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tafel", UserFileName)
	u, err := LoadUser(path)
	if err != nil || len(u.Pools) != 0 {
		t.Fatalf("missing file: %v %+v", err, u)
	}
	if _, err := u.ResolvePool(""); !errors.Is(err, ErrNoPool) {
		t.Fatalf("no pools: %v", err)
	}
	a, _ := NewPool("A", "https://a.example", "")
	b, _ := NewPool("B", "https://b.example", "sha512")
	if err := u.AddPool(a, false); err != nil {
		t.Fatal(err)
	}
	if err := u.AddPool(b, false); err != nil {
		t.Fatal(err)
	}
	if err := u.AddPool(a, false); !errors.Is(err, ErrPoolExists) {
		t.Fatalf("duplicate: %v", err)
	}
	if err := SaveUser(path, u); err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(path)
	if strings.Contains(string(raw), "secret") {
		t.Fatalf("config.json must not mention secrets: %s", raw)
	}
	u2, err := LoadUser(path)
	if err != nil {
		t.Fatal(err)
	}
	if p, err := u2.ResolvePool(""); err != nil || p.Name != "A" {
		t.Fatalf("default pool: %+v %v", p, err)
	}
	if p, err := u2.ResolvePool("b"); err != nil || p.Checksum != "sha512" {
		t.Fatalf("by name: %+v %v", p, err)
	}
	if _, err := u2.RemovePool("a"); err != nil {
		t.Fatal(err)
	}
	if p, err := u2.ResolvePool(""); err != nil || p.Name != "B" {
		t.Fatalf("only pool left becomes the default: %+v %v", p, err)
	}
	if _, err := u2.RemovePool("zzz"); !errors.Is(err, ErrPoolNotFound) {
		t.Fatalf("remove unknown: %v", err)
	}
}

func TestCorruptUserFileIsMovedAside(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, UserFileName)
	junk := []byte(`{"version": 1, "pools": [ {"name": "A", "url": `)
	if err := os.WriteFile(path, junk, 0o600); err != nil {
		t.Fatal(err)
	}
	clock = func() time.Time { return time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC) }
	defer func() { clock = time.Now }()
	u, err := LoadUser(path)
	var ce *CorruptError
	if !errors.As(err, &ce) || !errors.Is(err, ErrCorrupt) {
		t.Fatalf("want CorruptError, got %v", err)
	}
	if u == nil || len(u.Pools) != 0 {
		t.Fatalf("a usable empty config is returned: %+v", u)
	}
	want := path + ".corrupt-20261127T080000Z"
	if ce.MovedTo != want {
		t.Fatalf("moved to %q, want %q", ce.MovedTo, want)
	}
	kept, err := os.ReadFile(want)
	if err != nil || string(kept) != string(junk) {
		t.Fatalf("the damaged content must be kept byte for byte: %v", err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("original should be gone: %v", err)
	}
	// A second damaged file in the same second gets its own name.
	os.WriteFile(path, []byte("nope"), 0o600)
	_, err = LoadUser(path)
	if !errors.As(err, &ce) || ce.MovedTo == want || ce.MovedTo == "" {
		t.Fatalf("second move aside: %v", err)
	}
	if strings.Contains(err.Error(), "nope") {
		t.Fatalf("error must not echo file content: %v", err)
	}
}

func TestNewerUserFileIsNotTouched(t *testing.T) {
	path := filepath.Join(t.TempDir(), UserFileName)
	os.WriteFile(path, []byte(`{"version": 99, "pools": []}`), 0o600)
	if _, err := LoadUser(path); !errors.Is(err, ErrNewerFormat) {
		t.Fatalf("want ErrNewerFormat, got %v", err)
	}
	if b, _ := os.ReadFile(path); string(b) != `{"version": 99, "pools": []}` {
		t.Fatal("newer file changed")
	}
}

func TestMemorySecrets(t *testing.T) {
	var s MemorySecrets
	ctx := context.Background()
	if _, err := s.Get(ctx, "k"); !errors.Is(err, ErrSecretNotFound) {
		t.Fatal(err)
	}
	s.Set(ctx, "k", "v")
	if v, _ := s.Get(ctx, "k"); v != "v" {
		t.Fatal(v)
	}
	s.Delete(ctx, "k")
	if _, err := s.Get(ctx, "k"); !errors.Is(err, ErrSecretNotFound) {
		t.Fatal(err)
	}
}

// The real thing: go-keyring against gnome-keyring over a private D-Bus.
func TestKeyringRealSecretService(t *testing.T) {
	testenv.StartKeyring(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	k := Keyring{Timeout: 20 * time.Second}
	pool, _ := NewPool("Schul-BBB", "https://bbb.schule.example", "")
	if _, err := k.Get(ctx, pool.SecretKey()); !errors.Is(err, ErrSecretNotFound) {
		t.Fatalf("fresh keyring: %v", err)
	}
	secret := "Geheimnis-äöü-639259d4"
	if err := k.Set(ctx, pool.SecretKey(), secret); err != nil {
		t.Fatalf("set: %v", err)
	}
	got, err := k.Get(ctx, pool.SecretKey())
	if err != nil || got != secret {
		t.Fatalf("get: err=%v, value matches=%t", err, got == secret)
	}
	if err := k.Set(ctx, pool.SecretKey(), "second"); err != nil {
		t.Fatal(err)
	}
	if got, _ := k.Get(ctx, pool.SecretKey()); got != "second" {
		t.Fatal("set must replace the old value")
	}
	if err := k.Delete(ctx, pool.SecretKey()); err != nil {
		t.Fatal(err)
	}
	if err := k.Delete(ctx, pool.SecretKey()); err != nil {
		t.Fatalf("deleting a missing secret is fine: %v", err)
	}
	if _, err := k.Get(ctx, pool.SecretKey()); !errors.Is(err, ErrSecretNotFound) {
		t.Fatalf("after delete: %v", err)
	}
}

// A bus without any Secret Service: a clear, typed error, quickly.
func TestKeyringWithoutSecretService(t *testing.T) {
	testenv.StartBusWithoutSecretService(t)
	ctx := context.Background()
	k := Keyring{Timeout: 20 * time.Second}
	start := time.Now()
	_, err := k.Get(ctx, "pool:x")
	if !errors.Is(err, ErrKeyringUnavailable) {
		t.Fatalf("want ErrKeyringUnavailable, got %v", err)
	}
	if err := k.Set(ctx, "pool:x", "s3cret-value"); !errors.Is(err, ErrKeyringUnavailable) {
		t.Fatalf("set: want ErrKeyringUnavailable, got %v", err)
	} else if strings.Contains(err.Error(), "s3cret-value") {
		t.Fatal("error text contains the secret")
	}
	if d := time.Since(start); d > 15*time.Second {
		t.Fatalf("no Secret Service should fail fast, took %s", d)
	}
}

func TestKeyringNoBusAtAll(t *testing.T) {
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path="+filepath.Join(t.TempDir(), "no-bus"))
	_, err := Keyring{Timeout: 10 * time.Second}.Get(context.Background(), "pool:x")
	if !errors.Is(err, ErrKeyringUnavailable) {
		t.Fatalf("want ErrKeyringUnavailable, got %v", err)
	}
}

// A pool entry that "tafel pool add" would refuse (plain http to another
// machine, here hand-edited) is kept in the file but never used.
func TestLoadUserRefusesUnsafePoolEntry(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.json")
	os.WriteFile(path, []byte(`{"version":1,"pools":[
 {"name":"Schule","url":"http://bbb.school.example/bigbluebutton/api","checksum":"sha256"},
 {"name":"Sim","url":"http://127.0.0.1:8090/bigbluebutton/api","checksum":"sha256"}]}`), 0o600)
	u, err := LoadUser(path)
	if err != nil {
		t.Fatal(err)
	}
	_, err = u.ResolvePool("Schule")
	var pe *PoolFileError
	if !errors.As(err, &pe) || pe.Pool != "Schule" || Code(err) != CodeInvalidPool {
		t.Fatalf("err = %v", err)
	}
	if _, err := u.ResolvePool("Sim"); err != nil {
		t.Fatalf("loopback pool refused: %v", err)
	}
	if len(u.Pools) != 2 {
		t.Fatal("the bad entry must stay in the file so it can be fixed")
	}
}
