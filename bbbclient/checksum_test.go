package bbbclient

import (
	"errors"
	"strings"
	"testing"
)

// TestChecksumVectors covers the official vector and every computed one in
// bbb-api.md §2.6.
func TestChecksumVectors(t *testing.T) {
	const createQuery = "name=Test+Meeting&meetingID=abc123&attendeePW=111222&moderatorPW=333444"
	tests := []struct {
		name, call, query, secret string
		alg                       Algorithm
		want                      string
	}{
		{"official sha1", "create", createQuery, docSecret, SHA1, "1fcbb0c4fc1f039f73aa6d697d2db9ba7f803f17"},
		{"create sha256", "create", createQuery, docSecret, SHA256, "da9185f7f333cfdfcd6eeac32dca3777510c4c436020d8b887ba5515bd1d189e"},
		{"create sha384", "create", createQuery, docSecret, SHA384, "891ac633df39d0a1b4f8d597f3e190833216c4b29c4fb51ea3ca72757eeb958d6e7b49a845cf29f5c6019c7d29d029d1"},
		{"create sha512", "create", createQuery, docSecret, SHA512, "de73ad61d11a5c801b68d4bd6ec5248546085cefb0b25c85f3c46249ea93a3a4b120f92c0a8a58d7512cb77821884951a3b01245f3435dbbef49fff3cc3988b4"},
		{"rust crate sha256", "join", "password=pass&fullName=name&meetingId=1", "BBBSECRET", SHA256, "94e467c1b4b13f4452ca5d1deb9b7b74e1063aea55fe078139015a7d6311cfdf"},
		{"rust crate sha1", "join", "password=pass&fullName=name&meetingId=1", "BBBSECRET", SHA1, "262bd918c40627e479dbc1f820a7d25171d050b7"},
		{"plus sha1", "join", "fullName=John+Doe&meetingID=abc123&role=MODERATOR", docSecret, SHA1, "c8de9d4a77cb0715de41c7117f651dd5c4c5a8a9"},
		{"plus sha256", "join", "fullName=John+Doe&meetingID=abc123&role=MODERATOR", docSecret, SHA256, "0010d1d352b098843561cba76bcbf9237173d388a4087b0bc3fa168559556fdb"},
		{"%20 sha1", "join", "fullName=John%20Doe&meetingID=abc123&role=MODERATOR", docSecret, SHA1, "9aa4097bb6c8bea934e6f7146af8f49bc804cad7"},
		{"%20 sha256", "join", "fullName=John%20Doe&meetingID=abc123&role=MODERATOR", docSecret, SHA256, "2b19ae2ab2bee527115ff0e210b76468fbbffef44a368dafd7fdd9398099e479"},
		{"empty query sha1", "getMeetings", "", docSecret, SHA1, "2027baa7771026e9e93392f55031535d1444c41f"},
		{"empty query sha256", "getMeetings", "", docSecret, SHA256, "a5370c5f3d97d56d53b435684cdbc429c2898a3bf9f435518b4279e1e0dbfc8c"},
		{"isMeetingRunning sha1", "isMeetingRunning", "meetingID=abc123", docSecret, SHA1, "8478733ccb8695b8aaaff48b3c1e281a75a6f046"},
		{"isMeetingRunning sha256", "isMeetingRunning", "meetingID=abc123", docSecret, SHA256, "0d7030d1b5af6624c3e8909540eb2747a33d993a4951fb3bde9462025e41dcdb"},
		{"insertDocument sha256", "insertDocument", "meetingID=abc123", docSecret, SHA256, "5550072b9b456c6e0c2bf6b9cb86b154c19f92b62ddad920167b444bc90067f9"},
		{"join createTime sha256", "join", "fullName=Klasse+7b&meetingID=abc123&role=VIEWER&createTime=1531155809613", docSecret, SHA256, "70c8cd6d3eac59b7b2f96afa4a1cff3ecdd529c70474f61325a40418946e873b"},
		{"zero algorithm is sha256", "getMeetings", "", docSecret, "", "a5370c5f3d97d56d53b435684cdbc429c2898a3bf9f435518b4279e1e0dbfc8c"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Checksum(tt.alg, tt.call, tt.query, tt.secret)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("Checksum = %s, want %s", got, tt.want)
			}
			if tt.alg != "" && len(got) != tt.alg.HexLen() {
				t.Errorf("len = %d, want %d", len(got), tt.alg.HexLen())
			}
		})
	}
}

