package bbbsim

import (
	"net/url"
	"sort"
	"strconv"
	"strings"
	"unicode/utf16"
)

// param is one decoded request parameter. Order matters: the servlet API
// returns the first value of a repeated key, and Scalelite re-encodes the
// query in its original order.
type param struct{ Key, Value string }

// params is an ordered multimap of request parameters.
type params []param

// get returns the first value of key.
func (p params) get(key string) string {
	v, _ := p.lookup(key)
	return v
}

// lookup returns the first value of key and whether key was present.
func (p params) lookup(key string) (string, bool) {
	for _, kv := range p {
		if kv.Key == key {
			return kv.Value, true
		}
	}
	return "", false
}

func (p params) has(key string) bool {
	_, ok := p.lookup(key)
	return ok
}

// values converts to url.Values (for the test hooks).
func (p params) values() url.Values {
	v := make(url.Values, len(p))
	for _, kv := range p {
		v[kv.Key] = append(v[kv.Key], kv.Value)
	}
	return v
}

// parseQuery decodes a query string or form body the way Tomcat's parameter
// parser does: pairs split on '&' only (a ';' is an ordinary character,
// unlike Go's url.ParseQuery), '+' means space, a pair that fails to decode
// is dropped, an empty key is dropped. Keys and values are then sanitized as
// bbb-web's ValidationService does.
func parseQuery(raw string) params { return parseQueryMode(raw, true) }

// parseQueryUnsanitized decodes without removing control characters.
func parseQueryUnsanitized(raw string) params { return parseQueryMode(raw, false) }

func parseQueryMode(raw string, clean bool) params {
	fix := func(s string) string {
		s = strings.ToValidUTF8(s, "\uFFFD")
		if clean {
			s = sanitize(s)
		}
		return s
	}
	var out params
	for raw != "" {
		var seg string
		seg, raw, _ = strings.Cut(raw, "&")
		if seg == "" {
			continue
		}
		k, v, _ := strings.Cut(seg, "=")
		k, err1 := url.QueryUnescape(k)
		v, err2 := url.QueryUnescape(v)
		if err1 != nil || err2 != nil {
			continue
		}
		if k = fix(k); k == "" {
			continue
		}
		out = append(out, param{k, fix(v)})
	}
	return out
}

// sanitize removes control characters (Java's \p{Cntrl}: U+0000–U+001F and
// U+007F), as bbb-web's ParamsUtil.sanitizeString does before validating or
// hashing anything.
func sanitize(s string) string {
	if strings.IndexFunc(s, isCntrl) < 0 {
		return s
	}
	return strings.Map(func(r rune) rune {
		if isCntrl(r) {
			return -1
		}
		return r
	}, s)
}

func isCntrl(r rune) bool { return r < 0x20 || r == 0x7f }

// javaLen is Java's String.length(): UTF-16 code units. bbb-web's @Size
// limits count these, not bytes or runes.
func javaLen(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

// javaParseBoolean is Java's Boolean.parseBoolean: true only for "true" in
// any case. "1" and "yes" are false.
func javaParseBoolean(s string) bool { return strings.EqualFold(s, "true") }

// isJavaBoolean is bbb-web's IsBooleanValidator: empty, or true/false/0/1 in
// any case.
func isJavaBoolean(s string) bool {
	switch strings.ToLower(s) {
	case "", "true", "false", "0", "1":
		return true
	}
	return false
}

// isIntegral is bbb-web's IsIntegralValidator (an optional decimal integer).
func isIntegral(s string) bool {
	if s == "" {
		return true
	}
	_, err := strconv.ParseInt(s, 10, 64)
	return err == nil
}

// wwwFormEncode encodes like Java's URLEncoder.encode(s, "UTF-8") and Ruby's
// URI.encode_www_form_component, which agree: letters, digits and ".-*_"
// stay, space becomes '+', everything else is %XX of the UTF-8 bytes.
func wwwFormEncode(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9',
			c == '.', c == '-', c == '*', c == '_':
			b.WriteByte(c)
		case c == ' ':
			b.WriteByte('+')
		default:
			b.WriteByte('%')
			b.WriteByte(upperHex[c>>4])
			b.WriteByte(upperHex[c&15])
		}
	}
	return b.String()
}

const upperHex = "0123456789ABCDEF"

// canonicalQuery rebuilds the query bbb-web 2.x hashes for a POST without a
// URL query: keys sorted, checksum skipped, every value Java-URL-encoded.
func canonicalQuery(p params) string {
	keys := make([]string, 0, len(p))
	seen := map[string]bool{}
	for _, kv := range p {
		if kv.Key == "checksum" || seen[kv.Key] {
			continue
		}
		seen[kv.Key] = true
		keys = append(keys, kv.Key)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		for _, kv := range p {
			if kv.Key == k {
				parts = append(parts, k+"="+wwwFormEncode(kv.Value))
			}
		}
	}
	return strings.Join(parts, "&")
}

// uriQuote quotes a query component the way java.net.URI's multi-argument
// constructor does: RFC 2396 unreserved and reserved characters stay, every
// other byte (including '%', '"', '[', '{' and space) becomes %XX. bbb-web
// builds the join error redirect with it, so errors=[{"key":...}] arrives
// percent-encoded.
func uriQuote(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
			strings.IndexByte("-_.!~*'();/?:@&=+$,", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(upperHex[c>>4])
		b.WriteByte(upperHex[c&15])
	}
	return b.String()
}
