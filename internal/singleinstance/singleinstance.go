// Package singleinstance keeps Tafel's GUI to one instance per user
// (desktop-platform.md §5.4). The first instance holds a lock file and
// listens on a per-user endpoint; a second launch finds the lock taken,
// sends "show" over the endpoint and gets ErrAnotherInstance, so starting
// Tafel again always brings back a hidden window.
//
// Endpoints: a Unix socket on Unix (in $XDG_RUNTIME_DIR, else
// os.UserCacheDir()/tafel, else os.TempDir()/tafel-<uid>, always in a 0700
// directory of the user); on Windows a loopback TCP port written with a
// random token to a file in os.UserCacheDir()/tafel (named pipes would need
// go-winio). The package imports no Fyne: onShow is the caller's bridge
// (fyne.Do(func() { w.Show(); w.RequestFocus() })).
package singleinstance

import (
	"bufio"
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tafel-schule/tafel/internal/filelock"
)

// ErrAnotherInstance means another instance of the app runs for this user
// and was asked to show its window; the caller should exit quietly.
var ErrAnotherInstance = errors.New("singleinstance: another instance is running and was asked to show itself")

// ErrNotResponding means another instance holds the lock but did not answer
// "show" in time (it hangs, or is still starting up very slowly). The caller
// should exit and tell the user that Tafel is already running.
var ErrNotResponding = errors.New("singleinstance: another instance is running but does not respond")

// Error is a failure to set up the endpoint (no usable per-user directory,
// an unsafe directory, a socket error); Code is stable for logs and tests.
type Error struct {
	Code string // "bad_app_id", "no_dir", "unsafe_dir", "listen"
	Err  error
}

