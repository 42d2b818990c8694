package app

import (
	"context"
	"strings"
	"sync/atomic"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tafel-schule/tafel/rooms"
)

// slideExtensions are the file types the open dialog offers (the slides
// package decides by content; this only narrows the list). The filter is
// case-sensitive, hence both spellings.
var slideExtensions = func() []string {
	base := []string{".pdf", ".ppt", ".pptx", ".doc", ".docx", ".xls", ".xlsx", ".odp", ".odt", ".ods", ".odg",
		".jpg", ".jpeg", ".png", ".webp", ".svg", ".rtf", ".txt"}
	out := append([]string(nil), base...)
	for _, e := range base {
		out = append(out, strings.ToUpper(e))
	}
	return out
}()

// slidesView is the slides part of the selected room: the attached files,
// a button and drop target to add more, validation results as traffic
// lights, and a progress bar while files are checked and sent.
type slidesView struct {
	u    *UI
	room string

	box         *fyne.Container
	addBtn      *widget.Button
	list        *fyne.Container
	none        *widget.Label
	progressBox *fyne.Container
	progressMsg *widget.Label
	progress    *widget.ProgressBar
	working     *widget.ProgressBarInfinite
	cancelBtn   *widget.Button
	messages    *fyne.Container

	busy   bool
	cancel context.CancelFunc
}

