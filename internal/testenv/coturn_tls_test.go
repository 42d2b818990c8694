package testenv

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"strconv"
	"testing"
	"time"
)

// The TLS listener serves a certificate for 127.0.0.1 from the test CA: a
// client trusting c.CA verifies it, one trusting another CA does not (the
// "untrusted certificate" / interception case).
func TestCoturnTLSListener(t *testing.T) {
	c := StartCoturn(t, CoturnOptions{TLS: true})
	if c.TLSPort == 0 || c.URL("tls") != "turns:127.0.0.1:"+strconv.Itoa(c.TLSPort)+"?transport=tcp" {
		t.Fatalf("TLS port %d, URL %s", c.TLSPort, c.URL("tls"))
	}
	dial := func(roots *x509.CertPool) error {
		d := &tls.Dialer{NetDialer: &net.Dialer{Timeout: 5 * time.Second}, Config: &tls.Config{ServerName: "127.0.0.1", RootCAs: roots}}
		conn, err := d.DialContext(context.Background(), "tcp", net.JoinHostPort(c.Host, strconv.Itoa(c.TLSPort)))
		if err == nil {
			conn.Close()
		}
		return err
	}
	if err := dial(c.CA.Pool()); err != nil {
		t.Fatalf("trusted CA: %v", err)
	}
	var unknown x509.UnknownAuthorityError
	if err := dial(NewTestCA(t, "Other CA").Pool()); !errors.As(err, &unknown) {
		t.Fatalf("untrusted CA: %v, want x509.UnknownAuthorityError", err)
	}
}

// Inside InNetns a test has its own loopback, and nftables rules drop
// packets silently there without touching the host.
func TestInNetnsDropsSilently(t *testing.T) {
	if !InNetns(t) {
		return
	}
	ifs, err := net.Interfaces()
	if err != nil {
		t.Fatal(err)
	}
	if len(ifs) != 1 || ifs[0].Name != "lo" {
		t.Fatalf("interfaces in the namespace: %v", ifs)
	}
	srv, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	port := srv.LocalAddr().(*net.UDPAddr).Port
	Nft(t, "table inet t {\n chain input {\n type filter hook input priority 0; policy accept;\n udp dport "+strconv.Itoa(port)+" drop\n }\n}\n")
	cl, err := net.Dial("udp4", srv.LocalAddr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	if _, err := cl.Write([]byte("hello")); err != nil {
		t.Fatalf("a silent drop must not fail the send: %v", err)
	}
	_ = srv.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	if _, _, err := srv.ReadFrom(make([]byte, 16)); err == nil {
		t.Fatal("packet arrived despite the drop rule")
	}
}

func TestNftRefusesOutsideNamespace(t *testing.T) {
	if InsideNetns() {
		t.Skip("inside a namespace")
	}
	ft := &fatalRecorder{TB: t}
	func() {
		defer func() { _ = recover() }()
		Nft(ft, "table inet t {}")
	}()
	if !ft.failed {
		t.Fatal("Nft ran outside a test namespace")
	}
}

// fatalRecorder turns Fatal into a recorded failure plus a panic, so a test
// can check that a helper refuses.
type fatalRecorder struct {
	testing.TB
	failed bool
}

func (f *fatalRecorder) Helper() {}
func (f *fatalRecorder) Fatal(args ...any) {
	f.failed = true
	panic("fatal")
}
