package netcheck

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/pion/logging"
)

// boundedDialer is the proxy dialer pion uses for turn:…?transport=tcp and
// turns: URLs. It bounds the dial (trap 2: pion's own dial has no timeout and
// a dropped SYN blocks for ~130 s, pc.Close() included), does the TLS for
// turns: itself (pion does not once a proxy dialer is set), trusts the
// configured roots (trap 3: pion has no RootCAs option) and records the
// first real error and the certificate issuer.
type boundedDialer struct {
	ctx       context.Context // bounds every dial: the relay deadline
	tls       bool
	roots     *x509.CertPool // nil: system roots
	mu        sync.Mutex
	firstErr  error
	issuer    string
	inflight  int
	done      *sync.Cond
	attempts  int  // dials of a usable address family
	connected bool // at least one dial (and TLS handshake) succeeded
}

func (d *boundedDialer) begin() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.inflight++
}

func (d *boundedDialer) end() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.inflight--
	if d.done != nil {
		d.done.Broadcast()
	}
}

// settle waits (bounded) for dials still running, so that a dial timing
// out at the same moment as the relay deadline is classified by its error.
func (d *boundedDialer) settle(limit time.Duration) {
	if d == nil {
		return
	}
	t := time.AfterFunc(limit, func() {
		d.mu.Lock()
		defer d.mu.Unlock()
		d.inflight = -1 << 30 // give up waiting
		if d.done != nil {
			d.done.Broadcast()
		}
	})
	defer t.Stop()
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.done == nil {
		d.done = sync.NewCond(&d.mu)
	}
	for d.inflight > 0 {
		d.done.Wait()
	}
}

func (d *boundedDialer) Dial(network, addr string) (net.Conn, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	// pion dials tcp4 and tcp6; the family a literal cannot use fails here
	// at once instead of cluttering the errors.
	if ip := net.ParseIP(host); ip != nil && (ip.To4() != nil) != (network == "tcp4") && network != "tcp" {
		return nil, errFamily
	}
	d.begin()
	defer d.end()
	d.mu.Lock()
	d.attempts++
	d.mu.Unlock()
	nd := &net.Dialer{}
	var c net.Conn
	if d.tls {
		td := &tls.Dialer{NetDialer: nd, Config: &tls.Config{ServerName: host, RootCAs: d.roots, MinVersion: tls.VersionTLS12}}
		c, err = td.DialContext(d.ctx, network, addr)
	} else {
		c, err = nd.DialContext(d.ctx, network, addr)
	}
	if err != nil {
		d.record(err)
		return nil, err // not a typed-nil *tls.Conn
	}
	d.mu.Lock()
	d.connected = true
	d.mu.Unlock()
	if tc, ok := c.(*tls.Conn); ok {
		st := tc.ConnectionState()
		if len(st.PeerCertificates) > 0 {
			d.mu.Lock()
			d.issuer = issuerName(st.PeerCertificates[0])
			d.mu.Unlock()
		}
	}
	return c, nil
}

var errFamily = errors.New("address family not used by this host")

func (d *boundedDialer) record(err error) {
	var ae *net.AddrError
	if errors.As(err, &ae) && strings.Contains(ae.Err, "no suitable address") {
		return // the other address family; harmless
	}
	if errors.Is(err, context.Canceled) {
		return // our own cancel after the outcome was known
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.firstErr == nil {
		d.firstErr = err
	}
	// An untrusted certificate's issuer is what IT needs to see: a school's
	// inspection CA names itself here.
	var cve *tls.CertificateVerificationError
	if errors.As(err, &cve) && len(cve.UnverifiedCertificates) > 0 && d.issuer == "" {
		d.issuer = issuerName(cve.UnverifiedCertificates[0])
	}
}

// result is the first real dial error (or, when dials were still pending at
// the deadline and none connected, errDialPending), and the TLS issuer seen.
func (d *boundedDialer) result() (error, string) {
	if d == nil {
		return nil, ""
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.firstErr == nil && d.attempts > 0 && !d.connected {
		return errDialPending, d.issuer
	}
	return d.firstErr, d.issuer
}

// errDialPending: the connection attempt had not completed by the relay
// deadline (a silently dropped SYN looks exactly like this).
var errDialPending = fmt.Errorf("connection attempt did not complete: %w", context.DeadlineExceeded)

func issuerName(c *x509.Certificate) string {
	if c.Issuer.CommonName != "" {
		if len(c.Issuer.Organization) > 0 {
			return c.Issuer.CommonName + " (" + c.Issuer.Organization[0] + ")"
		}
		return c.Issuer.CommonName
	}
	return c.Issuer.String()
}

// warnSink is a pion LoggerFactory keeping Warn and Error texts (trap 6:
// the failure reason only shows up as a log warning), with credentials
// removed.
type warnSink struct {
	mu      sync.Mutex
	lines   []string
	secrets []string
}

func (s *warnSink) NewLogger(string) logging.LeveledLogger { return sinkLogger{s} }

func (s *warnSink) add(msg string) {
	for _, sec := range s.secrets {
		if sec != "" {
			msg = strings.ReplaceAll(msg, sec, "[redacted]")
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.lines) < 50 {
		s.lines = append(s.lines, msg)
	}
}

func (s *warnSink) all() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.lines...)
}

type sinkLogger struct{ s *warnSink }

func (sinkLogger) Trace(string)          {}
func (sinkLogger) Tracef(string, ...any) {}
func (sinkLogger) Debug(string)          {}
func (sinkLogger) Debugf(string, ...any) {}
func (sinkLogger) Info(string)           {}

// Infof keeps only failed relay sends: a TURN server that refuses the
// relay-to-relay permission (403, peer policy) says so at info level.
func (l sinkLogger) Infof(f string, a ...any) {
	if strings.HasPrefix(f, "Failed to send packet") {
		l.s.add(fmt.Sprintf(f, a...))
	}
}
func (l sinkLogger) Warn(m string) { l.s.add(m) }
func (l sinkLogger) Warnf(f string, a ...any) {
	l.s.add(fmt.Sprintf(f, a...))
}
func (l sinkLogger) Error(m string) { l.s.add(m) }
func (l sinkLogger) Errorf(f string, a ...any) {
	l.s.add(fmt.Sprintf(f, a...))
}

// since is a small helper for durations in ms relative to a start.
func since(t time.Time) float64 { return ms(time.Since(t)) }
