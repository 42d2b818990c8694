package main

import (
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/tafel-schule/tafel/internal/testenv"
)

// openPTY returns a pseudo-terminal pair (master, slave).
func openPTY(t *testing.T) (*os.File, *os.File) {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		testenv.Missing(t, "pseudo-terminals (/dev/ptmx)", "mount devpts ("+err.Error()+")")
	}
	if err := unix.IoctlSetPointerInt(int(m.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		testenv.Missing(t, "pseudo-terminals (unlockpt)", "mount devpts ("+err.Error()+")")
	}
	n, err := unix.IoctlGetInt(int(m.Fd()), unix.TIOCGPTN)
	if err != nil {
		testenv.Missing(t, "pseudo-terminals (ptsname)", "mount devpts ("+err.Error()+")")
	}
	s, err := os.OpenFile("/dev/pts/"+strconv.Itoa(n), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		testenv.Missing(t, "pseudo-terminals (/dev/pts)", "mount devpts ("+err.Error()+")")
	}
	t.Cleanup(func() { s.Close(); m.Close() })
	return m, s
}

// The secret typed at a real terminal is read without being echoed, and
// the terminal's echo setting is restored afterwards.
func TestReadPasswordNoEchoOnRealTerminal(t *testing.T) {
	m, s := openPTY(t)
	if !isTerminal(s) {
		t.Fatal("pty slave should be a terminal")
	}
	if f, _ := os.CreateTemp(t.TempDir(), "x"); isTerminal(f) {
		t.Fatal("a file is not a terminal")
	}
	got := make(chan string, 1)
	go func() {
		v, err := readPasswordNoEcho(s)
		if err != nil {
			v = "error: " + err.Error()
		}
		got <- v
	}()
	// Type only once echo is off, as a human would after the prompt.
	deadline := time.Now().Add(10 * time.Second)
	for {
		tio, err := unix.IoctlGetTermios(int(s.Fd()), unix.TCGETS)
		if err == nil && tio.Lflag&unix.ECHO == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("echo was never turned off")
		}
		time.Sleep(5 * time.Millisecond)
	}
	m.Write([]byte("geheim-123\n"))
	var v string
	select {
	case v = <-got:
	case <-time.After(10 * time.Second):
		t.Fatal("read did not return")
	}
	if v != "geheim-123" {
		t.Fatalf("read %q", v)
	}
	// Whatever the terminal printed back must not contain the secret. (Fd
	// made the master blocking, so poll before reading.)
	var echoed []byte
	for {
		fds := []unix.PollFd{{Fd: int32(m.Fd()), Events: unix.POLLIN}}
		if n, err := unix.Poll(fds, 200); err != nil || n == 0 {
			break
		}
		buf := make([]byte, 256)
		n, err := unix.Read(int(m.Fd()), buf)
		if err != nil || n <= 0 {
			break
		}
		echoed = append(echoed, buf[:n]...)
	}
	if strings.Contains(string(echoed), "geheim") {
		t.Fatalf("secret was echoed: %q", echoed)
	}
	tio, err := unix.IoctlGetTermios(int(s.Fd()), unix.TCGETS)
	if err != nil || tio.Lflag&unix.ECHO == 0 {
		t.Fatal("echo not restored")
	}
}
