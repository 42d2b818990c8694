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
	// Media (RTP) is paced by its encoder, not by a congestion window. With
	// SCTP's initial window of 4 kB, a 2 Mbit/s step over a 400 ms loop
	// would crawl through slow start and look like low bandwidth and loss;
	// our own pacing and maxBuffered bound what is in flight instead.
	se.SetSCTPMinCwnd(maxBuffered)
	// Both ends are ours: the cookie exchange against spoofed DTLS clients
	// only costs a loop round trip (two to the TURN server) on slow links.
	se.SetDTLSInsecureSkipHelloVerify(true)
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

	// Layer 2: the relay-to-relay loop. A server that refuses the peer
	// (CreatePermission 403) says so at once; a slow link only needs time.
	loopTimer := time.NewTimer(time.Until(plan.deadline.Add(-minProbe(plan))))
	defer loopTimer.Stop()
	poll := time.NewTicker(50 * time.Millisecond)
	defer poll.Stop()
wait:
	for {
		select {
		case <-lp.open:
			res.Loop = true
			res.ConnectMs = since(plan.start)
			break wait
		case <-poll.C:
			if peerRefused(sink.all()) != "" {
				break wait
			}
		case <-loopTimer.C:
			break wait
		case <-ctx.Done():
			break wait
		}
	}
	if !res.Loop {
		res.Warnings = interesting(sink.all())
		if ctx.Err() != nil && errors.Is(ctx.Err(), context.Canceled) {
			return fail(CatCanceled, "canceled")
		}
		loopNotOpen(&res, a, sink.all(), plan)
		return res
	}

	// Layer 3: paced probes, then the drain.
	iceRTT := pairRTT(a)
	dur := plan.probeDur
	if left := time.Until(plan.deadline) - drainTime(iceRTT); left < dur {
		dur = max(left, 100*time.Millisecond)
	}
	lp.run(ctx, dur, plan.deadline, iceRTT, func() counters { return pathCounters(a, b) })
	lp.fill(&res, dur)
	if lp.loss >= 0 {
		// pion's DataChannels retransmit once even with MaxRetransmits 0
		// (sctp marks the chunk abandoned only after resending it), so
		// echoes hide loss. The ICE pair's packet counters do not.
		res.LossPct = round2(100 * lp.loss)
		res.MOS = round2(EstimateMOS(res.RTTMs, res.JitterMs, res.LossPct))
	}
	res.Warnings = interesting(sink.all())
	judgeQuality(&res, plan.th)
	if ctx.Err() != nil && errors.Is(ctx.Err(), context.Canceled) {
		res.Verdict, res.Category = Fail, CatCanceled
	}
	return res
}

// peerRefused returns pion's text when the TURN server refused the
// relay-to-relay permission (peer policy, e.g. denied-peer-ip).
func peerRefused(warnings []string) string {
	for _, w := range warnings {
		low := strings.ToLower(w)
		if strings.Contains(low, "createpermission") && (strings.Contains(low, "403") || strings.Contains(low, "forbidden")) {
			return w
		}
	}
	return ""
}

