// Package netcheck is Tafel's network pre-flight: it proves, in a few
// seconds, that WebRTC media can flow between this computer and the pool's own
// TURN servers, and says in one sentence what is wrong if not.
//
// For every TURN URL (UDP 3478, TCP 3478, TLS 443, …) it runs, in parallel and
// under one deadline, two relay-only pion PeerConnections joined relay to
// relay by DataChannels: (1) a relay candidate proves the TURN server is
// reachable with these credentials, or the failure is classified (DNS,
// blocked UDP or TCP, refused, 401/expired, untrusted TLS certificate); (2)
// the loop opening proves media really flows (if the server refuses it:
// server peer policy, not the user's network; if it is merely too slow to
// open in time: high latency or timeout); (3) paced probes measure RTT,
// jitter, loss and goodput at audio-like and presenter-like rates, from
// which a MOS follows. Loss counts only what had time to arrive: the path
// is drained (echoes, SCTP buffer, ICE pair counters quiet) before it is
// read, and goodput comes from arrival times at the receiver.
// A verdict (pass/warn/fail) with a stable category is derived per transport
// and overall; the UI and CLI translate the category into a sentence.
//
// Privacy: only the pool's servers are contacted (no public STUN), only relay
// candidates are gathered (the LAN address never leaves the PC), and reports
// never contain TURN credentials.
//
// pion's traps and the decisions taken are documented in
// docs/network-check.md (shared docs); the relevant fixes are marked "trap N"
// in the code.
package netcheck
