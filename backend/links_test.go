package backend

import (
	"errors"
	"html"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/tafel-schule/tafel/studentlinks"
)

var hrefRE = regexp.MustCompile(`href="([^"]*/join\?[^"]*)"`)

func sheetLinks(t *testing.T, b []byte) []string {
	t.Helper()
	var out []string
	for _, m := range hrefRE.FindAllStringSubmatch(string(b), -1) {
		out = append(out, html.UnescapeString(m[1]))
	}
	return out
}

// Student links from a class list: room-wide guest viewer links, notes
// for what the parser decided, a private sheet saved or opened for print.
func TestStudentLinks(t *testing.T) {
	e := newEnv(t)
	e.addPoolAndRoom("Bio 9c")
	l := e.b.Lessons()

	if _, err := l.StudentLinks(e.ctx(), "Bio 9c", ""); !errors.Is(err, ErrNoClassList) || isKey(l.Explain(err)) {
		t.Fatalf("no class list: %v", err)
	}
	cl, err := l.StudentLinks(e.ctx(), "Bio 9c", filepath.Join("testdata", "klasse-9c.csv"))
	if err != nil {
		t.Fatal(l.Explain(err))
	}
	if cl.Room != "Bio 9c" || cl.Class != "9c" || len(cl.Links) != 4 || len(cl.Notes) != 1 || !strings.Contains(cl.Notes[0], "Ada Lovelace") {
		t.Fatalf("class links: %+v", cl)
	}
	room, _ := e.b.Rooms().Get("Bio 9c")
	if !filepath.IsAbs(room.ClassList) || filepath.Base(room.ClassList) != "klasse-9c.csv" {
		t.Fatalf("class list not remembered: %q", room.ClassList)
	}
	for _, lk := range cl.Links {
		u := lk.URL.Reveal()
		if !strings.Contains(u, "role=VIEWER") || strings.Contains(u, "createTime=") || !strings.Contains(u, "guest=true") ||
			!strings.Contains(u, "meetingID="+url.QueryEscape(room.MeetingID)) {
			t.Fatal("not a room-wide guest viewer link")
		}
	}
	// The remembered list is used when none is given; same links again.
	again, err := l.StudentLinks(e.ctx(), "Bio 9c", "")
	if err != nil || again.Links[3].URL.Reveal() != cl.Links[3].URL.Reveal() {
		t.Fatalf("remembered list: %v", err)
	}

	// SaveSheet: 0600, complete, no temp files left behind.
	dir := t.TempDir()
	sheet := filepath.Join(dir, "blatt.html")
	if err := l.SaveSheet(cl, sheet); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(sheet)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("sheet: %v %v", err, fi)
	}
	raw, _ := os.ReadFile(sheet)
	if links := sheetLinks(t, raw); len(links) != 4 || !strings.Contains(string(raw), "</html>") {
		t.Fatalf("sheet has %d links", len(links))
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Fatalf("left in the folder: %v", ents)
	}
	err = l.SaveSheet(cl, filepath.Join(sheet, "x.html")) // below a file
	if !errors.Is(err, ErrSheetWrite) || isKey(l.Explain(err)) {
		t.Fatalf("unwritable: %v", err)
	}

	// OpenSheet: a private folder and file, opened as file:// in the browser.
	if err := l.OpenSheet(cl); err != nil {
		t.Fatal(err)
	}
	opened, _ := e.lastOpened()
	u, err := url.Parse(opened)
	if err != nil || u.Scheme != "file" {
		t.Fatalf("opened %q", opened)
	}
	fi, err = os.Stat(u.Path)
	di, derr := os.Stat(filepath.Dir(u.Path))
	if err != nil || derr != nil || fi.Mode().Perm() != 0o600 || di.Mode().Perm() != 0o700 {
		t.Fatalf("temp sheet: %v %v %v %v", fi, err, di, derr)
	}
	if b, _ := os.ReadFile(u.Path); len(sheetLinks(t, b)) != 4 {
		t.Fatal("temp sheet incomplete")
	}
	e.b.Close()
	if _, err := os.Stat(u.Path); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("Close left the temporary sheet")
	}
	if err := l.OpenSheet(cl); !errors.Is(err, ErrClosed) {
		t.Fatalf("after Close: %v", err)
	}
}

// A bad class list is a studentlinks error with a sentence.
func TestStudentLinksBadList(t *testing.T) {
	e := newEnv(t)
	e.addPoolAndRoom("Bio 9c")
	p := filepath.Join(t.TempDir(), "leer.csv")
	os.WriteFile(p, nil, 0o600)
	_, err := e.b.Lessons().StudentLinks(e.ctx(), "Bio 9c", p)
	if !errors.Is(err, studentlinks.ErrEmpty) || isKey(e.b.Explain(err)) || !strings.Contains(e.b.Explain(err), "leer.csv") {
		t.Fatalf("%v: %s", err, e.b.Explain(err))
	}
}
