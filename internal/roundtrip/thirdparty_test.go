package roundtrip

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tafel-schule/tafel/internal/bbbsim"
	"github.com/tafel-schule/tafel/internal/testenv"
)

// The simulator must accept requests from other BBB client libraries, not
// only Tafel's: bigbluebutton-js (npm) signs with sha1 over Node's
// querystring encoding (%20 for spaces, checksum appended last) and joins
// with the deprecated passwords. It is installed from the npm registry with
// the committed lockfile.
func TestThirdPartyClientBigbluebuttonJS(t *testing.T) {
	node := testenv.LookPath(t, "node", "nodejs")
	npm := testenv.LookPath(t, "npm", "npm")
	dir := t.TempDir()
	for _, name := range []string{"package.json", "package-lock.json", "client.js"} {
		b, err := os.ReadFile(filepath.Join("testdata", "bigbluebutton-js", name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ictx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	install := exec.CommandContext(ictx, npm, "ci", "--no-audit", "--no-fund", "--loglevel=error")
	install.Dir = dir
	if out, err := install.CombinedOutput(); err != nil {
		testenv.Missing(t, "the npm package bigbluebutton-js", "npm ci (needs the npm registry): "+err.Error()+"\n"+string(out))
	}

	f := start(t, bbbsim.Config{}, "")
	runJS := func(args ...string) map[string]any {
		t.Helper()
		cmd := exec.CommandContext(ictx, node, append([]string{"client.js"}, args...)...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "BBB_HOST="+f.srv.URL+"/bigbluebutton", "BBB_SECRET="+secret)
		out, err := cmd.Output()
		if err != nil {
			var stderr string
			if ee, ok := err.(*exec.ExitError); ok {
				stderr = string(ee.Stderr)
			}
			t.Fatalf("node client.js %v: %v\n%s", args, err, stderr)
		}
		var m map[string]any
		if err := json.Unmarshal(out, &m); err != nil {
			t.Fatalf("output %q: %v", out, err)
		}
		return m
	}

	created := runJS("create")
	if c := created["create"].(map[string]any); c["returncode"] != "SUCCESS" {
		t.Fatalf("create via bigbluebutton-js: %v", c)
	}
	if a := created["again"].(map[string]any); a["returncode"] != "SUCCESS" || a["messageKey"] != "duplicateWarning" {
		t.Fatalf("repeat create: %v", a)
	}
	m, ok := f.sim.Meeting("js-lib-meeting")
	if !ok || m.Params.Get("welcome") != "Hallo Klasse 6a, heute: Märchen!" || m.Params.Get("muteOnStart") != "true" {
		t.Fatalf("meeting as stored: %+v", m.Params)
	}
	if _, page := browse(t, created["moderatorJoin"].(string)); !strings.Contains(page, "MODERATOR") || !strings.Contains(page, "Frau Özdemir") {
		t.Fatalf("password join as moderator:\n%s", page)
	}
	if _, page := browse(t, created["viewerJoin"].(string)); !strings.Contains(page, "VIEWER") {
		t.Fatalf("password join as viewer:\n%s", page)
	}
	// bbb-web answers a password that matches neither role with the
	// "Params required" XML error, even on a redirecting join.
	if _, page := browse(t, created["wrongPasswordJoin"].(string)); !strings.Contains(page, "Params required") || strings.Contains(page, "sessionToken") {
		t.Fatalf("join with a wrong password was not refused:\n%s", page)
	}

	status := runJS("status")
	if status["running"] != true || status["participantCount"] != float64(2) || status["moderatorCount"] != float64(1) || status["meetings"] != float64(1) {
		t.Fatalf("status via bigbluebutton-js: %v", status)
	}
	ended := runJS("end", created["moderatorPW"].(string))
	if e := ended["end"].(map[string]any); e["returncode"] != "SUCCESS" || e["messageKey"] != "sentEndMeetingRequest" {
		t.Fatalf("end: %v", e)
	}
}
