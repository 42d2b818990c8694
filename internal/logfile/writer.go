// Package logfile writes Tafel's log: JSON records (log/slog) to a
// size-rotated file in the user's cache directory, shared by the tray app
// and CLI commands running at the same time, with every string scrubbed of
// signed URLs, credentials and tokens before it reaches the disk. Recent
// reads the last records back for the IT diagnostics report.
//
// Logging is never fatal: when the directory cannot be created or written,
// the Writer silently drops records.
package logfile

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tafel-schule/tafel/internal/filelock"
)

// FileName is the current log file; rotated files are FileName.1 (newest)
// to FileName.Keep (oldest).
const FileName = "tafel.log"

// Defaults for Options.
const (
	DefaultMaxBytes    int64 = 1 << 20
	DefaultKeep              = 3
	DefaultLockTimeout       = 2 * time.Second
)

// reopenBackoff bounds how often a Writer without a usable file retries
// opening it (the directory may come back, e.g. after a cache cleanup).
const reopenBackoff = 5 * time.Second

// Options configure a Writer. Zero values mean the defaults.
type Options struct {
	// MaxBytes is the size at which the file is rotated (default 1 MiB).
	MaxBytes int64
	// Keep is the number of rotated files kept (default 3); negative keeps none.
	Keep int
	// LockTimeout bounds the wait for another process's rotation (default 2 s).
	// On timeout the record is written anyway and rotation is left for later.
	LockTimeout time.Duration
}

func (o Options) withDefaults() Options {
	if o.MaxBytes <= 0 {
		o.MaxBytes = DefaultMaxBytes
	}
	switch {
	case o.Keep == 0:
		o.Keep = DefaultKeep
	case o.Keep < 0:
		o.Keep = 0
	}
	if o.LockTimeout <= 0 {
		o.LockTimeout = DefaultLockTimeout
	}
	return o
}

// Dir is the log directory: os.UserCacheDir()/tafel/logs.
func Dir() (string, error) {
	c, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(c, "tafel", "logs"), nil
}

// Writer appends records to dir/tafel.log and rotates it by size. Several
// Writers, in one process or many, may share a directory: the file is
// opened with O_APPEND and each Write is one write(2), so records never
// interleave; rotation is serialised with internal/filelock. Write never
// fails: errors drop the record and are counted (Dropped).
type Writer struct {
	path string // "" for a no-op Writer
	opts Options

	mu      sync.Mutex
	f       *os.File
	fi      os.FileInfo // of f, to notice another process's rotation
	retryAt time.Time   // when f is nil: next attempt to reopen
	closed  bool

	dropped atomic.Int64
}

// Open opens (creating with mode 0700/0600) dir/tafel.log for appending.
// It always returns a usable Writer: on error, one that discards records,
// so the caller may ignore the error and log into the void.
func Open(dir string, opts Options) (*Writer, error) {
	if dir == "" {
		return Discard(), errors.New("logfile: empty directory")
	}
	w := &Writer{path: filepath.Join(dir, FileName), opts: opts.withDefaults()}
	if err := w.reopen(); err != nil {
		return Discard(), err
	}
	return w, nil
}

// Discard returns a Writer that drops every record.
func Discard() *Writer { return &Writer{closed: true} }

// Path is the current log file, "" for a discarding Writer.
func (w *Writer) Path() string { return w.path }

// Dropped counts records that could not be written.
func (w *Writer) Dropped() int64 { return w.dropped.Load() }

// reopen (re)opens the file at w.path; w.mu is held or w is not shared yet.
func (w *Writer) reopen() error {
	if w.f != nil {
		w.f.Close()
		w.f, w.fi = nil, nil
	}
	if err := os.MkdirAll(filepath.Dir(w.path), 0o700); err != nil {
		w.retryAt = time.Now().Add(reopenBackoff)
		return err
	}
	f, err := os.OpenFile(w.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		w.retryAt = time.Now().Add(reopenBackoff)
		return err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		w.retryAt = time.Now().Add(reopenBackoff)
		return err
	}
	if fi.Mode().Perm()&0o077 != 0 {
		f.Chmod(0o600) // an older or hand-made file: logs are private
	}
	w.f, w.fi = f, fi
	return nil
}

// Write appends p, one record, in a single write. It always reports
// success so that an io.MultiWriter or a log handler keeps going.
func (w *Writer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return len(p), nil
	}
	if err := w.prepare(int64(len(p))); err != nil || w.f == nil {
		w.dropped.Add(1)
		return len(p), nil
	}
	if _, err := w.f.Write(p); err != nil {
		w.dropped.Add(1)
		// The file may be gone or the disk full: start over next time.
		w.f.Close()
		w.f, w.fi = nil, nil
		w.retryAt = time.Now().Add(reopenBackoff)
	}
	return len(p), nil
}

// prepare makes w.f the file at w.path with room for n more bytes,
// rotating or following another process's rotation.
func (w *Writer) prepare(n int64) error {
	if w.f == nil {
		if time.Now().Before(w.retryAt) {
			return errNoFile
		}
		if err := w.reopen(); err != nil {
			return err
		}
	}
	// One stat per record: the path's size decides rotation, and its
	// identity shows whether someone else rotated (or deleted) the file.
	pfi, err := os.Stat(w.path)
	if err != nil || !os.SameFile(pfi, w.fi) {
		if err := w.reopen(); err != nil {
			return err
		}
		if pfi, err = os.Stat(w.path); err != nil {
			return err
		}
	}
	if pfi.Size() == 0 || pfi.Size()+n <= w.opts.MaxBytes {
		return nil
	}
	return w.rotate(n)
}

var errNoFile = errors.New("logfile: no file")

// rotate shifts tafel.log → .1 → .2 … under the cross-process lock, after
// checking again that nobody else did it meanwhile.
func (w *Writer) rotate(n int64) error {
	ctx, cancel := context.WithTimeout(context.Background(), w.opts.LockTimeout)
	defer cancel()
	unlock, err := filelock.Lock(ctx, w.path)
	if err != nil {
		return nil // write into the big file rather than lose the record
	}
	defer unlock()
	pfi, err := os.Stat(w.path)
	if err == nil && pfi.Size() > 0 && pfi.Size()+n > w.opts.MaxBytes {
		// Close first: Windows cannot rename a file this process holds open.
		w.f.Close()
		w.f, w.fi = nil, nil
		if w.opts.Keep == 0 {
			os.Remove(w.path)
		} else {
			os.Remove(w.rotated(w.opts.Keep))
			for i := w.opts.Keep - 1; i >= 1; i-- {
				os.Rename(w.rotated(i), w.rotated(i+1))
			}
			// If this fails (Windows, another process has the file open),
			// the file just grows until a later rotation succeeds.
			os.Rename(w.path, w.rotated(1))
		}
	}
	if w.f != nil {
		if pfi2, err := os.Stat(w.path); err == nil && os.SameFile(pfi2, w.fi) {
			return nil
		}
	}
	return w.reopen()
}

func (w *Writer) rotated(i int) string { return w.path + "." + strconv.Itoa(i) }

// Close closes the file; later writes are dropped silently.
func (w *Writer) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.closed = true
	if w.f == nil {
		return nil
	}
	err := w.f.Close()
	w.f, w.fi = nil, nil
	if err != nil {
		return fmt.Errorf("logfile: close: %w", err)
	}
	return nil
}
