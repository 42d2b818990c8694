package main

// Shared plumbing of the teacher's-loop commands (pool, rooms, start,
// links, slides): loading the settings and rooms files, opening a pool with
// its secret from the keyring, flag parsing with positional arguments
// anywhere, and turning typed errors into translated sentences and exit
// codes.

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/tafel-schule/tafel/backend"
	"github.com/tafel-schule/tafel/bbbclient"
	"github.com/tafel-schule/tafel/checkhistory"
	"github.com/tafel-schule/tafel/config"
	"github.com/tafel-schule/tafel/internal/filelock"
	"github.com/tafel-schule/tafel/rooms"
	"github.com/tafel-schule/tafel/translations"
)

// lessonWorld is everything outside the process these commands touch;
// tests replace parts of it.
type lessonWorld struct {
	secrets         func() config.Secrets
	stdin           io.Reader
	stdinIsTerminal func() bool
	readPassword    func() (string, error)
	opener          func(browser string) rooms.Opener
	history         func() *checkhistory.Store
	now             func() time.Time
	httpClient      *http.Client
}

var world = lessonWorld{
	secrets:         func() config.Secrets { return scrubbedSecrets{config.Keyring{}} },
	stdin:           os.Stdin,
	stdinIsTerminal: func() bool { return isTerminal(os.Stdin) },
	readPassword:    func() (string, error) { return readPasswordNoEcho(os.Stdin) },
	opener:          rooms.BrowserOpener,
	history: func() *checkhistory.Store {
		h, err := checkhistory.Open()
		if err != nil {
			return nil
		}
		return h
	},
	now:        time.Now,
	httpClient: &http.Client{Timeout: 60 * time.Second},
}

// parseInterleaved parses flags that may come before, between or after the
// positional arguments (`tafel pool add NAME --url U`), and returns the
// positional ones. "--" ends flag parsing.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		// flag stops at "--" too; everything after it is positional.
		if len(args) > 0 && len(rest) < len(args) && args[len(args)-len(rest)-1] == "--" {
			return append(pos, rest...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// newFlags makes a FlagSet whose usage goes to stderr as a translated text.
func newFlags(_ env, name, _ string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard) // flagError prints a translated text instead
	fs.Usage = func() {}
	return fs
}

// flagError reports a bad command line and returns exitUsage (or exitOK
// for --help, after printing the usage).
func flagError(e env, err error, usageKey string) int {
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(e.stdout, e.tr.T(usageKey))
		return exitOK
	}
	fmt.Fprintln(e.stderr, e.tr.T("cli.rooms_bad_args", map[string]any{"Detail": err.Error()}))
	fmt.Fprintln(e.stderr, e.tr.T(usageKey))
	return exitUsage
}

// usage prints a usage text for a missing or extra argument.
func usage(e env, usageKey string) int {
	fmt.Fprintln(e.stderr, e.tr.T(usageKey))
	return exitUsage
}

