package netcheck

import (
	"context"
	"crypto/x509"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"net"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/pion/ice/v4"
	"github.com/pion/webrtc/v4"
)

// probePlan is the timing of one transport's test.
type probePlan struct {
	start         time.Time
	relayDeadline time.Time // no relay by then: blocked (trap 7)
	deadline      time.Time // everything done by then
	probeDur      time.Duration
	roots         *x509.CertPool
	th            Thresholds
	now           func() time.Time // clock for credential expiry
}

// Probe pacing (network-check.md §9).
const (
	probeInterval = 20 * time.Millisecond
	probeSize     = 160 // an Opus frame every 20 ms
	bulkSize      = 1000
	maxBuffered   = 256 << 10 // beyond this the link does not keep up: skip, do not queue
)

// stages of the paced goodput test (network-check.md §11.6): audio + own
// camera, then screen + camera + audio.
var stages = []RateStep{{Name: "audio", TargetKbps: 300}, {Name: "presenter", TargetKbps: 2000}}

func newAPI(sink *warnSink, d *boundedDialer) *webrtc.API {
	se := webrtc.SettingEngine{LoggerFactory: sink}
	se.SetRelayAcceptanceMinWait(0)                                                          // trap 1
	se.SetICETimeouts(3*time.Second, 6*time.Second, 500*time.Millisecond)                    // a dead path is declared quickly
	se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4, webrtc.NetworkTypeUDP6}) // trap 4
	se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)                                  // no 5353 on school PCs
	if d != nil {
		se.SetICEProxyDialer(d) // only used for ?transport=tcp and turns: (trap 2, 3)
	}
	return webrtc.NewAPI(webrtc.WithSettingEngine(se))
}

// candQueue buffers remote candidates until the remote description is set
// (pion rejects AddICECandidate before that).
type candQueue struct {
	mu      sync.Mutex
	pc      *webrtc.PeerConnection
	ready   bool
	pending []webrtc.ICECandidateInit
}

func (q *candQueue) add(c webrtc.ICECandidateInit) {
	q.mu.Lock()
	if !q.ready {
		q.pending = append(q.pending, c)
		q.mu.Unlock()
		return
	}
	q.mu.Unlock()
	_ = q.pc.AddICECandidate(c)
}

func (q *candQueue) remoteSet() {
	q.mu.Lock()
	q.ready = true
	p := q.pending
	q.pending = nil
	q.mu.Unlock()
	for _, c := range p {
		_ = q.pc.AddICECandidate(c)
	}
}

// closeAsync closes PeerConnections without blocking the caller: Close can
// wait for a pending TURN dial or allocation.
func closeAsync(pcs ...*webrtc.PeerConnection) {
	for _, pc := range pcs {
		if pc != nil {
			go func() { _ = pc.Close() }()
		}
	}
}

