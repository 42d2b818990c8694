package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/tafel-schule/tafel/internal/singleinstance"
	"github.com/tafel-schule/tafel/internal/testenv"
	"github.com/zalando/go-keyring"
)

// dataHome is a temporary HOME with every kind of file `tafel data remove`
// deletes, plus the shared ones it must keep. It returns the paths of both.
func dataHome(t *testing.T) (remove, keep []string) {
	t.Helper()
	home := testenv.TempHome(t)
	appNotRunning(t)
	cfg := filepath.Join(home, ".config")
	cache := filepath.Join(home, ".cache")
	remove = []string{
		filepath.Join(cfg, "tafel", "config.json"),
		filepath.Join(cfg, "tafel", "rooms.json"),
		filepath.Join(cache, "tafel", "logs", "tafel.log"),
		filepath.Join(cache, "tafel", "last-checks.json"),
		filepath.Join(cfg, "fyne", appID, "preferences.json"),
		filepath.Join(cache, "fyne", appID, "x"),
	}
	keep = []string{
		filepath.Join(cache, "fyne", "other.fyne.app", "x"),
		filepath.Join(cache, "font_index_v6.cache"),                      // go-text, all its apps
		filepath.Join(cfg, "fyne", "settings.json"),                      // all Fyne apps
		filepath.Join(cfg, "fyne", "other.fyne.app", "preferences.json"), // another app
		filepath.Join(cache, "other", "x"),
	}
	for _, p := range append(append([]string{}, remove...), keep...) {
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("{}"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return remove, keep
}

// runDataCLI runs `tafel … --lang en` with stdin and returns code, stdout, stderr.
func runDataCLI(t *testing.T, terminal bool, stdin string, args ...string) (int, string, string) {
	t.Helper()
	saved := world
	t.Cleanup(func() { world = saved })
	world.stdin = strings.NewReader(stdin)
	world.stdinIsTerminal = func() bool { return terminal }
	var out, errb bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	code := run(ctx, append(args, "--lang", "en"), &out, &errb)
	return code, out.String(), errb.String()
}

// appNotRunning replaces the probe for a running Tafel, so a developer's
// own Tafel (same user, same lock) does not make the tests refuse.
func appNotRunning(t *testing.T) {
	t.Helper()
	saved := dataWorld.appRunning
	t.Cleanup(func() { dataWorld.appRunning = saved })
	dataWorld.appRunning = func() bool { return false }
}

// fakeSecrets replaces the keyring cleanup and counts its calls.
func fakeSecrets(t *testing.T, err error) *int {
	t.Helper()
	saved := dataWorld.deleteSecrets
	t.Cleanup(func() { dataWorld.deleteSecrets = saved })
	calls := new(int)
	dataWorld.deleteSecrets = func(context.Context) error { *calls++; return err }
	return calls
}

func exists(p string) bool {
	_, err := os.Lstat(p)
	return err == nil
}

func TestDataRemove(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the paths below are the XDG ones")
	}
	tests := []struct {
		name       string
		args       []string
		terminal   bool
		stdin      string
		secretsErr error
		wantCode   int
		wantGone   bool
		wantCalls  int
		wantStderr string
	}{
		{name: "yes", args: []string{"--yes"}, wantCode: exitOK, wantGone: true, wantCalls: 1, wantStderr: "Done"},
		{name: "keep secrets", args: []string{"--yes", "--keep-secrets"}, wantCode: exitOK, wantGone: true, wantCalls: 0},
		{name: "no terminal refuses", args: nil, wantCode: exitUsage, wantStderr: "--yes"},
		{name: "terminal yes", terminal: true, stdin: "y\n", wantCode: exitOK, wantGone: true, wantCalls: 1},
		{name: "terminal ja", terminal: true, stdin: "Ja\n", wantCode: exitOK, wantGone: true, wantCalls: 1},
		{name: "terminal no", terminal: true, stdin: "n\n", wantCode: exitOK, wantStderr: "Cancelled"},
		{name: "terminal empty answer", terminal: true, stdin: "", wantCode: exitOK, wantStderr: "Cancelled"},
		{name: "keyring unavailable", args: []string{"--yes"}, secretsErr: errors.New("dial unix /run/user/1/bus: no such file"),
			wantCode: exitWarn, wantGone: true, wantCalls: 1, wantStderr: "secret-tool clear service tafel"},
		{name: "keyring timeout", args: []string{"-y"}, secretsErr: context.DeadlineExceeded,
			wantCode: exitWarn, wantGone: true, wantCalls: 1, wantStderr: "did not answer"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			remove, keep := dataHome(t)
			calls := fakeSecrets(t, tc.secretsErr)
			code, stdout, stderr := runDataCLI(t, tc.terminal, tc.stdin, append([]string{"data", "remove"}, tc.args...)...)
			if code != tc.wantCode {
				t.Fatalf("exit code %d, want %d; stderr:\n%s", code, tc.wantCode, stderr)
			}
			if stdout != "" {
				t.Errorf("stdout should stay empty, got %q", stdout)
			}
			if !strings.Contains(stderr, tc.wantStderr) {
				t.Errorf("stderr lacks %q:\n%s", tc.wantStderr, stderr)
			}
			if *calls != tc.wantCalls {
				t.Errorf("keyring cleanup called %d times, want %d", *calls, tc.wantCalls)
			}
			for _, p := range remove {
				if exists(p) == tc.wantGone {
					t.Errorf("%s: exists=%v, want gone=%v", p, exists(p), tc.wantGone)
				}
			}
			for _, p := range keep {
				if !exists(p) {
					t.Errorf("%s was deleted but belongs to others", p)
				}
			}
		})
	}
}