// printJSON writes v as indented JSON on stdout.
func printJSON(e env, v any) {
	enc := json.NewEncoder(e.stdout)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// loadUser returns the configuration in force (all layers, config.Load);
// a damaged config.json is reported (and kept aside), and so are problems
// in school IT's admin files, which are then ignored. It returns the
// warning exit code to merge into the command's result: a damaged user
// file gives one, IT's admin files do not (see loadConfig).
func loadUser(e env) (*config.User, string, int) {
	l, code := loadConfig(e)
	if l == nil {
		return nil, "", code
	}
	return l.Effective(), l.UserPath, code
}

// loadConfig is loadUser for commands that change the user's layer.
func loadConfig(e env) (*config.Layered, int) {
	path, err := config.UserPath()
	if err != nil {
		fmt.Fprintln(e.stderr, e.tr.T("rooms.no_config_dir"))
		return nil, exitUsage
	}
	l, err := config.Load(config.LoadOptions{UserPath: path, AdminDir: e.configDir})
	code := exitOK
	if err != nil {
		code = reportFileError(e, err)
		if l == nil || code != exitWarn {
			return nil, code
		}
	}
	// Problems in IT's admin files are printed, but do not change the exit
	// code: they stay until IT fixes the image, so every command on every
	// laptop would exit 1 (a healthy `tafel check` included) and the code
	// would no longer say whether this command did its job. `tafel config
	// show`, IT's own look at the files, exits 1 for them.
	if probs := adminProblems(l); len(probs) > 0 {
		reportAdminProblems(e, probs)
	}
	return l, code
}

// saveUserFile writes the user's config.json, explaining a failure.
func saveUserFile(e env, path string, u *config.User) bool {
	if err := config.SaveUser(path, u); err != nil {
		fmt.Fprintln(e.stderr, e.tr.T("rooms.file_error", map[string]any{"Detail": err.Error()}))
		return false
	}
	return true
}

// adminProblems are the problems in the admin files, including their
// preset settings (which the rooms package checks).
func adminProblems(l *config.Layered) []error {
	_, probs := rooms.PolicyFrom(l)
	return append(append([]error{}, l.Warnings()...), probs...)
}

// reportAdminProblems prints one line per problem in the admin files, for
// the IT helper: which file, which key, why; that part is ignored.
func reportAdminProblems(e env, probs []error) {
	for _, p := range probs {
		logProblem(p)
	}
	for _, p := range probs {
		var ae *config.AdminFileError
		if !errors.As(p, &ae) {
			continue
		}
		fmt.Fprintln(e.stderr, adminProblemText(e.tr, ae))
	}
}

// adminProblemText is one translated sentence about a problem in an admin
// file. The reason is English technical detail for IT (also in logs and
// --json); the sentence around it is translated.
func adminProblemText(tr translations.Translator, ae *config.AdminFileError) string {
	msg := "config.admin_problem"
	if ae.Key == "" {
		msg = "config.admin_problem_file"
	}
	return tr.T(msg, map[string]any{"Path": ae.Path, "Key": ae.Key, "Reason": ae.Reason})
}

// roomsPolicy is school IT's policy for rooms (presets in the admin files).
// Problems there were reported by loadConfig; here they are only skipped.
func roomsPolicy(e env) rooms.Policy {
	pol, _ := rooms.PolicyFrom(config.LoadAdminLayers(e.configDir))
	return pol
}

// openRoom loads what start, slides and links need: the user's settings, the
// rooms store and the room called name. ok false means a message was printed
// and code is the exit code; otherwise code is exitOK or a warning to merge.
func openRoom(e env, name string) (u *config.User, store *rooms.Store, room rooms.Room, code int, ok bool) {
	u, _, code = loadUser(e)
	if u == nil {
		return nil, nil, rooms.Room{}, code, false
	}
	store, rc := openStore(e)
	if store == nil {
		return nil, nil, rooms.Room{}, rc, false
	}
	code = worst(code, rc)
	room, err := store.Get(name)
	if err != nil {
		return nil, nil, rooms.Room{}, reportRoomError(e, err), false
	}
	return u, store, room, code, true
}

// openStore opens rooms.json, reporting a damaged or newer file.
func openStore(e env) (*rooms.Store, int) {
	path, err := rooms.DefaultPath()
	if err != nil {
		fmt.Fprintln(e.stderr, e.tr.T("rooms.no_config_dir"))
		return nil, exitUsage
	}
	s, err := rooms.OpenStore(path)
	if errors.Is(err, config.ErrNewerFormat) {
		// Left alone on purpose: stop here instead of showing an empty list.
		return nil, reportFileError(e, err)
	}
	if err != nil {
		return s, reportFileError(e, err)
	}
	return s, exitOK
}

// reportFileError explains a damaged or newer settings/rooms file: a
// damaged file was moved aside (warning, the command continues), a newer
// one is left alone (configuration error).
func reportFileError(e env, err error) int {
	logProblem(err)
	var ce *config.CorruptError
	switch {
	case errors.As(err, &ce) && ce.MovedTo != "":
		fmt.Fprintln(e.stderr, e.tr.T("rooms.file_corrupt", map[string]any{"Path": ce.Path, "Kept": ce.MovedTo}))
		return exitWarn
	case errors.As(err, &ce):
		fmt.Fprintln(e.stderr, e.tr.T("rooms.file_corrupt_stuck", map[string]any{"Path": ce.Path}))
		return exitFail
	case errors.Is(err, config.ErrNewerFormat):
		fmt.Fprintln(e.stderr, e.tr.T("rooms.file_newer"))
		return exitUsage
	}
	fmt.Fprintln(e.stderr, e.tr.T("rooms.file_error", map[string]any{"Detail": err.Error()}))
	return exitFail
}

// worst returns the more severe of two exit codes (3 > 2 > 1 > 0).
func worst(a, b int) int {
	if b > a {
		return b
	}
	return a
}

// openPool resolves the pool called name (or the default) and reads its
// secret from the keyring.
func openPool(ctx context.Context, e env, u *config.User, name string) (*rooms.DirectPool, config.Pool, int) {
	p, pc, code, _ := openPoolErr(ctx, e, u, name)
	return p, pc, code
}

// openPoolErr is openPool that also returns the error (for --json codes).
func openPoolErr(ctx context.Context, e env, u *config.User, name string) (*rooms.DirectPool, config.Pool, int, error) {
	pc, err := u.ResolvePool(name)
	if err != nil {
		return nil, pc, reportPoolError(e, err, name), err
	}
	p, err := rooms.OpenDirectPool(ctx, pc, world.secrets(), rooms.DirectOptions{HTTPClient: world.httpClient})
	if err != nil {
		return nil, pc, reportPoolError(e, err, pc.Name), err
	}
	return p, pc, exitOK, nil
}

// reportPoolError turns config and keyring errors into a sentence.
func reportPoolError(e env, err error, name string) int {
	logProblem(err)
	data := map[string]any{"Name": name}
	var pe *config.PoolFileError
	if errors.As(err, &pe) {
		var ce *config.Error
		errors.As(err, &ce)
		fmt.Fprintln(e.stderr, e.tr.T("pool.invalid_in_file", map[string]any{"Name": pe.Pool, "Path": pe.Path}))
		fmt.Fprintln(e.stderr, e.tr.T("pool.invalid_"+invalidField(ce.Detail)))
		return exitUsage
	}

	switch config.Code(err) {
	case config.CodeNoPool:
		fmt.Fprintln(e.stderr, e.tr.T("pool.none"))
		return exitUsage
	case config.CodeAmbiguousPool:
		fmt.Fprintln(e.stderr, e.tr.T("pool.ambiguous"))
		return exitUsage
	case config.CodePoolNotFound:
		fmt.Fprintln(e.stderr, e.tr.T("pool.not_found", data))
		return exitUsage
	case config.CodePoolExists:
		fmt.Fprintln(e.stderr, e.tr.T("pool.exists", data))
		return exitUsage
	case config.CodeInvalidPool:
		var ce *config.Error
		errors.As(err, &ce)
		fmt.Fprintln(e.stderr, e.tr.T("pool.invalid_"+invalidField(ce.Detail), data))
		return exitUsage
	case config.CodeSecretNotFound:
		fmt.Fprintln(e.stderr, e.tr.T("pool.secret_missing", data))
		return exitUsage
	case config.CodeKeyringUnavailable:
		fmt.Fprintln(e.stderr, e.tr.T("pool.keyring_unavailable"))
		return exitFail
	case config.CodeKeyringLocked:
		fmt.Fprintln(e.stderr, e.tr.T("pool.keyring_locked"))
		return exitFail
	case config.CodeKeyringTimeout:
		fmt.Fprintln(e.stderr, e.tr.T("pool.keyring_timeout"))
		return exitFail
	case config.CodeSecretInvalid:
		fmt.Fprintln(e.stderr, e.tr.T("pool.secret_invalid"))
		return exitUsage
	}
	return reportBBBError(e, err, name)
}

func invalidField(d string) string {
	switch d {
	case "name", "url", "checksum":
		return d
	}
	return "url"
}

// reportBBBError explains a failed pool call without URLs or secrets.
func reportBBBError(e env, err error, name string) int {
	logProblem(err)
	data := map[string]any{"Name": name}
	var te *bbbclient.TransportError
	var ae *bbbclient.APIError
	var me *bbbclient.MalformedResponseError
	switch {
	case errors.Is(err, context.Canceled):
		fmt.Fprintln(e.stderr, e.tr.T("cli.rooms_canceled"))
		return exitFail
	case errors.As(err, &te) || errors.Is(err, context.DeadlineExceeded):
		fmt.Fprintln(e.stderr, e.tr.T("pool.unreachable", data))
	case errors.Is(err, bbbclient.ErrChecksum):
		fmt.Fprintln(e.stderr, e.tr.T("pool.checksum_rejected", data))
	case errors.As(err, &ae):
		data["Detail"] = ae.MessageKey
		fmt.Fprintln(e.stderr, e.tr.T("pool.api_error", data))
	case errors.As(err, &me):
		fmt.Fprintln(e.stderr, e.tr.T("pool.not_bbb", data))
	default:
		data["Detail"] = err.Error()
		fmt.Fprintln(e.stderr, e.tr.T("pool.api_error", data))
	}
	return exitFail
}

// reportRoomError turns rooms errors into a sentence.
func reportRoomError(e env, err error) int {
	logProblem(err)
	var re *rooms.Error
	if errors.Is(err, filelock.ErrTimeout) {
		fmt.Fprintln(e.stderr, e.tr.T("rooms.busy"))
		return exitFail
	}
	if !errors.As(err, &re) {
		var ce *config.CorruptError
		if errors.As(err, &ce) || errors.Is(err, config.ErrNewerFormat) {
			return reportFileError(e, err)
		}
		fmt.Fprintln(e.stderr, e.tr.T("rooms.file_error", map[string]any{"Detail": err.Error()}))
		return exitFail
	}
	data := map[string]any{"Name": re.Detail, "Presets": strings.Join(presetIDs(), ", "), "Keys": strings.Join(rooms.SettingKeys(), ", ")}
	key := "rooms.error_" + re.Code
	msg := e.tr.T(key, data)
	if msg == key {
		data["Detail"] = re.Error()
		msg = e.tr.T("rooms.file_error", data)
	}
	fmt.Fprintln(e.stderr, msg)
	switch re.Code {
	case rooms.CodeOpenFailed:
		return exitFail
	}
	return exitUsage
}

func presetIDs() []string {
	var out []string
	for _, p := range rooms.Presets() {
		out = append(out, p.ID)
	}
	return out
}

// teacherName is the name the teacher appears with in the meeting: --name,
// else as in the GUI (backend.TeacherName).
func teacherName(u *config.User, flagName string) string {
	if n := strings.TrimSpace(flagName); n != "" {
		return n
	}
	return backend.TeacherName(u)
}

// bbbErrorCode is a stable machine code for a failed pool call (--json).
func bbbErrorCode(err error) string {
	var te *bbbclient.TransportError
	var ae *bbbclient.APIError
	var me *bbbclient.MalformedResponseError
	switch {
	case errors.As(err, &te) || errors.Is(err, context.DeadlineExceeded):
		return "unreachable"
	case errors.Is(err, bbbclient.ErrChecksum):
		return "checksum_rejected"
	case errors.As(err, &ae):
		return "api_error:" + ae.MessageKey
	case errors.As(err, &me):
		return "not_bbb"
	}
	if c := config.Code(err); c != "" {
		return c
	}
	return "error"
}
