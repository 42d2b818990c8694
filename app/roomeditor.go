package app

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tafel-schule/tafel/rooms"
)

// roomEditor is the dialog that creates or edits a room: name, preset with
// its plain explanation, single settings (those school IT fixed are shown
// but disabled), and the welcome text.
type roomEditor struct {
	u    *UI
	m    *mainView
	orig *rooms.Room // nil: a new room
	pol  rooms.Policy

	dlg       *dialog.CustomDialog
	name      *widget.Entry
	presetIDs []string
	preset    *widget.RadioGroup
	explain   *widget.Label
	rows      []*settingRow
	advanced  *widget.Accordion
	welcome   *widget.Entry
	msg       *widget.Label // what is wrong, inline
	saveBtn   *widget.Button
	cancelBtn *widget.Button
}

// settingRow is one setting's control: a check box for yes/no, a choice
// for the guest policy, a number field otherwise.
type settingRow struct {
	key    string
	check  *widget.Check
	choice *widget.Select
	number *widget.Entry
	locked *widget.Label // "set by your school's IT"
	box    *fyne.Container
	// initial is the value shown when the row was filled, over the room's
	// own override then ("" for none): an untouched row keeps what it had,
	// so a setting the preset leaves to the server stays unset even though
	// a check box can only show it as off.
	initial, over string
}

// guestValues are the guest_policy values in the order the choice lists them.
var guestValues = []string{"", rooms.GuestAlwaysAccept, rooms.GuestAskModerator, rooms.GuestAlwaysDeny}

func newSettingRow(key string) *settingRow {
	s := &settingRow{key: key}
	s.locked = widget.NewLabelWithStyle(t("ui.room.locked"), fyne.TextAlignLeading, fyne.TextStyle{Italic: true})
	s.locked.Importance = widget.WarningImportance
	label := t("ui.room.setting." + key)
	var ctl fyne.CanvasObject
	switch {
	case key == "guest_policy":
		opts := make([]string, len(guestValues))
		for i, v := range guestValues {
			opts[i] = guestLabel(v)
		}
		s.choice = widget.NewSelect(opts, nil)
		ctl = container.NewVBox(widget.NewLabel(label), s.choice)
	case isNumberSetting(key):
		s.number = widget.NewEntry()
		s.number.SetPlaceHolder(t("ui.room.number_empty"))
		ctl = container.NewVBox(widget.NewLabel(label), s.number)
	default:
		s.check = widget.NewCheck(label, nil)
		ctl = s.check
	}
	s.box = container.NewVBox(ctl, s.locked)
	s.locked.Hide()
	return s
}

func guestLabel(v string) string {
	if v == "" {
		return t("ui.room.guest.default")
	}
	return t("ui.room.guest." + v)
}

func isNumberSetting(key string) bool {
	return key == "end_after_last_left_minutes" || key == "max_participants" || key == "duration_minutes"
}

// set shows value ("" for "not set") and whether school IT fixed it.
func (s *settingRow) set(value string, locked bool) {
	switch {
	case s.check != nil:
		s.check.SetChecked(value == "true")
	case s.choice != nil:
		s.choice.SetSelectedIndex(0)
		for i, v := range guestValues {
			if v == value {
				s.choice.SetSelectedIndex(i)
			}
		}
	default:
		s.number.SetText(value)
	}
	var w fyne.Disableable = s.number
	if s.check != nil {
		w = s.check
	} else if s.choice != nil {
		w = s.choice
	}
	if locked {
		w.Disable()
		s.locked.Show()
	} else {
		w.Enable()
		s.locked.Hide()
	}
}