// probeTransport tests one TURN URL: relay, loop, paced probes.
func probeTransport(ctx context.Context, p probeURL, plan probePlan) (res TransportResult) {
	res = TransportResult{URL: redactURL(p.raw), Transport: p.transport, Verdict: Fail}
	defer func() { res.DurationMs = since(plan.start) }()
	fail := func(c Category, msg string) TransportResult {
		res.Verdict, res.Category, res.Error = Fail, c, msg
		if ctx.Err() != nil && errors.Is(ctx.Err(), context.Canceled) && c != CatOK {
			res.Category = CatCanceled
		}
		return res
	}
	rctx, cancel := context.WithDeadline(ctx, plan.relayDeadline)
	defer cancel()

	// Resolve first, with its own bound: pion logs a failed TURN lookup only
	// at debug level, and "DNS blocked" deserves its own verdict.
	host := p.uri.Host
	if net.ParseIP(host) == nil {
		dctx, dcancel := context.WithTimeout(rctx, 2*time.Second)
		t0 := time.Now()
		_, err := net.DefaultResolver.LookupHost(dctx, host)
		dcancel()
		res.DNSMs = since(t0)
		if err != nil {
			if ctx.Err() != nil {
				return fail(CatCanceled, "canceled")
			}
			return fail(CatDNSFailed, fmt.Sprintf("TURN host %s does not resolve: %v", host, err))
		}
	}

	sink := &warnSink{secrets: []string{p.username, p.password}}
	var dialer *boundedDialer
	if p.transport == TransportTCP || p.transport == TransportTLS {
		dialer = &boundedDialer{ctx: rctx, tls: p.transport == TransportTLS, roots: plan.roots}
	}
	api := newAPI(sink, dialer)
	cfg := webrtc.Configuration{
		ICEServers: []webrtc.ICEServer{{URLs: []string{p.raw}, Username: p.username, Credential: p.password,
			CredentialType: webrtc.ICECredentialTypePassword}},
		ICETransportPolicy: webrtc.ICETransportPolicyRelay,
	}
	a, err := api.NewPeerConnection(cfg)
	if err != nil {
		return fail(CatError, "create peer connection: "+scrub(err.Error(), p))
	}
	b, err := api.NewPeerConnection(cfg)
	if err != nil {
		closeAsync(a)
		return fail(CatError, "create peer connection: "+scrub(err.Error(), p))
	}
	defer closeAsync(a, b)

	relay := make(chan time.Duration, 1)
	gatherDone := make(chan struct{})
	var gatherOnce sync.Once
	qa, qb := &candQueue{pc: a}, &candQueue{pc: b}
	a.OnICECandidate(func(c *webrtc.ICECandidate) {
		if c == nil {
			gatherOnce.Do(func() { close(gatherDone) })
			return
		}
		if c.Typ == webrtc.ICECandidateTypeRelay {
			select {
			case relay <- time.Since(plan.start):
			default:
			}
		}
		qb.add(c.ToJSON())
	})
	b.OnICECandidate(func(c *webrtc.ICECandidate) {
		if c != nil {
			qa.add(c.ToJSON())
		}
	})

	lp := newLoop()
	if err := lp.wire(a, b); err != nil {
		return fail(CatError, "create data channels: "+err.Error())
	}
	if err := negotiate(a, b, qa, qb); err != nil {
		return fail(CatError, "negotiate: "+scrub(err.Error(), p))
	}

	// Layer 1: a relay candidate, or the precise reason.
	timer := time.NewTimer(time.Until(plan.relayDeadline))
	defer timer.Stop()
	select {
	case d := <-relay:
		res.Relay, res.RelayMs = true, ms(d)
	case <-gatherDone:
		// Gathering ended without a relay: the reason is already known
		// (401, refused, certificate…), no need to wait for the deadline.
		select {
		case d := <-relay:
			res.Relay, res.RelayMs = true, ms(d)
		default:
		}
	case <-timer.C:
	case <-ctx.Done():
	}
	if !res.Relay {
		cancel() // abort pending dials, so the background Close returns soon
		dialer.settle(200 * time.Millisecond)
	}
	dialErr, issuer := dialer.result()
	res.TLSIssuer = issuer
	if !res.Relay {
		warnings := sink.all()
		res.Warnings = interesting(warnings)
		return fail(noRelayReason(ctx, p, dialErr, warnings, plan.now()))
	}
	res.RelayProtocol = relayProtocol(a)

	// Layer 2: the relay-to-relay loop.
	loopTimer := time.NewTimer(time.Until(plan.deadline.Add(-minProbe(plan))))
	defer loopTimer.Stop()
	select {
	case <-lp.open:
		res.Loop = true
		res.ConnectMs = since(plan.start)
	case <-loopTimer.C:
	case <-ctx.Done():
	}
	if !res.Loop {
		res.Warnings = interesting(sink.all())
		if ctx.Err() != nil && errors.Is(ctx.Err(), context.Canceled) {
			return fail(CatCanceled, "canceled")
		}
		return fail(CatLoopBlocked, "relay allocated, but no data flowed between two relay addresses on this server (TURN peer policy, e.g. denied-peer-ip)")
	}

	// Layer 3: paced probes.
	dur := plan.probeDur
	grace := 300 * time.Millisecond
	if left := time.Until(plan.deadline) - grace; left < dur {
		dur = max(left, 100*time.Millisecond)
	}
	before := pathCounters(a, b)
	lp.run(ctx, dur, grace, plan.deadline)
	lp.fill(&res, dur)
	if after := pathCounters(a, b); after.sent > before.sent {
		// pion's DataChannels retransmit once even with MaxRetransmits 0
		// (sctp marks the chunk abandoned only after resending it), so
		// echoes hide loss. The ICE pair's packet counters do not: every
		// packet a or b sent through the relay, against every packet
		// that arrived.
		sent, recv := float64(after.sent-before.sent), float64(after.recv-before.recv)
		res.LossPct = round2(100 * math.Max(0, 1-recv/sent))
		res.MOS = round2(EstimateMOS(res.RTTMs, res.JitterMs, res.LossPct))
	}
	res.Warnings = interesting(sink.all())
	judgeQuality(&res, plan.th)
	if ctx.Err() != nil && errors.Is(ctx.Err(), context.Canceled) {
		res.Verdict, res.Category = Fail, CatCanceled
	}
	return res
}

