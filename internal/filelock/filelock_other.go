//go:build !unix && !windows

package filelock

import "os"

// Platforms without file locks fall back to in-process use only.
func tryLock(*os.File) (bool, error) { return true, nil }
func unlockFile(*os.File)            {}
