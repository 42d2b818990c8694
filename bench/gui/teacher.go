//go:build linux

package main

import (
	"context"
	"os"
	"path/filepath"
	"time"

	settings "github.com/tafel-schule/tafel/config"
	"github.com/tafel-schule/tafel/rooms"
)

// setUpTeacher writes what a set-up teacher's HOME holds: a pool in
// config.json, its secret in the Secret Service on busAddress, and three
// rooms. The pool's host does not resolve: nothing contacts it at start.
func setUpTeacher(home, busAddress string) error {
	dir := filepath.Join(home, ".config", settings.AppDirName)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	pool, err := settings.NewPool("Schule", "https://bbb.schule.invalid/bigbluebutton/api", "sha256")
	if err != nil {
		return err
	}
	u := &settings.User{Version: settings.UserFormatVersion, DefaultPool: pool.Name, Pools: []settings.Pool{pool}, TeacherName: "Frau Keller"}
	if err := settings.SaveUser(filepath.Join(dir, settings.UserFileName), u); err != nil {
		return err
	}
	store, err := rooms.OpenStore(filepath.Join(dir, rooms.FileName))
	if err != nil {
		return err
	}
	for _, r := range []struct{ name, preset string }{
		{"Mathe 7b", rooms.PresetLesson}, {"Physik 9a", rooms.PresetLesson}, {"Elternabend 7b", rooms.PresetParents},
	} {
		room, err := rooms.NewRoom(r.name, r.preset)
		if err != nil {
			return err
		}
		if err := store.Add(room); err != nil {
			return err
		}
	}
	// go-keyring talks to the session bus named in the environment; this
	// program runs one launch at a time.
	old, had := os.LookupEnv("DBUS_SESSION_BUS_ADDRESS")
	os.Setenv("DBUS_SESSION_BUS_ADDRESS", busAddress)
	defer func() {
		if had {
			os.Setenv("DBUS_SESSION_BUS_ADDRESS", old)
		} else {
			os.Unsetenv("DBUS_SESSION_BUS_ADDRESS")
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return settings.Keyring{}.Set(ctx, pool.SecretKey(), "bench-secret-not-real")
}
