package main

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/tafel-schule/tafel/bbbclient"
	"github.com/tafel-schule/tafel/checkhistory"
	"github.com/tafel-schule/tafel/netcheck"
	"github.com/tafel-schule/tafel/rooms"
)

func init() { checkCommands["network"] = runCheckNetwork }

// netPoolSource resolves `--pool NAME` to the pool's TURN servers (through
// the rooms.Pool interface, so a future broker pool works too) and prints
// its own error messages (returning an exit code other than exitOK). A
// variable so tests can replace it.
var netPoolSource = func(ctx context.Context, e env, name string) (netcheck.Source, int) {
	u, _, code := loadUser(e)
	if u == nil {
		return nil, code
	}
	p, _, code := openPool(ctx, e, u, name)
	if p == nil {
		return nil, code
	}
	return netcheck.FromPool(directPoolProbe{p}), exitOK
}

// directPoolProbe adds the API reachability check for a direct pool.
type directPoolProbe struct{ *rooms.DirectPool }

func (d directPoolProbe) APITarget() *netcheck.APITarget {
	return &netcheck.APITarget{URL: d.BaseURL(), Version: d.APIVersion}
}

// netStdin is where --secret-stdin reads from (a variable for tests).
var netStdin io.Reader = os.Stdin

// runCheckNetwork is `tafel check network`: the network pre-flight against
// the pool's own TURN servers. Exit 0 pass, 1 warn, 2 fail, 3 usage.
func runCheckNetwork(ctx context.Context, e env) int {
	fs := flag.NewFlagSet("tafel check network", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	pool := fs.String("pool", "", "pool whose TURN servers to test")
	bbbURL := fs.String("bbb-url", "", "BBB API URL of a pool node (shared secret from TAFEL_BBB_SECRET or --secret-stdin)")
	meeting := fs.String("meeting", "", "with --bbb-url: the room (meeting ID) about to start; default: a short-lived check meeting")
	secretStdin := fs.Bool("secret-stdin", false, "read the BBB shared secret from the first line of stdin")
	var iceURLs, turnURLs stringList
	fs.Var(&iceURLs, "ice-server", "TURN URL to test with --username/--credential (repeatable)")
	username := fs.String("username", "", "TURN username for --ice-server")
	// Secrets from the environment are read after parsing: a flag default
	// would be printed by the flag package's usage text.
	credential := fs.String("credential", "", "TURN credential for --ice-server (or TAFEL_TURN_CREDENTIAL)")
	fs.Var(&turnURLs, "turn-url", "TURN URL to test with credentials minted from --turn-secret (repeatable)")
	turnSecret := fs.String("turn-secret", "", "TURN static auth secret (or TAFEL_TURN_SECRET)")
	timeout := fs.Duration("timeout", 5*time.Second, "deadline for the whole check")
	caFile := fs.String("ca-file", "", "PEM file with extra trusted CA certificates (e.g. a test CA)")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	if err := fs.Parse(e.args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if *credential == "" {
		*credential = os.Getenv("TAFEL_TURN_CREDENTIAL")
	}
	if *turnSecret == "" {
		*turnSecret = os.Getenv("TAFEL_TURN_SECRET")
	}
	usage := func(key string, data ...map[string]any) int {
		fmt.Fprintln(e.stderr, e.tr.T(key, data...))
		fmt.Fprintln(e.stderr, e.tr.T("cli.net_usage"))
		return exitUsage
	}
	if fs.NArg() > 0 {
		return usage("cli.net_unexpected_args", map[string]any{"Args": strings.Join(fs.Args(), " ")})
	}
	modes := 0
	for _, set := range []bool{*pool != "", *bbbURL != "", len(iceURLs) > 0, len(turnURLs) > 0} {
		if set {
			modes++
		}
	}
	if modes > 1 {
		return usage("cli.net_one_source")
	}
	if *timeout < time.Second || *timeout > 2*time.Minute {
		return usage("cli.net_bad_timeout")
	}
	for _, u := range append(append([]string{}, iceURLs...), turnURLs...) {
		if err := netcheck.ValidateURL(u); err != nil {
			return usage("cli.net_bad_url", map[string]any{"URL": u})
		}
	}
	opt := netcheck.Options{Timeout: *timeout}
	if *caFile != "" {
		pem, err := os.ReadFile(*caFile)
		pool := x509.NewCertPool()
		if sys, serr := x509.SystemCertPool(); serr == nil {
			pool = sys
		}
		if err != nil || !pool.AppendCertsFromPEM(pem) {
			return usage("cli.net_bad_ca_file", map[string]any{"File": *caFile})
		}
		opt.RootCAs = pool
	}

	var src netcheck.Source
	switch {
	case modes == 0 || *pool != "":
		// No source given: the pool set up with "tafel pool add".
		s, code := netPoolSource(ctx, e, *pool)
		if code != exitOK {
			return code
		}
		src = s
	case *bbbURL != "":
		secret := os.Getenv("TAFEL_BBB_SECRET")
		if *secretStdin {
			line, err := bufio.NewReader(netStdin).ReadString('\n')
			if err != nil && line == "" {
				return usage("cli.net_need_bbb_secret")
			}
			secret = strings.TrimSpace(line)
		}
		if secret == "" {
			return usage("cli.net_need_bbb_secret")
		}
		hc := netHTTPClient(opt.RootCAs)
		c, err := bbbclient.New(bbbclient.Options{BaseURL: *bbbURL, Secret: secret, HTTPClient: hc})
		if err != nil {
			return usage("cli.net_bad_bbb_url", map[string]any{"URL": *bbbURL})
		}
		src = netcheck.NewBBBSource(c, *meeting)
	case len(iceURLs) > 0:
		if *username == "" || *credential == "" {
			return usage("cli.net_need_credentials")
		}
		src = netcheck.NewStaticSource(iceURLs, *username, *credential)
	default:
		if *turnSecret == "" {
			return usage("cli.net_need_turn_secret")
		}
		src = netcheck.NewTURNRESTSource(turnURLs, *turnSecret)
	}

	rep, err := netcheck.Run(ctx, src, opt)
	if err != nil && rep == nil {
		// Only configuration errors end here (netcheck.Run's contract);
		// their text names the URL but never a credential.
		if errors.Is(err, netcheck.ErrNoCredentials) {
			return usage("cli.net_need_credentials")
		}
		return usage("cli.net_config_error", map[string]any{"Detail": err.Error()})
	}
	if err != nil {
		// A server handed out an unusable URL: a configuration problem,
		// reported like any other outcome.
		fmt.Fprintln(e.stderr, e.tr.T("cli.net_bad_server_url"))
	}
	rep.Message = e.tr.T(rep.MessageKey)
	details, _ := json.Marshal(rep)
	if store, serr := checkhistory.Open(); serr == nil {
		_ = store.Record(checkhistory.Network, checkhistory.Entry{Time: time.Now(), Verdict: string(rep.Verdict),
			Code: string(rep.Category), Details: details})
	}
	if *asJSON {
		b, _ := json.MarshalIndent(rep, "", "  ")
		fmt.Fprintln(e.stdout, string(b))
	} else {
		printNetReport(e, rep)
	}
	switch rep.Verdict {
	case netcheck.Pass:
		return exitOK
	case netcheck.Warn:
		return exitWarn
	}
	return exitFail
}

func printNetReport(e env, rep *netcheck.Report) {
	fmt.Fprintf(e.stdout, "%s: %s\n", e.tr.T("net.word."+string(rep.Verdict)), rep.Message)
	for _, t := range rep.Transports {
		mark := "✗"
		switch {
		case t.Verdict == netcheck.Pass:
			mark = "✓"
		case t.Verdict == netcheck.Warn:
			mark = "!"
		}
		line := fmt.Sprintf("  %s %-4s %s — %s", mark, strings.ToUpper(t.Transport), t.URL, e.tr.T(netcheck.TransportKeyFor(t.Category)))
		if t.Loop {
			line += " (" + e.tr.T("net.metrics", map[string]any{"RTT": e.tr.Decimal(t.RTTMs, 1), "Jitter": e.tr.Decimal(t.JitterMs, 1),
				"Loss": e.tr.Decimal(t.LossPct, 1), "Goodput": e.tr.Decimal(t.GoodputKbps, 0), "MOS": e.tr.Decimal(t.MOS, 1)}) + ")"
		}
		fmt.Fprintln(e.stdout, line)
		if t.Error != "" {
			fmt.Fprintf(e.stdout, "      %s\n", t.Error)
		}
	}
	if a := rep.API; a != nil {
		if a.OK {
			fmt.Fprintln(e.stdout, "  "+e.tr.T("net.api_ok", map[string]any{"URL": a.URL, "Version": a.Version,
				"Latency": e.tr.Decimal(a.LatencyMs, 0), "Issuer": a.TLSIssuer}))
		} else {
			fmt.Fprintln(e.stdout, "  "+e.tr.T("net.api_failed", map[string]any{"URL": a.URL, "Error": a.Error}))
		}
	}
	if rep.Error != "" {
		fmt.Fprintf(e.stdout, "  %s\n", rep.Error)
	}
	fmt.Fprintln(e.stdout, e.tr.T("net.duration", map[string]any{"Ms": rep.DurationMs}))
}

// netHTTPClient trusts roots (nil: the system's) for the BBB API calls.
func netHTTPClient(roots *x509.CertPool) *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	if roots != nil {
		tr.TLSClientConfig = &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}
	}
	return &http.Client{Transport: tr, Timeout: 10 * time.Second}
}
