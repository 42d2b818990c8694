package redact

import (
	"net/netip"
	"strings"
)

// Class tags IPs puts in place of an address.
const (
	IPPrivate   = "[ip:private]"
	IPPublic    = "[ip:public]"
	IPLoopback  = "[ip:loopback]"
	IPLinkLocal = "[ip:link-local]"
	IPOther     = "[ip:other]" // unspecified (0.0.0.0, ::) and multicast
)

var cgnat = netip.MustParsePrefix("100.64.0.0/10")

// IPs replaces IPv4 and IPv6 addresses in s with their class tag, so IT
// still sees "a private address" without the address. Version numbers
// (1.2.3, 1.26.8), times (14:05:33) and words are left alone: an IPv4
// address needs four octets ≤ 255 and an IPv6 address at least two colons.
func IPs(s string) string {
	// What is left next to a tag can read as an address again ("…:0::"):
	// repeat until nothing changes, so IPs is idempotent. Each round only
	// removes address characters, so this ends quickly.
	for range 8 {
		next := ipsOnce(s)
		if next == s {
			break
		}
		s = next
	}
	return s
}

func ipsOnce(s string) string {
	var b strings.Builder
	i := 0
	for i < len(s) {
		if !ipChar(s[i]) {
			b.WriteByte(s[i])
			i++
			continue
		}
		j := i
		for j < len(s) && ipChar(s[j]) {
			j++
		}
		b.WriteString(replaceToken(s[i:j], i > 0 && isWordByte(s[i-1]), j < len(s) && isWordByte(s[j])))
		i = j
	}
	return b.String()
}

func ipChar(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' || c == ':' || c == '.'
}

func isWordByte(c byte) bool {
	return c >= 'g' && c <= 'z' || c >= 'G' && c <= 'Z' || c == '_'
}

// replaceToken looks for one address inside a run of address characters
// (leading/trailing ':' and '.' trimmed; "1.2.3.4:3478" keeps its port).
func replaceToken(tok string, wordBefore, wordAfter bool) string {
	lead := len(tok) - len(strings.TrimLeft(tok, ":."))
	// "::1" starts with colons that belong to the address.
	if lead == 2 && tok[:2] == "::" {
		lead -= 2
	}
	rest := tok[lead:]
	// Candidates for the address's end: all of it, then without trailing
	// dots and colons ("10.0.0.1:443:" in "dial tcp 10.0.0.1:443: timeout").
	ends := []string{strings.TrimRight(rest, "."), strings.TrimRight(rest, ".:")}
	for _, core := range ends {
		if core == "" {
			continue
		}
		trail := rest[len(core):]
		wb, wa := wordBefore && lead == 0, wordAfter && trail == ""
		if tag, ok := classify(core, wb, wa); ok {
			return tok[:lead] + tag + trail
		}
		// IPv4 with a port: "10.0.0.1:3478".
		if k := strings.LastIndexByte(core, ':'); k > 0 && strings.Count(core, ":") == 1 {
			if tag, ok := classify(core[:k], wb, false); ok {
				return tok[:lead] + tag + core[k:] + trail
			}
		}
		// A hex word glued to an IPv4 address ("abc10.0.0.1"): the
		// digits-and-dots tail.
		if k := strings.LastIndexFunc(core, func(r rune) bool { return !(r >= '0' && r <= '9' || r == '.') }); k >= 0 && core[k] != ':' {
			if tag, ok := classify(core[k+1:], false, wa); ok && strings.Count(core[k+1:], ".") == 3 {
				return tok[:lead+k+1] + tag + trail
			}
		}
	}
	return tok
}

func classify(s string, wordBefore, wordAfter bool) (string, bool) {
	// "::" alone says nothing about anybody, and keeping it keeps IPs
	// idempotent next to a tag ("0.0.0.0::").
	if len(s) < 3 || wordBefore || wordAfter {
		return "", false
	}
	if strings.Contains(s, ":") {
		if strings.Count(s, ":") < 2 {
			return "", false
		}
	} else if strings.Count(s, ".") != 3 {
		return "", false
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return "", false
	}
	a = a.Unmap()
	switch {
	case a.IsLoopback():
		return IPLoopback, true
	case a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast():
		return IPLinkLocal, true
	case a.IsUnspecified() || a.IsMulticast():
		return IPOther, true
	case a.IsPrivate() || cgnat.Contains(a):
		return IPPrivate, true
	}
	return IPPublic, true
}