func TestDataRemoveListsBeforeAsking(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the paths below are the XDG ones")
	}
	remove, _ := dataHome(t)
	fakeSecrets(t, nil)
	_, _, stderr := runDataCLI(t, false, "", "data", "remove")
	for _, dir := range []string{filepath.Dir(remove[0]), filepath.Dir(filepath.Dir(remove[2])), filepath.Dir(remove[4]), filepath.Dir(remove[5])} {
		if !strings.Contains(stderr, dir+"\n") {
			t.Errorf("the list lacks %s:\n%s", dir, stderr)
		}
	}
	if !strings.Contains(stderr, `service "tafel"`) {
		t.Errorf("the list lacks the keyring items:\n%s", stderr)
	}
}

func TestDataRemoveNothingThere(t *testing.T) {
	testenv.TempHome(t)
	appNotRunning(t)
	calls := fakeSecrets(t, nil)
	code, _, stderr := runDataCLI(t, false, "", "data", "remove", "--yes", "--keep-secrets")
	if code != exitOK || !strings.Contains(stderr, "no Tafel data") || *calls != 0 {
		t.Fatalf("code %d, calls %d, stderr:\n%s", code, *calls, stderr)
	}
}

func TestDataUsage(t *testing.T) {
	for _, args := range [][]string{{"data"}, {"data", "wipe"}, {"data", "remove", "extra"}, {"data", "remove", "--force"}} {
		code, _, stderr := runDataCLI(t, false, "", args...)
		if code != exitUsage || !strings.Contains(stderr, "tafel data remove") {
			t.Errorf("%v: code %d, stderr:\n%s", args, code, stderr)
		}
	}
}

