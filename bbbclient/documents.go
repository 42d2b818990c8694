package bbbclient

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
)

// Document is one slide file, either uploaded inline (Name + Open) or
// fetched by the BBB node from a URL (URL + optional Filename).
//
// Downloadable, Removable and Current are always written, because the
// documented defaults and the server code disagree (bbb-api.md §4.1).
type Document struct {
	// Name is the file name with extension; BBB fails names without one
	// (invalid_filename).
	Name string
	// Open returns the content. It is called once per attempt (again if a
	// redirect replays the body), read in chunks and closed after use.
	Open func() (io.ReadCloser, error)
	// Size is the exact byte length if > 0. It enables Content-Length
	// instead of chunked encoding and the progress total. The upload fails
	// if the content turns out to have another length.
	Size int64

	// URL must be reachable from the BBB node, not just from this machine.
	URL string
	// Filename helps type detection when URL has no extension.
	Filename string

	Downloadable bool
	Removable    bool
	// Current makes the document the active presentation (the first
	// current one wins).
	Current bool
}

// FileDocument returns an inline Document for a local file, removable by
// the presenter and not downloadable.
func FileDocument(path string) (Document, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return Document{}, err
	}
	if !fi.Mode().IsRegular() {
		return Document{}, fmt.Errorf("bbbclient: %s is not a regular file", filepath.Base(path))
	}
	return Document{
		Name:      filepath.Base(path),
		Size:      fi.Size(),
		Open:      func() (io.ReadCloser, error) { return os.Open(path) },
		Removable: true,
	}, nil
}

func (d *Document) inline() bool { return d.Open != nil }

// UploadOptions tune a document upload.
type UploadOptions struct {
	// Progress is called from the upload goroutine with the raw file bytes
	// read so far and their total (-1 if a Size is unknown). Keep it cheap;
	// marshal to the UI thread yourself.
	Progress func(sent, total int64)
}

const (
	xmlPrologue    = `<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<modules><module name="presentation">`
	xmlEpilogue    = `</module></modules>`
	docCloseTag    = `</document>`
	uploadBufSize  = 48 << 10 // a multiple of 3 keeps base64 chunks padding-free
	pipeBufferSize = 64 << 10
)

// EncodedSize returns the exact length of the XML body for docs, or -1 if
// an inline document has no Size. Compare it with the server's POST limit
// (2 MB by default) before uploading inline.
func EncodedSize(docs []Document) (int64, error) {
	parts, err := buildParts(docs)
	if err != nil {
		return 0, err
	}
	n, _ := bodyLength(parts)
	return n, nil
}

type bodyPart struct {
	head string
	doc  *Document // nil for URL documents (self-closing tag)
}

func buildParts(docs []Document) ([]bodyPart, error) {
	if len(docs) == 0 {
		return nil, invalid("documents", "none given")
	}
	parts := make([]bodyPart, 0, len(docs))
	for i := range docs {
		d := &docs[i]
		head, err := d.head()
		if err != nil {
			return nil, err
		}
		p := bodyPart{head: head}
		if d.inline() {
			p.doc = d
		}
		parts = append(parts, p)
	}
	return parts, nil
}

func (d *Document) head() (string, error) {
	var b strings.Builder
	b.WriteString("<document")
	switch {
	case d.inline() && d.URL != "":
		return "", invalid("document", "set either Open or URL, not both")
	case d.inline():
		if d.Name == "" || stripControl(d.Name) != d.Name {
			return "", invalid("document name", "must be a file name")
		}
		if ext := filepath.Ext(d.Name); len(ext) < 2 || ext == d.Name {
			return "", invalid("document name", "%q has no extension", d.Name)
		}
		if d.Size < 0 {
			return "", invalid("document size", "must not be negative")
		}
		attr(&b, "name", d.Name)
	case d.URL != "":
		u, err := url.Parse(d.URL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return "", invalid("document url", "must be an http(s) URL")
		}
		attr(&b, "url", d.URL)
		if d.Filename != "" {
			attr(&b, "filename", d.Filename)
		}
	default:
		return "", invalid("document", "needs Open or URL")
	}
	attr(&b, "downloadable", strconv.FormatBool(d.Downloadable))
	attr(&b, "removable", strconv.FormatBool(d.Removable))
	attr(&b, "current", strconv.FormatBool(d.Current))
	if d.inline() {
		b.WriteString(">")
	} else {
		b.WriteString("/>")
	}
	return b.String(), nil
}

func attr(b *strings.Builder, name, value string) {
	b.WriteString(" ")
	b.WriteString(name)
	b.WriteString(`="`)
	xml.EscapeText(b, []byte(value)) // escapes quotes too; never fails on a Builder
	b.WriteString(`"`)
}

func base64Len(n int64) int64 { return (n + 2) / 3 * 4 }

// bodyLength returns the body length and the raw inline total, both -1 if
// some inline Size is unknown.
func bodyLength(parts []bodyPart) (length, raw int64) {
	length = int64(len(xmlPrologue) + len(xmlEpilogue))
	for _, p := range parts {
		length += int64(len(p.head))
		if p.doc == nil {
			continue
		}
		if p.doc.Size <= 0 {
			return -1, -1
		}
		length += base64Len(p.doc.Size) + int64(len(docCloseTag))
		raw += p.doc.Size
	}
	return length, raw
}

