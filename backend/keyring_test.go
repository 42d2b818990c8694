package backend

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tafel-schule/tafel/config"
	"github.com/tafel-schule/tafel/internal/testenv"
)

// No password store on the machine: the first run is needed, AddPool says
// why in one sentence and stores nothing.
func TestSetupWithoutKeyring(t *testing.T) {
	e := newEnv(t)
	testenv.StartBusWithoutSecretService(t)
	b, err := Open(Options{ConfigDir: e.dir, Secrets: config.Keyring{Timeout: 20 * time.Second}, Opener: e.opener, History: e.history, Lang: "en"})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	err = b.Setup().AddPool(e.ctx(), "Schul-BBB", e.api, testSecret)
	if !errors.Is(err, config.ErrKeyringUnavailable) || !strings.Contains(b.Explain(err), "no keyring") {
		t.Fatalf("%v: %s", err, b.Explain(err))
	}
	if _, err := os.Stat(filepath.Join(e.dir, config.UserFileName)); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("pool saved although its secret could not be stored")
	}
	// A pool whose secret cannot be read (set up elsewhere): needs the first run.
	if err := e.b.Setup().AddPool(e.ctx(), "Schul-BBB", e.api, testSecret); err != nil {
		t.Fatal(err)
	}
	if !b.Setup().NeedsPool() {
		t.Fatal("unreadable keyring: pool looks usable")
	}
}

// The whole loop with the real Secret Service (gnome-keyring).
func TestSetupRealKeyring(t *testing.T) {
	e := newEnv(t)
	testenv.StartKeyring(t)
	b, err := Open(Options{ConfigDir: e.dir, Secrets: config.Keyring{Timeout: 20 * time.Second}, Opener: e.opener, History: e.history, Lang: "de"})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if !b.Setup().NeedsPool() {
		t.Fatal("no pool yet")
	}
	if err := b.Setup().AddPool(e.ctx(), "Schul-BBB", e.api, testSecret); err != nil {
		t.Fatal(b.Explain(err))
	}
	if b.Setup().NeedsPool() {
		t.Fatal("pool with secret in the keyring still needs setup")
	}
	if _, err := b.Rooms().Add("Kollegium", "staff"); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Lessons().Start(e.ctx(), "Kollegium", nil); err != nil {
		t.Fatal(b.Explain(err))
	}
	if link, _ := e.lastOpened(); !strings.Contains(link, "role=MODERATOR") {
		t.Fatal("no moderator link opened")
	}
}
