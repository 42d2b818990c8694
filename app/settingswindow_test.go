package app

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

// showSettings opens the settings window over st and returns its view.
func showSettings(t *testing.T, st *fakeSettingsStore, opts ...Options) (*UI, *settingsView) {
	t.Helper()
	u := newPFUI(t, Services{Settings: st})
	if len(opts) > 0 {
		u.opts = opts[0]
	}
	u.ShowSettings()
	serviceCalls.Wait()
	w := u.findWindowOf(isSettings)
	if w == nil {
		t.Fatal("no settings window")
	}
	return u, w.Content().(*settingsView)
}

func TestSettingsRoundTrip(t *testing.T) {
	st := &fakeSettingsStore{s: AppSettings{Language: "en", Browser: "", TeacherName: "Herr Adler", CheckBeforeLesson: true, CloseToTray: false}}
	u, v := showSettings(t, st, Options{TrayAvailable: func() bool { return true }})
	if v.language.Value() != "en" || v.browser.Value() != "" || v.teacher.Text != "Herr Adler" || !v.checkBefore.Checked || v.closeToTray.Checked {
		t.Fatal("the window does not show the stored settings")
	}
	shown := shownTexts(v.content)
	if !containsText(shown, t2("ui.settings.language_restart")) {
		t.Error("the window does not say that a new language needs a restart")
	}
	if containsText(shown, t2("ui.settings.locked")) || containsText(shown, t2("ui.settings.no_tray")) {
		t.Error("nothing is locked and a tray exists, yet a note says otherwise")
	}

	v.language.SetValue("de")
	v.browser.SetSelectedIndex(2)
	wantBrowser := browserOptions()[2].value
	v.teacher.SetText("")
	test.Type(v.teacher, "Frau Özdemir")
	test.Tap(v.checkBefore)
	test.Tap(v.closeToTray)
	test.Tap(v.save)
	serviceCalls.Wait()

	want := AppSettings{Language: "de", Browser: wantBrowser, TeacherName: "Frau Özdemir", CheckBeforeLesson: false, CloseToTray: true}
	if s, saves := st.saved(); s != want || saves != 1 {
		t.Errorf("saved %+v (%d saves), want %+v", s, saves, want)
	}
	if u.findWindowOf(isSettings) != nil {
		t.Error("the window stays open after saving")
	}

	// Opening again shows what was saved.
	u.ShowSettings()
	serviceCalls.Wait()
	v2 := u.findWindowOf(isSettings).Content().(*settingsView)
	if v2.language.Value() != "de" || v2.teacher.Text != "Frau Özdemir" || !v2.closeToTray.Checked {
		t.Error("the second opening does not show the saved settings")
	}
}

func TestSettingsCancelKeepsStore(t *testing.T) {
	st := &fakeSettingsStore{s: AppSettings{TeacherName: "A"}}
	u, v := showSettings(t, st)
	v.teacher.SetText("B")
	test.Tap(v.cancel)
	serviceCalls.Wait()
	if s, saves := st.saved(); saves != 0 || s.TeacherName != "A" {
		t.Errorf("cancel saved %+v", s)
	}
	if u.findWindowOf(isSettings) != nil {
		t.Error("cancel did not close the window")
	}
}

func TestSettingsLockedKeys(t *testing.T) {
	st := &fakeSettingsStore{
		s:      AppSettings{Language: "de", Browser: "firefox", CheckBeforeLesson: true, CloseToTray: true},
		locked: map[string]bool{lockLanguage: true, lockCheckBefore: true},
	}
	_, v := showSettings(t, st)
	if !v.language.Disabled() || !v.checkBefore.Disabled() {
		t.Error("locked settings are not disabled")
	}
	if v.browser.Disabled() || v.teacher.Disabled() || v.closeToTray.Disabled() {
		t.Error("unlocked settings are disabled")
	}
	n := 0
	for _, s := range shownTexts(v.content) {
		if s == t2("ui.settings.locked") {
			n++
		}
	}
	if n != 2 {
		t.Errorf("%d notes %q, want 2", n, t2("ui.settings.locked"))
	}
	// Locked values stay as IT set them, whatever the widgets say.
	v.language.SetValue("en")
	v.checkBefore.SetChecked(false)
	v.closeToTray.SetChecked(false)
	test.Tap(v.save)
	serviceCalls.Wait()
	s, _ := st.saved()
	if s.Language != "de" || !s.CheckBeforeLesson || s.CloseToTray {
		t.Errorf("saved %+v: locked keys changed or unlocked key lost", s)
	}
}

func TestSettingsKeyboardOrder(t *testing.T) {
	st := &fakeSettingsStore{locked: map[string]bool{lockLanguage: true}}
	_, v := showSettings(t, st)
	c := v.win.Canvas()
	// The locked language is skipped; then reading order.
	want := []any{v.browser, v.teacher, v.checkBefore, v.closeToTray, v.cancel, v.save}
	for i, w := range want {
		if got := c.Focused(); got != w {
			t.Fatalf("focus step %d: %T, want %T", i, got, w)
		}
		test.FocusNext(c)
	}
}