func minProbe(plan probePlan) time.Duration {
	return min(plan.probeDur, 300*time.Millisecond) + 300*time.Millisecond
}

func negotiate(a, b *webrtc.PeerConnection, qa, qb *candQueue) error {
	offer, err := a.CreateOffer(nil)
	if err != nil {
		return err
	}
	if err := a.SetLocalDescription(offer); err != nil { // gathering starts here
		return err
	}
	if err := b.SetRemoteDescription(offer); err != nil {
		return err
	}
	qb.remoteSet()
	answer, err := b.CreateAnswer(nil)
	if err != nil {
		return err
	}
	if err := b.SetLocalDescription(answer); err != nil {
		return err
	}
	if err := a.SetRemoteDescription(answer); err != nil {
		return err
	}
	qa.remoteSet()
	return nil
}

// noRelayReason names why no relay candidate came: our dialer's typed error
// first (TCP/TLS), then pion's warnings, then the kind of silence.
func noRelayReason(ctx context.Context, p probeURL, dialErr error, warnings []string, now time.Time) (Category, string) {
	if errors.Is(ctx.Err(), context.Canceled) {
		return CatCanceled, "canceled"
	}
	if dialErr != nil {
		c := classifyDialErr(dialErr)
		msg := scrub(dialErr.Error(), p)
		if c == CatTCPBlocked {
			msg = fmt.Sprintf("no TCP connection to %s:%d (silently dropped?): %s", p.uri.Host, p.uri.Port, msg)
		}
		return c, msg
	}
	c, line := classifyWarnings(warnings)
	switch c {
	case CatAuthFailed:
		if !p.expires.IsZero() && now.After(p.expires) {
			return CatAuthExpired, "TURN credentials expired at " + p.expires.UTC().Format(time.RFC3339) + ": " + line
		}
		return CatAuthFailed, "TURN server refused the credentials: " + line
	case "":
	default:
		return c, line
	}
	if p.transport == TransportUDP || p.transport == TransportDTLS {
		return CatUDPBlocked, fmt.Sprintf("no answer from %s:%d over UDP before the deadline (UDP blocked?)", p.uri.Host, p.uri.Port)
	}
	return CatTimeout, fmt.Sprintf("connected to %s:%d, but no relay before the deadline", p.uri.Host, p.uri.Port)
}

func scrub(s string, p probeURL) string {
	for _, sec := range []string{p.password, p.username} {
		if sec != "" {
			s = strings.ReplaceAll(s, sec, "[redacted]")
		}
	}
	return s
}

// relayProtocol reads how the relay was reached (trap 5: a relay candidate
// always says "udp").
func relayProtocol(pc *webrtc.PeerConnection) string {
	for _, s := range pc.GetStats() {
		if c, ok := s.(webrtc.ICECandidateStats); ok && c.Type == webrtc.StatsTypeLocalCandidate &&
			c.CandidateType == webrtc.ICECandidateTypeRelay && c.RelayProtocol != "" {
			return c.RelayProtocol
		}
	}
	return ""
}

