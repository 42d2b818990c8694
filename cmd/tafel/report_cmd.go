package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"time"

	"github.com/tafel-schule/tafel/audio"
	"github.com/tafel-schule/tafel/checkhistory"
	"github.com/tafel-schule/tafel/config"
	"github.com/tafel-schule/tafel/diagnostics"
	"github.com/tafel-schule/tafel/internal/logfile"
	"github.com/tafel-schule/tafel/translations"
)

func init() { commands["report"] = runReport }

// Bounds of the report's slow parts: the sound system and the keyring
// must not hold up a report whose point is to say that they are broken.
const (
	reportAudioTimeout   = 3 * time.Second
	reportKeyringTimeout = 3 * time.Second
	reportLogMax         = 50
	reportLogAge         = 14 * 24 * time.Hour
)

// runReport is `tafel report [--out DIR] [--redact-ips] [--json] [--pool
// NAME]`: the report for IT as an HTML page and a JSON file in DIR (the
// current directory by default). Nothing is sent anywhere. Exit 0, 2 when
// the report cannot be made or written (nothing half-written), 3 usage.
func runReport(ctx context.Context, e env) int {
	fs := newFlags(e, "tafel report", "report.usage")
	out := fs.String("out", "", "folder for the two files (default: the current folder)")
	redactIPs := fs.Bool("redact-ips", false, "replace IP addresses by their kind")
	asJSON := fs.Bool("json", false, "print the JSON report on stdout, write no files")
	pool := fs.String("pool", "", "list only this pool")
	pos, err := parseInterleaved(fs, e.args)
	if err != nil {
		return flagError(e, err, "report.usage")
	}
	if len(pos) > 0 {
		fmt.Fprintln(e.stderr, e.tr.T("report.cli.bad_args", map[string]any{"Detail": pos[0]}))
		return usage(e, "report.usage")
	}
	src, ok := gatherReport(ctx, e.tr.Lang, *pool, e.configDir)
	if !ok {
		fmt.Fprintln(e.stderr, e.tr.T("report.cli.no_pool", map[string]any{"Name": *pool}))
		return exitUsage
	}
	src.RedactIPs = *redactIPs
	rep, err := diagnostics.Build(ctx, src)
	if err != nil {
		fmt.Fprintln(e.stderr, e.tr.T("report.cli.failed"))
		return exitFail
	}
	if *asJSON {
		b, err := rep.JSON()
		if err != nil {
			fmt.Fprintln(e.stderr, e.tr.T("report.cli.failed"))
			return exitFail
		}
		_, _ = e.stdout.Write(b)
		return exitOK
	}
	dir := *out
	if dir == "" {
		if dir, err = os.Getwd(); err != nil {
			dir = "."
		}
	}
	htmlPath, jsonPath, err := diagnostics.WriteFiles(dir, rep, e.tr)
	switch {
	case errors.Is(err, diagnostics.ErrUnsafe):
		fmt.Fprintln(e.stderr, e.tr.T("report.cli.failed"))
		return exitFail
	case err != nil:
		fmt.Fprintln(e.stderr, e.tr.T("report.cli.cannot_write", map[string]any{"Dir": dir}))
		return exitFail
	}
	fmt.Fprintln(e.stdout, htmlPath)
	fmt.Fprintln(e.stdout, jsonPath)
	fmt.Fprintln(e.stderr, e.tr.T("report.cli.look_first"))
	return exitOK
}

// reportGatherer is what the GUI's "Report for IT" button uses (through
// backend.NewReport): the same sources as `tafel report`, all pools.
// secrets and history are the GUI's own (the demo has its own keyring);
// nil means the real ones, as for the CLI.
func reportGatherer(lang, adminDir string, secrets config.Secrets, history *checkhistory.Store) func(ctx context.Context) diagnostics.Sources {
	return func(ctx context.Context) diagnostics.Sources {
		src, _ := gatherReportFrom(ctx, lang, "", adminDir, secrets, history)
		return src
	}
}

// gatherReport collects the report's inputs. ok is false only when pool
// names a pool that does not exist. Secrets are read into memory only, to
// scrub them from the report; they are never printed.
func gatherReport(ctx context.Context, lang, pool, adminDir string) (diagnostics.Sources, bool) {
	return gatherReportFrom(ctx, lang, pool, adminDir, nil, nil)
}

