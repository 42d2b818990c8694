//go:build linux

package main

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tafel-schule/tafel/backend"
	"github.com/tafel-schule/tafel/checkhistory"
	"github.com/tafel-schule/tafel/config"
	"github.com/tafel-schule/tafel/internal/bbbsim"
	"github.com/tafel-schule/tafel/internal/testenv"
	"github.com/tafel-schule/tafel/internal/testpdf"
	"github.com/tafel-schule/tafel/preflight"
	"github.com/tafel-schule/tafel/rooms"
)

const (
	leakPoolSecret = "leak-test-pool-secret-3c9e1"
	leakTURNSecret = "leak-test-turn-secret-5b2e7"
)

var (
	// A TURN REST username: "<expiry unix seconds>:<user>".
	turnUserRE = regexp.MustCompile(`\b1\d{9}:[A-Za-z0-9_.\-]+`)
	// A TURN REST password: base64 of an HMAC-SHA1 (28 characters).
	turnPassRE = regexp.MustCompile(`[A-Za-z0-9+/]{27}=`)
)

// TestGUISecretsNeverLeak runs the teacher's whole loop through the GUI's
// backend (pool setup with a wrong and a right secret, slides, lesson
// start, student links, sheets), the GUI's pre-flight service and `tafel
// check all` (JSON and text) against a simulator that mints real TURN REST
// credentials for a real coturn. Then it greps everything that run left
// behind — every file under HOME and TMPDIR (config, rooms, check history,
// temporary files), the logs, stdout/stderr, errors, Explain sentences,
// warnings and the JSON — for the shared secret, the TURN secret, the
// minted TURN credentials and the signed join links, and checks that
// every file it made is private to the user.
func TestGUISecretsNeverLeak(t *testing.T) {
	testenv.StartPulseHeadset(t)
	api := startPoolWithTURN(t, leakPoolSecret, leakTURNSecret)

	home := testenv.TempHome(t)
	tmp := filepath.Join(home, "tmp")
	if err := os.Mkdir(tmp, 0o700); err != nil {
		t.Fatal(err)
	}
	t.Setenv("TMPDIR", tmp) // the backend's temporary sheets land here

	// Everything logged through slog or the log package.
	logs := &testenv.SyncBuffer{}
	oldLog := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	t.Cleanup(func() { slog.SetDefault(oldLog) })

	var (
		mu     sync.Mutex
		opened []string
		texts  []string // every string the run showed or returned
	)
	say := func(ss ...string) {
		mu.Lock()
		defer mu.Unlock()
		texts = append(texts, ss...)
	}
	mem := &config.MemorySecrets{}
	opener := func(string) rooms.Opener {
		return func(u rooms.JoinURL) error {
			mu.Lock()
			defer mu.Unlock()
			opened = append(opened, u.Reveal())
			texts = append(texts, u.String(), fmt.Sprint(u), fmt.Sprintf("%v %+v %#v %s %q", u, u, u, u, u))
			return nil
		}
	}
	b, err := backend.Open(backend.Options{Secrets: mem, Opener: opener, Lang: "de"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	fail := func(err error) {
		if err != nil {
			say(err.Error(), fmt.Sprintf("%+v %#v", err, err), b.Explain(err))
		}
	}
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			fail(err)
			t.Fatalf("%s: %s", what, b.Explain(err))
		}
	}

	// First run: a wrong secret, an unreachable pool, then the right one.
	s := b.Setup()
	if err := s.AddPool(ctx, "Schul-BBB", api, "wrong-"+leakPoolSecret); err == nil {
		t.Fatal("wrong secret accepted")
	} else {
		fail(err)
	}
	if err := s.AddPool(ctx, "Weg", "http://127.0.0.1:1/bigbluebutton/api", leakPoolSecret); err == nil {
		t.Fatal("unreachable pool accepted")
	} else {
		fail(err)
	}
	must("add pool", s.AddPool(ctx, "Schul-BBB", api, leakPoolSecret))
	if s.NeedsPool() {
		t.Fatal("pool set up but NeedsPool")
	}
	_, err = b.Rooms().Add("Mathe 7b", "")
	must("add room", err)

	// Slides before and during the lesson, the lesson itself.
	l := b.Lessons()
	pdf := func(name string) string {
		p := filepath.Join(home, name)
		if err := os.WriteFile(p, testpdf.Pages(2, name, 0), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	added, err := l.AddSlides(ctx, "Mathe 7b", []string{pdf("vorher.pdf")}, nil)
	must("slides before", err)
	say(added.Warnings...)
	started, err := l.Start(ctx, "Mathe 7b", nil)
	must("start", err)
	say(started.Warnings...)
	added, err = l.AddSlides(ctx, "Mathe 7b", []string{pdf("waehrend.pdf"), filepath.Join(home, "fehlt.pdf")}, nil)
	must("slides while running", err)
	say(added.Warnings...)
	for _, c := range added.Checks {
		say(c.Message)
	}
	if len(added.Uploaded) != 1 {
		t.Fatalf("slides while running: %+v", added)
	}
	fail(func() error { _, err := l.Start(ctx, "Gibt es nicht", nil); return err }())

	// Student links and their sheets (bearer documents: private files).
	list := filepath.Join(home, "klasse.csv")
	raw, err := os.ReadFile(filepath.Join("..", "..", "backend", "testdata", "klasse-9c.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(list, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	cl, err := l.StudentLinks(ctx, "Mathe 7b", list)
	must("student links", err)
	say(cl.Notes...)
	var studentLinks []string
	for _, lk := range cl.Links {
		studentLinks = append(studentLinks, lk.URL.Reveal())
		say(fmt.Sprintf("%v %+v %s", lk, lk, lk.URL))
	}
	if len(studentLinks) == 0 {
		t.Fatal("no student links")
	}
	saved := filepath.Join(home, "blatt.html")
	must("save sheet", l.SaveSheet(cl, saved))
	must("open sheet", l.OpenSheet(cl))
	mu.Lock()
	sheetURL := opened[len(opened)-1]
	mu.Unlock()
	su, err := url.Parse(sheetURL)
	if err != nil || su.Scheme != "file" {
		t.Fatalf("sheet opened as %q", sheetURL)
	}
	tempSheet := su.Path
	if !strings.HasPrefix(tempSheet, tmp+string(filepath.Separator)) {
		t.Fatalf("temporary sheet %s is not in TMPDIR", tempSheet)
	}

	// The GUI's pre-flight, then `tafel check all` in both forms.
	svc := newPreflightService(b, guiConfig{})
	rep := svc.Run(ctx, func(r preflight.Result) { say(r.Message, r.Fix) })
	js, _ := json.Marshal(rep)
	say(string(js), fmt.Sprintf("%+v", rep))
	if rep.Canceled || len(rep.Results) != 4 {
		t.Fatalf("pre-flight: %s", js)
	}
	for _, r := range rep.Results {
		if r.Check == preflight.CheckNetwork && r.Verdict != preflight.Pass && r.Verdict != preflight.Warn {
			t.Fatalf("the network check did not use the TURN credentials: %+v", r)
		}
	}
	say(svc.Last().String())

	savedWorld := world
	t.Cleanup(func() { world = savedWorld })
	world.secrets = func() config.Secrets { return mem }
	world.history = func() *checkhistory.Store { h, _ := checkhistory.Open(); return h }
	for _, args := range [][]string{{"check", "all", "--json"}, {"check", "all"}, {"check", "all", "--json", "--pool", "Weg"}} {
		var out, errb bytes.Buffer
		code := run(ctx, append(args, "--lang", "de"), &out, &errb)
		say(out.String(), errb.String())
		if args[len(args)-1] != "Weg" && code != exitOK && code != exitWarn {
			t.Fatalf("%v: exit %d\n%s", args, code, errb.String())
		}
	}

	// While Tafel runs, the temporary sheet is private; Close removes it.
	checkPrivate(t, tempSheet)
	checkPrivate(t, filepath.Dir(tempSheet))
	checkPrivate(t, saved)
	must("close", b.Close())
	if _, err := os.Stat(filepath.Dir(tempSheet)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Close left the temporary sheet folder: %v", err)
	}

	// What must never show up anywhere.
	needles := map[string]string{"the pool's shared secret": leakPoolSecret, "the TURN secret": leakTURNSecret}
	mu.Lock()
	signed := append(append([]string(nil), opened[:len(opened)-1]...), studentLinks...)
	mu.Unlock()
	if len(signed) < 2 {
		t.Fatalf("only %d signed links", len(signed))
	}
	for i, raw := range signed {
		u, err := url.Parse(raw)
		if err != nil || u.Query().Get("checksum") == "" {
			t.Fatalf("signed link %d has no checksum", i)
		}
		needles[fmt.Sprintf("the checksum of signed link %d", i)] = u.Query().Get("checksum")
		needles[fmt.Sprintf("the query of signed link %d", i)] = u.RawQuery
	}
	needles["a signed link's checksum parameter"] = "checksum="

	// Everything the run produced: files (except the sheet the teacher
	// saved on purpose), logs, texts.
	haystacks := map[string]string{"logs": logs.String()}
	mu.Lock()
	haystacks["shown texts"] = strings.Join(texts, "\n")
	mu.Unlock()
	err = filepath.WalkDir(home, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p != home { // the test's own HOME, made by t.TempDir
			checkPrivate(t, p)
		}
		if d.IsDir() || p == saved {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(home, p)
		haystacks["file "+rel] = string(data)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{".config/tafel/config.json", ".config/tafel/rooms.json", ".cache/tafel/last-checks.json"} {
		if _, ok := haystacks["file "+want]; !ok {
			t.Errorf("the run wrote no %s (files: %v)", want, keys(haystacks))
		}
	}

	// TURN REST credentials: the password of every username that shows up
	// anywhere, and anything that looks like such a password at all.
	for where, h := range haystacks {
		for _, user := range turnUserRE.FindAllString(h, -1) {
			needles["the TURN password of "+user] = turnPassword(leakTURNSecret, user)
		}
		if m := turnPassRE.FindString(h); m != "" {
			t.Errorf("%s holds something that looks like a TURN password", where)
		}
	}
	for where, h := range haystacks {
		for what, n := range needles {
			if strings.Contains(h, n) {
				t.Errorf("%s contains %s", where, what) // never the value itself
			}
		}
	}
}

func turnPassword(secret, username string) string {
	m := hmac.New(sha1.New, []byte(secret))
	m.Write([]byte(username))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// startPoolWithTURN runs the BBB simulator with poolSecret, handing out
// credentials for a real coturn (UDP and TCP) that uses turnSecret, and
// returns the pool's API URL.
func startPoolWithTURN(t *testing.T, poolSecret, turnSecret string) string {
	t.Helper()
	c := testenv.StartCoturn(t, testenv.CoturnOptions{Secret: turnSecret})
	sim, err := bbbsim.New(bbbsim.Config{Secret: poolSecret, TURN: []bbbsim.TURNServer{
		{URL: c.URL("udp"), Secret: c.Secret}, {URL: c.URL("tcp"), Secret: c.Secret}}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sim.Handler())
	t.Cleanup(func() { srv.Close(); sim.Close() })
	return srv.URL + "/bigbluebutton/api"
}

// checkPrivate fails when another user could read p.
func checkPrivate(t *testing.T, p string) {
	t.Helper()
	fi, err := os.Lstat(p)
	if err != nil {
		t.Errorf("%s: %v", filepath.Base(p), err)
		return
	}
	if fi.Mode().Perm()&0o077 != 0 {
		t.Errorf("%s has mode %v: readable by others", p, fi.Mode().Perm())
	}
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
