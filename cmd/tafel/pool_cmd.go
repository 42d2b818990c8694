package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/tafel-schule/tafel/config"
	"github.com/tafel-schule/tafel/rooms"
)

func init() { commands["pool"] = runPool }

// maxSecretBytes bounds what is read from standard input as a secret.
const maxSecretBytes = 4096

func runPool(ctx context.Context, e env) int {
	if len(e.args) == 0 {
		return usage(e, "pool.usage")
	}
	sub := e
	sub.args = e.args[1:]
	switch e.args[0] {
	case "add":
		return runPoolAdd(ctx, sub)
	case "list":
		return runPoolList(ctx, sub)
	case "remove", "rm":
		return runPoolRemove(ctx, sub)
	case "test":
		return runPoolTest(ctx, sub)
	case "help", "-h", "--help":
		fmt.Fprintln(e.stdout, e.tr.T("pool.usage"))
		return exitOK
	}
	return usage(e, "pool.usage")
}

// tafel pool add NAME --url URL [--checksum sha256] [--replace] [--default]
func runPoolAdd(ctx context.Context, e env) int {
	fs := newFlags(e, "tafel pool add", "pool.usage")
	rawURL := fs.String("url", "", "")
	checksum := fs.String("checksum", "sha256", "")
	replace := fs.Bool("replace", false, "")
	makeDefault := fs.Bool("default", false, "")
	pos, err := parseInterleaved(fs, e.args)
	if err != nil {
		return flagError(e, err, "pool.usage")
	}
	if len(pos) != 1 {
		return usage(e, "pool.usage")
	}
	l, code := loadConfig(e)
	if l == nil {
		return code
	}
	u, path := l.User, l.UserPath
	// A pool school IT set up needs only the teacher's secret: the address
	// stays IT's (fixed when managed).
	admin, isAdmin := l.AdminPool(pos[0])
	var p config.Pool
	switch {
	case isAdmin && *rawURL == "":
		p = admin
	case *rawURL == "":
		// Re-entering the secret of the teacher's own pool (the hint of a
		// rejected or missing secret).
		own, ok := u.FindPool(pos[0])
		if !ok {
			return usage(e, "pool.usage")
		}
		p = own
	default:
		var err error
		if p, err = config.NewPool(pos[0], *rawURL, *checksum); err != nil {
			return reportPoolError(e, err, pos[0])
		}
		if isAdmin && p.URL == admin.URL {
			p = admin
		}
	}
	if isAdmin && admin.Source() == config.SourceManaged && p.URL != admin.URL {
		return reportManaged(e, config.KeyPools+"."+admin.Name)
	}
	if *makeDefault && !strings.EqualFold(l.Effective().DefaultPool, p.Name) {
		if err := l.CheckChange(config.KeyDefaultPool); err != nil {
			return reportManaged(e, config.KeyDefaultPool)
		}
	}
	secretOnly := (isAdmin && p.URL == admin.URL) || (!isAdmin && *rawURL == "")
	if old, exists := u.FindPool(p.Name); exists {
		switch {
		case secretOnly && admin.Source() == config.SourceManaged:
			// IT's managed pool hides the teacher's entry.
		case secretOnly && old.URL == p.URL:
			// The teacher's own entry for IT's recommended pool is the one
			// in force: its secret goes under its spelling, or it is never
			// found (keyring names are case-sensitive).
			p.Name = old.Name
		default:
			if !*replace {
				return reportPoolError(e, &config.Error{Code: config.CodePoolExists}, p.Name)
			}
			// Keep the name as it was (names compare case-insensitively):
			// the keyring entry is keyed by it, and a new spelling would
			// orphan the old secret.
			p.Name, secretOnly = old.Name, false
		}
	}
	secret, rc := readSecret(e, p.Name)
	if rc != exitOK {
		return rc
	}
	// Keyring first: a pool without its secret in the keyring is useless,
	// and a failing keyring must not leave a half-added pool behind.
	if err := world.secrets().Set(ctx, p.SecretKey(), secret); err != nil {
		return reportPoolError(e, err, p.Name)
	}
	if secretOnly {
		if *makeDefault && !l.Locked(config.KeyDefaultPool) {
			u.DefaultPool = p.Name
			if !saveUserFile(e, path, u) {
				return exitFail
			}
		}
		fmt.Fprintln(e.stderr, e.tr.T("pool.secret_stored", map[string]any{"Name": p.Name}))
		return code
	}
	hadDefault := u.DefaultPool != ""
	if err := u.AddPool(p, *replace); err != nil {
		return reportPoolError(e, err, p.Name)
	}
	switch {
	case *makeDefault && !l.Locked(config.KeyDefaultPool):
		u.DefaultPool = p.Name
	case !hadDefault && l.Inherited().DefaultPool != "":
		// AddPool makes a first pool the default, but IT recommends one:
		// that stays the default unless the teacher asks with --default.
		u.DefaultPool = ""
	}
	if !saveUserFile(e, path, u) {
		return exitFail
	}
	fmt.Fprintln(e.stderr, e.tr.T("pool.added", map[string]any{"Name": p.Name}))
	return code
}

// reportManaged refuses a change school IT fixed in managed.json.
func reportManaged(e env, key string) int {
	fmt.Fprintln(e.stderr, e.tr.T("config.managed_cli", map[string]any{"Key": key}))
	return exitUsage
}

