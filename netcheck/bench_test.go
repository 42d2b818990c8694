package netcheck

import (
	"context"
	"testing"
	"time"

	"github.com/tafel-schule/tafel/internal/testenv"
)

// Time to a full verdict over UDP, TCP and TLS against a real coturn on
// loopback (the side-by-side comparison with turnutils_uclient and the
// dropped-ports scenario are in bench/netcheck).
func BenchmarkRunOpenNetwork(b *testing.B) {
	c := testenv.StartCoturn(b, testenv.CoturnOptions{TLS: true})
	src := NewTURNRESTSource([]string{c.URL("udp"), c.URL("tcp"), c.URL("tls")}, c.Secret)
	opt := Options{RootCAs: c.CA.Pool()}
	for b.Loop() {
		rep, err := Run(context.Background(), src, opt)
		if err != nil || rep.Verdict == Fail {
			b.Fatalf("%v %s/%s", err, rep.Verdict, rep.Category)
		}
		b.StopTimer()
		time.Sleep(200 * time.Millisecond) // background closes free the relay ports
		b.StartTimer()
	}
}

func BenchmarkDecide(b *testing.B) {
	ts := []TransportResult{blocked(TransportUDP, CatUDPBlocked), good(TransportTCP), good(TransportTLS)}
	for b.Loop() {
		Decide(ts, nil)
	}
}

func BenchmarkEstimateMOS(b *testing.B) {
	for b.Loop() {
		EstimateMOS(150, 30, 1)
	}
}
