package backend

import (
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tafel-schule/tafel/checkhistory"
	"github.com/tafel-schule/tafel/config"
	"github.com/tafel-schule/tafel/internal/bbbsim"
	"github.com/tafel-schule/tafel/internal/testenv"
	"github.com/tafel-schule/tafel/internal/testpdf"
	"github.com/tafel-schule/tafel/rooms"
)

const testSecret = "backend-test-secret-9d41"

// env is a simulator on httptest, a private config dir, in-memory secrets
// and a fake browser that records what it was asked to open.
type env struct {
	t       *testing.T
	sim     *bbbsim.Server
	api     string
	dir     string
	secrets *config.MemorySecrets
	history *checkhistory.Store
	b       *Backend

	mu      sync.Mutex
	opened  []string
	browser []string
	openErr error
}

func newEnv(t *testing.T) *env {
	t.Helper()
	home := testenv.TempHome(t) // nothing may touch the real user's files
	sim, err := bbbsim.New(bbbsim.Config{Secret: testSecret})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sim.Handler())
	t.Cleanup(func() { srv.Close(); sim.Close() })
	e := &env{t: t, sim: sim, api: srv.URL + "/bigbluebutton/api", dir: filepath.Join(home, "cfg"),
		secrets: &config.MemorySecrets{}, history: &checkhistory.Store{Path: filepath.Join(home, "checks.json")}}
	e.b = e.open()
	return e
}

func (e *env) open() *Backend {
	e.t.Helper()
	b, err := Open(Options{ConfigDir: e.dir, Secrets: e.secrets, Opener: e.opener, History: e.history, Lang: "en"})
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { b.Close() })
	return b
}

func (e *env) opener(browser string) rooms.Opener {
	return func(u rooms.JoinURL) error {
		e.mu.Lock()
		defer e.mu.Unlock()
		if e.openErr != nil {
			return e.openErr
		}
		e.opened = append(e.opened, u.Reveal())
		e.browser = append(e.browser, browser)
		return nil
	}
}

func (e *env) lastOpened() (string, string) {
	e.t.Helper()
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.opened) == 0 {
		e.t.Fatal("nothing was opened")
	}
	return e.opened[len(e.opened)-1], e.browser[len(e.browser)-1]
}

func (e *env) ctx() context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	e.t.Cleanup(cancel)
	return ctx
}

// addPool sets up the simulator as pool "Schul-BBB" and a room.
func (e *env) addPoolAndRoom(room string) {
	e.t.Helper()
	if err := e.b.Setup().AddPool(e.ctx(), "Schul-BBB", e.api, testSecret); err != nil {
		e.t.Fatalf("AddPool: %s", e.b.Explain(err))
	}
	if _, err := e.b.Rooms().Add(room, ""); err != nil {
		e.t.Fatalf("Add room: %s", e.b.Explain(err))
	}
}

// pdf writes a small valid PDF named name and returns its path.
func (e *env) pdf(name string, pages int) string {
	e.t.Helper()
	p := filepath.Join(e.t.TempDir(), name)
	if err := os.WriteFile(p, testpdf.Pages(pages, name, 0), 0o600); err != nil {
		e.t.Fatal(err)
	}
	return p
}

// noLeak fails if s holds the secret or a signed link.
func noLeak(t *testing.T, what, s string, extra ...string) {
	t.Helper()
	for _, bad := range append([]string{testSecret, "checksum=", "/join?", "127.0.0.1"}, extra...) {
		if strings.Contains(s, bad) {
			t.Fatalf("%s leaks %q", what, bad)
		}
	}
}

func isKey(s string) bool {
	return s == "" || strings.HasPrefix(s, "backend.") || strings.HasPrefix(s, "pool.") || strings.HasPrefix(s, "rooms.") ||
		strings.Contains(s, "{{") || strings.Contains(s, "<no value>")
}
