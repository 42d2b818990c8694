package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/tafel-schule/tafel/internal/bbbsim"
)

// stringList is a repeatable flag (--turn-url a --turn-url b, or a,b).
type stringList []string

func (l *stringList) String() string { return strings.Join(*l, ",") }
func (l *stringList) Set(v string) error {
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			*l = append(*l, s)
		}
	}
	return nil
}

// runSim serves the BBB simulator until interrupted: `tafel sim`.
func runSim(ctx context.Context, e env) int {
	fs := flag.NewFlagSet("tafel sim", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	listen := fs.String("listen", "127.0.0.1:8090", "address to serve the BBB API on (port 0 picks a free one)")
	// Secrets from the environment are read after parsing: a flag default
	// would be printed by the flag package's usage text.
	secret := fs.String("secret", "", "shared secret (or TAFEL_SIM_SECRET)")
	flavor := fs.String("flavor", "bbb", "server to impersonate: bbb (3.x), bbb24 (2.4) or scalelite")
	algs := fs.String("algorithms", "", "accepted checksum algorithms, e.g. sha1,sha256,sha512 (default: as the flavor)")
	var turnURLs, stunURLs stringList
	fs.Var(&turnURLs, "turn-url", "TURN server URL returned by stuns (repeatable)")
	fs.Var(&stunURLs, "stun-url", "STUN server URL returned by stuns (repeatable)")
	turnSecret := fs.String("turn-secret", "", "TURN static auth secret for --turn-url credentials (or TAFEL_SIM_TURN_SECRET)")
	turnTTL := fs.Duration("turn-ttl", 24*time.Hour, "lifetime of minted TURN credentials")
	maxBody := fs.Int64("max-body", 2<<20, "largest accepted POST body in bytes (BBB's inline upload limit)")
	publicURL := fs.String("public-url", "", "externally visible base URL, if not the listen address")
	nodeListen := fs.String("node-listen", "127.0.0.1:0", "with --flavor scalelite: address of the BBB node behind it")
	noSession := fs.Bool("allow-requests-without-session", false, "accept stuns without the session cookie")
	verbose := fs.Bool("v", false, "log each request (never query strings or secrets) to stderr")
	if err := fs.Parse(e.args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if *secret == "" {
		*secret = os.Getenv("TAFEL_SIM_SECRET")
	}
	if *turnSecret == "" {
		*turnSecret = os.Getenv("TAFEL_SIM_TURN_SECRET")
	}
	if *secret == "" {
		fmt.Fprintln(e.stderr, e.tr.T("sim.need_secret"))
		return exitUsage
	}
	if len(turnURLs) > 0 && *turnSecret == "" {
		fmt.Fprintln(e.stderr, e.tr.T("sim.need_turn_secret"))
		return exitUsage
	}
	if *maxBody <= 0 {
		fmt.Fprintln(e.stderr, e.tr.T("sim.bad_max_body"))
		return exitUsage
	}
	cfg := bbbsim.Config{
		Secret:                      *secret,
		MaxInlineBody:               *maxBody,
		STUN:                        stunURLs,
		PublicURL:                   strings.TrimRight(*publicURL, "/"),
		AllowRequestsWithoutSession: *noSession,
	}
	switch *flavor {
	case "bbb":
		cfg.Flavor = bbbsim.FlavorBBB
	case "bbb24":
		cfg.Flavor = bbbsim.FlavorBBB24
	case "scalelite":
		cfg.Flavor = bbbsim.FlavorScalelite
	default:
		fmt.Fprintln(e.stderr, e.tr.T("sim.bad_flavor", map[string]any{"Flavor": *flavor}))
		return exitUsage
	}
	if *algs != "" {
		cfg.Algorithms = strings.Split(*algs, ",")
	}
	for _, u := range turnURLs {
		cfg.TURN = append(cfg.TURN, bbbsim.TURNServer{URL: u, Secret: *turnSecret, TTL: *turnTTL})
	}
	if *verbose {
		cfg.Logger = slog.New(slog.NewTextHandler(e.stderr, nil))
	}
	sim, err := bbbsim.New(cfg)
	if err != nil {
		fmt.Fprintln(e.stderr, e.tr.T("sim.bad_config", map[string]any{"Error": err}))
		return exitUsage
	}
	defer sim.Close()

	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		fmt.Fprintln(e.stderr, e.tr.T("sim.listen_failed", map[string]any{"Addr": *listen, "Error": err}))
		return exitFail
	}
	servers := []*http.Server{newHTTPServer(sim.Handler())}
	listeners := []net.Listener{ln}
	if cfg.Flavor == bbbsim.FlavorScalelite {
		nodeLn, err := net.Listen("tcp", *nodeListen)
		if err != nil {
			ln.Close()
			fmt.Fprintln(e.stderr, e.tr.T("sim.listen_failed", map[string]any{"Addr": *nodeListen, "Error": err}))
			return exitFail
		}
		sim.SetNodeURL("http://" + nodeLn.Addr().String())
		servers = append(servers, newHTTPServer(sim.NodeHandler()))
		listeners = append(listeners, nodeLn)
	}
	errc := make(chan error, len(servers))
	for i, srv := range servers {
		go func() { errc <- srv.Serve(listeners[i]) }()
	}
	base := cfg.PublicURL
	if base == "" {
		base = "http://" + ln.Addr().String()
	}
	fmt.Fprintln(e.stdout, base+"/bigbluebutton/api")
	fmt.Fprintln(e.stderr, e.tr.T("sim.listening", map[string]any{"URL": base + "/bigbluebutton/api"}))
	if cfg.Flavor == bbbsim.FlavorScalelite {
		fmt.Fprintln(e.stderr, e.tr.T("sim.node_url", map[string]any{"URL": "http://" + listeners[1].Addr().String() + "/bigbluebutton/api"}))
	}
	fmt.Fprintln(e.stderr, e.tr.T("sim.stop_hint"))

	code := exitOK
	select {
	case <-ctx.Done():
	case err := <-errc:
		fmt.Fprintln(e.stderr, err)
		code = exitFail
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, srv := range servers {
		_ = srv.Shutdown(shutdownCtx)
	}
	fmt.Fprintln(e.stderr, e.tr.T("sim.stopped"))
	return code
}

func newHTTPServer(h http.Handler) *http.Server {
	return &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
}
