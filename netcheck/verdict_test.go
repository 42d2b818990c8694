package netcheck

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"math"
	"net"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestEstimateMOS(t *testing.T) {
	// Sample values from network-check.md §10.
	cases := []struct {
		rtt, jitter, loss, want float64
	}{
		{20, 5, 0, 4.42},
		{150, 30, 1, 4.11},
		{300, 50, 5, 2.75},
		{600, 80, 10, 1.00},
		{0, 0, 0, 4.43},
		{2000, 0, 0, 1}, // effective latency ≥ 1 s: R = 0
		{20, 5, 100, 1}, // everything lost
		{-1, 0, 0, 1},   // nonsense input
		{math.NaN(), 0, 0, 1},
	}
	for _, c := range cases {
		if got := EstimateMOS(c.rtt, c.jitter, c.loss); math.Abs(got-c.want) > 0.005 {
			t.Errorf("EstimateMOS(%v, %v, %v) = %.3f, want %.2f", c.rtt, c.jitter, c.loss, got, c.want)
		}
	}
	// Monotonic: more loss never raises the score.
	prev := 5.0
	for loss := 0.0; loss <= 40; loss += 0.5 {
		m := EstimateMOS(50, 10, loss)
		if m > prev+1e-9 {
			t.Fatalf("MOS rises with loss at %v %%", loss)
		}
		prev = m
	}
}

func good(transport string) TransportResult {
	r := TransportResult{Transport: transport, Relay: true, Loop: true, RTTMs: 20, JitterMs: 2, LossPct: 0, GoodputKbps: 2000,
		Steps: []RateStep{{Name: "audio", TargetKbps: 300, AchievedKbps: 300}, {Name: "presenter", TargetKbps: 2000, AchievedKbps: 2000}}}
	r.MOS = EstimateMOS(r.RTTMs, r.JitterMs, r.LossPct)
	judgeQuality(&r, DefaultThresholds)
	return r
}

func blocked(transport string, c Category) TransportResult {
	return TransportResult{Transport: transport, Verdict: Fail, Category: c}
}

func TestJudgeQuality(t *testing.T) {
	cases := []struct {
		name   string
		modify func(*TransportResult)
		v      Verdict
		c      Category
	}{
		{"good", func(*TransportResult) {}, Pass, CatOK},
		{"rtt warn", func(r *TransportResult) { r.RTTMs = 300 }, Warn, CatHighLatency},
		{"rtt fail", func(r *TransportResult) { r.RTTMs = 1000 }, Fail, CatHighLatency},
		{"jitter", func(r *TransportResult) { r.JitterMs = 31 }, Warn, CatHighJitter},
		{"jitter at limit", func(r *TransportResult) { r.JitterMs = 30 }, Pass, CatOK},
		{"audio loss warn", func(r *TransportResult) { r.LossPct = 2 }, Warn, CatPacketLoss},
		{"loss fail", func(r *TransportResult) { r.LossPct = 20 }, Fail, CatPacketLoss},
		{"presenter undelivered", func(r *TransportResult) { r.Steps[1].UndeliveredPct = 5 }, Warn, CatPacketLoss},
		{"goodput warn", func(r *TransportResult) { r.GoodputKbps = 1499 }, Warn, CatLowBandwidth},
		{"goodput fail", func(r *TransportResult) { r.GoodputKbps = 99 }, Fail, CatLowBandwidth},
		{"mos", func(r *TransportResult) { r.MOS = 3.5 }, Warn, CatPoorQuality},
		// A failure wins over warnings; the first failure in order of
		// importance names the category.
		{"fail beats warn", func(r *TransportResult) { r.JitterMs = 50; r.LossPct = 25 }, Fail, CatPacketLoss},
		{"loss before latency", func(r *TransportResult) { r.LossPct = 3; r.RTTMs = 400 }, Warn, CatPacketLoss},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := good(TransportUDP)
			c.modify(&r)
			judgeQuality(&r, DefaultThresholds)
			if r.Verdict != c.v || r.Category != c.c {
				t.Errorf("got %s/%s (issues %v), want %s/%s", r.Verdict, r.Category, r.Issues, c.v, c.c)
			}
		})
	}
}

