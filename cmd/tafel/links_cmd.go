package main

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"time"

	"github.com/tafel-schule/tafel/internal/atomicfile"
	"github.com/tafel-schule/tafel/rooms"
	"github.com/tafel-schule/tafel/studentlinks"
)

func init() { commands["links"] = runLinks }

type linksJSON struct {
	Room       string   `json:"room"`
	MeetingID  string   `json:"meeting_id"`
	CreateTime int64    `json:"create_time"` // 0: valid for every lesson of the room
	Students   int      `json:"students"`
	Sheet      string   `json:"sheet"`
	CSV        string   `json:"csv,omitempty"`
	Encoding   string   `json:"encoding"`
	Duplicates []string `json:"duplicates"`
	Guests     bool     `json:"guests_wait"`
}

// tafel links ROOM [--class FILE] --out sheet.html [--csv out.csv] [--this-lesson] [--json]
//
// Student links are VIEWER links. By default they carry no createTime, so a
// sheet printed once works for every lesson of the room (only while one
// runs) until the room's meeting ID is rotated, which revokes them all.
// --this-lesson pins them to the running lesson instead.
func runLinks(ctx context.Context, e env) int {
	fs := newFlags(e, "tafel links", "cli.rooms_links_usage")
	class := fs.String("class", "", "")
	out := fs.String("out", "", "")
	csvOut := fs.String("csv", "", "")
	asJSON := fs.Bool("json", false, "")
	thisLesson := fs.Bool("this-lesson", false, "")
	pos, err := parseInterleaved(fs, e.args)
	if err != nil {
		return flagError(e, err, "cli.rooms_links_usage")
	}
	if len(pos) != 1 || *out == "" {
		return usage(e, "cli.rooms_links_usage")
	}
	u, store, room, code, ok := openRoom(e, pos[0])
	if !ok {
		return code
	}
	classFile := *class
	if classFile == "" {
		classFile = room.ClassList
	}
	if classFile == "" {
		fmt.Fprintln(e.stderr, e.tr.T("cli.rooms_links_no_class"))
		return exitUsage
	}
	cl, err := studentlinks.ParseFile(classFile, studentlinks.ParseOptions{})
	if err != nil {
		fmt.Fprintln(e.stderr, studentlinks.Message(e.tr, err))
		return exitFail
	}
	for _, d := range cl.Duplicates {
		fmt.Fprintln(e.stderr, studentlinks.DuplicateMessage(e.tr, d))
		code = worst(code, exitWarn)
	}
	if msg := studentlinks.SkippedMessage(e.tr, cl.Skipped); msg != "" {
		fmt.Fprintln(e.stderr, msg) // information only: title lines are expected in school exports
	}
	for _, l := range cl.Truncated {
		fmt.Fprintln(e.stderr, studentlinks.TruncatedMessage(e.tr, l))
		code = worst(code, exitWarn)
	}
	pool, pc, rc := openPool(ctx, e, u, room.Pool)
	if pool == nil {
		return rc
	}
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	var createTime int64 // 0: links for every lesson of the room
	date := ""
	if *thisLesson {
		st, err := pool.Status(ctx, room.MeetingID)
		if err != nil {
			return reportBBBError(e, err, pc.Name)
		}
		if !st.Exists {
			fmt.Fprintln(e.stderr, e.tr.T("cli.rooms_links_not_running", map[string]any{"Room": room.Name}))
			return exitFail
		}
		createTime, date = st.CreateTime, lessonDate(e.tr.Lang, world.now())
	}
	settings, err := room.Settings(roomsPolicy(e))
	if err != nil {
		return reportRoomError(e, err)
	}
	// Student links always join as guests, so the room's guest policy
	// applies to them, also when it is changed after the sheet was printed
	// (BBB applies guestPolicy only to joins with guest=true; under the
	// default ALWAYS_ACCEPT guests get straight in).
	guests := settings.GuestsWait()
	var lessonPool rooms.Pool = pool
	sign := func(ctx context.Context, name, userID string) (studentlinks.URL, error) {
		return lessonPool.ViewerJoinURL(ctx, room.MeetingID, createTime, rooms.Participant{Name: name, UserID: userID, Guest: true})
	}
	links, err := studentlinks.BuildLinks(ctx, room.MeetingID, cl.Students, sign)
	if err != nil {
		fmt.Fprintln(e.stderr, studentlinks.Message(e.tr, err))
		return exitFail
	}
	opt := studentlinks.SheetOptions{Lang: e.tr.Lang, Room: room.Name, Class: cl.Class, Date: date}
	// The files hold bearer links: private to the user (0600), written
	// atomically so a half-written sheet never reaches the printer.
	var sheet bytes.Buffer
	if err := studentlinks.WriteSheet(&sheet, links, opt); err != nil {
		fmt.Fprintln(e.stderr, studentlinks.Message(e.tr, err))
		return exitFail
	}
	if err := atomicfile.Write(*out, sheet.Bytes(), 0o600); err != nil {
		fmt.Fprintln(e.stderr, e.tr.T("rooms.file_error", map[string]any{"Detail": err.Error()}))
		return exitFail
	}
	if *csvOut != "" {
		var c bytes.Buffer
		if err := studentlinks.WriteCSV(&c, links, opt); err != nil {
			fmt.Fprintln(e.stderr, studentlinks.Message(e.tr, err))
			return exitFail
		}
		if err := atomicfile.Write(*csvOut, c.Bytes(), 0o600); err != nil {
			fmt.Fprintln(e.stderr, e.tr.T("rooms.file_error", map[string]any{"Detail": err.Error()}))
			return exitFail
		}
	}
	// Remember the class list for next time.
	if abs, err := filepath.Abs(classFile); err == nil && abs != room.ClassList {
		if _, err := store.Update(room.Name, func(r *rooms.Room) error { r.ClassList = abs; return nil }); err != nil {
			reportRoomError(e, err) // the sheet is written; only remembering the list failed
			code = worst(code, exitWarn)
		}
	}
	if *asJSON {
		res := linksJSON{Room: room.Name, MeetingID: room.MeetingID, CreateTime: createTime, Students: len(links),
			Sheet: *out, CSV: *csvOut, Encoding: cl.Encoding, Duplicates: []string{}, Guests: guests}
		for _, d := range cl.Duplicates {
			res.Duplicates = append(res.Duplicates, d.Name)
		}
		printJSON(e, res)
	}
	fmt.Fprintln(e.stderr, e.tr.T("cli.rooms_links_written", map[string]any{"Count": len(links), "Path": *out}))
	if *thisLesson {
		fmt.Fprintln(e.stderr, e.tr.T("cli.rooms_links_validity"))
	} else {
		fmt.Fprintln(e.stderr, e.tr.T("cli.rooms_links_validity_room"))
	}
	return code
}

func lessonDate(lang string, t time.Time) string {
	if lang == "de" {
		return t.Format("02.01.2006")
	}
	return t.Format("2006-01-02")
}