func TestSettingsSaveFails(t *testing.T) {
	st := &fakeSettingsStore{saveErr: errPoolRejected}
	u := newPFUI(t, Services{Settings: st, Lessons: pfExplainLessons{}})
	u.ShowSettings()
	serviceCalls.Wait()
	v := u.findWindowOf(isSettings).Content().(*settingsView)
	test.Tap(v.save)
	serviceCalls.Wait()
	if !v.status.Visible() || !strings.HasPrefix(v.status.Text, t2("ui.settings.save_failed")) || !strings.Contains(v.status.Text, "The pool rejects the secret.") {
		t.Errorf("status %q (shown %v)", v.status.Text, v.status.Visible())
	}
	if u.findWindowOf(isSettings) == nil || v.save.Disabled() {
		t.Error("after a failed save the window should stay, ready to retry")
	}
}

func TestSettingsNoTrayAndSingleWindow(t *testing.T) {
	st := &fakeSettingsStore{}
	u, _ := showSettings(t, st) // Options{}: no tray
	w := u.findWindowOf(isSettings)
	if !containsText(shownTexts(w.Content()), t2("ui.settings.no_tray")) {
		t.Error("without a tray the window should say what closing does")
	}
	u.ShowSettings()
	serviceCalls.Wait()
	n := 0
	for _, w := range u.app.Driver().AllWindows() {
		if isSettings(w.Content()) {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d settings windows", n)
	}
}

func TestOptionSelectKeepsUnknownValue(t *testing.T) {
	s := newOptionSelect(browserOptions(), "/opt/school/browser")
	if s.Value() != "/opt/school/browser" {
		t.Errorf("value %q", s.Value())
	}
	s.SetValue("")
	if s.Value() != "" || s.Selected != t2("ui.settings.browser_default") {
		t.Errorf("default browser: %q %q", s.Value(), s.Selected)
	}
}

// Regression: the error line after a failed save grew the form, but the
// scroll kept its old height, so the message could end up out of reach.
func TestSettingsSaveErrorReachable(t *testing.T) {
	st := &fakeSettingsStore{saveErr: errPoolRejected}
	_, v := showSettings(t, st)
	v.win.Resize(fyne.NewSize(520, 600))
	test.Tap(v.save)
	serviceCalls.Wait()
	if !v.status.Visible() {
		t.Fatal("no error line after a failed save")
	}
	if got, min := v.scroll.Content.Size().Height, v.scroll.Content.MinSize().Height; got < min {
		t.Errorf("scroll content is %.0f high but needs %.0f: the error line is cut off", got, min)
	}
}

// Escape closes the settings window from every field it can focus, as
// Fyne's driver delivers it (to the focused widget; typeKey). It opens with
// a field focused, so a canvas-only handler never saw the key.
func TestSettingsEscapeClosesWithFocus(t *testing.T) {
	for step := range 6 { // browser, name, two checks, cancel, save
		st := &fakeSettingsStore{locked: map[string]bool{lockLanguage: true}}
		u, v := showSettings(t, st)
		c := v.win.Canvas()
		for range step {
			test.FocusNext(c)
		}
		focused := c.Focused()
		if focused == nil {
			t.Fatalf("step %d: nothing has the focus", step)
		}
		typeKey(c, fyne.KeyEscape)
		if u.findWindowOf(isSettings) != nil {
			t.Errorf("Escape with focus on %T (step %d) did not close the settings", focused, step)
			v.win.Close()
		}
	}
}

// A language IT fixed shows why it is locked, not when "a new language"
// would apply (the teacher cannot choose one); an open one keeps the hint.
// Both in the settings and in the first-run window.
func TestLockedLanguageHasNoRestartHint(t *testing.T) {
	hint := t2("ui.settings.language_restart")
	for _, locked := range []bool{true, false} {
		st := &fakeSettingsStore{locked: map[string]bool{lockLanguage: locked}, s: AppSettings{Language: "de"}}
		_, v := showSettings(t, st)
		if got := containsText(shownTexts(v.win.Content()), hint); got == locked {
			t.Errorf("settings, language locked %v: restart hint shown %v", locked, got)
		}
		v.win.Close()

		setup := &fakeSetup{needs: true, managed: true, managedName: "Land", managedURL: "https://bbb.land.example/bigbluebutton/"}
		u, _ := showFirstRun(t, Services{Setup: setup, Settings: st})
		fv := frView(t, u)
		if got := containsText(shownTexts(fv.win.Content()), hint); got == locked {
			t.Errorf("first run, language locked %v: restart hint shown %v", locked, got)
		}
	}
}
