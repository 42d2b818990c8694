package bbbsim

import (
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// Recording is a recording served by getRecordings; tests add them with
// [Server.AddRecording].
type Recording struct {
	RecordID          string // default: InternalMeetingID
	MeetingID         string
	InternalMeetingID string // default: derived from MeetingID and StartTime
	Name              string
	IsBreakout        bool
	Published         bool
	// State is published, unpublished, processing, processed or deleted;
	// default published or unpublished after Published.
	State        string
	StartTime    int64 // ms
	EndTime      int64 // ms
	Participants int
	Metadata     map[string]string
	Playback     []PlaybackFormat
}

// PlaybackFormat is one <playback><format>.
type PlaybackFormat struct {
	Type           string // e.g. "presentation"
	URL            string
	ProcessingTime int64
	Length         int64 // minutes
	Previews       []PreviewImage
}

// PreviewImage is one preview thumbnail.
type PreviewImage struct {
	URL           string
	Alt           string
	Width, Height int
}

func (r *Recording) fill() {
	if r.State == "" {
		r.State = "unpublished"
		if r.Published {
			r.State = "published"
		}
	}
	if r.InternalMeetingID == "" {
		r.InternalMeetingID = internalID(r.MeetingID, r.StartTime)
	}
	if r.RecordID == "" {
		r.RecordID = r.InternalMeetingID
	}
	if r.Name == "" {
		r.Name = r.MeetingID
	}
	if r.Metadata == nil {
		r.Metadata = map[string]string{}
	}
}

// AddRecording adds (or replaces, by RecordID) a recording.
func (s *Server) AddRecording(r Recording) {
	r.fill()
	r.Metadata = maps.Clone(r.Metadata)
	r.Playback = slices.Clone(r.Playback)
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, o := range s.recordings {
		if o.RecordID == r.RecordID {
			s.recordings[i] = &r
			return
		}
	}
	s.recordings = append(s.recordings, &r)
}

// Recordings returns the recordings, including deleted ones.
func (s *Server) Recordings() []Recording {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Recording, 0, len(s.recordings))
	for _, r := range s.recordings {
		c := *r
		c.Metadata = maps.Clone(r.Metadata)
		c.Playback = slices.Clone(r.Playback)
		out = append(out, c)
	}
	return out
}

func matchesPrefix(id string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(id, p) {
			return true
		}
	}
	return false
}

func handleGetRecordings(rc *reqCtx, p params, _ *input) {
	s := rc.s
	meetingIDs, recordIDs := csv(p.get("meetingID")), csv(p.get("recordID"))
	states := csv(p.get("state"))
	if len(states) == 0 {
		states = []string{"published", "unpublished"}
	}
	anyState := slices.Contains(states, "any")
	meta := map[string]string{}
	for _, kv := range metadataOf(p) {
		meta[kv.Key] = kv.Value
	}
	s.mu.Lock()
	var sel []*Recording
	for _, r := range s.recordings {
		switch {
		case len(recordIDs) > 0: // recordID wins over meetingID
			if !matchesPrefix(r.RecordID, recordIDs) {
				continue
			}
		case len(meetingIDs) > 0:
			if !slices.Contains(meetingIDs, r.MeetingID) && !slices.Contains(meetingIDs, r.InternalMeetingID) {
				continue
			}
		}
		if !anyState && !slices.Contains(states, r.State) {
			continue
		}
		ok := true
		for k, v := range meta {
			ok = ok && r.Metadata[k] == v
		}
		if ok {
			sel = append(sel, r)
		}
	}
	sort.SliceStable(sel, func(i, j int) bool { return sel[i].StartTime < sel[j].StartTime })
	total := len(sel)
	offStr, limStr := p.get("offset"), p.get("limit")
	paginated := offStr != "" || limStr != ""
	if paginated {
		off, _ := strconv.Atoi(offStr)
		lim, err := strconv.Atoi(limStr)
		if err != nil || lim < 1 || lim > 100 {
			lim = 100
		}
		off = max(off, 0)
		sel = sel[min(off, len(sel)):]
		sel = sel[:min(lim, len(sel))]
	}
	var x xmlBuilder
	x.open("response")
	x.elem("returncode", "SUCCESS")
	x.open("recordings")
	for _, r := range sel {
		recordingXML(&x, r)
	}
	x.close("recordings")
	if paginated {
		x.intElem("totalElements", int64(total))
	}
	if len(sel) == 0 {
		x.elem("messageKey", keyNoRecordings)
		x.elem("message", msgNoRecordings)
	}
	x.close("response")
	s.mu.Unlock()
	writeXML(rc.w, x.String())
}