// loopNotOpen names why the loop did not open although a relay came:
// refused by the server's peer policy, a path that clearly does not carry
// data, or simply a link too slow to finish within the deadline.
func loopNotOpen(res *TransportResult, a *webrtc.PeerConnection, warnings []string, plan probePlan) {
	res.Verdict = Fail
	if w := peerRefused(warnings); w != "" {
		res.Category, res.Error = CatLoopBlocked, "relay allocated, but the TURN server refuses relay-to-relay traffic (TURN peer policy, e.g. denied-peer-ip): "+w
		return
	}
	st := a.ICEConnectionState()
	if rtt := pairRTT(a); rtt > 0 && (st == webrtc.ICEConnectionStateConnected || st == webrtc.ICEConnectionStateCompleted) {
		// The relays reach each other (ICE checks passed); DTLS and SCTP
		// did not finish in time. ICE's check RTT is the loop RTT.
		res.LoopRTTMs = round2(ms(rtt))
		res.RTTMs = round2(ms(rtt) / 2)
		switch {
		case res.RTTMs >= plan.th.FailRTTMs:
			res.Category = CatHighLatency
		case res.RTTMs >= plan.th.WarnRTTMs:
			res.Verdict, res.Category = Warn, CatHighLatency
		default:
			res.Category = CatTimeout
		}
		res.Issues = []Category{res.Category}
		res.Error = fmt.Sprintf("relays reach each other (round trip to the TURN server about %.0f ms), but the data channel did not open before the deadline", res.RTTMs)
		return
	}
	// No ICE answer between the relays. The allocation took two round
	// trips; if many more have passed since, the path does not carry data.
	est := time.Duration(res.RelayMs/2) * time.Millisecond
	waited := time.Since(plan.start) - time.Duration(res.RelayMs)*time.Millisecond
	if st == webrtc.ICEConnectionStateFailed || waited >= max(1500*time.Millisecond, 10*est) {
		res.Category, res.Error = CatLoopBlocked, "relay allocated, but no data flowed between two relay addresses on this server (TURN peer policy, e.g. denied-peer-ip)"
		return
	}
	res.Category = CatTimeout
	if float64(est.Milliseconds()) >= plan.th.WarnRTTMs {
		res.Category = CatHighLatency
	}
	res.Issues = []Category{res.Category}
	res.Error = fmt.Sprintf("relay allocated after %.0f ms, but the relay-to-relay check did not finish before the deadline (slow link?)", res.RelayMs)
}

// pairRTT is ICE's latest round trip on the selected pair: between the two
// relay clients, so the loop RTT (0 if unknown).
func pairRTT(pc *webrtc.PeerConnection) time.Duration {
	sctp := pc.SCTP()
	if sctp == nil || sctp.Transport() == nil || sctp.Transport().ICETransport() == nil {
		return 0
	}
	if st, ok := sctp.Transport().ICETransport().GetSelectedCandidatePairStats(); ok && st.CurrentRoundTripTime > 0 {
		return time.Duration(st.CurrentRoundTripTime * float64(time.Second))
	}
	return 0
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
	sentAt   []time.Duration // per probe, since t0
	rtt      map[uint32]time.Duration
	bulkSent [][]time.Duration // per stage: send time of each message (its index is its sequence number)
	bulkOff  []int             // skipped because the send buffer was full: the link did not keep up
	bulkRecv []bulkArrivals

	// set by run when the measurement ends
	endAt  time.Duration // since t0: when the measurement ended
	cutoff time.Duration // since t0: only what was sent before this counts as lost
	loss   float64       // from the ICE pair counters; -1 unknown
	queued int           // bulk messages still in SCTP's buffer at the end
}

// bulkArrivals is what the receiving side saw of one stage.
type bulkArrivals struct {
	seen        map[uint32]bool
	first, last time.Duration
}

func newLoop() *loop {
	l := &loop{open: make(chan struct{}), rtt: map[uint32]time.Duration{}, t0: time.Now(), loss: -1,
		bulkSent: make([][]time.Duration, len(stages)), bulkOff: make([]int, len(stages)), bulkRecv: make([]bulkArrivals, len(stages))}
	for i := range l.bulkRecv {
		l.bulkRecv[i].seen = map[uint32]bool{}
	}
	return l
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
		if len(m.Data) < 5 || int(m.Data[0]) >= len(stages) {
			return
		}
		now := time.Since(l.t0)
		l.mu.Lock()
		r := &l.bulkRecv[m.Data[0]]
		if seq := binary.BigEndian.Uint32(m.Data[1:]); !r.seen[seq] {
			if len(r.seen) == 0 {
				r.first = now
			}
			r.seen[seq] = true
			r.last = now
		}
		l.mu.Unlock()
	})
	return nil
}

// medianRTT is the median loop RTT of the echoes so far (0 without any).
func (l *loop) medianRTT() time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.rtt) == 0 {
		return 0
	}
	xs := make([]float64, 0, len(l.rtt))
	for _, d := range l.rtt {
		xs = append(xs, float64(d))
	}
	return time.Duration(median(xs))
}

// echoTimeout is how long a probe may take before it counts as lost.
func echoTimeout(loopRTT time.Duration) time.Duration {
	return max(2*loopRTT, loopRTT+100*time.Millisecond)
}