// TestOfficialFinalQuery checks the complete signed query of the docs example.
func TestOfficialFinalQuery(t *testing.T) {
	c, _ := newTestClient(t, "https://bbb.example.org", func(o *Options) { o.Algorithm = SHA1 })
	p := &Params{}
	p.Set("name", "Test Meeting")
	p.Set("meetingID", "abc123")
	p.Set("attendeePW", "111222")
	p.Set("moderatorPW", "333444")
	got, err := c.signedQuery("create", p)
	if err != nil {
		t.Fatal(err)
	}
	const want = "name=Test+Meeting&meetingID=abc123&attendeePW=111222&moderatorPW=333444&checksum=1fcbb0c4fc1f039f73aa6d697d2db9ba7f803f17"
	if got != want {
		t.Fatalf("query = %s\nwant    %s", got, want)
	}
	// The public signer refuses the deprecated passwords.
	if _, err := c.SignedCallURL("create", p); !isValidation(err) {
		t.Fatalf("SignedCallURL with passwords: err = %v, want ValidationError", err)
	}
}

func isValidation(err error) bool {
	var ve *ValidationError
	return errors.As(err, &ve)
}

func TestChecksumUnknownAlgorithm(t *testing.T) {
	if _, err := Checksum("md5", "create", "", "s"); !errors.Is(err, ErrUnknownAlgorithm) {
		t.Fatalf("err = %v, want ErrUnknownAlgorithm", err)
	}
}

func TestParseAlgorithm(t *testing.T) {
	for in, want := range map[string]Algorithm{
		"sha1": SHA1, "SHA-256": SHA256, " sha_384 ": SHA384, "SHA512": SHA512, "sha256": SHA256,
	} {
		got, err := ParseAlgorithm(in)
		if err != nil || got != want {
			t.Errorf("ParseAlgorithm(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "md5", "sha3-256", "sha"} {
		if _, err := ParseAlgorithm(in); !errors.Is(err, ErrUnknownAlgorithm) {
			t.Errorf("ParseAlgorithm(%q) err = %v", in, err)
		}
	}
	if SHA256.String() != "sha256" || !strings.HasPrefix(SHA512.String(), "sha") {
		t.Error("String")
	}
}

func TestParamsEncoding(t *testing.T) {
	p := &Params{}
	p.Set("name", "Klasse 7b")
	p.Set("meetingID", "a&b=c")
	p.SetBool("record", false)
	p.SetInt("duration", 45)
	p.Set("welcome", "Hallo\nWelt\t\x00!") // control characters are stripped
	p.Set("fullName", "Jürgen*~")
	p.Set("name", "Klasse 7c") // replaced in place
	const want = "name=Klasse+7c&meetingID=a%26b%3Dc&record=false&duration=45&welcome=HalloWelt%21&fullName=J%C3%BCrgen%2A~"
	if got := p.Encode(); got != want {
		t.Fatalf("Encode = %s\nwant     %s", got, want)
	}
	if v, ok := p.Get("welcome"); !ok || v != "HalloWelt!" {
		t.Errorf("Get = %q, %v", v, ok)
	}
	p.Del("duration")
	if p.Len() != 5 || strings.Contains(p.Encode(), "duration") {
		t.Errorf("Del: %s", p.Encode())
	}
	var nilP *Params
	if nilP.Encode() != "" || nilP.Len() != 0 {
		t.Error("nil Params")
	}
}
