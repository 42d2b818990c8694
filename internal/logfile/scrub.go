package logfile

import (
	"slices"
	"strings"
	"sync"

	"github.com/tafel-schule/tafel/internal/redact"
)

const redacted = redact.Mark

// Scrub is the built-in scrubber, always applied by NewLogger: the same
// rules as the IT report (internal/redact): queries, fragments and
// userinfo of URLs (a signed join URL's query holds the checksum and the
// teacher's name), values of secret-looking keys, credential headers and
// TURN REST credentials.
func Scrub(s string) string {
	if !strings.ContainsAny(s, ":=") {
		return s // fast path: most values are plain words and numbers
	}
	return redact.Text(s)
}

// Secrets is a scrubber for known secret values (the pool's shared secret,
// TURN credentials, access codes), for use with WithScrubber. Secrets can
// be added after the logger is built, as they become known. Each value is
// replaced in every form it can take in a log line (URL-, JSON-, HTML-
// escaped, base64: redact.Forms). The zero value is ready to use and safe
// for concurrent use.
type Secrets struct {
	mu    sync.RWMutex
	list  []string
	forms []string // redact.Forms(list...), longest first
}

// minSecretLen keeps very short values from blanking out ordinary words.
const minSecretLen = redact.MinSecretLen

// Add registers values to be replaced by [redacted] in every log string.
func (s *Secrets) Add(values ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	changed := false
	for _, v := range values {
		v = strings.TrimSpace(v)
		if len(v) < minSecretLen || slices.Contains(s.list, v) {
			continue
		}
		s.list = append(s.list, v)
		changed = true
	}
	if changed {
		// Longest first, so a secret containing another is replaced whole.
		s.forms = redact.Forms(s.list...)
	}
}

// Scrub replaces every registered secret, in all its forms, in text.
func (s *Secrets) Scrub(text string) string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return redact.ReplaceForms(text, s.forms)
}
