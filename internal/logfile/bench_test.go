package logfile

import (
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"
)

var benchErr = errors.New("dial tcp 192.0.2.1:443: i/o timeout")

func logOne(l *slog.Logger) {
	l.Info("pool call", "room", "Klasse 7b Mathe", "status", 200, "duration", 123*time.Millisecond, "err", benchErr)
}

// BenchmarkLogRecord: one Info record with 4 attrs through the scrubbing
// handler and the rotating Writer (default 1 MiB rotation, so rotations
// are included in the figure).
func BenchmarkLogRecord(b *testing.B) {
	w, err := Open(b.TempDir(), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer w.Close()
	l := NewLogger(w, WithLevel(slog.LevelInfo))
	b.ReportAllocs()
	for b.Loop() {
		logOne(l)
	}
}

// BenchmarkLogRecordReference: the same record through a plain
// slog.NewJSONHandler on a plain *os.File, for the ratio.
func BenchmarkLogRecordReference(b *testing.B) {
	f, err := os.OpenFile(filepath.Join(b.TempDir(), "plain.log"), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	l := slog.New(slog.NewJSONHandler(f, nil))
	b.ReportAllocs()
	for b.Loop() {
		logOne(l)
	}
}
