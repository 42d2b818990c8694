package main

// tafel data remove: the "remove my data" step of an uninstall
// (desktop-platform.md §7). It deletes this user's Tafel files and keyring
// items, and nothing shared: Fyne's settings.json (all Fyne apps use it),
// the admin directory and the installed program stay.

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/tafel-schule/tafel/config"
	"github.com/tafel-schule/tafel/internal/singleinstance"
	"github.com/zalando/go-keyring"
)

func init() { commands["data"] = runData }

// dataWorld is what `tafel data remove` touches outside the process; tests
// replace deleteSecrets when they run without a Secret Service, and
// appRunning so a developer's own running Tafel does not interfere.
var dataWorld = struct {
	deleteSecrets func(ctx context.Context) error
	appRunning    func() bool
}{
	deleteSecrets: deleteKeyringItems,
	appRunning:    appRunning,
}

// appRunning reports whether this user's Tafel app runs: it would write
// its settings, rooms and log again right after they are deleted. The probe
// is the app's own single-instance handshake, so a running Tafel also comes
// to the front, where the teacher can quit it. Any other outcome (no usable
// lock directory) counts as not running: the deletion must not depend on it.
func appRunning() bool {
	l, err := singleinstance.Listen(appID, nil)
	if err == nil {
		_ = l.Close() // released before the deletion: Windows cannot delete an open lock file
		return false
	}
	return errors.Is(err, singleinstance.ErrAnotherInstance) || errors.Is(err, singleinstance.ErrNotResponding)
}

// stopLogging detaches this process from the log file: the log writer
// recreates its folder on the next record, which would leave
// ~/.cache/tafel/logs behind (runLogged's "command finished" record).
func stopLogging() {
	activeLog.Store(nil)
	slog.SetDefault(slog.New(slog.DiscardHandler))
}

func runData(ctx context.Context, e env) int {
	if len(e.args) == 0 {
		return usage(e, "data.usage")
	}
	sub := e
	sub.args = e.args[1:]
	switch e.args[0] {
	case "remove", "rm":
		return runDataRemove(ctx, sub)
	case "help", "-h", "--help":
		fmt.Fprintln(e.stdout, e.tr.T("data.usage"))
		return exitOK
	}
	return usage(e, "data.usage")
}

// dataDir is one folder `tafel data remove` deletes.
type dataDir struct {
	path string
	key  string // translation key describing what is in it
}

// localDataDirs lists Tafel's per-user folders, whether they exist or not.
func localDataDirs() ([]dataDir, error) {
	cfg, err := config.Dir()
	if err != nil {
		return nil, err
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		return nil, err
	}
	prefs, err := fynePrefsDir()
	if err != nil {
		return nil, err
	}
	return []dataDir{
		{cfg, "data.item_config"},
		{filepath.Join(cache, config.AppDirName), "data.item_cache"},
		{prefs, "data.item_prefs"},
		// Fyne's per-app cache (fyne app/cache_other.go rootCacheDir).
		// Its font index (cache/font_index_v*.cache, go-text) is shared
		// by every app using go-text and stays.
		{filepath.Join(cache, "fyne", appID), "data.item_fyne_cache"},
	}, nil
}

// fynePrefsDir is where Fyne keeps this app's preferences and storage: its
// rootConfigDir (fyne internal/app/config_*.go) plus the app ID.
func fynePrefsDir() (string, error) {
	var root string
	switch runtime.GOOS {
	case "windows", "darwin":
		home, err := os.UserHomeDir()
		if err != nil {
			return "", err
		}
		if runtime.GOOS == "windows" {
			root = filepath.Join(home, "AppData", "Roaming")
		} else {
			root = filepath.Join(home, "Library", "Preferences")
		}
	default:
		d, err := os.UserConfigDir()
		if err != nil {
			return "", err
		}
		root = d
	}
	return filepath.Join(root, "fyne", appID), nil
}

