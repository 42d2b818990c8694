package bbbsim

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"io"
	"maps"
	"strings"
	"testing"
	"testing/iotest"
)

type bufSink struct{ bytes.Buffer }

func (*bufSink) Close() error { return nil }

type gotDoc struct {
	attrs  map[string]string
	inline bool
	data   []byte
}

// parseAll runs parseModules with in-memory sinks.
func parseAll(r io.Reader) ([]gotDoc, bool, error) {
	sinks := map[*moduleDoc]*bufSink{}
	docs, saw, err := parseModules(r, func(d *moduleDoc) (io.WriteCloser, error) {
		s := &bufSink{}
		sinks[d] = s
		return s, nil
	})
	if err != nil {
		return nil, false, err
	}
	out := make([]gotDoc, len(docs))
	for i, d := range docs {
		out[i] = gotDoc{attrs: d.attrs, inline: d.inline}
		if s := sinks[d]; s != nil {
			out[i].data = s.Bytes()
			if int64(len(out[i].data)) != d.size {
				return nil, false, errors.New("size mismatch")
			}
		}
	}
	return out, saw, nil
}

func TestParseModules(t *testing.T) {
	hello := base64.StdEncoding.EncodeToString([]byte("hello, world"))
	cases := []struct {
		name string
		in   string
		want []gotDoc
	}{
		{"url and inline", `<modules><module name="presentation"><document url="https://x/a.pdf" filename="a.pdf" current="true"/><document name="b.txt">` + hello + `</document></module></modules>`,
			[]gotDoc{{attrs: map[string]string{"url": "https://x/a.pdf", "filename": "a.pdf", "current": "true"}}, {attrs: map[string]string{"name": "b.txt"}, inline: true, data: []byte("hello, world")}}},
		{"root name and element names are not checked", `<x><y name="presentation"><z name="b.txt">aGk=</z></y></x>`,
			[]gotDoc{{attrs: map[string]string{"name": "b.txt"}, inline: true, data: []byte("hi")}}},
		{"other modules ignored", `<modules><module name="other"><document name="a.txt">aGk=</document></module></modules>`, nil},
		{"entities and normalization in attributes", "<m><module name=\"presentation\"><d url=\"https://x/?a=1&amp;b=&#50;&#x33;\tc\"/></module></m>",
			[]gotDoc{{attrs: map[string]string{"url": "https://x/?a=1&b=23 c"}}}},
		{"lenient base64: whitespace, junk, url-safe, stops at =", "<m><module name=\"presentation\"><d name=\"a.bin\">\r\n  -_-_ ?!\n8A==AAAA</d></module></m>",
			[]gotDoc{{attrs: map[string]string{"name": "a.bin"}, inline: true, data: []byte{0xfb, 0xff, 0xbf, 0xf0}}}},
		{"CDATA, comments, PIs, entities in text", `<?xml version="1.0"?><m><!-- c --><module name="presentation"><d name="a"><![CDATA[aGVs]]><?pi x?>&#98;G8=</d></module></m>`,
			[]gotDoc{{attrs: map[string]string{"name": "a"}, inline: true, data: []byte("hello")}}},
		{"descendant text counts", `<m><module name="presentation"><d name="a">aG<i>Vs</i>bG8=</d></module></m>`,
			[]gotDoc{{attrs: map[string]string{"name": "a"}, inline: true, data: []byte("hello")}}},
		{"url wins over name", `<m><module name="presentation"><d url="u" name="a.pdf">aGk=</d></module></m>`,
			[]gotDoc{{attrs: map[string]string{"url": "u", "name": "a.pdf"}}}},
		{"BOM and invalid UTF-8 (bbb-web decodes lossily)", "\xef\xbb\xbf<m a=\"\xff\"><module name=\"presentation\"><d name=\"\xc3\">aGk=</d></module></m>",
			[]gotDoc{{attrs: map[string]string{"name": "\xc3"}, inline: true, data: []byte("hi")}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			// One byte at a time too, to cross every chunk boundary.
			for _, r := range []io.Reader{strings.NewReader(c.in), iotest.OneByteReader(strings.NewReader(c.in))} {
				got, _, err := parseAll(r)
				if err != nil {
					t.Fatal(err)
				}
				if len(got) != len(c.want) {
					t.Fatalf("got %d docs: %+v", len(got), got)
				}
				for i := range got {
					if !maps.Equal(got[i].attrs, c.want[i].attrs) || got[i].inline != c.want[i].inline || !bytes.Equal(got[i].data, c.want[i].data) {
						t.Fatalf("doc %d: %+v, want %+v", i, got[i], c.want[i])
					}
				}
			}
		})
	}
}

