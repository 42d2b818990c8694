package redact

import (
	"net/netip"
	"strings"
	"testing"
)

// FuzzText: never panics, a known secret never survives (unless it is
// part of the marker, or brackets let it straddle one), and Text is
// idempotent.
func FuzzText(f *testing.F) {
	f.Add("https://bbb.example.org/api/join?checksum=abc&fullName=x", "abc1")
	f.Add(`{"password": "hunter22", "ok": true}`, "hunter22")
	f.Add("turn:u:p@h:3478?transport=udp&x=1 stun:h", "p@h:")
	f.Add("secret secret=secret", "secret")
	f.Add("x [redacted] dact", "dact")
	f.Fuzz(func(t *testing.T, s, secret string) {
		out := Text(s, secret)
		if len(secret) >= MinSecretLen && !strings.ContainsAny(secret, "[]") && !strings.Contains(Mark, secret) &&
			strings.Contains(out, secret) {
			t.Fatalf("secret survived: Text(%q, %q) = %q", s, secret, out)
		}
		if again := Text(out, secret); again != out {
			t.Fatalf("not idempotent:\n once %q\ntwice %q", out, again)
		}
	})
}

// FuzzIPs: never panics, idempotent, and a lone valid address never
// survives.
func FuzzIPs(f *testing.F) {
	f.Add("from 127.0.0.1:3478 to fe80::1%eth0")
	f.Add("Go 1.26.8 at 14:05:33")
	f.Add("[2001:db8::1]:443")
	f.Add("abc10.0.0.1")
	f.Fuzz(func(t *testing.T, s string) {
		out := IPs(s)
		if again := IPs(out); again != out {
			t.Fatalf("not idempotent: %q -> %q -> %q", s, out, again)
		}
		// "::" alone is kept on purpose (it names nobody).
		if a, err := netip.ParseAddr(s); err == nil && s != "::" && !strings.Contains(s, "%") && (a.Is4() && strings.Count(s, ".") == 3 || strings.Count(s, ":") >= 2) {
			if strings.Contains(out, s) {
				t.Fatalf("address survived: %q -> %q", s, out)
			}
		}
	})
}