func TestDecide(t *testing.T) {
	warnQ := good(TransportUDP)
	warnQ.JitterMs = 40
	judgeQuality(&warnQ, DefaultThresholds)
	failQ := good(TransportTLS)
	failQ.LossPct = 30
	judgeQuality(&failQ, DefaultThresholds)
	relayOnly := TransportResult{Transport: TransportUDP, Relay: true, Verdict: Fail, Category: CatLoopBlocked}
	slowLoop := func(tr string, v Verdict, c Category) TransportResult {
		return TransportResult{Transport: tr, Relay: true, Verdict: v, Category: c}
	}
	cases := []struct {
		name string
		ts   []TransportResult
		api  *APIResult
		v    Verdict
		c    Category
	}{
		{"none", nil, nil, Fail, CatNoTURNServers},
		{"all good", []TransportResult{good(TransportUDP), good(TransportTCP), good(TransportTLS)}, nil, Pass, CatOK},
		{"udp blocked", []TransportResult{blocked(TransportUDP, CatUDPBlocked), good(TransportTCP), good(TransportTLS)}, nil, Warn, CatUDPBlocked},
		{"only tls", []TransportResult{blocked(TransportUDP, CatUDPBlocked), blocked(TransportTCP, CatTCPBlocked), good(TransportTLS)}, nil, Warn, CatOnlyTLS},
		{"only tls, no tcp url", []TransportResult{blocked(TransportUDP, CatUDPBlocked), good(TransportTLS)}, nil, Warn, CatOnlyTLS},
		{"tls only configured", []TransportResult{good(TransportTLS)}, nil, Pass, CatOK},
		{"tcp 3478 blocked, udp fine", []TransportResult{good(TransportUDP), blocked(TransportTCP, CatTCPBlocked), good(TransportTLS)}, nil, Pass, CatOK},
		{"all blocked", []TransportResult{blocked(TransportUDP, CatUDPBlocked), blocked(TransportTCP, CatTCPBlocked), blocked(TransportTLS, CatTCPBlocked)}, nil, Fail, CatAllBlocked},
		{"auth", []TransportResult{blocked(TransportUDP, CatAuthFailed), blocked(TransportTLS, CatAuthFailed)}, nil, Fail, CatAuthFailed},
		{"expired", []TransportResult{blocked(TransportUDP, CatAuthExpired), blocked(TransportTLS, CatAuthExpired)}, nil, Fail, CatAuthExpired},
		{"interception", []TransportResult{blocked(TransportUDP, CatUDPBlocked), blocked(TransportTCP, CatTCPBlocked), blocked(TransportTLS, CatTLSUntrusted)}, nil, Fail, CatTLSUntrusted},
		{"dns", []TransportResult{blocked(TransportUDP, CatDNSFailed), blocked(TransportTLS, CatDNSFailed)}, nil, Fail, CatDNSFailed},
		{"loop blocked", []TransportResult{relayOnly, relayOnly}, nil, Fail, CatLoopBlocked},
		{"loop blocked on udp, tcp fine", []TransportResult{relayOnly, good(TransportTCP)}, nil, Warn, CatLoopBlocked},
		// A loop that did not open only because time ran out is a slow link,
		// not the server's policy.
		{"loop too slow, high latency", []TransportResult{slowLoop(TransportUDP, Warn, CatHighLatency), slowLoop(TransportTCP, Warn, CatHighLatency)}, nil, Warn, CatHighLatency},
		{"loop too slow, timeout", []TransportResult{slowLoop(TransportUDP, Fail, CatTimeout), blocked(TransportTCP, CatTCPBlocked)}, nil, Fail, CatTimeout},
		{"loop too slow, very high latency", []TransportResult{slowLoop(TransportUDP, Fail, CatHighLatency)}, nil, Fail, CatHighLatency},
		{"refused peer beats slow", []TransportResult{relayOnly, slowLoop(TransportTCP, Fail, CatTimeout)}, nil, Fail, CatLoopBlocked},
		{"canceled", []TransportResult{blocked(TransportUDP, CatCanceled)}, nil, Fail, CatCanceled},
		{"quality warn", []TransportResult{warnQ, good(TransportTLS)}, nil, Warn, CatHighJitter},
		{"udp blocked beats quality warn", []TransportResult{blocked(TransportUDP, CatUDPBlocked), good(TransportTCP)}, nil, Warn, CatUDPBlocked},
		{"quality fail on the only path", []TransportResult{blocked(TransportUDP, CatUDPBlocked), failQ}, nil, Fail, CatPacketLoss},
		{"best path decides quality", []TransportResult{good(TransportUDP), failQ}, nil, Pass, CatOK},
		{"api down", []TransportResult{good(TransportUDP)}, &APIResult{OK: false}, Fail, CatAPIUnreachable},
		{"api up", []TransportResult{good(TransportUDP)}, &APIResult{OK: true}, Pass, CatOK},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v, cat := Decide(c.ts, c.api)
			if v != c.v || cat != c.c {
				t.Errorf("Decide = %s/%s, want %s/%s", v, cat, c.v, c.c)
			}
		})
	}
}

func TestClassifyDialErr(t *testing.T) {
	op := func(err error) error { return &net.OpError{Op: "dial", Net: "tcp4", Err: err} }
	cases := []struct {
		err  error
		want Category
	}{
		{&net.DNSError{Err: "no such host", Name: "turn.example", IsNotFound: true}, CatDNSFailed},
		{op(syscall.ECONNREFUSED), CatRefused},
		{op(&timeoutErr{}), CatTCPBlocked},
		{fmt.Errorf("dial: %w", context.DeadlineExceeded), CatTCPBlocked},
		{op(syscall.EHOSTUNREACH), CatTCPBlocked},
		{&tls.CertificateVerificationError{Err: x509.UnknownAuthorityError{}}, CatTLSUntrusted},
		{x509.HostnameError{Host: "turn.example", Certificate: &x509.Certificate{}}, CatTLSUntrusted},
		{tls.AlertError(40), CatTLSFailed},
		{op(syscall.ECONNRESET), CatTLSFailed},
		{context.Canceled, CatCanceled},
		{errors.New("something else"), CatError},
	}
	for _, c := range cases {
		if got := classifyDialErr(c.err); got != c.want {
			t.Errorf("classifyDialErr(%v) = %s, want %s", c.err, got, c.want)
		}
	}
}

