package bbbclient

import (
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"strings"
)

// Algorithm is the hash used for call checksums. BBB picks the algorithm
// from the length of the hex checksum, so no parameter announces it.
type Algorithm string

// Checksum algorithms. SHA256 works on every BBB 2.4–3.x, Scalelite and
// b3lb; SHA384 is rejected by Scalelite and by BBB before 2.5.
const (
	SHA1   Algorithm = "sha1"
	SHA256 Algorithm = "sha256"
	SHA384 Algorithm = "sha384"
	SHA512 Algorithm = "sha512"
)

// DefaultAlgorithm is used when Options.Algorithm is empty.
const DefaultAlgorithm = SHA256

// ErrUnknownAlgorithm is returned for an Algorithm that is none of the four.
var ErrUnknownAlgorithm = errors.New("bbbclient: unknown checksum algorithm")

// ParseAlgorithm accepts the usual spellings ("sha256", "SHA-256", "SHA_256").
func ParseAlgorithm(s string) (Algorithm, error) {
	n := strings.ToLower(strings.TrimSpace(s))
	n = strings.NewReplacer("-", "", "_", "").Replace(n)
	switch a := Algorithm(n); a {
	case SHA1, SHA256, SHA384, SHA512:
		return a, nil
	}
	return "", fmt.Errorf("%w %q", ErrUnknownAlgorithm, s)
}

// String returns the lowercase name, e.g. "sha256".
func (a Algorithm) String() string { return string(a) }

// HexLen is the length of a checksum in hex digits, the length by which
// servers tell the algorithms apart (40, 64, 96, 128), or 0 if unknown.
func (a Algorithm) HexLen() int {
	switch a {
	case SHA1:
		return 40
	case SHA256:
		return 64
	case SHA384:
		return 96
	case SHA512:
		return 128
	}
	return 0
}

func (a Algorithm) newHash() (hash.Hash, error) {
	switch a {
	case SHA1:
		return sha1.New(), nil
	case SHA256, "":
		return sha256.New(), nil
	case SHA384:
		return sha512.New384(), nil
	case SHA512:
		return sha512.New(), nil
	}
	return nil, fmt.Errorf("%w %q", ErrUnknownAlgorithm, string(a))
}

// Checksum returns lowercase hex(HASH(call + rawQuery + secret)). rawQuery
// must be exactly the bytes that go on the wire (without "checksum="):
// "+" and "%20" give different checksums, and servers never re-encode.
// The zero Algorithm means SHA256.
func Checksum(alg Algorithm, call, rawQuery, secret string) (string, error) {
	h, err := alg.newHash()
	if err != nil {
		return "", err
	}
	io.WriteString(h, call)
	io.WriteString(h, rawQuery)
	io.WriteString(h, secret)
	return hex.EncodeToString(h.Sum(nil)), nil
}
