package backend

import (
	"bytes"
	"context"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/tafel-schule/tafel/internal/atomicfile"
	"github.com/tafel-schule/tafel/rooms"
	"github.com/tafel-schule/tafel/studentlinks"
)

// StudentLinks reads a class list ("" the one the room remembers) and
// signs one VIEWER link per student. The links carry no createTime: they
// are valid for every lesson of the room, only while one runs, until the
// room's meeting ID is rotated (as `tafel links` without --this-lesson).
// They always join as guests, so the room's guest policy applies to them.
// The class list is remembered by the room.
func (l *Lessons) StudentLinks(ctx context.Context, name, classList string) (ClassLinks, error) {
	b := l.b
	u, err := b.loadUser()
	if err != nil {
		return ClassLinks{}, err
	}
	room, err := b.room(name)
	if err != nil {
		return ClassLinks{}, err
	}
	if classList == "" {
		classList = room.ClassList
	}
	if classList == "" {
		return ClassLinks{}, ErrNoClassList
	}
	cl, err := studentlinks.ParseFile(classList, studentlinks.ParseOptions{})
	if err != nil {
		return ClassLinks{}, err
	}
	tr := b.tr()
	out := ClassLinks{Room: room.Name, Class: cl.Class}
	for _, d := range cl.Duplicates {
		out.Notes = append(out.Notes, studentlinks.DuplicateMessage(tr, d))
	}
	if msg := studentlinks.SkippedMessage(tr, cl.Skipped); msg != "" {
		out.Notes = append(out.Notes, msg)
	}
	for _, line := range cl.Truncated {
		out.Notes = append(out.Notes, studentlinks.TruncatedMessage(tr, line))
	}
	pool, _, err := b.openPool(ctx, u, room.Pool)
	if err != nil {
		return ClassLinks{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, linksTimeout)
	defer cancel()
	var lp rooms.Pool = pool
	sign := func(ctx context.Context, name, userID string) (studentlinks.URL, error) {
		// createTime 0: a room-wide link for a printed sheet.
		return lp.ViewerJoinURL(ctx, room.MeetingID, 0, rooms.Participant{Name: name, UserID: userID, Guest: true})
	}
	links, err := studentlinks.BuildLinks(ctx, room.MeetingID, cl.Students, sign)
	if err != nil {
		return ClassLinks{}, err
	}
	out.Links = links
	// Remember the class list for next time; only that can fail here.
	if abs, err := filepath.Abs(classList); err == nil && abs != room.ClassList {
		if _, err := b.store.Update(room.Name, func(r *rooms.Room) error { r.ClassList = abs; return nil }); err != nil {
			out.Notes = append(out.Notes, b.explain(tr, err))
		}
	}
	return out, nil
}

// sheet renders the printable sheet (HTML with QR codes).
func (b *Backend) sheet(links ClassLinks) ([]byte, error) {
	var buf bytes.Buffer
	opt := studentlinks.SheetOptions{Lang: b.tr().Lang, Room: links.Room, Class: links.Class}
	if err := studentlinks.WriteSheet(&buf, links.Links, opt); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// SaveSheet writes the printable sheet to path: private to the user
// (0600, it holds bearer links) and atomically, so a half-written sheet
// never reaches the printer.
func (l *Lessons) SaveSheet(links ClassLinks, path string) error {
	data, err := l.b.sheet(links)
	if err != nil {
		return err
	}
	if err := atomicfile.Write(path, data, 0o600); err != nil {
		return &Error{Code: CodeSheetWrite, Err: err}
	}
	return nil
}

// OpenSheet writes the sheet into a private temporary folder (0700, the
// file 0600) and opens it in the browser for printing. Close removes it.
func (l *Lessons) OpenSheet(links ClassLinks) error {
	b := l.b
	data, err := b.sheet(links)
	if err != nil {
		return err
	}
	path, err := b.writeTempSheet(data)
	if err != nil {
		return &Error{Code: CodeSheetWrite, Err: err}
	}
	u, _ := b.loadUser()
	browser := ""
	if u != nil {
		browser = u.Browser
	}
	if err := b.open(browser, rooms.NewJoinURL(fileURL(path))); err != nil {
		return &rooms.Error{Code: rooms.CodeOpenFailed, Err: err}
	}
	return nil
}

// writeTempSheet writes data to sheet.html in the Backend's private
// temporary folder, made on first use.
func (b *Backend) writeTempSheet(data []byte) (string, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return "", ErrClosed
	}
	if b.sheetDir == "" {
		d, err := os.MkdirTemp("", "tafel-sheet-") // 0700
		if err != nil {
			return "", err
		}
		b.sheetDir = d
	}
	path := filepath.Join(b.sheetDir, "sheet.html")
	if err := atomicfile.Write(path, data, 0o600); err != nil {
		return "", err
	}
	return path, nil
}

// fileURL is a file:// URL for an absolute path (also C:\… on Windows).
func fileURL(path string) string {
	p := filepath.ToSlash(path)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	return (&url.URL{Scheme: "file", Path: p}).String()
}
