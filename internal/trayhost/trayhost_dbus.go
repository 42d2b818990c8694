//go:build linux || freebsd || openbsd || netbsd || dragonfly

package trayhost

import (
	"context"

	"github.com/godbus/dbus/v5"
)

// AvailableContext asks the session bus whether WatcherName has an owner.
// It never launches a bus (no dbus-launch autostart) and gives up when ctx
// ends; any failure means "no tray".
func AvailableContext(ctx context.Context) bool {
	type result struct{ ok bool }
	res := make(chan result, 1)
	conn, err := dbus.SessionBusPrivateNoAutoStartup(dbus.WithContext(ctx))
	if err != nil {
		return false
	}
	defer conn.Close()
	// Auth and Hello take no context; closing the connection from here
	// (deferred) unblocks them when ctx ends first.
	go func() {
		if conn.Auth(nil) != nil || conn.Hello() != nil {
			res <- result{}
			return
		}
		var has bool
		err := conn.BusObject().CallWithContext(ctx, "org.freedesktop.DBus.NameHasOwner", 0, WatcherName).Store(&has)
		res <- result{err == nil && has}
	}()
	select {
	case r := <-res:
		return r.ok
	case <-ctx.Done():
		return false
	}
}
