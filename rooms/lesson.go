package rooms

import (
	"context"
	"errors"
	"os"

	"github.com/tafel-schule/tafel/bbbclient"
)

// SlidePreparer turns an attached slide into an upload document, checking
// it again first (the file may have changed since it was attached).
type SlidePreparer func(ctx context.Context, s Slide, lim Limits) (bbbclient.Document, error)

// StartOptions tune StartLesson.
type StartOptions struct {
	Policy      Policy
	TeacherName string
	// TeacherID is an optional stable userID for the teacher.
	TeacherID string
	// SkipEchoTest: Tafel's audio check passed recently (see EchoTestPassed).
	SkipEchoTest bool
	// Prepare validates slides; nil uses FileSlide (exists, same size).
	Prepare SlidePreparer
	// Upload receives slide upload progress.
	Upload bbbclient.UploadOptions
}

// SlideIssue is a slide that did not go up, with a stable code.
type SlideIssue struct {
	Slide string `json:"slide"`
	Code  string `json:"code"`
	Err   error  `json:"-"`
}

// StartResult is what StartLesson did.
type StartResult struct {
	Meeting     Meeting      `json:"meeting"`
	URL         JoinURL      `json:"-"`
	SlidesSent  []string     `json:"slides_sent"`
	SlideIssues []SlideIssue `json:"slide_issues"`
}

// FileSlide is the default SlidePreparer: the file must still exist with
// the size recorded when it was attached.
func FileSlide(_ context.Context, s Slide, _ Limits) (bbbclient.Document, error) {
	fi, err := os.Stat(s.Path)
	if err != nil || !fi.Mode().IsRegular() {
		return bbbclient.Document{}, &Error{Code: CodeSlideMissing, Detail: s.Name, Err: err}
	}
	d, err := bbbclient.FileDocument(s.Path)
	if err != nil {
		return bbbclient.Document{}, &Error{Code: CodeSlideMissing, Detail: s.Name, Err: err}
	}
	if s.Name != "" {
		d.Name = s.Name
	}
	return d, nil
}

