//go:build linux && race

package testenv

// Under -race the tray app is built with -race too: it then reuses the
// race-compiled Fyne objects that `go test -race ./...` builds for the
// app's own packages anyway, instead of compiling Fyne a second time.
func init() { trayAppBuildFlags = append(trayAppBuildFlags, "-race") }
