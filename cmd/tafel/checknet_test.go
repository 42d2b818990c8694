package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tafel-schule/tafel/checkhistory"
	"github.com/tafel-schule/tafel/internal/bbbsim"
	"github.com/tafel-schule/tafel/internal/testenv"
	"github.com/tafel-schule/tafel/netcheck"
	"github.com/tafel-schule/tafel/translations"
)

func runNet(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), append([]string{"check", "network"}, args...), &out, &errb)
	return code, out.String(), errb.String()
}

func TestCheckNetworkUsage(t *testing.T) {
	testenv.TempHome(t)
	t.Setenv("TAFEL_TURN_SECRET", "")
	t.Setenv("TAFEL_BBB_SECRET", "")
	t.Setenv("TAFEL_TURN_CREDENTIAL", "")
	cases := [][]string{
		{}, // no source and no pool set up
		{"--turn-url", "turn:h:3478", "--ice-server", "turn:h:3478"}, // two sources
		{"--turn-url", "turn:h:3478"},                                // no secret
		{"--ice-server", "turn:h:3478"},                              // no credentials
		{"--turn-url", "http://h", "--turn-secret", "s"},
		{"--turn-url", "turn:[1]5349", "--turn-secret", "s"},  // would hang pion's parser
		{"--bbb-url", "http://127.0.0.1:1/bigbluebutton/api"}, // no secret
		{"--pool", "Schule"},                                  // no such pool
		{"--turn-url", "turn:h:3478", "--turn-secret", "s", "--timeout", "0s"},
		{"--turn-url", "turn:h:3478", "--turn-secret", "s", "--ca-file", "/nonexistent.pem"},
		{"--turn-url", "turn:h:3478", "--turn-secret", "s", "extra"},
		{"--no-such-flag"},
	}
	for _, args := range cases {
		code, out, errs := runNet(t, args...)
		if code != exitUsage || out != "" || errs == "" {
			t.Errorf("%q: exit %d, stdout %q, stderr %q", args, code, out, errs)
		}
	}
	if code, _, errs := runNet(t, "--lang", "de", "--turn-url", "turn:h:3478", "--bbb-url", "http://h"); code != exitUsage || !strings.Contains(errs, "höchstens eine Quelle") {
		t.Errorf("German usage: %d %q", code, errs)
	}
	if _, ok := checkCommands["network"]; !ok {
		t.Error("not registered")
	}
}