// StartLesson makes sure the room's meeting runs with the room's settings
// and slides and returns the teacher's moderator link. It is idempotent: a
// meeting that already exists is reused (its settings cannot change until
// it ends), and only slides it does not have yet are added with
// insertDocument. room.Live is updated; the caller saves the room.
func StartLesson(ctx context.Context, pool Pool, room *Room, opts StartOptions) (StartResult, error) {
	settings, err := room.Settings(opts.Policy)
	if err != nil {
		return StartResult{}, err
	}
	prepare := opts.Prepare
	if prepare == nil {
		prepare = FileSlide
	}
	lim := pool.Limits()
	res := StartResult{SlidesSent: []string{}, SlideIssues: []SlideIssue{}}

	// Which slides does the meeting still need? Knowing the instance first
	// avoids sending slides in a create that BBB would ignore.
	st, err := pool.Status(ctx, room.MeetingID)
	if err != nil {
		return StartResult{}, err
	}
	var have *Live
	if st.Exists && room.Live != nil && room.Live.CreateTime == st.CreateTime {
		have = room.Live
	}
	type pending struct {
		slide Slide
		doc   bbbclient.Document
		size  int64
	}
	var todo []pending
	for _, s := range room.Slides {
		if have != nil && have.has(s.Key()) {
			continue
		}
		d, err := prepare(ctx, s, lim)
		if err != nil {
			res.SlideIssues = append(res.SlideIssues, SlideIssue{Slide: s.Name, Code: codeOf(err, CodeSlideMissing), Err: err})
			continue
		}
		n, err := bbbclient.EncodedSize([]bbbclient.Document{d})
		if err != nil {
			res.SlideIssues = append(res.SlideIssues, SlideIssue{Slide: s.Name, Code: CodeSlideMissing, Err: err})
			continue
		}
		if d.URL == "" && n > lim.InlineBytes {
			// The pool takes only small inline uploads; bigger files need
			// a URL the BBB node can fetch (bbb-api.md §4.2).
			res.SlideIssues = append(res.SlideIssues, SlideIssue{Slide: s.Name, Code: CodeSlideTooLarge})
			continue
		}
		todo = append(todo, pending{slide: s, doc: d, size: n})
	}
	// Batches that each fit the inline limit; the first may ride on create.
	var batches [][]pending
	var cur []pending
	var curSize int64
	for _, p := range todo {
		if len(cur) > 0 && curSize+p.size > lim.InlineBytes {
			batches = append(batches, cur)
			cur, curSize = nil, 0
		}
		cur = append(cur, p)
		curSize += p.size
	}
	if len(cur) > 0 {
		batches = append(batches, cur)
	}
	docsOf := func(b []pending) []bbbclient.Document {
		out := make([]bbbclient.Document, len(b))
		for i, p := range b {
			out[i] = p.doc
			out[i].Current = i == 0 && p.slide.Path == room.firstSlidePath()
		}
		return out
	}

	spec := MeetingSpec{MeetingID: room.MeetingID, Name: room.Name, Settings: settings, Welcome: room.Welcome, Upload: opts.Upload}
	withCreate := !st.Exists && len(batches) > 0
	if withCreate {
		spec.Slides = docsOf(batches[0])
	}
	m, err := pool.EnsureMeeting(ctx, spec)
	if err != nil {
		return StartResult{}, err
	}
	live := &Live{CreateTime: m.CreateTime}
	if have != nil && have.CreateTime == m.CreateTime {
		live.Uploaded = append(live.Uploaded, have.Uploaded...)
	}
	rest := batches
	if withCreate && !m.Existed {
		for _, p := range batches[0] {
			live.Uploaded = append(live.Uploaded, p.slide.Key())
			res.SlidesSent = append(res.SlidesSent, p.slide.Name)
		}
		rest = batches[1:]
	}
	for _, b := range rest {
		if err := pool.AddSlides(ctx, m.MeetingID, docsOf(b), opts.Upload); err != nil {
			for _, p := range b {
				res.SlideIssues = append(res.SlideIssues, SlideIssue{Slide: p.slide.Name, Code: CodeSlideUpload, Err: err})
			}
			continue
		}
		for _, p := range b {
			live.Uploaded = append(live.Uploaded, p.slide.Key())
			res.SlidesSent = append(res.SlidesSent, p.slide.Name)
		}
	}
	room.Live = live
	res.Meeting = m

	u, err := pool.ModeratorJoinURL(ctx, m, Participant{Name: opts.TeacherName, UserID: opts.TeacherID, SkipEchoTest: opts.SkipEchoTest})
	if err != nil {
		return res, err
	}
	res.URL = u
	return res, nil
}

func (r *Room) firstSlidePath() string {
	if len(r.Slides) == 0 {
		return ""
	}
	return r.Slides[0].Path
}

// codeOf returns the stable code of err, or def.
func codeOf(err error, def string) string {
	var re *Error
	if errors.As(err, &re) {
		return re.Code
	}
	return def
}

// Uploaded reports whether the meeting instance createTime already has
// the slide (by content), as far as Tafel knows.
func (r *Room) Uploaded(createTime int64, s Slide) bool {
	return r.Live != nil && r.Live.CreateTime == createTime && r.Live.has(s.Key())
}

// MarkUploaded records that the meeting instance createTime has the slides
// (a different instance replaces the record).
func (r *Room) MarkUploaded(createTime int64, slides ...Slide) {
	if r.Live == nil || r.Live.CreateTime != createTime {
		r.Live = &Live{CreateTime: createTime}
	}
	for _, s := range slides {
		if !r.Live.has(s.Key()) {
			r.Live.Uploaded = append(r.Live.Uploaded, s.Key())
		}
	}
}
