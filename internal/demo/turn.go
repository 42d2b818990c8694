package demo

import (
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"sync"
	"time"

	"github.com/pion/logging"
	"github.com/pion/turn/v5"

	"github.com/tafel-schule/tafel/turnrest"
)

// TURNOptions configure StartTURN.
type TURNOptions struct {
	// Secret is the static auth secret of the TURN REST scheme (coturn's
	// use-auth-secret, as bbb-install configures it). Required.
	Secret string
	// Realm is the TURN realm; default "tafel-demo".
	Realm string
	// Now is the clock for credential expiry; default time.Now.
	Now func() time.Time
}

// TURNServer is a TURN server on 127.0.0.1 (UDP and TCP) that accepts
// credentials minted with the TURN REST scheme and relays only between
// loopback addresses: enough for the network check's relay-to-relay loop,
// useless as an open relay to the internet.
type TURNServer struct {
	// UDPAddr and TCPAddr are the listening addresses, "127.0.0.1:port".
	// They share one port when it was free on both transports, as coturn's
	// 3478 does.
	UDPAddr, TCPAddr string

	srv       *turn.Server
	tcp       *trackingListener
	closeOnce sync.Once
	closeErr  error
}

// StartTURN starts a TURN server on free loopback ports until Close.
func StartTURN(opt TURNOptions) (*TURNServer, error) {
	if opt.Secret == "" {
		return nil, errors.New("demo: TURN secret is required")
	}
	if opt.Realm == "" {
		opt.Realm = "tafel-demo"
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	udp, tcp, err := listenPair()
	if err != nil {
		return nil, err
	}
	tl := &trackingListener{Listener: tcp, conns: map[net.Conn]struct{}{}}
	// Relays on 127.0.0.1 only, and only towards loopback peers: the two
	// relay candidates of the check's loop are each other's peers.
	gen := func() turn.RelayAddressGenerator {
		return &turn.RelayAddressGeneratorStatic{RelayAddress: net.IPv4(127, 0, 0, 1), Address: "127.0.0.1"}
	}
	loopbackOnly := func(_ net.Addr, peer net.IP) bool { return peer.IsLoopback() }
	srv, err := turn.NewServer(turn.ServerConfig{
		Realm:         opt.Realm,
		AuthHandler:   restAuth(opt.Secret, opt.Now),
		LoggerFactory: quietLogs(),
		PacketConnConfigs: []turn.PacketConnConfig{
			{PacketConn: udp, RelayAddressGenerator: gen(), PermissionHandler: loopbackOnly},
		},
		ListenerConfigs: []turn.ListenerConfig{
			{Listener: tl, RelayAddressGenerator: gen(), PermissionHandler: loopbackOnly},
		},
	})
	if err != nil {
		udp.Close()
		tcp.Close()
		return nil, fmt.Errorf("demo: TURN server: %w", err)
	}
	return &TURNServer{UDPAddr: udp.LocalAddr().String(), TCPAddr: tcp.Addr().String(), srv: srv, tcp: tl}, nil
}

// URLs returns the server's ICE URLs in the form BBB's stuns lists them:
// turn:127.0.0.1:PORT?transport=udp and …?transport=tcp.
func (t *TURNServer) URLs() []string {
	return []string{"turn:" + t.UDPAddr + "?transport=udp", "turn:" + t.TCPAddr + "?transport=tcp"}
}

// Close stops the server, its relays and its TCP connections (pion's
// Close leaves accepted TCP connections to the clients). Safe to call twice.
func (t *TURNServer) Close() error {
	t.closeOnce.Do(func() {
		t.closeErr = t.srv.Close()
		t.tcp.closeConns()
	})
	return t.closeErr
}

// restAuth checks "expiry:user" usernames the way coturn's use-auth-secret
// does: an expired or malformed username is refused at once, and the key
// derived from HMAC-SHA1(secret, username) makes pion refuse a wrong
// password (401) through the message integrity check.
func restAuth(secret string, now func() time.Time) turn.AuthHandler {
	return func(ra *turn.RequestAttributes) (string, []byte, bool) {
		exp, err := turnrest.Expiry(ra.Username)
		if err != nil || !now().Before(exp) {
			return "", nil, false
		}
		return ra.Username, turn.GenerateAuthKey(ra.Username, ra.Realm, turnrest.Password(secret, ra.Username)), true
	}
}

// quietLogs keeps pion's TURN server silent: its error lines would land on
// the teacher's terminal and name usernames.
func quietLogs() logging.LoggerFactory {
	return &logging.DefaultLoggerFactory{Writer: io.Discard, DefaultLogLevel: logging.LogLevelDisabled, ScopeLevels: map[string]logging.LogLevel{}}
}

// listenPair opens UDP and TCP on 127.0.0.1, on one port if a few tries
// find one free on both, else on two.
func listenPair() (net.PacketConn, net.Listener, error) {
	for range 5 {
		udp, err := net.ListenPacket("udp4", "127.0.0.1:0")
		if err != nil {
			return nil, nil, fmt.Errorf("demo: TURN UDP listener: %w", err)
		}
		port := udp.LocalAddr().(*net.UDPAddr).Port
		tcp, err := net.Listen("tcp4", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
		if err == nil {
			return udp, tcp, nil
		}
		udp.Close()
	}
	udp, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		return nil, nil, fmt.Errorf("demo: TURN UDP listener: %w", err)
	}
	tcp, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		udp.Close()
		return nil, nil, fmt.Errorf("demo: TURN TCP listener: %w", err)
	}
	return udp, tcp, nil
}

// trackingListener remembers accepted connections so Close can end them.
type trackingListener struct {
	net.Listener
	mu     sync.Mutex
	closed bool
	conns  map[net.Conn]struct{}
}

func (l *trackingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		c.Close()
		return nil, net.ErrClosed
	}
	tc := &trackedConn{Conn: c, l: l}
	l.conns[tc] = struct{}{}
	return tc, nil
}

func (l *trackingListener) closeConns() {
	l.mu.Lock()
	l.closed = true
	conns := l.conns
	l.conns = map[net.Conn]struct{}{}
	l.mu.Unlock()
	for c := range conns {
		c.(*trackedConn).Conn.Close()
	}
}

type trackedConn struct {
	net.Conn
	l    *trackingListener
	once sync.Once
}

func (c *trackedConn) Close() error {
	c.once.Do(func() {
		c.l.mu.Lock()
		delete(c.l.conns, c)
		c.l.mu.Unlock()
	})
	return c.Conn.Close()
}
