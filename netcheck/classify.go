package netcheck

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"regexp"
	"strings"
	"syscall"
)

// classifyDialErr maps an error of our bounded dialer (TCP/TLS) to a category.
func classifyDialErr(err error) Category {
	var dnsErr *net.DNSError
	var unknown x509.UnknownAuthorityError
	var host x509.HostnameError
	var invalid x509.CertificateInvalidError
	var verify *tls.CertificateVerificationError
	var alert tls.AlertError
	var rh tls.RecordHeaderError
	var ne net.Error
	switch {
	case err == nil:
		return ""
	case errors.As(err, &dnsErr):
		return CatDNSFailed
	case errors.As(err, &unknown), errors.As(err, &host), errors.As(err, &invalid), errors.As(err, &verify):
		return CatTLSUntrusted
	case errors.As(err, &alert), errors.As(err, &rh):
		return CatTLSFailed
	case errors.Is(err, syscall.ECONNREFUSED):
		return CatRefused
	case errors.Is(err, syscall.ENETUNREACH), errors.Is(err, syscall.EHOSTUNREACH),
		errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return CatTCPBlocked
	case errors.Is(err, syscall.ECONNRESET), strings.Contains(err.Error(), "EOF"):
		return CatTLSFailed
	case errors.Is(err, context.Canceled):
		return CatCanceled
	}
	return CatError
}

// authFailed matches a STUN 401 answer, not a host or port that happens to
// contain "401" (turn401.example.org, 127.0.0.1:34010).
var authFailed = regexp.MustCompile(`\berror 401\b|\bunauthorized\b`)

// classifyWarnings reads pion's warning texts (trap 6), verbatim forms in
// network-check.md §13.
func classifyWarnings(lines []string) (Category, string) {
	for _, l := range lines {
		low := strings.ToLower(l)
		switch {
		case authFailed.MatchString(low):
			return CatAuthFailed, l
		case strings.Contains(low, "x509") || strings.Contains(low, "certificate"):
			return CatTLSUntrusted, l
		case strings.Contains(low, "connection refused"):
			return CatRefused, l
		case strings.Contains(low, "no such host") || strings.Contains(low, "failed to resolve"):
			return CatDNSFailed, l
		}
	}
	for _, l := range lines {
		low := strings.ToLower(l)
		switch {
		case strings.Contains(low, "all retransmissions failed"):
			return CatUDPBlocked, l
		case strings.Contains(low, "i/o timeout") || strings.Contains(low, "timed out"):
			return CatTCPBlocked, l
		}
	}
	return "", ""
}

// interesting drops pion noise from the warnings shown to IT.
func interesting(lines []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, l := range lines {
		low := strings.ToLower(l)
		if seen[l] {
			continue
		}
		seen[l] = true
		if strings.Contains(low, "no suitable address") || strings.Contains(low, errFamily.Error()) ||
			strings.Contains(low, "failed to close") || strings.Contains(low, "without candidate pairs") || strings.Contains(low, "use of closed") {
			continue
		}
		if len(out) < 8 {
			out = append(out, l)
		}
	}
	return out
}
