//go:build unix

package singleinstance

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
)

// maxSocketPath is sun_path's limit on macOS/BSD (104 bytes with the NUL);
// Linux allows 108, but one limit keeps behaviour the same everywhere.
const maxSocketPath = 103

// Dir returns the per-user directory for appID's lock and socket: the
// first usable of $XDG_RUNTIME_DIR, os.UserCacheDir()/tafel and
// os.TempDir()/tafel-<uid>. A candidate is skipped when the socket path
// would be too long or the directory is not private to the user.
func Dir(appID string) (string, error) {
	if err := checkAppID(appID); err != nil {
		return "", err
	}
	var candidates []string
	if d := os.Getenv("XDG_RUNTIME_DIR"); filepath.IsAbs(d) {
		if fi, err := os.Stat(d); err == nil && fi.IsDir() {
			candidates = append(candidates, d)
		}
	}
	if d, err := os.UserCacheDir(); err == nil {
		candidates = append(candidates, filepath.Join(d, "tafel"))
	}
	candidates = append(candidates, filepath.Join(os.TempDir(), "tafel-"+strconv.Itoa(os.Getuid())))
	var errs []error
	for _, d := range candidates {
		if len(socketPath(filepath.Join(d, appID))) > maxSocketPath {
			errs = append(errs, fmt.Errorf("%s: path too long for a socket", d))
			continue
		}
		if err := ensurePrivateDir(d); err != nil {
			errs = append(errs, err)
			continue
		}
		return d, nil
	}
	return "", &Error{Code: "no_dir", Err: errors.Join(errs...)}
}

func socketPath(base string) string { return base + ".sock" }

// listen is called with the lock held: any socket file left is stale (its
// owner crashed), so it is removed first.
func listen(base string) (*Listener, error) {
	path := socketPath(base)
	if len(path) > maxSocketPath {
		return nil, &Error{Code: "listen", Err: fmt.Errorf("socket path %s is too long", path)}
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, &Error{Code: "listen", Err: err}
	}
	ln, err := net.Listen("unix", path)
	if err != nil {
		return nil, &Error{Code: "listen", Err: err}
	}
	return &Listener{ln: ln, endpoint: path}, nil
}

func dial(base string) (net.Conn, string, error) {
	c, err := net.DialTimeout("unix", socketPath(base), connTimeout)
	return c, "", err
}

func removeEndpoint(path string) { _ = os.Remove(path) }

// checkOwner refuses a directory of another user and tightens the mode of
// our own one to 0700, so no other user can reach the socket.
func checkOwner(dir string, fi fs.FileInfo) error {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return nil
	}
	if int(st.Uid) != os.Getuid() {
		return &Error{Code: "unsafe_dir", Err: fmt.Errorf("%s belongs to another user", dir)}
	}
	if fi.Mode().Perm() != 0o700 {
		if err := os.Chmod(dir, 0o700); err != nil {
			return &Error{Code: "unsafe_dir", Err: err}
		}
	}
	return nil
}
