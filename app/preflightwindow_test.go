package app

import (
	"math"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/tafel-schule/tafel/checkreport"
)

// newPFUI builds the UI on a test app and, at the end, closes every
// window and waits for the goroutines the windows started.
func newPFUI(t *testing.T, svc Services) *UI {
	t.Helper()
	a := test.NewTempApp(t)
	u := New(a, svc, Options{})
	t.Cleanup(func() {
		serviceCalls.Wait()
		if u.preflight != nil {
			v := u.preflight.Content().(*preflightView)
			u.preflight.Close()
			waitGroupDone(t, "pre-flight goroutines", func() { v.runWG.Wait(); v.meterWG.Wait() })
		}
		serviceCalls.Wait()
	})
	return u
}

// waitGroupDone fails the test instead of hanging when wait never returns.
func waitGroupDone(t *testing.T, what string, wait func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatalf("%s did not finish", what)
	}
}

// shownTexts collects the visible texts under o (labels, buttons, checks,
// selects), so tests assert what a teacher sees, not hidden widgets.
func shownTexts(o fyne.CanvasObject) []string {
	var out []string
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		if o == nil || !o.Visible() {
			return
		}
		switch w := o.(type) {
		case *widget.Label:
			out = append(out, w.Text)
			return
		case *widget.Button:
			out = append(out, w.Text)
			return
		case *widget.Check:
			out = append(out, w.Text)
			return
		case *escButton:
			out = append(out, w.Text)
			return
		case *escCheck:
			out = append(out, w.Text)
			return
		case *widget.Select:
			out = append(out, w.Selected)
			return
		case *fyne.Container:
			for _, c := range w.Objects {
				walk(c)
			}
			return
		case fyne.Widget:
			for _, c := range test.WidgetRenderer(w).Objects() {
				walk(c)
			}
		}
	}
	walk(o)
	return out
}

func containsText(texts []string, want string) bool {
	for _, s := range texts {
		if strings.Contains(s, want) {
			return true
		}
	}
	return false
}

func pfResults() []checkreport.Result {
	return []checkreport.Result{
		{Check: checkreport.CheckHeadset, Verdict: checkreport.Pass, Code: "OK", Message: "No echo found."},
		{Check: checkreport.CheckMicrophone, Verdict: checkreport.Warn, Code: "QUIET", Message: "Your microphone is quiet.", Fix: "Move it closer to your mouth."},
		{Check: checkreport.CheckNetwork, Verdict: checkreport.Fail, Code: "blocked", Message: "No media connection.", Fix: "Ask IT to open UDP 3478.",
			Items: []checkreport.Item{
				{Name: "UDP 3478", Verdict: checkreport.Fail, Code: "timeout", Message: "no answer"},
				{Name: "TLS 443", Verdict: checkreport.Pass, Code: "ok", Message: "works"},
			}},
		{Check: checkreport.CheckPool, Verdict: checkreport.Skipped, Code: "NO_POOL", Message: "No pool is set up."},
	}
}

func pfReport(v checkreport.Verdict, results []checkreport.Result) *checkreport.Report {
	return &checkreport.Report{Verdict: v, StartedAt: time.Unix(1700000000, 0).UTC(), DurationMs: 1234, Results: results}
}

func pfView(t *testing.T, u *UI) *preflightView {
	t.Helper()
	if u.preflight == nil {
		t.Fatal("no pre-flight window")
	}
	v, ok := u.preflight.Content().(*preflightView)
	if !ok {
		t.Fatalf("pre-flight window shows %T", u.preflight.Content())
	}
	return v
}

func assertRow(t *testing.T, v *preflightView, check string, verdict checkreport.Verdict, texts ...string) {
	t.Helper()
	r := v.rows[check]
	_, word, imp := verdictLight(verdict)
	if r.verdict != verdict || r.word.Text != word || r.word.Importance != imp {
		t.Errorf("%s: verdict %q word %q, want %q %q", check, r.verdict, r.word.Text, verdict, word)
	}
	if r.icon.Resource == nil {
		t.Errorf("%s: no icon", check)
	}
	shown := shownTexts(r.box)
	for _, s := range texts {
		if !containsText(shown, s) {
			t.Errorf("%s: %q not shown in %q", check, s, shown)
		}
	}
}

