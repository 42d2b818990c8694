package main

// The log file (issue 7): every process — the tray app and each CLI
// command — appends scrubbed JSON records to the shared, rotated log in
// os.UserCacheDir()/tafel/logs (TAFEL_LOG_DIR overrides it, for tests).
// Logging never fails loudly: an unusable directory makes it a no-op, and
// nothing about it is ever printed to stderr.

import (
	"context"
	"errors"
	"io"
	"log"
	"log/slog"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tafel-schule/tafel/config"
	"github.com/tafel-schule/tafel/internal/logfile"
	"github.com/tafel-schule/tafel/rooms"
)

// logDirEnv overrides the log directory.
const logDirEnv = "TAFEL_LOG_DIR"

// logSecrets holds secret values known at run time (shared secret, TURN
// credentials, access codes): add them as they are loaded, and every later
// log record has them replaced, on top of the built-in scrubbing.
var logSecrets logfile.Secrets

// activeLog is the logger of the running setupLogging, nil outside one
// (e.g. in tests that call run directly): logCommandResult then does nothing.
var activeLog atomic.Pointer[activeLogger]

type activeLogger struct {
	l     *slog.Logger
	start time.Time
}

// logDir is TAFEL_LOG_DIR or the user's cache directory.
func logDir() (string, error) {
	if d := os.Getenv(logDirEnv); d != "" {
		return d, nil
	}
	return logfile.Dir()
}

// setupLogging opens the log and makes it the default for slog and the
// standard log package (so fyne.LogError lands there too, at WARN level),
// tagging records with component ("gui", "cli:<command>"). closeFn undoes
// all of it and closes the file; it is safe to call more than once.
func setupLogging(component string) (logger *slog.Logger, closeFn func()) {
	w := logfile.Discard()
	if dir, err := logDir(); err == nil {
		w, _ = logfile.Open(dir, logfile.Options{}) // on error: a discarding Writer
	}
	logger = logfile.NewLogger(w, logfile.WithScrubber(logSecrets.Scrub)).With("component", component)

	prevDefault := slog.Default()
	prevOut, prevFlags := log.Writer(), log.Flags()
	// Third-party code writes to the standard log mostly when something
	// went wrong (fyne.LogError): WARN puts it into the IT report's
	// "recent problems".
	prevLevel := slog.SetLogLoggerLevel(slog.LevelWarn)
	slog.SetDefault(logger)
	me := &activeLogger{l: logger, start: time.Now()}
	activeLog.Store(me)

	var once sync.Once
	return logger, func() {
		once.Do(func() {
			activeLog.CompareAndSwap(me, nil)
			slog.SetDefault(prevDefault)
			// SetDefault with the original handler leaves log's output
			// pointing at ours: restore it by hand.
			log.SetOutput(prevOut)
			log.SetFlags(prevFlags)
			slog.SetLogLoggerLevel(prevLevel)
			w.Close()
		})
	}
}

// logCommandResult records how a CLI command ended: INFO for exit 0, WARN
// for 1, ERROR for 2, 3 and anything else. Only the command name is logged,
// never its arguments; err goes through the scrubber like everything else.
func logCommandResult(cmd string, code int, err error) {
	a := activeLog.Load()
	if a == nil {
		return
	}
	level := slog.LevelError
	switch code {
	case exitOK:
		level = slog.LevelInfo
	case exitWarn:
		level = slog.LevelWarn
	}
	attrs := []slog.Attr{
		slog.String("command", cmd),
		slog.Int("exit_code", code),
		slog.Duration("duration", time.Since(a.start).Round(time.Millisecond)),
	}
	if err != nil {
		attrs = append(attrs, slog.Any("err", err))
	}
	a.l.LogAttrs(context.Background(), level, "command finished", attrs...)
}

// logComponent names the process for the log from its arguments: "gui",
// or "cli:" and a known command name. Unknown words become "unknown", so
// a mistyped URL or room name never reaches the log.
func logComponent(args []string) string {
	args, _, _ = extractLang(args)
	args, _, _ = extractConfigDir(args)
	if len(args) == 0 || strings.HasPrefix(args[0], "-") && isGUIFlag(args[0]) {
		return "gui"
	}
	switch name := args[0]; name {
	case "help", "-h", "--help":
		return "cli:help"
	case "--version":
		return "cli:version"
	default:
		if _, ok := commands[name]; ok {
			return "cli:" + name
		}
		return "cli:unknown"
	}
}

// runLogged is run with the log set up around it: the one-line wiring for
// main. It records the GUI's start and end, or the CLI command's result.
func runLogged(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	component := logComponent(args)
	logger, closeLog := setupLogging(component)
	defer closeLog()
	if component == "gui" {
		logger.Info("started", "version", version)
	}
	code := run(ctx, args, stdout, stderr)
	if component == "gui" {
		logger.Info("finished", "exit_code", code)
	} else {
		logCommandResult(strings.TrimPrefix(component, "cli:"), code, nil)
	}
	return code
}

// scrubbedSecrets is a Secrets store whose values the log file masks from
// the moment they are read or stored, whatever code logs them later.
type scrubbedSecrets struct{ config.Secrets }

func (s scrubbedSecrets) Get(ctx context.Context, key string) (string, error) {
	v, err := s.Secrets.Get(ctx, key)
	if err == nil {
		logSecrets.Add(v)
	}
	return v, err
}

func (s scrubbedSecrets) Set(ctx context.Context, key, value string) error {
	logSecrets.Add(value)
	return s.Secrets.Set(ctx, key, value)
}

// logProblem records an error the CLI explains to the user, for the IT
// report's "recent problems". Errors never hold secrets or URLs (and the
// log scrubs them anyway); the stable code is what IT searches for.
func logProblem(err error) {
	if err == nil {
		return
	}
	slog.Warn("problem", "code", errorCode(err), "err", err)
}

// errorCode is the stable code of any error the CLI reports.
func errorCode(err error) string {
	var re *rooms.Error
	var ae *config.AdminFileError
	switch {
	case errors.As(err, &re):
		return re.Code
	case errors.As(err, &ae):
		return "admin_file"
	}
	return bbbErrorCode(err)
}
