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

// BenchmarkRecentFullLog: Recent (what the IT report reads) over a full
// log directory: the current file and 3 rotated ones of 1 MiB each, mostly
// INFO records with a WARN every 20th; the last 50 warnings are kept.
func BenchmarkRecentFullLog(b *testing.B) {
	dir := b.TempDir()
	w, err := Open(dir, Options{})
	if err != nil {
		b.Fatal(err)
	}
	l := NewLogger(w, WithLevel(slog.LevelInfo))
	for i := 0; ; i++ {
		if i%20 == 0 {
			l.Warn("problem shown", "err", benchErr, "code", "timeout")
		} else {
			logOne(l)
		}
		if i%1000 == 0 {
			if _, err := os.Stat(filepath.Join(dir, FileName+".3")); err == nil {
				if fi, _ := os.Stat(filepath.Join(dir, FileName)); fi != nil && fi.Size() > DefaultMaxBytes-4096 {
					break
				}
			}
		}
	}
	w.Close()
	b.ReportAllocs()
	for b.Loop() {
		recs, err := Recent(dir, slog.LevelWarn, 50, time.Time{})
		if err != nil || len(recs) != 50 {
			b.Fatalf("%d records, %v", len(recs), err)
		}
	}
}
