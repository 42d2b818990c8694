//go:build windows

package singleinstance

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strconv"

	"github.com/tafel-schule/tafel/internal/atomicfile"
)

// Dir returns os.UserCacheDir()/tafel (%LocalAppData%\tafel): per user, so
// teachers sharing a laptop never reach each other's instance.
func Dir(appID string) (string, error) {
	if err := checkAppID(appID); err != nil {
		return "", err
	}
	d, err := os.UserCacheDir()
	if err != nil {
		return "", &Error{Code: "no_dir", Err: err}
	}
	d = filepath.Join(d, "tafel")
	if err := ensurePrivateDir(d); err != nil {
		return "", err
	}
	return d, nil
}

func portFile(base string) string { return base + ".port" }

// listen uses a loopback TCP port (a named pipe would need go-winio). Any
// local user can connect to it, hence the random token, which only the
// owner of the port file can read.
func listen(base string) (*Listener, error) {
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		return nil, &Error{Code: "listen", Err: err}
	}
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		ln.Close()
		return nil, &Error{Code: "listen", Err: err}
	}
	token := hex.EncodeToString(b)
	port := ln.Addr().(*net.TCPAddr).Port
	path := portFile(base)
	if err := atomicfile.Write(path, fmt.Appendf(nil, "%d %s\n", port, token), 0o600); err != nil {
		ln.Close()
		return nil, &Error{Code: "listen", Err: err}
	}
	return &Listener{ln: ln, endpoint: path, token: token}, nil
}

func dial(base string) (net.Conn, string, error) {
	b, err := os.ReadFile(portFile(base))
	if err != nil {
		return nil, "", err
	}
	port, token, err := parsePortFile(b)
	if err != nil {
		return nil, "", err
	}
	c, err := net.DialTimeout("tcp4", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), connTimeout)
	return c, token, err
}

func removeEndpoint(path string) { _ = os.Remove(path) }

// checkOwner: %LocalAppData% is private to the user through its ACL.
func checkOwner(string, fs.FileInfo) error { return nil }
