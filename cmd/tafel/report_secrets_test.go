//go:build linux

package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tafel-schule/tafel/bbbclient"
	"github.com/tafel-schule/tafel/checkhistory"
	"github.com/tafel-schule/tafel/config"
	"github.com/tafel-schule/tafel/internal/logfile"
	"github.com/tafel-schule/tafel/internal/testenv"
)

const (
	reportPoolSecret = "report-test-pool-secret-8d41f"
	reportTURNSecret = "report-test-turn-secret-27c9a"
)

// ipv4RE finds anything shaped like an IPv4 address.
var ipv4RE = regexp.MustCompile(`\b(?:\d{1,3}\.){3}\d{1,3}\b`)

// TestReportNeverLeaks sets up a real pool situation — a simulator with a
// known shared secret that mints TURN REST credentials for a real coturn,
// the secret in a real gnome-keyring, `tafel check all` run once so the
// history holds real network and pool results — then plants a signed
// join link, its checksum, a session token and the minted TURN
// credentials in the log (raw, as a buggy or older Tafel could have
// written them, and through the real logger), in an error and in the
// check history. `tafel report` in all its forms must show none of it.
func TestReportNeverLeaks(t *testing.T) {
	testenv.StartPulseHeadset(t)
	home := testenv.TempHome(t)
	testenv.StartKeyring(t)
	api := startPoolWithTURN(t, reportPoolSecret, reportTURNSecret)

	saved := world
	t.Cleanup(func() { world = saved })
	world.stdin = strings.NewReader(reportPoolSecret + "\n")
	world.stdinIsTerminal = func() bool { return false }
	world.secrets = func() config.Secrets { return config.Keyring{Timeout: 30 * time.Second} }
	world.history = func() *checkhistory.Store { h, _ := checkhistory.Open(); return h }

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	shown := map[string]string{} // everything the commands printed, by command
	cli := func(args ...string) (int, string, string) {
		t.Helper()
		var out, errb bytes.Buffer
		code := run(ctx, append(args, "--lang", "de"), &out, &errb)
		shown[strings.Join(args, " ")] += out.String() + errb.String()
		return code, out.String(), errb.String()
	}

	// The pool, its secret in the real keyring, one real pre-flight.
	if code, _, stderr := cli("pool", "add", "Schul-BBB", "--url", api); code != exitOK {
		t.Fatalf("pool add: exit %d: %s", code, stderr)
	}
	if code, _, stderr := cli("check", "all", "--json"); code != exitOK && code != exitWarn {
		t.Fatalf("check all: exit %d: %s", code, stderr)
	}

	// A signed moderator link, a server-side session with its token, and
	// the TURN credentials minted for it.
	bc, err := bbbclient.New(bbbclient.Options{BaseURL: api, Secret: reportPoolSecret})
	if err != nil {
		t.Fatal(err)
	}
	cr, err := bc.Create(ctx, bbbclient.CreateParams{Name: "Mathe 7b", MeetingID: "report-leak-7b"})
	if err != nil {
		t.Fatal(err)
	}
	modURL, err := bc.JoinURL(bbbclient.JoinParams{MeetingID: cr.MeetingID, FullName: "Frau Müller-Lüdenscheidt",
		Role: bbbclient.RoleModerator, CreateTime: cr.CreateTime})
	if err != nil {
		t.Fatal(err)
	}
	viewer, err := bc.JoinURL(bbbclient.JoinParams{MeetingID: cr.MeetingID, FullName: "Tafel-Probe",
		Role: bbbclient.RoleViewer, CreateTime: cr.CreateTime})
	if err != nil {
		t.Fatal(err)
	}
	sessURL := resign(t, viewer.Reveal(), "redirect=false", reportPoolSecret)
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar, Timeout: 30 * time.Second}
	var join struct {
		SessionToken string `xml:"session_token"`
		AuthToken    string `xml:"auth_token"`
		URL          string `xml:"url"`
	}
	getInto(t, hc, sessURL, func(b []byte) error { return xml.Unmarshal(b, &join) })
	if join.SessionToken == "" || !strings.Contains(join.URL, "sessionToken=") {
		t.Fatalf("the simulator's join gave no session token")
	}
	var stuns struct {
		TurnServers []struct{ Username, Password, URL string } `json:"turnServers"`
	}
	getInto(t, hc, api+"/stuns?sessionToken="+url.QueryEscape(join.SessionToken), func(b []byte) error { return json.Unmarshal(b, &stuns) })
	if len(stuns.TurnServers) == 0 || stuns.TurnServers[0].Password == "" {
		t.Fatal("no TURN credentials minted")
	}
	turn := stuns.TurnServers[0]
	signed := []string{modURL.Reveal(), sessURL, join.URL}

	// Plant them: raw log lines, the real logger, an error, the history.
	logDir, err := logfile.Dir()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(logDir, home) {
		t.Fatalf("log dir %s outside the test's HOME", logDir)
	}
	leakErr := fmt.Errorf("open %s: %w", modURL.Reveal(), io.ErrUnexpectedEOF) // the bug §14 warns about
	var raw bytes.Buffer
	now := time.Now()
	for i, rec := range []map[string]any{
		{"level": "ERROR", "msg": "join failed: " + modURL.Reveal(), "err": leakErr.Error()},
		{"level": "WARN", "msg": "stuns", "session_token": join.SessionToken, "url": join.URL, "auth_token": join.AuthToken},
		{"level": "ERROR", "msg": "turn", "username": turn.Username, "credential": turn.Password, "server": turn.URL,
			"detail": "static-auth-secret=" + reportTURNSecret + " shared " + reportPoolSecret},
		{"level": "ERROR", "msg": "checksum mismatch", "query": modURL.Reveal()[strings.Index(modURL.Reveal(), "?")+1:]},
	} {
		rec["time"] = now.Add(time.Duration(i-10) * time.Minute).Format(time.RFC3339Nano)
		b, _ := json.Marshal(rec)
		raw.Write(append(b, '\n'))
	}
	if err := os.MkdirAll(logDir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(logDir, logfile.FileName+".1"), raw.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	w, _ := logfile.Open(logDir, logfile.Options{})
	logfile.NewLogger(w).Error("lesson start failed", "err", leakErr, "link", modURL.Reveal(), "token", join.SessionToken)
	_ = w.Close()
	h, _ := checkhistory.Open()
	det, _ := json.Marshal(map[string]string{"error": leakErr.Error(), "session": join.URL, "ice": turn.Username + " " + turn.Password})
	if err := h.Record("slides", checkhistory.Entry{Time: now, Verdict: "fail", Code: "upload_failed", Details: det}); err != nil {
		t.Fatal(err)
	}

	// The reports, in every form.
	outputs := map[string]string{}
	for i, args := range [][]string{
		{"report", "--out", filepath.Join(home, "r1")},
		{"report", "--json"},
		{"report", "--out", filepath.Join(home, "r2"), "--redact-ips"},
		{"report", "--json", "--redact-ips"},
	} {
		code, stdout, stderr := cli(args...)
		if code != exitOK {
			t.Fatalf("%v: exit %d: %s", args, code, stderr)
		}
		ips := slicesContains(args, "--redact-ips")
		key := func(s string) string { return fmt.Sprintf("%d %s ips=%t", i, s, ips) }
		outputs[key("stdout")], outputs[key("stderr")] = stdout, stderr
		if !slicesContains(args, "--json") {
			paths := strings.Fields(stdout)
			if len(paths) != 2 || !strings.HasSuffix(paths[0], ".html") || !strings.HasSuffix(paths[1], ".json") {
				t.Fatalf("%v printed %q", args, stdout)
			}
			for _, p := range paths {
				b, err := os.ReadFile(p)
				if err != nil {
					t.Fatal(err)
				}
				checkPrivate(t, p)
				outputs[key(filepath.Ext(p))] = string(b)
				if filepath.Ext(p) == ".html" {
					testenv.CheckSelfContainedHTML(t, b, "de")
				}
			}
			if !strings.Contains(stderr, "bevor Sie ihn weitergeben") {
				t.Errorf("no advice to look first: %q", stderr)
			}
		}
	}

	// What must never show up.
	needles := map[string]string{
		"the pool's shared secret": reportPoolSecret, "the TURN secret": reportTURNSecret,
		"the minted TURN username": turn.Username, "the minted TURN password": turn.Password,
		"the session token": join.SessionToken, "the auth token": join.AuthToken,
		"a checksum parameter": "checksum=", "a session token parameter": "sessionToken=",
		"the teacher's name": "Lüdenscheidt",
	}
	for i, s := range signed {
		u, err := url.Parse(s)
		if err != nil {
			t.Fatal(err)
		}
		needles[fmt.Sprintf("the query of signed link %d", i)] = u.RawQuery
		if sum := u.Query().Get("checksum"); sum != "" {
			needles[fmt.Sprintf("the checksum of signed link %d", i)] = sum
		}
	}
	// The grep can fail: every needle is found in what was planted.
	planted := raw.String() + string(det) + strings.Join(signed, " ")
	for what, n := range needles {
		if what != "the teacher's name" && !strings.Contains(planted, n) {
			t.Fatalf("the planted leak lacks %s: the test would prove nothing", what)
		}
	}
	for where, out := range outputs {
		for _, user := range turnUserRE.FindAllString(out, -1) {
			needles["the TURN password of "+user] = turnPassword(reportTURNSecret, user)
		}
		if turnPassRE.MatchString(out) {
			t.Errorf("%s holds something shaped like a TURN password", where)
		}
	}
	for where, out := range outputs {
		for what, n := range needles {
			if n != "" && strings.Contains(out, n) {
				t.Errorf("%s contains %s", where, what) // never the value
			}
		}
		if strings.HasSuffix(where, "ips=true") && ipv4RE.MatchString(out) {
			t.Errorf("%s still holds an IP address (%s)", where, ipv4RE.FindString(out))
		}
	}
	// The log file the real logger wrote (not the raw lines planted in
	// tafel.log.1) holds none of it either: a secret-named attribute with
	// a bare token used to pass through.
	logged, err := os.ReadFile(filepath.Join(logDir, logfile.FileName))
	if err != nil {
		t.Fatal(err)
	}
	for what, n := range needles {
		if n != "" && strings.Contains(string(logged), n) {
			t.Errorf("the log file contains %s", what)
		}
	}
	for cmd, s := range shown {
		if strings.Contains(s, reportPoolSecret) || strings.Contains(s, "checksum=") {
			t.Errorf("`tafel %s` printed the secret or a signed link", cmd)
		}
	}

	// And the report is worth reading: real verdicts, the pool's keyring
	// state, the planted errors (redacted), no notes about missing parts.
	var rep struct {
		Summary struct {
			Checks []struct{ Check, Verdict string } `json:"checks"`
			Pools  []struct {
				Name      string `json:"name"`
				InKeyring bool   `json:"in_keyring"`
			} `json:"pools"`
		} `json:"summary"`
		LogErrors []json.RawMessage       `json:"log_errors"`
		Notes     []string                `json:"notes"`
		Checks    []struct{ Kind string } `json:"checks"`
	}
	if err := json.Unmarshal([]byte(outputs["1 stdout ips=false"]), &rep); err != nil {
		t.Fatalf("report --json: %v", err)
	}
	for _, l := range rep.Summary.Checks {
		if (l.Check == "network" || l.Check == "pool") && l.Verdict != "pass" && l.Verdict != "warn" {
			t.Errorf("%s: %s, want the real check's pass", l.Check, l.Verdict)
		}
	}
	if len(rep.Summary.Pools) != 1 || !rep.Summary.Pools[0].InKeyring {
		t.Errorf("pools: %+v", rep.Summary.Pools)
	}
	if len(rep.LogErrors) < 4 || len(rep.Checks) < 4 {
		t.Errorf("%d log records, %d history entries", len(rep.LogErrors), len(rep.Checks))
	}
	if !strings.Contains(outputs["0 .html ips=false"], "127.0.0.1") || !strings.Contains(outputs["2 .html ips=true"], "[ip:loopback]") {
		t.Error("the pool address is missing, or not replaced by its kind with --redact-ips")
	}
}

// resign adds extra to a signed join URL's query and signs it again
// (bbbclient itself never sends redirect=false in a URL).
func resign(t *testing.T, signed, extra, secret string) string {
	t.Helper()
	u, err := url.Parse(signed)
	if err != nil {
		t.Fatal(err)
	}
	q := u.RawQuery[:strings.LastIndex(u.RawQuery, "&checksum=")] + "&" + extra
	sum := sha256.Sum256([]byte("join" + q + secret))
	u.RawQuery = q + "&checksum=" + hex.EncodeToString(sum[:])
	return u.String()
}

func getInto(t *testing.T, hc *http.Client, u string, decode func([]byte) error) {
	t.Helper()
	resp, err := hc.Get(u)
	if err != nil {
		t.Fatal(errors.Unwrap(err)) // never the URL
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if err := decode(b); err != nil {
		t.Fatalf("decode: %v", err)
	}
}

func slicesContains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
