package filelock

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"
)

// Counter increments done by several processes under the lock never get lost.
func TestLockAcrossProcesses(t *testing.T) {
	if os.Getenv("FILELOCK_CHILD") != "" {
		p := os.Getenv("FILELOCK_CHILD")
		for range 50 {
			unlock, err := Lock(context.Background(), p)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := os.ReadFile(p)
			n, _ := strconv.Atoi(string(b))
			os.WriteFile(p, []byte(strconv.Itoa(n+1)), 0o600)
			unlock()
		}
		return
	}
	p := filepath.Join(t.TempDir(), "counter")
	var wg sync.WaitGroup
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cmd := exec.Command(os.Args[0], "-test.run=^TestLockAcrossProcesses$")
			cmd.Env = append(os.Environ(), "FILELOCK_CHILD="+p)
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Errorf("child: %v\n%s", err, out)
			}
		}()
	}
	wg.Wait()
	b, _ := os.ReadFile(p)
	if string(b) != "150" {
		t.Fatalf("counter = %s, want 150 (lost updates)", b)
	}
}

func TestLockTimeout(t *testing.T) {
	p := filepath.Join(t.TempDir(), "f")
	unlock, err := Lock(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	// flock locks belong to the open file description, so a second Lock
	// in the same process contends like another process would.
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := Lock(ctx, p); !errors.Is(err, ErrTimeout) {
		t.Fatalf("err = %v, want ErrTimeout", err)
	}
}