// oneWayLag bounds the time a packet takes from one relay client to the
// other (half a loop RTT), with margin for a busy machine.
func oneWayLag(loopRTT time.Duration) time.Duration {
	return loopRTT + 100*time.Millisecond
}

// drainTime is what the measurement needs after sending stops: the last
// echoes and SCTP's acknowledgements (delayed by up to 200 ms) must
// arrive before anything counts as lost.
func drainTime(loopRTT time.Duration) time.Duration {
	return 2*loopRTT + 250*time.Millisecond
}

type sample struct {
	at time.Time
	c  counters
}

// run sends probes every 20 ms and paces the bulk channel through the
// stages for dur, then waits for the path to drain (network-check.md §9):
// every probe echoed or past its echo deadline, the bulk send buffer empty,
// at least two loop RTTs, and the ICE pair counters quiet. The deadline
// bounds it all. iceRTT is ICE's own loop RTT, used until echoes arrive;
// path reads the ICE pair counters.
func (l *loop) run(ctx context.Context, dur time.Duration, deadline time.Time, iceRTT time.Duration, path func() counters) {
	probe := make([]byte, probeSize)
	bulk := make([]byte, bulkSize)
	stageDur := dur / time.Duration(len(stages))
	start := time.Now()
	base := path()
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
			now := time.Since(l.t0)
			l.mu.Lock()
			seq := uint32(l.sent)
			l.sent++
			l.sentAt = append(l.sentAt, now)
			l.mu.Unlock()
			binary.BigEndian.PutUint32(probe, seq)
			binary.BigEndian.PutUint64(probe[4:], uint64(now))
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
			if l.bulkA.BufferedAmount() > maxBuffered {
				l.mu.Lock()
				l.bulkOff[st]++
				l.mu.Unlock()
				continue
			}
			l.mu.Lock()
			seq := len(l.bulkSent[st])
			l.mu.Unlock()
			bulk[0] = byte(st)
			binary.BigEndian.PutUint32(bulk[1:], uint32(seq))
			now := time.Since(l.t0)
			if l.bulkA.Send(bulk) == nil {
				l.mu.Lock()
				l.bulkSent[st] = append(l.bulkSent[st], now)
				l.mu.Unlock()
			}
		}
		select {
		case <-tick.C:
		case <-ctx.Done():
		}
	}

	// Drain. Packets still in flight, or queued in SCTP, are not lost.
	stop := time.Now()
	samples := []sample{{stop, path()}}
	lastChange := stop
	hardEnd := deadline.Add(-20 * time.Millisecond)
	for ctx.Err() == nil {
		time.Sleep(10 * time.Millisecond)
		now := time.Now()
		cur := path()
		if prev := samples[len(samples)-1].c; cur != prev {
			lastChange = now
		}
		samples = append(samples, sample{now, cur})
		if !now.Before(hardEnd) {
			break
		}
		rtt := l.medianRTT()
		if rtt == 0 {
			rtt = iceRTT
		}
		if now.Sub(stop) < 2*rtt || !l.probesSettled(now, rtt) {
			continue
		}
		// Done when nothing moved for a one-way lag (what is missing now
		// is lost), or at once when every packet and message arrived.
		quiet := now.Sub(lastChange) >= oneWayLag(rtt)
		balanced := cur.recv-base.recv >= cur.sent-base.sent
		if quiet || (balanced && l.bulkArrived()) {
			break
		}
	}

	// Loss from the ICE pair counters: every packet a or b sent through the
	// relays, against every packet that arrived. Only packets sent at least
	// one one-way lag before the end count (they had time to arrive).
	rtt := l.medianRTT()
	if rtt == 0 {
		rtt = iceRTT
	}
	end := samples[len(samples)-1]
	lag := oneWayLag(rtt)
	sentBy := base
	for _, s := range samples {
		if s.at.Add(lag).After(end.at) {
			break
		}
		sentBy = s.c
	}
	if end.at.Sub(stop) < lag {
		sentBy = samples[0].c // cut short: what was out when sending stopped
	}
	queued := (int(l.bulkA.BufferedAmount()) + bulkSize - 1) / bulkSize
	l.mu.Lock()
	l.queued = queued
	l.endAt = end.at.Sub(l.t0)
	l.cutoff = l.endAt - lag
	if sent := sentBy.sent - base.sent; sent > 0 {
		l.loss = math.Max(0, 1-float64(end.c.recv-base.recv)/float64(sent))
	}
	l.mu.Unlock()
}

