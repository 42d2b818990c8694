//go:build !unix && !windows

package singleinstance

import (
	"errors"
	"io/fs"
	"net"
)

// Dir: no per-user endpoint on this platform (js/wasm, plan9).
func Dir(appID string) (string, error) {
	return "", &Error{Code: "no_dir", Err: errors.New("single instance not supported on this platform")}
}

func listen(string) (*Listener, error) {
	return nil, &Error{Code: "listen", Err: errors.New("single instance not supported on this platform")}
}

func dial(string) (net.Conn, string, error) { return nil, "", errors.New("unsupported") }
func removeEndpoint(string)                 {}
func checkOwner(string, fs.FileInfo) error  { return nil }
