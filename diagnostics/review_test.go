package diagnostics

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tafel-schule/tafel/checkhistory"
	"github.com/tafel-schule/tafel/translations"
)

// Review regression: two reports saved in the same second (the GUI with
// and without IP addresses) had the same names, and the second silently
// replaced the first one the teacher had looked at.
func TestWriteFilesNeverReplaces(t *testing.T) {
	dir := t.TempDir()
	tr := translations.New("de")
	var wg sync.WaitGroup
	paths := make(chan string, 20)
	for i := range 5 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			src := testSources(t, 1)
			src.RedactIPs = i%2 == 0
			r, err := Build(context.Background(), src)
			if err != nil {
				t.Error(err)
				return
			}
			hp, jp, err := WriteFiles(dir, r, tr)
			if err != nil {
				t.Error(err)
				return
			}
			paths <- hp
			paths <- jp
		}()
	}
	wg.Wait()
	close(paths)
	seen := map[string]bool{}
	for p := range paths {
		if seen[p] {
			t.Errorf("%s written twice", filepath.Base(p))
		}
		seen[p] = true
		fi, err := os.Stat(p)
		if err != nil || fi.Size() == 0 || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v %v", filepath.Base(p), err, fi)
		}
	}
	ents, _ := os.ReadDir(dir)
	if len(seen) != 10 || len(ents) != 10 {
		t.Errorf("%d paths, %d files (temporary files left?)", len(seen), len(ents))
	}
}

// Review regression: when the keyring could not be asked, the summary
// told IT that the pool's password was not in the keyring.
func TestKeyringProblemIsNotNo(t *testing.T) {
	src := testSources(t, 0)
	src.Pools = []PoolStatus{{Name: "Schul-BBB", URL: "https://bbb.example.org/bigbluebutton/api", KeyringProblem: "keyring_locked"}}
	r, err := Build(context.Background(), src)
	must(t, err)
	if got := r.Summary.Pools[0].Text; strings.Contains(got, ": nein") || !strings.Contains(got, "unbekannt") {
		t.Errorf("summary line %q", got)
	}
	h, err := r.HTML(translations.New("de"))
	must(t, err)
	if !strings.Contains(string(h), "unbekannt — <code>keyring_locked</code>") {
		t.Error("the pools table does not say the keyring state is unknown")
	}
}

// Review regression: check details with camelCase keys (a struct
// marshalled without JSON tags) kept unknown secret values in clear.
func TestBuildRedactsCamelCaseDetails(t *testing.T) {
	src := testSources(t, 0)
	det, _ := json.Marshal(struct{ SharedSecret, TurnPassword, StaticAuthSecret, Host string }{
		"unknown-shared-value", "unknown-turn-value", "unknown-static-value", "turn.example.org"})
	h := &checkhistory.Store{Path: filepath.Join(t.TempDir(), "h.json")}
	must(t, h.Record("network", checkhistory.Entry{Time: testNow.Add(-time.Minute), Verdict: "fail", Code: "auth_failed", Details: det}))
	src.History = h
	r, err := Build(context.Background(), src)
	must(t, err)
	j, err := r.JSON()
	must(t, err)
	html, err := r.HTML(translations.New("de"))
	must(t, err)
	for name, out := range map[string]string{"json": string(j), "html": string(html)} {
		if strings.Contains(out, "unknown-") {
			t.Errorf("%s holds a secret from the check details", name)
		}
		if !strings.Contains(out, "turn.example.org") {
			t.Errorf("%s lost the host", name)
		}
	}
}

// The report window shows Text: verdicts first, every part of the report
// in words (no JSON), nothing of the secrets, IP addresses gone on request.
func TestTextForPeople(t *testing.T) {
	for _, ips := range []bool{false, true} {
		src := testSources(t, 2)
		src.RedactIPs = ips
		r, err := Build(context.Background(), src)
		must(t, err)
		txt, err := r.Text(translations.New("de"))
		must(t, err)
		for _, n := range needles {
			if strings.Contains(txt, n) {
				t.Errorf("ips=%t: the text holds a secret or signed link", ips)
			}
		}
		if strings.Contains(txt, "{") || strings.Contains(txt, `"verdict"`) {
			t.Errorf("ips=%t: JSON in the text:\n%s", ips, txt)
		}
		order := []string{"Ergebnis auf einen Blick", "Problem – Pool", "Programm und System", "Audiogeräte",
			"Jabra Evolve 40 Mono", "Einstellungen und ihre Herkunft", "browser = firefox (von der IT festgelegt, gesperrt)",
			"Pools", "Schul-BBB (Standard): https://bbb.example.org/bigbluebutton/api", "Letzte Fehler"}
		last := -1
		for _, w := range order {
			i := strings.Index(txt, w)
			if i <= last {
				t.Errorf("ips=%t: %q missing or out of order", ips, w)
			}
			last = max(last, i)
		}
		if ips == strings.Contains(txt, "203.0.113.7") {
			t.Errorf("ips=%t: the address is there: %t", ips, !ips)
		}
	}
}
