package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/tafel-schule/tafel/bbbclient"
	"github.com/tafel-schule/tafel/rooms"
	"github.com/tafel-schule/tafel/slides"
)

func init() { commands["slides"] = runSlides }

type slidesJSON struct {
	Room     string            `json:"room"`
	Attached []slideJSON       `json:"attached"`
	Rejected []slideRejectJSON `json:"rejected"`
	Uploaded []string          `json:"uploaded"`
	NeedURL  []string          `json:"need_url_upload"`
	Running  bool              `json:"lesson_running"`
}

type slideRejectJSON struct {
	File string `json:"file"`
	Code string `json:"code"`
}

// poolInserter lets slides.Plan upload through a rooms.Pool.
type poolInserter struct{ p rooms.Pool }

func (i poolInserter) InsertDocument(ctx context.Context, meetingID string, docs []bbbclient.Document, opts bbbclient.UploadOptions) error {
	return i.p.AddSlides(ctx, meetingID, docs, opts)
}

// tafel slides ROOM FILE… [--json]: validate, attach, and upload at once
// when the lesson is running (otherwise they go up with the next start).
func runSlides(ctx context.Context, e env) int {
	fs := newFlags(e, "tafel slides", "cli.rooms_slides_usage")
	asJSON := fs.Bool("json", false, "")
	pos, err := parseInterleaved(fs, e.args)
	if err != nil {
		return flagError(e, err, "cli.rooms_slides_usage")
	}
	if len(pos) < 2 {
		return usage(e, "cli.rooms_slides_usage")
	}
	u, store, room, code, ok := openRoom(e, pos[0])
	if !ok {
		return code
	}
	// Limits come from the pool's settings; no secret needed to validate.
	pc, perr := u.ResolvePool(room.Pool)
	lim := slides.DefaultLimits()
	if perr == nil {
		in, file, pages := pc.Limits()
		lim = slides.Limits{MaxFileSize: file, MaxPages: pages, MaxInlineBody: in}
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()

	res := slidesJSON{Room: room.Name, Attached: []slideJSON{}, Rejected: []slideRejectJSON{}, Uploaded: []string{}, NeedURL: []string{}}
	var infos []*slides.Info
	var attached []rooms.Slide
	for _, f := range pos[1:] {
		info, err := slides.Validate(ctx, f, lim)
		if err != nil {
			fmt.Fprintln(e.stderr, slides.Message(e.tr, err))
			res.Rejected = append(res.Rejected, slideRejectJSON{File: baseName(f), Code: string(slides.CodeOf(err))})
			code = worst(code, exitFail)
			continue
		}
		for _, n := range info.Notices {
			fmt.Fprintln(e.stderr, slides.NoticeMessage(e.tr, n))
		}
		s, err := rooms.SlideFromFile(f, info.UploadName, string(info.Kind), info.Pages)
		if err != nil {
			fmt.Fprintln(e.stderr, e.tr.T("start.slide_missing", map[string]any{"Name": baseName(f)}))
			code = worst(code, exitFail)
			continue
		}
		infos = append(infos, info)
		attached = append(attached, s)
		res.Attached = append(res.Attached, slideJSON{Name: s.Name, Path: s.Path, Type: s.Type, Size: s.Size, Pages: s.Pages})
	}
	if len(attached) == 0 {
		if *asJSON {
			printJSON(e, res)
		}
		return code
	}

	// Upload now if the lesson runs; a missing pool or keyring only means
	// "later, with the next start".
	var live *rooms.Live
	var pool *rooms.DirectPool
	if perr == nil {
		pool, err = rooms.OpenDirectPool(ctx, pc, world.secrets(), rooms.DirectOptions{HTTPClient: world.httpClient})
		if err != nil {
			reportPoolError(e, err, pc.Name)
			fmt.Fprintln(e.stderr, e.tr.T("cli.rooms_slides_upload_later"))
			code = worst(code, exitWarn)
		}
	}
	if pool != nil {
		st, err := pool.Status(ctx, room.MeetingID)
		switch {
		case err != nil:
			reportBBBError(e, err, pc.Name)
			fmt.Fprintln(e.stderr, e.tr.T("cli.rooms_slides_upload_later"))
			code = worst(code, exitWarn)
		case st.Exists:
			res.Running = true
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
				fmt.Fprintln(e.stderr, slides.Message(e.tr, err))
				code = worst(code, exitFail)
				break
			}
			for _, ne := range plan.NeedURL {
				fmt.Fprintln(e.stderr, slides.Message(e.tr, ne))
				res.NeedURL = append(res.NeedURL, ne.File)
				code = worst(code, exitWarn)
			}
			progress := newProgress(e)
			err = plan.InsertAll(ctx, poolInserter{pool}, room.MeetingID, 0, progress)
			progress(-1, -1)
			if err != nil {
				reportBBBError(e, err, pc.Name)
				code = worst(code, exitFail)
				break
			}
			r := room
			for i, s := range todoSlides {
				if plan.Sends(todo[i].Path) {
					r.MarkUploaded(st.CreateTime, s)
					res.Uploaded = append(res.Uploaded, s.Name)
				}
			}
			live = r.Live
		default:
			fmt.Fprintln(e.stderr, e.tr.T("cli.rooms_slides_next_start"))
		}
	}
	if _, err := store.Update(room.Name, func(r *rooms.Room) error {
		for _, s := range attached {
			r.AddSlide(s)
		}
		if live != nil {
			r.Live = live
		}
		return nil
	}); err != nil {
		return worst(code, reportRoomError(e, err))
	}
	names := make([]string, len(attached))
	for i, s := range attached {
		names[i] = s.Name
	}
	fmt.Fprintln(e.stderr, e.tr.T("cli.rooms_slides_attached", map[string]any{"Room": room.Name, "Names": strings.Join(names, ", ")}))
	if len(res.Uploaded) > 0 {
		fmt.Fprintln(e.stderr, e.tr.T("start.slides_sent", map[string]any{"Names": strings.Join(res.Uploaded, ", ")}))
	}
	if *asJSON {
		printJSON(e, res)
	}
	return code
}

func baseName(p string) string {
	if i := strings.LastIndexAny(p, `/\`); i >= 0 {
		return p[i+1:]
	}
	return p
}
