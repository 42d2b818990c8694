package demo

import (
	"context"
	"encoding/json"
	"net"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/pion/turn/v5"

	"github.com/tafel-schule/tafel/bbbclient"
	"github.com/tafel-schule/tafel/netcheck"
	"github.com/tafel-schule/tafel/turnrest"
)

// dialTURN returns a pion TURN client on transport ("udp" or "tcp") to srv.
func dialTURN(t *testing.T, srv *TURNServer, transport, user, pass string) (*turn.Client, func()) {
	t.Helper()
	var conn net.PacketConn
	addr := srv.UDPAddr
	switch transport {
	case "udp":
		c, err := net.ListenPacket("udp4", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		conn = c
	case "tcp":
		addr = srv.TCPAddr
		c, err := net.Dial("tcp4", addr)
		if err != nil {
			t.Fatal(err)
		}
		conn = turn.NewSTUNConn(c)
	}
	cl, err := turn.NewClient(&turn.ClientConfig{TURNServerAddr: addr, STUNServerAddr: addr, Conn: conn,
		Username: user, Password: pass, LoggerFactory: quietLogs(), RTO: 100 * time.Millisecond})
	if err != nil {
		conn.Close()
		t.Fatal(err)
	}
	if err := cl.Listen(); err != nil {
		conn.Close()
		t.Fatal(err)
	}
	return cl, func() { cl.Close(); conn.Close() }
}

func allocate(cl *turn.Client) (net.PacketConn, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return cl.AllocateWithContext(ctx)
}

// The TURN server checks credentials as coturn's use-auth-secret does,
// on both transports, and relays only to loopback peers.
func TestDemoTURNCredentials(t *testing.T) {
	const secret = "demo-test-secret"
	now := time.Now()
	srv, err := StartTURN(TURNOptions{Secret: secret})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	if got := srv.URLs(); len(got) != 2 || !strings.HasSuffix(got[0], "?transport=udp") || !strings.HasSuffix(got[1], "?transport=tcp") ||
		!strings.HasPrefix(got[0], "turn:127.0.0.1:") {
		t.Fatalf("URLs %v", got)
	}
	good := turnrest.Mint(secret, "w_teacher", now, time.Hour)
	expired := turnrest.Mint(secret, "w_teacher", now.Add(-2*time.Hour), time.Hour)
	other := turnrest.Mint("another-secret", "w_teacher", now, time.Hour)
	for _, tr := range []string{"udp", "tcp"} {
		t.Run(tr, func(t *testing.T) {
			for _, c := range []struct {
				name, user, pass string
				ok               bool
			}{
				{"good", good.Username, good.Password, true},
				{"wrong password", good.Username, good.Password[:len(good.Password)-2] + "xx", false},
				{"other secret", other.Username, other.Password, false},
				{"expired", expired.Username, expired.Password, false},
				{"no expiry", "w_teacher", turnrest.Password(secret, "w_teacher"), false},
			} {
				cl, done := dialTURN(t, srv, tr, c.user, c.pass)
				relay, err := allocate(cl)
				if c.ok != (err == nil) || (err != nil && !strings.Contains(err.Error(), "401")) {
					done()
					t.Fatalf("%s: allocate err=%v, want ok=%v (refusal: 401)", c.name, err, c.ok)
				}
				if err == nil {
					if !strings.HasPrefix(relay.LocalAddr().String(), "127.0.0.1:") {
						t.Errorf("relay address %s, want 127.0.0.1", relay.LocalAddr())
					}
					if err := cl.CreatePermission(&net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 9}); err != nil {
						t.Errorf("loopback peer refused: %v", err)
					}
					if err := cl.CreatePermission(&net.UDPAddr{IP: net.IPv4(192, 0, 2, 1), Port: 9}); err == nil {
						t.Error("a non-loopback peer was allowed: the demo TURN server must not relay off this machine")
					}
					relay.Close()
				}
				done()
			}
		})
	}
}

