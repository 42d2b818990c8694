package app

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
)

// roomsWithClass: "Mathe 7b" knows its class list.
func roomsWithClass() *fakeRooms {
	rs := twoRooms()
	rs.rooms[0].ClassList = "/home/lehrerin/7b.csv"
	return rs
}

func TestLinksSectionNamesClassList(t *testing.T) {
	e := newMW(t, roomsWithClass())
	e.assertShown(e.m.links.box, "Class list: 7b.csv", "Show links and QR codes", "Copy all links", "Make new links")
}

func TestShowLinksWithQRCodes(t *testing.T) {
	e := newMW(t, roomsWithClass())
	e.lessons.notes = []string{"“Ada Lovelace” appears twice."}
	test.Tap(e.m.links.showBtn)
	e.settle()
	lv := e.m.linksWin
	if lv == nil || lv.room != "Mathe 7b" {
		t.Fatal("no links window for the room")
	}
	if got := e.lessons.snapshot().classLists; len(got) != 1 || got[0] != "/home/lehrerin/7b.csv" {
		t.Fatalf("StudentLinks read %q, want the room's class list", got)
	}
	content := lv.win.Canvas().Content()
	e.assertShown(content, "Student links – Mathe 7b", "Class list: 7b.csv", "Done: links for 3 people.",
		"“Ada Lovelace” appears twice.", "Do not show this window on the projector.",
		"Ada Lovelace", "Alan Turing", "Grace Hopper", "Print sheet", "Save sheet …")
	if n := len(lv.grid.Objects); n != 3 {
		t.Fatalf("%d cards, want 3", n)
	}
	// Each card has a sharp QR code.
	var qrs int
	mwWalk(lv.grid, func(o fyne.CanvasObject) {
		if img, ok := o.(*canvas.Image); ok && img.Image != nil {
			qrs++
			if img.ScaleMode != canvas.ImageScalePixels {
				t.Error("QR code is smoothed when scaled")
			}
		}
	})
	if qrs != 3 {
		t.Fatalf("%d QR codes, want 3", qrs)
	}
	// The links themselves are not printed on screen.
	for _, s := range mwTexts(content) {
		if strings.Contains(s, "checksum") || strings.Contains(s, "https://") {
			t.Fatal("a link is shown as text")
		}
	}
	if lv.printBtn.Disabled() || lv.saveBtn.Disabled() || lv.copyBtn.Disabled() {
		t.Fatal("sheet buttons disabled although the links are there")
	}

	// Showing again brings the same window back.
	e.u.ShowLinks("Mathe 7b")
	if e.m.linksWin != lv {
		t.Fatal("a second window for the same room")
	}
}

func TestShowLinksAsksForClassList(t *testing.T) {
	e := newMW(t, twoRooms())
	e.u.ShowLinks("Mathe 7b")
	lv := e.m.linksWin
	e.assertShown(lv.win.Canvas().Content(), "Choose the class list: a CSV or text file")
	if lv.win.Canvas().Focused() != lv.chooseBtn {
		t.Fatal("the class list button is not focused")
	}
	if !lv.printBtn.Disabled() {
		t.Fatal("print enabled without links")
	}
	if len(e.lessons.snapshot().classLists) != 0 {
		t.Fatal("links made without a class list")
	}
	test.Tap(lv.chooseBtn)
	if lv.win.Canvas().Overlays().Top() == nil {
		t.Fatal("no file dialog for the class list")
	}
	lv.win.Canvas().Overlays().Top().Hide()
	lv.load("/tmp/klasse-7b.txt") // what the file dialog hands over
	e.settle()
	r, _ := e.rooms.room("Mathe 7b")
	if r.ClassList != "/tmp/klasse-7b.txt" {
		t.Fatalf("the room did not remember its class list (%q)", r.ClassList)
	}
	if len(lv.grid.Objects) != 3 {
		t.Fatal("no cards after choosing the class list")
	}
	e.assertShown(e.m.links.box, "Class list: klasse-7b.txt")
}

func TestShowLinksErrorIsExplained(t *testing.T) {
	e := newMW(t, roomsWithClass())
	e.lessons.linksErr = errors.New("class list unreadable")
	e.u.ShowLinks("Mathe 7b")
	e.settle()
	lv := e.m.linksWin
	e.assertShown(lv.win.Canvas().Content(), "Explained: class list unreadable")
	if !lv.printBtn.Disabled() || len(lv.grid.Objects) != 0 {
		t.Fatal("sheet offered after an error")
	}
}

func TestLinksPrintAndSave(t *testing.T) {
	e := newMW(t, roomsWithClass())
	e.u.ShowLinks("Mathe 7b")
	e.settle()
	lv := e.m.linksWin
	test.Tap(lv.printBtn)
	e.settle()
	e.assertShown(lv.status, "The sheet is open in your browser.")

	test.Tap(lv.saveBtn)
	if lv.win.Canvas().Overlays().Top() == nil {
		t.Fatal("no save dialog")
	}
	lv.win.Canvas().Overlays().Top().Hide()
	path := filepath.Join(t.TempDir(), "sheet.html")
	lv.saveTo(*lv.links, path) // what the save dialog hands over
	e.settle()
	if got := e.lessons.snapshot().sheets; len(got) != 2 || got[0] != "open" || got[1] != path {
		t.Fatalf("sheets %q", got)
	}
	e.assertShown(lv.status, "The sheet is saved: sheet.html.")

	e.lessons.sheetErr = errors.New("disk full")
	lv.saveTo(*lv.links, path)
	e.settle()
	e.assertShown(lv.status, "Explained: disk full")
}

