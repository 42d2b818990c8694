package app

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/tafel-schule/tafel/diagnostics"
	"github.com/tafel-schule/tafel/translations"
)

const reportViewSecret = "gui-report-secret-6e21"

// fakeReport builds real reports from fixed inputs and records the calls.
type fakeReport struct {
	mu       sync.Mutex
	builds   []bool // redactIPs of each Build
	saved    []string
	opened   int
	buildErr error
	// gate, if set, holds Build until closed: the test driver runs
	// fyne.Do inline on the worker, which must not draw while a widget
	// the test tapped is still drawing itself.
	gate chan struct{}
}

func (f *fakeReport) Build(ctx context.Context, redactIPs bool) (*diagnostics.Report, error) {
	f.mu.Lock()
	f.builds = append(f.builds, redactIPs)
	err, gate := f.buildErr, f.gate
	f.mu.Unlock()
	if gate != nil {
		<-gate
	}
	if err != nil {
		return nil, err
	}
	return diagnostics.Build(ctx, diagnostics.Sources{
		Version: "1.0.0", Lang: "en", RedactIPs: redactIPs,
		Now:            func() time.Time { return time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC) },
		Pools:          []diagnostics.PoolStatus{{Name: "School BBB", URL: "https://10.1.2.3/bigbluebutton/api", InKeyring: true}},
		ConfigWarnings: []string{"secret=" + reportViewSecret},
		Secrets:        []string{reportViewSecret},
		OS:             &diagnostics.OSInfo{OS: "linux", Arch: "amd64"},
	})
}

func (f *fakeReport) Save(r *diagnostics.Report, dir string) ([]string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.saved = append(f.saved, dir)
	h, j := r.FileNames()
	return []string{dir + "/" + h, dir + "/" + j}, nil
}

func (f *fakeReport) OpenInBrowser(*diagnostics.Report) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.opened++
	return nil
}

func (f *fakeReport) calls() ([]bool, []string, int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]bool(nil), f.builds...), append([]string(nil), f.saved...), f.opened
}

func newReportUI(t *testing.T, fr *fakeReport) (*UI, *reportView) {
	t.Helper()
	a := test.NewTempApp(t)
	u := New(a, Services{Report: fr}, Options{})
	v := u.openReport()
	t.Cleanup(func() {
		if !v.closed { // the test driver panics on a second Close
			v.win.Close()
		}
		waitGroupDone(t, "report goroutines", v.bg.Wait)
	})
	waitGroupDone(t, "the report build", v.bg.Wait)
	return u, v
}

func TestReportViewShowsVerdictsAndContent(t *testing.T) {
	fr := &fakeReport{}
	_, v := newReportUI(t, fr)
	texts := strings.Join(shownTexts(v.win.Content()), "\n")
	for _, want := range []string{t2("report.ui.explain"), "Unknown – Network (never)", "School BBB: secret in the keyring: yes",
		"https://10.1.2.3/bigbluebutton/api", t2("report.ui.json")} {
		if !strings.Contains(texts, want) {
			t.Errorf("the window does not show %q", want)
		}
	}
	if strings.Contains(texts, reportViewSecret) {
		t.Error("the window shows the secret")
	}
	// The teacher reads text, not JSON; the JSON file's content is one
	// click away, unfolded on request.
	if strings.Contains(v.content.Text, `"format"`) || !strings.Contains(v.content.Text, "School BBB: https://10.1.2.3/bigbluebutton/api") {
		t.Errorf("the report text is not for people:\n%s", v.content.Text)
	}
	if strings.Contains(texts, `"format": "tafel-report"`) {
		t.Error("the JSON is shown before it is asked for")
	}
	v.details.Open(0)
	if texts := strings.Join(shownTexts(v.win.Content()), "\n"); !strings.Contains(texts, `"format": "tafel-report"`) || strings.Contains(texts, reportViewSecret) {
		t.Error("the JSON file's content is not shown when unfolded, or holds the secret")
	}
	v.details.Close(0)
	if v.openBtn.Disabled() || v.saveBtn.Disabled() {
		t.Error("buttons disabled after the build")
	}

	// The IP option builds again, with the addresses replaced.
	gate := make(chan struct{})
	fr.mu.Lock()
	fr.gate = gate
	fr.mu.Unlock()
	test.Tap(v.ipCheck)
	close(gate)
	waitGroupDone(t, "the second build", v.bg.Wait)
	builds, _, _ := fr.calls()
	if len(builds) != 2 || builds[0] || !builds[1] {
		t.Fatalf("builds %v, want [false true]", builds)
	}
	if strings.Contains(v.content.Text+v.json.Text, "10.1.2.3") || !strings.Contains(v.content.Text, "[ip:private]") {
		t.Error("the IP address is still shown after choosing to remove it")
	}

	// Open in the browser, save into a folder: and where the files are.
	test.Tap(v.openBtn)
	v.saveTo("/home/lehrerin/Dokumente")
	waitGroupDone(t, "save and open", v.bg.Wait)
	_, saved, opened := fr.calls()
	if opened != 1 || len(saved) != 1 || saved[0] != "/home/lehrerin/Dokumente" {
		t.Fatalf("opened %d, saved %v", opened, saved)
	}
	top := v.win.Canvas().Overlays().Top()
	if top == nil || !strings.Contains(strings.Join(shownTexts(top), "\n"), "/home/lehrerin/Dokumente/tafel-report-20261127") {
		t.Error("after saving, the window does not say where the files are")
	}
}

func TestReportViewBuildFails(t *testing.T) {
	fr := &fakeReport{buildErr: errors.New("boom")}
	_, v := newReportUI(t, fr)
	if v.status.Text != t2("report.ui.failed") || !v.status.Visible() {
		t.Errorf("status %q", v.status.Text)
	}
	if !v.openBtn.Disabled() || !v.saveBtn.Disabled() {
		t.Error("buttons enabled without a report")
	}
}

