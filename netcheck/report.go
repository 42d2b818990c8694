package netcheck

import (
	"math"
	"time"
)

// Verdict is a traffic light.
type Verdict string

// Verdicts, from best to worst.
const (
	Pass Verdict = "pass"
	Warn Verdict = "warn"
	Fail Verdict = "fail"
)

func (v Verdict) rank() int {
	switch v {
	case Pass:
		return 0
	case Warn:
		return 1
	}
	return 2
}

func worse(a, b Verdict) Verdict {
	if b.rank() > a.rank() {
		return b
	}
	return a
}

// Category is the stable machine code of an outcome. The UI and CLI turn it
// into a sentence (translation keys "net.verdict.<category>" and
// "net.transport.<category>").
type Category string

// Per-transport categories (also used overall).
const (
	CatOK           Category = "ok"
	CatUDPBlocked   Category = "udp_blocked"   // no answer over UDP (silently dropped)
	CatTCPBlocked   Category = "tcp_blocked"   // TCP connect timed out (SYN dropped) or unreachable
	CatRefused      Category = "refused"       // connection actively refused (RST)
	CatAuthFailed   Category = "auth_failed"   // 401: wrong credentials
	CatAuthExpired  Category = "auth_expired"  // 401 and the REST credential's expiry is past
	CatTLSUntrusted Category = "tls_untrusted" // certificate not trusted: wrong name, unknown CA (interception)
	CatTLSFailed    Category = "tls_failed"    // TLS handshake broken off (reset, alert, not TLS)
	CatDNSFailed    Category = "dns_failed"    // the TURN host does not resolve
	CatTimeout      Category = "timeout"       // connected, but no relay (or no loop) before the deadline
	CatLoopBlocked  Category = "loop_blocked"  // relay OK, but the server refuses media between relays: peer policy
	CatHighLatency  Category = "high_latency"
	CatHighJitter   Category = "high_jitter"
	CatPacketLoss   Category = "packet_loss"
	CatLowBandwidth Category = "low_bandwidth"
	CatPoorQuality  Category = "poor_quality" // MOS too low
	CatCanceled     Category = "canceled"
	CatError        Category = "error" // local failure (e.g. cannot open a socket)
)

// Overall-only categories.
const (
	CatOnlyTLS        Category = "only_tls"    // UDP and TCP 3478 blocked; TURN over TLS 443 works
	CatAllBlocked     Category = "all_blocked" // no transport reached the TURN server
	CatNoTURNServers  Category = "no_turn_servers"
	CatSourceFailed   Category = "source_failed"   // TURN servers could not be fetched from the pool
	CatAPIUnreachable Category = "api_unreachable" // the BBB API does not answer
)

// Transport names as in WebRTC's relayProtocol.
const (
	TransportUDP  = "udp"
	TransportTCP  = "tcp"
	TransportTLS  = "tls"
	TransportDTLS = "dtls"
)

// RateStep is one paced goodput step.
type RateStep struct {
	Name         string  `json:"name"` // "audio" (audio + own camera) or "presenter" (screen + camera + audio)
	TargetKbps   float64 `json:"target_kbps"`
	AchievedKbps float64 `json:"achieved_kbps"`
	// UndeliveredPct counts messages that were sent and had time to arrive
	// (past one loop RTT) but never did, after pion's one retransmission.
	UndeliveredPct float64 `json:"undelivered_pct"`
	// SkippedPct counts messages not sent because the send buffer was full:
	// the link did not keep up (this shows in AchievedKbps, not as loss).
	SkippedPct float64 `json:"skipped_pct,omitempty"`
}

// TransportResult is the outcome for one TURN URL.
type TransportResult struct {
	URL       string   `json:"url"`
	Transport string   `json:"transport"` // udp | tcp | tls | dtls
	Relay     bool     `json:"relay"`     // a relay candidate was obtained
	Loop      bool     `json:"loop"`      // media flowed relay to relay
	Verdict   Verdict  `json:"verdict"`
	Category  Category `json:"category"`
	// Client↔TURN estimates derived from the relay loop (which crosses that
	// path twice): RTT and jitter are halved, loss is 1−√(1−loop loss).
	RTTMs       float64 `json:"rtt_ms"`
	JitterMs    float64 `json:"jitter_ms"`
	LossPct     float64 `json:"loss_pct"`
	GoodputKbps float64 `json:"goodput_kbps"` // at the presenter-like rate
	MOS         float64 `json:"mos"`
	Error       string  `json:"error"` // plain text for IT, never credentials

	// Details for IT.
	DNSMs         float64    `json:"dns_ms,omitempty"`
	RelayMs       float64    `json:"relay_ms,omitempty"`   // first relay candidate after start
	ConnectMs     float64    `json:"connect_ms,omitempty"` // loop open after start
	RelayProtocol string     `json:"relay_protocol,omitempty"`
	TLSIssuer     string     `json:"tls_issuer,omitempty"` // exposes TLS interception boxes
	LoopRTTMs     float64    `json:"loop_rtt_ms,omitempty"`
	ProbesSent    int        `json:"probes_sent,omitempty"`
	ProbesEchoed  int        `json:"probes_echoed,omitempty"`
	Steps         []RateStep `json:"goodput_steps,omitempty"`
	Issues        []Category `json:"issues,omitempty"`   // every quality threshold crossed
	Warnings      []string   `json:"warnings,omitempty"` // pion's warning texts (trap 6), credentials removed
	DurationMs    float64    `json:"duration_ms"`
}

// APIResult is the reachability of the pool's BBB API.
type APIResult struct {
	URL        string  `json:"url"`
	OK         bool    `json:"ok"`
	DNSMs      float64 `json:"dns_ms,omitempty"`
	ConnectMs  float64 `json:"connect_ms,omitempty"`
	TLSMs      float64 `json:"tls_ms,omitempty"`
	TLSIssuer  string  `json:"tls_issuer,omitempty"`
	TLSVersion string  `json:"tls_version,omitempty"`
	Version    string  `json:"version,omitempty"` // API root version
	LatencyMs  float64 `json:"latency_ms,omitempty"`
	Error      string  `json:"error,omitempty"`
}

// Report is the whole pre-flight outcome. Field names are stable (CLI --json,
// check history, IT report).
type Report struct {
	Verdict    Verdict  `json:"verdict"`
	Category   Category `json:"category"`
	MessageKey string   `json:"message_key"`
	// Message is MessageKey translated; filled by the UI or CLI.
	Message           string            `json:"message,omitempty"`
	DurationMs        int64             `json:"duration_ms"`
	StartedAt         time.Time         `json:"started_at"`
	Source            string            `json:"source,omitempty"` // "bbb", "ice_servers", "turn_rest"
	CredentialsExpire time.Time         `json:"credentials_expire,omitzero"`
	API               *APIResult        `json:"api,omitempty"`
	Transports        []TransportResult `json:"transports"`
	Error             string            `json:"error,omitempty"`
}

// MessageKeyFor is the translation key of the teacher's sentence for an
// overall category.
func MessageKeyFor(c Category) string { return "net.verdict." + string(c) }

// TransportKeyFor is the translation key of the short per-transport reason.
func TransportKeyFor(c Category) string { return "net.transport." + string(c) }

func ms(d time.Duration) float64 { return round2(float64(d) / float64(time.Millisecond)) }

func round2(f float64) float64 {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0
	}
	return math.Round(f*100) / 100
}
