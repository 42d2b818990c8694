//go:build !(linux || darwin || freebsd || openbsd || netbsd || dragonfly || windows)

package main

import (
	"errors"
	"os"
)

func isTerminal(*os.File) bool { return false }

func readPasswordNoEcho(*os.File) (string, error) {
	return "", errors.New("no hidden input on this platform; pipe the secret on standard input")
}
