package redact

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestText(t *testing.T) {
	const sec = "s3cr3t+value/x"
	cases := []struct{ in, want string }{
		{"join https://bbb.example.org/bigbluebutton/api/join?fullName=Frau+M%C3%BCller&checksum=abcdef#x done",
			"join https://bbb.example.org/bigbluebutton/api/join done"},
		{"https://user:pw@bbb.example.org:8443/p?q", "https://bbb.example.org:8443/p"},
		{"wss://h/ws?sessionToken=abc", "wss://h/ws"},
		{"turn:turn.example.org:3478?transport=udp", "turn:turn.example.org:3478?transport=udp"},
		{"turns:u:p@turn.example.org:443?transport=tcp&x=y", "turns:turn.example.org:443?transport=tcp"},
		{"stun:turn.example.org?foo=bar", "stun:turn.example.org"},
		{"query meetingID=a&fullName=Frau+M%C3%BCller&checksum=0123abcd&x=1 end", "query [redacted] end"},
		{"checksum=abc, sessionToken=xyz", "[redacted] [redacted]"},
		{`{"token": "vtukytxi2pt0eiwe"}`, `{"token": "[redacted]"}`},
		{`{"password": "hunter22", "secret_set": true, "n": 1}`, `{"password": "[redacted]", "secret_set": true, "n": 1}`},
		{`{"shared_secret":1234}`, `{"shared_secret":"[redacted]"}`},
		{"Authorization: Bearer abc.def", "Authorization: [redacted]"},
		{"session_token=ai1wqj8wb6s7rnk0 auth_token: 14mm5y3eurjw", "[redacted] auth_token: [redacted]"},
		{"static-auth-secret=coturn-secret", "static-auth-secret=[redacted]"},
		{"user 1735689600:w_testuser01 pass BTWmnSIkRUhg0SFTNkdqab8Sg3Q=", "user [redacted] pass [redacted]"},
		{"the value " + sec + " and " + "s3cr3t%2Bvalue%2Fx", "the value [redacted] and [redacted]"},
		{"html s3cr3t&#43;value/x", "html [redacted]"},
		{"checksum_rejected and code: ok, version 1.2.3", "checksum_rejected and code: ok, version 1.2.3"},
		{"in turn: nothing", "in turn: nothing"},
		// Also what logs meet (internal/logfile uses Text as its scrubber).
		{"turns://1700000000:u1:TurnPassW0rdXyZ@turn.example.org:443?transport=tcp", "turns://turn.example.org:443?transport=tcp"},
		{"moderatorPW=x attendeePW=y", "moderatorPW=[redacted] attendeePW=[redacted]"},
		{"TAFEL_BBB_SECRET=s3cr3tvalue securitySalt: abcd1234", "TAFEL_BBB_SECRET=[redacted] securitySalt: [redacted]"},
		{"Cookie: JSESSIONID=abc", "Cookie: [redacted]"},
	}
	for _, c := range cases {
		got := Text(c.in, sec)
		if got != c.want {
			t.Errorf("Text(%q)\n got %q\nwant %q", c.in, got, c.want)
		}
		if again := Text(got, sec); again != got {
			t.Errorf("not idempotent: %q -> %q", got, again)
		}
	}
}

func TestTextKeepsJSONValid(t *testing.T) {
	in := map[string]any{"password": 12345, "secret": "x y z", "secret_set": false,
		"url": "https://h/p?checksum=1", "note": "sessionToken=abcd"}
	b, _ := json.Marshal(in)
	out := Text(string(b))
	var m map[string]any
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatalf("invalid JSON after Text: %v\n%s", err, out)
	}
	if m["password"] != Mark || m["secret"] != Mark || m["secret_set"] != false || m["url"] != "https://h/p" {
		t.Errorf("got %v", m)
	}
}

func TestSecretInsideMark(t *testing.T) {
	if got := Text("x [redacted] dact y", "dact"); got != "x [redacted] [redacted] y" {
		t.Errorf("got %q", got)
	}
}

func TestVerify(t *testing.T) {
	const sec = "pool-secret-1234"
	if err := Verify([]byte("nothing here"), sec); err != nil {
		t.Fatal(err)
	}
	for _, leak := range []string{"a pool-secret-1234 b", "cG9vbC1zZWNyZXQtMTIzNA==", `"pool-secret-1234"`} {
		err := Verify([]byte(leak), "abc", sec)
		if !errors.Is(err, ErrLeak) {
			t.Errorf("Verify missed a leak: %v", err)
		} else if strings.Contains(err.Error(), sec) {
			t.Error("the error names the secret")
		}
	}
}

func TestIPs(t *testing.T) {
	cases := []struct{ in, want string }{
		{"from 127.0.0.1:3478 to 10.1.2.3.", "from [ip:loopback]:3478 to [ip:private]."},
		{"public 203.0.113.10, cgnat 100.64.1.1", "public [ip:public], cgnat [ip:private]"},
		{"v6 ::1 and fe80::1%eth0 and 2001:db8::5 and [2001:db8::1]:443", "v6 [ip:loopback] and [ip:link-local]%eth0 and [ip:public] and [[ip:public]]:443"},
		{"fd00::1 192.168.0.1", "[ip:private] [ip:private]"},
		{"Go 1.26.8, v0.11.26, at 14:05:33, 2026-11-27T14:05:33.123Z", "Go 1.26.8, v0.11.26, at 14:05:33, 2026-11-27T14:05:33.123Z"},
		{"1.2.3.4.5 and 256.1.1.1 and std::string and deadbeef", "1.2.3.4.5 and 256.1.1.1 and std::string and deadbeef"},
		{"host=https://127.0.0.1:8080/x", "host=https://[ip:loopback]:8080/x"},
		{"0.0.0.0", "[ip:other]"},
	}
	for _, c := range cases {
		got := IPs(c.in)
		if got != c.want {
			t.Errorf("IPs(%q)\n got %q\nwant %q", c.in, got, c.want)
		}
		if IPs(got) != got {
			t.Errorf("IPs not idempotent on %q", got)
		}
	}
}

