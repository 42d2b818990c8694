package app

import (
	"context"
	"encoding/json"
	"math"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tafel-schule/tafel/checkreport"
)

// The rows of the pre-flight window, in the order of preflight's checks.
var preflightChecks = []string{
	checkreport.CheckHeadset,
	checkreport.CheckMicrophone,
	checkreport.CheckNetwork,
	checkreport.CheckPool,
}

// lightRunning is the window's own state of a row while its check runs.
const lightRunning checkreport.Verdict = "running"

// light is a traffic light: an icon, a word and a text colour, so the state
// never depends on colour alone.
func verdictLight(v checkreport.Verdict) (fyne.Resource, string, widget.Importance) {
	switch v {
	case checkreport.Pass:
		return theme.NewSuccessThemedResource(theme.ConfirmIcon()), t("ui.preflight.word.pass"), widget.SuccessImportance
	case checkreport.Warn:
		return theme.NewWarningThemedResource(theme.WarningIcon()), t("ui.preflight.word.warn"), widget.WarningImportance
	case checkreport.Fail:
		return theme.NewErrorThemedResource(theme.ErrorIcon()), t("ui.preflight.word.fail"), widget.DangerImportance
	case checkreport.Skipped:
		return theme.InfoIcon(), t("ui.preflight.word.skipped"), widget.MediumImportance
	case lightRunning:
		return theme.ViewRefreshIcon(), t("ui.preflight.word.running"), widget.MediumImportance
	}
	return theme.QuestionIcon(), t("ui.preflight.word.pending"), widget.LowImportance
}

// checkRow is one traffic light with its sentence and what to do.
type checkRow struct {
	verdict checkreport.Verdict
	icon    *widget.Icon
	name    *widget.Label
	word    *widget.Label
	message *widget.Label
	fix     *widget.Label
	items   *fyne.Container // sub-lights, e.g. one per network transport
	box     fyne.CanvasObject
}

