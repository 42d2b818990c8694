package app

import (
	"context"
	"errors"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// lessonStartTimeout bounds a start, big slide uploads included.
const lessonStartTimeout = 5 * time.Minute

// StartLesson runs the teacher's loop for room: the pre-flight when it is
// due, then create or join the meeting with the slides and open it in the
// browser as moderator. Progress shows in a dialog on the main window when
// it is visible; the outcome always shows somewhere: a notification on
// success, the main window with the reason on failure.
func (u *UI) StartLesson(room string) {
	u.preflightBeforeStart(func() { u.startNow(room) })
}

// startNow starts at once; a second start of the same room while one is in
// flight (a double click, tray and window together) is ignored.
func (u *UI) startNow(room string) {
	u.busyMu.Lock()
	if u.busy[room] {
		u.busyMu.Unlock()
		return
	}
	u.busy[room] = true
	u.busyMu.Unlock()
	done := func() {
		u.busyMu.Lock()
		delete(u.busy, room)
		u.busyMu.Unlock()
	}
	status := widget.NewLabel(t("ui.lesson.starting", map[string]any{"Room": room}))
	status.Wrapping = fyne.TextWrapWord
	bar := container.NewStack(widget.NewProgressBarInfinite())
	// A start may wait minutes for big slides or a slow pool: the teacher
	// can always call it off.
	ctx, cancel := context.WithTimeout(u.ctx, lessonStartTimeout)
	stop := widget.NewButtonWithIcon(t("ui.lesson.cancel"), theme.CancelIcon(), cancel)
	box := container.NewVBox(status, bar, container.NewHBox(layout.NewSpacer(), stop))
	prog := dialog.NewCustomWithoutButtons(t("ui.lesson.title"), box, u.main)
	prog.Resize(fyne.NewSize(420, 180))
	prog.Show()
	var uploading *widget.ProgressBar
	progress := func(sent, total int64) {
		if total <= 0 {
			return
		}
		fyne.Do(func() {
			if uploading == nil {
				uploading = widget.NewProgressBar()
				status.SetText(t("ui.lesson.uploading"))
				bar.Objects = []fyne.CanvasObject{uploading}
				bar.Refresh()
			}
			uploading.SetValue(float64(sent) / float64(total))
		})
	}
	go func() {
		res, err := u.svc.Lessons.Start(ctx, room, progress)
		// Called off by the teacher (not by a timeout or Tafel quitting):
		// no error to explain.
		calledOff := err != nil && errors.Is(ctx.Err(), context.Canceled) && u.ctx.Err() == nil
		cancel()
		var msg string
		if err != nil && !calledOff {
			msg = u.svc.Lessons.Explain(err)
		}
		mainDo(func() { // the hooks touch the main window
			defer done()
			prog.Hide()
			if calledOff {
				return
			}
			if err != nil {
				u.ShowMain()
				dialog.ShowInformation(t("ui.lesson.failed_title"), msg, u.main)
				u.notify(t("ui.lesson.failed_title"), msg)
				return
			}
			body := t("ui.lesson.started_body", map[string]any{"Room": room})
			if res.AlreadyRunning {
				body = t("ui.lesson.already_running", map[string]any{"Room": room})
			}
			u.notify(t("ui.lesson.started_title"), body)
			if len(res.Warnings) > 0 {
				u.ShowMain()
				dialog.ShowInformation(t("ui.lesson.started_title"),
					body+"\n\n"+strings.Join(res.Warnings, "\n"), u.main)
			}
			for _, f := range u.lessonHooks {
				f(room, res)
			}
		})
	}()
}
