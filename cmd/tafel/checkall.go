package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/tafel-schule/tafel/audio"
	"github.com/tafel-schule/tafel/config"
	"github.com/tafel-schule/tafel/netcheck"
	"github.com/tafel-schule/tafel/preflight"
	"github.com/tafel-schule/tafel/rooms"
)

func init() { checkCommands["all"] = runCheckAll }

// runCheckAll is `tafel check all [--json] [--pool NAME] [--timeout D]`:
// the whole pre-flight (audio, network, pool) at once under one deadline,
// as the GUI runs it. Exit 0 pass, 1 warning (or nothing could be
// checked), 2 failure, 3 usage or configuration error.
func runCheckAll(ctx context.Context, e env) int {
	fs := flag.NewFlagSet("tafel check all", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() { fmt.Fprintln(e.stderr, e.tr.T("preflight.cli.usage")) }
	asJSON := fs.Bool("json", false, "print the report as JSON")
	pool := fs.String("pool", "", "pool to check (default: the default pool)")
	timeout := fs.Duration("timeout", preflight.DefaultTimeout, "deadline of the checks (the sound device start gets its own allowance)")
	backend := fs.String("backend", "", "sound system: pulseaudio, alsa, null (default: the OS's)")
	capID := fs.String("capture-device", "", "microphone ID (see `tafel audio devices`)")
	playID := fs.String("playback-device", "", "speaker/headphone ID")
	if err := fs.Parse(e.args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintln(e.stderr, e.tr.T("preflight.cli.bad_args", map[string]any{"Detail": strings.Join(fs.Args(), " ")}))
		fmt.Fprintln(e.stderr, e.tr.T("preflight.cli.usage"))
		return exitUsage
	}
	if *timeout < time.Second || *timeout > 2*time.Minute {
		fmt.Fprintln(e.stderr, e.tr.T("preflight.cli.bad_timeout"))
		return exitUsage
	}

	r := &preflight.Runner{AudioBackend: audio.Backend(*backend), CaptureID: *capID, PlaybackID: *playID,
		History: world.history(), Tr: e.tr, Timeout: *timeout}
	code, ok := checkAllPool(ctx, e, r, *pool)
	if !ok {
		return code
	}
	if !*asJSON {
		fmt.Fprintln(e.stderr, e.tr.T("preflight.cli.running"))
	}
	rep := r.Run(ctx, nil)
	if *asJSON {
		printJSON(e, rep)
	} else {
		printPreflight(e, rep)
	}
	return worst(code, checkAllExit(rep))
}

// checkAllPool opens the pool for r. No pool set up is not an error (the
// network and pool rows are skipped); a pool that cannot be opened (secret
// missing, keyring locked) shows in the pool row. A wrong --pool or a
// broken pool entry is a usage error, as in `tafel check network`. ok
// false: a message was printed and code is the exit code; otherwise code
// is an exit code to merge (a damaged settings file, a missing secret).
func checkAllPool(ctx context.Context, e env, r *preflight.Runner, name string) (code int, ok bool) {
	u, _, code := loadUser(e)
	if u == nil {
		return code, false
	}
	pc, err := u.ResolvePool(name)
	if err != nil {
		if name == "" && config.Code(err) == config.CodeNoPool {
			return code, true
		}
		return reportPoolError(e, err, name), false
	}
	r.PoolName = pc.Name
	p, err := rooms.OpenDirectPool(ctx, pc, world.secrets(), rooms.DirectOptions{HTTPClient: world.httpClient})
	if err != nil {
		r.PoolErr = err
		switch config.Code(err) {
		case config.CodeSecretNotFound, config.CodeSecretInvalid, config.CodeInvalidPool:
			code = worst(code, exitUsage) // configuration, as the other commands report it
		}
		return code, true
	}
	r.Pool = p // only a non-nil pool: a typed nil would not read as "no pool"
	r.Network = netcheck.FromPool(directPoolProbe{p})
	return code, true
}

func checkAllExit(rep *preflight.Report) int {
	switch {
	case rep.Canceled:
		return exitFail
	case rep.Verdict == preflight.Pass:
		return exitOK
	case rep.Verdict == preflight.Fail:
		return exitFail
	}
	return exitWarn // a warning, or nothing could be checked at all
}

// printPreflight prints one line per check: light, name, sentence, and
// what to do; the network's transports below it.
func printPreflight(e env, rep *preflight.Report) {
	marks := map[preflight.Verdict]string{preflight.Pass: "✓", preflight.Warn: "!", preflight.Fail: "✗", preflight.Skipped: "-"}
	for _, res := range rep.Results {
		fmt.Fprintf(e.stdout, "%s %-12s %-14s %s\n", marks[res.Verdict], e.tr.T("preflight.word."+string(res.Verdict)),
			e.tr.T("preflight.name."+res.Check)+":", res.Message)
		if res.Fix != "" {
			fmt.Fprintln(e.stdout, "    "+e.tr.T("preflight.cli.fix", map[string]any{"Fix": res.Fix}))
		}
		for _, it := range res.Items {
			fmt.Fprintf(e.stdout, "    %s %-9s %s\n", marks[it.Verdict], it.Name, it.Message)
		}
	}
	if rep.Canceled {
		fmt.Fprintln(e.stdout, e.tr.T("preflight.cli.canceled"))
	}
	fmt.Fprintln(e.stdout, e.tr.T("preflight.cli.summary", map[string]any{"Word": e.tr.T("preflight.word." + string(rep.Verdict)),
		"Ms": rep.DurationMs, "Start": rep.DeviceStartMs}))
}