func newCheckRow(check string) *checkRow {
	r := &checkRow{
		icon:    widget.NewIcon(nil),
		name:    widget.NewLabelWithStyle(t("ui.preflight.check."+check), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		word:    widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		message: widget.NewLabel(""),
		fix:     widget.NewLabel(""),
		items:   container.NewVBox(),
	}
	r.message.Wrapping = fyne.TextWrapWord
	r.fix.Wrapping = fyne.TextWrapWord
	head := container.NewHBox(r.icon, r.name, r.word)
	r.box = container.NewVBox(head, container.NewPadded(container.NewVBox(r.message, r.fix, r.items)))
	r.set(checkreport.Result{Check: check})
	return r
}

// set shows a result; an empty Verdict means "not checked yet".
func (r *checkRow) set(res checkreport.Result) {
	r.verdict = res.Verdict
	icon, word, imp := verdictLight(res.Verdict)
	r.icon.SetResource(icon)
	r.word.Importance = imp
	r.word.SetText(word)
	r.message.SetText(res.Message)
	setShown(r.message, res.Message != "")
	if res.Fix != "" {
		r.fix.SetText(t("ui.preflight.fix", map[string]any{"Fix": res.Fix}))
	} else {
		r.fix.SetText("")
	}
	setShown(r.fix, res.Fix != "")
	r.items.RemoveAll()
	for _, it := range res.Items {
		ic, w, _ := verdictLight(it.Verdict)
		l := widget.NewLabel(t("ui.preflight.item", map[string]any{"Word": w, "Name": it.Name, "Message": it.Message}))
		l.Wrapping = fyne.TextWrapWord
		r.items.Add(container.NewBorder(nil, nil, widget.NewIcon(ic), nil, l))
	}
	setShown(r.items, len(res.Items) > 0)
}

func setShown(o fyne.CanvasObject, visible bool) {
	if visible {
		o.Show()
	} else {
		o.Hide()
	}
}

// preflightView is the pre-flight window's content. It is a widget so the
// UI finds it again through u.preflight.Content() without a field of its own.
type preflightView struct {
	widget.BaseWidget
	u   *UI
	win fyne.Window

	meter     *widget.ProgressBar
	meterNote *widget.Label
	rows      map[string]*checkRow
	rowBox    *fyne.Container
	summary   *widget.Label
	sumIcon   *widget.Icon
	runBtn    *escButton
	activity  *widget.Activity
	details   *widget.Accordion
	detailTxt *widget.Label
	copyBtn   *escButton
	decision  *fyne.Container
	anyway    *escButton
	abort     *escButton
	content   fyne.CanvasObject
	scroll    *container.Scroll

	report  *checkreport.Report
	running bool
	closed  bool
	// pending is a lesson start waiting for this run's verdict; awaiting is
	// one held back by a failed check until the teacher decides.
	pending  func()
	awaiting func()

	cancelRun   context.CancelFunc
	cancelMeter context.CancelFunc
	runWG       sync.WaitGroup // the check run (tests wait for it)
	meterWG     sync.WaitGroup // the microphone meter
}

// ShowPreflight opens the pre-flight window, or brings it to the front. The
// teacher starts the check with its one button.
func (u *UI) ShowPreflight() { u.openPreflight() }

func (u *UI) openPreflight() *preflightView {
	if u.preflight != nil {
		if v, ok := u.preflight.Content().(*preflightView); ok && !v.closed {
			u.preflight.Show()
			u.preflight.RequestFocus()
			return v
		}
	}
	w := u.newToolWindow(t("ui.preflight.title"))
	v := newPreflightView(u, w)
	w.SetContent(v)
	w.Resize(fyne.NewSize(620, 680))
	w.SetOnClosed(v.close)
	w.Canvas().SetOnTypedKey(func(ev *fyne.KeyEvent) {
		if ev.Name == fyne.KeyEscape {
			w.Close()
		}
	})
	u.preflight = w
	w.Show()
	w.Canvas().Focus(v.runBtn)
	v.startMeter()
	return v
}

func newPreflightView(u *UI, w fyne.Window) *preflightView {
	v := &preflightView{u: u, win: w, rows: map[string]*checkRow{}}
	intro := widget.NewLabel(t("ui.preflight.intro"))
	intro.Wrapping = fyne.TextWrapWord

	v.meter = widget.NewProgressBar()
	v.meter.TextFormatter = func() string { return levelWord(v.meter.Value) }
	v.meterNote = widget.NewLabel(t("ui.preflight.meter_hint"))
	v.meterNote.Wrapping = fyne.TextWrapWord
	meterLabel := widget.NewLabelWithStyle(t("ui.preflight.meter"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})

	// Escape closes the window from its buttons too (escCheck says why);
	// while a lesson start waits, closing drops it, as "Cancel" does.
	v.runBtn = newEscButton(t("ui.preflight.run"), theme.MediaPlayIcon(), v.start, w.Close)
	v.runBtn.Importance = widget.HighImportance
	v.activity = widget.NewActivity()
	v.activity.Hide()

	v.rowBox = container.NewVBox()
	for _, c := range preflightChecks {
		v.addRow(c)
	}

	v.sumIcon = widget.NewIcon(nil)
	v.sumIcon.Hide()
	v.summary = widget.NewLabel(t("ui.preflight.summary.none"))
	v.summary.Wrapping = fyne.TextWrapWord

	v.anyway = newEscButton(t("ui.preflight.start_anyway"), nil, v.startAnyway, w.Close)
	v.anyway.Importance = widget.DangerImportance
	v.abort = newEscButton(t("ui.preflight.cancel_start"), nil, v.cancelStart, w.Close)
	decisionText := widget.NewLabel(t("ui.preflight.decision"))
	decisionText.Wrapping = fyne.TextWrapWord
	v.decision = container.NewVBox(decisionText, container.NewHBox(v.anyway, v.abort))
	v.decision.Hide()

	v.detailTxt = widget.NewLabelWithStyle(t("ui.preflight.details_none"), fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
	v.detailTxt.Selectable = true
	v.detailTxt.Wrapping = fyne.TextWrapBreak
	v.copyBtn = newEscButton(t("ui.preflight.copy_details"), theme.ContentCopyIcon(), v.copyDetails, w.Close)
	v.copyBtn.Disable()
	v.details = widget.NewAccordion(widget.NewAccordionItem(t("ui.preflight.details"),
		container.NewVBox(v.detailTxt, container.NewHBox(v.copyBtn))))

	// Reading order is focus order: run button, verdict and decision, then
	// the meter, the lights and the details. The verdict and the "start
	// anyway?" question sit right under the button: at the bottom they were
	// below the fold, and a teacher whose lesson start was held back saw
	// neither why nor what to press.
	body := container.NewVBox(
		intro,
		container.NewHBox(v.runBtn, v.activity),
		container.NewBorder(nil, nil, v.sumIcon, nil, v.summary),
		v.decision,
		widget.NewSeparator(),
		meterLabel, v.meter, v.meterNote,
		widget.NewSeparator(),
		v.rowBox,
		widget.NewSeparator(),
		v.details,
	)
	if u.svc.Report != nil {
		// Next to the details, and visible without opening them.
		body.Add(container.NewHBox(newEscButton(t("report.ui.button"), theme.FileTextIcon(), u.ShowReport, w.Close)))
	}
	v.scroll = container.NewVScroll(container.NewPadded(body))
	v.content = v.scroll
	v.ExtendBaseWidget(v)
	return v
}

// CreateRenderer implements fyne.Widget.
func (v *preflightView) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(v.content)
}

func (v *preflightView) addRow(check string) *checkRow {
	r := newCheckRow(check)
	v.rows[check] = r
	v.rowBox.Add(r.box)
	return r
}

// levelWord describes the meter in words (the bar alone is not enough).
func levelWord(fraction float64) string {
	db := fraction*60 - 60
	switch {
	case fraction <= 0 || db < -50:
		return t("ui.preflight.level.silent")
	case db < -30:
		return t("ui.preflight.level.quiet")
	case db < -3:
		return t("ui.preflight.level.good")
	}
	return t("ui.preflight.level.loud")
}

// levelFraction maps dBFS (-60 … 0) onto the meter's 0 … 1.
func levelFraction(db float64) float64 {
	if math.IsNaN(db) {
		return 0
	}
	return math.Min(1, math.Max(0, (db+60)/60))
}

// meterRate caps meter redraws: the level arrives at ~20 Hz and the eye
// needs no more than ~15.
const meterRate = time.Second / 15

// startMeter reads the microphone level until the window closes.
func (v *preflightView) startMeter() {
	if v.u.svc.Preflight == nil {
		return
	}
	ctx, cancel := context.WithCancel(v.u.lifetime())
	v.cancelMeter = cancel
	pf := v.u.svc.Preflight
	v.meterWG.Add(1)
	go func() {
		defer v.meterWG.Done()
		levels, err := pf.Levels(ctx)
		if err != nil {
			if ctx.Err() == nil {
				fyne.Do(func() {
					// An empty bar would read "Silence": say only that
					// there is no level to show.
					v.meter.Hide()
					v.meterNote.SetText(t("ui.preflight.meter_unavailable"))
					v.relayout()
				})
			}
			return
		}
		tick := time.NewTicker(meterRate)
		defer tick.Stop()
		var last float64
		fresh := false
		show := func(db float64) {
			f := levelFraction(db)
			fyne.Do(func() {
				if !v.closed {
					v.meter.SetValue(f)
				}
			})
		}
		for {
			select {
			case <-ctx.Done():
				return
			case db, ok := <-levels:
				if !ok {
					if fresh {
						show(last)
					}
					return
				}
				last, fresh = db, true
			case <-tick.C:
				if fresh {
					show(last)
					fresh = false
				}
			}
		}
	}()
}

// start runs the checks (the one button). Results arrive row by row.
func (v *preflightView) start() {
	if v.running || v.closed || v.u.svc.Preflight == nil {
		return
	}
	v.running = true
	v.report = nil
	v.awaiting = nil // a new run supersedes an open decision
	v.runBtn.Disable()
	v.activity.Show()
	v.activity.Start()
	v.decision.Hide()
	v.sumIcon.Hide()
	if v.pending != nil {
		v.summary.SetText(t("ui.preflight.summary.before_start", map[string]any{"Minutes": int(CheckMaxAge.Minutes())}))
	} else {
		v.summary.SetText(t("ui.preflight.summary.running"))
	}
	for _, r := range v.rows {
		r.set(checkreport.Result{Verdict: lightRunning})
	}
	v.relayout()
	ctx, cancel := context.WithCancel(v.u.lifetime())
	v.cancelRun = cancel
	pf := v.u.svc.Preflight
	v.runWG.Add(1)
	// Started last: no UI work may follow it in this callback (the test
	// driver runs fyne.Do on the calling goroutine, so it would overlap).
	go func() {
		defer v.runWG.Done()
		defer cancel()
		rep := pf.Run(ctx, func(res checkreport.Result) {
			fyne.Do(func() { v.showResult(res) })
		})
		fyne.Do(func() { v.finish(rep) })
	}()
}

func (v *preflightView) showResult(res checkreport.Result) {
	if v.closed {
		return
	}
	r, ok := v.rows[res.Check]
	if !ok {
		r = v.addRow(res.Check)
	}
	r.set(res)
}

// finish shows the whole report and decides about a waiting lesson start.
func (v *preflightView) finish(rep *checkreport.Report) {
	v.running = false
	v.activity.Stop()
	v.activity.Hide()
	v.runBtn.Enable()
	v.runBtn.SetText(t("ui.preflight.run_again"))
	if v.closed {
		return
	}
	defer v.relayout()
	if c := v.win.Canvas(); c.Focused() == nil {
		// Disabling the button during the run dropped the keyboard focus.
		c.Focus(v.runBtn)
	}
	proceed := v.pending
	v.pending = nil
	if rep == nil {
		// Canceled or no answer: the lesson start waits for the teacher.
		for _, r := range v.rows {
			if r.verdict == lightRunning {
				r.set(checkreport.Result{})
			}
		}
		v.summary.SetText(t("ui.preflight.summary.aborted"))
		if proceed != nil {
			v.awaiting = proceed
			v.decision.Show()
			v.scroll.ScrollToTop() // the question sits under the button
			v.win.Canvas().Focus(v.abort)
		}
		return
	}
	v.report = rep
	for _, res := range rep.Results {
		v.showResult(res)
	}
	for _, r := range v.rows {
		if r.verdict == lightRunning { // no result came: say so, not "running"
			r.set(checkreport.Result{})
		}
	}
	icon, word, _ := verdictLight(rep.Verdict)
	v.sumIcon.SetResource(icon)
	v.sumIcon.Show()
	v.summary.SetText(t("ui.preflight.summary."+summaryKey(rep.Verdict), map[string]any{"Word": word}))
	v.setDetails(rep)
	if rep.Verdict == checkreport.Fail {
		// The window may be behind the browser; the notification points to
		// it (the window itself always shows the verdict too).
		for _, res := range rep.Results {
			if res.Verdict == checkreport.Fail {
				v.u.notify(t("ui.preflight.notify_failed"), res.Message)
				break
			}
		}
	}

	if proceed == nil {
		return
	}
	switch rep.Verdict {
	case checkreport.Fail:
		v.awaiting = proceed
		v.decision.Show()
		v.scroll.ScrollToTop() // the question sits under the button
		v.win.Canvas().Focus(v.abort)
	case checkreport.Warn:
		v.summary.SetText(v.summary.Text + " " + t("ui.preflight.starting_with_warnings"))
		proceed()
	default: // pass, or nothing could be checked here
		v.win.Close()
		proceed()
	}
}

func summaryKey(v checkreport.Verdict) string {
	switch v {
	case checkreport.Pass, checkreport.Warn, checkreport.Fail, checkreport.Skipped:
		return string(v)
	}
	return "fail"
}

// setDetails puts the whole report, as the CLI's --json prints it, into the
// expandable IT section. The report carries no secrets.
func (v *preflightView) setDetails(rep *checkreport.Report) {
	b, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		v.detailTxt.SetText(err.Error())
		return
	}
	v.detailTxt.SetText(string(b))
	v.copyBtn.Enable()
}

