package app

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// slideFiles makes empty files named names in a temporary folder.
func slideFiles(t *testing.T, names ...string) []string {
	t.Helper()
	dir := t.TempDir()
	var out []string
	for _, n := range names {
		p := filepath.Join(dir, n)
		if err := os.WriteFile(p, []byte("%PDF-1.4\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		out = append(out, p)
	}
	return out
}

func uris(paths ...string) []fyne.URI {
	var out []fyne.URI
	for _, p := range paths {
		out = append(out, storage.NewFileURI(p))
	}
	return out
}

func TestDropChecksThenAddsGoodSlides(t *testing.T) {
	e := newMW(t, twoRooms())
	files := slideFiles(t, "Bruchrechnen.pdf", "bad-photo.heic")
	e.m.dropped(fyne.NewPos(10, 10), uris(files...))
	e.settle()

	got := e.lessons.snapshot()
	if !reflect.DeepEqual(got.checked, [][]string{files}) {
		t.Fatalf("CheckSlides got %q, want both dropped files", got.checked)
	}
	if !reflect.DeepEqual(got.added, [][]string{files[:1]}) {
		t.Fatalf("AddSlides got %q, want only the good file", got.added)
	}
	e.assertShown(e.m.slides.box,
		"Fine: “Bruchrechnen.pdf” (pages: 4)",
		"“bad-photo.heic” cannot be shown: save it as PDF.",
		"Done: the slides now belong to the room (count: 1)",
		"Bruchrechnen.pdf (pages: 4, 1 KB)") // the refreshed list of slides
	if e.m.slides.progressBox.Visible() || e.m.slides.busy {
		t.Fatal("progress still shown after the upload")
	}
	if !e.m.slides.addBtn.Disabled() == false {
		t.Fatal("add button stays disabled")
	}
	r, _ := e.rooms.room("Mathe 7b")
	if len(r.Slides) != 3 {
		t.Fatalf("room has %d slides, want 3", len(r.Slides))
	}
}

func TestDropOnlyBadFilesAddsNothing(t *testing.T) {
	e := newMW(t, twoRooms())
	e.m.dropped(fyne.Position{}, uris(slideFiles(t, "bad.docx")...))
	e.settle()
	if got := e.lessons.snapshot(); len(got.added) != 0 {
		t.Fatalf("AddSlides called with %q", got.added)
	}
	e.assertShown(e.m.slides.box, "“bad.docx” cannot be shown", "No file was added.")
}

func TestDropWithoutRoomExplains(t *testing.T) {
	e := newMW(t, newFakeRooms())
	e.m.dropped(fyne.Position{}, uris(slideFiles(t, "a.pdf")...))
	e.settle()
	if e.top() == nil {
		t.Fatal("no message after a drop without a room")
	}
	e.assertShown(e.top(), "First choose a room on the left.")
	if got := e.lessons.snapshot(); len(got.checked) != 0 {
		t.Fatal("files were checked without a room")
	}
}

func TestDropNonFileExplains(t *testing.T) {
	e := newMW(t, twoRooms())
	u, err := storage.ParseURI("https://example.org/slides.pdf")
	if err != nil {
		t.Fatal(err)
	}
	e.m.dropped(fyne.Position{}, []fyne.URI{u})
	e.settle()
	e.assertShown(e.top(), "Tafel can only use files on this computer.")
}

func TestAddSlidesShowsProgress(t *testing.T) {
	e := newMW(t, twoRooms())
	e.lessons.progressed = make(chan struct{})
	e.lessons.release = make(chan struct{})
	e.lessons.uploaded = true
	e.u.addSlides("Elternabend 7b", slideFiles(t, "Tagesordnung.pdf"))
	if e.m.selected != "Elternabend 7b" {
		t.Fatalf("adding slides to a room did not select it (selected %q)", e.m.selected)
	}
	select {
	case <-e.lessons.progressed:
	case <-time.After(20 * time.Second):
		t.Fatal("AddSlides was not called")
	}
	// AddSlides waits now, half done.
	s := e.m.slides
	if !s.progressBox.Visible() || !s.progress.Visible() || s.progress.Value != 0.5 {
		t.Fatalf("progress visible=%v value=%v, want a half-full bar", s.progress.Visible(), s.progress.Value)
	}
	if s.progressMsg.Text != "Uploading slides: 500 KB of 1.0 MB" {
		t.Fatalf("progress text %q", s.progressMsg.Text)
	}
	if !s.addBtn.Disabled() {
		t.Fatal("add button enabled during the upload")
	}
	// A second batch meanwhile is refused with a reason.
	e.u.addSlides("Elternabend 7b", slideFiles(t, "more.pdf"))
	e.assertShown(e.top(), "Slides are being transferred right now.")
	close(e.lessons.release)
	e.settle()
	if s.progressBox.Visible() {
		t.Fatal("progress still shown")
	}
	e.assertShown(s.box, "already on the whiteboard of the running lesson", "Tagesordnung.pdf")
}

func TestAddSlidesCancel(t *testing.T) {
	e := newMW(t, twoRooms())
	e.lessons.progressed = make(chan struct{})
	e.lessons.release = make(chan struct{}) // never closed: only cancel ends it
	e.u.addSlides("Mathe 7b", slideFiles(t, "x.pdf"))
	<-e.lessons.progressed
	test.Tap(e.m.slides.cancelBtn)
	e.settle()
	if e.m.slides.busy {
		t.Fatal("still busy after cancel")
	}
	e.assertShown(e.m.slides.box, "Explained: context canceled")
}

func TestAddSlidesErrorIsExplained(t *testing.T) {
	e := newMW(t, twoRooms())
	e.lessons.addErr = errors.New("pool said no")
	e.u.addSlides("Mathe 7b", slideFiles(t, "x.pdf"))
	e.settle()
	e.assertShown(e.m.slides.box, "Explained: pool said no")
	if e.m.slides.busy || !e.m.slides.addBtn.Visible() || e.m.slides.addBtn.Disabled() {
		t.Fatal("the slides view did not recover from the error")
	}
}

func TestRemoveSlide(t *testing.T) {
	e := newMW(t, twoRooms())
	row := e.m.slides.list.Objects[0].(*fyne.Container)
	var rm *widget.Button
	for _, o := range row.Objects {
		if b, ok := o.(*widget.Button); ok {
			rm = b
		}
	}
	test.Tap(rm)
	e.settle()
	r, _ := e.rooms.room("Mathe 7b")
	if len(r.Slides) != 1 || r.Slides[0].Name != "Übungen.pptx" {
		t.Fatalf("slides after removing the first: %+v", r.Slides)
	}
	if n := len(e.m.slides.list.Objects); n != 1 {
		t.Fatalf("list shows %d slides, want 1", n)
	}
}

func TestAddSlidesDialogOpensFilePicker(t *testing.T) {
	e := newMW(t, twoRooms())
	test.Tap(e.m.slides.addBtn)
	if e.top() == nil {
		t.Fatal("no file dialog")
	}
}
