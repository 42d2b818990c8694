package bbbclient

import (
	"testing"
)

func TestVersionForms(t *testing.T) {
	tests := []struct {
		name, body string
		want       VersionInfo
	}{
		{"BBB 3.x", fixtureVersion30, VersionInfo{Version: "2.0", APIVersion: "2.0", APIURL: "https://bbb1.example.org/bigbluebutton/api",
			GraphQLWebsocketURL: "wss://bbb1.example.org/graphql", GraphQLAPIURL: "https://bbb1.example.org/api/rest"}},
		{"older 2.x", fixtureVersion2x, VersionInfo{Version: "2.0", APIVersion: "2.0", BBBVersion: "2.7.12"}},
		{"PHP fixture", fixtureVersionPHP, VersionInfo{Version: "2.0"}},
		{"Scalelite", fixtureVersionScalelite, VersionInfo{Version: "2.0", Build: "v1.6.2"}},
		{"b3lb CRLF", fixtureVersionB3lb, VersionInfo{Version: "2.0", APIVersion: "2.0"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, rec := xmlServer(t, 200, tt.body)
			c, _ := newTestClient(t, srv.URL+"/bigbluebutton/api/")
			v, err := c.Version(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			if *v != tt.want {
				t.Errorf("got %+v", *v)
			}
			got := rec.last(t)
			// The API root needs no checksum.
			if got.Path != "/bigbluebutton/api" || got.RawQuery != "" {
				t.Errorf("requested %s?%s", got.Path, got.RawQuery)
			}
		})
	}
}
