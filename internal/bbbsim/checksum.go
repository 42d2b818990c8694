package bbbsim

import (
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	"encoding/hex"
	"hash"
	"strings"
)

// hashLen is the hex length of each algorithm's digest; bbb-web picks the
// algorithm from the length of the checksum it receives.
func hashLen(alg string) int {
	switch alg {
	case "sha1":
		return 40
	case "sha256":
		return 64
	case "sha384":
		return 96
	case "sha512":
		return 128
	}
	return 0
}

func algForLen(n int) string {
	switch n {
	case 40:
		return "sha1"
	case 64:
		return "sha256"
	case 96:
		return "sha384"
	case 128:
		return "sha512"
	}
	return ""
}

func newHash(alg string) hash.Hash {
	switch alg {
	case "sha1":
		return sha1.New()
	case "sha256":
		return sha256.New()
	case "sha384":
		return sha512.New384()
	case "sha512":
		return sha512.New()
	}
	return nil
}

// sign returns hex(alg(call + query + secret)).
func sign(alg, call, query, secret string) string {
	h := newHash(alg)
	h.Write([]byte(call))
	h.Write([]byte(query))
	h.Write([]byte(secret))
	return hex.EncodeToString(h.Sum(nil))
}

// stripChecksum removes the checksum from the raw query exactly as
// bbb-web's GetChecksum does: three literal, replace-all removals, in this
// order, with nothing decoded or re-encoded. The checksum value is the
// decoded, sanitized parameter value, like bbb-web's.
func stripChecksum(query, checksum string) string {
	query = strings.ReplaceAll(query, "&checksum="+checksum, "")
	query = strings.ReplaceAll(query, "checksum="+checksum+"&", "")
	query = strings.ReplaceAll(query, "checksum="+checksum, "")
	return query
}

// checksumPolicy is one server's checksum configuration.
type checksumPolicy struct {
	secret   string
	accepted map[string]bool
	// caseSensitive: BBB ≤2.4 compared with String.equals; later versions
	// use equalsIgnoreCase.
	caseSensitive bool
}

func newChecksumPolicy(secret string, algs []string, caseSensitive bool) checksumPolicy {
	p := checksumPolicy{secret: secret, accepted: map[string]bool{}, caseSensitive: caseSensitive}
	for _, a := range algs {
		p.accepted[a] = true
	}
	return p
}

// verify checks checksum for call over query, where query is what the
// server hashes before removing the checksum (the raw URL query, or the
// rebuilt canonical query on 2.x all-in-body POSTs).
func (p checksumPolicy) verify(call, query, checksum string) bool {
	if checksum == "" {
		return false
	}
	alg := algForLen(len(checksum))
	if alg == "" || !p.accepted[alg] {
		return false
	}
	stripped := stripChecksum(sanitize(query), checksum)
	want := sign(alg, call, stripped, p.secret)
	got := checksum
	if !p.caseSensitive {
		got = strings.ToLower(got)
	}
	return subtle.ConstantTimeCompare([]byte(want), []byte(got)) == 1
}
