package logfile

import (
	"bytes"
	"context"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestRecentAcrossRotatedFiles(t *testing.T) {
	dir := t.TempDir()
	w, err := Open(dir, Options{MaxBytes: 2000, Keep: 3})
	if err != nil {
		t.Fatal(err)
	}
	log := NewLogger(w, WithLevel(slog.LevelDebug))
	levels := []slog.Level{slog.LevelDebug, slog.LevelInfo, slog.LevelWarn, slog.LevelError}
	for i := range 60 {
		log.Log(t.Context(), levels[i%4], "event "+strconv.Itoa(i), "i", i, slog.Group("g", "u", "https://h/x?checksum=1"))
	}
	w.Close()
	files, _ := logFiles(dir)
	if len(files) != 4 {
		t.Fatalf("%d files, want 4 (test needs rotated files)", len(files))
	}

	got, err := Recent(dir, slog.LevelWarn, 5, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 5 {
		t.Fatalf("%d records, want 5", len(got))
	}
	// The last five at WARN or above of 0..59 are 50,51,54,55,58,59 minus the first.
	want := []string{"51", "54", "55", "58", "59"}
	for k, r := range got {
		if r.Attrs["i"] != want[k] || r.Msg != "event "+want[k] {
			t.Errorf("record %d = %q %v, want event %s", k, r.Msg, r.Attrs, want[k])
		}
		if r.Level != "WARN" && r.Level != "ERROR" {
			t.Errorf("level %s below minimum", r.Level)
		}
		if r.Attrs["g.u"] != "https://h/x" {
			t.Errorf("flattened group attr = %q", r.Attrs["g.u"])
		}
		if r.Time.IsZero() {
			t.Error("zero time")
		}
	}

	all, _ := Recent(dir, slog.LevelDebug, 0, time.Time{})
	for k := 1; k < len(all); k++ {
		a, _ := strconv.Atoi(all[k-1].Attrs["i"])
		b, _ := strconv.Atoi(all[k].Attrs["i"])
		if b != a+1 {
			t.Fatalf("records not in order across files: %d then %d", a, b)
		}
	}
	if all[len(all)-1].Attrs["i"] != "59" {
		t.Errorf("newest record missing")
	}

	future, _ := Recent(dir, slog.LevelDebug, 0, time.Now().Add(time.Hour))
	if len(future) != 0 {
		t.Errorf("since in the future gave %d records", len(future))
	}
}

func TestRecentOnGarbage(t *testing.T) {
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(1, 2))
	junk := make([]byte, 200<<10)
	for i := range junk {
		junk[i] = byte(rng.UintN(256))
	}
	long := `{"level":"ERROR","msg":"` + strings.Repeat("x", MaxLineBytes) + `"}`
	var b bytes.Buffer
	b.Write(junk)
	b.WriteString("\n{\"time\":\"2026-01-02T03:04:05Z\",\"level\":\"ERROR\",\"msg\":\"first\"}\n")
	b.WriteString(long + "\n")
	b.WriteString("{\"level\":\"ERROR\",\"msg\":\"trailing\"} {\"x\":1}\n")
	b.WriteString("[1,2,3]\n{\"level\":5,\"msg\":\"num level\"}\n{\"level\":\"LOUD\",\"msg\":\"bad level\"}\n")
	b.WriteString("{\"level\":\"ERROR\",\"msg\":\"cut")
	b.WriteString("\n\r\n{\"level\":\"ERROR+2\",\"msg\":\"second\",\"time\":\"not a time\",\"a\":[1,{\"b\":null}],\"t\":true}\r\n")
	b.WriteString(strings.Repeat("y", 3*MaxLineBytes)) // unterminated long tail
	if err := os.WriteFile(filepath.Join(dir, FileName+".1"), b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, FileName), []byte("\x00\x00{\"level\":\"WARN\",\"msg\":\"third\"}\n{\"level\":\"WARN\",\"msg\":\"fourth\"}"), 0o600)
	os.WriteFile(filepath.Join(dir, FileName+".x"), []byte("{\"level\":\"ERROR\",\"msg\":\"not a log file\"}\n"), 0o600)

	got, err := Recent(dir, slog.LevelWarn, 10, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	var msgs []string
	for _, r := range got {
		msgs = append(msgs, r.Msg)
	}
	if strings.Join(msgs, ",") != "first,second,fourth" {
		t.Errorf("messages = %q", msgs)
	}
	if len(got) == 3 {
		if got[1].Attrs["a"] != `[1,{"b":null}]` || got[1].Attrs["t"] != "true" || !got[1].Time.IsZero() {
			t.Errorf("second record = %+v", got[1])
		}
		if got[0].Time.Year() != 2026 {
			t.Errorf("first time = %v", got[0].Time)
		}
	}
}

func TestRecentMissingOrEmpty(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nope")
	if got, err := Recent(missing, slog.LevelDebug, 10, time.Time{}); err != nil || len(got) != 0 {
		t.Errorf("missing dir: %v, %v", got, err)
	}
	if _, err := os.Stat(missing); err == nil {
		t.Error("Recent created the missing directory")
	}
	if got, err := Recent(t.TempDir(), slog.LevelDebug, 10, time.Time{}); err != nil || len(got) != 0 {
		t.Errorf("empty dir: %v, %v", got, err)
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, FileName), nil, 0o600)
	if got, err := Recent(dir, slog.LevelDebug, 10, time.Time{}); err != nil || len(got) != 0 {
		t.Errorf("empty file: %v, %v", got, err)
	}
}

// quickLevel, Recent's shortcut past INFO lines, reads the same level as
// the full parse for what NewLogger writes, and gives up on other layouts.
func TestQuickLevel(t *testing.T) {
	var b bytes.Buffer
	l := NewLogger(&b, WithLevel(slog.LevelDebug))
	l.Debug("d")
	l.Warn(`"level":"DEBUG"`)
	l.Log(context.Background(), slog.LevelError+2, "e2")
	for _, line := range bytes.Split(bytes.TrimSpace(b.Bytes()), []byte("\n")) {
		q, ok := quickLevel(line)
		r, ok2 := ParseLine(line)
		if !ok || !ok2 || q != r.level() {
			t.Errorf("%s: quick %v %v, parsed %v %v", line, q, ok, r.Level, ok2)
		}
	}
	// An attribute named "level" does not change the record's level.
	b.Reset()
	l.Info("i", "level", "ERROR")
	if q, ok := quickLevel(bytes.TrimSpace(b.Bytes())); !ok || q != slog.LevelInfo {
		t.Errorf("an INFO record with a level attribute: %v %v", q, ok)
	}
	for _, line := range []string{`{"level":"INFO","msg":"x"}`, `{"time":"t","msg":"x","level":"INFO"}`, `{"time":"t","level":"LOUD"}`, `not json`} {
		if _, ok := quickLevel([]byte(line)); ok {
			t.Errorf("quickLevel(%s) claims a level", line)
		}
	}
}
