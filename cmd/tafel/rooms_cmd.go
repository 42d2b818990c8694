package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/tafel-schule/tafel/internal/atomicfile"
	"github.com/tafel-schule/tafel/rooms"
)

func init() { commands["rooms"] = runRooms }

func runRooms(ctx context.Context, e env) int {
	if len(e.args) == 0 {
		return usage(e, "rooms.usage")
	}
	sub := e
	sub.args = e.args[1:]
	switch e.args[0] {
	case "list", "ls":
		return runRoomsList(ctx, sub)
	case "presets":
		return runRoomsPresets(ctx, sub)
	case "add":
		return runRoomsAdd(ctx, sub)
	case "edit":
		return runRoomsEdit(ctx, sub)
	case "remove", "rm":
		return runRoomsRemove(ctx, sub)
	case "export":
		return runRoomsExport(ctx, sub)
	case "import":
		return runRoomsImport(ctx, sub)
	case "help", "-h", "--help":
		fmt.Fprintln(e.stdout, e.tr.T("rooms.usage"))
		return exitOK
	}
	return usage(e, "rooms.usage")
}

// kvList is a repeatable KEY=VALUE flag.
type kvList [][2]string

func (l *kvList) String() string { return "" }
func (l *kvList) Set(v string) error {
	k, val, ok := strings.Cut(v, "=")
	if !ok || strings.TrimSpace(k) == "" {
		return errors.New("expected KEY=VALUE")
	}
	*l = append(*l, [2]string{strings.TrimSpace(k), val})
	return nil
}

type roomJSON struct {
	Name       string            `json:"name"`
	MeetingID  string            `json:"meeting_id"`
	Pool       string            `json:"pool,omitempty"`
	Preset     string            `json:"preset"`
	Settings   map[string]string `json:"settings"`
	Overrides  map[string]string `json:"overrides"`
	Welcome    string            `json:"welcome,omitempty"`
	ClassList  string            `json:"class_list,omitempty"`
	Slides     []slideJSON       `json:"slides"`
	LastCreate int64             `json:"last_create_time,omitempty"`
}

type slideJSON struct {
	Name  string `json:"name"`
	Path  string `json:"path"`
	Type  string `json:"type,omitempty"`
	Size  int64  `json:"size"`
	Pages int    `json:"pages,omitempty"`
}

func toRoomJSON(r rooms.Room, pol rooms.Policy) roomJSON {
	s, _ := r.Settings(pol)
	out := roomJSON{Name: r.Name, MeetingID: r.MeetingID, Pool: r.Pool, Preset: r.Preset, Settings: s.Map(),
		Overrides: r.Overrides.Map(), Welcome: r.Welcome, ClassList: r.ClassList, Slides: []slideJSON{}}
	for _, sl := range r.Slides {
		out.Slides = append(out.Slides, slideJSON{Name: sl.Name, Path: sl.Path, Type: sl.Type, Size: sl.Size, Pages: sl.Pages})
	}
	if r.Live != nil {
		out.LastCreate = r.Live.CreateTime
	}
	return out
}

func runRoomsList(_ context.Context, e env) int {
	fs := newFlags(e, "tafel rooms list", "rooms.usage")
	asJSON := fs.Bool("json", false, "")
	if pos, err := parseInterleaved(fs, e.args); err != nil {
		return flagError(e, err, "rooms.usage")
	} else if len(pos) != 0 {
		return usage(e, "rooms.usage")
	}
	s, code := openStore(e)
	if s == nil {
		return code
	}
	pol := roomsPolicy(e)
	list := s.List()
	if *asJSON {
		out := []roomJSON{}
		for _, r := range list {
			out = append(out, toRoomJSON(r, pol))
		}
		printJSON(e, out)
		return code
	}
	if len(list) == 0 {
		fmt.Fprintln(e.stderr, e.tr.T("rooms.list_empty"))
		return code
	}
	for _, r := range list {
		fmt.Fprintf(e.stdout, "%s\t%s\t%s\n", r.Name, e.tr.T("rooms.preset."+r.Preset+".name"),
			e.tr.T("rooms.slide_count", map[string]any{"Count": len(r.Slides)}))
	}
	return code
}

func runRoomsPresets(_ context.Context, e env) int {
	fs := newFlags(e, "tafel rooms presets", "rooms.usage")
	asJSON := fs.Bool("json", false, "")
	if _, err := parseInterleaved(fs, e.args); err != nil {
		return flagError(e, err, "rooms.usage")
	}
	type presetJSON struct {
		ID       string            `json:"id"`
		Name     string            `json:"name"`
		Explain  string            `json:"explanation"`
		Settings map[string]string `json:"settings"`
	}
	var out []presetJSON
	for _, p := range rooms.Presets() {
		out = append(out, presetJSON{ID: p.ID, Name: e.tr.T("rooms.preset." + p.ID + ".name"),
			Explain: e.tr.T("rooms.preset." + p.ID + ".explain"), Settings: p.Settings.Map()})
	}
	if *asJSON {
		printJSON(e, out)
		return exitOK
	}
	for _, p := range out {
		fmt.Fprintf(e.stdout, "%s (%s)\n  %s\n", p.Name, p.ID, p.Explain)
	}
	return exitOK
}

