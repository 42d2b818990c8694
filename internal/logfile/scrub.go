package logfile

import (
	"regexp"
	"sort"
	"strings"
	"sync"
)

const redacted = "[redacted]"

var (
	// A URL runs to the next blank or quote: stopping earlier (at ")" or
	// ",") could leave part of a query behind, and over-cutting is harmless.
	urlRe = regexp.MustCompile(`(?i)\b(?:https?|wss?|turns?|stuns?):[^\s"'<>\x60]+`)
	// key=value pairs outside URLs (error texts, dumped queries). The key
	// is matched as a suffix, so sessionToken, auth_token, moderatorPW,
	// securitySalt and TAFEL_BBB_SECRET are all caught.
	kvRe = regexp.MustCompile(`(?i)(checksum|token|password|passwd|pw|secret|credential|credentials|salt|fullname|access_?code|api_?key)=[^\s&"'<>;,]+`)
	// "password": "…" inside JSON text.
	jsonKVRe = regexp.MustCompile(`(?i)("[\w-]*(?:checksum|token|password|passwd|secret|credential|salt|fullname)[\w-]*"\s*:\s*")(?:[^"\\]|\\.)*"`)
	// HTTP headers carrying credentials: the rest of the line goes.
	headerRe = regexp.MustCompile(`(?i)\b((?:proxy-)?authorization|cookie)(\s*:\s*)[^\r\n"]+`)
)

// Scrub is the built-in scrubber, always applied by NewLogger: it strips
// the query and fragment of http(s), ws(s), turn(s) and stun(s) URLs (a
// signed join URL's query holds the checksum and the teacher's name) and
// their userinfo, and masks checksum=, …token=, password=, secret=,
// credential=, fullName= values, JSON fields of those names, and
// Authorization/Cookie header values.
func Scrub(s string) string {
	if !strings.ContainsAny(s, ":=") {
		return s // fast path: most values are plain words and numbers
	}
	// Cheap substring checks keep the regexps off ordinary error texts,
	// which nearly all contain a colon.
	if strings.Contains(s, ":") {
		if strings.Contains(s, "://") || containsFold(s, "turn") || containsFold(s, "stun") {
			s = urlRe.ReplaceAllStringFunc(s, scrubURL)
		}
		if containsFold(s, "authorization") || containsFold(s, "cookie") {
			s = headerRe.ReplaceAllString(s, "${1}${2}"+redacted)
		}
		if strings.Contains(s, `"`) {
			s = jsonKVRe.ReplaceAllString(s, `${1}`+redacted+`"`)
		}
	}
	if strings.Contains(s, "=") {
		s = kvRe.ReplaceAllString(s, "${1}="+redacted)
	}
	return s
}

// containsFold reports whether s contains the lower-case ASCII word sub,
// ignoring ASCII case, without allocating.
func containsFold(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		j := 0
		for ; j < len(sub); j++ {
			c := s[i+j]
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			if c != sub[j] {
				break
			}
		}
		if j == len(sub) {
			return true
		}
	}
	return false
}

// scrubURL removes userinfo, query and fragment from one URL token,
// working on the text so that unparsable URLs are scrubbed too.
func scrubURL(u string) string {
	colon := strings.IndexByte(u, ':')
	scheme, rest := u[:colon+1], u[colon+1:]
	slashes := ""
	if strings.HasPrefix(rest, "//") {
		slashes, rest = "//", rest[2:]
	}
	tail := ""
	if i := strings.IndexAny(rest, "?#"); i >= 0 {
		rest, tail = rest[:i], "?"+redacted
	}
	authEnd := strings.IndexByte(rest, '/')
	if authEnd < 0 {
		authEnd = len(rest)
	}
	if at := strings.LastIndexByte(rest[:authEnd], '@'); at >= 0 {
		rest = rest[at+1:]
	}
	return scheme + slashes + rest + tail
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
