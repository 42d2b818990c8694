package app

import (
	"context"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tafel-schule/tafel/checkreport"
	"github.com/tafel-schule/tafel/diagnostics"
	"github.com/tafel-schule/tafel/translations"
)

// reportView is the "Report for IT" window: what the report is for, the
// verdicts, the whole content the teacher would pass on, and the ways to
// look at it or save it. Nothing is sent.
type reportView struct {
	u   *UI
	win fyne.Window

	ipCheck  *escCheck
	status   *widget.Label
	activity *widget.Activity
	summary  *fyne.Container
	content  *widget.Label // the report as plain text, for people
	json     *widget.Label // the JSON file, for IT, folded away
	details  *widget.Accordion
	scroll   *container.Scroll
	openBtn  *escButton
	saveBtn  *escButton
	closeBtn *escButton

	report *diagnostics.Report // the one shown; nil while building
	gen    int                 // counts builds; an older result is dropped
	closed bool
	cancel context.CancelFunc
	bg     sync.WaitGroup // builds and service calls (tests wait for it)
}

// newReportButton is the "Report for IT" button of the main and the
// pre-flight window.
func (u *UI) newReportButton() *widget.Button {
	return widget.NewButtonWithIcon(t("report.ui.button"), theme.FileTextIcon(), u.ShowReport)
}

// ShowReport opens the report window (or brings it to the front) and
// builds a fresh report off the UI goroutine.
func (u *UI) ShowReport() { u.openReport() }

var (
	reportWinMu sync.Mutex
	reportWins  = map[*UI]*reportView{}
)

func (u *UI) openReport() *reportView {
	if u.svc.Report == nil {
		return nil
	}
	reportWinMu.Lock()
	v := reportWins[u]
	reportWinMu.Unlock()
	if v != nil && !v.closed {
		v.win.Show()
		v.win.RequestFocus()
		return v
	}
	w := u.newToolWindow(t("report.ui.title"))
	v = newReportView(u, w)
	w.SetContent(v.layout())
	w.Resize(fyne.NewSize(680, 640))
	w.SetOnClosed(v.close)
	// Escape closes also while a control has the focus (it opens on the IP
	// option): the controls pass it on (escCheck, escButton). Fyne's own
	// focusable parts (the selectable report text, the JSON header) keep
	// Escape to themselves; from the header Ctrl+W closes, as in the links
	// window.
	closeOnEscape(w)
	w.Canvas().AddShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyW, Modifier: fyne.KeyModifierShortcutDefault},
		func(fyne.Shortcut) { w.Close() })
	reportWinMu.Lock()
	reportWins[u] = v
	reportWinMu.Unlock()
	w.Show()
	w.Canvas().Focus(v.ipCheck)
	v.build()
	return v
}

func newReportView(u *UI, w fyne.Window) *reportView {
	v := &reportView{u: u, win: w}
	v.ipCheck = newEscCheck(t("report.ui.redact_ips"), func(bool) { v.build() }, w.Close)
	v.status = widget.NewLabel(t("report.ui.building"))
	v.status.Wrapping = fyne.TextWrapWord
	v.activity = widget.NewActivity()
	v.summary = container.NewVBox()
	v.content = widget.NewLabel("")
	v.content.Selectable = true
	v.content.Wrapping = fyne.TextWrapWord
	v.json = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
	v.json.Selectable = true
	v.json.Wrapping = fyne.TextWrapBreak
	v.details = widget.NewAccordion(widget.NewAccordionItem(t("report.ui.json"), v.json))
	v.openBtn = newEscButton(t("report.ui.open_browser"), theme.ComputerIcon(), v.openInBrowser, w.Close)
	v.saveBtn = newEscButton(t("report.ui.save"), theme.DocumentSaveIcon(), v.chooseFolder, w.Close)
	v.closeBtn = newEscButton(t("report.ui.close"), nil, func() { v.win.Close() }, w.Close)
	v.openBtn.Disable()
	v.saveBtn.Disable()
	return v
}