var errBodyDone = errors.New("bbbclient: upload finished")

// xmlBody streams the module XML: a goroutine per attempt reads each file
// in chunks, base64-encodes into a pipe, and the transport reads the other
// end. Neither a file nor its base64 copy is ever held in memory.
type xmlBody struct {
	ctx      context.Context
	parts    []bodyPart
	length   int64
	total    int64
	progress func(sent, total int64)

	mu      sync.Mutex
	done    bool
	readers []*io.PipeReader
	docErr  error
	wg      sync.WaitGroup
}

func newXMLBody(ctx context.Context, docs []Document, opts UploadOptions) (*xmlBody, error) {
	parts, err := buildParts(docs)
	if err != nil {
		return nil, err
	}
	length, total := bodyLength(parts)
	if ctx == nil {
		ctx = context.Background()
	}
	return &xmlBody{ctx: ctx, parts: parts, length: length, total: total, progress: opts.Progress}, nil
}

// open starts one producer; it doubles as Request.GetBody.
func (b *xmlBody) open() (io.ReadCloser, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.done {
		return nil, errBodyDone
	}
	pr, pw := io.Pipe()
	b.readers = append(b.readers, pr)
	b.wg.Add(1)
	go func() {
		defer b.wg.Done()
		stop := context.AfterFunc(b.ctx, func() { pw.CloseWithError(b.ctx.Err()) })
		defer stop()
		pw.CloseWithError(b.write(pw)) // nil error = EOF for the reader
	}()
	return pr, nil
}

// finish stops every producer and waits for them, so all files are closed
// when the call returns, whatever the transport did with the body.
func (b *xmlBody) finish() {
	b.mu.Lock()
	b.done = true
	for _, r := range b.readers {
		r.CloseWithError(errBodyDone)
	}
	b.mu.Unlock()
	b.wg.Wait()
}

// err is the first document read failure, which explains a transport error
// better than "connection reset".
func (b *xmlBody) err() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.docErr
}

func (b *xmlBody) fail(name string, err error) error {
	de := &DocumentError{Name: name, Err: err}
	b.mu.Lock()
	if b.docErr == nil {
		b.docErr = de
	}
	b.mu.Unlock()
	return de
}

func (b *xmlBody) write(w io.Writer) error {
	bw := bufio.NewWriterSize(w, pipeBufferSize)
	bw.WriteString(xmlPrologue)
	var sent int64
	buf := make([]byte, uploadBufSize)
	for _, p := range b.parts {
		bw.WriteString(p.head)
		if p.doc == nil {
			continue
		}
		if err := b.writeInline(bw, p.doc, buf, &sent); err != nil {
			return err
		}
		bw.WriteString(docCloseTag)
	}
	bw.WriteString(xmlEpilogue)
	return bw.Flush()
}

func (b *xmlBody) writeInline(bw *bufio.Writer, d *Document, buf []byte, sent *int64) error {
	rc, err := d.Open()
	if err != nil {
		return b.fail(d.Name, err)
	}
	if rc == nil {
		return b.fail(d.Name, errors.New("Open returned no reader"))
	}
	defer rc.Close()
	enc := base64.NewEncoder(base64.StdEncoding, bw)
	var n int64
	for {
		if err := b.ctx.Err(); err != nil {
			return err
		}
		k, rerr := rc.Read(buf)
		if k > 0 {
			n += int64(k)
			if d.Size > 0 && n > d.Size {
				return b.fail(d.Name, fmt.Errorf("content longer than Size %d", d.Size))
			}
			if _, err := enc.Write(buf[:k]); err != nil {
				return err // pipe closed: the transport gave up or the call ended
			}
			*sent += int64(k)
			if b.progress != nil {
				b.progress(*sent, b.total)
			}
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			return b.fail(d.Name, rerr)
		}
	}
	if d.Size > 0 && n != d.Size {
		return b.fail(d.Name, fmt.Errorf("content is %d bytes, Size says %d", n, d.Size))
	}
	return enc.Close()
}

// InsertDocument adds slides to a running meeting (BBB 2.5+, Scalelite
// 1.5.1+). The server converts them asynchronously; success means "being
// uploaded", and conversion errors never come back through the API.
func (c *Client) InsertDocument(ctx context.Context, meetingID string, docs []Document, opts UploadOptions) error {
	if err := validateMeetingID("meetingID", meetingID); err != nil {
		return err
	}
	body, err := newXMLBody(ctx, docs, opts)
	if err != nil {
		return err
	}
	q := &Params{}
	q.Set("meetingID", meetingID)
	sq, err := c.signedQuery("insertDocument", q)
	if err != nil {
		return err
	}
	return c.roundTripXML(ctx, request{
		call:   "insertDocument",
		method: http.MethodPost,
		url:    c.callURL("insertDocument", sq),
		body:   body,
	}, nil)
}
