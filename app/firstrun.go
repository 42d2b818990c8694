package app

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tafel-schule/tafel/checkreport"
)

// firstRunView is the first-run window's content: the pool (tested before
// anything is stored), then language and browser.
type firstRunView struct {
	widget.BaseWidget
	u       *UI
	win     fyne.Window
	done    func()
	managed bool
	locked  map[string]bool
	content fyne.CanvasObject
	scroll  *container.Scroll

	name       *widget.Entry
	url        *widget.Entry
	secret     *widget.Entry
	test       *widget.Button
	activity   *widget.Activity
	statusIcon *widget.Icon
	status     *widget.Label
	language   *optionSelect
	browser    *optionSelect
	finish     *widget.Button
	later      *widget.Button

	poolSaved bool
	busy      bool
	closed    bool
	doneSent  bool
	cancel    context.CancelFunc
}

// firstRunState is what the first run loads before it shows.
type firstRunState struct {
	settings    AppSettings
	locked      map[string]bool
	managed     bool
	name, url   string
	defaultName string
}

// ShowFirstRun asks for the pool (URL, name and secret, tested at once and
// then kept in the keyring), language and browser, then calls done on the
// Fyne goroutine. When a pool is already usable (for example set up by
// school IT, with its secret) it calls done straight away; with a pool
// pre-configured by IT but no secret yet it asks only for the secret.
// Closing the window ("Later") also calls done, once: the main window then
// tells the teacher that no pool is set up.
func (u *UI) ShowFirstRun(done func()) {
	if u.svc.Setup == nil {
		done()
		return
	}
	if u.joinFirstRun(done) {
		return
	}
	runService(func() {
		if !u.svc.Setup.NeedsPool() {
			fyne.Do(done)
			return
		}
		st := firstRunState{locked: map[string]bool{}, defaultName: t("ui.firstrun.pool_name_default")}
		name, url, ok := u.svc.Setup.ManagedPool()
		// Lock only what IT really filled in: an address is the minimum.
		if ok && strings.TrimSpace(url) != "" {
			st.managed, st.url, st.name = true, url, name
			if strings.TrimSpace(name) == "" {
				st.name = st.defaultName
			}
		}
		if u.svc.Settings != nil {
			st.settings = u.svc.Settings.Load()
			st.locked[lockLanguage] = u.svc.Settings.Locked(lockLanguage)
			st.locked[lockBrowser] = u.svc.Settings.Locked(lockBrowser)
		}
		fyne.Do(func() {
			if !u.joinFirstRun(done) {
				u.openFirstRun(st, done)
			}
		})
	})
}

// joinFirstRun brings an open first-run window to the front and has it call
// done too, so a second ShowFirstRun never opens a second window.
func (u *UI) joinFirstRun(done func()) bool {
	w := u.findWindowOf(isFirstRun)
	if w == nil {
		return false
	}
	v := w.Content().(*firstRunView)
	if v.closed {
		return false
	}
	prev := v.done
	v.done = func() { prev(); done() }
	w.Show()
	w.RequestFocus()
	return true
}

func isFirstRun(o fyne.CanvasObject) bool { _, ok := o.(*firstRunView); return ok }

