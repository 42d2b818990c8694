package netcheck

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"net/url"
	"time"
)

// APITarget is the pool's BBB API to check for reachability.
type APITarget struct {
	URL string
	// Version fetches the API root (no checksum needed), e.g. through
	// bbbclient.Client.Version; nil skips that step.
	Version func(ctx context.Context) (string, error)
}

// CheckAPI measures DNS time, TCP connect, TLS handshake (recording the
// certificate issuer: a school's inspection CA shows up here) and the API
// root's version and latency. roots nil means the system roots.
func CheckAPI(ctx context.Context, t *APITarget, roots *x509.CertPool) *APIResult {
	u, err := url.Parse(t.URL)
	if err != nil || u.Host == "" {
		return &APIResult{URL: "[invalid]", Error: "invalid API URL"}
	}
	res := &APIResult{URL: u.Scheme + "://" + u.Host + u.Path}
	host, port := u.Hostname(), u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[u.Scheme]
	}
	addr := host
	if net.ParseIP(host) == nil {
		dctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		t0 := time.Now()
		addrs, err := net.DefaultResolver.LookupHost(dctx, host)
		cancel()
		res.DNSMs = since(t0)
		if err != nil {
			res.Error = fmt.Sprintf("DNS lookup of %s failed: %v", host, err)
			return res
		}
		addr = addrs[0]
	}
	t0 := time.Now()
	conn, err := (&net.Dialer{}).DialContext(ctx, "tcp", net.JoinHostPort(addr, port))
	if err != nil {
		res.Error = fmt.Sprintf("no connection to %s: %v", net.JoinHostPort(host, port), err)
		return res
	}
	res.ConnectMs = since(t0)
	if u.Scheme == "https" {
		tc := tls.Client(conn, &tls.Config{ServerName: host, RootCAs: roots, MinVersion: tls.VersionTLS12})
		t1 := time.Now()
		if err := tc.HandshakeContext(ctx); err != nil {
			_ = conn.Close()
			res.Error = fmt.Sprintf("TLS handshake with %s failed: %v", host, err)
			return res
		}
		res.TLSMs = since(t1)
		st := tc.ConnectionState()
		res.TLSVersion = tls.VersionName(st.Version)
		if len(st.PeerCertificates) > 0 {
			res.TLSIssuer = issuerName(st.PeerCertificates[0])
		}
		_ = tc.Close()
	} else {
		_ = conn.Close()
	}
	if t.Version != nil {
		t2 := time.Now()
		v, err := t.Version(ctx)
		res.LatencyMs = since(t2)
		if err != nil {
			res.Error = "API root: " + err.Error()
			return res
		}
		res.Version = v
	}
	res.OK = true
	return res
}
