// Package redact scrubs text that leaves the machine on the teacher's
// decision (the IT report): known secret values, the queries of URLs
// (signed join links carry a checksum and the teacher's name), userinfo,
// values of secret-looking keys, TURN REST credentials, and on request IP
// addresses. It works on plain strings so that any output — JSON, HTML,
// logs — can go through it as a last step.
package redact

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strings"
)

// Mark replaces everything removed.
const Mark = "[redacted]"

// MinSecretLen is the shortest known secret Text replaces: shorter values
// would blot out ordinary words and prove nothing.
const MinSecretLen = 4

// secretKeyWords matches a key that names a secret: a secret word, with
// any prefix ("shared_secret", "sharedSecret", "turn.credential") but
// nothing after it ("secret_set" and "credentials_expire" are no secrets).
const secretKeyWords = `[a-z0-9_.\-]*?(?:checksum|session_?token|auth_?token|access_?token|token|password|passwd|[a-z]*pw|[a-z]*salt|credentials?|secret|authorization|cookie|jsessionid|api_?key|access_?code)\b`

var (
	// URLs whose query or fragment may hold a checksum, a session token or
	// personal data.
	webURL = regexp.MustCompile(`(?i)\b(?:https?|wss?)://[^\s"'<>` + "`" + `]+`)
	// A URL-encoded URL outside a query ("https%3A%2F%2Fh%2Fjoin%3Fx%3D1",
	// as a redirect target is written): its encoded query goes too.
	encURL = regexp.MustCompile(`(?i)\b(?:https?|wss?)%3A%2F%2F[^\s"'<>` + "`" + `]+`)
	// turn:/stun: URIs (RFC 7064/7065) have no "//".
	iceURI = regexp.MustCompile(`(?i)\b(?:turns?|stuns?):[^\s"'<>` + "`" + `\\]+`)
	// key=value, key: value, "key": "value" and 'key': 'value' for keys
	// that name a secret. Any word prefix catches shared_secret,
	// static-auth-secret, and camelCase sharedSecret or TurnPassword (Go
	// structs marshalled without tags). The key starts after a non-word
	// character, an escaped "&" (JSON's \u0026, HTML's &amp; or &#38;) or
	// the start.
	secretKV = regexp.MustCompile(`(?i)(^|[^a-z0-9_]|\\u00[0-9a-f]{2}|&amp;|&#\d+;)(` + secretKeyWords + `)(["']?\s*[:=]\s*)((?:Bearer|Basic|Digest)\s+[^\s"'&,;<>]+|"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|[^\s"'&,;<>\]\[}\\]+)`)
	// secretKey is a whole key (a log attribute, a group) naming a secret.
	secretKey = regexp.MustCompile(`(?i)^` + secretKeyWords + `$`)
	// A bare query ("meetingID=…&fullName=…&checksum=…") that carries a
	// checksum or session token: all of it goes, since its other values
	// hold the teacher's name. Pairs join with "&", "&amp;" or "\u0026".
	signedQuery = regexp.MustCompile(`(?i)(?:[a-z0-9_.\-]+=[^\s"'<>&\\]*(?:&amp;|&|\\u0026))*(?:checksum|session_?token)=[^\s"'<>&\\]*(?:(?:&amp;|&|\\u0026)[a-z0-9_.\-]+=[^\s"'<>&\\]*)*`)
	// A TURN REST username: "<expiry unix seconds>:<user>".
	turnUser = regexp.MustCompile(`\b1\d{9}:[A-Za-z0-9_.\-]+`)
	// A TURN REST password: base64 of an HMAC-SHA1, 28 characters.
	turnPass = regexp.MustCompile(`(^|[^A-Za-z0-9+/])[A-Za-z0-9+/]{27}=`)
)

// Text returns s with every known secret (and its URL-, base64-, JSON- and
// HTML-escaped forms), URL queries and fragments, userinfo, secret-looking
// key values and TURN REST credentials replaced by Mark. Secrets shorter
// than MinSecretLen are ignored. Text is idempotent.
func Text(s string, secrets ...string) string {
	forms := Forms(secrets...)
	// Each step can only shorten or mark; repeating until nothing changes
	// makes Text idempotent even when one step's output feeds another.
	for range 8 {
		next := step(s, forms)
		if next == s {
			return s
		}
		s = next
	}
	return s
}

func step(s string, forms []string) string {
	s = ReplaceForms(s, forms)
	s = webURL.ReplaceAllStringFunc(s, stripWebURL)
	s = encURL.ReplaceAllStringFunc(s, stripEncodedURL)
	s = iceURI.ReplaceAllStringFunc(s, stripICEURI)
	s = signedQuery.ReplaceAllString(s, Mark)
	if hasKeyHint(s) {
		s = secretKV.ReplaceAllStringFunc(s, maskKV)
	}
	s = turnUser.ReplaceAllString(s, Mark)
	s = turnPass.ReplaceAllString(s, "${1}"+Mark)
	return s
}

