package main

import (
	"context"
	"encoding/json"
	"github.com/tafel-schule/tafel/internal/testpdf"
	"html"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tafel-schule/tafel/internal/bbbsim"
)

var hrefRE = regexp.MustCompile(`href="([^"]*/join\?[^"]*)"`)

func sheetLinks(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, m := range hrefRE.FindAllStringSubmatch(string(b), -1) {
		out = append(out, html.UnescapeString(m[1]))
	}
	return out
}

func TestLinksCLI(t *testing.T) {
	le := newLessonEnv(t)
	le.run(cliSecret, "pool", "add", "Schul-BBB", "--url", le.api)
	le.run("", "rooms", "add", "Bio 9c")
	dir := t.TempDir()
	class := filepath.Join(dir, "9c.csv")
	// UTF-8 with BOM, semicolons, a duplicate, an empty line.
	os.WriteFile(class, []byte("\xef\xbb\xbfName;Klasse\r\nAda Lovelace;9c\r\nGrace Hopper;9c\r\n\r\nAda Lovelace;9c\r\n"), 0o600)
	sheet := filepath.Join(dir, "blatt.html")
	csv := filepath.Join(dir, "links.csv")

	// Links for this lesson only need a running lesson: refused with a clear next step.
	code, _, errs := le.run("", "links", "Bio 9c", "--class", class, "--out", sheet, "--this-lesson")
	if code != exitFail || !strings.Contains(errs, "tafel start") {
		t.Fatalf("lesson links before start: %d %s", code, errs)
	}
	// A sheet for the room is printed before any lesson (no createTime).
	code, out, errs := le.run("", "links", "Bio 9c", "--class", class, "--out", sheet, "--csv", csv, "--json")
	if code != exitWarn { // the duplicate is reported as a warning
		t.Fatalf("links: %d %s", code, errs)
	}
	var lj linksJSON
	if json.Unmarshal([]byte(out), &lj) != nil || lj.Students != 3 || len(lj.Duplicates) != 1 || strings.Contains(out, "checksum") {
		t.Fatalf("links json: %s", out)
	}
	for _, p := range []string{sheet, csv} {
		fi, err := os.Stat(p)
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Fatalf("%s: %v %v", p, err, fi)
		}
	}
	links := sheetLinks(t, sheet)
	if len(links) != 3 {
		t.Fatalf("sheet has %d links", len(links))
	}
	for _, l := range links {
		if !strings.Contains(l, "role=VIEWER") || strings.Contains(l, "MODERATOR") || strings.Contains(l, "createTime=") {
			t.Fatal("a sheet link is not a room-wide viewer link")
		}
		if !strings.Contains(l, "guest=true") { // so a later guest policy applies to printed sheets
			t.Fatal("a sheet link is not a guest link")
		}
	}
	if _, key := joinInBrowser(t, links[0]); key == "" {
		t.Fatal("a student joined before the lesson started")
	}
	if code, _, errs := le.run("", "start", "Bio 9c", "--name", "Frau Kim"); code != exitOK {
		t.Fatalf("start: %s", errs)
	}
	if status, key := joinInBrowser(t, links[0]); status != 200 || key != "" {
		t.Fatalf("student join: %d %s", status, key)
	}
	tampered := strings.Replace(links[1], "role=VIEWER", "role=MODERATOR", 1)
	if _, key := joinInBrowser(t, tampered); key != "checksumError" {
		t.Fatalf("tampered link: %q", key)
	}
	// Stable user IDs: the same list again gives the same links.
	le.run("", "links", "Bio 9c", "--out", sheet) // class list remembered by the room
	if again := sheetLinks(t, sheet); strings.Join(again, "\n") != strings.Join(links, "\n") {
		t.Fatal("links changed between two runs for the same room")
	}
	// --this-lesson pins the links to the running lesson.
	le.run("", "links", "Bio 9c", "--out", sheet, "--this-lesson")
	if pinned := sheetLinks(t, sheet); len(pinned) != 3 || !strings.Contains(pinned[2], "createTime=") {
		t.Fatal("--this-lesson links carry no createTime")
	} else if status, key := joinInBrowser(t, pinned[2]); status != 200 || key != "" {
		t.Fatalf("pinned student join: %d %s", status, key)
	}
	var m = mustMeeting(t, le)
	for _, u := range m.Users {
		if u.FullName == "Ada Lovelace" && (u.Role != "VIEWER" || !strings.HasPrefix(u.UserID, "s-")) {
			t.Fatalf("student in meeting: %+v", u)
		}
	}
	// A German class list in Windows-1252 works too.
	os.WriteFile(class, []byte("J\xfcrgen M\xfcller\nZo\xeb \xc6ther\n"), 0o600)
	if code, _, errs := le.run("", "links", "Bio 9c", "--class", class, "--out", sheet); code != exitOK {
		t.Fatalf("cp1252: %d %s", code, errs)
	}
	if l := sheetLinks(t, sheet); len(l) != 2 || !strings.Contains(l[0], "J%C3%BCrgen") {
		t.Fatalf("cp1252 names: %v", len(l))
	}
	// A bad class list: clear message, exit 2.
	os.WriteFile(class, nil, 0o600)
	if code, _, errs := le.run("", "links", "Bio 9c", "--class", class, "--out", sheet); code != exitFail || errs == "" {
		t.Fatalf("empty class list: %d %s", code, errs)
	}
	if code, _, _ := le.run("", "links", "Bio 9c"); code != exitUsage {
		t.Fatal("--out is required")
	}
}

