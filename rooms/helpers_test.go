package rooms

import (
	"context"
	"encoding/json"
	"fmt"
	"github.com/tafel-schule/tafel/internal/testpdf"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/tafel-schule/tafel/config"
	"github.com/tafel-schule/tafel/internal/bbbsim"
)

const testSecret = "639259d4-9dd8-4b25-bf01-95f9567eaf4b"

type simEnv struct {
	sim  *bbbsim.Server
	srv  *httptest.Server
	cfg  config.Pool
	pool *DirectPool
}

func newSim(t testing.TB, cfg bbbsim.Config) *simEnv {
	t.Helper()
	if cfg.Secret == "" {
		cfg.Secret = testSecret
	}
	sim, err := bbbsim.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sim.Handler())
	t.Cleanup(func() { srv.Close(); sim.Close() })
	if cfg.Flavor == bbbsim.FlavorScalelite {
		node := httptest.NewServer(sim.NodeHandler())
		t.Cleanup(node.Close)
		sim.SetNodeURL(node.URL)
	}
	pc, err := config.NewPool("Sim", srv.URL+"/bigbluebutton/api", "sha256")
	if err != nil {
		t.Fatal(err)
	}
	p, err := NewDirectPool(pc, testSecret, DirectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return &simEnv{sim: sim, srv: srv, cfg: pc, pool: p}
}

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// browse opens a join URL as a browser would (cookies, redirects) and
// returns the final page's status and, for a refused join, BBB's error key.
func browse(t *testing.T, raw string) (status int, errKey string, final *url.URL) {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 20 * time.Second}
	resp, err := c.Get(raw)
	if err != nil {
		t.Fatalf("browse: %v", err) // net errors do not carry the query
	}
	resp.Body.Close()
	final = resp.Request.URL
	if e := final.Query().Get("errors"); e != "" {
		var errs []struct{ Key string }
		if json.Unmarshal([]byte(e), &errs) == nil && len(errs) > 0 {
			errKey = errs[0].Key
		}
	}
	return resp.StatusCode, errKey, final
}

// writeSlide writes a PDF and returns it as an attached Slide.
func writeSlide(t testing.TB, dir, name string, pages int) Slide {
	t.Helper()
	p := filepath.Join(dir, name)
	data := testpdf.Pages(pages, name, 0)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return Slide{Path: p, Name: name, Size: int64(len(data)), SHA256: fmt.Sprintf("%x", len(data)) + name, Pages: pages, Type: "pdf"}
}