// replaceOutsideMarks replaces f everywhere except inside an existing Mark
// (a secret such as "dact" must not eat the marker itself).
func replaceOutsideMarks(s, f string) string {
	if !strings.Contains(Mark, f) {
		return strings.ReplaceAll(s, f, Mark)
	}
	parts := strings.Split(s, Mark)
	for i, p := range parts {
		parts[i] = strings.ReplaceAll(p, f, Mark)
	}
	return strings.Join(parts, Mark)
}

// Forms returns the forms in which the secrets may appear in an output:
// as is, URL-encoded, base64, JSON- and HTML-escaped; longest first, so
// a longer form is replaced before a shorter one inside it.
func Forms(secrets ...string) []string {
	seen := map[string]bool{}
	var out []string
	add := func(v string) {
		if len(v) >= MinSecretLen && !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	for _, s := range secrets {
		if len(s) < MinSecretLen {
			continue
		}
		add(s)
		add(url.QueryEscape(s))
		add(url.PathEscape(s))
		add(base64.StdEncoding.EncodeToString([]byte(s)))
		add(base64.RawStdEncoding.EncodeToString([]byte(s)))
		add(base64.URLEncoding.EncodeToString([]byte(s)))
		add(base64.RawURLEncoding.EncodeToString([]byte(s)))
		for _, j := range jsonForms(s) {
			add(j)
			add(htmlEscape(j))
		}
		add(htmlEscape(s))
		add(htmlEscape(url.QueryEscape(s)))
	}
	sort.SliceStable(out, func(i, j int) bool { return len(out[i]) > len(out[j]) })
	return out
}

// jsonForms is s as encoding/json writes it inside quotes, with and
// without HTML escaping.
func jsonForms(s string) []string {
	var out []string
	b, _ := json.Marshal(s)
	out = append(out, string(b[1:len(b)-1]))
	var sb strings.Builder
	enc := json.NewEncoder(&sb)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	e := strings.TrimSuffix(sb.String(), "\n")
	if len(e) >= 2 {
		out = append(out, e[1:len(e)-1])
	}
	return out
}

// htmlEscape escapes as html/template does in text and attribute values.
var htmlReplacer = strings.NewReplacer(`&`, "&amp;", `<`, "&lt;", `>`, "&gt;", `"`, "&#34;", `'`, "&#39;", `+`, "&#43;", "\x00", "\uFFFD")

func htmlEscape(s string) string { return htmlReplacer.Replace(s) }

// stripWebURL keeps scheme://host[:port]/path and drops userinfo, query
// and fragment.
func stripWebURL(u string) string {
	u, tail := splitEntity(u)
	if tail != "" {
		return stripWebURL(u) + tail
	}
	// A backslash at the end escapes the quote after the URL in JSON
	// ("Get \"https://…\": …"); it must stay.
	trimmed := strings.TrimRight(u, `\`)
	esc := u[len(trimmed):]
	u = trimmed
	if i := strings.IndexAny(u, "?#"); i >= 0 {
		u = u[:i]
	}
	// HTML- and JSON-escaped queries ("&amp;", "\u0026") start after "?",
	// which is gone now; an escaped "?" itself:
	for _, q := range []string{`\u003f`, "&#63;", "%3F", "%3f"} {
		if i := strings.Index(u, q); i >= 0 {
			u = u[:i]
		}
	}
	return dropUserinfo(u, strings.Index(u, "://")+3) + esc
}

// stripEncodedURL cuts a URL-encoded URL at its encoded "?" or "#" and
// drops encoded userinfo ("user%3Apw%40host").
func stripEncodedURL(u string) string {
	low := strings.ToLower(u)
	for _, q := range []string{"%3f", "%23", "&"} {
		if i := strings.Index(low, q); i >= 0 {
			u, low = u[:i], low[:i]
		}
	}
	start := strings.Index(low, "%2f%2f") + len("%2f%2f") // the regexp matched one
	auth := low[start:]
	if i := strings.Index(auth, "%2f"); i >= 0 {
		auth = auth[:i]
	}
	if at := strings.LastIndex(auth, "%40"); at >= 0 {
		return u[:start] + u[start+at+3:]
	}
	return u
}

// dropUserinfo removes "user:pass@" after the scheme (authority starts at
// start) up to the first "/".
func dropUserinfo(u string, start int) string {
	if start < 0 || start > len(u) {
		return u
	}
	auth := u[start:]
	if i := strings.IndexByte(auth, '/'); i >= 0 {
		auth = auth[:i]
	}
	if at := strings.LastIndexByte(auth, '@'); at >= 0 {
		return u[:start] + u[start+at+1:]
	}
	return u
}

// endEntity is an HTML-escaped quote or angle bracket: in HTML output it
// ends a URL as the raw character would.
var endEntity = regexp.MustCompile(`(?i)&(?:#34|#39|#x22|#x27|quot|apos|lt|gt|#60|#62);`)

// splitEntity cuts u at the first endEntity; the tail (entity and what
// follows) is redacted on its own, since the regexp took it as one URL.
func splitEntity(u string) (head, tail string) {
	loc := endEntity.FindStringIndex(u)
	if loc == nil {
		return u, ""
	}
	rest := u[loc[1]:]
	rest = webURL.ReplaceAllStringFunc(rest, stripWebURL)
	rest = iceURI.ReplaceAllStringFunc(rest, stripICEURI)
	return u[:loc[0]], u[loc[0]:loc[1]] + rest
}

// stripICEURI keeps turn:host:port and a ?transport=udp|tcp, which IT
// needs and which is no secret; everything else after "?" goes.
func stripICEURI(u string) string {
	u, tail := splitEntity(u)
	if tail != "" {
		return stripICEURI(u) + tail
	}
	keep := ""
	if i := strings.IndexAny(u, "?#"); i >= 0 {
		q := strings.ToLower(u[i:])
		for _, tr := range []string{"udp", "tcp"} {
			if strings.Contains(q, "transport="+tr) {
				keep = "?transport=" + tr
			}
		}
		u = u[:i]
	}
	start := strings.IndexByte(u, ':') + 1
	if strings.HasPrefix(u[start:], "//") {
		start += 2 // "turns://user:pass@host", seen in configs though not RFC 7065
	}
	return dropUserinfo(u, start) + keep
}

// maskKV masks the value of a secret-looking key, keeping JSON valid.
func maskKV(m string) string {
	sub := secretKV.FindStringSubmatch(m)
	if sub == nil {
		return m
	}
	pre, key, sep, val := sub[1], sub[2], sub[3], sub[4]
	inner := strings.Trim(val, `"'`)
	switch strings.ToLower(inner) {
	case "true", "false", "null", "":
		// A flag ("secret_set": true) or an empty value is no secret.
		return m
	}
	if inner == Mark {
		return m
	}
	switch {
	case strings.HasPrefix(val, `'`):
		return pre + key + sep + `'` + Mark + `'`
	case strings.HasPrefix(val, `"`) || strings.Contains(sep, `"`):
		return pre + key + sep + `"` + Mark + `"`
	}
	return pre + key + sep + Mark
}

// SecretKey reports whether key (a log attribute or group name, a JSON
// field) names a secret, by the same words Text masks values for:
// "password", "shared_secret", "sharedSecret", "turn.credential"; not
// "secret_set" or "credentials_expire".
func SecretKey(key string) bool {
	// Most keys ("room", "err", "status") hold none of the words: this
	// check keeps the log's per-attribute cost to a few string searches.
	return hasKeyHint(key) && secretKey.MatchString(key)
}

// hasKeyHint: s may hold a secret-looking key (the regexp is the costly
// part of Text for the short texts a log sees).
func hasKeyHint(s string) bool {
	lower := strings.ToLower(s)
	for _, w := range secretKeyHints {
		if strings.Contains(lower, w) {
			return true
		}
	}
	return false
}

// secretKeyHints: every word of secretKeyWords contains one of these.
var secretKeyHints = []string{"checksum", "token", "passw", "pw", "salt", "credential", "secret", "authorization", "cookie", "jsessionid", "key", "code"}

// ReplaceForms replaces each of forms (from Forms, longest first) in s
// by Mark, leaving existing marks intact: the cheap known-secrets part of
// Text, for callers that keep the forms (the log file).
func ReplaceForms(s string, forms []string) string {
	for _, f := range forms {
		if strings.Contains(s, f) {
			s = replaceOutsideMarks(s, f)
		}
	}
	return s
}

// ErrLeak is returned by Verify.
var ErrLeak = errors.New("redact: a known secret is still present")

// Verify fails when any form of any secret (MinSecretLen or longer)
// occurs in data. The error names the secret's position in the list,
// never its value.
func Verify(data []byte, secrets ...string) error {
	s := string(data)
	for i, sec := range secrets {
		if len(sec) < MinSecretLen || strings.Contains(Mark, sec) {
			continue
		}
		for _, f := range Forms(sec) {
			if strings.Contains(s, f) {
				return fmt.Errorf("%w (secret #%d)", ErrLeak, i+1)
			}
		}
	}
	return nil
}
