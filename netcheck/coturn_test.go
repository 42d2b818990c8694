package netcheck

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/tafel-schule/tafel/internal/testenv"
)

// sharedCoturn starts one coturn with UDP, TCP and TLS for a test.
func startCoturn(t *testing.T) *testenv.Coturn {
	t.Helper()
	return testenv.StartCoturn(t, testenv.CoturnOptions{TLS: true})
}

func allURLs(c *testenv.Coturn) []string {
	return []string{c.URL("udp"), c.URL("tcp"), c.URL("tls")}
}

func runCheck(t *testing.T, src Source, opt Options) *Report {
	t.Helper()
	start := time.Now()
	rep, err := Run(context.Background(), src, opt)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	el := time.Since(start)
	timeout := opt.Timeout
	if timeout == 0 {
		timeout = 5 * time.Second
	}
	// The verdict must arrive within the deadline (plus scheduling slack).
	if el > timeout+time.Second {
		t.Errorf("verdict after %v, deadline %v", el, timeout)
	}
	b, _ := json.MarshalIndent(rep, "", "  ")
	t.Logf("report after %v:\n%s", el, b)
	return rep
}

func TestOpenNetworkAllTransports(t *testing.T) {
	c := startCoturn(t)
	src := NewTURNRESTSource(allURLs(c), c.Secret)
	rep := runCheck(t, src, Options{RootCAs: c.CA.Pool()})
	if len(rep.Transports) != 3 {
		t.Fatalf("%d transports", len(rep.Transports))
	}
	for i, want := range []string{"udp", "tcp", "tls"} {
		tr := rep.Transports[i]
		if tr.Transport != want || !tr.Relay || !tr.Loop || tr.RelayProtocol != want {
			t.Errorf("transport %d: %+v", i, tr)
		}
		if tr.ProbesEchoed == 0 || tr.GoodputKbps <= 0 || tr.MOS < 1 {
			t.Errorf("%s: no measurements: %+v", want, tr)
		}
		if want == "tls" && !strings.Contains(tr.TLSIssuer, "Tafel test TURN CA") {
			t.Errorf("TLS issuer %q", tr.TLSIssuer)
		}
	}
	if rep.Verdict == Fail {
		t.Errorf("verdict %s/%s on an open network", rep.Verdict, rep.Category)
	}
}
