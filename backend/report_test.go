package backend

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/tafel-schule/tafel/diagnostics"
	"github.com/tafel-schule/tafel/rooms"
	"github.com/tafel-schule/tafel/translations"
)

const reportSecret = "backend-report-secret-91c"

func reportGather(ctx context.Context) diagnostics.Sources {
	return diagnostics.Sources{
		Version: "9.9.9", Lang: "de",
		Pools:          []diagnostics.PoolStatus{{Name: "Schul-BBB", URL: "https://bbb.example.org/bigbluebutton/api", InKeyring: true}},
		ConfigWarnings: []string{"pool secret=" + reportSecret + " at 192.168.10.4"},
		Secrets:        []string{reportSecret},
		OS:             &diagnostics.OSInfo{OS: "linux", Arch: "amd64"},
	}
}

func TestReportServiceSaveAndOpen(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	var mu sync.Mutex
	var opened []string
	s := NewReport(reportGather, translations.New("de"), func(u rooms.JoinURL) error {
		mu.Lock()
		defer mu.Unlock()
		opened = append(opened, u.Reveal())
		return nil
	})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	r, err := s.Build(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	page, err := s.Preview(r)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(page, []byte(reportSecret)) || bytes.Contains(page, []byte("192.168.10.4")) {
		t.Fatal("the preview holds the secret or the IP")
	}
	dir := t.TempDir()
	paths, err := s.Save(r, dir)
	if err != nil || len(paths) != 2 {
		t.Fatalf("save: %v %v", paths, err)
	}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(b, []byte(reportSecret)) {
			t.Errorf("%s holds the secret", filepath.Base(p))
		}
	}
	if err := s.OpenInBrowser(r); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	u, _ := url.Parse(opened[0])
	mu.Unlock()
	if u.Scheme != "file" {
		t.Fatalf("opened %q", opened[0])
	}
	for _, p := range []string{u.Path, filepath.Dir(u.Path)} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm()&0o077 != 0 {
			t.Errorf("%s is readable by others: %v", p, fi.Mode())
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Dir(u.Path)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Close left the temporary page: %v", err)
	}
	if err := s.OpenInBrowser(r); !errors.Is(err, ErrClosed) {
		t.Errorf("after Close: %v", err)
	}
}
