package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"

	"github.com/tafel-schule/tafel/internal/logfile"
)

// readLog returns the records and raw bytes of dir's log.
func readLog(t *testing.T, dir string) ([]logfile.Record, []byte) {
	t.Helper()
	recs, err := logfile.Recent(dir, slog.LevelDebug, 0, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(filepath.Join(dir, logfile.FileName))
	return recs, b
}

// After setupLogging, the standard log package (and so fyne.LogError)
// goes through the scrubbing JSON handler into the file.
func TestLoggingStdlibBridge(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(logDirEnv, dir)
	prevOut := log.Writer()
	_, closeLog := setupLogging("gui")
	log.Printf("plain log: https://bbb.example.org/api/join?checksum=deadbeefcafe1234&fullName=Erika")
	fyne.LogError("could not open", &url.Error{Op: "Get", URL: "https://h.example/x?sessionToken=tok7766", Err: errors.New("refused")})
	slog.Info("slog default", "k", "v")
	closeLog()
	closeLog() // idempotent
	if log.Writer() != prevOut {
		t.Error("close did not restore the standard log's output")
	}

	recs, raw := readLog(t, dir)
	for _, s := range []string{"deadbeefcafe1234", "Erika", "tok7766"} {
		if bytes.Contains(raw, []byte(s)) {
			t.Errorf("log holds a secret marker (len %d)", len(s))
		}
	}
	var msgs []string
	for _, r := range recs {
		msgs = append(msgs, r.Level+" "+r.Msg)
		if r.Attrs["component"] != "gui" {
			t.Errorf("record %q without component", r.Msg)
		}
	}
	joined := strings.Join(msgs, "\n")
	for _, want := range []string{
		"WARN plain log: https://bbb.example.org/api/join\n",
		"WARN Fyne error:  could not open",
		`WARN   Cause: Get "https://h.example/x": refused`,
		"INFO slog default",
	} {
		if !strings.Contains(joined, want) {
			t.Errorf("log lacks %q; have:\n%s", want, joined)
		}
	}
}

func TestLogCommandResult(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(logDirEnv, dir)
	logCommandResult("check", 2, nil) // not set up: nothing, no panic
	_, closeLog := setupLogging("cli:check")
	logSecrets.Add("ShArEdSeCrEt99")
	for code := range 5 {
		var err error
		if code == 2 {
			err = fmt.Errorf("pool: %w", errors.New("secret ShArEdSeCrEt99 rejected at https://p.example/api/create?checksum=77aa"))
		}
		logCommandResult("check", code, err)
	}
	closeLog()
	logCommandResult("check", 0, nil) // after close: nothing

	recs, raw := readLog(t, dir)
	if bytes.Contains(raw, []byte("ShArEdSeCrEt99")) || bytes.Contains(raw, []byte("77aa")) {
		t.Error("log holds the secret or checksum")
	}
	want := []string{"INFO", "WARN", "ERROR", "ERROR", "ERROR"}
	if len(recs) != len(want) {
		t.Fatalf("%d records, want %d", len(recs), len(want))
	}
	for i, r := range recs {
		if r.Level != want[i] || r.Msg != "command finished" || r.Attrs["command"] != "check" || r.Attrs["exit_code"] != fmt.Sprint(i) || r.Attrs["component"] != "cli:check" {
			t.Errorf("record %d = %s %q %v", i, r.Level, r.Msg, r.Attrs)
		}
	}
	if !strings.Contains(recs[2].Attrs["err"], "rejected at https://p.example/api/create") {
		t.Errorf("err attr = %q", recs[2].Attrs["err"])
	}
}

// An unusable log directory: everything still works and nothing is said.
func TestLoggingUnwritableDirIsSilent(t *testing.T) {
	blocker := filepath.Join(t.TempDir(), "file")
	os.WriteFile(blocker, nil, 0o600)
	t.Setenv(logDirEnv, filepath.Join(blocker, "logs"))

	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	saved := os.Stderr
	os.Stderr = w
	logger, closeLog := setupLogging("cli:version")
	logger.Error("into the void")
	log.Print("also void")
	logCommandResult("version", 3, errors.New("x"))
	closeLog()
	os.Stderr = saved
	w.Close()
	var got bytes.Buffer
	got.ReadFrom(r)
	if got.Len() != 0 {
		t.Errorf("wrote %d bytes to stderr", got.Len())
	}
}

func TestRunLoggedRecordsCommand(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(logDirEnv, dir)
	var out, errb bytes.Buffer
	if code := runLogged(context.Background(), []string{"version"}, &out, &errb); code != exitOK {
		t.Fatalf("exit %d", code)
	}
	if !strings.Contains(out.String(), "tafel ") {
		t.Errorf("stdout = %q", out.String())
	}
	recs, _ := readLog(t, dir)
	if len(recs) != 1 || recs[0].Attrs["component"] != "cli:version" || recs[0].Attrs["exit_code"] != "0" {
		t.Errorf("records = %+v", recs)
	}
}

func TestLogComponent(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "gui"},
		{[]string{"--lang", "de"}, "gui"},
		{[]string{"--hidden"}, "gui"},
		{[]string{"--lang=en", "version"}, "cli:version"},
		{[]string{"--version"}, "cli:version"},
		{[]string{"-h"}, "cli:help"},
		{[]string{"https://bbb.example.org/join?checksum=x"}, "cli:unknown"},
		{[]string{"demo", "--secret", "x"}, "cli:demo"},
	} {
		if got := logComponent(tc.args); got != tc.want {
			t.Errorf("logComponent(%q) = %q, want %q", tc.args, got, tc.want)
		}
	}
}
