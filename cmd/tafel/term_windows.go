package main

import (
	"bufio"
	"os"
	"strings"

	"golang.org/x/sys/windows"
)

// isTerminal reports whether f is a console.
func isTerminal(f *os.File) bool {
	var mode uint32
	return windows.GetConsoleMode(windows.Handle(f.Fd()), &mode) == nil
}

// readPasswordNoEcho reads one line from the console with echo off.
func readPasswordNoEcho(f *os.File) (string, error) {
	h := windows.Handle(f.Fd())
	var old uint32
	if err := windows.GetConsoleMode(h, &old); err != nil {
		return "", err
	}
	if err := windows.SetConsoleMode(h, (old&^windows.ENABLE_ECHO_INPUT)|windows.ENABLE_PROCESSED_INPUT|windows.ENABLE_LINE_INPUT); err != nil {
		return "", err
	}
	defer windows.SetConsoleMode(h, old)
	line, err := bufio.NewReader(f).ReadString('\n')
	if err != nil && line == "" {
		return "", err
	}
	return strings.TrimRight(line, "\r\n"), nil
}