// recordingXML is include-recording.ftlx.
func recordingXML(x *xmlBuilder, r *Recording) {
	x.open("recording")
	x.elem("recordID", r.RecordID)
	x.elem("meetingID", r.MeetingID)
	x.elem("internalMeetingID", r.InternalMeetingID)
	x.elem("name", r.Name)
	x.boolElem("isBreakout", r.IsBreakout)
	x.boolElem("published", r.Published)
	x.elem("state", r.State)
	x.intElem("startTime", r.StartTime)
	x.intElem("endTime", r.EndTime)
	x.intElem("participants", int64(r.Participants))
	x.open("metadata")
	for _, k := range slices.Sorted(maps.Keys(r.Metadata)) {
		x.dynElem(k, r.Metadata[k])
	}
	x.close("metadata")
	x.open("playback")
	for _, f := range r.Playback {
		x.open("format")
		x.elem("type", f.Type)
		x.elem("url", f.URL)
		x.intElem("processingTime", f.ProcessingTime)
		x.intElem("length", f.Length)
		if len(f.Previews) > 0 {
			x.open("preview")
			x.open("images")
			for _, im := range f.Previews {
				x.b.WriteString(`<image width="` + strconv.Itoa(im.Width) + `" height="` + strconv.Itoa(im.Height) +
					`" alt="` + xmlEscape(im.Alt) + `">` + xmlEscape(im.URL) + `</image>`)
			}
			x.close("images")
			x.close("preview")
		}
		x.close("format")
	}
	x.close("playback")
	x.close("recording")
}

// recordingsByID resolves recordID (CSV) or answers the error itself.
func recordingsByID(rc *reqCtx, p params) ([]*Recording, bool) {
	ids := csv(p.get("recordID"))
	if len(ids) == 0 {
		writeXML(rc.w, errorXML("missingParamRecordID", "You must specify a recordID."))
		return nil, false
	}
	var out []*Recording
	for _, r := range rc.s.recordings {
		if slices.Contains(ids, r.RecordID) {
			out = append(out, r)
		}
	}
	if len(out) == 0 {
		writeXML(rc.w, errorXML(keyNotFound, "We could not find recordings"))
		return nil, false
	}
	return out, true
}

func handlePublishRecordings(rc *reqCtx, p params, _ *input) {
	pub, ok := p.lookup("publish")
	if !ok || pub == "" {
		writeXML(rc.w, errorXML("missingParamPublish", "You must specify a publish value true or false."))
		return
	}
	rc.s.mu.Lock()
	defer rc.s.mu.Unlock()
	recs, ok := recordingsByID(rc, p)
	if !ok {
		return
	}
	v := javaParseBoolean(pub)
	for _, r := range recs {
		r.Published = v
		if r.State == "published" || r.State == "unpublished" {
			r.State = map[bool]string{true: "published", false: "unpublished"}[v]
		}
	}
	writeXML(rc.w, "<response><returncode>SUCCESS</returncode><published>"+strconv.FormatBool(v)+"</published></response>")
}

func handleDeleteRecordings(rc *reqCtx, p params, _ *input) {
	rc.s.mu.Lock()
	defer rc.s.mu.Unlock()
	recs, ok := recordingsByID(rc, p)
	if !ok {
		return
	}
	for _, r := range recs {
		r.State, r.Published = "deleted", false
	}
	writeXML(rc.w, "<response><returncode>SUCCESS</returncode><deleted>true</deleted></response>")
}

func handleUpdateRecordings(rc *reqCtx, p params, _ *input) {
	rc.s.mu.Lock()
	defer rc.s.mu.Unlock()
	recs, ok := recordingsByID(rc, p)
	if !ok {
		return
	}
	for _, r := range recs {
		for _, kv := range metadataOf(p) {
			if kv.Value == "" {
				delete(r.Metadata, kv.Key)
			} else {
				r.Metadata[kv.Key] = kv.Value
			}
		}
	}
	writeXML(rc.w, "<response><returncode>SUCCESS</returncode><updated>true</updated></response>")
}
