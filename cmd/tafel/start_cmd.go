package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tafel-schule/tafel/backend"
	"github.com/tafel-schule/tafel/bbbclient"
	"github.com/tafel-schule/tafel/rooms"
	"github.com/tafel-schule/tafel/slides"
)

func init() { commands["start"] = runStart }

type startJSON struct {
	Room            string             `json:"room"`
	Pool            string             `json:"pool"`
	MeetingID       string             `json:"meeting_id"`
	CreateTime      int64              `json:"create_time"`
	AlreadyRunning  bool               `json:"already_running"`
	Opened          bool               `json:"opened"`
	EchoTestSkipped bool               `json:"echo_test_skipped"`
	SlidesSent      []string           `json:"slides_sent"`
	SlideIssues     []rooms.SlideIssue `json:"slide_issues"`
	// JoinURL is filled only with --print-url (an explicit request).
	JoinURL string `json:"join_url,omitempty"`
}

// tafel start ROOM [--print-url] [--name NAME] [--json]
func runStart(ctx context.Context, e env) int {
	fs := newFlags(e, "tafel start", "start.usage")
	printURL := fs.Bool("print-url", false, "")
	name := fs.String("name", "", "")
	asJSON := fs.Bool("json", false, "")
	pos, err := parseInterleaved(fs, e.args)
	if err != nil {
		return flagError(e, err, "start.usage")
	}
	if len(pos) != 1 {
		return usage(e, "start.usage")
	}
	u, store, room, code, ok := openRoom(e, pos[0])
	if !ok {
		return code
	}
	pool, pc, rc := openPool(ctx, e, u, room.Pool)
	if pool == nil {
		return rc
	}
	skip := rooms.EchoTestPassed(world.history(), world.now())
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute) // big slide uploads
	defer cancel()
	progress := newProgress(e)
	res, err := rooms.StartLesson(ctx, pool, &room, rooms.StartOptions{
		Policy:       roomsPolicy(e),
		TeacherName:  teacherName(u, *name),
		SkipEchoTest: skip,
		Prepare:      backend.PrepareSlide,
		Upload:       bbbclient.UploadOptions{Progress: progress},
	})
	progress(-1, -1)
	if err != nil {
		var re *rooms.Error
		if errors.As(err, &re) {
			return reportRoomError(e, err)
		}
		return reportBBBError(e, err, pc.Name)
	}
	// Remember which slides this meeting instance has (only Live changes).
	live := room.Live
	if _, err := store.Update(room.Name, func(r *rooms.Room) error { r.Live = live; return nil }); err != nil {
		reportRoomError(e, err)
		code = worst(code, exitWarn)
	}
	for i, is := range res.SlideIssues {
		code = worst(code, exitWarn)
		fmt.Fprintln(e.stderr, backend.SlideIssueMessage(e.tr, is, pool.Limits()))
		if c := slides.CodeOf(is.Err); c != "" {
			res.SlideIssues[i].Code = string(c) // the validator's precise code for --json
		}
	}
	if res.Meeting.Existed {
		fmt.Fprintln(e.stderr, e.tr.T("start.already_running"))
	}
	if len(res.SlidesSent) > 0 {
		fmt.Fprintln(e.stderr, e.tr.T("start.slides_sent", map[string]any{"Names": strings.Join(res.SlidesSent, ", ")}))
	}
	if skip {
		fmt.Fprintln(e.stderr, e.tr.T("start.echo_skipped"))
	}
	out := startJSON{Room: room.Name, Pool: pc.Name, MeetingID: res.Meeting.MeetingID, CreateTime: res.Meeting.CreateTime,
		AlreadyRunning: res.Meeting.Existed, EchoTestSkipped: skip, SlidesSent: res.SlidesSent, SlideIssues: res.SlideIssues}
	if *printURL {
		// Explicit request: the signed link goes to stdout, nothing is opened.
		if *asJSON {
			out.JoinURL = res.URL.Reveal()
			printJSON(e, out)
		} else {
			fmt.Fprintln(e.stdout, res.URL.Reveal())
		}
		fmt.Fprintln(e.stderr, e.tr.T("start.url_printed"))
		return code
	}
	if err := rooms.CheckJoinURL(res.URL, pc.URL); err != nil {
		return reportRoomError(e, err)
	}
	// A browser that stays in the foreground (firefox with no window yet)
	// must not keep the command waiting until it is closed.
	if err := rooms.OpenWithin(world.opener(u.Browser), res.URL); err != nil {
		if *asJSON {
			printJSON(e, out)
		}
		fmt.Fprintln(e.stderr, e.tr.T("start.open_failed"))
		return exitFail
	}
	out.Opened = true
	if *asJSON {
		printJSON(e, out)
	}
	fmt.Fprintln(e.stderr, e.tr.T("start.opened", map[string]any{"Room": room.Name}))
	return code
}

// newProgress returns an upload progress callback that redraws one line on
// stderr at most every 200 ms; (-1, -1) ends the line.
func newProgress(e env) func(sent, total int64) {
	var last time.Time
	shown := false
	return func(sent, total int64) {
		if sent < 0 {
			if shown {
				fmt.Fprintln(e.stderr)
			}
			return
		}
		if total <= 0 || time.Since(last) < 200*time.Millisecond && sent < total {
			return
		}
		last = time.Now()
		shown = true
		fmt.Fprintf(e.stderr, "\r%s", e.tr.T("start.upload_progress", map[string]any{"Percent": sent * 100 / total}))
	}
}
