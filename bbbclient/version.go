package bbbclient

import (
	"context"
	"net/http"
)

// VersionInfo is the API root answer. Never use BBBVersion for feature
// detection: it is empty by default and absent behind load balancers.
type VersionInfo struct {
	Version             string // "2.0" everywhere
	APIVersion          string // BBB and b3lb; not Scalelite
	BBBVersion          string // only with allowRevealOfBBBVersion=true
	Build               string // Scalelite
	APIURL              string // BBB 3.x
	GraphQLWebsocketURL string // BBB 3.x
	GraphQLAPIURL       string // BBB 3.x
}

type xmlVersion struct {
	Version             string `xml:"version"`
	APIVersion          string `xml:"apiVersion"`
	BBBVersion          string `xml:"bbbVersion"`
	Build               string `xml:"build"`
	APIURL              string `xml:"apiUrl"`
	GraphQLWebsocketURL string `xml:"graphqlWebsocketUrl"`
	GraphQLAPIURL       string `xml:"graphqlApiUrl"`
}

func (x *xmlVersion) info() *VersionInfo {
	return &VersionInfo{
		Version:             xstr(x.Version),
		APIVersion:          xstr(x.APIVersion),
		BBBVersion:          xstr(x.BBBVersion),
		Build:               xstr(x.Build),
		APIURL:              xstr(x.APIURL),
		GraphQLWebsocketURL: xstr(x.GraphQLWebsocketURL),
		GraphQLAPIURL:       xstr(x.GraphQLAPIURL),
	}
}

// Version fetches the API root, which needs no checksum: the reachability
// check. It does not prove the secret; a signed call such as GetMeetings does.
func (c *Client) Version(ctx context.Context) (*VersionInfo, error) {
	u := *c.base
	var x xmlVersion
	if err := c.roundTripXML(ctx, request{call: "root", method: http.MethodGet, url: &u}, &x); err != nil {
		return nil, err
	}
	return x.info(), nil
}
