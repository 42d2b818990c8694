//go:build !windows

package main

// attachParentConsole is needed on Windows only, where the packaged exe is
// a GUI program without a console (console_windows.go).
func attachParentConsole() {}
