//go:build !(linux || freebsd || openbsd || netbsd || dragonfly)

package trayhost

import "context"

// AvailableContext: Windows has the notification area and macOS the menu
// bar, always.
func AvailableContext(context.Context) bool { return true }