func gatherReportFrom(ctx context.Context, lang, pool, adminDir string, secrets config.Secrets, history *checkhistory.Store) (diagnostics.Sources, bool) {
	if secrets == nil {
		secrets = world.secrets()
	}
	if history == nil {
		history = world.history()
	}
	home, _ := os.UserHomeDir()
	src := diagnostics.Sources{
		HomeDir: home,
		Version: version, Lang: lang, Now: world.now,
		History:      history,
		AudioDevices: reportAudioDevices,
		LogErrors:    reportLogErrors,
	}
	l, warnings := loadConfigQuiet(translations.New(lang), adminDir)
	src.Config, src.ConfigWarnings = collectConfig(l), warnings
	u := l.Effective()
	def, _ := u.ResolvePool("")
	for _, p := range u.Pools {
		// Every pool's secret is read for scrubbing, also when --pool
		// lists only one: another pool's secret may be in the log.
		listed := true
		if pool != "" {
			sel, found := u.FindPool(pool)
			listed = found && sel.Name == p.Name
		}
		st := diagnostics.PoolStatus{Name: p.Name, URL: p.URL, Default: p.Name == def.Name, Managed: p.Source() == config.SourceManaged}
		kctx, cancel := context.WithTimeout(ctx, reportKeyringTimeout)
		secret, err := secrets.Get(kctx, p.SecretKey())
		cancel()
		switch {
		case err == nil:
			st.InKeyring = true
			src.Secrets = append(src.Secrets, secret)
		case config.Code(err) != config.CodeSecretNotFound:
			st.KeyringProblem = config.Code(err) // a stable code, never the error text
		}
		if listed {
			src.Pools = append(src.Pools, st)
		}
	}
	if pool != "" && len(src.Pools) == 0 {
		return src, false
	}
	return src, true
}

// loadConfigQuiet reads every configuration layer without printing:
// problems become warnings in the report, in the report's language (they
// stand in its summary, in front of the teacher).
func loadConfigQuiet(tr translations.Translator, adminDir string) (*config.Layered, []string) {
	path, err := config.UserPath()
	if err != nil {
		return config.LoadAdminLayers(adminDir), []string{tr.T("report.config.no_dir")}
	}
	l, err := config.Load(config.LoadOptions{UserPath: path, AdminDir: adminDir})
	var warnings []string
	if err != nil {
		var ce *config.CorruptError
		switch {
		case errors.As(err, &ce):
			warnings = append(warnings, tr.T("report.config.corrupt"))
		case errors.Is(err, config.ErrNewerFormat):
			warnings = append(warnings, tr.T("report.config.newer"))
		default:
			warnings = append(warnings, tr.T("report.config.unreadable", map[string]any{"Code": config.Code(err)}))
		}
	}
	if l == nil {
		// Without the user's layer, still show what IT set.
		l = config.LoadAdminLayers(adminDir)
	}
	for _, p := range adminProblems(l) {
		var ae *config.AdminFileError
		if !errors.As(p, &ae) {
			warnings = append(warnings, p.Error())
			continue
		}
		warnings = append(warnings, adminProblemText(tr, ae))
	}
	return l, warnings
}

// collectConfig lists every effective setting with its source and lock
// (config.Layered.Values), as `tafel config show` does.
func collectConfig(l *config.Layered) []diagnostics.ConfigValue {
	var out []diagnostics.ConfigValue
	for _, v := range l.Values() {
		if v.Key == config.KeyTeacherName && v.Value != "" {
			// The teacher's name is personal data: only whether it is set.
			v.Value = "(set)"
		}
		out = append(out, diagnostics.ConfigValue{Key: v.Key, Value: v.Value, Source: string(v.Source), Locked: v.Locked})
	}
	return out
}

func boolPtr(b *bool) string {
	if b == nil {
		return ""
	}
	return strconv.FormatBool(*b)
}

// reportAudioDevices lists the sound devices, giving up after
// reportAudioTimeout (a hung sound server).
func reportAudioDevices(ctx context.Context) ([]diagnostics.AudioDevice, error) {
	ctx, cancel := context.WithTimeout(ctx, reportAudioTimeout)
	defer cancel()
	type res struct {
		devs []audio.Device
		err  error
	}
	ch := make(chan res, 1)
	go func() {
		sys, err := audio.Open("")
		if err != nil {
			ch <- res{nil, err}
			return
		}
		defer sys.Close()
		d, err := sys.Devices()
		ch <- res{d, err}
	}()
	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case r := <-ch:
		if r.err != nil {
			return nil, r.err
		}
		out := make([]diagnostics.AudioDevice, 0, len(r.devs))
		for _, d := range r.devs {
			out = append(out, diagnostics.AudioDevice{Name: d.Name, Kind: string(d.Kind), Default: d.Default,
				Headset: d.Headset, Bluetooth: d.Bluetooth, HandsFree: d.HandsFree, Speaker: d.Speaker, Monitor: d.Monitor})
		}
		return out, nil
	}
}

// reportLogErrors is the last reportLogMax warnings and errors of the
// last two weeks from Tafel's log.
func reportLogErrors() ([]diagnostics.LogEntry, error) {
	dir, err := logDir()
	if err != nil {
		return nil, err
	}
	recs, err := logfile.Recent(dir, slog.LevelWarn, reportLogMax, world.now().Add(-reportLogAge))
	out := make([]diagnostics.LogEntry, 0, len(recs))
	for _, r := range recs {
		out = append(out, diagnostics.LogEntry{Time: r.Time, Level: r.Level, Msg: r.Msg, Attrs: r.Attrs})
	}
	return out, err
}
