package bbbclient

import (
	"context"
	"fmt"
	"log/slog"
)

// MeetingInfo is a getMeetingInfo answer or one getMeetings entry.
type MeetingInfo struct {
	MeetingName           string
	MeetingID             string
	InternalMeetingID     string
	CreateTime            int64 // ms
	CreateDate            string
	VoiceBridge           string
	DialNumber            string
	AttendeePW            string // deprecated credential; never shown by String
	ModeratorPW           string // deprecated credential; never shown by String
	Running               bool
	Duration              int
	HasUserJoined         bool
	Recording             bool
	HasBeenForciblyEnded  bool
	StartTime             int64 // ms
	EndTime               int64 // ms, 0 while running
	ParticipantCount      int
	ListenerCount         int
	VoiceParticipantCount int
	VideoCount            int
	MaxUsers              int
	ModeratorCount        int
	Attendees             []Attendee
	// Metadata holds the meta_* values; BBB lowercases the keys.
	Metadata map[string]string

	IsBreakout bool
	// BreakoutRooms are the internal IDs of this meeting's breakouts.
	BreakoutRooms []string
	// For a breakout: its parent, sequence number and freeJoin flag.
	ParentMeetingID string
	Sequence        int
	FreeJoin        bool
}

// String omits the passwords.
func (m MeetingInfo) String() string {
	return fmt.Sprintf("MeetingInfo{MeetingID:%q InternalMeetingID:%q Running:%t ParticipantCount:%d CreateTime:%d}",
		m.MeetingID, m.InternalMeetingID, m.Running, m.ParticipantCount, m.CreateTime)
}

// Format makes every fmt verb use String.
func (m MeetingInfo) Format(f fmt.State, verb rune) { fmt.Fprint(f, m.String()) }

// LogValue implements slog.LogValuer without the passwords.
func (m MeetingInfo) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("meeting_id", m.MeetingID),
		slog.String("internal_meeting_id", m.InternalMeetingID),
		slog.Bool("running", m.Running),
		slog.Int("participants", m.ParticipantCount),
	)
}

// Attendee is one user in a meeting.
type Attendee struct {
	UserID          string
	FullName        string
	Role            Role
	IsPresenter     bool
	IsListeningOnly bool
	HasJoinedVoice  bool
	HasVideo        bool
	ClientType      string
	CustomData      map[string]string
}

type xmlMeeting struct {
	MeetingName           string `xml:"meetingName"`
	MeetingID             string `xml:"meetingID"`
	InternalMeetingID     string `xml:"internalMeetingID"`
	CreateTime            string `xml:"createTime"`
	CreateDate            string `xml:"createDate"`
	VoiceBridge           string `xml:"voiceBridge"`
	DialNumber            string `xml:"dialNumber"`
	AttendeePW            string `xml:"attendeePW"`
	ModeratorPW           string `xml:"moderatorPW"`
	Running               string `xml:"running"`
	Duration              string `xml:"duration"`
	HasUserJoined         string `xml:"hasUserJoined"`
	Recording             string `xml:"recording"`
	HasBeenForciblyEnded  string `xml:"hasBeenForciblyEnded"`
	StartTime             string `xml:"startTime"`
	EndTime               string `xml:"endTime"`
	ParticipantCount      string `xml:"participantCount"`
	ListenerCount         string `xml:"listenerCount"`
	VoiceParticipantCount string `xml:"voiceParticipantCount"`
	VideoCount            string `xml:"videoCount"`
	MaxUsers              string `xml:"maxUsers"`
	ModeratorCount        string `xml:"moderatorCount"`
	Attendees             []struct {
		UserID          string `xml:"userID"`
		FullName        string `xml:"fullName"`
		Role            string `xml:"role"`
		IsPresenter     string `xml:"isPresenter"`
		IsListeningOnly string `xml:"isListeningOnly"`
		HasJoinedVoice  string `xml:"hasJoinedVoice"`
		HasVideo        string `xml:"hasVideo"`
		ClientType      string `xml:"clientType"`
		CustomData      struct {
			Items []xmlAny `xml:",any"`
		} `xml:"customdata"`
	} `xml:"attendees>attendee"`
	Metadata struct {
		Items []xmlAny `xml:",any"`
	} `xml:"metadata"`
	IsBreakout      string   `xml:"isBreakout"`
	BreakoutRooms   []string `xml:"breakoutRooms>breakout"`
	ParentMeetingID string   `xml:"parentMeetingID"`
	Sequence        string   `xml:"sequence"`
	FreeJoin        string   `xml:"freeJoin"`
	// 2.x templates nest the breakout's own fields in <breakout>.
	Breakout *struct {
		ParentMeetingID string `xml:"parentMeetingID"`
		Sequence        string `xml:"sequence"`
		FreeJoin        string `xml:"freeJoin"`
	} `xml:"breakout"`
}