func TestPreflightWindowShowsEachVerdict(t *testing.T) {
	pf := &fakePreflight{
		results:   pfResults(),
		report:    pfReport(checkreport.Fail, pfResults()),
		delivered: make(chan struct{}, 1),
		release:   make(chan struct{}),
	}
	u := newPFUI(t, Services{Preflight: pf})
	u.ShowPreflight()
	v := pfView(t, u)
	for _, c := range preflightChecks {
		assertRow(t, v, c, "", t2("ui.preflight.word.pending"))
	}
	if u.preflight.Canvas().Focused() != v.runBtn {
		t.Errorf("focus is on %v, want the run button", u.preflight.Canvas().Focused())
	}

	test.Tap(v.runBtn)
	<-pf.delivered // every result has arrived through onResult; Run still runs
	if !v.runBtn.Disabled() || !v.activity.Visible() {
		t.Error("while running, the button should be disabled and the spinner shown")
	}
	assertRow(t, v, checkreport.CheckHeadset, checkreport.Pass, "No echo found.")
	close(pf.release)
	v.runWG.Wait()

	assertRow(t, v, checkreport.CheckHeadset, checkreport.Pass, "No echo found.")
	assertRow(t, v, checkreport.CheckMicrophone, checkreport.Warn, "Your microphone is quiet.",
		t2("ui.preflight.fix", map[string]any{"Fix": "Move it closer to your mouth."}))
	assertRow(t, v, checkreport.CheckNetwork, checkreport.Fail, "No media connection.",
		t2("ui.preflight.word.fail")+" – UDP 3478: no answer", t2("ui.preflight.word.pass")+" – TLS 443: works")
	assertRow(t, v, checkreport.CheckPool, checkreport.Skipped, "No pool is set up.")
	if v.rows[checkreport.CheckHeadset].fix.Visible() {
		t.Error("a result without a fix shows an empty 'what to do'")
	}
	if n := len(v.rows[checkreport.CheckNetwork].items.Objects); n != 2 {
		t.Errorf("network shows %d transport lights, want 2", n)
	}
	if !strings.HasPrefix(v.summary.Text, t2("ui.preflight.word.fail")) {
		t.Errorf("summary %q does not start with the verdict word", v.summary.Text)
	}
	if v.runBtn.Disabled() || v.activity.Visible() || v.runBtn.Text != t2("ui.preflight.run_again") {
		t.Error("after the run the button should be enabled again, as 'check again'")
	}
	if v.decision.Visible() {
		t.Error("a check the teacher started should not offer 'start anyway'")
	}

	// Details for IT: closed at first, then the whole report as JSON.
	if v.details.Items[0].Open {
		t.Fatal("details should start closed")
	}
	header := test.WidgetRenderer(v.details).Objects()[0].(*widget.Button)
	test.Tap(header)
	if !v.details.Items[0].Open || !v.detailTxt.Visible() {
		t.Fatal("details did not open")
	}
	for _, want := range []string{`"verdict": "fail"`, `"code": "QUIET"`, `"name": "UDP 3478"`, `"duration_ms": 1234`} {
		if !strings.Contains(v.detailTxt.Text, want) {
			t.Errorf("details lack %s", want)
		}
	}
	test.Tap(v.copyBtn)
	if got := u.app.Clipboard().Content(); got != v.detailTxt.Text {
		t.Errorf("clipboard has %q", got)
	}
}

func TestPreflightWindowPassAndWarnSummaries(t *testing.T) {
	for _, verdict := range []checkreport.Verdict{checkreport.Pass, checkreport.Warn, checkreport.Skipped} {
		t.Run(string(verdict), func(t *testing.T) {
			res := []checkreport.Result{{Check: checkreport.CheckPool, Verdict: verdict, Message: "m"}}
			pf := &fakePreflight{report: pfReport(verdict, res)}
			u := newPFUI(t, Services{Preflight: pf})
			u.ShowPreflight()
			v := pfView(t, u)
			test.Tap(v.runBtn)
			v.runWG.Wait()
			_, word, _ := verdictLight(verdict)
			want := t2("ui.preflight.summary."+string(verdict), map[string]any{"Word": word})
			if v.summary.Text != want {
				t.Errorf("summary %q, want %q", v.summary.Text, want)
			}
			// A check that sent no result does not stay "checking".
			assertRow(t, v, checkreport.CheckHeadset, "")
		})
	}
}