// readSecret takes the shared secret from standard input when it is not a
// terminal (scripts, `secret-tool lookup … | tafel pool add …`), or asks for
// it without echo. The value is never printed.
func readSecret(e env, name string) (string, int) {
	var s string
	if world.stdinIsTerminal() {
		fmt.Fprint(e.stderr, e.tr.T("pool.secret_prompt", map[string]any{"Name": name}))
		v, err := world.readPassword()
		fmt.Fprintln(e.stderr)
		if err != nil {
			fmt.Fprintln(e.stderr, e.tr.T("pool.secret_empty"))
			return "", exitUsage
		}
		s = v
	} else {
		b, err := io.ReadAll(io.LimitReader(world.stdin, maxSecretBytes+1))
		if err != nil || len(b) > maxSecretBytes {
			fmt.Fprintln(e.stderr, e.tr.T("pool.secret_invalid"))
			return "", exitUsage
		}
		s = string(b)
	}
	s = strings.TrimSpace(s)
	if s == "" {
		fmt.Fprintln(e.stderr, e.tr.T("pool.secret_empty"))
		return "", exitUsage
	}
	if strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		fmt.Fprintln(e.stderr, e.tr.T("pool.secret_invalid"))
		return "", exitUsage
	}
	return s, exitOK
}

type poolJSON struct {
	Name     string `json:"name"`
	URL      string `json:"url"`
	Checksum string `json:"checksum"`
	Default  bool   `json:"default"`
	// Source is the configuration layer: "user", "managed" or "recommended".
	Source string `json:"source"`
}

func runPoolList(_ context.Context, e env) int {
	fs := newFlags(e, "tafel pool list", "pool.usage")
	asJSON := fs.Bool("json", false, "")
	if pos, err := parseInterleaved(fs, e.args); err != nil {
		return flagError(e, err, "pool.usage")
	} else if len(pos) != 0 {
		return usage(e, "pool.usage")
	}
	u, _, code := loadUser(e)
	if u == nil {
		return code
	}
	def, _ := u.ResolvePool("")
	out := []poolJSON{}
	for _, p := range u.Pools {
		out = append(out, poolJSON{Name: p.Name, URL: p.URL, Checksum: p.Checksum, Default: p.Name == def.Name, Source: string(p.Source())})
	}
	if *asJSON {
		printJSON(e, out)
		return code
	}
	if len(out) == 0 {
		fmt.Fprintln(e.stderr, e.tr.T("pool.none"))
		return code
	}
	for _, p := range out {
		mark := ""
		if p.Default {
			mark = "  " + e.tr.T("pool.default_mark")
		}
		if p.Source != string(config.SourceUser) {
			mark += "  " + e.tr.T("config.source_mark_"+p.Source)
		}
		fmt.Fprintf(e.stdout, "%s\t%s\t%s%s\n", p.Name, p.URL, p.Checksum, mark)
	}
	return code
}

func runPoolRemove(ctx context.Context, e env) int {
	fs := newFlags(e, "tafel pool remove", "pool.usage")
	pos, err := parseInterleaved(fs, e.args)
	if err != nil {
		return flagError(e, err, "pool.usage")
	}
	if len(pos) != 1 {
		return usage(e, "pool.usage")
	}
	l, code := loadConfig(e)
	if l == nil {
		return code
	}
	u, path := l.User, l.UserPath
	if admin, ok := l.AdminPool(pos[0]); ok {
		if admin.Source() == config.SourceManaged {
			return reportManaged(e, config.KeyPools+"."+admin.Name)
		}
		if _, mine := u.FindPool(pos[0]); !mine {
			fmt.Fprintln(e.stderr, e.tr.T("config.recommended_pool_stays", map[string]any{"Name": admin.Name}))
			return exitUsage
		}
	}
	p, err := u.RemovePool(pos[0])
	if err != nil {
		return reportPoolError(e, err, pos[0])
	}
	if !saveUserFile(e, path, u) {
		return exitFail
	}
	fmt.Fprintln(e.stderr, e.tr.T("pool.removed", map[string]any{"Name": p.Name}))
	// The pool is gone either way; a keyring that cannot delete is a warning.
	if err := world.secrets().Delete(ctx, p.SecretKey()); err != nil {
		reportPoolError(e, err, p.Name)
		return worst(code, exitWarn)
	}
	return code
}

type poolTestJSON struct {
	Pool      string `json:"pool"`
	OK        bool   `json:"ok"`
	Code      string `json:"code"`
	ElapsedMS int64  `json:"elapsed_ms"`
}

// tafel pool test [NAME] [--json]: reachability and the shared secret.
func runPoolTest(ctx context.Context, e env) int {
	fs := newFlags(e, "tafel pool test", "pool.usage")
	asJSON := fs.Bool("json", false, "")
	pos, err := parseInterleaved(fs, e.args)
	if err != nil {
		return flagError(e, err, "pool.usage")
	}
	if len(pos) > 1 {
		return usage(e, "pool.usage")
	}
	name := ""
	if len(pos) == 1 {
		name = pos[0]
	}
	u, _, code := loadUser(e)
	if u == nil {
		return code
	}
	pool, pc, rc, perr := openPoolErr(ctx, e, u, name)
	if pool == nil {
		if *asJSON {
			printJSON(e, poolTestJSON{Pool: pc.Name, Code: bbbErrorCode(perr)})
		}
		return rc
	}
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	start := time.Now()
	err = pool.Check(ctx)
	res := poolTestJSON{Pool: pc.Name, OK: err == nil, Code: "ok", ElapsedMS: time.Since(start).Milliseconds()}
	if err != nil {
		res.Code = bbbErrorCode(err)
		if *asJSON {
			printJSON(e, res)
		}
		return reportBBBError(e, err, pc.Name)
	}
	if *asJSON {
		printJSON(e, res)
	}
	fmt.Fprintln(e.stderr, e.tr.T("pool.test_ok", map[string]any{"Name": pc.Name}))
	return code
}

var _ rooms.Pool = (*rooms.DirectPool)(nil)
