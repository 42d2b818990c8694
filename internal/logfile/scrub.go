package logfile

import (
	"sort"
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
// be added after the logger is built, as they become known. The zero
// value is ready to use and safe for concurrent use.
type Secrets struct {
	mu   sync.RWMutex
	list []string
}

// minSecretLen keeps very short values from blanking out ordinary words.
const minSecretLen = 4

// Add registers values to be replaced by [redacted] in every log string.
func (s *Secrets) Add(values ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, v := range values {
		v = strings.TrimSpace(v)
		if len(v) < minSecretLen || contains(s.list, v) {
			continue
		}
		s.list = append(s.list, v)
	}
	// Longest first, so a secret containing another is replaced whole.
	sort.Slice(s.list, func(i, j int) bool { return len(s.list[i]) > len(s.list[j]) })
}

func contains(l []string, v string) bool {
	for _, x := range l {
		if x == v {
			return true
		}
	}
	return false
}

// Scrub replaces every registered secret in text.
func (s *Secrets) Scrub(text string) string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, v := range s.list {
		if strings.Contains(text, v) {
			text = strings.ReplaceAll(text, v, redacted)
		}
	}
	return text
}
