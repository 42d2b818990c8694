// Command barewindow is the reference for Tafel's GUI benchmarks: the
// smallest Fyne 2.8.1 app (one window, one label), built with the same tags.
// `make bench` measures Tafel's launch time, idle RSS and idle CPU against it
// in the same run.
package main

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/widget"
)

func main() {
	a := app.NewWithID("schule.tafel.barewindow")
	w := a.NewWindow("Bare Fyne window")
	w.SetContent(widget.NewLabel("Hello"))
	w.Resize(fyne.NewSize(640, 480))
	w.ShowAndRun()
}