func TestPreflightMeterFollowsLevels(t *testing.T) {
	levels := make(chan float64)
	pf := &fakePreflight{levels: levels}
	u := newPFUI(t, Services{Preflight: pf})
	u.ShowPreflight()
	v := pfView(t, u)
	for _, db := range []float64{-60, -40, -12} {
		levels <- db
	}
	close(levels) // the meter shows the last level, then stops
	waitGroupDone(t, "meter", v.meterWG.Wait)
	if want := levelFraction(-12); math.Abs(v.meter.Value-want) > 1e-9 {
		t.Errorf("meter at %v, want %v", v.meter.Value, want)
	}
	if got := v.meter.TextFormatter(); got != t2("ui.preflight.level.good") {
		t.Errorf("meter says %q", got)
	}
	for db, key := range map[float64]string{-70: "silent", -45: "quiet", -20: "good", -1: "loud"} {
		if got := levelWord(levelFraction(db)); got != t2("ui.preflight.level."+key) {
			t.Errorf("%v dBFS: %q, want %s", db, got, key)
		}
	}
	if levelFraction(math.NaN()) != 0 || levelFraction(10) != 1 {
		t.Error("levelFraction must clamp")
	}
}

func TestPreflightMeterStopsWithWindow(t *testing.T) {
	pf := &fakePreflight{} // Levels never sends
	u := newPFUI(t, Services{Preflight: pf})
	u.ShowPreflight()
	v := pfView(t, u)
	u.preflight.Canvas().OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyEscape}) // Esc closes
	waitGroupDone(t, "meter after close", v.meterWG.Wait)
	if u.preflight != nil {
		t.Error("closed window still registered")
	}
	// Showing again opens a fresh window.
	u.ShowPreflight()
	if v2 := pfView(t, u); v2 == v {
		t.Error("a closed view was reused")
	}
}

func TestPreflightMeterUnavailable(t *testing.T) {
	pf := &fakePreflight{levelsErr: errPoolRejected}
	u := newPFUI(t, Services{Preflight: pf})
	u.ShowPreflight()
	v := pfView(t, u)
	waitGroupDone(t, "meter", v.meterWG.Wait)
	if v.meterNote.Text != t2("ui.preflight.meter_unavailable") {
		t.Errorf("meter note %q", v.meterNote.Text)
	}
	// Regression: the empty bar still read "Silence" next to that note.
	if v.meter.Visible() {
		t.Errorf("the meter still shows %q although there is no level", v.meter.TextFormatter())
	}
}

// beforeStart runs preflightBeforeStart and returns the proceed counter.
func beforeStart(u *UI) *int {
	n := new(int)
	u.preflightBeforeStart(func() { *n++ })
	return n
}

func TestPreflightBeforeStartNotDue(t *testing.T) {
	for name, c := range map[string]struct {
		last  time.Duration
		check bool
	}{
		"recent pass": {last: 5 * time.Minute, check: true},
		"setting off": {last: 0, check: false},
	} {
		t.Run(name, func(t *testing.T) {
			pf := &fakePreflight{report: pfReport(checkreport.Fail, nil)}
			if c.last > 0 {
				pf.last = time.Now().Add(-c.last)
			}
			st := &fakeSettingsStore{s: AppSettings{CheckBeforeLesson: c.check}}
			u := newPFUI(t, Services{Preflight: pf, Settings: st})
			n := beforeStart(u)
			serviceCalls.Wait()
			if *n != 1 || pf.Runs() != 0 || u.preflight != nil {
				t.Errorf("proceed %d times, %d runs, window %v; want 1, 0, none", *n, pf.Runs(), u.preflight)
			}
		})
	}
}

// dueStart starts a lesson whose check is due and waits until the run
// holds (Run blocked on release), returning the open view.
func dueStart(t *testing.T, verdict checkreport.Verdict) (*UI, *fakePreflight, *preflightView, *int) {
	t.Helper()
	pf := &fakePreflight{
		last:      time.Now().Add(-CheckMaxAge - time.Minute),
		results:   pfResults(),
		report:    pfReport(verdict, pfResults()),
		delivered: make(chan struct{}, 1),
		release:   make(chan struct{}),
	}
	st := &fakeSettingsStore{s: AppSettings{CheckBeforeLesson: true}}
	u := newPFUI(t, Services{Preflight: pf, Settings: st})
	n := beforeStart(u)
	serviceCalls.Wait()
	// In the test driver fyne.Do runs on the calling goroutine: wait until
	// the results are shown before touching the window (the real driver
	// serialises this on the Fyne goroutine).
	<-pf.delivered
	v := pfView(t, u)
	if *n != 0 {
		t.Fatal("proceeded before the check finished")
	}
	if want := t2("ui.preflight.summary.before_start", map[string]any{"Minutes": 30}); v.summary.Text != want {
		t.Errorf("while checking before a start the window says %q, want %q", v.summary.Text, want)
	}
	return u, pf, v, n
}