func (v *preflightView) copyDetails() {
	if v.report == nil {
		return
	}
	if cb := v.u.app.Clipboard(); cb != nil {
		cb.SetContent(v.detailTxt.Text)
	}
}

func (v *preflightView) startAnyway() {
	p := v.awaiting
	v.awaiting = nil
	v.decision.Hide()
	v.relayout()
	if p != nil {
		v.summary.SetText(v.summary.Text + " " + t("ui.preflight.started_anyway"))
		p()
	}
}

func (v *preflightView) cancelStart() {
	v.awaiting = nil
	v.decision.Hide()
	v.relayout()
	v.summary.SetText(v.summary.Text + " " + t("ui.preflight.start_canceled"))
	v.win.Canvas().Focus(v.runBtn)
}

// relayout makes the scroll take in lines that came or went (it does not
// notice a grown content on its own, and the end would be cut off).
func (v *preflightView) relayout() { v.scroll.Refresh() }

// close stops the run and the meter; a waiting lesson start is dropped.
func (v *preflightView) close() {
	if v.closed {
		return
	}
	v.closed = true
	v.pending, v.awaiting = nil, nil
	if v.cancelRun != nil {
		v.cancelRun()
	}
	if v.cancelMeter != nil {
		v.cancelMeter()
	}
	if v.u.preflight == v.win {
		v.u.preflight = nil
	}
}