func TestParseModulesRejects(t *testing.T) {
	for _, in := range []string{
		"",
		"   ",
		"<m>",
		"<m></n>",
		"<m/><m/>",
		"text<m/>",
		"<m/>text",
		"<m>&nbsp;</m>",
		"<m>&#0;</m>",
		"<m>&#xFFFE;</m>",
		"<m>\x01</m>",
		"<m>\xef\xbf\xbf</m>",
		"<m>]]></m>",
		`<m a="1" a="2"/>`,
		`<m a="1"b="2"/>`,
		`<m a=1/>`,
		`<m a="<"/>`,
		"<m><!-- a -- b --></m>",
		`<!DOCTYPE m><m/>`,
		` <?xml version="1.0"?><m/>`,
		`<m/><?xml version="1.0"?>`,
		`<?XML version="1.0"?><m/>`,
		"<![CDATA[x]]><m/>",
		"<m><![CDATA[x</m>",
		"<1m/>",
		"<m>&amp</m>",
	} {
		if _, _, err := parseAll(strings.NewReader(in)); !errors.Is(err, errModules) {
			t.Errorf("%q: err = %v", in, err)
		}
	}
	deep := strings.Repeat("<a>", maxModuleDepth+1)
	if _, _, err := parseAll(strings.NewReader(deep)); err == nil {
		t.Error("depth limit")
	}
}

func TestB64DecoderMatchesStdlib(t *testing.T) {
	data := make([]byte, 1000)
	for i := range data {
		data[i] = byte(i * 7)
	}
	for n := 0; n <= len(data); n += 37 {
		enc := base64.StdEncoding.EncodeToString(data[:n])
		for _, chunk := range []int{1, 3, 5, 64} {
			var out bytes.Buffer
			d := &b64Decoder{w: &out}
			for i := 0; i < len(enc); i += chunk {
				d.Write([]byte(enc[i:min(i+chunk, len(enc))]))
			}
			d.flush()
			if !bytes.Equal(out.Bytes(), data[:n]) || d.size != int64(n) {
				t.Fatalf("n=%d chunk=%d: mismatch", n, chunk)
			}
		}
	}
}

// refDoc and refParse form an independent oracle built on encoding/xml
// (which buffers whole text tokens and is more lenient in places).
func refParse(data []byte) ([]gotDoc, bool, error) {
	d := xml.NewDecoder(bytes.NewReader(data))
	d.Strict = true
	var stack []xml.Name
	var docs []gotDoc
	saw, presDepth, curDepth := false, 0, 0
	var cur *gotDoc
	var text bytes.Buffer
	for {
		tok, err := d.RawToken()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, false, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			stack = append(stack, t.Name)
			attrs := map[string]string{}
			for _, a := range t.Attr {
				k := a.Name.Local
				if a.Name.Space != "" {
					k = a.Name.Space + ":" + k
				}
				attrs[k] = a.Value
			}
			switch {
			case len(stack) == 2 && attrs["name"] == "presentation":
				presDepth, saw = 2, true
			case len(stack) == 3 && presDepth == 2:
				cur, curDepth = &gotDoc{attrs: attrs, inline: attrs["url"] == "" && attrs["name"] != ""}, 3
				text.Reset()
			}
		case xml.EndElement:
			if len(stack) == 0 || stack[len(stack)-1] != t.Name {
				return nil, false, errors.New("mismatched end tag")
			}
			if cur != nil && len(stack) == curDepth {
				if cur.inline {
					cur.data = refB64(text.String())
				}
				docs = append(docs, *cur)
				cur = nil
			}
			if len(stack) == presDepth {
				presDepth = 0
			}
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if cur != nil {
				text.Write(t)
			}
		}
	}
	return docs, saw, nil
}

