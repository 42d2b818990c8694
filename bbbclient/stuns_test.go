package bbbclient

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"
)

func TestDecodeStuns(t *testing.T) {
	now := time.Unix(1735600000, 0)
	tests := []struct {
		name    string
		status  int
		body    string
		stun    []string
		turn    []string
		expires time.Time
		check   func(*testing.T, *ICEConfig)
		apiErr  string // expected APIError message
		bad     string // expected malformed reason
	}{
		{name: "§7.3 success", status: 200, body: fixtureStunsOK, stun: []string{"stun:turn.example.org"},
			turn: []string{"turns:bbb1.example.org:443?transport=tcp"}, expires: time.Unix(1735689600, 0)},
		{name: "§7.1 failure", status: 200, body: fixtureStunsFailed, apiErr: "Could not find conference."},
		{name: "no stun (bbb-install ≥2.6)", status: 200, body: `{"stunServers":[],"turnServers":[{"username":"1735689600:w_x","password":"p","url":"turn:t.example.org:3478","ttl":86400},{"username":"1735680000:w_x","password":"q","url":"turns:t.example.org:443?transport=tcp","ttl":86400}],"remoteIceCandidates":[]}`,
			turn: []string{"turn:t.example.org:3478", "turns:t.example.org:443?transport=tcp"}, expires: time.Unix(1735680000, 0)},
		{name: "urls array and credential", status: 200, body: `{"turnServers":[{"urls":["turn:a:3478","turn:a:3478?transport=tcp"],"username":"1735689600","credential":"c"}]}`,
			turn: []string{"turn:a:3478", "turn:a:3478?transport=tcp"}, expires: time.Unix(1735689600, 0),
			check: func(t *testing.T, c *ICEConfig) {
				if c.TURNServers[0].Credential != "c" {
					t.Errorf("credential %q", c.TURNServers[0].Credential)
				}
			}},
		{name: "ttl as string, username without prefix", status: 200, body: `{"turnServers":[{"url":"turn:a","username":"plainuser","password":"p","ttl":"3600"}]}`,
			turn: []string{"turn:a"}, expires: now.Add(time.Hour)},
		{name: "very old ms username", status: 200, body: `{"turnServers":[{"url":"turn:a","username":"1735600000000:w_x","password":"p","ttl":600}]}`,
			turn: []string{"turn:a"}, expires: time.Unix(1735600600, 0)},
		{name: "no expiry info", status: 200, body: `{"turnServers":[{"url":"turn:a","username":"u","password":"p"}]}`,
			turn: []string{"turn:a"}, expires: time.Time{}},
		{name: "response wrapper", status: 200, body: `{"response":` + fixtureStunsOK + `}`, stun: []string{"stun:turn.example.org"},
			turn: []string{"turns:bbb1.example.org:443?transport=tcp"}, expires: time.Unix(1735689600, 0)},
		{name: "empty url skipped", status: 200, body: `{"stunServers":[{"url":""},{"url":" stun:s "}]}`, stun: []string{"stun:s"}},
		{name: "failure without returncode", status: 200, body: `{"message":"Session not found"}`, apiErr: "Session not found"},
		{name: "xml error envelope", status: 200, body: fixtureF5Checksum, apiErr: "Checksums do not match"},
		{name: "html", status: 200, body: "<html><body>login</body></html>", bad: reasonNotJSON},
		{name: "empty", status: 401, body: "", bad: reasonEmpty},
		{name: "truncated", status: 200, body: fixtureStunsOK[:60], bad: reasonNotJSON},
		{name: "wrong types", status: 200, body: `{"turnServers":"x"}`, bad: reasonNotJSON},
		{name: "404 json", status: 404, body: `{}`, bad: reasonNotBBB},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := decodeStuns(tt.status, "application/json", []byte(tt.body), now)
			switch {
			case tt.apiErr != "":
				var ae *APIError
				if !errors.As(err, &ae) || ae.Message != tt.apiErr || ae.Call != "stuns" {
					t.Fatalf("err = %v", err)
				}
				return
			case tt.bad != "":
				var me *MalformedResponseError
				if !errors.As(err, &me) || me.Reason != tt.bad {
					t.Fatalf("err = %T %v", err, err)
				}
				return
			case err != nil:
				t.Fatal(err)
			}
			if got := urlsOf(cfg.STUNServers); got != strings.Join(tt.stun, ",") {
				t.Errorf("stun = %s", got)
			}
			if got := urlsOf(cfg.TURNServers); got != strings.Join(tt.turn, ",") {
				t.Errorf("turn = %s", got)
			}
			if !cfg.Expires.Equal(tt.expires) {
				t.Errorf("Expires = %v, want %v", cfg.Expires, tt.expires)
			}
			if tt.check != nil {
				tt.check(t, cfg)
			}
		})
	}
}

func urlsOf(ss []ICEServer) string {
	var out []string
	for _, s := range ss {
		out = append(out, s.URLs...)
	}
	return strings.Join(out, ",")
}

func TestICEServerRedaction(t *testing.T) {
	cfg, err := decodeStuns(200, "", []byte(fixtureStunsOK), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	s := cfg.TURNServers[0]
	for _, f := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d"} {
		fmt.Fprintf(&b, f+"\n", s)
		fmt.Fprintf(&b, f+"\n", &s)
		fmt.Fprintf(&b, f+"\n", cfg)
	}
	slog.New(slog.NewJSONHandler(&b, nil)).Info("ice", "cfg", cfg, "server", s)
	slog.New(slog.NewTextHandler(&b, nil)).Info("ice", "cfg", cfg, "server", s)
	j, _ := json.Marshal(cfg)
	b.Write(j)
	assertClean(t, "printed ICE config", b.String(), "BTWmnSIkRUhg0SFTNkdqab8Sg3Q=")
	if !strings.Contains(string(j), "turns:bbb1.example.org:443") {
		t.Errorf("JSON lost the URL: %s", j)
	}
}