// value is the shown value as rooms.Settings text ("" for "not set"), or
// ok=false for a number that is not one.
func (s *settingRow) value() (string, bool) {
	switch {
	case s.check != nil:
		return strconv.FormatBool(s.check.Checked), true
	case s.choice != nil:
		if i := s.choice.SelectedIndex(); i > 0 && i < len(guestValues) {
			return guestValues[i], true
		}
		return "", true
	default:
		v := strings.TrimSpace(s.number.Text)
		if v == "" {
			return "", true
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 100000 {
			return v, false
		}
		return strconv.Itoa(n), true
	}
}

// showRoomEditor opens the editor for orig, or for a new room when nil.
func (u *UI) showRoomEditor(orig *rooms.Room) {
	m := u.mv
	if m.editor != nil || u.svc.Rooms == nil {
		return // one editor at a time
	}
	ed := &roomEditor{u: u, m: m, orig: orig, pol: m.policy}
	m.editor = ed

	ed.name = widget.NewEntry()
	ed.name.SetPlaceHolder(t("ui.room.name_example"))
	ed.name.OnSubmitted = func(string) { ed.save() }
	nameLabel := widget.NewLabelWithStyle(t("ui.room.name"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})

	var names []string
	for _, p := range rooms.Presets() {
		ed.presetIDs = append(ed.presetIDs, p.ID)
		names = append(names, presetName(p.ID))
	}
	ed.explain = widget.NewLabel("")
	ed.explain.Wrapping = fyne.TextWrapWord
	ed.preset = widget.NewRadioGroup(names, func(string) { ed.presetChanged() })
	ed.preset.Required = true
	presetLabel := widget.NewLabelWithStyle(t("ui.room.preset"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})

	settingsBox := container.NewVBox()
	note := widget.NewLabel(t("ui.room.settings_note"))
	note.Wrapping = fyne.TextWrapWord
	settingsBox.Add(note)
	for _, key := range rooms.SettingKeys() {
		row := newSettingRow(key)
		ed.rows = append(ed.rows, row)
		settingsBox.Add(row.box)
	}
	ed.advanced = widget.NewAccordion(widget.NewAccordionItem(t("ui.room.settings"), settingsBox))

	ed.welcome = widget.NewMultiLineEntry()
	ed.welcome.Wrapping = fyne.TextWrapWord
	ed.welcome.SetPlaceHolder(t("ui.room.welcome_example"))
	ed.welcome.SetMinRowsVisible(3)
	welcomeLabel := widget.NewLabelWithStyle(t("ui.room.welcome"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	welcomeHint := widget.NewLabel(t("ui.room.welcome_hint", map[string]any{"Max": rooms.MaxWelcome}))
	welcomeHint.Wrapping = fyne.TextWrapWord

	ed.msg = widget.NewLabel("")
	ed.msg.Wrapping = fyne.TextWrapWord
	ed.msg.Importance = widget.DangerImportance
	ed.msg.Hide()

	// Fill in: the room's values, or the defaults of a new room.
	presetID := rooms.DefaultPreset
	var over rooms.Settings
	if orig != nil {
		ed.name.SetText(orig.Name)
		presetID = orig.Preset
		over = orig.Overrides
		ed.welcome.SetText(orig.Welcome)
	}
	ed.preset.SetSelected(presetName(presetID))
	ed.explain.SetText(presetExplain(presetID))
	ed.showSettings(presetID, over)

	ed.cancelBtn = widget.NewButtonWithIcon(t("ui.room.cancel"), theme.CancelIcon(), ed.close)
	ed.saveBtn = widget.NewButtonWithIcon(t("ui.room.save"), theme.DocumentSaveIcon(), ed.save)
	ed.saveBtn.Importance = widget.HighImportance

	form := container.NewVBox(
		nameLabel, ed.name,
		presetLabel, ed.preset, ed.explain,
		ed.advanced,
		welcomeLabel, ed.welcome, welcomeHint,
	)
	buttons := container.NewVBox(ed.msg, container.NewGridWithColumns(2, ed.cancelBtn, ed.saveBtn))
	content := borderInOrder(nil, buttons, container.NewVScroll(form))
	title := t("ui.room.new_title")
	if orig != nil {
		title = t("ui.room.edit_title", map[string]any{"Name": orig.Name})
	}
	ed.dlg = dialog.NewCustomWithoutButtons(title, content, u.main)
	ed.dlg.SetOnClosed(func() {
		if m.editor == ed {
			m.editor = nil
		}
	})
	ed.dlg.Resize(fyne.NewSize(680, 560))
	ed.dlg.Show()
	u.main.Canvas().Focus(ed.name)
}

// presetID is the chosen preset.
func (ed *roomEditor) presetID() string {
	for i, n := range ed.preset.Options {
		if n == ed.preset.Selected && i < len(ed.presetIDs) {
			return ed.presetIDs[i]
		}
	}
	return rooms.DefaultPreset
}

// presetChanged explains the new preset; its settings replace the shown
// ones (the note in the settings section says so).
func (ed *roomEditor) presetChanged() {
	id := ed.presetID()
	ed.explain.SetText(presetExplain(id))
	if len(ed.rows) > 0 {
		ed.showSettings(id, rooms.Settings{})
	}
}

// showSettings shows the effective settings of preset with over, and locks
// what school IT fixed for that preset.
func (ed *roomEditor) showSettings(preset string, over rooms.Settings) {
	eff, err := rooms.Resolve(preset, over, ed.pol)
	if err != nil {
		eff, _ = rooms.Resolve(rooms.DefaultPreset, rooms.Settings{}, ed.pol)
	}
	for _, row := range ed.rows {
		v, _ := eff.Get(row.key)
		row.set(v, ed.pol.Locked(preset, row.key))
		row.initial, _ = row.value()
		row.over, _ = over.Get(row.key)
	}
}

// overrides are the settings the teacher set apart from the preset,
// without those school IT fixed. bad names a number that is not one.
func (ed *roomEditor) overrides(preset string) (over rooms.Settings, bad string) {
	pr, _ := rooms.FindPreset(preset)
	for _, row := range ed.rows {
		if ed.pol.Locked(preset, row.key) {
			continue
		}
		v, ok := row.value()
		if !ok {
			return over, row.key
		}
		if v == row.initial {
			v = row.over // untouched: as it was
		}
		if base, _ := pr.Settings.Get(row.key); v != "" && v != base {
			_ = over.Set(row.key, v) // value() returns only valid values
		}
	}
	return over, ""
}

func (ed *roomEditor) fail(msg string) {
	ed.msg.SetText(msg)
	ed.msg.Show()
}

// save checks the form, then adds or updates the room in the background.
func (ed *roomEditor) save() {
	name := strings.TrimSpace(ed.name.Text)
	if err := rooms.ValidateName(name); err != nil {
		ed.fail(t("ui.room.name_invalid"))
		ed.u.main.Canvas().Focus(ed.name)
		return
	}
	preset := ed.presetID()
	over, bad := ed.overrides(preset)
	if bad != "" {
		ed.fail(t("ui.room.number_invalid", map[string]any{"Setting": t("ui.room.setting." + bad)}))
		return
	}
	welcome := strings.TrimSpace(ed.welcome.Text)
	if utf8.RuneCountInString(welcome) > rooms.MaxWelcome {
		ed.fail(t("ui.room.welcome_too_long", map[string]any{"Max": rooms.MaxWelcome}))
		return
	}
	ed.msg.Hide()
	ed.saveBtn.Disable()
	rs, pol, orig := ed.u.svc.Rooms, ed.pol, ed.orig
	apply := func(r *rooms.Room) error {
		r.Name, r.Preset, r.Overrides, r.Welcome = name, preset, over, welcome
		return pol.CheckOverrides(preset, over)
	}
	ed.m.goBG(func() {
		var r rooms.Room
		var err error
		if orig == nil {
			r, err = rs.Add(name, preset)
			if err == nil && (!over.IsZero() || welcome != "") {
				r, err = rs.Update(name, apply)
			}
		} else {
			r, err = rs.Update(orig.Name, apply)
		}
		var msg string
		if err != nil {
			msg = ed.u.explain(err)
		}
		mainDo(func() {
			if err != nil {
				ed.fail(msg)
				ed.saveBtn.Enable()
				return
			}
			ed.close()
			if orig != nil && orig.Name != r.Name {
				ed.m.closeLinks(orig.Name) // titled with the old name
			}
			ed.m.selected = r.Name
			ed.m.reload(r.Name)
		})
	})
}

func (ed *roomEditor) close() {
	ed.dlg.Hide()
	if ed.m.editor == ed {
		ed.m.editor = nil
	}
}

// confirmRemoveRoom asks, then deletes the room.
func (u *UI) confirmRemoveRoom(name string) {
	m := u.mv
	d := dialog.NewConfirm(t("ui.room.remove_title"), t("ui.room.remove_confirm", map[string]any{"Name": name}),
		func(ok bool) {
			if !ok {
				return
			}
			rs := u.svc.Rooms
			m.goBG(func() {
				err := rs.Remove(name)
				var msg string
				if err != nil {
					msg = u.explain(err)
				}
				mainDo(func() {
					if err != nil {
						u.showMessage(t("ui.main.error_title"), msg, nil)
						return
					}
					if m.selected == name {
						m.selected = ""
					}
					m.closeLinks(name)
					m.reload("")
				})
			})
		}, u.main)
	d.SetConfirmText(t("ui.room.remove_yes"))
	d.SetDismissText(t("ui.room.cancel"))
	d.Show()
}

// confirmRotate explains what new student links mean, then gives the room
// a new meeting ID: every link handed out before stops working.
func (u *UI) confirmRotate(name string) {
	m := u.mv
	d := dialog.NewConfirm(t("ui.room.rotate_title"), t("ui.room.rotate_confirm", map[string]any{"Name": name}),
		func(ok bool) {
			if !ok {
				return
			}
			rs := u.svc.Rooms
			m.goBG(func() {
				r, err := rs.Update(name, func(r *rooms.Room) error { r.RotateMeetingID(); return nil })
				var msg string
				if err != nil {
					msg = u.explain(err)
				}
				mainDo(func() {
					if err != nil {
						u.showMessage(t("ui.main.error_title"), msg, nil)
						return
					}
					m.putRoom(name, r)
					m.closeLinks(name) // its links are dead now
					u.showMessage(t("ui.room.rotated_title"), t("ui.room.rotated", map[string]any{"Name": name}), nil)
				})
			})
		}, u.main)
	d.SetConfirmText(t("ui.room.rotate_yes"))
	d.SetDismissText(t("ui.room.cancel"))
	d.Show()
}
