package backend

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tafel-schule/tafel/bbbclient"
	"github.com/tafel-schule/tafel/config"
	"github.com/tafel-schule/tafel/internal/testenv"
)

// AddPool tests first: a wrong secret or an unreachable pool stores
// nothing; a good one stores the secret in the keyring and the pool as
// the default.
func TestAddPool(t *testing.T) {
	e := newEnv(t)
	s := e.b.Setup()
	if !s.NeedsPool() {
		t.Fatal("no pool yet")
	}
	if _, _, ok := s.ManagedPool(); ok {
		t.Fatal("no managed pool yet")
	}
	cfg := filepath.Join(e.dir, config.UserFileName)

	err := s.AddPool(e.ctx(), "Schul-BBB", e.api, "wrong-secret")
	if !errors.Is(err, bbbclient.ErrChecksum) {
		t.Fatalf("wrong secret: %v", err)
	}
	if msg := e.b.Explain(err); !strings.Contains(msg, "rejects the secret") || !strings.Contains(msg, "Schul-BBB") {
		t.Fatalf("wrong secret message: %s", msg)
	}
	if _, err := os.Stat(cfg); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("config.json written for a refused pool")
	}
	if _, err := e.secrets.Get(e.ctx(), "pool:Schul-BBB"); !errors.Is(err, config.ErrSecretNotFound) {
		t.Fatal("secret stored for a refused pool")
	}
	err = s.AddPool(e.ctx(), "Weg", "http://127.0.0.1:1/bigbluebutton/api", testSecret)
	if msg := e.b.Explain(err); err == nil || !strings.Contains(msg, "cannot be reached") {
		t.Fatalf("unreachable: %v %s", err, msg)
	}
	for _, c := range []struct{ name, url, secret string }{
		{"", e.api, testSecret},
		{"X", "http://bbb.example.org", testSecret},
		{"X", e.api, "  "},
		{"X", e.api, "a\x00b"},
	} {
		err := s.AddPool(e.ctx(), c.name, c.url, c.secret)
		if err == nil || isKey(e.b.Explain(err)) {
			t.Errorf("%q %q: %v", c.name, c.url, err)
		}
	}
	if _, err := os.Stat(cfg); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("config.json written for a refused pool")
	}

	if err := s.AddPool(e.ctx(), "Schul-BBB", e.api, " "+testSecret+"\n"); err != nil {
		t.Fatal(e.b.Explain(err))
	}
	if v, err := e.secrets.Get(e.ctx(), "pool:Schul-BBB"); err != nil || v != testSecret {
		t.Fatal("secret not stored (trimmed)")
	}
	raw, _ := os.ReadFile(cfg)
	if strings.Contains(string(raw), testSecret) || !strings.Contains(string(raw), `"default_pool": "Schul-BBB"`) {
		t.Fatalf("config.json: %s", raw)
	}
	if s.NeedsPool() {
		t.Fatal("pool with its secret still needs a pool")
	}
	// Re-entering under another spelling replaces it and keeps the name.
	if err := s.AddPool(e.ctx(), "schul-bbb", e.api, testSecret); err != nil {
		t.Fatal(e.b.Explain(err))
	}
	u, _ := config.LoadUser(cfg)
	if len(u.Pools) != 1 || u.Pools[0].Name != "Schul-BBB" {
		t.Fatalf("pools: %+v", u.Pools)
	}
	// The secret gone from the keyring: the first run asks again.
	e.secrets.Delete(e.ctx(), "pool:Schul-BBB")
	if !s.NeedsPool() {
		t.Fatal("missing secret not noticed")
	}
}

// hangingSecrets does not answer until released, and ignores ctx (a
// stuck unlock prompt).
type hangingSecrets struct {
	config.MemorySecrets
	release chan struct{}
}

func (h *hangingSecrets) Get(context.Context, string) (string, error) {
	<-h.release
	return "", config.ErrKeyringTimeout
}