// refB64 is commons-codec's lenient decoding done the simple way.
func refB64(s string) []byte {
	var clean []byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '=':
			i = len(s)
			continue
		case c == '-':
			c = '+'
		case c == '_':
			c = '/'
		}
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '+' || c == '/' {
			clean = append(clean, c)
		}
	}
	if len(clean)%4 == 1 {
		clean = clean[:len(clean)-1]
	}
	out, err := base64.RawStdEncoding.DecodeString(string(clean))
	if err != nil {
		panic(err)
	}
	return out
}

func normWS(m map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		out[k] = strings.Map(func(r rune) rune {
			if r == '\t' || r == '\n' || r == '\r' {
				return ' '
			}
			return r
		}, v)
	}
	return out
}

// FuzzParseModules checks the streaming parser never panics, never accepts
// what encoding/xml rejects as malformed in the same way, and agrees with
// the encoding/xml oracle on every document when both accept the input.
func FuzzParseModules(f *testing.F) {
	for _, s := range []string{
		`<modules><module name="presentation"><document url="https://x/a.pdf" filename="a.pdf"/><document name="b.pdf" current="true">JVBERi0xLjQK</document></module></modules>`,
		`<?xml version="1.0" encoding="UTF-8"?><m><module name="presentation"><d name="a"><![CDATA[aGVs]]>&#98;G8=</d></module></m>`,
		"<m><module name=\"presentation\"><d name=\"x.txt\">aGVs\r\nbG8=</d><d url=\"u&amp;v\"/></module><module name=\"other\"/></m>",
		`<m><module name="presentation"><d name="a">aG<i>Vs</i>bG8</d></module></m>`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		got, saw, err := parseAll(bytes.NewReader(data))
		if err != nil {
			if !errors.Is(err, errModules) {
				t.Fatalf("non-parse error %v", err)
			}
			return
		}
		if !utf8Valid(data) || bytes.Contains(data, []byte("xmlns")) {
			return // encoding/xml rejects invalid UTF-8; bbb-web replaces it
		}
		want, wantSaw, rerr := refParse(data)
		if rerr != nil {
			return // the oracle is stricter here; nothing to compare
		}
		if saw != wantSaw || len(got) != len(want) {
			t.Fatalf("saw %v/%v, %d docs vs %d", saw, wantSaw, len(got), len(want))
		}
		for i := range got {
			if !maps.Equal(normWS(got[i].attrs), normWS(want[i].attrs)) || got[i].inline != want[i].inline || !bytes.Equal(got[i].data, want[i].data) {
				t.Fatalf("doc %d:\n got %+v\nwant %+v", i, got[i], want[i])
			}
		}
	})
}

func utf8Valid(b []byte) bool { return strings.ToValidUTF8(string(b), "\uFFFD") == string(b) }