type counters struct{ sent, recv uint64 }

// pathCounters sums the application packets both ends sent and received on
// their selected ICE pairs.
func pathCounters(pcs ...*webrtc.PeerConnection) counters {
	var c counters
	for _, pc := range pcs {
		sctp := pc.SCTP()
		if sctp == nil || sctp.Transport() == nil || sctp.Transport().ICETransport() == nil {
			continue
		}
		if st, ok := sctp.Transport().ICETransport().GetSelectedCandidatePairStats(); ok {
			c.sent += uint64(st.PacketsSent)
			c.recv += uint64(st.PacketsReceived)
		}
	}
	return c
}

// loop is the relay-to-relay DataChannel pair with its measurements.
type loop struct {
	open     chan struct{}
	openOnce sync.Once
	probeA   *webrtc.DataChannel
	bulkA    *webrtc.DataChannel
	t0       time.Time

	mu       sync.Mutex
	sent     int
	rtt      map[uint32]time.Duration
	bulkSent []int
	bulkRecv []int
	bulkOff  []int // skipped because the send buffer was full
}

func newLoop() *loop {
	return &loop{open: make(chan struct{}), rtt: map[uint32]time.Duration{}, t0: time.Now(),
		bulkSent: make([]int, len(stages)), bulkRecv: make([]int, len(stages)), bulkOff: make([]int, len(stages))}
}

// wire creates the negotiated channels on both sides (no DCEP round trip):
// unordered and without retransmissions, like RTP.
func (l *loop) wire(a, b *webrtc.PeerConnection) error {
	unordered, zero, yes := false, uint16(0), true
	mk := func(pc *webrtc.PeerConnection, label string, id uint16) (*webrtc.DataChannel, error) {
		return pc.CreateDataChannel(label, &webrtc.DataChannelInit{Ordered: &unordered, MaxRetransmits: &zero, Negotiated: &yes, ID: &id})
	}
	var err error
	if l.probeA, err = mk(a, "probe", 0); err != nil {
		return err
	}
	if l.bulkA, err = mk(a, "bulk", 1); err != nil {
		return err
	}
	probeB, err := mk(b, "probe", 0)
	if err != nil {
		return err
	}
	bulkB, err := mk(b, "bulk", 1)
	if err != nil {
		return err
	}
	l.probeA.OnOpen(func() { l.openOnce.Do(func() { close(l.open) }) })
	probeB.OnMessage(func(m webrtc.DataChannelMessage) { _ = probeB.Send(m.Data) }) // echo
	l.probeA.OnMessage(func(m webrtc.DataChannelMessage) {
		if len(m.Data) < 12 {
			return
		}
		now := time.Since(l.t0)
		seq := binary.BigEndian.Uint32(m.Data)
		sentAt := time.Duration(binary.BigEndian.Uint64(m.Data[4:]))
		l.mu.Lock()
		if _, dup := l.rtt[seq]; !dup && int(seq) < l.sent {
			l.rtt[seq] = now - sentAt
		}
		l.mu.Unlock()
	})
	bulkB.OnMessage(func(m webrtc.DataChannelMessage) {
		if len(m.Data) < 1 || int(m.Data[0]) >= len(stages) {
			return
		}
		l.mu.Lock()
		l.bulkRecv[m.Data[0]]++
		l.mu.Unlock()
	})
	return nil
}

