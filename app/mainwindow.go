package app

import (
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tafel-schule/tafel/rooms"
)

// mainView is the main window's state: the rooms list on the left, the
// selected room on the right. Its fields are touched only on the Fyne
// goroutine; service calls run in goBG and come back with fyne.Do.
type mainView struct {
	u *UI
	// bg counts background work, so tests can wait for it (in the test
	// driver fyne.Do runs inline on the worker goroutine).
	bg sync.WaitGroup

	rooms    []rooms.Room
	policy   rooms.Policy
	selected string // room name, "" for none
	loaded   bool

	checkBtn, settingsBtn *widget.Button
	list                  *widget.List
	newBtn                *widget.Button

	empty    *fyne.Container // shown while there is no room
	emptyMsg *widget.Label
	firstBtn *widget.Button
	detail   *fyne.Container // the selected room

	title     *widget.Label
	presetMsg *widget.Label
	startBtn  *widget.Button
	// startedBox says when a room's lesson was started from here, so the
	// window shows what the notification said (notifications may not arrive).
	startedBox *fyne.Container
	started    map[string]string // room name → that line
	editBtn    *widget.Button
	removeBtn  *widget.Button

	right  *container.Scroll
	slides *slidesView
	links  *linksSection

	editor   *roomEditor // the open room editor, if any
	linksWin *linksView  // the open links window, if any
}

// mainMu is held while a result of background work is applied to the
// widgets. In the app every such apply runs on the Fyne goroutine, so the
// lock is never contended; in the test driver fyne.Do runs f inline on the
// worker goroutine, and the lock keeps two workers from drawing at once.
// f must not wait for other work (it only sets widgets).
var mainMu sync.Mutex

// mainDo applies background results to the main window's widgets.
func mainDo(f func()) {
	fyne.Do(func() {
		mainMu.Lock()
		defer mainMu.Unlock()
		f()
	})
}

// goBG runs f on a new goroutine and counts it in bg.
func (m *mainView) goBG(f func()) {
	m.bg.Add(1)
	go func() {
		defer m.bg.Done()
		f()
	}()
}

