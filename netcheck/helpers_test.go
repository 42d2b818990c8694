package netcheck

import (
	"crypto/x509"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/tafel-schule/tafel/bbbclient"
	"github.com/tafel-schule/tafel/internal/bbbsim"
)

// startSim serves the simulator over HTTPS and returns a client trusting it
// plus a pool with the server's certificate (for the API check).
func startSim(t *testing.T, sim *bbbsim.Server) (*bbbclient.Client, *x509.CertPool, *http.Client) {
	t.Helper()
	srv := httptest.NewTLSServer(sim.Handler())
	t.Cleanup(func() { srv.Close(); sim.Close() })
	client, err := bbbclient.New(bbbclient.Options{BaseURL: srv.URL + "/bigbluebutton/api", Secret: "sim-secret", HTTPClient: srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AddCert(srv.Certificate())
	return client, roots, srv.Client()
}