func TestPreflightBeforeStartDuePass(t *testing.T) {
	u, pf, v, n := dueStart(t, checkreport.Pass)
	close(pf.release)
	v.runWG.Wait()
	if *n != 1 || pf.Runs() != 1 {
		t.Fatalf("proceed %d times after %d runs, want 1 and 1", *n, pf.Runs())
	}
	if u.preflight != nil || !v.closed {
		t.Error("after a pass the window should close itself")
	}
}

func TestPreflightBeforeStartDueWarn(t *testing.T) {
	u, pf, v, n := dueStart(t, checkreport.Warn)
	close(pf.release)
	v.runWG.Wait()
	if *n != 1 {
		t.Fatalf("proceed %d times, want 1", *n)
	}
	if u.preflight == nil || v.decision.Visible() {
		t.Error("after a warning the window stays open with its notes, without a decision")
	}
	if !strings.Contains(v.summary.Text, t2("ui.preflight.starting_with_warnings")) {
		t.Errorf("summary %q does not say the lesson starts", v.summary.Text)
	}
}

func TestPreflightBeforeStartFailOverride(t *testing.T) {
	u, pf, v, n := dueStart(t, checkreport.Fail)
	close(pf.release)
	v.runWG.Wait()
	if *n != 0 || !v.decision.Visible() {
		t.Fatalf("after a failure: proceed %d times, decision shown %v; want 0, true", *n, v.decision.Visible())
	}
	c := u.preflight.Canvas()
	if c.Focused() != v.abort {
		t.Errorf("focus on %v, want Cancel", c.Focused())
	}
	test.FocusPrevious(c)
	if c.Focused() != v.anyway {
		t.Errorf("Shift-Tab from Cancel reached %v, want 'start anyway'", c.Focused())
	}
	test.Tap(v.anyway)
	if *n != 1 || v.decision.Visible() {
		t.Errorf("'start anyway': proceed %d times, decision shown %v", *n, v.decision.Visible())
	}
	test.Tap(v.anyway) // a second tap (hidden button) must not start twice
	if *n != 1 {
		t.Errorf("proceeded %d times", *n)
	}
}

func TestPreflightBeforeStartFailCancel(t *testing.T) {
	u, pf, v, n := dueStart(t, checkreport.Fail)
	close(pf.release)
	v.runWG.Wait()
	test.Tap(v.abort)
	if *n != 0 || v.decision.Visible() {
		t.Errorf("cancel: proceed %d times, decision shown %v", *n, v.decision.Visible())
	}
	if !strings.Contains(v.summary.Text, t2("ui.preflight.start_canceled")) {
		t.Errorf("summary %q", v.summary.Text)
	}
	if u.preflight.Canvas().Focused() != v.runBtn {
		t.Error("focus should go back to the run button")
	}
}

func TestPreflightBeforeStartWindowClosedWhileRunning(t *testing.T) {
	u, pf, v, n := dueStart(t, checkreport.Pass)
	u.preflight.Close() // cancels Run through its context
	v.runWG.Wait()
	if *n != 0 {
		t.Errorf("closing the window started the lesson")
	}
	if pf.Runs() != 1 {
		t.Errorf("%d runs", pf.Runs())
	}
}

func TestPreflightBeforeStartJoinsRunningCheck(t *testing.T) {
	pf := &fakePreflight{report: pfReport(checkreport.Pass, nil), release: make(chan struct{})}
	st := &fakeSettingsStore{s: AppSettings{CheckBeforeLesson: true}}
	u := newPFUI(t, Services{Preflight: pf, Settings: st})
	u.ShowPreflight()
	v := pfView(t, u)
	test.Tap(v.runBtn) // the teacher's own run, still going
	n := beforeStart(u)
	serviceCalls.Wait()
	close(pf.release)
	v.runWG.Wait()
	if *n != 1 || pf.Runs() != 1 {
		t.Errorf("proceed %d times after %d runs; want 1 and 1 (the running check decides)", *n, pf.Runs())
	}
}

