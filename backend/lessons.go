package backend

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/tafel-schule/tafel/bbbclient"
	"github.com/tafel-schule/tafel/config"
	"github.com/tafel-schule/tafel/rooms"
	"github.com/tafel-schule/tafel/slides"
	"github.com/tafel-schule/tafel/translations"
)

// Time limits of the network work (big slide uploads take a while).
const (
	startTimeout  = 5 * time.Minute
	slidesTimeout = 10 * time.Minute
	linksTimeout  = time.Minute
)

// Lessons runs the teacher's loop against the pool (app.Lessons).
type Lessons struct{ b *Backend }

// Start creates or joins the room's meeting with its slides, remembers
// which slides the meeting has, and opens it in the browser as moderator.
// progress (may be nil) gets slide upload bytes, from any goroutine. The
// signed link is never returned nor put into an error.
func (l *Lessons) Start(ctx context.Context, name string, progress func(sent, total int64)) (LessonStarted, error) {
	b := l.b
	u, err := b.loadUser()
	if err != nil {
		return LessonStarted{}, err
	}
	room, err := b.room(name)
	if err != nil {
		return LessonStarted{}, err
	}
	pool, pc, err := b.openPool(ctx, u, room.Pool)
	if err != nil {
		return LessonStarted{}, err
	}
	skip := rooms.EchoTestPassed(b.opts.History, b.opts.Now())
	ctx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()
	res, err := rooms.StartLesson(ctx, pool, &room, rooms.StartOptions{
		Policy:       b.policy(),
		TeacherName:  TeacherName(u),
		SkipEchoTest: skip,
		Prepare:      PrepareSlide,
		Upload:       bbbclient.UploadOptions{Progress: progress},
	})
	if err != nil {
		var re *rooms.Error
		if errors.As(err, &re) {
			return LessonStarted{}, err
		}
		return LessonStarted{}, poolErr(pc.Name, err)
	}
	tr := b.tr()
	out := LessonStarted{Room: room.Name, AlreadyRunning: res.Meeting.Existed, EchoTestSkipped: skip, SlidesSent: res.SlidesSent}
	// Remember which slides this meeting instance has (only Live changes).
	live := room.Live
	if _, err := b.store.Update(room.Name, func(r *rooms.Room) error { mergeLive(r, live); return nil }); err != nil {
		out.Warnings = append(out.Warnings, b.explain(tr, err))
	}
	for _, is := range res.SlideIssues {
		out.Warnings = append(out.Warnings, SlideIssueMessage(tr, is, pool.Limits()))
	}
	if err := rooms.CheckJoinURL(res.URL, pc.URL); err != nil {
		return out, err
	}
	if err := b.open(u.Browser, res.URL); err != nil {
		var re *rooms.Error
		if !errors.As(err, &re) {
			err = &rooms.Error{Code: rooms.CodeOpenFailed, Err: err}
		}
		return out, err
	}
	return out, nil
}

// open opens u with the configured opener without waiting for a browser
// that stays in the foreground (rooms.OpenWithin).
func (b *Backend) open(browser string, u rooms.JoinURL) error {
	return rooms.OpenWithin(b.opts.Opener(browser), u)
}

// limits are the slide limits of the room's pool; the stock BBB limits
// when the room or pool is unknown (no secret is needed to validate).
func (b *Backend) limits(u *config.User, poolName string) (slides.Limits, config.Pool, error) {
	if u == nil {
		return slides.DefaultLimits(), config.Pool{}, config.ErrNoPool
	}
	pc, err := u.ResolvePool(poolName)
	if err != nil {
		return slides.DefaultLimits(), pc, err
	}
	in, file, pages := pc.Limits()
	return slides.Limits{MaxFileSize: file, MaxPages: pages, MaxInlineBody: in}, pc, nil
}

// CheckSlides validates files against the room's pool limits without
// attaching them.
func (l *Lessons) CheckSlides(ctx context.Context, name string, paths []string) []SlideCheck {
	b := l.b
	u, _ := b.loadUser()
	poolName := ""
	if room, err := b.room(name); err == nil {
		poolName = room.Pool
	}
	lim, _, _ := b.limits(u, poolName)
	tr := b.tr()
	out := make([]SlideCheck, 0, len(paths))
	for _, p := range paths {
		c, _ := checkSlide(ctx, tr, p, lim)
		out = append(out, c)
	}
	return out
}

// checkSlide validates one file; info is nil when it was refused.
func checkSlide(ctx context.Context, tr translations.Translator, path string, lim slides.Limits) (SlideCheck, *slides.Info) {
	c := SlideCheck{Path: path, Name: filepath.Base(path)}
	info, err := slides.Validate(ctx, path, lim)
	if err != nil {
		c.Message = slides.Message(tr, err)
		return c, nil
	}
	c.OK, c.Pages, c.Size = true, info.Pages, info.Size
	var notes []string
	for _, n := range info.Notices {
		notes = append(notes, slides.NoticeMessage(tr, n))
	}
	c.Message = strings.Join(notes, " ")
	return c, info
}

// poolInserter lets slides.Plan upload through a rooms.Pool.
type poolInserter struct{ p rooms.Pool }

func (i poolInserter) InsertDocument(ctx context.Context, meetingID string, docs []bbbclient.Document, opts bbbclient.UploadOptions) error {
	return i.p.AddSlides(ctx, meetingID, docs, opts)
}