// A keyring that does not answer counts as "secret missing", in bounded time.
func TestNeedsPoolKeyringHangs(t *testing.T) {
	e := newEnv(t)
	e.addPoolAndRoom("Mathe 7b")
	hs := &hangingSecrets{release: make(chan struct{})}
	t.Cleanup(func() { close(hs.release) })
	b, err := Open(Options{ConfigDir: e.dir, Secrets: hs, Opener: e.opener, History: e.history, KeyringTimeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if !b.Setup().NeedsPool() {
		t.Fatal("hanging keyring: pool looks usable")
	}
	if d := time.Since(start); d > 30*time.Second {
		t.Fatalf("NeedsPool took %v", d)
	}
}

func TestSettingsRoundTrip(t *testing.T) {
	e := newEnv(t)
	e.addPoolAndRoom("Mathe 7b")
	s := e.b.Settings()
	a := s.Load()
	if a != (AppSettings{CheckBeforeLesson: true, CloseToTray: true}) {
		t.Fatalf("defaults: %+v", a)
	}
	for _, k := range []string{"language", "browser", "check_before_lesson", "close_to_tray", "pool"} {
		if s.Locked(k) {
			t.Fatalf("%s locked", k)
		}
	}
	want := AppSettings{Language: "de", Browser: "chromium", TeacherName: "Herr Roth", CheckBeforeLesson: false, CloseToTray: true}
	if err := s.Save(AppSettings{Language: "de_DE.UTF-8", Browser: " chromium ", TeacherName: "Herr Roth ", CloseToTray: true}); err != nil {
		t.Fatal(err)
	}
	if got := e.open().Settings().Load(); got != want {
		t.Fatalf("round trip: %+v", got)
	}
	raw, _ := os.ReadFile(filepath.Join(e.dir, config.UserFileName))
	if !strings.Contains(string(raw), "Schul-BBB") || strings.Contains(string(raw), "close_to_tray") {
		t.Fatalf("pools lost or default written: %s", raw)
	}
	// Without a forced language, messages follow the saved one.
	b, err := Open(Options{ConfigDir: e.dir, Secrets: e.secrets, Opener: e.opener, History: e.history})
	if err != nil {
		t.Fatal(err)
	}
	if msg := b.Explain(config.ErrNoPool); !strings.Contains(msg, "Pool") || !strings.Contains(msg, "Schule") {
		t.Fatalf("German message: %s", msg)
	}
}

// A damaged rooms file is moved aside: Open works and says so.
func TestOpenCorruptFiles(t *testing.T) {
	testenv.TempHome(t) // not this machine's admin files or check history
	dir := filepath.Join(t.TempDir(), "cfg")
	os.MkdirAll(dir, 0o700)
	os.WriteFile(filepath.Join(dir, "rooms.json"), []byte("{ not json"), 0o600)
	os.WriteFile(filepath.Join(dir, "config.json"), []byte(`{"version": 99}`), 0o600)
	b, err := Open(Options{ConfigDir: dir, Secrets: &config.MemorySecrets{}, Lang: "en"})
	var ce *config.CorruptError
	if b == nil || !errors.As(err, &ce) || !errors.Is(err, config.ErrNewerFormat) {
		t.Fatalf("open: %v", err)
	}
	defer b.Close()
	if msg := b.Explain(ce); !strings.Contains(msg, "rooms.json.corrupt-") {
		t.Fatalf("message: %s", msg)
	}
	if msg := b.Explain(err); !strings.Contains(msg, "rooms.json.corrupt-") || !strings.Contains(msg, "newer Tafel") {
		t.Fatalf("both files in one message: %s", msg)
	}
	if _, err := b.Rooms().Add("Mathe 7b", ""); err != nil {
		t.Fatalf("rooms after recovery: %v", err)
	}
	// The newer settings file is never overwritten.
	if err := b.Settings().Save(AppSettings{Language: "en"}); !errors.Is(err, config.ErrNewerFormat) {
		t.Fatalf("save over newer file: %v", err)
	}
	if !b.Setup().NeedsPool() {
		t.Fatal("unreadable settings: pool looks usable")
	}
}
