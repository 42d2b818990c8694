package bbbclient

import (
	"context"
	"errors"
	"strings"
)

// RecordingsQuery filters getRecordings. Empty fields are not sent.
type RecordingsQuery struct {
	MeetingIDs []string
	// RecordIDs may use prefix wildcards as BBB allows.
	RecordIDs []string
	// States: processing, processed, published, unpublished, deleted, any.
	// The server default is published+unpublished.
	States []string
	// Meta filters by meta_<key>.
	Meta map[string]string
	// Offset and Limit (1–100) paginate on BBB 2.6+.
	Offset *int
	Limit  *int
}

// Recording is one getRecordings entry.
type Recording struct {
	RecordID          string
	MeetingID         string
	InternalMeetingID string
	Name              string
	IsBreakout        bool
	Published         bool
	State             string
	StartTime         int64 // ms
	EndTime           int64 // ms
	Participants      int
	RawSize           int64
	Size              int64
	Metadata          map[string]string
	Formats           []PlaybackFormat
}

// PlaybackFormat is one playback of a recording.
type PlaybackFormat struct {
	Type           string
	URL            string
	ProcessingTime int64 // ms
	Length         int   // minutes
	Size           int64
	Previews       []PreviewImage
}

// PreviewImage is a thumbnail of a playback.
type PreviewImage struct {
	URL    string
	Alt    string
	Width  int
	Height int
}

// RecordingList is a getRecordings answer.
type RecordingList struct {
	Recordings []Recording
	// TotalElements is the unpaginated count, when the server reports it (2.7+).
	TotalElements int
}

type xmlRecordings struct {
	Recordings []struct {
		RecordID          string `xml:"recordID"`
		MeetingID         string `xml:"meetingID"`
		InternalMeetingID string `xml:"internalMeetingID"`
		Name              string `xml:"name"`
		IsBreakout        string `xml:"isBreakout"`
		Published         string `xml:"published"`
		State             string `xml:"state"`
		StartTime         string `xml:"startTime"`
		EndTime           string `xml:"endTime"`
		Participants      string `xml:"participants"`
		RawSize           string `xml:"rawSize"`
		Size              string `xml:"size"`
		Metadata          struct {
			Items []xmlAny `xml:",any"`
		} `xml:"metadata"`
		Formats []struct {
			Type           string `xml:"type"`
			URL            string `xml:"url"`
			ProcessingTime string `xml:"processingTime"`
			Length         string `xml:"length"`
			Size           string `xml:"size"`
			Images         []struct {
				Alt    string `xml:"alt,attr"`
				Width  string `xml:"width,attr"`
				Height string `xml:"height,attr"`
				URL    string `xml:",chardata"`
			} `xml:"preview>images>image"`
		} `xml:"playback>format"`
	} `xml:"recordings>recording"`
	TotalElements string `xml:"totalElements"`
}

func (x *xmlRecordings) list() *RecordingList {
	out := &RecordingList{TotalElements: xint(x.TotalElements), Recordings: make([]Recording, 0, len(x.Recordings))}
	for _, r := range x.Recordings {
		rec := Recording{
			RecordID:          xstr(r.RecordID),
			MeetingID:         xstr(r.MeetingID),
			InternalMeetingID: xstr(r.InternalMeetingID),
			Name:              xstr(r.Name),
			IsBreakout:        xbool(r.IsBreakout),
			Published:         xbool(r.Published),
			State:             xstr(r.State),
			StartTime:         xint64(r.StartTime),
			EndTime:           xint64(r.EndTime),
			Participants:      xint(r.Participants),
			RawSize:           xint64(r.RawSize),
			Size:              xint64(r.Size),
			Metadata:          anyMap(r.Metadata.Items),
		}
		for _, f := range r.Formats {
			pf := PlaybackFormat{
				Type:           xstr(f.Type),
				URL:            xstr(f.URL),
				ProcessingTime: xint64(f.ProcessingTime),
				Length:         xint(f.Length),
				Size:           xint64(f.Size),
			}
			for _, im := range f.Images {
				pf.Previews = append(pf.Previews, PreviewImage{URL: xstr(im.URL), Alt: xstr(im.Alt), Width: xint(im.Width), Height: xint(im.Height)})
			}
			rec.Formats = append(rec.Formats, pf)
		}
		out.Recordings = append(out.Recordings, rec)
	}
	return out
}

func csv(field string, ids []string) (string, error) {
	for _, id := range ids {
		if id == "" || strings.Contains(id, ",") {
			return "", invalid(field, "IDs must be non-empty and contain no ','")
		}
	}
	return strings.Join(ids, ","), nil
}

// GetRecordings lists recordings. noRecordings gives an empty list.
func (c *Client) GetRecordings(ctx context.Context, rq RecordingsQuery) (*RecordingList, error) {
	q := &Params{}
	for _, f := range []struct {
		name string
		ids  []string
	}{{"meetingID", rq.MeetingIDs}, {"recordID", rq.RecordIDs}, {"state", rq.States}} {
		v, err := csv(f.name, f.ids)
		if err != nil {
			return nil, err
		}
		q.setOpt(f.name, v)
	}
	if err := setMeta(q, rq.Meta); err != nil {
		return nil, err
	}
	if rq.Offset != nil && *rq.Offset < 0 {
		return nil, invalid("offset", "must not be negative")
	}
	if rq.Limit != nil && (*rq.Limit < 1 || *rq.Limit > 100) {
		return nil, invalid("limit", "must be between 1 and 100")
	}
	q.setIntPtr("offset", rq.Offset)
	q.setIntPtr("limit", rq.Limit)
	var x xmlRecordings
	if err := c.getXML(ctx, "getRecordings", q, &x); err != nil {
		// Some servers answer an empty result with FAILED/noRecordings.
		if ae := (*APIError)(nil); errors.As(err, &ae) && ae.MessageKey == "noRecordings" {
			return &RecordingList{Recordings: []Recording{}}, nil
		}
		return nil, err
	}
	return x.list(), nil
}

func recordIDParams(recordIDs []string) (*Params, error) {
	if len(recordIDs) == 0 {
		return nil, invalid("recordID", "at least one is required")
	}
	v, err := csv("recordID", recordIDs)
	if err != nil {
		return nil, err
	}
	q := &Params{}
	q.Set("recordID", v)
	return q, nil
}

// PublishRecordings publishes or unpublishes recordings.
func (c *Client) PublishRecordings(ctx context.Context, recordIDs []string, publish bool) error {
	q, err := recordIDParams(recordIDs)
	if err != nil {
		return err
	}
	q.SetBool("publish", publish)
	return c.getXML(ctx, "publishRecordings", q, nil)
}

// DeleteRecordings deletes recordings.
func (c *Client) DeleteRecordings(ctx context.Context, recordIDs []string) error {
	q, err := recordIDParams(recordIDs)
	if err != nil {
		return err
	}
	return c.getXML(ctx, "deleteRecordings", q, nil)
}

// UpdateRecordings sets meta_* values on recordings; an empty value
// removes the key.
func (c *Client) UpdateRecordings(ctx context.Context, recordIDs []string, meta map[string]string) error {
	q, err := recordIDParams(recordIDs)
	if err != nil {
		return err
	}
	if err := setMeta(q, meta); err != nil {
		return err
	}
	return c.getXML(ctx, "updateRecordings", q, nil)
}