// bulkArrived: the receiver has every bulk message that was sent, so none
// is queued in SCTP or in flight.
func (l *loop) bulkArrived() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	for i := range l.bulkSent {
		if len(l.bulkRecv[i].seen) < len(l.bulkSent[i]) {
			return false
		}
	}
	return true
}

// probesSettled: every probe has its echo or is past its echo deadline.
func (l *loop) probesSettled(now time.Time, rtt time.Duration) bool {
	limit := now.Sub(l.t0) - echoTimeout(rtt)
	l.mu.Lock()
	defer l.mu.Unlock()
	for i, at := range l.sentAt {
		if _, ok := l.rtt[uint32(i)]; !ok && at > limit {
			return false
		}
	}
	return true
}

// fill turns the raw counts into the transport's metrics.
func (l *loop) fill(r *TransportResult, dur time.Duration) {
	rttMed := l.medianRTT()
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
	// Only probes past their echo deadline can be lost.
	due, echoed := 0, 0
	for i, at := range l.sentAt {
		_, ok := l.rtt[uint32(i)]
		if ok || at+echoTimeout(rttMed) <= l.endAt {
			due++
			if ok {
				echoed++
			}
		}
	}
	var loopLoss float64
	if due > 0 {
		loopLoss = 1 - float64(echoed)/float64(due)
	} else if l.sent > 0 {
		loopLoss = 1 // nothing came back at all
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
	n, weighted := float64(due), probeLoss*float64(due)
	stageDur := dur / time.Duration(len(stages))
	// Undelivered: sent (not skipped), had time to arrive, did not. The
	// newest missing messages still in SCTP's buffer are queued, not lost.
	skip := l.queued
	pending := make([]map[int]bool, len(stages))
	for i := len(stages) - 1; i >= 0; i-- {
		pending[i] = map[int]bool{}
		for seq := len(l.bulkSent[i]) - 1; seq >= 0 && skip > 0; seq-- {
			if !l.bulkRecv[i].seen[uint32(seq)] {
				pending[i][seq] = true
				skip--
			}
		}
	}
	r.Steps = make([]RateStep, len(stages))
	for i, s := range stages {
		step := s
		rec := l.bulkRecv[i]
		sent, lost := 0, 0
		for seq, at := range l.bulkSent[i] {
			if rec.seen[uint32(seq)] {
				sent++
			} else if at <= l.cutoff && !pending[i][seq] {
				sent++
				lost++
			}
		}
		if sent > 0 {
			loss := float64(lost) / float64(sent)
			step.UndeliveredPct = round2(100 * loss)
			n += float64(sent)
			weighted += loss * float64(sent)
		}
		if total := len(l.bulkSent[i]) + l.bulkOff[i]; total > 0 && l.bulkOff[i] > 0 {
			step.SkippedPct = round2(100 * float64(l.bulkOff[i]) / float64(total))
		}
		step.AchievedKbps = round2(goodputKbps(len(rec.seen), rec.last-rec.first, s.TargetKbps, stageDur))
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

// goodputKbps is the rate the receiver saw, from the arrival times of a
// step's n messages over span: what arrived late because of latency still
// counts, a burst after a stall does not count above the paced target.
func goodputKbps(n int, span time.Duration, targetKbps float64, stageDur time.Duration) float64 {
	if n <= 1 {
		return float64(n*bulkSize) * 8 / 1000 / stageDur.Seconds()
	}
	interval := time.Duration(float64(bulkSize*8) / (targetKbps * 1000) * float64(time.Second))
	span = max(span, time.Duration(n-1)*interval)
	return float64((n-1)*bulkSize) * 8 / 1000 / span.Seconds()
}

func median(xs []float64) float64 {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