func (e *Error) Error() string { return "singleinstance: " + e.Code + ": " + e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

// Timing of the handshake; variables so tests could shorten them.
var (
	// waitForPrimary bounds how long a second instance waits for the first
	// one to answer (it may be starting up and not yet listening).
	waitForPrimary = 5 * time.Second
	// connTimeout bounds one request/answer exchange on the endpoint.
	connTimeout = 2 * time.Second
)

const (
	requestShow = "show"
	answerOK    = "ok"
	maxLine     = 256
)

// Listener is the first instance's endpoint. Close releases it.
type Listener struct {
	ln       net.Listener
	endpoint string // socket path (Unix) or port file (Windows) to remove
	token    string // expected token ("" on Unix, where the 0700 directory guards access)
	unlock   func()
	onShow   func()
	done     chan struct{}
	once     sync.Once
}

// Listen makes this process the single instance of appID for the current
// user, in the default per-user directory. If another instance runs, it
// asks that one to show itself and returns ErrAnotherInstance. onShow runs
// on a goroutine of this package, once per "show" request, never after
// Close returns; it must not block for long.
func Listen(appID string, onShow func()) (*Listener, error) {
	dir, err := Dir(appID)
	if err != nil {
		return nil, err
	}
	return ListenDir(dir, appID, onShow)
}

// ListenDir is Listen with an explicit directory (tests; a separate
// directory means a separate user). dir must exist and be private to the
// user.
func ListenDir(dir, appID string, onShow func()) (*Listener, error) {
	if err := checkAppID(appID); err != nil {
		return nil, err
	}
	if onShow == nil {
		onShow = func() {}
	}
	base := filepath.Join(dir, appID)
	deadline := time.Now().Add(waitForPrimary)
	for {
		// The lock, held for the Listener's lifetime, decides who is first;
		// the OS drops it when a process dies, so a crash never blocks the
		// next start and a leftover socket file is known to be stale.
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
		unlock, err := filelock.Lock(ctx, base)
		cancel()
		if err == nil {
			l, err := listen(base)
			if err != nil {
				unlock()
				return nil, err
			}
			l.unlock, l.onShow, l.done = unlock, onShow, make(chan struct{})
			go l.serve()
			return l, nil
		}
		if !errors.Is(err, filelock.ErrTimeout) {
			return nil, &Error{Code: "no_dir", Err: err}
		}
		if err := request(base); err == nil {
			return nil, ErrAnotherInstance
		}
		if time.Now().After(deadline) {
			return nil, ErrNotResponding
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Endpoint is the socket path (Unix) or port file (Windows), for logs.
func (l *Listener) Endpoint() string { return l.endpoint }

// Close stops listening, removes the endpoint and releases the lock. It
// waits for a running onShow to return. Safe to call more than once.
func (l *Listener) Close() error {
	var err error
	l.once.Do(func() {
		err = l.ln.Close()
		<-l.done
		removeEndpoint(l.endpoint)
		l.unlock()
	})
	return err
}

func (l *Listener) serve() {
	defer close(l.done)
	for {
		c, err := l.ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			// EMFILE and friends: back off instead of spinning.
			time.Sleep(100 * time.Millisecond)
			continue
		}
		// One request at a time: second launches are rare, and serial
		// handling keeps onShow calls from overlapping.
		l.handle(c)
	}
}

func (l *Listener) handle(c net.Conn) {
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(connTimeout))
	line, err := readLine(c)
	if err != nil {
		return
	}
	if !isShowRequest(line, l.token) {
		return
	}
	l.onShow()
	_, _ = io.WriteString(c, answerOK+"\n")
}

// request sends "show" to the instance behind base and waits for its answer.
func request(base string) error {
	c, token, err := dial(base)
	if err != nil {
		return err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(connTimeout))
	msg := requestShow
	if token != "" {
		msg += " " + token
	}
	if _, err := io.WriteString(c, msg+"\n"); err != nil {
		return err
	}
	line, err := readLine(c)
	if err != nil {
		return err
	}
	if line != answerOK {
		return fmt.Errorf("unexpected answer %q", line)
	}
	return nil
}

// isShowRequest reports whether line (without its newline) is "show",
// followed by " "+token when the endpoint has a token.
func isShowRequest(line, token string) bool {
	want := requestShow
	if token != "" {
		want += " " + token
	}
	return subtle.ConstantTimeCompare([]byte(line), []byte(want)) == 1
}

// parsePortFile reads the Windows port file: "<port> <token>\n".
func parsePortFile(b []byte) (port int, token string, err error) {
	p, token, ok := strings.Cut(strings.TrimSpace(string(b)), " ")
	port, perr := strconv.Atoi(p)
	if !ok || perr != nil || port <= 0 || port > 65535 || token == "" || strings.ContainsAny(token, " \t\r\n") {
		return 0, "", errors.New("malformed port file")
	}
	return port, token, nil
}

func readLine(r io.Reader) (string, error) {
	line, err := bufio.NewReader(io.LimitReader(r, maxLine)).ReadString('\n')
	if err != nil {
		return "", err
	}
	return strings.TrimRight(line, "\r\n"), nil
}

func checkAppID(appID string) error {
	if appID == "" || len(appID) > 64 {
		return &Error{Code: "bad_app_id", Err: fmt.Errorf("app ID must have 1 to 64 characters")}
	}
	for _, r := range appID {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-' || r == '_') {
			return &Error{Code: "bad_app_id", Err: fmt.Errorf("app ID %q may only hold letters, digits, '.', '-' and '_'", appID)}
		}
	}
	return nil
}

// ensurePrivateDir creates dir (0700) if needed and refuses one that another
// user could write to or that is a symlink: in a shared temp directory an
// attacker could otherwise pre-create it and answer our "show" requests.
func ensurePrivateDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return &Error{Code: "no_dir", Err: err}
	}
	fi, err := os.Lstat(dir)
	if err != nil {
		return &Error{Code: "no_dir", Err: err}
	}
	if !fi.IsDir() {
		return &Error{Code: "unsafe_dir", Err: fmt.Errorf("%s is not a directory", dir)}
	}
	return checkOwner(dir, fi)
}