func mustMeeting(t *testing.T, le *lessonEnv) bbbsim.MeetingState {
	t.Helper()
	ms := le.sim.Meetings()
	for i := len(ms) - 1; i >= 0; i-- {
		if !ms[i].Ended {
			return ms[i]
		}
	}
	t.Fatal("no meeting")
	return bbbsim.MeetingState{}
}

// Parents' evening links make parents wait for the moderator.
func TestLinksCLIParentsWait(t *testing.T) {
	le := newLessonEnv(t)
	le.run(cliSecret, "pool", "add", "Schul-BBB", "--url", le.api)
	le.run("", "rooms", "add", "Elternabend 5a", "--preset", "parents")
	le.run("", "start", "Elternabend 5a")
	dir := t.TempDir()
	class := filepath.Join(dir, "eltern.txt")
	os.WriteFile(class, []byte("Familie Schulz\n"), 0o600)
	sheet := filepath.Join(dir, "s.html")
	if code, _, errs := le.run("", "links", "Elternabend 5a", "--class", class, "--out", sheet); code != exitOK {
		t.Fatalf("%d %s", code, errs)
	}
	l := sheetLinks(t, sheet)
	if len(l) != 1 || !strings.Contains(l[0], "guest=true") {
		t.Fatal("parents' links must be guest links")
	}
}

