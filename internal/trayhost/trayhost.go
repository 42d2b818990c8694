// Package trayhost tells whether a system tray can show Tafel's icon right
// now (desktop-platform.md §5.3). On Linux that means a
// StatusNotifierWatcher on the session bus: stock GNOME has none, and a
// window hidden "to the tray" there would be lost. Probe at start-up and
// again before each hide, since the shell's watcher may appear after Tafel.
// No Fyne here: the probe is usable from the CLI and testable anywhere.
package trayhost

import (
	"context"
	"time"
)

// WatcherName is the bus name a StatusNotifierItem host claims.
const WatcherName = "org.kde.StatusNotifierWatcher"

// probeTimeout bounds one probe: a hung bus must not freeze the UI.
const probeTimeout = 2 * time.Second

// Available reports whether a tray host exists right now. On Windows and
// macOS the tray always exists.
func Available() bool {
	ctx, cancel := context.WithTimeout(context.Background(), probeTimeout)
	defer cancel()
	return AvailableContext(ctx)
}