func writeCA(t *testing.T, c *testenv.Coturn) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(p, c.CA.PEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// The whole CLI against a real coturn: JSON with the fields the issue
// names, exit code, the check history, no secret anywhere.
func TestCheckNetworkAgainstCoturn(t *testing.T) {
	testenv.TempHome(t)
	c := testenv.StartCoturn(t, testenv.CoturnOptions{TLS: true})
	ca := writeCA(t, c)
	code, out, errs := runNet(t, "--turn-url", c.URL("udp"), "--turn-url", c.URL("tcp")+","+c.URL("tls"),
		"--turn-secret", c.Secret, "--ca-file", ca, "--json")
	if code != exitOK && code != exitWarn {
		t.Fatalf("exit %d\n%s\n%s", code, out, errs)
	}
	var raw map[string]any
	if err := json.Unmarshal([]byte(out), &raw); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	for _, k := range []string{"verdict", "duration_ms", "transports", "message"} {
		if _, ok := raw[k]; !ok {
			t.Errorf("JSON lacks %q", k)
		}
	}
	ts, _ := raw["transports"].([]any)
	if len(ts) != 3 {
		t.Fatalf("transports: %v", raw["transports"])
	}
	for _, tr := range ts {
		m := tr.(map[string]any)
		for _, k := range []string{"url", "transport", "relay", "category", "rtt_ms", "jitter_ms", "loss_pct", "goodput_kbps", "mos", "error"} {
			if _, ok := m[k]; !ok {
				t.Errorf("transport JSON lacks %q: %v", k, m)
			}
		}
		if m["relay"] != true {
			t.Errorf("no relay: %v", m)
		}
	}
	if strings.Contains(out, c.Secret) || strings.Contains(errs, c.Secret) {
		t.Error("output contains the TURN secret")
	}
	store, err := checkhistory.Open()
	if err != nil {
		t.Fatal(err)
	}
	e, ok := store.Last(checkhistory.Network)
	if !ok || (e.Verdict != "pass" && e.Verdict != "warn") || len(e.Details) == 0 || strings.Contains(string(e.Details), c.Secret) {
		t.Fatalf("history entry %+v", e)
	}

	// Wrong secret: failure, exit 2, a German sentence for the teacher.
	code, out, _ = runNet(t, "--lang", "de", "--turn-url", c.URL("udp"), "--turn-secret", "wrong", "--timeout", "3s")
	if code != exitFail || !strings.Contains(out, "Zugangsdaten abgelehnt") || !strings.Contains(out, "Nicht bestanden") {
		t.Fatalf("wrong secret: exit %d\n%s", code, out)
	}
	if e, _ := store.Last(checkhistory.Network); e.Code != "auth_failed" || e.Verdict != "fail" {
		t.Errorf("history after failure: %+v", e)
	}
}

// --bbb-url: the IT helper's path to the pool's own TURN servers (join with
// redirect=false, then stuns), secret from the environment or stdin.
func TestCheckNetworkBBBURL(t *testing.T) {
	testenv.TempHome(t)
	c := testenv.StartCoturn(t, testenv.CoturnOptions{})
	sim, err := bbbsim.New(bbbsim.Config{Secret: "pool-secret", TURN: []bbbsim.TURNServer{{URL: c.URL("udp"), Secret: c.Secret}}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sim.Handler())
	t.Cleanup(func() { srv.Close(); sim.Close() })
	t.Setenv("TAFEL_BBB_SECRET", "pool-secret")
	code, out, errs := runNet(t, "--bbb-url", srv.URL+"/bigbluebutton/api", "--json")
	if code != exitOK && code != exitWarn {
		t.Fatalf("exit %d\n%s\n%s", code, out, errs)
	}
	var rep netcheck.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Source != "bbb" || len(rep.Transports) != 1 || !rep.Transports[0].Relay || rep.API == nil || !rep.API.OK {
		t.Fatalf("report %+v", rep)
	}
	if strings.Contains(out, "pool-secret") {
		t.Error("shared secret in the output")
	}
	// Secret on stdin, human-readable output.
	t.Setenv("TAFEL_BBB_SECRET", "")
	netStdin = strings.NewReader("pool-secret\n")
	t.Cleanup(func() { netStdin = os.Stdin })
	code, out, _ = runNet(t, "--lang", "en", "--bbb-url", srv.URL+"/bigbluebutton/api", "--secret-stdin")
	if (code != exitOK && code != exitWarn) || !strings.Contains(out, "UDP") || !strings.Contains(out, "BBB API") {
		t.Fatalf("stdin secret: exit %d\n%s", code, out)
	}
}

// Every category the check can produce has a sentence and a short reason
// in both languages.
func TestNetCategoriesTranslated(t *testing.T) {
	cats := []netcheck.Category{netcheck.CatOK, netcheck.CatUDPBlocked, netcheck.CatTCPBlocked, netcheck.CatRefused,
		netcheck.CatAuthFailed, netcheck.CatAuthExpired, netcheck.CatTLSUntrusted, netcheck.CatTLSFailed, netcheck.CatDNSFailed,
		netcheck.CatTimeout, netcheck.CatLoopBlocked, netcheck.CatHighLatency, netcheck.CatHighJitter, netcheck.CatPacketLoss,
		netcheck.CatLowBandwidth, netcheck.CatPoorQuality, netcheck.CatCanceled, netcheck.CatError}
	overall := append(append([]netcheck.Category{}, cats...), netcheck.CatOnlyTLS, netcheck.CatAllBlocked,
		netcheck.CatNoTURNServers, netcheck.CatSourceFailed, netcheck.CatAPIUnreachable)
	for _, lang := range []string{"de", "en"} {
		tr := translations.New(lang)
		for _, c := range overall {
			if k := netcheck.MessageKeyFor(c); tr.T(k) == k {
				t.Errorf("%s: missing %s", lang, k)
			}
		}
		for _, c := range cats {
			if k := netcheck.TransportKeyFor(c); tr.T(k) == k {
				t.Errorf("%s: missing %s", lang, k)
			}
		}
	}
}

// Without a source, the check uses the pool set up with "tafel pool add"
// (secret from the keyring), through the rooms.Pool interface.
func TestCheckNetworkDefaultPool(t *testing.T) {
	le := newLessonEnv(t)
	c := testenv.StartCoturn(t, testenv.CoturnOptions{})
	sim, err := bbbsim.New(bbbsim.Config{Secret: cliSecret, TURN: []bbbsim.TURNServer{{URL: c.URL("udp"), Secret: c.Secret}}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sim.Handler())
	t.Cleanup(func() { srv.Close(); sim.Close() })
	if code, _, errs := le.run(cliSecret+"\n", "pool", "add", "Schule", "--url", srv.URL+"/bigbluebutton/api"); code != exitOK {
		t.Fatalf("pool add: %s", errs)
	}
	code, out, errs := le.run("", "check", "network", "--json")
	if code != exitOK && code != exitWarn {
		t.Fatalf("exit %d\n%s\n%s", code, out, errs)
	}
	var rep netcheck.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Transports) != 1 || !rep.Transports[0].Relay || rep.API == nil || !rep.API.OK {
		t.Fatalf("report %+v", rep)
	}
	if strings.Contains(out+errs, cliSecret) {
		t.Error("shared secret in the output")
	}
	if code, _, _ := le.run("", "check", "network", "--pool", "Unbekannt"); code != exitUsage {
		t.Fatalf("unknown pool: exit %d", code)
	}
}