// layout: explanation, option, verdicts, then the content; the buttons
// stay visible at the bottom. Reading order is focus order.
func (v *reportView) layout() fyne.CanvasObject {
	explain := widget.NewLabel(t("report.ui.explain"))
	explain.Wrapping = fyne.TextWrapWord
	sumTitle := widget.NewLabelWithStyle(t("report.ui.summary"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	contentTitle := widget.NewLabelWithStyle(t("report.ui.content"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	body := container.NewVBox(
		explain,
		v.ipCheck,
		container.NewBorder(nil, nil, v.activity, nil, v.status),
		sumTitle, v.summary,
		widget.NewSeparator(),
		contentTitle, v.content,
		v.details,
	)
	v.scroll = container.NewVScroll(container.NewPadded(body))
	buttons := container.NewHBox(v.openBtn, v.saveBtn, v.closeBtn)
	return borderInOrder(nil, container.NewPadded(buttons), v.scroll)
}

// build makes a fresh report (again after the IP option changed).
func (v *reportView) build() {
	if v.closed {
		return
	}
	if v.cancel != nil {
		v.cancel()
	}
	ctx, cancel := context.WithCancel(v.u.lifetime())
	v.cancel = cancel
	v.gen++
	gen, redactIPs := v.gen, v.ipCheck.Checked
	v.report = nil
	v.openBtn.Disable()
	v.saveBtn.Disable()
	v.status.SetText(t("report.ui.building"))
	v.status.Show()
	v.activity.Show()
	v.activity.Start()
	svc := v.u.svc.Report
	v.bg.Add(1)
	// Started last: in the test driver fyne.Do runs inline on the worker.
	go func() {
		defer v.bg.Done()
		r, err := svc.Build(ctx, redactIPs)
		var text, js string
		if err == nil {
			// The teacher reads the text; the JSON, which is what IT's
			// file holds, is one click away.
			text, err = r.Text(translations.New(r.Lang))
		}
		if err == nil {
			var b []byte
			if b, err = r.JSON(); err == nil {
				js = string(b)
			}
		}
		fyne.Do(func() { v.show(gen, r, text, js, err) })
	}()
}

// show puts a finished build on screen, unless a newer one was started.
func (v *reportView) show(gen int, r *diagnostics.Report, text, js string, err error) {
	if v.closed || gen != v.gen {
		return
	}
	v.activity.Stop()
	v.activity.Hide()
	v.summary.RemoveAll()
	if err != nil {
		v.status.SetText(t("report.ui.failed"))
		v.content.SetText("")
		v.json.SetText("")
		v.scroll.Refresh()
		return
	}
	v.report = r
	v.status.SetText("")
	v.status.Hide()
	for _, l := range r.Summary.Checks {
		icon, _, _ := verdictLight(reportVerdict(l.Verdict))
		line := widget.NewLabel(t("report.ui.line", map[string]any{"Word": t("report.word." + l.Verdict),
			"Name": l.Name, "Age": l.Age, "Message": l.Message}))
		line.Wrapping = fyne.TextWrapWord
		v.summary.Add(container.NewBorder(nil, nil, widget.NewIcon(icon), nil, line))
	}
	for _, w := range r.Summary.ConfigWarnings {
		l := widget.NewLabel(w)
		l.Wrapping = fyne.TextWrapWord
		v.summary.Add(container.NewBorder(nil, nil, widget.NewIcon(theme.NewWarningThemedResource(theme.WarningIcon())), nil, l))
	}
	for _, p := range r.Summary.Pools {
		v.summary.Add(widget.NewLabel(p.Text))
	}
	v.content.SetText(text)
	v.json.SetText(js)
	v.openBtn.Enable()
	v.saveBtn.Enable()
	v.scroll.Refresh()
}

// reportVerdict maps the report's lights onto the pre-flight's icons.
func reportVerdict(s string) checkreport.Verdict {
	switch s {
	case "pass", "warn", "fail":
		return checkreport.Verdict(s)
	}
	return "" // unknown: the question mark
}

func (v *reportView) openInBrowser() {
	r := v.report
	if r == nil {
		return
	}
	svc := v.u.svc.Report
	v.bg.Add(1)
	go func() {
		defer v.bg.Done()
		if err := svc.OpenInBrowser(r); err != nil {
			fyne.Do(func() {
				if !v.closed {
					dialog.ShowInformation(t("report.ui.title"), t("report.ui.open_failed"), v.win)
				}
			})
		}
	}()
}

// chooseFolder asks where to save both files.
func (v *reportView) chooseFolder() {
	if v.report == nil {
		return
	}
	dialog.ShowFolderOpen(func(dir fyne.ListableURI, err error) {
		if err != nil || dir == nil {
			return
		}
		v.saveTo(dir.Path())
	}, v.win)
}

// saveTo writes the report into dir and says where both files are.
func (v *reportView) saveTo(dir string) {
	r := v.report
	if r == nil {
		return
	}
	svc := v.u.svc.Report
	v.bg.Add(1)
	go func() {
		defer v.bg.Done()
		paths, err := svc.Save(r, dir)
		fyne.Do(func() {
			if v.closed {
				return
			}
			if err != nil || len(paths) != 2 {
				dialog.ShowInformation(t("report.ui.title"), t("report.ui.save_failed"), v.win)
				return
			}
			dialog.ShowInformation(t("report.ui.title"), t("report.ui.saved", map[string]any{"HTML": paths[0], "JSON": paths[1]}), v.win)
		})
	}()
}

// close stops a running build.
func (v *reportView) close() {
	if v.closed {
		return
	}
	v.closed = true
	if v.cancel != nil {
		v.cancel()
	}
	reportWinMu.Lock()
	if reportWins[v.u] == v {
		delete(reportWins, v.u)
	}
	reportWinMu.Unlock()
}

// Fyne gives a key to the focused widget only; the canvas' OnTypedKey sees
// it just while nothing has the focus. So a window that closes on Escape
// needs its controls to pass Escape on: escCheck and escButton do.

// closeOnEscape closes w on Escape while no control has the focus.
func closeOnEscape(w fyne.Window) {
	w.Canvas().SetOnTypedKey(func(ev *fyne.KeyEvent) {
		if ev.Name == fyne.KeyEscape {
			w.Close()
		}
	})
}

// escCheck is a widget.Check that calls onEscape on Escape.
type escCheck struct {
	widget.Check
	onEscape func()
}

func newEscCheck(label string, changed func(bool), onEscape func()) *escCheck {
	c := &escCheck{onEscape: onEscape}
	c.Text, c.OnChanged = label, changed
	c.ExtendBaseWidget(c)
	return c
}

// TypedKey implements fyne.Focusable.
func (c *escCheck) TypedKey(ev *fyne.KeyEvent) {
	if ev.Name == fyne.KeyEscape && c.onEscape != nil {
		c.onEscape()
		return
	}
	c.Check.TypedKey(ev)
}

// escButton is a widget.Button that calls onEscape on Escape.
type escButton struct {
	widget.Button
	onEscape func()
}

func newEscButton(label string, icon fyne.Resource, tapped, onEscape func()) *escButton {
	b := &escButton{onEscape: onEscape}
	b.Text, b.Icon, b.OnTapped = label, icon, tapped
	b.ExtendBaseWidget(b)
	return b
}

// TypedKey implements fyne.Focusable.
func (b *escButton) TypedKey(ev *fyne.KeyEvent) {
	if ev.Name == fyne.KeyEscape && b.onEscape != nil {
		b.onEscape()
		return
	}
	b.Button.TypedKey(ev)
}

// escEntry is a widget.Entry that calls onEscape on Escape.
type escEntry struct {
	widget.Entry
	onEscape func()
}

func newEscEntry(onEscape func()) *escEntry {
	e := &escEntry{onEscape: onEscape}
	e.Wrapping = fyne.TextWrap(fyne.TextTruncateClip) // as widget.NewEntry
	e.ExtendBaseWidget(e)
	return e
}

// TypedKey implements fyne.Focusable.
func (e *escEntry) TypedKey(ev *fyne.KeyEvent) {
	if ev.Name == fyne.KeyEscape && e.onEscape != nil {
		e.onEscape()
		return
	}
	e.Entry.TypedKey(ev)
}