func TestSheetFileName(t *testing.T) {
	if got := sheetFileName(`Mathe 7b/c: "neu"`); got != "Student-links-Mathe-7bc-neu.html" {
		t.Fatalf("sheetFileName = %q", got)
	}
}

func TestCopyLinks(t *testing.T) {
	e := newMW(t, roomsWithClass())
	test.Tap(e.m.links.copyBtn)
	e.settle()
	want := "Ada Lovelace: https://bbb.example.org/bigbluebutton/api/join?fullName=A&checksum=secret1\n" +
		"Alan Turing: https://bbb.example.org/bigbluebutton/api/join?fullName=B&checksum=secret2\n" +
		"Grace Hopper: https://bbb.example.org/bigbluebutton/api/join?fullName=C&checksum=secret3\n"
	// Links are credentials: failures say what differs, not the links.
	if got := e.u.app.Clipboard().Content(); got != want {
		t.Fatalf("clipboard holds %d lines, not the three “Name: link” lines", strings.Count(got, "\n"))
	}
	e.assertShown(e.top(), "The links for 3 people are on the clipboard")
}

func TestCopyLinksAsksForClassList(t *testing.T) {
	e := newMW(t, twoRooms())
	e.u.CopyLinks("Mathe 7b")
	e.settle()
	if e.top() == nil {
		t.Fatal("no file dialog for the class list")
	}
	if len(e.lessons.snapshot().classLists) != 0 {
		t.Fatal("links made without a class list")
	}
	e.top().Hide()
	e.u.copyLinksFrom("Mathe 7b", "/tmp/7b.csv") // what the dialog hands over
	e.settle()
	if !strings.HasPrefix(e.u.app.Clipboard().Content(), "Ada Lovelace: https://") {
		t.Fatal("links not copied")
	}
	if r, _ := e.rooms.room("Mathe 7b"); r.ClassList != "/tmp/7b.csv" {
		t.Fatal("the room did not remember its class list")
	}
}

func TestCopyOneLinkFromCard(t *testing.T) {
	e := newMW(t, roomsWithClass())
	e.u.ShowLinks("Mathe 7b")
	e.settle()
	lv := e.m.linksWin
	test.Tap(mwButton(t, lv.grid.Objects[1], "Copy link"))
	if got := e.u.app.Clipboard().Content(); got != "https://bbb.example.org/bigbluebutton/api/join?fullName=B&checksum=secret2" {
		t.Fatal("the clipboard does not hold Alan Turing's link")
	}
	e.assertShown(lv.status, "Alan Turing's link is on the clipboard.")
}

func TestShowLinksBeforeRoomsLoaded(t *testing.T) {
	e := newMW(t, roomsWithClass())
	e.m.rooms = nil // as when the tray asks before the first load is back
	e.u.ShowLinks("Mathe 7b")
	e.settle()
	if got := e.lessons.snapshot().classLists; len(got) != 1 || got[0] != "/home/lehrerin/7b.csv" {
		t.Fatalf("StudentLinks read %q, want the room's class list", got)
	}
}

func TestRemovingRoomClosesItsLinksWindow(t *testing.T) {
	e := newMW(t, roomsWithClass())
	e.u.ShowLinks("Mathe 7b")
	e.settle()
	e.u.confirmRemoveRoom("Mathe 7b")
	test.Tap(mwButton(t, e.top(), "Delete"))
	e.settle()
	if e.m.linksWin != nil {
		t.Fatal("the links window of a deleted room stayed open")
	}
}

func TestRotateClosesLinksWindow(t *testing.T) {
	e := newMW(t, roomsWithClass())
	e.u.ShowLinks("Mathe 7b")
	e.settle()
	e.u.confirmRotate("Mathe 7b")
	test.Tap(mwButton(t, e.top(), "Make new links"))
	e.settle()
	if e.m.linksWin != nil {
		t.Fatal("the window with the dead links stayed open")
	}
}

func TestLinksWindowKeyboard(t *testing.T) {
	e := newMW(t, roomsWithClass())
	e.u.ShowLinks("Mathe 7b")
	e.settle()
	lv := e.m.linksWin
	c := lv.win.Canvas()
	var order []fyne.Focusable
	for range 6 {
		test.FocusNext(c)
		order = append(order, c.Focused())
	}
	want := []fyne.Focusable{lv.chooseBtn, lv.printBtn, lv.saveBtn, lv.copyBtn}
	for i, w := range want {
		if order[i] != w {
			t.Fatalf("Tab stop %d is %T, want the buttons at the top in reading order", i, order[i])
		}
	}
	// Escape closes the window (nothing focused: the canvas gets the key).
	c.Unfocus()
	c.(interface{ OnTypedKey() func(*fyne.KeyEvent) }).OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if e.m.linksWin != nil {
		t.Fatal("Escape did not close the links window")
	}
	// Ctrl+W closes it whatever has the focus.
	e.u.ShowLinks("Mathe 7b")
	e.settle()
	lv = e.m.linksWin
	lv.win.Canvas().Focus(lv.printBtn)
	mwShortcut(t, lv.win.Canvas(), fyne.KeyW)
	if e.m.linksWin != nil {
		t.Fatal("Ctrl+W did not close the links window")
	}
}