// TestDataRemoveRealKeyring deletes Tafel's items from a real gnome-keyring
// and leaves another service's item alone.
func TestDataRemoveRealKeyring(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("needs the Secret Service")
	}
	testenv.StartKeyring(t)
	dataHome(t)
	for _, acct := range []string{"pool:Schul-BBB", "pool:Test"} {
		if err := keyring.Set("tafel", acct, "data-test-secret"); err != nil {
			t.Fatalf("keyring.Set: %v", err)
		}
	}
	if err := keyring.Set("other-app", "user", "keep-me"); err != nil {
		t.Fatalf("keyring.Set: %v", err)
	}
	code, _, stderr := runDataCLI(t, false, "", "data", "remove", "--yes")
	if code != exitOK {
		t.Fatalf("exit code %d; stderr:\n%s", code, stderr)
	}
	for _, acct := range []string{"pool:Schul-BBB", "pool:Test"} {
		if _, err := keyring.Get("tafel", acct); !errors.Is(err, keyring.ErrNotFound) {
			t.Errorf("%s still in the keyring (err %v)", acct, err)
		}
	}
	if v, err := keyring.Get("other-app", "user"); err != nil || v != "keep-me" {
		t.Errorf("another service's item was touched: err %v", err)
	}
	if strings.Contains(stderr, "data-test-secret") {
		t.Error("stderr shows a secret")
	}
}

// TestDataRemoveRefusesWhileAppRuns: a running Tafel would write its files
// again, so nothing is deleted. The "app" is a real single-instance
// listener in a private runtime directory.
func TestDataRemoveRefusesWhileAppRuns(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the paths below are the XDG ones")
	}
	remove, _ := dataHome(t)
	dataWorld.appRunning = appRunning // the real probe (dataHome faked it)
	run := filepath.Join(t.TempDir(), "run")
	if err := os.Mkdir(run, 0o700); err != nil {
		t.Fatal(err)
	}
	t.Setenv("XDG_RUNTIME_DIR", run)
	shown := make(chan struct{}, 1)
	app, err := singleinstance.Listen(appID, func() {
		select {
		case shown <- struct{}{}:
		default:
		}
	})
	if err != nil {
		t.Fatalf("singleinstance.Listen: %v", err)
	}
	calls := fakeSecrets(t, nil)
	code, _, stderr := runDataCLI(t, false, "", "data", "remove", "--yes")
	if code != exitFail || !strings.Contains(stderr, "still running") {
		t.Errorf("with Tafel running: code %d, want %d; stderr:\n%s", code, exitFail, stderr)
	}
	select {
	case <-shown:
	default:
		t.Error("the running Tafel was not asked to show itself")
	}
	for _, p := range remove {
		if !exists(p) {
			t.Errorf("%s was deleted while Tafel runs", p)
		}
	}
	if *calls != 0 {
		t.Errorf("keyring cleanup called %d times while Tafel runs", *calls)
	}

	// Once it has quit, the same command goes ahead.
	if err := app.Close(); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := runDataCLI(t, false, "", "data", "remove", "--yes"); code != exitOK {
		t.Fatalf("after quitting: code %d; stderr:\n%s", code, stderr)
	}
	for _, p := range remove {
		if exists(p) {
			t.Errorf("%s still there", p)
		}
	}
}

// TestDataRemoveLeavesNoLog runs the command as main does, with the log
// file in the cache folder it deletes: its own "command finished" record
// must not bring ~/.cache/tafel back.
func TestDataRemoveLeavesNoLog(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the paths below are the XDG ones")
	}
	remove, _ := dataHome(t)
	t.Setenv(logDirEnv, "") // the real place: ~/.cache/tafel/logs
	fakeSecrets(t, nil)
	var out, errb bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if code := runLogged(ctx, []string{"data", "remove", "--yes", "--lang", "en"}, &out, &errb); code != exitOK {
		t.Fatalf("code %d; stderr:\n%s", code, errb.String())
	}
	cacheDir := filepath.Dir(filepath.Dir(remove[2])) // ~/.cache/tafel
	if exists(cacheDir) {
		var left []string
		_ = filepath.WalkDir(cacheDir, func(p string, _ os.DirEntry, _ error) error { left = append(left, p); return nil })
		t.Errorf("%s is back after the removal: %v", cacheDir, left)
	}
}