func TestReportViewKeyboard(t *testing.T) {
	_, v := newReportUI(t, &fakeReport{})
	c := v.win.Canvas()
	if c.Focused() != v.ipCheck {
		t.Fatalf("the window opens with focus on %T, want the IP option", c.Focused())
	}
	// nil: the report's selectable text (a widget inside the label), then
	// the header that unfolds the JSON (a button inside the accordion).
	want := []fyne.Focusable{nil, nil, v.openBtn, v.saveBtn, v.closeBtn, v.ipCheck}
	for i, w := range want {
		test.FocusNext(c)
		f := c.Focused()
		if w == nil {
			if f == nil || f == fyne.Focusable(v.ipCheck) || f == fyne.Focusable(v.openBtn) {
				t.Fatalf("Tab %d reached %T, want the report text or its JSON", i+1, f)
			}
			continue
		}
		if f != w {
			t.Fatalf("Tab %d reached %T, want %T", i+1, f, w)
		}
	}
	// Escape closes the window.
	c.(interface{ OnTypedKey() func(*fyne.KeyEvent) }).OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if !v.closed {
		t.Error("Escape did not close the window")
	}
}

// The button exists in the main window (between the check and the
// settings) and in the pre-flight window only when the service is there.
func TestReportButtons(t *testing.T) {
	a := test.NewTempApp(t)
	u := New(a, Services{Report: &fakeReport{}, Preflight: &fakePreflight{}}, Options{})
	c := u.main.Canvas()
	var got []string
	for range 3 {
		test.FocusNext(c)
		if b, ok := c.Focused().(*widget.Button); ok {
			got = append(got, b.Text)
		}
	}
	if strings.Join(got, "|") != strings.Join([]string{t2("ui.main.check"), t2("report.ui.button"), t2("ui.main.settings")}, "|") {
		t.Errorf("main window Tab order %q", got)
	}
	u.ShowPreflight()
	pv := pfView(t, u)
	if !strings.Contains(strings.Join(shownTexts(pv.content), "\n"), t2("report.ui.button")) {
		t.Error("no report button in the pre-flight window")
	}
	u.preflight.Close()
	waitGroupDone(t, "pre-flight goroutines", func() { pv.runWG.Wait(); pv.meterWG.Wait() })

	a2 := test.NewTempApp(t)
	u2 := New(a2, Services{}, Options{})
	if strings.Contains(strings.Join(shownTexts(u2.main.Content()), "\n"), t2("report.ui.button")) {
		t.Error("a report button without a report service")
	}
}

// typeKey delivers a key as Fyne's desktop driver does: to the focused
// widget if there is one, else to the canvas (glfw window.go, processKey).
// Calling the canvas' OnTypedKey directly would skip that routing.
func typeKey(c fyne.Canvas, name fyne.KeyName) {
	ev := &fyne.KeyEvent{Name: name}
	if f := c.Focused(); f != nil {
		f.TypedKey(ev)
		return
	}
	if h := c.OnTypedKey(); h != nil {
		h(ev)
	}
}

// The window opens with the IP option focused; Escape must close it then,
// and from each of its buttons, not only when nothing has the focus.
func TestReportViewEscapeClosesWithFocus(t *testing.T) {
	for tabs := range 5 { // 0: the IP option; 3, 4: open and save buttons
		if tabs == 1 || tabs == 2 {
			continue // the report text and the JSON header: Fyne's own widgets (Ctrl+W)
		}
		_, v := newReportUI(t, &fakeReport{})
		c := v.win.Canvas()
		for range tabs {
			test.FocusNext(c)
		}
		if c.Focused() == nil {
			t.Fatalf("after %d Tabs nothing has the focus", tabs)
		}
		typeKey(c, fyne.KeyEscape)
		if !v.closed {
			t.Errorf("Escape with focus on %T (after %d Tabs) did not close the window", c.Focused(), tabs)
		}
	}
	// Ctrl+W closes from the JSON header (the driver gives the shortcut
	// to the canvas, as that header takes no shortcuts).
	_, v := newReportUI(t, &fakeReport{})
	c := v.win.Canvas()
	test.FocusNext(c)
	test.FocusNext(c)
	if _, ok := c.Focused().(fyne.Shortcutable); ok {
		t.Fatalf("the JSON header %T takes shortcuts", c.Focused())
	}
	mwShortcut(t, c, fyne.KeyW)
	if !v.closed {
		t.Error("Ctrl+W did not close the window")
	}
}

// The report names the pool's secret with the word the first-run window
// and the pre-flight use ("Geheimnis"), not "Kennwort": a teacher who just
// entered the "Geheimnis" must recognise it.
func TestReportCallsTheSecretAsTheWindowsDo(t *testing.T) {
	for _, lang := range translations.Languages {
		tr := translations.New(lang)
		word := map[string]string{"de": "Geheimnis", "en": "secret"}[lang]
		if word == "" || !strings.Contains(tr.T("ui.firstrun.secret"), word) {
			t.Fatalf("%s: the first-run window says %q; update this test's word", lang, tr.T("ui.firstrun.secret"))
		}
		for _, key := range []string{"report.pool.in_keyring_yes", "report.pool.in_keyring_no", "report.html.col.in_keyring", "report.pool.keyring_unknown"} {
			if s := tr.T(key, map[string]any{"Name": "Schul-BBB", "Code": "X"}); !strings.Contains(strings.ToLower(s), strings.ToLower(word)) {
				t.Errorf("%s %s = %q, want the word %q", lang, key, s, word)
			}
		}
	}
}
