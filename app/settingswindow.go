package app

import (
	"runtime"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// Settings keys school IT can lock (Settings.Locked).
const (
	lockLanguage    = "language"
	lockBrowser     = "browser"
	lockCheckBefore = "check_before_lesson"
	lockCloseToTray = "close_to_tray"
	lockPool        = "pool"
)

// settingOption is one entry of a drop-down: the stored value and what it shows.
type settingOption struct{ value, label string }

// optionSelect is a drop-down over values, not labels (labels are
// translated, values are what the settings store). It extends
// widget.Select the way Fyne requires (embedded by value, ExtendBaseWidget
// on itself): a wrapper around a *widget.Select would be a second widget
// in the tree, and the Select's own refreshes and pop-up look for the
// inner one, which is in no canvas: the list never opened and a new value
// was never drawn.
type optionSelect struct {
	widget.Select
	options  []settingOption
	onEscape func() // nil: Escape does what it does in a Select
}

// TypedKey implements fyne.Focusable: Escape closes the window (see escCheck).
func (s *optionSelect) TypedKey(ev *fyne.KeyEvent) {
	if ev.Name == fyne.KeyEscape && s.onEscape != nil {
		s.onEscape()
		return
	}
	s.Select.TypedKey(ev)
}

func newOptionSelect(options []settingOption, current string) *optionSelect {
	found := false
	for _, c := range options {
		if c.value == current {
			found = true
		}
	}
	if !found { // a value set elsewhere (IT, CLI) stays visible and kept
		options = append(options, settingOption{current, current})
	}
	labels := make([]string, len(options))
	for i, c := range options {
		labels[i] = c.label
	}
	s := &optionSelect{options: options}
	s.ExtendBaseWidget(s)
	s.Options = labels
	s.SetValue(current)
	return s
}

// Value is the stored value of the selected entry.
func (s *optionSelect) Value() string {
	if i := s.SelectedIndex(); i >= 0 && i < len(s.options) {
		return s.options[i].value
	}
	return ""
}

// SetValue selects the entry for value.
func (s *optionSelect) SetValue(value string) {
	for i, c := range s.options {
		if c.value == value {
			s.SetSelectedIndex(i)
			return
		}
	}
}

// languageOptions: the endonyms stay untranslated, so a teacher finds their
// language whatever the interface shows now.
func languageOptions() []settingOption {
	return []settingOption{
		{"", t("ui.settings.language_system")},
		{"de", "Deutsch"},
		{"en", "English"},
	}
}

// browserOptions are the browsers recommended for BigBlueButton, named as
// the OS's opener expects them (an executable on Linux, an application
// name on macOS, a name "start" resolves on Windows).
func browserOptions() []settingOption {
	c := []settingOption{{"", t("ui.settings.browser_default")}}
	switch runtime.GOOS {
	case "windows":
		return append(c, settingOption{"firefox", "Firefox"}, settingOption{"chrome", "Google Chrome"}, settingOption{"msedge", "Microsoft Edge"})
	case "darwin":
		return append(c, settingOption{"Firefox", "Firefox"}, settingOption{"Google Chrome", "Google Chrome"}, settingOption{"Chromium", "Chromium"})
	}
	return append(c, settingOption{"firefox", "Firefox"}, settingOption{"chromium", "Chromium"}, settingOption{"google-chrome", "Google Chrome"})
}

// hint is a small explanatory line under a field.
func noteLabel(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	l.SizeName = theme.SizeNameCaptionText
	return l
}

// languageNotes: when a new language applies; nothing to say about that
// when IT fixed it (the locked note says why it cannot change).
func languageNotes(locked bool) []fyne.CanvasObject {
	if locked {
		return nil
	}
	return []fyne.CanvasObject{noteLabel(t("ui.settings.language_restart"))}
}

// lockedNote says why a widget is disabled (words, not just a grey widget).
func lockedNote() fyne.CanvasObject {
	l := noteLabel(t("ui.settings.locked"))
	l.TextStyle = fyne.TextStyle{Italic: true}
	return l
}

// field is a labelled input: a visible label (not a placeholder), the
// widget, then its notes. A locked field is disabled and says so.
func labeledField(label string, w fyne.Disableable, locked bool, notes ...fyne.CanvasObject) fyne.CanvasObject {
	objs := []fyne.CanvasObject{widget.NewLabelWithStyle(label, fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), w.(fyne.CanvasObject)}
	objs = append(objs, notes...)
	if locked {
		w.Disable()
		objs = append(objs, lockedNote())
	}
	return container.NewVBox(objs...)
}

// settingsView is the settings window's content.
type settingsView struct {
	widget.BaseWidget
	u       *UI
	win     fyne.Window
	loaded  AppSettings
	locked  map[string]bool
	content fyne.CanvasObject
	scroll  *container.Scroll

	language    *optionSelect
	browser     *optionSelect
	teacher     *escEntry
	checkBefore *escCheck
	closeToTray *escCheck
	status      *widget.Label
	save        *escButton
	cancel      *escButton
}

// ShowSettings opens the settings window, or brings it to the front.
func (u *UI) ShowSettings() {
	if w := u.findWindowOf(isSettings); w != nil {
		w.Show()
		w.RequestFocus()
		return
	}
	if u.svc.Settings == nil {
		return
	}
	runService(func() {
		s := u.svc.Settings.Load()
		locked := map[string]bool{}
		for _, k := range []string{lockLanguage, lockBrowser, lockCheckBefore, lockCloseToTray} {
			locked[k] = u.svc.Settings.Locked(k)
		}
		tray := u.opts.TrayAvailable != nil && u.opts.TrayAvailable()
		fyne.Do(func() {
			if w := u.findWindowOf(isSettings); w != nil { // opened twice quickly
				w.Show()
				return
			}
			u.openSettings(s, locked, tray)
		})
	})
}

func isSettings(o fyne.CanvasObject) bool { _, ok := o.(*settingsView); return ok }

// findWindowOf finds an open window of Tafel's by its content.
func (u *UI) findWindowOf(is func(fyne.CanvasObject) bool) fyne.Window {
	for _, w := range u.app.Driver().AllWindows() {
		if c := w.Content(); c != nil && is(c) {
			return w
		}
	}
	return nil
}

func (u *UI) openSettings(s AppSettings, locked map[string]bool, tray bool) *settingsView {
	w := u.newToolWindow(t("ui.settings.title"))
	v := &settingsView{u: u, win: w, loaded: s, locked: locked}

	v.language = newOptionSelect(languageOptions(), s.Language)
	v.browser = newOptionSelect(browserOptions(), s.Browser)
	// Escape closes the window from every field (Fyne gives the key to the
	// focused one only, and the window opens with one focused).
	v.language.onEscape, v.browser.onEscape = w.Close, w.Close
	v.teacher = newEscEntry(w.Close)
	v.teacher.SetText(s.TeacherName)
	v.checkBefore = newEscCheck(t("ui.settings.check_before", map[string]any{"Minutes": int(CheckMaxAge.Minutes())}), nil, w.Close)
	v.checkBefore.SetChecked(s.CheckBeforeLesson)
	v.closeToTray = newEscCheck(t("ui.settings.close_to_tray"), nil, w.Close)
	v.closeToTray.SetChecked(s.CloseToTray)
	var trayNotes []fyne.CanvasObject
	if !tray {
		trayNotes = append(trayNotes, noteLabel(t("ui.settings.no_tray")))
	}
	v.status = widget.NewLabel("")
	v.status.Wrapping = fyne.TextWrapWord
	v.status.Hide()
	v.save = newEscButton(t("ui.settings.save"), theme.DocumentSaveIcon(), v.doSave, w.Close)
	v.save.Importance = widget.HighImportance
	v.cancel = newEscButton(t("ui.settings.cancel"), nil, w.Close, w.Close)

	// Built in reading order: Tab follows it.
	body := container.NewVBox(
		labeledField(t("ui.settings.language"), v.language, locked[lockLanguage], languageNotes(locked[lockLanguage])...),
		labeledField(t("ui.settings.browser"), v.browser, locked[lockBrowser], noteLabel(t("ui.settings.browser_hint"))),
		labeledField(t("ui.settings.teacher_name"), v.teacher, false, noteLabel(t("ui.settings.teacher_name_hint"))),
		labeledField(t("ui.settings.lesson"), v.checkBefore, locked[lockCheckBefore]),
		labeledField(t("ui.settings.window"), v.closeToTray, locked[lockCloseToTray], trayNotes...),
		v.status,
	)
	buttons := container.NewHBox(layout.NewSpacer(), v.cancel, v.save)
	v.scroll = container.NewVScroll(container.NewPadded(body))
	v.content = container.NewBorder(nil, container.NewPadded(buttons), nil, nil, v.scroll)
	v.ExtendBaseWidget(v)

	w.SetContent(v)
	w.Resize(fyne.NewSize(520, 600))
	closeOnEscape(w)
	w.Show()
	v.focusFirst()
	return v
}

// CreateRenderer implements fyne.Widget.
func (v *settingsView) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(v.content)
}