// roomEdits are the flags shared by add and edit.
type roomEdits struct {
	preset, pool, welcome, class, rename *string
	set                                  kvList
	unset                                stringList
}

func addEditFlags(fs *flag.FlagSet, ed *roomEdits) {
	ed.preset = fs.String("preset", "", "")
	ed.pool = fs.String("pool", "", "")
	ed.welcome = fs.String("welcome", "\x00", "")
	ed.class = fs.String("class", "", "")
	fs.Var(&ed.set, "set", "")
	fs.Var(&ed.unset, "unset", "")
}

// apply changes r as the flags say.
func (ed *roomEdits) apply(r *rooms.Room, pol rooms.Policy) error {
	if *ed.preset != "" {
		p, ok := rooms.FindPreset(*ed.preset)
		if !ok {
			return &rooms.Error{Code: rooms.CodeUnknownPreset, Detail: *ed.preset}
		}
		r.Preset = p.ID
	}
	if ed.rename != nil && *ed.rename != "" {
		r.Name = strings.TrimSpace(*ed.rename)
	}
	if *ed.pool != "" {
		r.Pool = strings.TrimSpace(*ed.pool)
	}
	if *ed.welcome != "\x00" {
		r.Welcome = *ed.welcome
	}
	if *ed.class != "" {
		abs, err := filepath.Abs(*ed.class)
		if err != nil {
			return err
		}
		r.ClassList = abs
	}
	for _, kv := range ed.set {
		if err := r.SetOverride(pol, kv[0], kv[1]); err != nil {
			return err
		}
	}
	for _, k := range ed.unset {
		if err := r.Overrides.Set(k, ""); err != nil {
			return err
		}
	}
	return nil
}

func runRoomsAdd(_ context.Context, e env) int {
	fs := newFlags(e, "tafel rooms add", "rooms.usage")
	var ed roomEdits
	addEditFlags(fs, &ed)
	asJSON := fs.Bool("json", false, "")
	pos, err := parseInterleaved(fs, e.args)
	if err != nil {
		return flagError(e, err, "rooms.usage")
	}
	if len(pos) != 1 {
		return usage(e, "rooms.usage")
	}
	if *ed.pool != "" {
		if code := checkPoolExists(e, *ed.pool); code != exitOK {
			return code
		}
	}
	s, code := openStore(e)
	if s == nil {
		return code
	}
	pol := roomsPolicy(e)
	r, err := rooms.NewRoom(pos[0], *ed.preset)
	if err != nil {
		return reportRoomError(e, err)
	}
	if err := ed.apply(r, pol); err != nil {
		return reportRoomError(e, err)
	}
	if err := s.Add(r); err != nil {
		return reportRoomError(e, err)
	}
	if *asJSON {
		printJSON(e, toRoomJSON(*r, pol))
	}
	fmt.Fprintln(e.stderr, e.tr.T("rooms.added", map[string]any{"Name": r.Name,
		"Preset": e.tr.T("rooms.preset." + r.Preset + ".name"), "Explain": e.tr.T("rooms.preset." + r.Preset + ".explain")}))
	return code
}

// checkPoolExists refuses a room pointing at a pool that is not set up.
func checkPoolExists(e env, name string) int {
	u, _, code := loadUser(e)
	if u == nil {
		return code
	}
	if _, ok := u.FindPool(name); !ok {
		fmt.Fprintln(e.stderr, e.tr.T("pool.not_found", map[string]any{"Name": name}))
		return exitUsage
	}
	return exitOK
}

func runRoomsEdit(ctx context.Context, e env) int {
	fs := newFlags(e, "tafel rooms edit", "rooms.usage")
	var ed roomEdits
	addEditFlags(fs, &ed)
	ed.rename = fs.String("name", "", "")
	var removeSlides stringList
	fs.Var(&removeSlides, "remove-slide", "")
	rotate := fs.Bool("rotate-id", false, "")
	asJSON := fs.Bool("json", false, "")
	pos, err := parseInterleaved(fs, e.args)
	if err != nil {
		return flagError(e, err, "rooms.usage")
	}
	if len(pos) != 1 {
		return usage(e, "rooms.usage")
	}
	if *ed.pool != "" {
		if code := checkPoolExists(e, *ed.pool); code != exitOK {
			return code
		}
	}
	s, code := openStore(e)
	if s == nil {
		return code
	}
	pol := roomsPolicy(e)
	oldID := ""
	r, err := s.Update(pos[0], func(r *rooms.Room) error {
		if err := ed.apply(r, pol); err != nil {
			return err
		}
		for _, n := range removeSlides {
			if !r.RemoveSlide(n) {
				return &rooms.Error{Code: rooms.CodeSlideMissing, Detail: n}
			}
		}
		if *rotate {
			oldID = r.RotateMeetingID()
		}
		return nil
	})
	if err != nil {
		return reportRoomError(e, err)
	}
	if *asJSON {
		printJSON(e, toRoomJSON(r, pol))
	}
	fmt.Fprintln(e.stderr, e.tr.T("rooms.edited", map[string]any{"Name": r.Name}))
	if *rotate {
		fmt.Fprintln(e.stderr, e.tr.T("rooms.rotated", map[string]any{"Name": r.Name}))
		// A lesson still running under the old ID would keep admitting old
		// links until it ends: end it now.
		code = worst(code, endOldMeeting(ctx, e, r.Pool, oldID))
	}
	return code
}