// The network check passes on both transports against the demo pool, with
// the credentials the simulator's stuns mints for the demo TURN server.
func TestDemoNetcheckPass(t *testing.T) {
	p, err := Start(Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	ctx := context.Background()
	cfg := fetchICE(t, p)
	var urls []string
	for _, s := range cfg.TURNServers {
		urls = append(urls, s.URLs...)
	}
	if strings.Join(urls, " ") != strings.Join(p.TURN.URLs(), " ") {
		t.Fatalf("stuns lists %v, want %v", urls, p.TURN.URLs())
	}
	start := time.Now()
	rep, err := netcheck.Run(ctx, netcheck.NewBBBSource(p.Client, ""), netcheck.Options{Timeout: 20 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	t.Logf("netcheck via stuns: %s in %v", rep.Verdict, took.Round(time.Millisecond))
	requirePass(t, rep)
	if took > 10*time.Second {
		t.Errorf("the check took %v; on loopback it needs about one second", took)
	}

	// A wrong credential gives no relay and a failing verdict.
	bad := netcheck.NewStaticSource(p.TURN.URLs(), cfg.TURNServers[0].Username, "d3JvbmcgcGFzc3dvcmQ=")
	rep, err = netcheck.Run(ctx, bad, netcheck.Options{Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Verdict != netcheck.Fail {
		t.Fatalf("wrong credential: verdict %s, want fail", rep.Verdict)
	}
	for _, tr := range rep.Transports {
		if tr.Relay {
			t.Errorf("wrong credential: %s gave a relay", tr.Transport)
		}
	}
}

func fetchICE(t *testing.T, p *Pool) *bbbclient.ICEConfig {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res, err := p.Client.Create(ctx, bbbclient.CreateParams{Name: "TURN test", MeetingID: "turn-test"})
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := p.Client.FetchICEServers(ctx, bbbclient.JoinParams{MeetingID: res.MeetingID, FullName: "Test",
		Role: bbbclient.RoleViewer, CreateTime: res.CreateTime})
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.TURNServers) != 2 {
		t.Fatalf("stuns gave %d TURN servers, want 2", len(cfg.TURNServers))
	}
	return cfg
}

func requirePass(t *testing.T, rep *netcheck.Report) {
	t.Helper()
	seen := map[string]bool{}
	for _, tr := range rep.Transports {
		seen[tr.Transport] = true
		if !tr.Relay || !tr.Loop || tr.Verdict != netcheck.Pass {
			t.Errorf("%s: relay=%v loop=%v verdict=%s category=%s error=%q", tr.Transport, tr.Relay, tr.Loop, tr.Verdict, tr.Category, tr.Error)
		}
	}
	if !seen["udp"] || !seen["tcp"] {
		t.Errorf("transports tested: %v, want udp and tcp", seen)
	}
	if rep.Verdict != netcheck.Pass || t.Failed() {
		b, _ := json.MarshalIndent(rep, "", "  ") // the report never holds credentials
		t.Fatalf("verdict %s (%s), want pass:\n%s", rep.Verdict, rep.Category, b)
	}
}

// Close frees every port (API, TURN UDP and TCP) even while a TURN client
// still holds its TCP connection, and leaves no goroutines behind.
func TestDemoCloseReleases(t *testing.T) {
	before := runtime.NumGoroutine()
	p, err := Start(Options{})
	if err != nil {
		t.Fatal(err)
	}
	cfg := fetchICE(t, p)
	var dones []func()
	for _, tr := range []string{"udp", "tcp"} {
		cl, done := dialTURN(t, p.TURN, tr, cfg.TURNServers[0].Username, cfg.TURNServers[0].Credential)
		dones = append(dones, done)
		relay, err := allocate(cl)
		if err != nil {
			t.Fatalf("%s: allocate with the stuns credential: %v", tr, err)
		}
		// The client's relay (and its refresh timers) goes; its TCP
		// control connection stays open for Close to end.
		relay.Close()
	}
	apiAddr := strings.TrimPrefix(strings.TrimSuffix(p.APIURL, "/bigbluebutton/api"), "http://")
	p.Close()
	p.Close() // twice is harmless
	for _, a := range []struct{ network, addr string }{{"tcp4", apiAddr}, {"tcp4", p.TURN.TCPAddr}, {"udp4", p.TURN.UDPAddr}} {
		if a.network == "udp4" {
			c, err := net.ListenPacket(a.network, a.addr)
			if err != nil {
				t.Errorf("%s %s still taken after Close: %v", a.network, a.addr, err)
				continue
			}
			c.Close()
			continue
		}
		l, err := net.Listen(a.network, a.addr)
		if err != nil {
			t.Errorf("%s %s still taken after Close: %v", a.network, a.addr, err)
			continue
		}
		l.Close()
	}
	// Lenient on the count (other tests' PeerConnections close in the
	// background), strict on the servers' own goroutines.
	ours := []string{"turn/v5.(*Server)", "turn/v5/internal/allocation", "internal/bbbsim.", "net/http.(*conn).serve", "internal/demo."}
	leaked := func(count bool) (int, string) {
		buf := make([]byte, 1<<20)
		stacks := string(buf[:runtime.Stack(buf, true)])
		for _, g := range strings.Split(stacks, "\n\n") {
			for _, o := range ours {
				if strings.Contains(g, o) && !strings.Contains(g, "TestDemoCloseReleases") {
					return runtime.NumGoroutine(), g
				}
			}
		}
		if n := runtime.NumGoroutine(); count && n > before+2 {
			return n, stacks
		}
		return 0, ""
	}
	wait := func(count bool) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		n, stack := leaked(count)
		for stack != "" && time.Now().Before(deadline) {
			time.Sleep(50 * time.Millisecond)
			n, stack = leaked(count)
		}
		if stack != "" {
			t.Errorf("%d goroutines before Start, %d after Close; left over:\n%s", before, n, stack)
		}
	}
	// The servers' goroutines end while the clients still hold their
	// sockets: Close must not depend on the clients going away.
	wait(false)
	for _, d := range dones {
		d()
	}
	wait(true)
}

// The TURN server's auth handler sees usernames from anyone on this
// machine: it never panics and accepts only unexpired REST usernames.
func FuzzDemoRESTAuth(f *testing.F) {
	now := time.Unix(1_800_000_000, 0)
	for _, s := range []string{"1800003600:w_abc", "1799999999:w_abc", "w_abc", "", ":", "1800003600", "-1:x", "99999999999999999999:x", "1800003600:a:b"} {
		f.Add(s)
	}
	auth := restAuth("fuzz-secret", func() time.Time { return now })
	f.Fuzz(func(t *testing.T, user string) {
		_, key, ok := auth(&turn.RequestAttributes{Username: user, Realm: "tafel-demo"})
		exp, err := turnrest.Expiry(user)
		want := err == nil && now.Before(exp)
		if ok != want || ok != (key != nil) {
			t.Fatalf("username %q: ok=%v key=%v, want ok=%v", user, ok, key != nil, want)
		}
	})
}