type timeoutErr struct{}

func (*timeoutErr) Error() string   { return "i/o timeout" }
func (*timeoutErr) Timeout() bool   { return true }
func (*timeoutErr) Temporary() bool { return true }

func TestClassifyWarnings(t *testing.T) {
	cases := []struct {
		lines []string
		want  Category
	}{
		{[]string{"Failed to ping without candidate pairs.", "failed to allocate on TURN client 127.0.0.1:3478 Allocate error response (error 401: Unauthorized)"}, CatAuthFailed},
		{[]string{"failed to allocate on TURN client 127.0.0.1:3478 all retransmissions failed for abc"}, CatUDPBlocked},
		{[]string{"Failed to connect to relay: tls: failed to verify certificate: x509: certificate signed by unknown authority"}, CatTLSUntrusted},
		{[]string{"dial tcp4 10.0.0.1:3478: connect: connection refused"}, CatRefused},
		{[]string{"Failed to dial TCP address 10.0.0.1:3478: i/o timeout"}, CatTCPBlocked},
		{[]string{"all retransmissions failed", "error 401"}, CatAuthFailed}, // the precise reason wins
		// "401" inside a host or port is not an authentication failure.
		{[]string{"failed to allocate on TURN client 127.0.0.1:34010 Allocate error response (error 486: Allocation Quota Reached)"}, ""},
		{[]string{"failed to allocate on TURN client turn401.example.org:3478 Allocate error response (error 403: Forbidden)"}, ""},
		{[]string{"Failed to resolve turn:turn.example.org:4010: lookup turn.example.org: no such host"}, CatDNSFailed},
		{[]string{"failed to allocate on TURN client turn401.example.org:34010 Allocate error response (error 401: Unauthorized)"}, CatAuthFailed},
		{nil, ""},
	}
	for _, c := range cases {
		if got, _ := classifyWarnings(c.lines); got != c.want {
			t.Errorf("classifyWarnings(%q) = %s, want %s", c.lines, got, c.want)
		}
	}
}

func TestExpandAndRedact(t *testing.T) {
	servers := []ICEServer{
		{URLs: []string{"stun:bbb.example:3478"}},
		{URLs: []string{"turn:bbb.example:3478", "turn:bbb.example:3478?transport=tcp"}, Username: "1767225600:w_abc", Credential: "pw"},
		{URLs: []string{"turns:bbb.example:443?transport=tcp", "turns:bbb.example:5349?transport=udp"}, Username: "u", Credential: "pw"},
	}
	ps, err := expand(servers)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range ps {
		got = append(got, p.transport)
	}
	if strings.Join(got, ",") != "udp,tcp,tls,dtls" {
		t.Fatalf("transports %v", got)
	}
	if !ps[0].expires.Equal(time.Unix(1767225600, 0)) {
		t.Errorf("expiry from the REST username: %v", ps[0].expires)
	}
	if _, err := expand([]ICEServer{{URLs: []string{"turn:h:3478"}}}); !errors.Is(err, ErrNoCredentials) {
		t.Errorf("no credentials: %v", err)
	}
	if _, err := expand([]ICEServer{{URLs: []string{"http://h"}, Username: "u", Credential: "c"}}); !errors.Is(err, ErrBadURL) {
		t.Errorf("bad URL: %v", err)
	}
	for in, want := range map[string]string{
		"turn:h:3478?transport=tcp":           "turn:h:3478?transport=tcp",
		"turn:user:secret@h:3478":             "turn:h:3478",
		"turns:h:443?token=abc&transport=tcp": "turns:h:443?transport=tcp",
		"nonsense":                            "[invalid]",
	} {
		if got := redactURL(in); got != want {
			t.Errorf("redactURL(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSourcesNeverPrintSecrets(t *testing.T) {
	src := NewTURNRESTSource([]string{"turn:h:3478"}, "static-secret-xyz")
	servers, err := src.ICEServers(context.Background())
	if err != nil || len(servers) != 1 || servers[0].Credential == "" {
		t.Fatalf("%v %v", servers, err)
	}
	for _, s := range []string{fmt.Sprint(src), fmt.Sprintf("%+v", src), fmt.Sprintf("%v", servers)} {
		if strings.Contains(s, "static-secret-xyz") || strings.Contains(s, servers[0].Credential) {
			t.Errorf("secret printed: %s", s)
		}
	}
}