// run sends probes every 20 ms and paces the bulk channel through the
// stages for dur, then waits up to grace for the last echoes.
func (l *loop) run(ctx context.Context, dur, grace time.Duration, deadline time.Time) {
	probe := make([]byte, probeSize)
	bulk := make([]byte, bulkSize)
	stageDur := dur / time.Duration(len(stages))
	start := time.Now()
	nextProbe := time.Duration(0)
	bulkBytes := make([]float64, len(stages))
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for {
		el := time.Since(start)
		if el >= dur || ctx.Err() != nil {
			break
		}
		for el >= nextProbe {
			l.mu.Lock()
			seq := uint32(l.sent)
			l.sent++
			l.mu.Unlock()
			binary.BigEndian.PutUint32(probe, seq)
			binary.BigEndian.PutUint64(probe[4:], uint64(time.Since(l.t0)))
			_ = l.probeA.Send(probe)
			nextProbe += probeInterval
		}
		// Token bucket: catch up after scheduling hiccups so a busy CPU does
		// not look like a slow network.
		st := min(int(el/stageDur), len(stages)-1)
		inStage := el - time.Duration(st)*stageDur
		due := stages[st].TargetKbps * 1000 / 8 * inStage.Seconds()
		for bulkBytes[st]+bulkSize <= due {
			bulkBytes[st] += bulkSize
			bulk[0] = byte(st)
			if l.bulkA.BufferedAmount() > maxBuffered {
				l.mu.Lock()
				l.bulkOff[st]++
				l.mu.Unlock()
				continue
			}
			if l.bulkA.Send(bulk) == nil {
				l.mu.Lock()
				l.bulkSent[st]++
				l.mu.Unlock()
			}
		}
		select {
		case <-tick.C:
		case <-ctx.Done():
		}
	}
	// Wait for the last echoes, but not past the deadline.
	end := time.Now().Add(grace)
	if end.After(deadline) {
		end = deadline
	}
	for time.Now().Before(end) && ctx.Err() == nil {
		l.mu.Lock()
		done := len(l.rtt) >= l.sent
		l.mu.Unlock()
		if done {
			// probes complete; give bulk a moment to drain
			time.Sleep(min(50*time.Millisecond, time.Until(end)))
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// fill turns the raw counts into the transport's metrics.
func (l *loop) fill(r *TransportResult, dur time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	r.ProbesSent, r.ProbesEchoed = l.sent, len(l.rtt)
	seqs := make([]int, 0, len(l.rtt))
	for s := range l.rtt {
		seqs = append(seqs, int(s))
	}
	sort.Ints(seqs)
	rtts := make([]float64, 0, len(seqs))
	for _, s := range seqs {
		rtts = append(rtts, float64(l.rtt[uint32(s)])/float64(time.Millisecond))
	}
	var loopLoss float64 = 1
	if l.sent > 0 {
		loopLoss = 1 - float64(len(l.rtt))/float64(l.sent)
	}
	// The loop crosses client↔TURN twice (network-check.md §8).
	probeLoss := 1 - math.Sqrt(math.Max(0, 1-loopLoss))
	if len(rtts) > 0 {
		med := median(rtts)
		r.LoopRTTMs = round2(med)
		r.RTTMs = round2(med / 2)
		var jit float64
		for i := 1; i < len(rtts); i++ {
			jit += math.Abs(rtts[i] - rtts[i-1])
		}
		if len(rtts) > 1 {
			r.JitterMs = round2(jit / float64(len(rtts)-1) / 2)
		}
	}
	// Pool the probe and bulk loss estimates, weighted by packet counts: the
	// bulk path (a→TURN→b) also crosses client↔TURN once each way.
	n, weighted := float64(l.sent), probeLoss*float64(l.sent)
	stageDur := dur / time.Duration(len(stages))
	r.Steps = make([]RateStep, len(stages))
	for i, s := range stages {
		step := s
		sent := l.bulkSent[i] + l.bulkOff[i]
		if sent > 0 {
			loss := 1 - float64(l.bulkRecv[i])/float64(sent)
			step.UndeliveredPct = round2(100 * math.Max(loss, 0))
			n += float64(sent)
			weighted += math.Max(loss, 0) * float64(sent)
		}
		step.AchievedKbps = round2(float64(l.bulkRecv[i]*bulkSize) * 8 / 1000 / stageDur.Seconds())
		r.Steps[i] = step
		if s.Name == "presenter" {
			r.GoodputKbps = step.AchievedKbps
		}
	}
	if n > 0 {
		r.LossPct = round2(100 * weighted / n)
	}
	r.MOS = round2(EstimateMOS(r.RTTMs, r.JitterMs, r.LossPct))
}

func median(xs []float64) float64 {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