func TestEscapedForms(t *testing.T) {
	cases := []struct{ in, want string }{
		{`"https://h/join?a=1\u0026checksum=abc"`, `"https://h/join"`},
		{`"x\u0026checksum=abcdef\u0026y=1"`, `"x\u0026[redacted]"`},
		{`&#34;a=1&amp;sessionToken=abcd&amp;b=2&#34;`, `&#34;[redacted]&#34;`},
		{`x: checksum&#61;abc`, `x: checksum&#61;abc`},
	}
	for _, c := range cases {
		if got := Text(c.in); got != c.want {
			t.Errorf("Text(%q)\n got %q\nwant %q", c.in, got, c.want)
		}
	}
	if got := IPs("dial tcp 203.0.113.7:443: i/o timeout"); got != "dial tcp [ip:public]:443: i/o timeout" {
		t.Errorf("got %q", got)
	}
}

func TestEscapedQuoteAfterURL(t *testing.T) {
	in := `{"err": "Get \"https://h/join?a=1&checksum=abc\": timeout"}`
	want := `{"err": "Get \"https://h/join\": timeout"}`
	if got := Text(in); got != want {
		t.Errorf("got %q", got)
	}
}

func TestHTMLEscapedURLs(t *testing.T) {
	in := `&#34;note&#34;: &#34;via https://h/join&#34;,&#34;url&#34;:&#34;turn:10.0.0.5:3478?transport=udp&#34;,&#34;x&#34;:&#34;https://h/j?checksum=1&amp;a=2&#34;}`
	want := `&#34;note&#34;: &#34;via https://h/join&#34;,&#34;url&#34;:&#34;turn:10.0.0.5:3478?transport=udp&#34;,&#34;x&#34;:&#34;https://h/j&#34;}`
	if got := Text(in); got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}

// Review regression: camelCase keys (Go structs marshalled without JSON
// tags, as slog.Any and %+v write them), single-quoted values and the
// BBB session cookie were left in clear.
func TestTextCamelCaseAndQuotedKeys(t *testing.T) {
	cases := []struct{ in, want string }{
		{`{"SharedSecret":"poolsecret123","TurnPassword":"turnpw123"}`, `{"SharedSecret":"[redacted]","TurnPassword":"[redacted]"}`},
		{"sharedSecret=abcdef staticAuthSecret: xyz123", "sharedSecret=[redacted] staticAuthSecret: [redacted]"},
		{"{Username:u TurnCredential:abcd1234}", "{Username:u TurnCredential:[redacted]}"},
		{`'password': 'hunter22'`, `'password': '[redacted]'`},
		{`password='two words'`, `password='[redacted]'`},
		{"JSESSIONID=ABCDEF0123456789", "JSESSIONID=[redacted]"},
		// Not secrets: a flag, an expiry, ordinary words.
		{`{"secret_set": true, "credentials_expire": "2026-01-01", "in_keyring": false}`, `{"secret_set": true, "credentials_expire": "2026-01-01", "in_keyring": false}`},
	}
	for _, c := range cases {
		if got := Text(c.in); got != c.want {
			t.Errorf("Text(%q)\n got %q\nwant %q", c.in, got, c.want)
		}
	}
}

func TestSecretKey(t *testing.T) {
	for _, k := range []string{"password", "checksum", "session_token", "sessionToken", "SharedSecret", "shared_secret",
		"turn.credential", "static-auth-secret", "moderatorPW", "securitySalt", "Authorization", "Cookie", "JSESSIONID", "api_key"} {
		if !SecretKey(k) {
			t.Errorf("SecretKey(%q) = false", k)
		}
	}
	for _, k := range []string{"secret_set", "credentials_expire", "in_keyring", "keyring_problem", "url", "err", "code",
		"session_type", "component", "tokens", "message_key"} {
		if SecretKey(k) {
			t.Errorf("SecretKey(%q) = true", k)
		}
	}
}

// Review regression: a URL-encoded signed link (a redirect target in an
// error text) kept its encoded query: checksum and teacher's name.
func TestTextEncodedURL(t *testing.T) {
	cases := []struct{ in, want string }{
		{"redirect to https%3A%2F%2Fbbb.example.org%2Fapi%2Fjoin%3FfullName%3DFrau%2BM%26checksum%3Dabc123 failed",
			"redirect to https%3A%2F%2Fbbb.example.org%2Fapi%2Fjoin failed"},
		{"HTTP%3a%2f%2fu%3Apw%40h.example.org%2Fp%23frag", "HTTP%3a%2f%2fh.example.org%2Fp"},
		{"ws%3A%2F%2Fh%2Fws%3FsessionToken%3Dabc", "ws%3A%2F%2Fh%2Fws"},
		{"wss%3A%2F%2Fuser%40h%2Fws", "wss%3A%2F%2Fh%2Fws"},
	}
	for _, c := range cases {
		if got := Text(c.in); got != c.want {
			t.Errorf("Text(%q)\n got %q\nwant %q", c.in, got, c.want)
		}
	}
}
