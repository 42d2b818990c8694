package app

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// drawnSelectText is the text the canvas draws for s (its renderer as the
// window has it), not the widget's Selected field.
func drawnSelectText(t *testing.T, s fyne.Widget) string {
	t.Helper()
	for _, o := range test.WidgetRenderer(s).Objects() {
		if rt, ok := o.(*widget.RichText); ok {
			return rt.String()
		}
	}
	t.Fatal("the drop-down draws no text")
	return ""
}

// Regression: optionSelect wrapped a *widget.Select, so the Select's
// pop-up looked for the inner widget, which is in no canvas: tapping the
// language or browser drop-down (settings, first run) opened nothing, and a
// value chosen with the arrow keys was never drawn.
func TestOptionSelectOpensAndRedraws(t *testing.T) {
	test.NewTempApp(t)
	s := newOptionSelect(languageOptions(), "de")
	w := test.NewTempWindow(t, s)
	w.Resize(fyne.NewSize(300, 200))

	if got := drawnSelectText(t, s); got != "Deutsch" {
		t.Fatalf("drawn %q, want Deutsch", got)
	}
	test.Tap(s)
	if len(w.Canvas().Overlays().List()) == 0 {
		t.Fatal("tapping the drop-down opened no list")
	}
	w.Canvas().Overlays().Top().Hide()
	w.Canvas().Overlays().Remove(w.Canvas().Overlays().Top())

	// Keyboard: Right selects the next entry; the window must show it.
	w.Canvas().Focus(s)
	s.TypedKey(&fyne.KeyEvent{Name: fyne.KeyRight})
	if s.Value() != "en" {
		t.Fatalf("value %q after Right, want en", s.Value())
	}
	if got := drawnSelectText(t, s); got != "English" {
		t.Errorf("drawn %q after choosing English, want English", got)
	}
}
