package app

import (
	"context"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

func frView(t *testing.T, u *UI) *firstRunView {
	t.Helper()
	w := u.findWindowOf(isFirstRun)
	if w == nil {
		t.Fatal("no first-run window")
	}
	return w.Content().(*firstRunView)
}

// showFirstRun opens the first run and counts done calls.
func showFirstRun(t *testing.T, svc Services) (*UI, *int) {
	t.Helper()
	u := newPFUI(t, svc)
	n := new(int)
	u.ShowFirstRun(func() { *n++ })
	serviceCalls.Wait()
	return u, n
}

func TestFirstRunSkippedWhenPoolIsReady(t *testing.T) {
	setup := &fakeSetup{needs: false}
	u, n := showFirstRun(t, Services{Setup: setup, Settings: &fakeSettingsStore{}})
	if *n != 1 {
		t.Fatalf("done called %d times, want 1", *n)
	}
	if w := u.findWindowOf(isFirstRun); w != nil {
		t.Error("a first-run window opened although the pool is ready")
	}
	if calls, _ := setup.added(); calls != 0 {
		t.Error("AddPool called")
	}
}

func TestFirstRunStoresPoolAndPreferences(t *testing.T) {
	setup := &fakeSetup{needs: true}
	st := &fakeSettingsStore{s: AppSettings{TeacherName: "Frau Berger", CheckBeforeLesson: true}}
	u, n := showFirstRun(t, Services{Setup: setup, Settings: st})
	v := frView(t, u)
	c := v.win.Canvas()
	if c.Focused() != v.url {
		t.Errorf("focus on %v, want the pool address", c.Focused())
	}
	if v.finish.Disabled() == false {
		t.Error("'Done' is enabled before a pool is stored")
	}
	test.Type(v.url, "https://bbb.schule.example/bigbluebutton/")
	v.name.SetText("")
	test.Type(v.name, "Schule")
	test.Type(v.secret, "s3cret")
	if !v.secret.Password {
		t.Error("the secret entry does not hide its text")
	}
	test.Tap(v.test)
	serviceCalls.Wait()

	calls, pools := setup.added()
	if calls != 1 || len(pools) != 1 || pools[0] != (addedPool{"Schule", "https://bbb.schule.example/bigbluebutton/", "s3cret"}) {
		t.Fatalf("AddPool: %d calls, pools %+v", calls, pools)
	}
	if !strings.HasPrefix(v.status.Text, t2("ui.preflight.word.pass")) || !strings.Contains(v.status.Text, t2("ui.firstrun.saved")) {
		t.Errorf("status %q", v.status.Text)
	}
	if v.secret.Text != "" {
		t.Error("the secret stays in the window after it went to the keyring")
	}
	if v.finish.Disabled() || c.Focused() != v.finish {
		t.Error("after saving, 'Done' should be enabled and focused")
	}

	v.language.SetValue("de")
	v.browser.SetSelectedIndex(1) // the first named browser
	wantBrowser := browserOptions()[1].value
	test.Tap(v.finish)
	serviceCalls.Wait()
	s, saves := st.saved()
	if saves != 1 || s.Language != "de" || s.Browser != wantBrowser || s.TeacherName != "Frau Berger" || !s.CheckBeforeLesson {
		t.Errorf("saved %+v after %d saves", s, saves)
	}
	if *n != 1 || !v.closed {
		t.Errorf("done %d times, closed %v", *n, v.closed)
	}
}

func TestFirstRunAddPoolFails(t *testing.T) {
	for name, lessons := range map[string]Lessons{
		"explained": pfExplainLessons{},
		"generic":   nil,
	} {
		t.Run(name, func(t *testing.T) {
			setup := &fakeSetup{needs: true, addErr: errPoolRejected}
			st := &fakeSettingsStore{}
			u, n := showFirstRun(t, Services{Setup: setup, Settings: st, Lessons: lessons})
			v := frView(t, u)
			test.Type(v.url, "https://bbb.example")
			test.Type(v.secret, "wrong")
			v.secret.OnSubmitted(v.secret.Text) // Enter in the secret field
			serviceCalls.Wait()

			want := t2("ui.main.error_generic")
			if lessons != nil {
				want = "The pool rejects the secret."
			}
			if !strings.HasPrefix(v.status.Text, t2("ui.preflight.word.fail")) || !strings.Contains(v.status.Text, want) {
				t.Errorf("status %q, want the word Problem and %q", v.status.Text, want)
			}
			if calls, pools := setup.added(); calls != 1 || len(pools) != 0 {
				t.Errorf("AddPool %d calls, stored %+v", calls, pools)
			}
			if v.finish.Disabled() == false || v.test.Disabled() || v.url.Disabled() || v.secret.Disabled() {
				t.Error("after a failure the fields must be editable again and 'Done' disabled")
			}
			if v.secret.Text != "wrong" {
				t.Error("the secret should stay for correcting it")
			}
			if _, saves := st.saved(); saves != 0 || *n != 0 {
				t.Errorf("%d settings saves, done %d times", saves, *n)
			}
		})
	}
}

func TestFirstRunAsksForMissingFields(t *testing.T) {
	setup := &fakeSetup{needs: true}
	u, _ := showFirstRun(t, Services{Setup: setup})
	v := frView(t, u)
	test.Tap(v.test)
	if !strings.Contains(v.status.Text, t2("ui.firstrun.missing_url")) || v.win.Canvas().Focused() != v.url {
		t.Errorf("status %q, focus %v", v.status.Text, v.win.Canvas().Focused())
	}
	test.Type(v.url, "https://bbb.example")
	test.Tap(v.test)
	if !strings.Contains(v.status.Text, t2("ui.firstrun.missing_secret")) || v.win.Canvas().Focused() != v.secret {
		t.Errorf("status %q, focus %v", v.status.Text, v.win.Canvas().Focused())
	}
	serviceCalls.Wait()
	if calls, _ := setup.added(); calls != 0 {
		t.Error("AddPool called with missing fields")
	}
}

func TestFirstRunManagedPoolAsksOnlyForSecret(t *testing.T) {
	setup := &fakeSetup{needs: true, managed: true, managedName: "Landesschulpool", managedURL: "https://bbb.land.example/bigbluebutton/"}
	st := &fakeSettingsStore{locked: map[string]bool{lockLanguage: true}, s: AppSettings{Language: "en"}}
	u, n := showFirstRun(t, Services{Setup: setup, Settings: st})
	v := frView(t, u)
	if v.name.Text != "Landesschulpool" || v.url.Text != "https://bbb.land.example/bigbluebutton/" {
		t.Errorf("prefilled %q %q", v.name.Text, v.url.Text)
	}
	if !v.name.Disabled() || !v.url.Disabled() || v.secret.Disabled() {
		t.Error("IT's name and address should be locked, the secret open")
	}
	if !v.language.Disabled() || v.browser.Disabled() {
		t.Error("the locked language should be disabled, the browser not")
	}
	shown := shownTexts(v.content)
	locked := 0
	for _, s := range shown {
		if s == t2("ui.settings.locked") {
			locked++
		}
	}
	if locked != 3 { // address, name, language
		t.Errorf("%d locked notes shown, want 3", locked)
	}
	if !containsText(shown, t2("ui.firstrun.intro_managed")) {
		t.Error("the managed intro is missing")
	}
	c := v.win.Canvas()
	if c.Focused() != v.secret {
		t.Errorf("focus on %v, want the secret", c.Focused())
	}
	test.Type(v.secret, "topsecret")
	v.secret.OnSubmitted(v.secret.Text)
	serviceCalls.Wait()
	_, pools := setup.added()
	if len(pools) != 1 || pools[0] != (addedPool{"Landesschulpool", "https://bbb.land.example/bigbluebutton/", "topsecret"}) {
		t.Fatalf("stored %+v", pools)
	}
	v.language.SetValue("de") // disabled: must not reach the settings
	test.Tap(v.finish)
	serviceCalls.Wait()
	if s, _ := st.saved(); s.Language != "en" {
		t.Errorf("a locked language was changed to %q", s.Language)
	}
	if *n != 1 {
		t.Errorf("done %d times", *n)
	}
}

func TestFirstRunLaterCallsDoneOnce(t *testing.T) {
	setup := &fakeSetup{needs: true}
	u, n := showFirstRun(t, Services{Setup: setup})
	v := frView(t, u)
	test.Tap(v.later)
	v.close() // a second close (window manager) must not call done again
	if *n != 1 {
		t.Errorf("done %d times, want 1", *n)
	}
	if calls, _ := setup.added(); calls != 0 {
		t.Error("AddPool called")
	}
}

func TestFirstRunKeyboardOrder(t *testing.T) {
	u, _ := showFirstRun(t, Services{Setup: &fakeSetup{needs: true}})
	v := frView(t, u)
	c := v.win.Canvas()
	// Reading order; the disabled 'Done' is skipped until a pool is stored.
	want := []any{v.url, v.name, v.secret, v.test, v.language, v.browser, v.later}
	for i, w := range want {
		if got := c.Focused(); got != w {
			t.Fatalf("focus step %d: %T, want %T", i, got, w)
		}
		test.FocusNext(c)
	}
}

// AddPool gets a context that ends when the window closes.
func TestFirstRunCloseCancelsTest(t *testing.T) {
	block := &blockingSetup{fakeSetup: fakeSetup{needs: true}, started: make(chan struct{})}
	u, n := showFirstRun(t, Services{Setup: block})
	v := frView(t, u)
	test.Type(v.url, "https://bbb.example")
	test.Type(v.secret, "x")
	test.Tap(v.test)
	<-block.started
	v.win.Close()
	serviceCalls.Wait()
	if *n != 1 {
		t.Errorf("done %d times", *n)
	}
}

type blockingSetup struct {
	fakeSetup
	started chan struct{}
}

func (b *blockingSetup) AddPool(ctx context.Context, name, url, secret string) error {
	close(b.started)
	<-ctx.Done()
	return ctx.Err()
}

func TestFirstRunTwiceOpensOneWindow(t *testing.T) {
	u, n := showFirstRun(t, Services{Setup: &fakeSetup{needs: true}})
	m := 0
	u.ShowFirstRun(func() { m++ })
	serviceCalls.Wait()
	count := 0
	for _, w := range u.app.Driver().AllWindows() {
		if isFirstRun(w.Content()) {
			count++
		}
	}
	if count != 1 {
		t.Fatalf("%d first-run windows", count)
	}
	test.Tap(frView(t, u).later)
	if *n != 1 || m != 1 {
		t.Errorf("done calls %d and %d, want 1 and 1", *n, m)
	}
}

func TestFirstRunManagedWithoutAddressIsNotLocked(t *testing.T) {
	setup := &fakeSetup{needs: true, managed: true, managedName: "Land"}
	u, _ := showFirstRun(t, Services{Setup: setup})
	v := frView(t, u)
	if v.url.Disabled() || v.name.Disabled() {
		t.Error("a managed pool without an address must not lock the fields")
	}
}

// Regression: after the pool test showed its status line, the window's
// scroll kept its old content height, so language and browser at the
// bottom could no longer be reached (seen under Xvfb at 560x680).
func TestFirstRunScrollsToTheEndAfterStatus(t *testing.T) {
	setup := &fakeSetup{needs: true}
	u, _ := showFirstRun(t, Services{Setup: setup, Settings: &fakeSettingsStore{}})
	v := frView(t, u)
	v.win.Resize(fyne.NewSize(560, 680))
	test.Tap(v.test) // no address: a status line appears
	serviceCalls.Wait()
	if !v.status.Visible() {
		t.Fatal("no status line")
	}
	if got, min := v.scroll.Content.Size().Height, v.scroll.Content.MinSize().Height; got < min {
		t.Errorf("scroll content is %.0f high but needs %.0f: the end of the form is cut off", got, min)
	}
}

// Regression: after the pool was saved the window still offered "Set up
// later" next to "Done", which reads as if nothing had been set up.
func TestFirstRunHidesLaterOnceSaved(t *testing.T) {
	setup := &fakeSetup{needs: true}
	u, _ := showFirstRun(t, Services{Setup: setup, Settings: &fakeSettingsStore{}})
	v := frView(t, u)
	if !v.later.Visible() {
		t.Fatal("'Set up later' missing before the pool is saved")
	}
	test.Type(v.url, "https://bbb.schule.example/bigbluebutton/")
	test.Type(v.secret, "s3cret")
	test.Tap(v.test)
	serviceCalls.Wait()
	if !v.poolSaved {
		t.Fatal("pool not saved")
	}
	if v.later.Visible() {
		t.Error("'Set up later' still shown after the pool was saved")
	}
}
