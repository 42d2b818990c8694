package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/tafel-schule/tafel/checkhistory"
	"github.com/tafel-schule/tafel/config"
	"github.com/tafel-schule/tafel/internal/testenv"
)

// Review regression: without HOME (a service, cron, an IT script with an
// empty environment) there is no user configuration folder, and
// `tafel report` dereferenced a nil configuration and panicked instead of
// making a report with a note. The warning is German in a German report.
func TestReportWithoutHome(t *testing.T) {
	testenv.TempHome(t)
	t.Setenv("HOME", "")
	t.Setenv("XDG_CONFIG_HOME", "")
	t.Setenv("XDG_CACHE_HOME", "")
	if _, err := config.UserPath(); err == nil {
		t.Skip("this system finds a configuration folder without HOME")
	}
	saved := world
	t.Cleanup(func() { world = saved })
	world.secrets = func() config.Secrets { return &config.MemorySecrets{} }
	world.history = func() *checkhistory.Store { return nil }
	code, out, stderr := runReportArgs(t, "--json")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var m struct {
		ConfigWarnings []string `json:"config_warnings"`
	}
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatal(err)
	}
	if len(m.ConfigWarnings) != 1 || !strings.Contains(m.ConfigWarnings[0], "Ordner für die Einstellungen") {
		t.Errorf("warnings %q", m.ConfigWarnings)
	}
}