// FuzzQueryChecksum checks the query parser and the checksum removal on
// arbitrary raw queries: no panics, a signature over the sanitized query
// verifies wherever the checksum is placed, any change breaks it, and
// parameters survive a www-form re-encoding.
func FuzzQueryChecksum(f *testing.F) {
	f.Add("name=Test+Meeting&meetingID=abc123&attendeePW=111222&moderatorPW=333444", "639259d4-9dd8-4b25-bf01-95f9567eaf4b", uint8(0))
	f.Add("fullName=John%20Doe&meetingID=abc123&role=MODERATOR", "s", uint8(1))
	f.Add("a=1;b=2&&=x&%zz=1&checksum=abc&c", "s", uint8(2))
	f.Add("", "", uint8(3))
	f.Add("checksum=&checksum=x&x=checksum%3D", "secret", uint8(1))
	f.Fuzz(func(t *testing.T, q, secret string, algN uint8) {
		alg := allAlgorithms[int(algN)%len(allAlgorithms)]
		p := newChecksumPolicy(secret, allAlgorithms, false)
		clean := sanitize(q)
		sum := hexSum(alg, "create"+clean+secret)
		if strings.Contains(clean, sum) {
			return
		}
		for _, placed := range []string{clean + "&checksum=" + sum, "checksum=" + sum + "&" + clean, q + "&checksum=" + strings.ToUpper(sum)} {
			if !p.verify("create", placed, sum) && !p.verify("create", placed, strings.ToUpper(sum)) {
				t.Fatalf("signature over %q does not verify in %q", clean, placed)
			}
		}
		if p.verify("create", clean+"x&checksum="+sum, sum) {
			t.Fatal("modified query verified")
		}
		if p.verify("join", clean+"&checksum="+sum, sum) {
			t.Fatal("checksum for another call verified")
		}
		_ = stripChecksum(q, secret)
		for _, kv := range parseQuery(q) {
			if kv.Key == "" || strings.IndexFunc(kv.Key+kv.Value, isCntrl) >= 0 {
				t.Fatalf("unsanitized %q", kv)
			}
			re := parseQuery(wwwFormEncode(kv.Key) + "=" + wwwFormEncode(kv.Value))
			if len(re) != 1 || re[0] != kv {
				t.Fatalf("round trip %q -> %q", kv, re)
			}
		}
		_ = canonicalQuery(parseQuery(q))
		_ = uriQuote(q)
	})
}

// FuzzModuleDocument builds well-formed module XML around arbitrary names,
// URLs and texts: the streaming parser must accept it and return exactly
// the attribute values and the leniently decoded bytes (checked against the
// encoding/xml oracle too).
func FuzzModuleDocument(f *testing.F) {
	f.Add("slides.pdf", "", "JVBERi0xLjQK", false)
	f.Add("a b&c<d>.pdf", "", "aGVs\r\nbG8=", true)
	f.Add("", "https://x/a.pdf?a=1&b=\"2\"", "ignored", false)
	f.Add("ü\t\n.txt", "", "]]>aGk=", true)
	f.Fuzz(func(t *testing.T, name, rawURL, text string, cdata bool) {
		for _, s := range []string{name, rawURL, text} {
			if !utf8Valid([]byte(s)) || strings.IndexFunc(s, func(r rune) bool { return !isXMLChar(r) }) >= 0 {
				return
			}
		}
		attrEsc := strings.NewReplacer("&", "&amp;", "<", "&lt;", `"`, "&quot;", "\t", "&#9;", "\n", "&#10;", "\r", "&#13;")
		body := text
		if cdata && !strings.Contains(text, "]]>") {
			body = "<![CDATA[" + text + "]]>"
		} else {
			body = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "\r", "&#13;").Replace(text)
		}
		doc := `<?xml version="1.0"?>` + "\n<modules><module name=\"presentation\"><document name=\"" + attrEsc.Replace(name) +
			`" url="` + attrEsc.Replace(rawURL) + `">` + body + "</document></module></modules>\n"
		for _, r := range []io.Reader{strings.NewReader(doc), iotest.HalfReader(strings.NewReader(doc))} {
			got, saw, err := parseAll(r)
			if err != nil {
				t.Fatalf("rejected well-formed input %q: %v", doc, err)
			}
			if !saw || len(got) != 1 || got[0].attrs["name"] != name || got[0].attrs["url"] != rawURL {
				t.Fatalf("got %+v for %q", got, doc)
			}
			inline := rawURL == "" && name != ""
			if got[0].inline != inline || (inline && !bytes.Equal(got[0].data, refB64(text))) {
				t.Fatalf("inline=%v data=%q, want %q", got[0].inline, got[0].data, refB64(text))
			}
		}
		want, _, err := refParse([]byte(doc))
		if err != nil {
			t.Fatalf("oracle rejected %q: %v", doc, err)
		}
		if len(want) != 1 || want[0].attrs["name"] != name || want[0].attrs["url"] != rawURL {
			t.Fatalf("oracle disagrees: %+v", want)
		}
	})
}
