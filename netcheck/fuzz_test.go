package netcheck

import (
	"strings"
	"testing"
)

// TURN URLs come from the pool's stuns answer: outside data.
func FuzzExpandURL(f *testing.F) {
	for _, s := range []string{"turn:bbb.example:3478", "turns:bbb.example:443?transport=tcp", "turn:127.0.0.1:3478?transport=udp",
		"stun:bbb.example", "turn:u:p@h:1", "turns:[::1]:5349?transport=udp", "", "turn:", "turn:h:99999", "http://x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, u string) {
		ps, err := expand([]ICEServer{{URLs: []string{u}, Username: "user-secret", Credential: "cred-secret"}})
		if err != nil {
			if strings.Contains(err.Error(), "cred-secret") {
				t.Fatalf("error leaks the credential: %v", err)
			}
			return
		}
		for _, p := range ps {
			switch p.transport {
			case TransportUDP, TransportTCP, TransportTLS, TransportDTLS:
			default:
				t.Fatalf("transport %q", p.transport)
			}
		}
		r := redactURL(u)
		if strings.Contains(u, "@") && strings.Contains(r, "@") {
			t.Fatalf("userinfo kept: %q", r)
		}
	})
}
