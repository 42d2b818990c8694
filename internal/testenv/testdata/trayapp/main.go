// Command trayapp is the smallest Fyne tray app, for testenv's smoke test
// of Xvfb + private bus + fake tray host: a window "Tray test" and a tray
// menu with "Show", "Hello" and "Hide" (plus Fyne's own "Quit"). Menu actions print
// "clicked <label>" on stdout, so the test sees them.
package main

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"
)

func main() {
	a := app.NewWithID("schule.tafel.traytest")
	w := a.NewWindow("Tray test")
	w.SetContent(widget.NewLabel("Tray test"))
	w.Resize(fyne.NewSize(320, 200))
	desk, ok := a.(desktop.App)
	if !ok {
		fmt.Println("no desktop app")
		return
	}
	desk.SetSystemTrayMenu(fyne.NewMenu("Tray test",
		fyne.NewMenuItem("Show", func() { fmt.Println("clicked Show"); w.Show() }),
		fyne.NewMenuItem("Hello", func() { fmt.Println("clicked Hello") }),
		fyne.NewMenuItem("Hide", func() { fmt.Println("clicked Hide"); w.Hide() }),
	))
	a.Lifecycle().SetOnStarted(func() { fmt.Println("started") })
	w.SetCloseIntercept(w.Hide)
	w.ShowAndRun()
	fmt.Println("quit")
}
