//go:build !linux

// Command gui is the GUI benchmark; it needs Linux (Xvfb, /proc).
package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "bench/gui runs on Linux only (Xvfb, xev, /proc)")
	os.Exit(2)
}