func (x *xmlMeeting) info() MeetingInfo {
	m := MeetingInfo{
		MeetingName:           xstr(x.MeetingName),
		MeetingID:             xstr(x.MeetingID),
		InternalMeetingID:     xstr(x.InternalMeetingID),
		CreateTime:            xint64(x.CreateTime),
		CreateDate:            xstr(x.CreateDate),
		VoiceBridge:           xstr(x.VoiceBridge),
		DialNumber:            xstr(x.DialNumber),
		AttendeePW:            xstr(x.AttendeePW),
		ModeratorPW:           xstr(x.ModeratorPW),
		Running:               xbool(x.Running),
		Duration:              xint(x.Duration),
		HasUserJoined:         xbool(x.HasUserJoined),
		Recording:             xbool(x.Recording),
		HasBeenForciblyEnded:  xbool(x.HasBeenForciblyEnded),
		StartTime:             xint64(x.StartTime),
		EndTime:               xint64(x.EndTime),
		ParticipantCount:      xint(x.ParticipantCount),
		ListenerCount:         xint(x.ListenerCount),
		VoiceParticipantCount: xint(x.VoiceParticipantCount),
		VideoCount:            xint(x.VideoCount),
		MaxUsers:              xint(x.MaxUsers),
		ModeratorCount:        xint(x.ModeratorCount),
		Metadata:              anyMap(x.Metadata.Items),
		IsBreakout:            xbool(x.IsBreakout),
		ParentMeetingID:       xstr(x.ParentMeetingID),
		Sequence:              xint(x.Sequence),
		FreeJoin:              xbool(x.FreeJoin),
	}
	for _, a := range x.Attendees {
		m.Attendees = append(m.Attendees, Attendee{
			UserID:          xstr(a.UserID),
			FullName:        xstr(a.FullName),
			Role:            Role(xstr(a.Role)),
			IsPresenter:     xbool(a.IsPresenter),
			IsListeningOnly: xbool(a.IsListeningOnly),
			HasJoinedVoice:  xbool(a.HasJoinedVoice),
			HasVideo:        xbool(a.HasVideo),
			ClientType:      xstr(a.ClientType),
			CustomData:      anyMap(a.CustomData.Items),
		})
	}
	for _, b := range x.BreakoutRooms {
		if b = xstr(b); b != "" {
			m.BreakoutRooms = append(m.BreakoutRooms, b)
		}
	}
	if b := x.Breakout; b != nil {
		if m.ParentMeetingID == "" {
			m.ParentMeetingID = xstr(b.ParentMeetingID)
		}
		if m.Sequence == 0 {
			m.Sequence = xint(b.Sequence)
		}
		m.FreeJoin = m.FreeJoin || xbool(b.FreeJoin)
	}
	return m
}

// IsMeetingRunning reports whether someone has actually joined; a created
// but empty meeting, and an unknown ID, both give false.
func (c *Client) IsMeetingRunning(ctx context.Context, meetingID string) (bool, error) {
	if err := validateMeetingID("meetingID", meetingID); err != nil {
		return false, err
	}
	q := &Params{}
	q.Set("meetingID", meetingID)
	var x struct {
		Running string `xml:"running"`
	}
	if err := c.getXML(ctx, "isMeetingRunning", q, &x); err != nil {
		return false, err
	}
	return xbool(x.Running), nil
}

// GetMeetingInfo returns a meeting's state; an unknown meeting is an
// APIError matching ErrNotFound.
func (c *Client) GetMeetingInfo(ctx context.Context, meetingID string) (*MeetingInfo, error) {
	if err := validateMeetingID("meetingID", meetingID); err != nil {
		return nil, err
	}
	q := &Params{}
	q.Set("meetingID", meetingID)
	var x xmlMeeting
	if err := c.getXML(ctx, "getMeetingInfo", q, &x); err != nil {
		return nil, err
	}
	m := x.info()
	return &m, nil
}

type xmlMeetings struct {
	Meetings []xmlMeeting `xml:"meetings>meeting"`
}

func (x *xmlMeetings) list() []MeetingInfo {
	out := make([]MeetingInfo, 0, len(x.Meetings))
	for i := range x.Meetings {
		out = append(out, x.Meetings[i].info())
	}
	return out
}

// GetMeetings lists the meetings visible to this secret (per tenant
// behind Scalelite/b3lb). noMeetings gives an empty slice.
func (c *Client) GetMeetings(ctx context.Context) ([]MeetingInfo, error) {
	var x xmlMeetings
	if err := c.getXML(ctx, "getMeetings", nil, &x); err != nil {
		return nil, err
	}
	return x.list(), nil
}

// End asks the server to end the meeting. It is asynchronous: poll
// IsMeetingRunning. An unknown meeting matches ErrNotFound.
func (c *Client) End(ctx context.Context, meetingID string) error {
	if err := validateMeetingID("meetingID", meetingID); err != nil {
		return err
	}
	q := &Params{}
	q.Set("meetingID", meetingID)
	return c.getXML(ctx, "end", q, nil)
}