// AddSlides validates files, attaches the good ones to the room and, when
// its meeting runs, uploads them at once (those the meeting does not have
// yet). Refused files are in Checks with their reason; a pool that cannot
// be reached only means the slides go up with the next start (a warning).
// The error is for the room itself (not found, file not saved).
func (l *Lessons) AddSlides(ctx context.Context, name string, paths []string, progress func(sent, total int64)) (SlidesAdded, error) {
	b := l.b
	u, err := b.loadUser()
	if err != nil {
		return SlidesAdded{}, err
	}
	room, err := b.room(name)
	if err != nil {
		return SlidesAdded{}, err
	}
	lim, pc, perr := b.limits(u, room.Pool)
	ctx, cancel := context.WithTimeout(ctx, slidesTimeout)
	defer cancel()
	tr := b.tr()

	res := SlidesAdded{Checks: []SlideCheck{}, Attached: []string{}, Uploaded: []string{}}
	var infos []*slides.Info
	var attached []rooms.Slide
	for _, p := range paths {
		c, info := checkSlide(ctx, tr, p, lim)
		if info != nil {
			s, err := rooms.SlideFromFile(p, info.UploadName, string(info.Kind), info.Pages)
			if err != nil {
				c.OK, c.Message = false, tr.T("start.slide_missing", map[string]any{"Name": c.Name})
			} else {
				infos = append(infos, info)
				attached = append(attached, s)
			}
		}
		res.Checks = append(res.Checks, c)
	}
	if len(attached) == 0 {
		return res, nil
	}

	// Upload now if the lesson runs; a missing pool or keyring only means
	// "later, with the next start".
	var live *rooms.Live
	if perr == nil {
		live, res = b.uploadIfRunning(ctx, tr, pc, room, infos, attached, lim, progress, res)
	}
	if _, err := b.store.Update(room.Name, func(r *rooms.Room) error {
		for _, s := range attached {
			r.AddSlide(s)
		}
		mergeLive(r, live)
		return nil
	}); err != nil {
		return res, err // Uploaded stays true: those slides are in the meeting
	}
	for _, s := range attached {
		res.Attached = append(res.Attached, s.Name)
	}
	return res, nil
}

// mergeLive records in r (the room as the file has it now) what live says
// the meeting has. live was computed from the room as it was read before
// the network work, so another call (a Start and an AddSlides at once, or
// the CLI) may have recorded uploads in between: for the same meeting
// instance both lists are kept, a newer instance on file wins, and a nil
// live changes nothing. Replacing r.Live would lose those records, and the
// slides would be sent a second time at the next start.
func mergeLive(r *rooms.Room, live *rooms.Live) {
	switch {
	case live == nil:
		return
	case r.Live != nil && r.Live.CreateTime > live.CreateTime:
		return
	case r.Live == nil || r.Live.CreateTime != live.CreateTime:
		r.Live = &rooms.Live{CreateTime: live.CreateTime, Uploaded: slices.Clone(live.Uploaded)}
		return
	}
	for _, k := range live.Uploaded {
		if !slices.Contains(r.Live.Uploaded, k) {
			r.Live.Uploaded = append(r.Live.Uploaded, k)
		}
	}
}

// uploadIfRunning sends the slides the running meeting does not have yet
// and returns the room's new Live record (nil: unchanged).
func (b *Backend) uploadIfRunning(ctx context.Context, tr translations.Translator, pc config.Pool, room rooms.Room,
	infos []*slides.Info, attached []rooms.Slide, lim slides.Limits, progress func(sent, total int64), res SlidesAdded) (*rooms.Live, SlidesAdded) {
	later := func(err error) (*rooms.Live, SlidesAdded) {
		res.Warnings = append(res.Warnings, b.explain(tr, err), tr.T("cli.rooms_slides_upload_later"))
		return nil, res
	}
	pool, err := rooms.OpenDirectPool(ctx, pc, b.opts.Secrets, rooms.DirectOptions{HTTPClient: b.opts.HTTPClient})
	if err != nil {
		return later(poolErr(pc.Name, err))
	}
	st, err := pool.Status(ctx, room.MeetingID)
	if err != nil {
		return later(poolErr(pc.Name, err))
	}
	if !st.Exists {
		return nil, res // attached: they go up with the next start
	}
	var todo []*slides.Info
	var todoSlides []rooms.Slide
	for i, s := range attached {
		if !room.Uploaded(st.CreateTime, s) {
			todo = append(todo, infos[i])
			todoSlides = append(todoSlides, s)
		}
	}
	plan, err := slides.Prepare(todo, slides.PrepareOptions{Limits: lim})
	if err != nil {
		res.Warnings = append(res.Warnings, slides.Message(tr, err))
		return nil, res
	}
	for _, ne := range plan.NeedURL {
		res.Warnings = append(res.Warnings, slides.Message(tr, ne))
	}
	if err := plan.InsertAll(ctx, poolInserter{pool}, room.MeetingID, 0, progress); err != nil {
		return later(poolErr(pc.Name, err))
	}
	r := room
	for i, s := range todoSlides {
		if plan.Sends(todo[i].Path) {
			r.MarkUploaded(st.CreateTime, s)
			res.Uploaded = append(res.Uploaded, s.Name)
		}
	}
	return r.Live, res
}
