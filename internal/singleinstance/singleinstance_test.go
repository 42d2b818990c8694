package singleinstance

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/tafel-schule/tafel/internal/filelock"
)

const testID = "schule.tafel.test"

// shortDir is a private directory with a short path: t.TempDir() paths
// carry the test name and can exceed the socket path limit.
func shortDir(t *testing.T) string {
	t.Helper()
	d, err := os.MkdirTemp("", "si-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(d) })
	return d
}

func listenOK(t *testing.T, dir string, onShow func()) *Listener {
	t.Helper()
	l, err := ListenDir(dir, testID, onShow)
	if err != nil {
		t.Fatalf("ListenDir: %v", err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

func waitShown(t *testing.T, shown <-chan struct{}) {
	t.Helper()
	select {
	case <-shown:
	case <-time.After(10 * time.Second):
		t.Fatal("onShow of the first instance did not run")
	}
}

func TestSecondInstanceShowsFirst(t *testing.T) {
	dir := shortDir(t)
	shown := make(chan struct{}, 4)
	first := listenOK(t, dir, func() { shown <- struct{}{} })

	second, err := ListenDir(dir, testID, func() { t.Error("onShow of the second instance ran") })
	if !errors.Is(err, ErrAnotherInstance) || second != nil {
		t.Fatalf("second ListenDir = %v, %v; want nil, ErrAnotherInstance", second, err)
	}
	waitShown(t, shown)

	// Again: the first instance keeps serving.
	if _, err := ListenDir(dir, testID, nil); !errors.Is(err, ErrAnotherInstance) {
		t.Fatalf("third ListenDir: %v", err)
	}
	waitShown(t, shown)

	// After Close the endpoint is gone and the next start is first again.
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	if err := first.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if runtime.GOOS != "windows" {
		if _, err := os.Stat(first.Endpoint()); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("endpoint %s left after Close: %v", first.Endpoint(), err)
		}
	}
	listenOK(t, dir, nil)
}

// A socket file whose owner crashed (file exists, nobody listens) is
// replaced.
func TestInstanceStaleSocketIsReplaced(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Unix sockets only")
	}
	dir := shortDir(t)
	path := filepath.Join(dir, testID+".sock")
	ln, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	ln.(*net.UnixListener).SetUnlinkOnClose(false)
	ln.Close()
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("stale socket not left behind: %v", err)
	}
	if _, err := net.Dial("unix", path); err == nil {
		t.Fatal("stale socket still answers")
	}

	shown := make(chan struct{}, 1)
	listenOK(t, dir, func() { shown <- struct{}{} })
	if _, err := ListenDir(dir, testID, nil); !errors.Is(err, ErrAnotherInstance) {
		t.Fatalf("second ListenDir after stale recovery: %v", err)
	}
	waitShown(t, shown)
}

// The real crash case across processes: the first instance is killed with
// SIGKILL, leaving its socket file; the OS dropped its lock, so the next
// start takes over.
func TestCrashedInstanceAcrossProcesses(t *testing.T) {
	if dir := os.Getenv("SINGLEINSTANCE_CHILD"); dir != "" {
		l, err := ListenDir(dir, testID, func() { os.Stdout.WriteString("shown\n") })
		if err != nil {
			os.Stdout.WriteString("error " + err.Error() + "\n")
			os.Exit(1)
		}
		defer l.Close()
		os.Stdout.WriteString("ready\n")
		io.Copy(io.Discard, os.Stdin) // until the parent closes stdin or kills us
		return
	}
	if runtime.GOOS == "windows" {
		t.Skip("kill semantics differ")
	}
	dir := shortDir(t)
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashedInstanceAcrossProcesses$")
	cmd.Env = append(os.Environ(), "SINGLEINSTANCE_CHILD="+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	defer stdin.Close()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	lines := make(chan string, 8)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	expect := func(want string) {
		t.Helper()
		select {
		case got := <-lines:
			if got != want {
				t.Fatalf("child said %q, want %q", got, want)
			}
		case <-time.After(30 * time.Second):
			t.Fatalf("child did not say %q", want)
		}
	}
	expect("ready")
	if _, err := ListenDir(dir, testID, nil); !errors.Is(err, ErrAnotherInstance) {
		t.Fatalf("ListenDir beside a running child: %v", err)
	}
	expect("shown")

	cmd.Process.Kill()
	cmd.Wait()
	if _, err := os.Stat(filepath.Join(dir, testID+".sock")); err != nil {
		t.Fatalf("killed child left no socket file (test premise): %v", err)
	}
	listenOK(t, dir, nil)
}

// Per user: different directories never see each other.
func TestSeparateDirsAreSeparateInstances(t *testing.T) {
	listenOK(t, shortDir(t), nil)
	listenOK(t, shortDir(t), nil)
}

// The lock is held but nobody answers (a hung first instance): the second
// one gives up with ErrNotResponding instead of waiting forever or
// starting a second GUI.
func TestHungFirstInstance(t *testing.T) {
	old := waitForPrimary
	waitForPrimary = 300 * time.Millisecond
	t.Cleanup(func() { waitForPrimary = old })
	dir := shortDir(t)
	unlock, err := filelock.Lock(context.Background(), filepath.Join(dir, testID))
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	start := time.Now()
	if _, err := ListenDir(dir, testID, nil); !errors.Is(err, ErrNotResponding) {
		t.Fatalf("ListenDir with a hung owner: %v", err)
	}
	if d := time.Since(start); d > 20*time.Second {
		t.Fatalf("gave up only after %s", d)
	}
}

// Anything but a well-formed "show" is ignored, and the listener keeps
// serving afterwards.
func TestInstanceIgnoresGarbage(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Unix sockets only")
	}
	dir := shortDir(t)
	shown := make(chan struct{}, 4)
	l := listenOK(t, dir, func() { shown <- struct{}{} })
	for _, msg := range []string{"hello\n", "show extra-token\n", strings.Repeat("x", 1000), ""} {
		c, err := net.Dial("unix", l.Endpoint())
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(c, msg)
		if msg == "" || !strings.HasSuffix(msg, "\n") {
			c.(*net.UnixConn).CloseWrite()
		}
		c.SetReadDeadline(time.Now().Add(10 * time.Second))
		b, _ := io.ReadAll(c)
		c.Close()
		if len(b) != 0 {
			t.Fatalf("answer %q to %q", b, msg)
		}
	}
	select {
	case <-shown:
		t.Fatal("onShow ran for a malformed request")
	default:
	}
	if _, err := ListenDir(dir, testID, nil); !errors.Is(err, ErrAnotherInstance) {
		t.Fatalf("proper request after garbage: %v", err)
	}
	waitShown(t, shown)
}

func TestInstanceBadAppID(t *testing.T) {
	for _, id := range []string{"", "../evil", "a/b", "with space", strings.Repeat("a", 65)} {
		_, err := ListenDir(shortDir(t), id, nil)
		var e *Error
		if !errors.As(err, &e) || e.Code != "bad_app_id" {
			t.Errorf("ListenDir(%q) = %v, want bad_app_id", id, err)
		}
	}
}

func TestInstanceDirChoice(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Unix directories")
	}
	rt := shortDir(t)
	t.Setenv("XDG_RUNTIME_DIR", rt)
	if d, err := Dir(testID); err != nil || d != rt {
		t.Fatalf("Dir with XDG_RUNTIME_DIR = %q, %v; want %q", d, err, rt)
	}

	// Without a runtime dir: the cache dir, created private.
	cache := shortDir(t)
	t.Setenv("XDG_RUNTIME_DIR", "")
	t.Setenv("XDG_CACHE_HOME", cache)
	t.Setenv("HOME", cache)
	d, err := Dir(testID)
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS == "linux" && d != filepath.Join(cache, "tafel") {
		t.Fatalf("Dir without XDG_RUNTIME_DIR = %q", d)
	}
	if fi, err := os.Stat(d); err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("dir %s: %v, mode %v; want 0700", d, err, fi.Mode().Perm())
	}

	// A cache dir so deep that the socket path would not fit: next candidate.
	deep := filepath.Join(cache, strings.Repeat("d", 90))
	if err := os.MkdirAll(deep, 0o700); err != nil {
		t.Fatal(err)
	}
	t.Setenv("XDG_CACHE_HOME", deep)
	t.Setenv("HOME", deep)
	if d, err := Dir(testID); err != nil || !strings.HasPrefix(filepath.Base(d), "tafel-") {
		t.Fatalf("Dir with a too deep cache dir = %q, %v; want the temp fallback", d, err)
	} else {
		listenOK(t, d, nil)
	}
}

