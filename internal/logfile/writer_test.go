package logfile

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"testing"
)

// readLines returns all lines of the current and rotated files, oldest first.
func readLines(t *testing.T, dir string) [][]byte {
	t.Helper()
	files, err := logFiles(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out [][]byte
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(bytes.NewReader(b))
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			out = append(out, append([]byte(nil), sc.Bytes()...))
		}
		if len(b) > 0 && b[len(b)-1] != '\n' {
			t.Errorf("%s does not end with a newline: a record was cut", filepath.Base(p))
		}
	}
	return out
}

func TestRotationKeepsExactlyN(t *testing.T) {
	dir := t.TempDir()
	w, err := Open(dir, Options{MaxBytes: 1000, Keep: 3})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	rec := func(i int) []byte {
		return fmt.Appendf(nil, "{\"i\":%04d,\"pad\":\"%s\"}\n", i, bytes.Repeat([]byte("x"), 80))
	}
	const n = 200 // 100 bytes each: 9 per file, far more than 4 files hold
	for i := range n {
		w.Write(rec(i))
	}
	ents, _ := os.ReadDir(dir)
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	for _, want := range []string{"tafel.log", "tafel.log.1", "tafel.log.2", "tafel.log.3"} {
		if _, err := os.Stat(filepath.Join(dir, want)); err != nil {
			t.Errorf("missing %s (have %v)", want, names)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "tafel.log.4")); err == nil {
		t.Errorf("tafel.log.4 exists: kept more than 3 old files (%v)", names)
	}
	for _, name := range []string{"tafel.log", "tafel.log.1", "tafel.log.2", "tafel.log.3"} {
		if fi, err := os.Stat(filepath.Join(dir, name)); err == nil && fi.Size() > 1000 {
			t.Errorf("%s has %d bytes, over MaxBytes", name, fi.Size())
		}
	}
	// The kept records are the newest ones, contiguous and in order.
	lines := readLines(t, dir)
	if len(lines) < 30 {
		t.Fatalf("only %d records kept", len(lines))
	}
	for k, l := range lines {
		want := rec(n - len(lines) + k)
		if !bytes.Equal(append(l, '\n'), want) {
			t.Fatalf("record %d of %d out of order: %.20s", k, len(lines), l)
		}
	}
	if w.Dropped() != 0 {
		t.Errorf("dropped %d", w.Dropped())
	}
}

func TestPermissions(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Unix modes")
	}
	dir := filepath.Join(t.TempDir(), "tafel", "logs")
	w, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	w.Write([]byte("{}\n"))
	for p, want := range map[string]os.FileMode{dir: 0o700, filepath.Dir(dir): 0o700, filepath.Join(dir, FileName): 0o600} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != want {
			t.Errorf("%s: mode %v, want %v", p, fi.Mode().Perm(), want)
		}
	}
}

func TestUnwritableDirIsNoOp(t *testing.T) {
	blocker := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(blocker, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	w, err := Open(filepath.Join(blocker, "logs"), Options{})
	if err == nil {
		t.Fatal("Open under a regular file succeeded")
	}
	if w == nil {
		t.Fatal("Open returned a nil Writer with its error")
	}
	if n, err := w.Write([]byte("hello\n")); n != 6 || err != nil {
		t.Errorf("Write = %d, %v; want silent success", n, err)
	}
	NewLogger(w).Error("still fine", "k", "v")
	if err := w.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if _, err := Open("", Options{}); err == nil {
		t.Error("Open(\"\") succeeded")
	}
	d := Discard()
	if n, err := d.Write([]byte("x")); n != 1 || err != nil {
		t.Errorf("Discard.Write = %d, %v", n, err)
	}
}

// A user clearing the cache while the app runs: the next record recreates
// the directory and file.
func TestRecreatesDeletedDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "logs")
	w, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	w.Write([]byte("{\"a\":1}\n"))
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	w.Write([]byte("{\"a\":2}\n"))
	b, err := os.ReadFile(filepath.Join(dir, FileName))
	if err != nil || string(b) != "{\"a\":2}\n" {
		t.Fatalf("after deletion: %q, %v", b, err)
	}
}

// writeRecords writes n records tagged src from g goroutines through w.
func writeRecords(w *Writer, src string, g, n int) {
	var wg sync.WaitGroup
	for gi := range g {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range n {
				// Padding of varying length makes torn writes visible.
				pad := bytes.Repeat([]byte{'a' + byte(i%26)}, 20+i%50)
				fmt.Fprintf(w, "{\"src\":%q,\"g\":%d,\"i\":%d,\"pad\":%q}\n", src, gi, i, pad)
			}
		}()
	}
	wg.Wait()
}

const childEnv = "LOGFILE_TEST_CHILD_DIR"

// TestHelperChild is the second process of TestConcurrentWriters.
func TestHelperChild(t *testing.T) {
	dir := os.Getenv(childEnv)
	if dir == "" {
		t.Skip("helper process only")
	}
	w, err := Open(dir, concurrentOpts)
	if err != nil {
		t.Fatal(err)
	}
	writeRecords(w, "child", 2, perG)
	w.Close()
}

// Keep is large so that nothing is deleted and every record can be counted.
var concurrentOpts = Options{MaxBytes: 16 << 10, Keep: 500}

const perG = 300

func TestConcurrentWriters(t *testing.T) {
	dir := t.TempDir()
	w1, err1 := Open(dir, concurrentOpts)
	w2, err2 := Open(dir, concurrentOpts)
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), childEnv+"="+dir)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); writeRecords(w1, "w1", 3, perG) }()
	go func() { defer wg.Done(); writeRecords(w2, "w2", 3, perG) }()
	wg.Wait()
	if err := cmd.Wait(); err != nil {
		t.Fatalf("child: %v\n%s", err, out.Bytes())
	}
	w1.Close()
	w2.Close()

	want := map[string]int{"w1": 3 * perG, "w2": 3 * perG, "child": 2 * perG}
	seen := map[string]bool{}
	got := map[string]int{}
	for _, l := range readLines(t, dir) {
		var r struct {
			Src  string
			G, I int
			Pad  string
		}
		if err := json.Unmarshal(l, &r); err != nil {
			t.Fatalf("torn or interleaved line: %.80q", l)
		}
		key := r.Src + "/" + strconv.Itoa(r.G) + "/" + strconv.Itoa(r.I)
		if seen[key] {
			t.Fatalf("record %s twice", key)
		}
		seen[key] = true
		got[r.Src]++
	}
	for src, n := range want {
		if got[src] != n {
			t.Errorf("%s: %d records, want %d", src, got[src], n)
		}
	}
	files, _ := logFiles(dir)
	if len(files) < 3 {
		t.Errorf("only %d files: rotation did not happen under load", len(files))
	}
	t.Logf("%d files after concurrent writing", len(files))
}

func TestRotationKeepOption(t *testing.T) {
	for keep, want := range map[int][]string{1: {"tafel.log", "tafel.log.1"}, -1: {"tafel.log"}, 5: {"tafel.log", "tafel.log.1", "tafel.log.2", "tafel.log.3", "tafel.log.4", "tafel.log.5"}} {
		dir := t.TempDir()
		w, _ := Open(dir, Options{MaxBytes: 300, Keep: keep})
		for range 100 {
			w.Write(bytes.Repeat([]byte("z"), 99))
		}
		w.Close()
		files, _ := logFiles(dir)
		var got []string
		for _, f := range files {
			got = append(got, filepath.Base(f))
		}
		if len(got) != len(want) {
			t.Errorf("Keep %d: files %v, want %v", keep, got, want)
		}
	}
}