func (u *UI) newSlidesView() *slidesView {
	s := &slidesView{u: u}
	title := widget.NewLabelWithStyle(t("ui.slides.title"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	hint := widget.NewLabel(t("ui.slides.hint"))
	hint.Wrapping = fyne.TextWrapWord
	s.addBtn = widget.NewButtonWithIcon(t("ui.slides.add"), theme.FileIcon(), func() {
		if s.room != "" {
			u.AddSlidesDialog(s.room)
		}
	})
	s.none = widget.NewLabel(t("ui.slides.none"))
	s.list = container.NewVBox()
	s.progressMsg = widget.NewLabel("")
	s.progressMsg.Wrapping = fyne.TextWrapWord
	s.progress = widget.NewProgressBar()
	s.working = widget.NewProgressBarInfinite()
	s.working.Stop()
	s.cancelBtn = widget.NewButtonWithIcon(t("ui.slides.cancel"), theme.CancelIcon(), func() {
		if s.cancel != nil {
			s.cancel()
		}
	})
	s.progressBox = container.NewVBox(s.progressMsg, s.working, s.progress, container.NewHBox(s.cancelBtn))
	s.progressBox.Hide()
	s.messages = container.NewVBox()
	// Progress and verdicts sit right under the button that caused them.
	s.box = container.NewVBox(title, hint, container.NewHBox(s.addBtn), s.progressBox, s.messages, s.none, s.list)
	return s
}

// setRoom shows r's attached slides. Messages of another room are cleared.
func (s *slidesView) setRoom(r *rooms.Room) {
	if s.room != r.Name && !s.busy {
		s.messages.RemoveAll()
	}
	s.room = r.Name
	s.list.RemoveAll()
	for _, sl := range r.Slides {
		path := sl.Path
		info := t("ui.slides.item", map[string]any{"Name": sl.Name, "Size": fmtSize(sl.Size)})
		if sl.Pages > 0 {
			info = t("ui.slides.item_pages", map[string]any{"Name": sl.Name, "Size": fmtSize(sl.Size), "Pages": sl.Pages})
		}
		label := widget.NewLabel(info)
		label.Wrapping = fyne.TextWrapWord
		rm := widget.NewButtonWithIcon(t("ui.slides.remove"), theme.DeleteIcon(), func() { s.remove(r.Name, path) })
		s.list.Add(container.NewBorder(nil, nil, widget.NewIcon(theme.FileIcon()), rm, label))
	}
	if len(r.Slides) == 0 {
		s.none.Show()
	} else {
		s.none.Hide()
	}
}

// remove detaches one slide (the file itself stays where it is).
func (s *slidesView) remove(room, path string) {
	m, rs := s.u.mv, s.u.svc.Rooms
	m.goBG(func() {
		r, err := rs.Update(room, func(r *rooms.Room) error {
			if !r.RemoveSlide(path) {
				return rooms.ErrSlideMissing
			}
			return nil
		})
		var msg string
		if err != nil {
			msg = s.u.explain(err)
		}
		mainDo(func() {
			if err != nil {
				s.u.showMessage(t("ui.main.error_title"), msg, nil)
				return
			}
			m.putRoom(room, r)
		})
	})
}

// AddSlidesDialog lets the teacher pick a slide file for room. Several
// files at once: drag them into the window.
func (u *UI) AddSlidesDialog(room string) {
	d := dialog.NewFileOpen(func(rc fyne.URIReadCloser, err error) {
		if err != nil || rc == nil {
			return // cancelled
		}
		uri := rc.URI()
		_ = rc.Close()
		if uri.Scheme() != "file" {
			u.showMessage(t("ui.slides.title"), t("ui.slides.not_local"), nil)
			return
		}
		u.addSlides(room, []string{uri.Path()})
	}, u.main)
	d.SetFilter(storage.NewExtensionFileFilter(slideExtensions))
	d.SetConfirmText(t("ui.slides.add_confirm"))
	d.SetTitleText(t("ui.slides.pick_title"))
	d.Show()
	d.Resize(fyne.NewSize(820, 560)) // only after Show: before, it has no content

}

// dropped receives files dragged into the main window: they become slides
// of the selected room.
func (m *mainView) dropped(_ fyne.Position, uris []fyne.URI) {
	r := m.current()
	if r == nil {
		m.u.showMessage(t("ui.slides.title"), t("ui.slides.drop_no_room"), nil)
		return
	}
	var paths []string
	for _, x := range uris {
		if x != nil && x.Scheme() == "file" {
			paths = append(paths, x.Path())
		}
	}
	if len(paths) == 0 {
		m.u.showMessage(t("ui.slides.title"), t("ui.slides.not_local"), nil)
		return
	}
	m.u.addSlides(r.Name, paths)
}

// addSlides checks the files against the room's pool, shows the verdicts,
// attaches the good ones (uploading them at once when a lesson runs) and
// shows the progress meanwhile.
func (u *UI) addSlides(room string, paths []string) {
	m := u.mv
	s := m.slides
	if u.svc.Lessons == nil {
		return
	}
	if s.busy {
		u.showMessage(t("ui.slides.title"), t("ui.slides.busy"), nil)
		return
	}
	if m.selected != room && m.index(room) >= 0 {
		m.selected = room
		m.list.Select(m.index(room))
		m.showSelected()
	}
	s.busy = true
	s.addBtn.Disable()
	s.messages.RemoveAll()
	s.progressMsg.SetText(t("ui.slides.checking", map[string]any{"Count": len(paths)}))
	s.progress.SetValue(0)
	s.progress.Hide()
	s.working.Show()
	s.working.Start()
	s.progressBox.Show()
	m.relayout()
	ctx, cancel := context.WithCancel(u.ctx)
	s.cancel = cancel
	lessons, rs := u.svc.Lessons, u.svc.Rooms

	m.goBG(func() {
		defer cancel()
		checks := lessons.CheckSlides(ctx, room, paths)
		var good []string
		for _, c := range checks {
			if c.OK {
				good = append(good, c.Path)
			}
		}
		mainDo(func() {
			for _, c := range checks {
				s.addCheck(c)
			}
			if len(good) > 0 {
				s.progressMsg.SetText(t("ui.slides.attaching", map[string]any{"Count": len(good)}))
			}
		})
		if len(good) == 0 {
			mainDo(func() {
				s.addLine(levelFail, t("ui.slides.nothing_added"))
				s.finish()
			})
			return
		}
		var lastPct atomic.Int64
		lastPct.Store(-1)
		progress := func(sent, total int64) {
			if total <= 0 {
				return
			}
			pct := sent * 100 / total
			if lastPct.Swap(pct) == pct {
				return // one UI update per percent is plenty
			}
			mainDo(func() {
				s.working.Stop()
				s.working.Hide()
				s.progress.Show()
				s.progress.SetValue(float64(sent) / float64(total))
				s.progressMsg.SetText(t("ui.slides.uploading", map[string]any{"Sent": fmtSize(sent), "Total": fmtSize(total)}))
			})
		}
		res, err := lessons.AddSlides(ctx, room, good, progress)
		var msg string
		if err != nil {
			msg = u.explain(err)
		}
		var fresh rooms.Room
		gerr := error(nil)
		if rs == nil {
			gerr = context.Canceled // nothing to refresh from
		} else {
			fresh, gerr = rs.Get(room)
		}
		mainDo(func() {
			if err != nil {
				s.addLine(levelFail, msg)
			}
			for _, w := range res.Warnings {
				s.addLine(levelWarn, w)
			}
			if n := len(res.Uploaded); n > 0 {
				s.addLine(levelOK, t("ui.slides.uploaded", map[string]any{"Count": n}))
			} else if n := len(res.Attached); n > 0 {
				s.addLine(levelOK, t("ui.slides.attached", map[string]any{"Count": n}))
			}
			s.finish()
			if gerr == nil {
				m.putRoom(room, fresh)
			}
		})
	})
}

// finish ends the busy state.
func (s *slidesView) finish() {
	s.busy = false
	s.cancel = nil
	s.working.Stop()
	s.progressBox.Hide()
	s.addBtn.Enable()
	s.u.mv.relayout()
}

// addCheck shows one file's verdict.
func (s *slidesView) addCheck(c SlideCheck) {
	name := c.Name
	if name == "" {
		name = c.Path
	}
	switch {
	case !c.OK:
		msg := c.Message
		if msg == "" {
			msg = t("ui.slides.refused", map[string]any{"Name": name})
		}
		s.addLine(levelFail, msg)
	case c.Message != "":
		s.addLine(levelWarn, c.Message)
	case c.Pages > 0:
		s.addLine(levelOK, t("ui.slides.ok_pages", map[string]any{"Name": name, "Pages": c.Pages}))
	default:
		s.addLine(levelOK, t("ui.slides.ok", map[string]any{"Name": name}))
	}
}

func (s *slidesView) addLine(l level, msg string) {
	s.messages.Add(trafficLine(l, msg))
	s.u.mv.relayout()
}

// level is a traffic light.
type level int

const (
	levelOK level = iota
	levelWarn
	levelFail
)

// trafficLine is a coloured icon plus the sentence; the sentence itself
// says what happened, so the colour is never the only signal.
func trafficLine(l level, msg string) fyne.CanvasObject {
	label := widget.NewLabel(msg)
	label.Wrapping = fyne.TextWrapWord
	var icon fyne.Resource
	switch l {
	case levelOK:
		icon = theme.NewSuccessThemedResource(theme.ConfirmIcon())
	case levelWarn:
		icon = theme.NewWarningThemedResource(theme.WarningIcon())
	default:
		icon = theme.NewErrorThemedResource(theme.ErrorIcon())
	}
	return container.NewBorder(nil, nil, widget.NewIcon(icon), nil, label)
}
