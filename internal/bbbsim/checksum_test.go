package bbbsim

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// The literal checksums below are copied from bbb-api.md §2.6 (official
// sha1 sample, the Rust crate's sha256 sample, and computed vectors), not
// computed by the test.

func TestDocVectorsSignerAgrees(t *testing.T) {
	// Guards the test's own signer against the published values.
	cases := []struct{ alg, text, want string }{
		{"sha1", "createname=Test+Meeting&meetingID=abc123&attendeePW=111222&moderatorPW=333444" + docSecret, "1fcbb0c4fc1f039f73aa6d697d2db9ba7f803f17"},
		{"sha256", "createname=Test+Meeting&meetingID=abc123&attendeePW=111222&moderatorPW=333444" + docSecret, "da9185f7f333cfdfcd6eeac32dca3777510c4c436020d8b887ba5515bd1d189e"},
		{"sha384", "createname=Test+Meeting&meetingID=abc123&attendeePW=111222&moderatorPW=333444" + docSecret, "891ac633df39d0a1b4f8d597f3e190833216c4b29c4fb51ea3ca72757eeb958d6e7b49a845cf29f5c6019c7d29d029d1"},
		{"sha512", "createname=Test+Meeting&meetingID=abc123&attendeePW=111222&moderatorPW=333444" + docSecret, "de73ad61d11a5c801b68d4bd6ec5248546085cefb0b25c85f3c46249ea93a3a4b120f92c0a8a58d7512cb77821884951a3b01245f3435dbbef49fff3cc3988b4"},
		{"sha256", "joinpassword=pass&fullName=name&meetingId=1BBBSECRET", "94e467c1b4b13f4452ca5d1deb9b7b74e1063aea55fe078139015a7d6311cfdf"},
		{"sha1", "joinpassword=pass&fullName=name&meetingId=1BBBSECRET", "262bd918c40627e479dbc1f820a7d25171d050b7"},
	}
	for _, c := range cases {
		if got := hexSum(c.alg, c.text); got != c.want {
			t.Errorf("%s(%q) = %s, want %s", c.alg, c.text, got, c.want)
		}
	}
}

// TestChecksumAlgorithms: §14.1 – algorithm by hex length, case-insensitive
// comparison, configurable accepted set.
func TestChecksumAlgorithms(t *testing.T) {
	const q = "name=Test+Meeting&meetingID=abc123&attendeePW=111222&moderatorPW=333444"
	sums := map[string]string{
		"sha1":   "1fcbb0c4fc1f039f73aa6d697d2db9ba7f803f17",
		"sha256": "da9185f7f333cfdfcd6eeac32dca3777510c4c436020d8b887ba5515bd1d189e",
		"sha384": "891ac633df39d0a1b4f8d597f3e190833216c4b29c4fb51ea3ca72757eeb958d6e7b49a845cf29f5c6019c7d29d029d1",
		"sha512": "de73ad61d11a5c801b68d4bd6ec5248546085cefb0b25c85f3c46249ea93a3a4b120f92c0a8a58d7512cb77821884951a3b01245f3435dbbef49fff3cc3988b4",
	}
	cases := []struct {
		name     string
		cfg      Config
		checksum string
		ok       bool
	}{
		{"bbb sha1", Config{}, sums["sha1"], true},
		{"bbb sha256", Config{}, sums["sha256"], true},
		{"bbb sha384", Config{}, sums["sha384"], true},
		{"bbb sha512", Config{}, sums["sha512"], true},
		{"bbb uppercase hex", Config{}, strings.ToUpper(sums["sha256"]), true},
		{"truncated (63)", Config{}, sums["sha256"][:63], false},
		{"sha1 length, wrong digest", Config{}, sums["sha256"][:40], false},
		{"odd length 41", Config{}, sums["sha1"] + "0", false},
		{"one digit flipped", Config{}, "2" + sums["sha1"][1:], false},
		{"empty checksum", Config{}, "", false},
		{"scalelite rejects sha384", Config{Flavor: FlavorScalelite}, sums["sha384"], false},
		{"scalelite accepts sha512", Config{Flavor: FlavorScalelite}, sums["sha512"], true},
		{"scalelite accepts sha1", Config{Flavor: FlavorScalelite}, sums["sha1"], true},
		{"bbb24 rejects sha512", Config{Flavor: FlavorBBB24}, sums["sha512"], false},
		{"bbb24 compares case-sensitively", Config{Flavor: FlavorBBB24}, strings.ToUpper(sums["sha1"]), false},
		{"bbb24 sha256", Config{Flavor: FlavorBBB24}, sums["sha256"], true},
		{"sha512-only server rejects sha256", Config{Algorithms: []string{"sha512"}}, sums["sha256"], false},
		{"sha512-only server accepts sha512", Config{Algorithms: []string{"SHA512"}}, sums["sha512"], true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t, c.cfg)
			_, body := e.do("GET", e.url("create", q+"&checksum="+c.checksum), "", nil)
			r := parseResp(t, body)
			if c.ok {
				wantKey(t, r, "SUCCESS", "")
			} else {
				wantKey(t, r, "FAILED", keyChecksumError)
				if r.Message != msgChecksumError {
					t.Fatalf("message %q", r.Message)
				}
			}
		})
	}
	t.Run("missing checksum", func(t *testing.T) {
		e := newEnv(t, Config{})
		_, body := e.do("GET", e.url("create", q), "", nil)
		wantKey(t, parseResp(t, body), "FAILED", keyChecksumError)
	})
	t.Run("wrong secret", func(t *testing.T) {
		e := newEnv(t, Config{Secret: "another-secret"})
		_, body := e.do("GET", e.url("create", q+"&checksum="+sums["sha256"]), "", nil)
		wantKey(t, parseResp(t, body), "FAILED", keyChecksumError)
	})
}