func TestPreflightKeyboardOrder(t *testing.T) {
	pf := &fakePreflight{report: pfReport(checkreport.Pass, pfResults())}
	u := newPFUI(t, Services{Preflight: pf})
	u.ShowPreflight()
	v := pfView(t, u)
	c := u.preflight.Canvas()
	space := &fyne.KeyEvent{Name: fyne.KeySpace}
	if c.Focused() != v.runBtn {
		t.Fatalf("the window opens with focus on %T, want the run button", c.Focused())
	}
	v.runBtn.TypedKey(space) // Space starts the check
	v.runWG.Wait()
	if pf.Runs() != 1 {
		t.Fatal("Space on the run button did not start the check")
	}
	if c.Focused() != v.runBtn {
		t.Fatalf("after the run the focus is on %T, want the run button", c.Focused())
	}
	test.FocusNext(c)
	header := test.WidgetRenderer(v.details).Objects()[0].(*widget.Button)
	if c.Focused() != header {
		t.Fatalf("Tab from the run button reached %T, want the details header", c.Focused())
	}
	header.TypedKey(space) // opens the details
	if !v.details.Items[0].Open {
		t.Fatal("Space did not open the details")
	}
	// Fyne 2.8.1 drops the focus when Space activates a button (Button.Tapped
	// calls Focus(nil)), so Tab starts again at the top: run, header, the
	// selectable details text, then the copy button.
	c.Focus(v.runBtn)
	var got []fyne.Focusable
	for range 3 {
		test.FocusNext(c)
		got = append(got, c.Focused())
	}
	if got[0] != header || got[2] != v.copyBtn {
		t.Errorf("Tab order after the run: %T, %T, %T; want header, details text, copy button", got[0], got[1], got[2])
	}
}

// t2 is t for tests (the name t is the *testing.T there).
func t2(key string, data ...map[string]any) string { return t(key, data...) }

// Regression: the verdict and the "start anyway?" question were at the end
// of the window, below the fold at its normal size (620x680): a teacher
// whose lesson start was held back by a failed check saw neither.
func TestPreflightDecisionVisibleWithoutScrolling(t *testing.T) {
	u, pf, v, _ := dueStart(t, checkreport.Fail)
	close(pf.release)
	v.runWG.Wait()
	u.preflight.Resize(fyne.NewSize(620, 680))
	if !v.decision.Visible() {
		t.Fatal("no decision after a failed check before a start")
	}
	d := fyne.CurrentApp().Driver()
	view := u.preflight.Canvas().Size().Height
	for _, o := range []fyne.CanvasObject{v.summary, v.anyway, v.abort} {
		if bottom := d.AbsolutePositionForObject(o).Y + o.Size().Height; bottom > view {
			t.Errorf("%T ends at y=%.0f, below the visible %.0f", o, bottom, view)
		}
	}
	if v.scroll.Offset.Y != 0 {
		t.Errorf("scrolled to %.0f: the question under the button is out of sight", v.scroll.Offset.Y)
	}
}

// Escape closes the pre-flight window also while a button has the focus,
// as the driver delivers the key (typeKey): it opens with "Run" focused,
// and after a failure before a lesson with "Cancel" focused, where closing
// drops the start.
func TestPreflightEscapeClosesWithFocus(t *testing.T) {
	u := newPFUI(t, Services{Preflight: &fakePreflight{}, Report: &fakeReport{}})
	u.ShowPreflight()
	v := pfView(t, u)
	c := u.preflight.Canvas()
	if c.Focused() != v.runBtn {
		t.Fatalf("the window opens with focus on %T", c.Focused())
	}
	typeKey(c, fyne.KeyEscape)
	if u.preflight != nil {
		t.Error("Escape with focus on Run did not close the window")
		u.preflight.Close()
	}
	waitGroupDone(t, "pre-flight goroutines", func() { v.runWG.Wait(); v.meterWG.Wait() })

	u, pf, v, n := dueStart(t, checkreport.Fail)
	close(pf.release)
	v.runWG.Wait()
	c = u.preflight.Canvas()
	if c.Focused() != v.abort {
		t.Fatalf("focus on %T, want Cancel", c.Focused())
	}
	typeKey(c, fyne.KeyEscape)
	if u.preflight != nil {
		t.Error("Escape with focus on Cancel did not close the window")
	}
	if *n != 0 {
		t.Errorf("Escape started the lesson (%d)", *n)
	}
}
