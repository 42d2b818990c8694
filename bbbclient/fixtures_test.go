package bbbclient

// XML and JSON fixtures from docs/bbb-api.md §5.4, §7, §8.1 and §12 (F1–F6),
// plus a few shapes built from the templates the spec cites.

// docSecret is the official docs' example secret (bbb-api.md §2.6).
const docSecret = "639259d4-9dd8-4b25-bf01-95f9567eaf4b"

const (
	fixtureF1Create = `<response>
    <returncode>SUCCESS</returncode> <meetingID>random-1665177</meetingID>
    <attendeePW>tK6J5cJv3hMLNx5IBePa</attendeePW> <moderatorPW>34Heu0uiZYqCZXX9C4m2</moderatorPW>
    <createTime>1453283819419</createTime> <voiceBridge>76286</voiceBridge> <dialNumber>613-555-1234</dialNumber>
    <createDate>Wed Jan 20 04:56:59 EST 2016</createDate> <hasUserJoined>false</hasUserJoined> <duration>20</duration>
    <hasBeenForciblyEnded>false</hasBeenForciblyEnded> <messageKey></messageKey> <message></message>
</response>`

	fixtureF2Duplicate = `<response>
  <returncode>SUCCESS</returncode> <meetingID>Test</meetingID>
  <internalMeetingID>640ab2bae07bedc4c163f679a746f7ab7fb5d1fa-1531155809613</internalMeetingID>
  <parentMeetingID>bbb-none</parentMeetingID> <attendeePW>ap</attendeePW> <moderatorPW>mp</moderatorPW>
  <createTime>1531155809613</createTime> <voiceBridge>70757</voiceBridge> <dialNumber>613-555-1234</dialNumber>
  <createDate>Mon Jul 09 17:03:29 UTC 2018</createDate> <hasUserJoined>false</hasUserJoined> <duration>0</duration>
  <hasBeenForciblyEnded>false</hasBeenForciblyEnded> <messageKey>duplicateWarning</messageKey>
  <message>This conference was already in existence and may currently be in progress.</message>
</response>`

	fixtureF3Join = `<response>
    <returncode>SUCCESS</returncode> <messageKey>successfullyJoined</messageKey> <message>You have joined successfully.</message>
    <meeting_id>fa51ae0c65adef7fe3cf115421da8a6a25855a20-1464618262714</meeting_id> <user_id>ao6ehbtvbmhz</user_id>
    <auth_token>huzbpgthac7s</auth_token> <session_token>rbe7bbkjzx5mnoda</session_token>
</response>`

	fixtureJoinDocs = `<response>
  <returncode>SUCCESS</returncode> <messageKey>successfullyJoined</messageKey> <message>You have joined successfully.</message>
  <meeting_id>640ab2bae07bedc4c163f679a746f7ab7fb5d1fa-1531155809613</meeting_id> <user_id>w_euxnssffnsbs</user_id>
  <auth_token>14mm5y3eurjw</auth_token> <session_token>ai1wqj8wb6s7rnk0</session_token>
  <url>https://yourserver.com/client/BigBlueButton.html?sessionToken=ai1wqj8wb6s7rnk0</url>
</response>`

	// 2.4+/3.x element order with guestStatus (join-meeting.ftlx).
	fixtureJoin30 = `<response><returncode>SUCCESS</returncode><messageKey>successfullyJoined</messageKey><message>You have joined successfully.</message><meeting_id>640ab2bae07bedc4c163f679a746f7ab7fb5d1fa-1531155809613</meeting_id><user_id>w_abcdefghijkl</user_id><auth_token>authtok12345</auth_token><session_token>0123456789abcdef</session_token><guestStatus>ALLOW</guestStatus><url>https://bbb.example.org/html5client?sessionToken=0123456789abcdef</url></response>`

	fixtureJoinGuestWait = `<response><returncode>SUCCESS</returncode><messageKey>guestWait</messageKey><message>Guest waiting for approval to join meeting.</message><meeting_id>640ab2bae07bedc4c163f679a746f7ab7fb5d1fa-1531155809613</meeting_id><user_id>w_guestguestgu</user_id><auth_token>guestauthtok</auth_token><session_token>guestsession0001</session_token><guestStatus>WAIT</guestStatus><url>https://bbb.example.org/bigbluebutton/api/guestWait?sessionToken=guestsession0001</url></response>`

	fixtureJoinGuestDenied = `<response><returncode>FAILED</returncode><messageKey>guestDeniedAccess</messageKey><message>You have been denied access to this meeting based on the meeting's guest policy</message></response>`

	fixtureF4MeetingInfo = `<response>
  <returncode>SUCCESS</returncode> <meetingName>Anton G's Room</meetingName>
  <meetingID>gbesu6dht08uobpislzqxsizjzihn87cmewqyacs</meetingID>
  <internalMeetingID>a0715c95000a2bcb90604ecc7097dbc94592c690-1715261728123</internalMeetingID>
  <createTime>1715261728123</createTime> <createDate>Thu May 09 13:35:28 UTC 2024</createDate>
  <voiceBridge>66052</voiceBridge> <dialNumber>613-555-1234</dialNumber>
  <attendeePW>1umEM3ic</attendeePW> <moderatorPW>V91JirCa</moderatorPW>
  <running>true</running> <duration>0</duration> <hasUserJoined>true</hasUserJoined> <recording>true</recording>
  <hasBeenForciblyEnded>false</hasBeenForciblyEnded> <startTime>1715261728142</startTime> <endTime>0</endTime>
  <participantCount>1</participantCount> <listenerCount>0</listenerCount> <voiceParticipantCount>1</voiceParticipantCount>
  <videoCount>1</videoCount> <maxUsers>0</maxUsers> <moderatorCount>1</moderatorCount>
  <attendees>
    <attendee>
      <userID>w_ftcrsyuh44oj</userID> <fullName>Anton G</fullName> <role>MODERATOR</role> <isPresenter>true</isPresenter>
      <isListeningOnly>false</isListeningOnly> <hasJoinedVoice>true</hasJoinedVoice> <hasVideo>true</hasVideo>
      <clientType>HTML5</clientType> <customdata></customdata>
    </attendee>
  </attendees>
  <metadata>
    <bbb-origin-version>summit2024-6d8120x</bbb-origin-version>
    <bbb-origin-server-name>test30.bigbluebutton.org</bbb-origin-server-name>
    <bbb-recording-ready-url>https://test30.bigbluebutton.org/recording_ready</bbb-recording-ready-url>
    <bbb-origin>greenlight</bbb-origin>
    <endcallbackurl>https://test30.bigbluebutton.org/meeting_ended</endcallbackurl>
  </metadata>
  <isBreakout>false</isBreakout>
</response>`

	// A parent with breakouts and a 2.x-style breakout (get-meeting-info.ftlx).
	fixtureMeetingInfoParent = "<response>\r\n<returncode>SUCCESS</returncode>\r\n<meetingName>7b</meetingName>\r\n<meetingID>klasse-7b</meetingID>\r\n<createTime>1715261728123</createTime>\r\n<running>true</running>\r\n<attendees>\r\n<attendee><userID>s1</userID><fullName>Kim</fullName><role>VIEWER</role><isPresenter>false</isPresenter><customdata><bbb_color>blue</bbb_color></customdata></attendee>\r\n</attendees>\r\n<metadata/>\r\n<isBreakout>false</isBreakout>\r\n<breakoutRooms>\r\n<breakout>1111111111111111111111111111111111111111-1715261800000</breakout>\r\n<breakout>2222222222222222222222222222222222222222-1715261800000</breakout>\r\n</breakoutRooms>\r\n</response>\r\n"

	fixtureMeetingInfoBreakout = `<response><returncode>SUCCESS</returncode><meetingName>7b (Room 1)</meetingName><meetingID>1111111111111111111111111111111111111111-1715261800000</meetingID><createTime>1715261800000</createTime><running>false</running><isBreakout>true</isBreakout><breakout><parentMeetingID>a0715c95000a2bcb90604ecc7097dbc94592c690-1715261728123</parentMeetingID><sequence>1</sequence><freeJoin>true</freeJoin></breakout></response>`

	fixtureF5Checksum    = `<response><returncode>FAILED</returncode><messageKey>checksumError</messageKey><message>Checksums do not match</message></response>`
	fixtureF5IDNotUnique = `<response><returncode>FAILED</returncode><messageKey>idNotUnique</messageKey><message>A meeting already exists with that meeting ID.  Please use a different meeting ID.</message></response>`
	fixtureF6Running     = `<response><returncode>SUCCESS</returncode><running>true</running></response>`
	fixtureF6End         = `<response><returncode>SUCCESS</returncode><messageKey>sentEndMeetingRequest</messageKey><message>A request to end the meeting was sent.  Please wait a few seconds, and then use the getMeetingInfo or isMeetingRunning API calls to verify that it was ended.</message></response>`

	fixtureNotFound      = `<response><returncode>FAILED</returncode><messageKey>notFound</messageKey><message>We could not find a meeting with that meeting ID - perhaps the meeting is not yet running?</message></response>`
	fixtureLegacyErrors  = `<response><returncode>FAILED</returncode><errors><error><key>missingParamMeetingID</key><message>You must specify a meeting ID for the meeting.</message></error><error><key>checksumError</key><message>You did not pass the checksum security check</message></error></errors></response>`
	fixtureB3lbNoNode    = `<response><returncode>FAILED</returncode><message>No Node available.</message></response>`
	fixtureNoMeetings    = `<response><returncode>SUCCESS</returncode><meetings/><messageKey>noMeetings</messageKey><message>no meetings were found on this server</message></response>`
	fixtureNoRecordings  = `<response><returncode>SUCCESS</returncode><recordings></recordings><messageKey>noRecordings</messageKey><message>There are no recordings for the meeting(s).</message></response>`
	fixtureInsertDoc     = `<response><returncode>SUCCESS</returncode><messageKey></messageKey><message>Presentation is being uploaded</message></response>`
	fixtureInsertUnknown = `<response><returncode>FAILED</returncode><messageKey>notFound</messageKey><message>Meeting with id [abc123] not found.</message></response>`

	fixtureGetMeetings = `<response><returncode>SUCCESS</returncode><meetings><meeting><meetingName>7b</meetingName><meetingID>klasse-7b</meetingID><internalMeetingID>aaaa-1</internalMeetingID><createTime>1</createTime><running>true</running><participantCount>3</participantCount><metadata><bbb-origin>tafel</bbb-origin></metadata></meeting><meeting><meetingName>8a</meetingName><meetingID>klasse-8a</meetingID><running>false</running></meeting></meetings></response>`

	fixtureRecordings = `<response>
  <returncode>SUCCESS</returncode>
  <recordings>
    <recording>
      <recordID>ffbfc4cc24428694e8b53a4e144f414052431693-1530718721124</recordID>
      <meetingID>c637ba21adcd0191f48f5c4bf23fab0f96ed5c18</meetingID>
      <internalMeetingID>ffbfc4cc24428694e8b53a4e144f414052431693-1530718721124</internalMeetingID>
      <name>Fred's Room</name> <isBreakout>false</isBreakout> <published>true</published> <state>published</state>
      <startTime>1530718721134</startTime> <endTime>1530718810456</endTime> <participants>3</participants>
      <rawSize>951067</rawSize>
      <metadata><isBreakout>false</isBreakout><meetingName>Fred's Room</meetingName><gl-listed>false</gl-listed><meetingId>c637ba21adcd0191f48f5c4bf23fab0f96ed5c18</meetingId></metadata>
      <breakout><parentId>unknown</parentId><sequence>0</sequence><freeJoin>false</freeJoin></breakout>
      <size>1104836</size>
      <playback>
        <format>
          <type>presentation</type>
          <url>https://demo.bigbluebutton.org/playback/presentation/2.0/playback.html?meetingId=ffbfc4cc24428694e8b53a4e144f414052431693-1530718721124</url>
          <processingTime>7177</processingTime> <length>0</length> <size>1104836</size>
          <preview><images>
            <image alt="Welcome to" height="136" width="176">https://demo.bigbluebutton.org/presentation/ffbf/presentation/d2d9/thumbnails/thumb-1.png</image>
            <image alt="(this slide left blank for use as a whiteboard)" height="136" width="176">https://demo.bigbluebutton.org/presentation/ffbf/thumbnails/thumb-2.png</image>
          </images></preview>
        </format>
        <format><type>video</type><url>https://demo.bigbluebutton.org/playback/video/ffbf/</url><processingTime>0</processingTime><length>2</length></format>
      </playback>
      <data/>
    </recording>
  </recordings>
  <totalElements>1</totalElements>
</response>`

	fixtureVersion30 = `<response>
  <returncode>SUCCESS</returncode> <version>2.0</version> <apiVersion>2.0</apiVersion>
  <bbbVersion></bbbVersion>
  <apiUrl>https://bbb1.example.org/bigbluebutton/api</apiUrl>
  <graphqlWebsocketUrl>wss://bbb1.example.org/graphql</graphqlWebsocketUrl> <graphqlApiUrl>https://bbb1.example.org/api/rest</graphqlApiUrl>
</response>`
	fixtureVersion2x        = `<response><returncode>SUCCESS</returncode><version>2.0</version><apiVersion>2.0</apiVersion><bbbVersion>2.7.12</bbbVersion></response>`
	fixtureVersionPHP       = `<response><returncode>SUCCESS</returncode><version>2.0</version></response>`
	fixtureVersionScalelite = `<?xml version="1.0" encoding="UTF-8"?>
<response>
  <returncode>SUCCESS</returncode>
  <version>2.0</version>
  <build>v1.6.2</build>
</response>`
	fixtureVersionB3lb = "<response>\r\n<returncode>SUCCESS</returncode>\r\n<version>2.0</version>\r\n<apiVersion>2.0</apiVersion>\r\n<bbbVersion/>\r\n</response>\r\n"

	fixtureStunsOK = `{ "stunServers": [ { "url": "stun:turn.example.org" } ],
  "turnServers": [ { "username": "1735689600:w_testuser01", "password": "BTWmnSIkRUhg0SFTNkdqab8Sg3Q=",
                     "url": "turns:bbb1.example.org:443?transport=tcp", "ttl": 86400 } ],
  "remoteIceCandidates": [ { "ip": "203.0.113.10" } ] }`
	fixtureStunsFailed = `{"returncode":"FAILED","message":"Could not find conference.","logoutURL":"https://bbb.example.org/"}`
)
