// Package filelock serialises read-modify-write cycles on a file between
// processes (the tray app and a CLI command changing the rooms file at the
// same time). It locks a sidecar file "<path>.lock", so the data file itself
// can still be replaced atomically by rename.
package filelock

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"time"
)

// ErrTimeout means another process held the lock for the whole wait.
var ErrTimeout = errors.New("filelock: file is busy in another Tafel process")

// Lock takes an exclusive lock for path, waiting until ctx ends. The returned
// function releases it. Locks are advisory: they only coordinate Tafel's
// own processes, and the OS drops them if a process dies.
func Lock(ctx context.Context, path string) (unlock func(), err error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path+".lock", os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	delay := time.Millisecond
	for {
		ok, err := tryLock(f)
		if err != nil {
			f.Close()
			return nil, err
		}
		if ok {
			return func() { unlockFile(f); f.Close() }, nil
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, ErrTimeout
		case <-time.After(delay):
		}
		if delay < 50*time.Millisecond {
			delay *= 2
		}
	}
}
