package app

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/tafel-schule/tafel/rooms"
)

// editorRow finds the editor's row for a setting key.
func editorRow(t *testing.T, ed *roomEditor, key string) *settingRow {
	t.Helper()
	for _, r := range ed.rows {
		if r.key == key {
			return r
		}
	}
	t.Fatalf("no row for %s", key)
	return nil
}

func TestRoomEditorCreatesRoomWithPreset(t *testing.T) {
	e := newMW(t, twoRooms())
	test.Tap(e.m.newBtn)
	ed := e.m.editor
	if ed == nil {
		t.Fatal("New room opened no editor")
	}
	if e.u.main.Canvas().Focused() != ed.name {
		t.Fatal("the name field is not focused")
	}
	// The default preset is explained right away.
	if ed.preset.Selected != "Lesson" || !strings.Contains(ed.explain.Text, mwT("rooms.preset.lesson.explain")) {
		t.Fatalf("preset %q, explanation %q", ed.preset.Selected, ed.explain.Text)
	}
	test.Type(ed.name, "Bio 8a")
	ed.preset.SetSelected("Parents' evening")
	if !strings.Contains(ed.explain.Text, mwT("rooms.preset.parents.explain")) ||
		!strings.Contains(ed.explain.Text, "never give moderator rights") {
		t.Fatalf("parents preset explained as %q", ed.explain.Text)
	}
	// The settings follow the preset: parents wait for the teacher.
	if g := editorRow(t, ed, "guest_policy"); g.choice.Selected != "Wait until you let them in" {
		t.Fatalf("guest policy shows %q", g.choice.Selected)
	}
	test.Type(ed.welcome, "Willkommen zum Elternabend!")
	test.Tap(ed.saveBtn)
	e.settle()

	r, ok := e.rooms.room("Bio 8a")
	if !ok {
		t.Fatalf("room not added; calls %q", e.rooms.callLog())
	}
	if r.Preset != rooms.PresetParents || r.Welcome != "Willkommen zum Elternabend!" || !r.Overrides.IsZero() {
		t.Fatalf("added room %+v", r)
	}
	if e.m.editor != nil || e.top() != nil {
		t.Fatal("editor still open after saving")
	}
	if e.m.selected != "Bio 8a" || e.m.title.Text != "Bio 8a" {
		t.Fatalf("the new room is not selected (selected %q)", e.m.selected)
	}
}

func TestRoomEditorRefusesBadName(t *testing.T) {
	e := newMW(t, twoRooms())
	e.u.showRoomEditor(nil)
	ed := e.m.editor
	test.Type(ed.name, "x")
	test.Tap(ed.saveBtn)
	e.settle()
	if !ed.msg.Visible() || ed.msg.Text != "Please enter a name of 2 to 64 characters." {
		t.Fatalf("message %q (visible %v)", ed.msg.Text, ed.msg.Visible())
	}
	for _, c := range e.rooms.callLog() {
		if strings.HasPrefix(c, "add") {
			t.Fatal("a bad name reached the rooms file")
		}
	}
	if e.m.editor == nil {
		t.Fatal("editor closed on a bad name")
	}
}

func TestRoomEditorExplainsServiceError(t *testing.T) {
	e := newMW(t, twoRooms())
	e.u.showRoomEditor(nil)
	ed := e.m.editor
	test.Type(ed.name, "Mathe 7b") // exists
	test.Tap(ed.saveBtn)
	e.settle()
	if ed.msg.Text != "Explained: room_exists" || e.m.editor != ed || ed.saveBtn.Disabled() {
		t.Fatalf("message %q; editor open %v; save disabled %v", ed.msg.Text, e.m.editor == ed, ed.saveBtn.Disabled())
	}
}

func TestRoomEditorOverridesAndLocks(t *testing.T) {
	rs := twoRooms()
	no := false
	rs.pol = rooms.Policy{Forced: map[string]rooms.Settings{"*": {Record: &no}}}
	e := newMW(t, rs)
	test.Tap(e.m.editBtn)
	ed := e.m.editor
	if ed == nil || ed.orig.Name != "Mathe 7b" {
		t.Fatal("Edit room opened no editor for the selected room")
	}
	rec := editorRow(t, ed, "record")
	if !rec.check.Disabled() || !rec.locked.Visible() || rec.locked.Text != "Set by your school's IT" {
		t.Fatalf("record: disabled %v, note %q visible %v", rec.check.Disabled(), rec.locked.Text, rec.locked.Visible())
	}
	mute := editorRow(t, ed, "mute_on_start")
	if mute.check.Disabled() || !mute.check.Checked || mute.locked.Visible() {
		t.Fatal("mute on start should be free and on (lesson preset)")
	}
	test.Tap(mute.check) // off
	dur := editorRow(t, ed, "duration_minutes")
	test.Type(dur.number, "45")
	test.Tap(ed.saveBtn)
	e.settle()

	r, _ := e.rooms.room("Mathe 7b")
	want := map[string]string{"mute_on_start": "false", "duration_minutes": "45"}
	got := r.Overrides.Map()
	if len(got) != len(want) || got["mute_on_start"] != "false" || got["duration_minutes"] != "45" {
		t.Fatalf("overrides %v, want %v", got, want)
	}
	if len(r.Slides) != 2 || r.MeetingID != e.m.current().MeetingID {
		t.Fatal("editing lost slides or changed the meeting ID")
	}
}