// focusFirst focuses the first field that is not locked.
func (v *settingsView) focusFirst() {
	for _, f := range []fyne.Focusable{v.language, v.browser, v.teacher, v.checkBefore, v.closeToTray, v.save} {
		if d, ok := f.(fyne.Disableable); ok && d.Disabled() {
			continue
		}
		v.win.Canvas().Focus(f)
		return
	}
}

// values is what the window shows, with locked keys kept as loaded.
func (v *settingsView) values() AppSettings {
	s := v.loaded
	if !v.locked[lockLanguage] {
		s.Language = v.language.Value()
	}
	if !v.locked[lockBrowser] {
		s.Browser = v.browser.Value()
	}
	s.TeacherName = v.teacher.Text
	if !v.locked[lockCheckBefore] {
		s.CheckBeforeLesson = v.checkBefore.Checked
	}
	if !v.locked[lockCloseToTray] {
		s.CloseToTray = v.closeToTray.Checked
	}
	return s
}

func (v *settingsView) doSave() {
	s := v.values()
	v.save.Disable()
	v.status.Hide()
	store := v.u.svc.Settings
	runService(func() {
		err := store.Save(s)
		msg := ""
		if err != nil {
			msg = t("ui.settings.save_failed") + " " + v.u.explain(err)
		}
		fyne.Do(func() {
			v.save.Enable()
			if err != nil {
				v.status.SetText(msg)
				v.status.Importance = widget.DangerImportance
				v.status.Show()
				v.scroll.Refresh() // it does not grow on its own
				v.scroll.ScrollToBottom()
				return
			}
			v.win.Close()
		})
	})
}