// tafel data remove [--yes] [--keep-secrets]
func runDataRemove(ctx context.Context, e env) int {
	fs := newFlags(e, "tafel data remove", "data.usage")
	yes := fs.Bool("yes", false, "")
	fs.BoolVar(yes, "y", false, "")
	keepSecrets := fs.Bool("keep-secrets", false, "")
	if pos, err := parseInterleaved(fs, e.args); err != nil {
		return flagError(e, err, "data.usage")
	} else if len(pos) != 0 {
		return usage(e, "data.usage")
	}
	dirs, err := localDataDirs()
	if err != nil {
		fmt.Fprintln(e.stderr, e.tr.T("data.no_dirs", map[string]any{"Detail": err.Error()}))
		return exitFail
	}
	if dataWorld.appRunning() {
		fmt.Fprintln(e.stderr, e.tr.T("data.app_running"))
		return exitFail
	}
	var present []dataDir
	for _, d := range dirs {
		if _, err := os.Lstat(d.path); err == nil {
			present = append(present, d)
		}
	}
	if len(present) == 0 && *keepSecrets {
		fmt.Fprintln(e.stderr, e.tr.T("data.nothing"))
		return exitOK
	}

	if !*yes {
		fmt.Fprintln(e.stderr, e.tr.T("data.will_remove"))
		for _, d := range present {
			fmt.Fprintf(e.stderr, "  %s\n      %s\n", d.path, e.tr.T(d.key))
		}
		if !*keepSecrets {
			fmt.Fprintf(e.stderr, "  %s\n", e.tr.T("data.item_secrets", map[string]any{"Service": config.KeyringService}))
		}
		fmt.Fprintln(e.stderr, e.tr.T("data.kept"))
		if !world.stdinIsTerminal() {
			fmt.Fprintln(e.stderr, e.tr.T("data.need_yes"))
			return exitUsage
		}
		fmt.Fprint(e.stderr, e.tr.T("data.confirm"))
		line, _ := bufio.NewReader(world.stdin).ReadString('\n')
		if !confirmed(line) {
			fmt.Fprintln(e.stderr, e.tr.T("data.cancelled"))
			return exitOK
		}
	}

	stopLogging()
	code := exitOK
	for _, d := range present {
		if err := os.RemoveAll(d.path); err != nil {
			fmt.Fprintln(e.stderr, e.tr.T("data.remove_failed", map[string]any{"Path": d.path, "Detail": pathErrDetail(err)}))
			code = exitFail
			continue
		}
		fmt.Fprintln(e.stderr, e.tr.T("data.removed", map[string]any{"Path": d.path}))
	}
	if !*keepSecrets {
		if err := dataWorld.deleteSecrets(ctx); err != nil {
			fmt.Fprintln(e.stderr, e.tr.T(secretsErrorKey(err), map[string]any{"Service": config.KeyringService}))
			if code == exitOK {
				code = exitWarn
			}
		} else {
			fmt.Fprintln(e.stderr, e.tr.T("data.secrets_removed", map[string]any{"Service": config.KeyringService}))
		}
	}
	if code == exitOK {
		fmt.Fprintln(e.stderr, e.tr.T("data.done"))
	}
	return code
}

// confirmed accepts yes in German or English; anything else means no.
func confirmed(answer string) bool {
	switch strings.ToLower(strings.TrimSpace(answer)) {
	case "j", "ja", "y", "yes":
		return true
	}
	return false
}

// pathErrDetail is the OS reason without the path (printed separately).
func pathErrDetail(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// deleteKeyringItems removes every keyring item of service "tafel" (one per
// pool, account "pool:<name>"). Like config.Keyring it runs the call in a
// goroutine under a timeout, since the keyring may wait for an unlock prompt.
func deleteKeyringItems(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, config.DefaultKeyringTimeout)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- keyring.DeleteAll(config.KeyringService) }()
	select {
	case err := <-done:
		if errors.Is(err, keyring.ErrNotFound) {
			return nil
		}
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// secretsErrorKey picks the message for a failed keyring cleanup.
func secretsErrorKey(err error) string {
	if errors.Is(err, context.DeadlineExceeded) {
		return "data.secrets_timeout"
	}
	msg := err.Error()
	if strings.Contains(msg, "failed to unlock") || strings.Contains(msg, "IsLocked") || strings.Contains(msg, "dismissed") {
		return "data.secrets_locked"
	}
	return "data.secrets_unavailable"
}