// preflightBeforeStart runs the pre-flight when it is due (the setting is on
// and the last pass is older than CheckMaxAge) and calls proceed, on the
// Fyne goroutine, when the lesson may start: at once when no check is due,
// after a pass or warning, or when the teacher chooses "start anyway" after
// a failure. Closing the window or "Cancel" drops the start.
func (u *UI) preflightBeforeStart(proceed func()) {
	if u.svc.Preflight == nil {
		proceed()
		return
	}
	runService(func() {
		due := true
		if u.svc.Settings != nil {
			due = u.svc.Settings.Load().CheckBeforeLesson
		}
		if due {
			last := u.svc.Preflight.Last()
			due = last.IsZero() || time.Since(last) > CheckMaxAge
		}
		fyne.Do(func() {
			if !due {
				proceed()
				return
			}
			v := u.openPreflight()
			v.pending = proceed
			v.start() // no-op while a run is going: its verdict decides
		})
	})
}

// newToolWindow is a window of Tafel's besides the main one, with its icon.
func (u *UI) newToolWindow(title string) fyne.Window {
	w := u.app.NewWindow(title)
	if u.opts.Icon != nil {
		w.SetIcon(u.opts.Icon)
	}
	return w
}

// lifetime is the parent of the windows' contexts: it ends when the UI quits.
func (u *UI) lifetime() context.Context {
	if u.ctx != nil {
		return u.ctx
	}
	return context.Background()
}

// serviceCalls tracks the short service calls the windows make (loading and
// saving settings, testing a pool), so tests, and a shutdown that must not
// cut a keyring write short, can wait for them.
var serviceCalls sync.WaitGroup

// runService runs f, which calls services, off the Fyne goroutine.
func runService(f func()) {
	serviceCalls.Add(1)
	go func() {
		defer serviceCalls.Done()
		f()
	}()
}
