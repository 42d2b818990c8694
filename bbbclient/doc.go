// Package bbbclient is a client for the BigBlueButton (BBB) HTTP API,
// for BBB 2.4–3.x reached directly or through the Scalelite and b3lb load
// balancers. It uses only the standard library.
//
// # Rules it follows
//
//   - Checksums: hex(HASH(call + query + secret)) over exactly the bytes
//     sent. The query is encoded once (Params, in a fixed order), hashed,
//     and sent verbatim. SHA-256 by default; it works everywhere.
//   - All parameters go in the URL query. POST carries only the slide
//     XML, with Content-Type exactly "application/xml".
//   - Join URLs are signed locally (JoinURL) and opened in the browser:
//     join stores the session in the caller's cookie, so the app must not
//     call join for the user. They always carry role and createTime and
//     never a password; attendeePW/moderatorPW are never sent.
//   - Only parameters that are set are sent, except record and the slide
//     attributes downloadable/removable/current, whose defaults vary.
//   - Secrets, checksums, tokens and signed URLs never reach error texts or
//     logs: SignedURL, Session, ICEServer, CreateResult and MeetingInfo
//     print redacted; errors wrap *url.Error without its URL.
//   - Branch on errors.Is(err, ErrIDNotUnique) etc. (messageKey), never on
//     message texts. Load balancers may answer without XML; that is a
//     *MalformedResponseError, network failures a *TransportError.
//
// # Support per server
//
// Derived from docs/bbb-api.md. ✔ supported, ✗ not supported, ? unconfirmed.
//
//	Call / feature                2.4  2.5  2.6  2.7  3.0  Scalelite        b3lb
//	checksum sha1, sha256         ✔    ✔    ✔    ✔    ✔    ✔                ✔
//	checksum sha384               ✗    ✔    ✔    ✔    ✔    ✗                ✔
//	checksum sha512               ✗    ✔    ✔    ✔    ✔    ✔ (≥1.3.5)       ✔
//	Create (GET)                  ✔    ✔    ✔    ✔    ✔    ✔ routed¹        ✔ own²
//	Create + Documents (POST)     ✔³   ✔    ✔⁴   ✔⁴   ✔    ✔ exact type⁴    ?
//	InsertDocument                ✗    ✔    ✔⁴   ✔⁴   ✔    ✔ (≥1.5.1)       ✔ to node
//	JoinURL (role, createTime)    ✔    ✔    ✔    ✔    ✔    ✔ 302 to node    ✔ 302 to node
//	JoinSession (redirect=false)  ✔    ✔    ✔    ✔    ?⁵   ✔ follows 302    ✔ follows 302
//	Session.ICEServers (stuns)    ✔⁶   ✔⁶   ✔⁶   ✔⁶   ?⁵   node only        node only
//	IsMeetingRunning              ✔    ✔    ✔    ✔    ✔    ✔ to node        ✔ own
//	GetMeetingInfo                ✔    ✔    ✔    ✔    ✔    ✔ to node        ✔ to node
//	GetMeetings                   ✔    ✔    ✔    ✔    ✔    ✔ per tenant⁷    ✔ cached
//	End                           ✔    ✔    ✔    ✔    ✔    ✔ to node        ✔ to node
//	GetRecordings                 ✔    ✔    ✔⁸   ✔⁹   ✔    ✔ own DB⁸?       ✔ own
//	Publish/Delete/Update...      ✔    ✔    ✔    ✔    ✔    ✔                ✔ own
//	Version (API root)            ✔    ✔    ✔    ✔    ✔¹⁰ ✔ version+build  ✔ (CRLF)
//
//	 1 Least-loaded node; meta_server-tag picks a pool; MAX_MEETING_DURATION caps duration.
//	 2 Drops voiceBridge/dialNumber; forces record flags false if recording is off.
//	 3 downloadable/removable attributes are ignored before 2.5.
//	 4 Since 2.6.18/2.7.8 Content-Type must be exactly application/xml (this package's).
//	 5 3.0 regressions #21129/#21697 around redirect=false sessions; untested on 3.x.
//	 6 Needs the join's JSESSIONID (kept in the Session's cookie jar) unless
//	   allowRequestsWithoutSession (2.4.3) is set.
//	 7 Can be disabled (GET_MEETINGS_API_DISABLED); filtered by tenant.
//	 8 offset/limit since 2.6; unconfirmed on Scalelite.
//	 9 totalElements since 2.7.
//	10 3.x adds apiUrl, graphqlWebsocketUrl, graphqlApiUrl; bbbVersion is usually empty.
//
// Create parameters newer than 2.4 (older servers ignore them):
//
//	2.5    meetingCameraCap, meetingExpire*Minutes, disabledFeatures,
//	       preUploadedPresentationOverrideDefault, lockSettingsHideViewersCursor
//	2.6    maxPinnedCameras, notifyRecordingIsOn, presentationUploadExternal*
//	2.6.9  recordFullDurationMedia, disabledFeaturesExclude
//	2.7.2  preUploadedPresentation(Name)
//	2.7.9  allowPromoteGuestToModerator
//	3.0    loginURL, maxNumPages, bannerText/bannerColor, logo/darklogo,
//	       layouts CAMERAS_ONLY, PRESENTATION_ONLY, PARTICIPANTS_AND_CHAT_ONLY, MEDIA_ONLY
//	4.0    lockSettingsPresenterPolicy, UNIFIED_LAYOUT (develop)
//
// Join parameters: errorRedirectUrl since 2.7; logoutURL and bot since 3.0.
//
// # Connectivity test flow
//
// FetchICEServers joins a probe meeting server-side with redirect=false in
// a fresh cookie jar, follows a balancer's redirect to the node, and asks
// that node's stuns endpoint for TURN credentials. End the probe meeting
// afterwards.
package bbbclient