func endOldMeeting(ctx context.Context, e env, poolName, meetingID string) int {
	u, _, code := loadUser(e)
	if u == nil {
		return exitWarn
	}
	pool, _, rc := openPool(ctx, e, u, poolName)
	if pool == nil {
		fmt.Fprintln(e.stderr, e.tr.T("rooms.rotate_not_ended"))
		_ = rc // the keyring/pool problem was just explained
		return worst(code, exitWarn)
	}
	if err := pool.End(ctx, meetingID); err != nil {
		reportBBBError(e, err, pool.Name())
		fmt.Fprintln(e.stderr, e.tr.T("rooms.rotate_not_ended"))
		return exitWarn
	}
	return code
}

func runRoomsRemove(_ context.Context, e env) int {
	fs := newFlags(e, "tafel rooms remove", "rooms.usage")
	pos, err := parseInterleaved(fs, e.args)
	if err != nil {
		return flagError(e, err, "rooms.usage")
	}
	if len(pos) != 1 {
		return usage(e, "rooms.usage")
	}
	s, code := openStore(e)
	if s == nil {
		return code
	}
	r, err := s.Remove(pos[0])
	if err != nil {
		return reportRoomError(e, err)
	}
	fmt.Fprintln(e.stderr, e.tr.T("rooms.removed", map[string]any{"Name": r.Name}))
	return code
}

// tafel rooms export [NAME…] [--out FILE]
func runRoomsExport(_ context.Context, e env) int {
	fs := newFlags(e, "tafel rooms export", "rooms.usage")
	out := fs.String("out", "", "")
	pos, err := parseInterleaved(fs, e.args)
	if err != nil {
		return flagError(e, err, "rooms.usage")
	}
	s, code := openStore(e)
	if s == nil {
		return code
	}
	data, err := s.Export(pos...)
	if err != nil {
		return reportRoomError(e, err)
	}
	if *out == "" || *out == "-" {
		e.stdout.Write(data)
		return code
	}
	if err := atomicfile.Write(*out, data, 0o600); err != nil {
		fmt.Fprintln(e.stderr, e.tr.T("rooms.file_error", map[string]any{"Detail": err.Error()}))
		return exitFail
	}
	fmt.Fprintln(e.stderr, e.tr.T("rooms.exported", map[string]any{"Path": *out}))
	return code
}

// tafel rooms import FILE|- [--replace] [--new-ids] [--json]
func runRoomsImport(_ context.Context, e env) int {
	fs := newFlags(e, "tafel rooms import", "rooms.usage")
	replace := fs.Bool("replace", false, "")
	newIDs := fs.Bool("new-ids", false, "")
	asJSON := fs.Bool("json", false, "")
	pos, err := parseInterleaved(fs, e.args)
	if err != nil {
		return flagError(e, err, "rooms.usage")
	}
	if len(pos) != 1 {
		return usage(e, "rooms.usage")
	}
	var data []byte
	const maxImport = 16 << 20
	if pos[0] == "-" {
		data, err = io.ReadAll(io.LimitReader(world.stdin, maxImport))
	} else {
		var f *os.File
		if f, err = os.Open(pos[0]); err == nil {
			data, err = io.ReadAll(io.LimitReader(f, maxImport))
			f.Close()
		}
	}
	if err != nil {
		fmt.Fprintln(e.stderr, e.tr.T("rooms.import_unreadable", map[string]any{"Path": pos[0]}))
		return exitUsage
	}
	s, code := openStore(e)
	if s == nil {
		return code
	}
	res, err := s.Import(data, rooms.ImportOptions{Replace: *replace, NewMeetingIDs: *newIDs})
	if err != nil {
		return reportRoomError(e, err)
	}
	if *asJSON {
		printJSON(e, res)
	}
	fmt.Fprintln(e.stderr, e.tr.T("rooms.imported", map[string]any{"Added": len(res.Added), "Replaced": len(res.Replaced), "Skipped": len(res.Skipped)}))
	if len(res.Skipped) > 0 {
		fmt.Fprintln(e.stderr, e.tr.T("rooms.import_skipped", map[string]any{"Names": strings.Join(res.Skipped, ", ")}))
		code = worst(code, exitWarn)
	}
	return code
}
