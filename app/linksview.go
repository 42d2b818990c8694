package app

import (
	"context"
	"image"
	"path/filepath"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	qrcode "github.com/skip2/go-qrcode"

	"github.com/tafel-schule/tafel/rooms"
)

// Student links are bearer credentials: they go to the screen, the
// clipboard, the sheet and the browser on purpose, never to a log or an
// error text.

// linksTimeout bounds signing a class's links for the clipboard.
const linksTimeout = 2 * time.Minute

var classListExtensions = []string{".csv", ".txt", ".CSV", ".TXT"}

// linksSection is the student-links part of the selected room in the main
// window.
type linksSection struct {
	u    *UI
	room string

	box       *fyne.Container
	classMsg  *widget.Label
	showBtn   *widget.Button
	copyBtn   *widget.Button
	rotateBtn *widget.Button
}

func (u *UI) newLinksSection() *linksSection {
	l := &linksSection{u: u}
	title := widget.NewLabelWithStyle(t("ui.links.title"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	hint := widget.NewLabel(t("ui.links.hint"))
	hint.Wrapping = fyne.TextWrapWord
	l.classMsg = widget.NewLabel("")
	l.classMsg.Wrapping = fyne.TextWrapWord
	l.showBtn = widget.NewButtonWithIcon(t("ui.links.show"), theme.GridIcon(), func() {
		if l.room != "" {
			u.ShowLinks(l.room)
		}
	})
	l.copyBtn = widget.NewButtonWithIcon(t("ui.links.copy"), theme.ContentCopyIcon(), func() {
		if l.room != "" {
			u.CopyLinks(l.room)
		}
	})
	l.rotateBtn = widget.NewButtonWithIcon(t("ui.links.rotate"), theme.ViewRefreshIcon(), func() {
		if l.room != "" {
			u.confirmRotate(l.room)
		}
	})
	l.box = container.NewVBox(title, hint, l.classMsg,
		container.NewHBox(l.showBtn, l.copyBtn), container.NewHBox(l.rotateBtn))
	return l
}

func (l *linksSection) setRoom(r *rooms.Room) {
	l.room = r.Name
	if r.ClassList == "" {
		l.classMsg.SetText(t("ui.links.no_class_list"))
	} else {
		l.classMsg.SetText(t("ui.links.class_list", map[string]any{"File": filepath.Base(r.ClassList)}))
	}
}

// linksView is the window with a room's student links: one card per
// student with a QR code, and the printable sheet.
type linksView struct {
	u    *UI
	room string
	win  fyne.Window

	classMsg  *widget.Label
	chooseBtn *widget.Button
	printBtn  *widget.Button
	saveBtn   *widget.Button
	copyBtn   *widget.Button
	closeBtn  *widget.Button
	status    *fyne.Container
	working   *widget.ProgressBarInfinite
	grid      *fyne.Container

	links  *ClassLinks
	ctx    context.Context
	cancel context.CancelFunc
}

// qrCard is one student's card before it becomes widgets: the QR code is
// drawn off the Fyne goroutine.
type qrCard struct {
	name, class, link string
	img               image.Image
}

// ShowLinks shows the room's student links with QR codes, reading the
// class list (asking for one when the room has none).
func (u *UI) ShowLinks(room string) {
	m := u.mv
	if lv := m.linksWin; lv != nil {
		if lv.room == room {
			lv.win.Show()
			lv.win.RequestFocus()
			return
		}
		lv.win.Close()
	}
	lv := &linksView{u: u, room: room}
	lv.ctx, lv.cancel = context.WithCancel(u.ctx)
	m.linksWin = lv
	lv.win = u.newToolWindow(t("ui.links.window_title", map[string]any{"Room": room}))

	privacy := widget.NewLabel(t("ui.links.privacy"))
	privacy.Wrapping = fyne.TextWrapWord
	privacy.Importance = widget.WarningImportance
	lv.classMsg = widget.NewLabel(t("ui.links.no_class_list"))
	lv.classMsg.Wrapping = fyne.TextWrapWord
	lv.chooseBtn = widget.NewButtonWithIcon(t("ui.links.choose"), theme.FolderOpenIcon(), func() {
		u.chooseClassList(lv.win, lv.load)
	})
	lv.printBtn = widget.NewButtonWithIcon(t("ui.links.print"), theme.DocumentPrintIcon(), lv.print)
	lv.printBtn.Importance = widget.HighImportance
	lv.saveBtn = widget.NewButtonWithIcon(t("ui.links.save"), theme.DocumentSaveIcon(), lv.save)
	lv.copyBtn = widget.NewButtonWithIcon(t("ui.links.copy"), theme.ContentCopyIcon(), func() {
		if lv.links != nil {
			u.copyToClipboard(*lv.links, lv.win)
		}
	})
	lv.closeBtn = widget.NewButtonWithIcon(t("ui.links.close"), theme.CancelIcon(), func() { lv.win.Close() })
	lv.status = container.NewVBox()
	lv.working = widget.NewProgressBarInfinite()
	lv.working.Stop()
	lv.working.Hide()
	lv.grid = container.NewGridWrap(fyne.NewSize(190, 290))
	lv.setHaveLinks(false)

	heading := widget.NewLabelWithStyle(t("ui.links.window_title", map[string]any{"Room": room}),
		fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	heading.SizeName = theme.SizeNameSubHeadingText
	heading.Truncation = fyne.TextTruncateEllipsis
	top := container.NewVBox(
		heading,
		container.NewBorder(nil, nil, nil, lv.chooseBtn, lv.classMsg),
		container.NewHBox(lv.printBtn, lv.saveBtn, lv.copyBtn),
		privacy, lv.working, lv.status,
	)
	bottom := container.NewHBox(lv.closeBtn)
	lv.win.SetContent(borderInOrder(top, bottom, container.NewVScroll(lv.grid)))
	lv.win.Resize(fyne.NewSize(820, 640))
	// Escape closes when nothing has the focus (a focused widget takes the
	// key); Ctrl+W always.
	lv.win.Canvas().SetOnTypedKey(func(ev *fyne.KeyEvent) {
		if ev.Name == fyne.KeyEscape {
			lv.win.Close()
		}
	})
	lv.win.Canvas().AddShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyW, Modifier: fyne.KeyModifierShortcutDefault},
		func(fyne.Shortcut) { lv.win.Close() })
	u.addShortcuts(lv.win)
	lv.win.SetOnClosed(func() {
		lv.cancel()
		if m.linksWin == lv {
			m.linksWin = nil
		}
	})
	lv.win.Show()

	switch r := m.room(room); {
	case r != nil && r.ClassList != "":
		lv.load(r.ClassList)
	case r == nil && u.svc.Rooms != nil:
		// Called from the tray before the window knew its rooms.
		rs := u.svc.Rooms
		m.goBG(func() {
			r, err := rs.Get(room)
			mainDo(func() {
				if err == nil && r.ClassList != "" && m.linksWin == lv {
					lv.load(r.ClassList)
					return
				}
				lv.askClassList()
			})
		})
	default:
		lv.askClassList()
	}
}

func (lv *linksView) askClassList() {
	lv.say(levelWarn, t("ui.links.need_class_list"))
	lv.win.Canvas().Focus(lv.chooseBtn)
}

// closeLinks closes the links window of room (removed, renamed, or its
// links were just made invalid).
func (m *mainView) closeLinks(room string) {
	if m.linksWin != nil && m.linksWin.room == room {
		m.linksWin.win.Close()
	}
}

// relayout lays the window out again after the status lines changed, so
// the cards move down instead of covering them.
func (lv *linksView) relayout() { lv.win.Content().Refresh() }

// say replaces the status lines with one.
func (lv *linksView) say(l level, msg string) {
	lv.status.RemoveAll()
	lv.status.Add(trafficLine(l, msg))
	lv.relayout()
}

func (lv *linksView) setHaveLinks(ok bool) {
	for _, b := range []*widget.Button{lv.printBtn, lv.saveBtn, lv.copyBtn} {
		if ok {
			b.Enable()
		} else {
			b.Disable()
		}
	}
}

// chooseClassList asks for a class list file (CSV or text) over w.
func (u *UI) chooseClassList(w fyne.Window, then func(path string)) {
	d := dialog.NewFileOpen(func(rc fyne.URIReadCloser, err error) {
		if err != nil || rc == nil {
			return
		}
		uri := rc.URI()
		_ = rc.Close()
		if uri.Scheme() != "file" {
			u.showMessage(t("ui.links.title"), t("ui.links.not_local"), w)
			return
		}
		then(uri.Path())
	}, w)
	d.SetFilter(storage.NewExtensionFileFilter(classListExtensions))
	d.SetConfirmText(t("ui.links.choose_confirm"))
	d.SetTitleText(t("ui.links.choose_title"))
	d.Show()
	d.Resize(fyne.NewSize(760, 540)) // only after Show
}

// rememberClassList makes sure the room keeps classList for next time and
// returns the room as it is now (ok=false if it cannot be read). Failing
// to remember costs only a question next time, so it is not shown.
func (u *UI) rememberClassList(room, classList string) (rooms.Room, bool) {
	rs := u.svc.Rooms
	if rs == nil {
		return rooms.Room{}, false
	}
	r, err := rs.Get(room)
	if err != nil {
		return r, false
	}
	if abs, aerr := filepath.Abs(classList); aerr == nil && r.ClassList != abs {
		if r2, uerr := rs.Update(room, func(r *rooms.Room) error { r.ClassList = abs; return nil }); uerr == nil {
			r = r2
		}
	}
	return r, true
}

// makeLinks signs the room's links from classList and draws the QR codes.
// Off the Fyne goroutine.
func (u *UI) makeLinks(ctx context.Context, room, classList string) (ClassLinks, []qrCard, error) {
	cl, err := u.svc.Lessons.StudentLinks(ctx, room, classList)
	if err != nil {
		return cl, nil, err
	}
	cards := make([]qrCard, 0, len(cl.Links))
	for _, l := range cl.Links {
		if l.URL == nil {
			continue
		}
		c := qrCard{name: l.Student.Name, class: l.Student.Class, link: l.URL.Reveal()}
		if q, qerr := qrcode.New(c.link, qrcode.Medium); qerr == nil {
			c.img = q.Image(-3) // 3 pixels per module; scaled up sharply
		}
		cards = append(cards, c)
	}
	return cl, cards, nil
}

// load reads the class list and shows the cards.
func (lv *linksView) load(classList string) {
	u, m := lv.u, lv.u.mv
	if u.svc.Lessons == nil {
		return
	}
	lv.classMsg.SetText(t("ui.links.class_list", map[string]any{"File": filepath.Base(classList)}))
	lv.status.RemoveAll()
	lv.status.Add(widget.NewLabel(t("ui.links.loading")))
	lv.relayout()
	lv.working.Show()
	lv.working.Start()
	lv.chooseBtn.Disable()
	lv.setHaveLinks(false)
	ctx, room := lv.ctx, lv.room
	m.goBG(func() {
		cl, cards, err := u.makeLinks(ctx, room, classList)
		msg, fresh, haveRoom := u.afterLinks(room, classList, err)
		mainDo(func() {
			if haveRoom {
				m.putRoom(room, fresh) // the main window names the class list now
			}
			lv.working.Stop()
			lv.working.Hide()
			lv.chooseBtn.Enable()
			lv.status.RemoveAll()
			if err != nil {
				lv.links = nil
				lv.grid.RemoveAll()
				lv.status.Add(trafficLine(levelFail, msg))
				lv.relayout()
				return
			}
			lv.links = &cl
			lv.setHaveLinks(len(cl.Links) > 0)
			lv.status.Add(trafficLine(levelOK, t("ui.links.ready", map[string]any{"Count": len(cl.Links)})))
			for _, n := range cl.Notes {
				lv.status.Add(trafficLine(levelWarn, n))
			}
			lv.grid.RemoveAll()
			for _, c := range cards {
				lv.grid.Add(lv.card(c))
			}
			lv.relayout()
		})
	})
}

// card is one student: QR code, name, class and a copy button.
func (lv *linksView) card(c qrCard) fyne.CanvasObject {
	var qr fyne.CanvasObject
	if c.img != nil {
		img := canvas.NewImageFromImage(c.img)
		img.FillMode = canvas.ImageFillContain
		img.ScaleMode = canvas.ImageScalePixels
		img.SetMinSize(fyne.NewSize(150, 150))
		qr = img
	} else {
		qr = widget.NewLabel(t("ui.links.no_qr"))
	}
	name := widget.NewLabelWithStyle(c.name, fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	name.Truncation = fyne.TextTruncateEllipsis
	objs := []fyne.CanvasObject{qr, name}
	if c.class != "" {
		objs = append(objs, widget.NewLabelWithStyle(c.class, fyne.TextAlignCenter, fyne.TextStyle{}))
	}
	link, who := c.link, c.name
	objs = append(objs, widget.NewButtonWithIcon(t("ui.links.copy_one"), theme.ContentCopyIcon(), func() {
		lv.u.app.Clipboard().SetContent(link)
		lv.say(levelOK, t("ui.links.copied_one", map[string]any{"Name": who}))
	}))
	return container.NewVBox(objs...)
}

// print opens the sheet in the browser for printing.
func (lv *linksView) print() {
	if lv.links == nil {
		return
	}
	u, links := lv.u, *lv.links
	lv.printBtn.Disable()
	u.mv.goBG(func() {
		err := u.svc.Lessons.OpenSheet(links)
		var msg string
		if err != nil {
			msg = u.explain(err)
		}
		mainDo(func() {
			lv.printBtn.Enable()
			if err != nil {
				lv.say(levelFail, msg)
				return
			}
			lv.say(levelOK, t("ui.links.printing"))
		})
	})
}

// save asks where to keep the sheet, then writes it there.
func (lv *linksView) save() {
	if lv.links == nil {
		return
	}
	u, links := lv.u, *lv.links
	d := dialog.NewFileSave(func(wc fyne.URIWriteCloser, err error) {
		if err != nil || wc == nil {
			return
		}
		uri := wc.URI()
		_ = wc.Close()
		if uri.Scheme() != "file" {
			u.showMessage(t("ui.links.title"), t("ui.links.not_local"), lv.win)
			return
		}
		lv.saveTo(links, uri.Path())
	}, lv.win)
	d.SetFileName(sheetFileName(lv.room))
	d.SetTitleText(t("ui.links.save_title"))
	d.SetConfirmText(t("ui.links.save_confirm"))
	d.SetFilter(storage.NewExtensionFileFilter([]string{".html"}))
	d.Show()
	d.Resize(fyne.NewSize(760, 540)) // only after Show
}

// saveTo writes the sheet to path in the background.
func (lv *linksView) saveTo(links ClassLinks, path string) {
	u := lv.u
	lv.saveBtn.Disable()
	u.mv.goBG(func() {
		err := u.svc.Lessons.SaveSheet(links, path)
		var msg string
		if err != nil {
			msg = u.explain(err)
		}
		mainDo(func() {
			lv.saveBtn.Enable()
			if err != nil {
				lv.say(levelFail, msg)
				return
			}
			lv.say(levelOK, t("ui.links.saved", map[string]any{"File": filepath.Base(path)}))
		})
	})
}

// sheetFileName suggests "Schuelerlinks-Mathe-7b.html".
func sheetFileName(room string) string {
	clean := strings.Map(func(r rune) rune {
		switch {
		case r == ' ':
			return '-'
		case r < 0x20 || strings.ContainsRune(`/\:*?"<>|`, r):
			return -1
		}
		return r
	}, room)
	return t("ui.links.sheet_file", map[string]any{"Room": clean})
}

// CopyLinks copies the room's student links ("Name: link" per line) to
// the clipboard and says so. Without a class list it asks for one first.
func (u *UI) CopyLinks(room string) {
	m := u.mv
	if lv := m.linksWin; lv != nil && lv.room == room && lv.links != nil {
		u.copyToClipboard(*lv.links, lv.win)
		return
	}
	if u.svc.Lessons == nil {
		return
	}
	classList := ""
	if r := m.room(room); r != nil {
		classList = r.ClassList
	}
	u.copyLinksFrom(room, classList)
}

// copyLinksFrom makes the links from classList and copies them. An empty
// classList means the room's own; without one it asks for the file.
func (u *UI) copyLinksFrom(room, classList string) {
	u.mv.goBG(func() {
		if classList == "" && u.svc.Rooms != nil {
			if r, err := u.svc.Rooms.Get(room); err == nil {
				classList = r.ClassList
			}
		}
		if classList == "" {
			mainDo(func() {
				u.ShowMain()
				u.chooseClassList(u.main, func(path string) { u.copyLinksFrom(room, path) })
			})
			return
		}
		ctx, cancel := context.WithTimeout(u.ctx, linksTimeout)
		defer cancel()
		cl, err := u.svc.Lessons.StudentLinks(ctx, room, classList)
		msg, fresh, haveRoom := u.afterLinks(room, classList, err)
		mainDo(func() {
			if haveRoom {
				u.mv.putRoom(room, fresh)
			}
			if err != nil {
				u.ShowMain()
				u.showMessage(t("ui.links.title"), msg, nil)
				return
			}
			u.copyToClipboard(cl, nil)
		})
	})
}

// copyToClipboard puts "Name: link" lines on the clipboard and says so
// over w (the main window when nil).
func (u *UI) copyToClipboard(cl ClassLinks, w fyne.Window) {
	var b strings.Builder
	n := 0
	for _, l := range cl.Links {
		if l.URL == nil {
			continue
		}
		b.WriteString(l.Student.Name + ": " + l.URL.Reveal() + "\n")
		n++
	}
	u.app.Clipboard().SetContent(b.String())
	if w == nil {
		u.ShowMain()
	}
	u.showMessage(t("ui.links.copied_title"), t("ui.links.copied", map[string]any{"Count": n}), w)
}

// afterLinks is the background half of making links: the message for a
// failure, or the room with the class list remembered (haveRoom false when
// it could not be saved).
func (u *UI) afterLinks(room, classList string, err error) (msg string, fresh rooms.Room, haveRoom bool) {
	if err != nil {
		return u.explain(err), rooms.Room{}, false
	}
	fresh, haveRoom = u.rememberClassList(room, classList)
	return "", fresh, haveRoom
}
