// Command tafel is Tafel's single binary: the desktop app when started without
// arguments, and the CLI for teachers, IT helpers and developers otherwise.
//
// Conventions (architecture.md): data on stdout, messages on stderr; --json
// gives stable snake_case fields; exit code 0 ok, 1 warning, 2 failure,
// 3 usage or configuration error; --lang de|en overrides the OS locale.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/tafel-schule/tafel/translations"
)

// Exit codes shared by every subcommand.
const (
	exitOK      = 0
	exitWarn    = 1
	exitFail    = 2
	exitUsage   = 3
	versionText = "0.1.0-dev"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = versionText

// env is what a subcommand gets: streams, arguments and the translator.
type env struct {
	stdout, stderr io.Writer
	args           []string
	tr             translations.Translator
	// lang is the language given with --lang, "" when the OS locale rules.
	lang string
	// configDir is the admin directory given with --config-dir, "" for
	// TAFEL_CONFIG_DIR or the system one (config.AdminDir).
	configDir string
}

type command func(ctx context.Context, e env) int

var commands = map[string]command{
	"sim":     runSim,
	"demo":    runDemo,
	"version": runVersion,
}

func main() {
	// A Windows GUI-subsystem exe has no console: the CLI reattaches to the
	// shell's, or its output would vanish (no-op elsewhere).
	attachParentConsole()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := runLogged(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	args, lang, explicit := extractLang(args)
	args, configDir, ok := extractConfigDir(args)
	e := env{stdout: stdout, stderr: stderr, tr: translations.New(lang), configDir: configDir}
	if explicit {
		e.lang = lang
	}
	if !ok {
		return usage(e, "cli.config_dir_missing")
	}
	if len(args) == 0 || strings.HasPrefix(args[0], "-") && isGUIFlag(args[0]) {
		return runGUI(ctx, e, args)
	}
	name := args[0]
	switch name {
	case "help", "-h", "--help":
		fmt.Fprintln(stdout, e.tr.T("cli.usage"))
		return exitOK
	case "--version":
		name = "version"
	}
	cmd, ok := commands[name]
	if !ok {
		fmt.Fprintln(stderr, e.tr.T("cli.unknown_command", map[string]any{"Command": name}))
		return exitUsage
	}
	e.args = args[1:]
	return cmd(ctx, e)
}

// extractLang removes a global --lang de|en (anywhere in args) and returns the
// language to use: the flag, else the OS locale.
func extractLang(args []string) (rest []string, lang string, explicit bool) {
	lang = translations.FromEnvironment()
	out := make([]string, 0, len(args))
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--lang" && i+1 < len(args):
			lang, explicit = translations.Normalize(args[i+1]), true
			i++
		case len(a) > 7 && a[:7] == "--lang=":
			lang, explicit = translations.Normalize(a[7:]), true
		default:
			out = append(out, a)
		}
	}
	return out, lang, explicit
}

// extractConfigDir removes a global --config-dir DIR (anywhere in args):
// the admin directory to use instead of the system one, to check an image
// before rollout. ok is false when the flag has no value.
func extractConfigDir(args []string) (rest []string, dir string, ok bool) {
	out := make([]string, 0, len(args))
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--config-dir":
			if i+1 >= len(args) || strings.TrimSpace(args[i+1]) == "" {
				return nil, "", false
			}
			dir = args[i+1]
			i++
		case strings.HasPrefix(a, "--config-dir="):
			dir = strings.TrimPrefix(a, "--config-dir=")
			if strings.TrimSpace(dir) == "" {
				return nil, "", false
			}
		default:
			out = append(out, a)
		}
	}
	if dir != "" {
		if abs, err := filepath.Abs(dir); err == nil {
			dir = abs
		}
	}
	return out, dir, true
}

func runVersion(_ context.Context, e env) int {
	fmt.Fprintf(e.stdout, "tafel %s\n", version)
	return exitOK
}