// A directory of another user (pre-created in a shared /tmp) is refused.
func TestInstanceForeignDirRefused(t *testing.T) {
	if runtime.GOOS == "windows" || os.Getuid() != 0 {
		t.Skip("needs root to create a directory owned by another user")
	}
	d := filepath.Join(shortDir(t), "tafel-0")
	if err := os.Mkdir(d, 0o777); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(d, 65534, 65534); err != nil {
		t.Skipf("chown: %v", err)
	}
	var e *Error
	if err := ensurePrivateDir(d); !errors.As(err, &e) || e.Code != "unsafe_dir" {
		t.Fatalf("ensurePrivateDir(foreign) = %v, want unsafe_dir", err)
	}
}

// FuzzInstanceRequest: whatever another local process sends, only an exact "show"
// line (with the right token, if any) counts, and nothing panics.
func FuzzInstanceRequest(f *testing.F) {
	for _, s := range []string{"show\n", "show\r\n", "show tok\n", "show\n\n", "show", "SHOW\n", "show  \n", "show tok extra\n", "\x00\n", strings.Repeat("s", 300) + "\n"} {
		f.Add([]byte(s), "")
		f.Add([]byte(s), "tok")
	}
	f.Fuzz(func(t *testing.T, data []byte, token string) {
		line, err := readLine(bytes.NewReader(data))
		if err != nil {
			return
		}
		if len(line) >= maxLine {
			t.Fatalf("line of %d bytes read", len(line))
		}
		want := "show"
		if token != "" {
			want += " " + token
		}
		if got := isShowRequest(line, token); got != (line == want) {
			t.Fatalf("isShowRequest(%q, %q) = %v", line, token, got)
		}
	})
}

// FuzzInstancePortFile: the Windows port file parser accepts only "<port> <token>".
func FuzzInstancePortFile(f *testing.F) {
	for _, s := range []string{"49152 0123abcd\n", "0 x\n", "65536 x", "80", " 80 tok ", "80 tok extra\n", "-1 t", "8080\ttok"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		port, token, err := parsePortFile(b)
		if err != nil {
			return
		}
		if port <= 0 || port > 65535 || token == "" || strings.ContainsAny(token, " \t\r\n") {
			t.Fatalf("parsePortFile(%q) = %d, %q", b, port, token)
		}
	})
}