func TestRoomEditorRefusesBadNumber(t *testing.T) {
	e := newMW(t, twoRooms())
	e.u.showRoomEditor(e.m.current())
	ed := e.m.editor
	test.Type(editorRow(t, ed, "max_participants").number, "viele")
	test.Tap(ed.saveBtn)
	e.settle()
	if !strings.Contains(ed.msg.Text, "At most this many people") {
		t.Fatalf("message %q", ed.msg.Text)
	}
}

func TestRoomEditorRename(t *testing.T) {
	e := newMW(t, twoRooms())
	e.u.showRoomEditor(e.m.current())
	ed := e.m.editor
	ed.name.SetText("Mathe 7c")
	test.Tap(ed.saveBtn)
	e.settle()
	if _, ok := e.rooms.room("Mathe 7c"); !ok {
		t.Fatalf("not renamed: %q", e.rooms.callLog())
	}
	if e.m.selected != "Mathe 7c" || e.m.title.Text != "Mathe 7c" || e.m.list.Length() != 2 {
		t.Fatalf("after renaming: selected %q, %d rooms", e.m.selected, e.m.list.Length())
	}
}

func TestRoomEditorCancel(t *testing.T) {
	e := newMW(t, twoRooms())
	e.u.showRoomEditor(e.m.current())
	ed := e.m.editor
	ed.name.SetText("Anders")
	test.Tap(ed.cancelBtn)
	e.settle()
	if e.m.editor != nil || e.top() != nil {
		t.Fatal("editor still open")
	}
	for _, c := range e.rooms.callLog() {
		if strings.HasPrefix(c, "update") {
			t.Fatal("cancel saved")
		}
	}
}

func TestRemoveRoomAsksFirst(t *testing.T) {
	e := newMW(t, twoRooms())
	test.Tap(e.m.removeBtn)
	if e.top() == nil {
		t.Fatal("no question before deleting")
	}
	e.assertShown(e.top(), "Really delete room “Mathe 7b”?", "student links stop working")
	test.Tap(mwButton(t, e.top(), "Delete"))
	e.settle()
	if _, ok := e.rooms.room("Mathe 7b"); ok {
		t.Fatal("room not removed")
	}
	if e.m.selected != "Elternabend 7b" || e.m.list.Length() != 1 {
		t.Fatalf("after deleting: selected %q, %d rooms", e.m.selected, e.m.list.Length())
	}
}

func TestRemoveRoomCancelKeepsIt(t *testing.T) {
	e := newMW(t, twoRooms())
	test.Tap(e.m.removeBtn)
	test.Tap(mwButton(t, e.top(), "Cancel"))
	e.settle()
	if _, ok := e.rooms.room("Mathe 7b"); !ok {
		t.Fatal("cancel removed the room")
	}
}

func TestRotateLinksAsksAndRotates(t *testing.T) {
	e := newMW(t, twoRooms())
	before := e.m.current().MeetingID
	test.Tap(e.m.links.rotateBtn)
	e.assertShown(e.top(), "Do this if a link got into the wrong hands.", "printed ones too")
	test.Tap(mwButton(t, e.top(), "Make new links"))
	e.settle()
	r, _ := e.rooms.room("Mathe 7b")
	if r.MeetingID == before || e.m.current().MeetingID != r.MeetingID {
		t.Fatal("meeting ID not rotated")
	}
	e.assertShown(e.top(), "has new student links. The old ones no longer work.")
}

// TestRoomEditorFocusOrder: Tab goes from the name through the presets and
// the settings header to the welcome text, then Cancel and Save.
func TestRoomEditorFocusOrder(t *testing.T) {
	e := newMW(t, twoRooms())
	e.u.showRoomEditor(nil)
	ed := e.m.editor
	c := e.u.main.Canvas()
	if c.Focused() != ed.name {
		t.Fatal("the editor does not start in the name field")
	}
	at := map[fyne.Focusable]int{}
	for i := 1; i <= 12; i++ {
		test.FocusNext(c)
		if _, seen := at[c.Focused()]; !seen {
			at[c.Focused()] = i
		}
	}
	welcome, cancel, save := at[ed.welcome], at[ed.cancelBtn], at[ed.saveBtn]
	// name, three presets, the settings header, then the welcome text.
	if welcome != 5 || cancel != 6 || save != 7 {
		t.Fatalf("Tab stops: welcome %d, cancel %d, save %d; want 5, 6, 7", welcome, cancel, save)
	}
}