// TestChecksumExactBytes: §14.2 – the hashed text is the raw query with
// the checksum removed literally; nothing is decoded or re-encoded.
func TestChecksumExactBytes(t *testing.T) {
	e := newEnv(t, Config{})
	e.create("abc123")
	cases := []struct {
		name, query string
		wantOK      bool
	}{
		// Doc vectors: '+' and '%20' each pass with their own checksum.
		{"plus sha1", "fullName=John+Doe&meetingID=abc123&role=MODERATOR&checksum=c8de9d4a77cb0715de41c7117f651dd5c4c5a8a9", true},
		{"plus sha256", "fullName=John+Doe&meetingID=abc123&role=MODERATOR&checksum=0010d1d352b098843561cba76bcbf9237173d388a4087b0bc3fa168559556fdb", true},
		{"%20 sha1 (PHP rawurlencode)", "fullName=John%20Doe&meetingID=abc123&role=MODERATOR&checksum=9aa4097bb6c8bea934e6f7146af8f49bc804cad7", true},
		{"%20 sha256", "fullName=John%20Doe&meetingID=abc123&role=MODERATOR&checksum=2b19ae2ab2bee527115ff0e210b76468fbbffef44a368dafd7fdd9398099e479", true},
		{"%20 sent, '+' hashed", "fullName=John%20Doe&meetingID=abc123&role=MODERATOR&checksum=0010d1d352b098843561cba76bcbf9237173d388a4087b0bc3fa168559556fdb", false},
		{"checksum first", "checksum=0010d1d352b098843561cba76bcbf9237173d388a4087b0bc3fa168559556fdb&fullName=John+Doe&meetingID=abc123&role=MODERATOR", true},
		{"checksum in the middle", "fullName=John+Doe&checksum=0010d1d352b098843561cba76bcbf9237173d388a4087b0bc3fa168559556fdb&meetingID=abc123&role=MODERATOR", true},
		{"role flipped after signing", "fullName=John+Doe&meetingID=abc123&role=VIEWER&checksum=0010d1d352b098843561cba76bcbf9237173d388a4087b0bc3fa168559556fdb", false},
		{"meetingID swapped after signing", "fullName=John+Doe&meetingID=abc124&role=MODERATOR&checksum=0010d1d352b098843561cba76bcbf9237173d388a4087b0bc3fa168559556fdb", false},
		{"parameter added after signing", "fullName=John+Doe&meetingID=abc123&role=MODERATOR&guest=true&checksum=0010d1d352b098843561cba76bcbf9237173d388a4087b0bc3fa168559556fdb", false},
		{"parameters reordered after signing", "meetingID=abc123&fullName=John+Doe&role=MODERATOR&checksum=0010d1d352b098843561cba76bcbf9237173d388a4087b0bc3fa168559556fdb", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp, body := e.do("GET", e.url("join", c.query), "", nil)
			loc := resp.Header.Get("Location")
			if resp.StatusCode != http.StatusFound {
				t.Fatalf("status %d: %s", resp.StatusCode, body)
			}
			if c.wantOK {
				mustContain(t, loc, "/html5client?sessionToken=")
				return
			}
			key, msg := errorsParam(t, loc)
			if key != keyChecksumError || msg != msgChecksumError {
				t.Fatalf("errors = %s/%s", key, msg)
			}
		})
	}
	t.Run("other calls", func(t *testing.T) {
		for _, c := range []struct{ call, query string }{
			{"isMeetingRunning", "meetingID=abc123&checksum=8478733ccb8695b8aaaff48b3c1e281a75a6f046"},
			{"isMeetingRunning", "meetingID=abc123&checksum=0d7030d1b5af6624c3e8909540eb2747a33d993a4951fb3bde9462025e41dcdb"},
			{"getMeetings", "checksum=2027baa7771026e9e93392f55031535d1444c41f"},
			{"getMeetings", "checksum=a5370c5f3d97d56d53b435684cdbc429c2898a3bf9f435518b4279e1e0dbfc8c"},
		} {
			_, body := e.do("GET", e.url(c.call, c.query), "", nil)
			if r := parseResp(t, body); r.ReturnCode != "SUCCESS" {
				t.Fatalf("%s %s: %s", c.call, c.query, body)
			}
		}
	})
}