func TestSlidesCLI(t *testing.T) {
	le := newLessonEnv(t)
	le.run(cliSecret, "pool", "add", "Schul-BBB", "--url", le.api)
	le.run("", "rooms", "add", "Physik 10a")
	dir := t.TempDir()
	pdf1 := filepath.Join(dir, "optik.pdf")
	os.WriteFile(pdf1, testpdf.Pages(4, "optik", 0), 0o600)
	// Not running: validated and attached, uploaded with the next start.
	code, out, errs := le.run("", "slides", "Physik 10a", pdf1, "--json")
	var sj slidesJSON
	if code != exitOK || json.Unmarshal([]byte(out), &sj) != nil || len(sj.Attached) != 1 || sj.Attached[0].Pages != 4 || sj.Running {
		t.Fatalf("slides: %d %s %s", code, out, errs)
	}
	if code, _, errs := le.run("", "start", "Physik 10a"); code != exitOK || !strings.Contains(errs, "optik.pdf") {
		t.Fatalf("start with slides: %d %s", code, errs)
	}
	m := mustMeeting(t, le)
	// Running: uploaded at once with insertDocument.
	pdf2 := filepath.Join(dir, "linsen.pdf")
	os.WriteFile(pdf2, testpdf.Pages(2, "linsen", 0), 0o600)
	code, out, errs = le.run("", "slides", "Physik 10a", pdf2, "--json")
	if code != exitOK || json.Unmarshal([]byte(out), &sj) != nil || !sj.Running || len(sj.Uploaded) != 1 {
		t.Fatalf("slides while running: %d %s %s", code, out, errs)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	le.sim.WaitConversions(ctx)
	ps := le.sim.Presentations(m.MeetingID)
	if len(ps) != 2 || ps[0].Name != "optik.pdf" || !ps[1].FromInsert || ps[1].Name != "linsen.pdf" || ps[1].Status != bbbsim.StatusConverted {
		t.Fatalf("presentations: %+v", ps)
	}
	// A repeated start uploads nothing new.
	le.sim.ResetRequests()
	le.run("", "start", "Physik 10a")
	for _, r := range le.sim.Requests() {
		if r.Method == "POST" {
			t.Fatal("slides uploaded twice")
		}
	}
	// Rejected files: zero bytes, not a slide format, encrypted-looking junk.
	empty := filepath.Join(dir, "leer.pdf")
	os.WriteFile(empty, nil, 0o600)
	exe := filepath.Join(dir, "virus.pdf")
	os.WriteFile(exe, []byte("MZ\x90\x00 not a pdf at all"), 0o600)
	code, out, errs = le.run("", "slides", "Physik 10a", empty, exe, "--json")
	if code != exitFail || json.Unmarshal([]byte(out), &sj) != nil || len(sj.Rejected) != 2 || len(sj.Attached) != 0 {
		t.Fatalf("rejected: %d %s %s", code, out, errs)
	}
	if !strings.Contains(sj.Rejected[0].Code, "empty") {
		t.Fatalf("codes: %+v", sj.Rejected)
	}
	_, out, _ = le.run("", "rooms", "list", "--json")
	if strings.Count(out, `"pages"`) != 2 {
		t.Fatalf("rejected slides must not be attached: %s", out)
	}
	// Over the pool's page limit: message names the limit.
	many := filepath.Join(dir, "dick.pdf")
	os.WriteFile(many, testpdf.Pages(201, "dick", 0), 0o600)
	code, _, errs = le.run("", "slides", "Physik 10a", many)
	if code != exitFail || !strings.Contains(errs, "200") {
		t.Fatalf("page limit: %d %s", code, errs)
	}
}

// A slide changed after it was attached is checked again at start: a now
// broken file is left out with a message, and the lesson starts anyway.
func TestStartRevalidatesChangedSlide(t *testing.T) {
	le := newLessonEnv(t)
	le.run(cliSecret, "pool", "add", "Schul-BBB", "--url", le.api)
	le.run("", "rooms", "add", "Chemie 8a")
	dir := t.TempDir()
	pdf := filepath.Join(dir, "atome.pdf")
	os.WriteFile(pdf, testpdf.Pages(3, "atome", 0), 0o600)
	if code, _, errs := le.run("", "slides", "Chemie 8a", pdf); code != exitOK {
		t.Fatalf("attach: %s", errs)
	}
	time.Sleep(10 * time.Millisecond) // a different modification time
	os.WriteFile(pdf, []byte("%PDF-1.4\nbroken beyond repair"), 0o600)
	code, out, errs := le.run("", "start", "Chemie 8a", "--json")
	var sj startJSON
	if code != exitWarn || json.Unmarshal([]byte(out), &sj) != nil || !sj.Opened || len(sj.SlideIssues) != 1 ||
		!strings.HasPrefix(sj.SlideIssues[0].Code, "slides.") {
		t.Fatalf("changed slide: %d %s %s", code, out, errs)
	}
}
