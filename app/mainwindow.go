package app

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// buildMain is the main window's content (placeholder until the main
// window lands).
func (u *UI) buildMain() fyne.CanvasObject { return widget.NewLabel(t("app.name")) }