func TestJoinCreateTimeVector(t *testing.T) {
	// The doc's sha256 vector includes createTime=1531155809613 (F2's
	// meeting): create at exactly that instant.
	e := newEnv(t, Config{})
	e.clock.Set(time.UnixMilli(1531155809613))
	r := e.create("abc123")
	if r.CreateTime != 1531155809613 {
		t.Fatalf("createTime %d", r.CreateTime)
	}
	resp, _ := e.do("GET", e.url("join", "fullName=Klasse+7b&meetingID=abc123&role=VIEWER&createTime=1531155809613&checksum=70c8cd6d3eac59b7b2f96afa4a1cff3ecdd529c70474f61325a40418946e873b"), "", nil)
	if resp.StatusCode != http.StatusFound || !strings.Contains(resp.Header.Get("Location"), "sessionToken=") {
		t.Fatalf("join: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
}

// TestChecksumPOST: for POST the checksum covers the URL query only; a
// parameter in both URL and body is a checksumError; 3.x hashes the empty
// query for all-in-body requests, 2.x the rebuilt canonical query.
func TestChecksumPOST(t *testing.T) {
	form := "application/x-www-form-urlencoded"
	t.Run("params in URL, form body adds unsigned param", func(t *testing.T) {
		e := newEnv(t, Config{})
		q := signed("sha256", "create", "name=Room+1&meetingID=room-1", e.secret)
		_, body := e.do("POST", e.url("create", q), form, strings.NewReader("record=true"))
		wantKey(t, parseResp(t, body), "SUCCESS", "")
		m, _ := e.s.Meeting("room-1")
		if !m.Settings.Record {
			t.Fatal("bbb-web 3.x applies body parameters the checksum does not cover")
		}
	})
	t.Run("same parameter in URL and body", func(t *testing.T) {
		e := newEnv(t, Config{})
		q := signed("sha256", "create", "name=Room+1&meetingID=room-1", e.secret)
		_, body := e.do("POST", e.url("create", q), form, strings.NewReader("meetingID=room-2"))
		wantKey(t, parseResp(t, body), "FAILED", keyChecksumError)
	})
	t.Run("3.x all in body: empty query is hashed", func(t *testing.T) {
		e := newEnv(t, Config{})
		sum := hexSum("sha256", "create"+""+e.secret)
		_, body := e.do("POST", e.url("create", ""), form, strings.NewReader("name=Room+1&meetingID=room-1&checksum="+sum))
		wantKey(t, parseResp(t, body), "SUCCESS", "")
		// A 2.x-style canonical checksum fails on 3.x.
		canon := hexSum("sha256", "create"+"meetingID=room-2&name=Room+1"+e.secret)
		_, body = e.do("POST", e.url("create", ""), form, strings.NewReader("name=Room+1&meetingID=room-2&checksum="+canon))
		wantKey(t, parseResp(t, body), "FAILED", keyChecksumError)
	})
	t.Run("2.4 all in body: canonical query is hashed", func(t *testing.T) {
		e := newEnv(t, Config{Flavor: FlavorBBB24})
		// Keys sorted, Java URLEncoder: space '+', '*' kept, '~' → %7E.
		canon := hexSum("sha256", "create"+"meetingID=room-1&name=A+b*c%7Ed"+e.secret)
		_, body := e.do("POST", e.url("create", ""), form, strings.NewReader("name=A%20b*c~d&meetingID=room-1&checksum="+canon))
		wantKey(t, parseResp(t, body), "SUCCESS", "")
		empty := hexSum("sha256", "create"+e.secret)
		_, body = e.do("POST", e.url("create", ""), form, strings.NewReader("name=Room&meetingID=room-2&checksum="+empty))
		wantKey(t, parseResp(t, body), "FAILED", keyChecksumError)
	})
	t.Run("form POST for getMeetingInfo, isMeetingRunning and end", func(t *testing.T) {
		e := newEnv(t, Config{})
		e.create("room-1")
		for _, call := range []string{"getMeetingInfo", "isMeetingRunning", "end"} {
			q := signed("sha1", call, "meetingID=room-1", e.secret)
			_, body := e.do("POST", e.url(call, q), "", nil)
			if r := parseResp(t, body); r.ReturnCode != "SUCCESS" {
				t.Fatalf("%s: %s", call, body)
			}
			sum := hexSum("sha256", call+e.secret)
			_, body = e.do("POST", e.url(call, ""), form, strings.NewReader("meetingID=room-1&checksum="+sum))
			if r := parseResp(t, body); r.ReturnCode != "SUCCESS" {
				t.Fatalf("%s all in body: %s", call, body)
			}
		}
	})
}

func TestStripChecksum(t *testing.T) {
	cases := []struct{ q, sum, want string }{
		{"a=1&checksum=X", "X", "a=1"},
		{"checksum=X&a=1", "X", "a=1"},
		{"a=1&checksum=X&b=2", "X", "a=1&b=2"},
		{"checksum=X", "X", ""},
		// Literal, replace-all removal: a second copy goes too, and a
		// differently spelled one stays.
		{"a=1&checksum=X&checksum=X", "X", "a=1"},
		{"a=1&checksum=x", "X", "a=1&checksum=x"},
	}
	for _, c := range cases {
		if got := stripChecksum(c.q, c.sum); got != c.want {
			t.Errorf("stripChecksum(%q, %q) = %q, want %q", c.q, c.sum, got, c.want)
		}
	}
	// Control characters are stripped before hashing (bbb-web sanitizes
	// the query string), so a signature over the clean text verifies.
	p := newChecksumPolicy("s", allAlgorithms, false)
	sum := hexSum("sha1", "joina=1&b=2s")
	if !p.verify("join", "a=1\x01&b=2\x7f&checksum="+sum, sum) {
		t.Error("control characters must be stripped before hashing")
	}
	if p.verify("join", "a=1&b=3&checksum="+sum, sum) {
		t.Error("tampered query verified")
	}
}

func TestQueryParsingLikeTomcat(t *testing.T) {
	p := parseQuery("a=1;b=2&c=%41+B&bad=%zz&=x&k&c=second&ctl=a%00b")
	want := params{{"a", "1;b=2"}, {"c", "A B"}, {"k", ""}, {"c", "second"}, {"ctl", "ab"}}
	if len(p) != len(want) {
		t.Fatalf("got %v", p)
	}
	for i := range want {
		if p[i] != want[i] {
			t.Fatalf("got %v, want %v", p, want)
		}
	}
	if p.get("c") != "A B" {
		t.Fatal("first value must win")
	}
	if got := wwwFormEncode("a b*c~d/é"); got != "a+b*c%7Ed%2F%C3%A9" {
		t.Fatalf("wwwFormEncode = %q", got)
	}
	if _, err := url.ParseQuery("x=1"); err != nil {
		t.Fatal(err)
	}
}