func (u *UI) openFirstRun(st firstRunState, done func()) *firstRunView {
	w := u.newToolWindow(t("ui.firstrun.title"))
	v := &firstRunView{u: u, win: w, done: done, managed: st.managed, locked: st.locked}

	heading := widget.NewLabelWithStyle(t("ui.firstrun.welcome"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	heading.SizeName = theme.SizeNameSubHeadingText
	introKey := "ui.firstrun.intro"
	if st.managed {
		introKey = "ui.firstrun.intro_managed"
	}
	intro := widget.NewLabel(t(introKey))
	intro.Wrapping = fyne.TextWrapWord

	v.name = widget.NewEntry()
	v.url = widget.NewEntry()
	v.url.SetPlaceHolder("https://bbb.schule.example/bigbluebutton/")
	if st.managed {
		v.name.SetText(st.name)
		v.url.SetText(st.url)
	} else {
		v.name.SetText(st.defaultName)
	}
	v.secret = widget.NewPasswordEntry()
	v.secret.OnSubmitted = func(string) { v.testAndSave() }
	v.test = widget.NewButtonWithIcon(t("ui.firstrun.test_and_save"), theme.ConfirmIcon(), v.testAndSave)
	v.test.Importance = widget.HighImportance
	v.activity = widget.NewActivity()
	v.activity.Hide()
	v.statusIcon = widget.NewIcon(nil)
	v.statusIcon.Hide()
	v.status = widget.NewLabel("")
	v.status.Wrapping = fyne.TextWrapWord
	v.status.Hide()

	v.language = newOptionSelect(languageOptions(), st.settings.Language)
	v.browser = newOptionSelect(browserOptions(), st.settings.Browser)

	v.later = widget.NewButton(t("ui.firstrun.later"), w.Close)
	v.finish = widget.NewButtonWithIcon(t("ui.firstrun.finish"), theme.NavigateNextIcon(), v.doFinish)
	v.finish.Importance = widget.HighImportance
	v.finish.Disable()

	poolTitle := widget.NewLabelWithStyle(t("ui.firstrun.step_pool"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	prefsTitle := widget.NewLabelWithStyle(t("ui.firstrun.step_prefs"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	// Built in reading order: Tab follows it.
	body := container.NewVBox(
		heading, intro,
		widget.NewSeparator(), poolTitle,
		labeledField(t("ui.firstrun.url"), v.url, st.managed, unlessManaged(st.managed, t("ui.firstrun.url_hint"))...),
		labeledField(t("ui.firstrun.name"), v.name, st.managed, unlessManaged(st.managed, t("ui.firstrun.name_hint"))...),
		labeledField(t("ui.firstrun.secret"), v.secret, false, noteLabel(t("ui.firstrun.secret_hint"))),
		container.NewHBox(v.test, v.activity),
		container.NewBorder(nil, nil, v.statusIcon, nil, v.status),
		widget.NewSeparator(), prefsTitle,
		labeledField(t("ui.settings.language"), v.language, st.locked[lockLanguage], languageNotes(st.locked[lockLanguage])...),
		labeledField(t("ui.settings.browser"), v.browser, st.locked[lockBrowser], noteLabel(t("ui.settings.browser_hint"))),
	)
	buttons := container.NewHBox(layout.NewSpacer(), v.later, v.finish)
	v.scroll = container.NewVScroll(container.NewPadded(body))
	v.content = container.NewBorder(nil, container.NewPadded(buttons), nil, nil, v.scroll)
	v.ExtendBaseWidget(v)

	w.SetContent(v)
	w.Resize(fyne.NewSize(560, 680))
	w.SetOnClosed(v.close)
	w.Show()
	if st.managed {
		w.Canvas().Focus(v.secret)
	} else {
		w.Canvas().Focus(v.url)
	}
	return v
}

// unlessManaged is a field's hint, left out when IT fixed the field (how
// to fill it in no longer matters).
func unlessManaged(managed bool, hint string) []fyne.CanvasObject {
	if managed {
		return nil
	}
	return []fyne.CanvasObject{noteLabel(hint)}
}

// CreateRenderer implements fyne.Widget.
func (v *firstRunView) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(v.content)
}

// setStatus shows a traffic light with its word and one sentence.
func (v *firstRunView) setStatus(verdict checkreport.Verdict, msg string) {
	icon, word, imp := verdictLight(verdict)
	v.statusIcon.SetResource(icon)
	v.statusIcon.Show()
	v.status.Importance = imp
	v.status.SetText(t("ui.firstrun.status", map[string]any{"Word": word, "Message": msg}))
	v.status.Show()
	// The scroll does not notice on its own that its content grew: without
	// this, language and browser below could no longer be scrolled to.
	v.scroll.Refresh()
}

func (v *firstRunView) setPoolEditable(on bool) {
	for _, e := range []*widget.Entry{v.name, v.url} {
		if on && !v.managed {
			e.Enable()
		} else {
			e.Disable()
		}
	}
	if on {
		v.secret.Enable()
		v.test.Enable()
	} else {
		v.secret.Disable()
		v.test.Disable()
	}
}

// testAndSave hands the pool to Setup.AddPool, which tests it with the
// secret and stores it only when the pool accepts it.
func (v *firstRunView) testAndSave() {
	if v.busy || v.poolSaved {
		return
	}
	name := strings.TrimSpace(v.name.Text)
	url := strings.TrimSpace(v.url.Text)
	secret := v.secret.Text
	for _, f := range []struct {
		empty bool
		key   string
		entry *widget.Entry
	}{{url == "", "ui.firstrun.missing_url", v.url}, {name == "", "ui.firstrun.missing_name", v.name}, {strings.TrimSpace(secret) == "", "ui.firstrun.missing_secret", v.secret}} {
		if f.empty {
			v.setStatus(checkreport.Fail, t(f.key))
			if !f.entry.Disabled() {
				v.win.Canvas().Focus(f.entry)
			}
			return
		}
	}
	v.busy = true
	v.setPoolEditable(false)
	v.activity.Show()
	v.activity.Start()
	v.setStatus(lightRunning, t("ui.firstrun.testing"))
	ctx, cancel := context.WithCancel(v.u.lifetime())
	v.cancel = cancel
	setup := v.u.svc.Setup
	runService(func() {
		defer cancel()
		err := setup.AddPool(ctx, name, url, secret)
		msg := ""
		if err != nil {
			msg = v.u.explain(err)
		}
		fyne.Do(func() {
			v.busy = false
			v.activity.Stop()
			v.activity.Hide()
			if v.closed {
				return
			}
			if err != nil {
				v.setPoolEditable(true)
				v.setStatus(checkreport.Fail, msg)
				v.win.Canvas().Focus(v.secret)
				return
			}
			v.poolSaved = true
			v.later.Hide() // "set up later" no longer fits once it is set up
			// The secret lives in the keyring now, not in the window.
			v.secret.SetText("")
			v.setStatus(checkreport.Pass, t("ui.firstrun.saved"))
			v.finish.Enable()
			v.win.Canvas().Focus(v.finish)
		})
	})
}

// doFinish stores language and browser, then closes (which calls done).
func (v *firstRunView) doFinish() {
	if !v.poolSaved {
		return
	}
	store := v.u.svc.Settings
	if store == nil || (v.locked[lockLanguage] && v.locked[lockBrowser]) {
		v.win.Close()
		return
	}
	lang, browser := v.language.Value(), v.browser.Value()
	v.finish.Disable()
	runService(func() {
		s := store.Load() // fresh: AddPool may have written the settings
		if !v.locked[lockLanguage] {
			s.Language = lang
		}
		if !v.locked[lockBrowser] {
			s.Browser = browser
		}
		err := store.Save(s)
		msg := ""
		if err != nil {
			msg = t("ui.settings.save_failed") + " " + v.u.explain(err)
		}
		fyne.Do(func() {
			if v.closed {
				return
			}
			if err != nil {
				v.finish.Enable()
				v.setStatus(checkreport.Fail, msg)
				return
			}
			v.win.Close()
		})
	})
}

// close cancels a running test and calls done, exactly once.
func (v *firstRunView) close() {
	if v.closed {
		return
	}
	v.closed = true
	if v.cancel != nil {
		v.cancel()
	}
	if !v.doneSent {
		v.doneSent = true
		v.done()
	}
}
