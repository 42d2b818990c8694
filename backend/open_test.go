//go:build unix

package backend

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tafel-schule/tafel/rooms"
)

// A browser named in the settings runs in the foreground until the
// teacher closes it (firefox started when none was open). Start and
// OpenSheet still return, with the link opened; a browser command that
// fails at once is still reported.
func TestStartBrowserStaysInForeground(t *testing.T) {
	e := newEnv(t)
	e.addPoolAndRoom("Mathe 7b")
	old := rooms.OpenGrace
	rooms.OpenGrace = 500 * time.Millisecond
	t.Cleanup(func() { rooms.OpenGrace = old })

	dir := t.TempDir()
	rec, pids := filepath.Join(dir, "opened.txt"), filepath.Join(dir, "pids.txt")
	browser := filepath.Join(dir, "browser.sh")
	script := "#!/bin/sh\nprintf '%s\\n' \"$1\" >> '" + rec + "'\necho $$ >> '" + pids + "'\nexec sleep 60\n"
	if err := os.WriteFile(browser, []byte(script), 0o700); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		raw, _ := os.ReadFile(pids)
		for _, f := range strings.Fields(string(raw)) {
			if pid, err := strconv.Atoi(f); err == nil {
				syscall.Kill(pid, syscall.SIGTERM)
			}
		}
	})
	b, err := Open(Options{ConfigDir: e.dir, Secrets: e.secrets, Opener: rooms.BrowserOpener, History: e.history, Lang: "en"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	a := b.Settings().Load()
	a.Browser = browser
	if err := b.Settings().Save(a); err != nil {
		t.Fatal(err)
	}

	start := time.Now()
	res, err := b.Lessons().Start(e.ctx(), "Mathe 7b", nil)
	if err != nil {
		t.Fatalf("start: %s", b.Explain(err))
	}
	if d := time.Since(start); d > 30*time.Second {
		t.Fatalf("Start waited %v for the browser to be closed", d)
	}
	if res.Room != "Mathe 7b" {
		t.Fatalf("result %+v", res)
	}
	raw, _ := os.ReadFile(rec)
	if !strings.Contains(string(raw), "role=MODERATOR") {
		t.Fatal("the browser did not get the moderator link")
	}

	// A browser that is not there: reported at once, with its sentence.
	a.Browser = filepath.Join(dir, "no-such-browser")
	if err := b.Settings().Save(a); err != nil {
		t.Fatal(err)
	}
	_, err = b.Lessons().Start(e.ctx(), "Mathe 7b", nil)
	if !errors.Is(err, &rooms.Error{Code: rooms.CodeOpenFailed}) {
		t.Fatalf("missing browser: %v", err)
	}
	noLeak(t, "missing browser message", b.Explain(err))
}