// buildMain is the main window's content. Containers are built in reading
// order (top bar, rooms, then the room from top to bottom), so Tab moves
// through the window the way the eye does.
func (u *UI) buildMain() fyne.CanvasObject {
	m := &mainView{u: u, started: map[string]string{}}
	u.mv = m

	m.checkBtn = widget.NewButtonWithIcon(t("ui.main.check"), theme.MediaRecordIcon(), u.ShowPreflight)
	m.settingsBtn = widget.NewButtonWithIcon(t("ui.main.settings"), theme.SettingsIcon(), u.ShowSettings)
	appTitle := widget.NewLabelWithStyle(t("app.name"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	appTitle.SizeName = theme.SizeNameSubHeadingText
	actions := container.NewHBox(m.checkBtn, m.settingsBtn)
	if u.svc.Report != nil {
		actions = container.NewHBox(m.checkBtn, u.newReportButton(), m.settingsBtn)
	}
	top := container.NewBorder(nil, nil, appTitle, actions)

	// Left: the rooms.
	roomsTitle := widget.NewLabelWithStyle(t("ui.main.rooms"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	m.list = widget.NewList(
		func() int { return len(m.rooms) },
		func() fyne.CanvasObject {
			name := widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
			name.Truncation = fyne.TextTruncateEllipsis
			info := widget.NewLabel("") // normal colour: dimmed text is hard to read on the selection
			info.Truncation = fyne.TextTruncateEllipsis
			return container.NewVBox(name, info)
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id < 0 || id >= len(m.rooms) {
				return
			}
			r := m.rooms[id]
			box := o.(*fyne.Container)
			box.Objects[0].(*widget.Label).SetText(r.Name)
			box.Objects[1].(*widget.Label).SetText(t("ui.main.room_info", map[string]any{
				"Preset": presetName(r.Preset), "Count": len(r.Slides)}))
		})
	m.list.OnSelected = func(id widget.ListItemID) {
		if id >= 0 && id < len(m.rooms) {
			if m.selected != m.rooms[id].Name {
				// Another room starts at its title and start button, not
				// halfway down where the last one was scrolled to.
				m.right.ScrollToTop()
			}
			m.selected = m.rooms[id].Name
			m.showSelected()
		}
	}
	m.newBtn = widget.NewButtonWithIcon(t("ui.main.new_room"), theme.ContentAddIcon(), func() { u.showRoomEditor(nil) })
	left := borderInOrder(roomsTitle, m.newBtn, m.list)

	// Right: the selected room.
	m.title = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	m.title.SizeName = theme.SizeNameHeadingText
	m.title.Truncation = fyne.TextTruncateEllipsis
	m.presetMsg = widget.NewLabel("")
	m.presetMsg.Wrapping = fyne.TextWrapWord
	m.startBtn = widget.NewButtonWithIcon(t("ui.main.start"), theme.MediaPlayIcon(), func() {
		if r := m.current(); r != nil {
			u.StartLesson(r.Name)
		}
	})
	m.startBtn.Importance = widget.HighImportance
	m.startedBox = container.NewVBox()
	m.startedBox.Hide()
	startHint := widget.NewLabel(t("ui.main.start_hint"))
	startHint.Wrapping = fyne.TextWrapWord
	m.editBtn = widget.NewButtonWithIcon(t("ui.main.edit_room"), theme.DocumentCreateIcon(), func() {
		if r := m.current(); r != nil {
			u.showRoomEditor(r)
		}
	})
	m.removeBtn = widget.NewButtonWithIcon(t("ui.main.remove_room"), theme.DeleteIcon(), func() {
		if r := m.current(); r != nil {
			u.confirmRemoveRoom(r.Name)
		}
	})
	m.slides = u.newSlidesView()
	m.links = u.newLinksSection()
	m.detail = container.NewVBox(
		m.title,
		m.presetMsg,
		container.NewHBox(container.NewGridWrap(fyne.NewSize(280, 56), m.startBtn)),
		m.startedBox,
		startHint,
		container.NewHBox(m.editBtn, m.removeBtn),
		widget.NewSeparator(),
		m.slides.box,
		widget.NewSeparator(),
		m.links.box,
	)
	m.emptyMsg = widget.NewLabel(t("ui.main.loading"))
	m.emptyMsg.Wrapping = fyne.TextWrapWord
	m.firstBtn = widget.NewButtonWithIcon(t("ui.main.first_room"), theme.ContentAddIcon(), func() { u.showRoomEditor(nil) })
	m.firstBtn.Importance = widget.HighImportance
	m.empty = container.NewVBox(m.emptyMsg, container.NewHBox(m.firstBtn))
	m.firstBtn.Hide()
	m.detail.Hide()
	m.right = container.NewVScroll(container.NewPadded(container.NewVBox(m.empty, m.detail)))

	split := container.NewHSplit(left, m.right)
	split.Offset = 0.3

	keys := widget.NewLabel(t("ui.main.keys", map[string]any{"Mod": modName()}))
	keys.Wrapping = fyne.TextWrapWord
	keys.SizeName = theme.SizeNameCaptionText

	u.main.SetOnDropped(m.dropped)
	m.addShortcuts()
	u.onRoomsChanged(func() { m.reload("") })
	u.onLessonStarted(m.lessonStarted)
	m.reload("")
	return borderInOrder(top, keys, split)
}

// borderInOrder is container.NewBorder with the objects in reading order
// (top, centre, bottom): focus traversal follows the order of Objects, and
// NewBorder puts the centre first.
func borderInOrder(top, bottom fyne.CanvasObject, center ...fyne.CanvasObject) *fyne.Container {
	var objs []fyne.CanvasObject
	if top != nil {
		objs = append(objs, top)
	}
	objs = append(objs, center...)
	if bottom != nil {
		objs = append(objs, bottom)
	}
	return container.New(layout.NewBorderLayout(top, bottom, nil, nil), objs...)
}

// modName is the shortcut modifier as printed on the keyboard.
func modName() string {
	if runtime.GOOS == "darwin" {
		return "⌘"
	}
	return t("ui.main.key_ctrl")
}

// addShortcuts: Ctrl+N new room, Ctrl+E edit, Ctrl+O slides, Ctrl+L links,
// Ctrl+Enter start (Cmd on macOS). The lead's addShortcuts adds the
// pre-flight, settings and quit.
func (m *mainView) addShortcuts() {
	c := m.u.main.Canvas()
	add := func(key fyne.KeyName, f func()) {
		c.AddShortcut(&desktop.CustomShortcut{KeyName: key, Modifier: fyne.KeyModifierShortcutDefault},
			func(fyne.Shortcut) {
				// While a dialog (room editor, message, file chooser) is
				// open, the room actions behind it stay quiet: Ctrl+Enter
				// in the editor must not start a lesson.
				if c.Overlays().Top() != nil {
					return
				}
				f()
			})
	}
	add(fyne.KeyN, func() { m.u.showRoomEditor(nil) })
	withRoom := func(f func(name string)) func() {
		return func() {
			if r := m.current(); r != nil {
				f(r.Name)
			}
		}
	}
	add(fyne.KeyE, withRoom(func(string) { m.u.showRoomEditor(m.current()) }))
	add(fyne.KeyO, withRoom(m.u.AddSlidesDialog))
	add(fyne.KeyL, withRoom(m.u.ShowLinks))
	add(fyne.KeyReturn, withRoom(m.u.StartLesson))
	add(fyne.KeyEnter, withRoom(m.u.StartLesson))
}

// reload reads the rooms again; sel, if set, becomes the selected room.
func (m *mainView) reload(sel string) {
	rs := m.u.svc.Rooms
	if rs == nil {
		m.setRooms(nil, rooms.Policy{}, sel)
		return
	}
	m.goBG(func() {
		list := rs.List()
		pol := rs.Policy()
		mainDo(func() { m.setRooms(list, pol, sel) })
	})
}

// setRooms shows a fresh rooms list and keeps (or makes) a selection.
func (m *mainView) setRooms(list []rooms.Room, pol rooms.Policy, sel string) {
	m.rooms, m.policy, m.loaded = list, pol, true
	if sel != "" {
		m.selected = sel
	}
	idx := m.index(m.selected)
	if idx < 0 && len(m.rooms) > 0 {
		idx = 0
	}
	m.list.Refresh()
	if idx < 0 {
		m.selected = ""
		m.list.UnselectAll()
	} else {
		m.selected = m.rooms[idx].Name
		m.list.Select(idx) // no callback when already selected, hence:
	}
	m.showSelected()
	if m.u.trayMenu != nil {
		m.u.refreshTray()
	}
}

func (m *mainView) index(name string) int {
	for i := range m.rooms {
		if m.rooms[i].Name == name {
			return i
		}
	}
	return -1
}

// current is the selected room, or nil.
func (m *mainView) current() *rooms.Room {
	if i := m.index(m.selected); i >= 0 {
		r := m.rooms[i]
		return &r
	}
	return nil
}

// room returns the room called name as last loaded, or nil.
func (m *mainView) room(name string) *rooms.Room {
	if i := m.index(name); i >= 0 {
		r := m.rooms[i]
		return &r
	}
	return nil
}

// putRoom replaces the room that was called old with r (after an update)
// and shows it when it is the selected one.
func (m *mainView) putRoom(old string, r rooms.Room) {
	i := m.index(old)
	if i < 0 {
		return
	}
	m.rooms[i] = r
	if m.selected == old {
		m.selected = r.Name
	}
	m.list.RefreshItem(i)
	m.showSelected()
}

// showSelected fills the right side with the selected room.
func (m *mainView) showSelected() {
	r := m.current()
	if r == nil {
		m.detail.Hide()
		switch {
		case !m.loaded:
			m.emptyMsg.SetText(t("ui.main.loading"))
			m.firstBtn.Hide()
		case len(m.rooms) == 0:
			m.emptyMsg.SetText(t("ui.main.no_rooms"))
			m.firstBtn.Show()
		default:
			m.emptyMsg.SetText(t("ui.main.choose_room"))
			m.firstBtn.Hide()
		}
		m.empty.Show()
		return
	}
	m.empty.Hide()
	m.title.SetText(r.Name)
	m.presetMsg.SetText(t("ui.main.preset_line", map[string]any{
		"Preset": presetName(r.Preset), "Explain": presetExplain(r.Preset)}))
	m.startedBox.RemoveAll()
	if msg := m.started[r.Name]; msg != "" {
		m.startedBox.Add(trafficLine(levelOK, msg))
	}
	setShown(m.startedBox, len(m.startedBox.Objects) > 0)
	m.slides.setRoom(r)
	m.links.setRoom(r)
	m.detail.Show()
	m.relayout()
}

// lessonStarted notes under the room's start button that its lesson was
// opened, and when.
func (m *mainView) lessonStarted(room string, _ LessonStarted) {
	m.started[room] = t("ui.main.started_at", map[string]any{"Room": room, "Time": time.Now().Format("15:04")})
	if m.selected == room {
		m.showSelected()
	}
}

// relayout lays the room side out again after lines came or went (the
// desktop driver notices on its own; an explicit refresh keeps the test
// canvas and the driver alike).
func (m *mainView) relayout() { m.right.Refresh() }

// presetName is the preset's translated name.
func presetName(id string) string { return t("rooms.preset." + id + ".name") }

// presetExplain is the preset's plain explanation, always ending with what
// holds for every preset: student links never give moderator rights.
func presetExplain(id string) string {
	return t("rooms.preset."+id+".explain") + " " + t("ui.room.never_moderator")
}

// explain turns an error into one sentence for the teacher. Call it off the
// Fyne goroutine, like every service method.
func (u *UI) explain(err error) string {
	if u.svc.Lessons != nil {
		if s := u.svc.Lessons.Explain(err); s != "" {
			return s
		}
	}
	return t("ui.main.error_generic")
}

// showMessage shows a short message over w (the main window when nil).
func (u *UI) showMessage(title, msg string, w fyne.Window) {
	if w == nil {
		w = u.main
	}
	dialog.ShowInformation(title, msg, w)
}

// fmtSize prints a file size for teachers: "850 KB", "2,4 MB".
func fmtSize(n int64) string {
	if n < 1000*1000 {
		kb := (n + 999) / 1000
		return strconv.FormatInt(kb, 10) + " KB"
	}
	s := strconv.FormatFloat(float64(n)/1e6, 'f', 1, 64)
	return strings.Replace(s, ".", t("ui.main.decimal_separator"), 1) + " MB"
}
