package bbbsim

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The pre-upload body (create and insertDocument) is
//
//	<modules><module name="presentation"><document url=".." filename=".."/>
//	<document name="x.pdf">BASE64</document></module></modules>
//
// bbb-web reads it with Groovy's XmlSlurper: the root's name is not
// checked, every child element of a module whose name attribute is
// "presentation" is a document (whatever its element name), a DOCTYPE is
// refused, and the document's text (all descendant text) is decoded with
// commons-codec's lenient Base64. bbb-web first turns the body into a Java
// String, so bytes that are not UTF-8 become U+FFFD instead of failing.
//
// parseModules reproduces that with a streaming parser, so a 30 MB inline
// PDF (about 40 MB of base64) is decoded chunk by chunk straight into its
// sink instead of being held in memory as one text token.

// moduleDoc is one document of a presentation module.
type moduleDoc struct {
	attrs map[string]string
	// inline: a name and no url, so the element text is the file in base64.
	inline bool
	// size is the number of decoded bytes (inline documents).
	size int64
	// sink receives the decoded bytes; set by the open callback.
	sink io.WriteCloser
}

func (d *moduleDoc) attr(name string) string { return d.attrs[name] }

// errModules wraps every parse failure; bbb-web answers them with HTTP 500
// (XmlSlurper throws inside the controller).
var errModules = errors.New("modules xml")

func modErr(format string, args ...any) error {
	return fmt.Errorf("%w: %s", errModules, fmt.Sprintf(format, args...))
}

// maxModuleDepth bounds element nesting; the body limit already bounds
// everything else.
const maxModuleDepth = 10000

// parseModules parses module XML from r. For each inline document it calls
// open, whose writer receives the decoded bytes and is closed at the
// document's end tag. On error, sinks already opened are closed and the
// caller must discard every document.
//
// sawPresentation reports whether there was a presentation module at all;
// bbb-web only considers its default slides when there was one.
func parseModules(r io.Reader, open func(d *moduleDoc) (io.WriteCloser, error)) (docs []*moduleDoc, sawPresentation bool, err error) {
	p := &modParser{br: bufio.NewReaderSize(r, 64<<10), open: open}
	defer func() {
		if err != nil && p.cur != nil && p.cur.sink != nil {
			p.cur.sink.Close()
		}
	}()
	if err := p.run(); err != nil {
		return nil, false, err
	}
	return p.docs, p.sawPresentation, nil
}

type modParser struct {
	br   *bufio.Reader
	open func(d *moduleDoc) (io.WriteCloser, error)

	stack           []string
	rootClosed      bool
	started         bool // any byte (other than a BOM) consumed
	presDepth       int  // depth of the enclosing presentation module, 0 if none
	sawPresentation bool

	cur      *moduleDoc
	curDepth int
	dec      *b64Decoder

	// text state that survives chunk boundaries
	inEntity bool
	ent      []byte
	brackets int // consecutive ']' (for "]]>" in text)
	nonChar  int // progress through EF BF BE/BF (U+FFFE/U+FFFF)

	docs []*moduleDoc
}

func (p *modParser) run() error {
	if b, err := p.br.Peek(3); err == nil && bytes.Equal(b, []byte{0xEF, 0xBB, 0xBF}) {
		_, _ = p.br.Discard(3)
	}
	for {
		if err := p.text(); err != nil {
			if err == io.EOF {
				break
			}
			return err
		}
		if err := p.markup(); err != nil {
			if err == io.EOF {
				return modErr("unexpected end of input in markup")
			}
			return err
		}
	}
	if p.inEntity {
		return modErr("unterminated entity reference")
	}
	if !p.rootClosed {
		return modErr("premature end of file")
	}
	return nil
}

// text consumes character data up to the next '<' (which stays unread).
func (p *modParser) text() error {
	for {
		chunk, err := p.br.ReadSlice('<')
		if len(chunk) > 0 && chunk[len(chunk)-1] == '<' && err == nil {
			_ = p.br.UnreadByte()
			chunk = chunk[:len(chunk)-1]
		}
		if len(chunk) > 0 {
			// Even whitespace before "<?xml" makes the declaration invalid.
			p.started = true
			if e := p.feedText(chunk); e != nil {
				return e
			}
		}
		switch err {
		case nil:
			return nil
		case bufio.ErrBufferFull:
			continue
		default:
			return err
		}
	}
}

func (p *modParser) nonSpace(b []byte) bool {
	for _, c := range b {
		if !isSpace(c) {
			return true
		}
	}
	return false
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// feedText validates character data and hands it to the current inline
// document's decoder, resolving entity references on the way.
func (p *modParser) feedText(b []byte) error {
	if len(p.stack) == 0 {
		// Outside the root only whitespace is allowed.
		if p.inEntity || p.nonSpace(b) {
			return modErr("content is not allowed outside the root element")
		}
		return nil
	}
	start := 0
	for i := 0; i < len(b); i++ {
		c := b[i]
		if p.inEntity {
			if c == ';' {
				s, err := decodeEntity(p.ent)
				if err != nil {
					return err
				}
				p.emit([]byte(s))
				p.inEntity, p.ent, start = false, p.ent[:0], i+1
				continue
			}
			if len(p.ent) >= 32 {
				return modErr("entity reference too long")
			}
			p.ent = append(p.ent, c)
			continue
		}
		if err := p.checkChar(c); err != nil {
			return err
		}
		switch c {
		case '&':
			p.emit(b[start:i])
			p.inEntity = true
			p.brackets = 0
			continue
		case '>':
			if p.brackets >= 2 {
				return modErr(`"]]>" is not allowed in content`)
			}
		}
		if c == ']' {
			p.brackets++
		} else {
			p.brackets = 0
		}
	}
	if !p.inEntity {
		p.emit(b[start:])
	}
	return nil
}

// checkChar rejects characters XML 1.0 forbids: C0 controls other than tab,
// LF and CR, and U+FFFE/U+FFFF (EF BF BE/BF). Invalid UTF-8 is not an error
// here, since bbb-web's String conversion replaces it with U+FFFD.
func (p *modParser) checkChar(c byte) error {
	if c < 0x20 && c != '\t' && c != '\n' && c != '\r' {
		return modErr("invalid XML character 0x%02x", c)
	}
	switch {
	case c == 0xEF:
		p.nonChar = 1
	case c == 0xBF && p.nonChar == 1:
		p.nonChar = 2
	case (c == 0xBE || c == 0xBF) && p.nonChar == 2:
		return modErr("invalid XML character U+FFF%X", c-0xB0)
	default:
		p.nonChar = 0
	}
	return nil
}

func (p *modParser) emit(b []byte) {
	if len(b) > 0 && p.dec != nil {
		p.dec.Write(b)
	}
}

func decodeEntity(name []byte) (string, error) {
	switch string(name) {
	case "amp":
		return "&", nil
	case "lt":
		return "<", nil
	case "gt":
		return ">", nil
	case "quot":
		return `"`, nil
	case "apos":
		return "'", nil
	}
	if len(name) < 2 || name[0] != '#' {
		// Without a DTD no other entity is declared.
		return "", modErr("undeclared entity %q", name)
	}
	var v uint64
	var err error
	if name[1] == 'x' {
		v, err = strconv.ParseUint(string(name[2:]), 16, 32)
	} else {
		v, err = strconv.ParseUint(string(name[1:]), 10, 32)
	}
	if err != nil || !isXMLChar(rune(v)) || v > utf8.MaxRune {
		return "", modErr("invalid character reference %q", name)
	}
	return string(rune(v)), nil
}

func isXMLChar(r rune) bool {
	return r == 0x9 || r == 0xA || r == 0xD ||
		r >= 0x20 && r <= 0xD7FF || r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF
}

// markup handles one construct starting at '<'.
func (p *modParser) markup() error {
	if _, err := p.br.ReadByte(); err != nil { // the '<'
		return err
	}
	if p.inEntity {
		return modErr("unterminated entity reference")
	}
	first := !p.started
	p.started = true
	p.brackets = 0
	p.nonChar = 0
	c, err := p.br.ReadByte()
	if err != nil {
		return err
	}
	switch c {
	case '?':
		return p.pi(first)
	case '!':
		return p.bang()
	case '/':
		return p.endTag()
	}
	if err := p.br.UnreadByte(); err != nil {
		return err
	}
	return p.startTag()
}

func isNameStart(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c == ':' || c >= 0x80
}

func isNameChar(c byte) bool {
	return isNameStart(c) || c >= '0' && c <= '9' || c == '-' || c == '.'
}

// maxNameLen bounds element and attribute names (far above anything real).
const maxNameLen = 4096

func (p *modParser) name() (string, error) {
	c, err := p.br.ReadByte()
	if err != nil {
		return "", err
	}
	if !isNameStart(c) {
		return "", modErr("invalid name start character %q", c)
	}
	buf := []byte{c}
	for {
		c, err := p.br.ReadByte()
		if err != nil {
			return "", err
		}
		if !isNameChar(c) {
			_ = p.br.UnreadByte()
			return string(buf), nil
		}
		if len(buf) >= maxNameLen {
			return "", modErr("name too long")
		}
		buf = append(buf, c)
	}
}

func (p *modParser) skipSpace() (bool, error) {
	skipped := false
	for {
		c, err := p.br.ReadByte()
		if err != nil {
			return skipped, err
		}
		if !isSpace(c) {
			_ = p.br.UnreadByte()
			return skipped, nil
		}
		skipped = true
	}
}

func (p *modParser) startTag() error {
	if p.rootClosed {
		return modErr("markup after the root element")
	}
	name, err := p.name()
	if err != nil {
		return err
	}
	attrs := map[string]string{}
	selfClosing := false
	for {
		sp, err := p.skipSpace()
		if err != nil {
			return err
		}
		c, err := p.br.ReadByte()
		if err != nil {
			return err
		}
		if c == '>' {
			break
		}
		if c == '/' {
			if c, err = p.br.ReadByte(); err != nil {
				return err
			}
			if c != '>' {
				return modErr("expected '>' after '/'")
			}
			selfClosing = true
			break
		}
		if !sp {
			return modErr("attributes must be separated by whitespace")
		}
		_ = p.br.UnreadByte()
		key, val, err := p.attribute()
		if err != nil {
			return err
		}
		if _, dup := attrs[key]; dup {
			return modErr("attribute %q appears twice", key)
		}
		attrs[key] = val
	}
	if len(p.stack) >= maxModuleDepth {
		return modErr("elements nested too deeply")
	}
	p.stack = append(p.stack, name)
	depth := len(p.stack)
	switch {
	case depth == 2 && attrs["name"] == "presentation":
		p.presDepth = 2
		p.sawPresentation = true
	case depth == 3 && p.presDepth == 2:
		if err := p.beginDoc(attrs); err != nil {
			return err
		}
	}
	if selfClosing {
		return p.pop()
	}
	return nil
}

func (p *modParser) attribute() (string, string, error) {
	key, err := p.name()
	if err != nil {
		return "", "", err
	}
	if _, err := p.skipSpace(); err != nil {
		return "", "", err
	}
	if c, err := p.br.ReadByte(); err != nil {
		return "", "", err
	} else if c != '=' {
		return "", "", modErr("attribute %q has no value", key)
	}
	if _, err := p.skipSpace(); err != nil {
		return "", "", err
	}
	q, err := p.br.ReadByte()
	if err != nil {
		return "", "", err
	}
	if q != '"' && q != '\'' {
		return "", "", modErr("attribute %q value is not quoted", key)
	}
	var val []byte
	for {
		c, err := p.br.ReadByte()
		if err != nil {
			return "", "", err
		}
		switch {
		case c == q:
			return key, string(val), nil
		case c == '<':
			return "", "", modErr("'<' in attribute value")
		case c == '&':
			var ent []byte
			for {
				c, err := p.br.ReadByte()
				if err != nil {
					return "", "", err
				}
				if c == ';' {
					break
				}
				if len(ent) >= 32 {
					return "", "", modErr("entity reference too long")
				}
				ent = append(ent, c)
			}
			s, err := decodeEntity(ent)
			if err != nil {
				return "", "", err
			}
			val = append(val, s...)
		case isSpace(c):
			// Attribute-value normalization: literal whitespace becomes a
			// space (character references are kept as they are).
			val = append(val, ' ')
		default:
			if err := p.checkChar(c); err != nil {
				return "", "", err
			}
			val = append(val, c)
		}
	}
}

func (p *modParser) endTag() error {
	name, err := p.name()
	if err != nil {
		return err
	}
	if _, err := p.skipSpace(); err != nil {
		return err
	}
	c, err := p.br.ReadByte()
	if err != nil {
		return err
	}
	if c != '>' {
		return modErr("malformed end tag")
	}
	if len(p.stack) == 0 || p.stack[len(p.stack)-1] != name {
		return modErr("end tag </%s> does not match", name)
	}
	return p.pop()
}

func (p *modParser) pop() error {
	depth := len(p.stack)
	if p.cur != nil && depth == p.curDepth {
		if err := p.endDoc(); err != nil {
			return err
		}
	}
	if depth == p.presDepth {
		p.presDepth = 0
	}
	p.stack = p.stack[:depth-1]
	if len(p.stack) == 0 {
		p.rootClosed = true
	}
	return nil
}

func (p *modParser) beginDoc(attrs map[string]string) error {
	d := &moduleDoc{attrs: attrs}
	d.inline = attrs["url"] == "" && attrs["name"] != ""
	p.docs = append(p.docs, d)
	p.cur, p.curDepth = d, 3
	if d.inline {
		w, err := p.open(d)
		if err != nil {
			return err
		}
		d.sink = w
		p.dec = &b64Decoder{w: w}
	}
	return nil
}

func (p *modParser) endDoc() error {
	d := p.cur
	p.cur, p.curDepth = nil, 0
	if p.dec == nil {
		return nil
	}
	dec := p.dec
	p.dec = nil
	dec.flush()
	d.size = dec.size
	err := dec.err
	if cerr := d.sink.Close(); err == nil {
		err = cerr
	}
	return err
}

// pi skips a processing instruction. The XML declaration is only allowed
// at the very start.
func (p *modParser) pi(first bool) error {
	target, err := p.name()
	if err != nil {
		return err
	}
	if strings.EqualFold(target, "xml") && (!first || target != "xml") {
		return modErr("processing instruction target %q is reserved", target)
	}
	prev := byte(0)
	for {
		c, err := p.br.ReadByte()
		if err != nil {
			return err
		}
		if prev == '?' && c == '>' {
			return nil
		}
		if err := p.checkChar(c); err != nil {
			return err
		}
		prev = c
	}
}

// bang handles comments, CDATA sections and (refused) DOCTYPEs.
func (p *modParser) bang() error {
	b, err := p.br.Peek(2)
	if err == nil && string(b) == "--" {
		_, _ = p.br.Discard(2)
		return p.comment()
	}
	if b, err := p.br.Peek(7); err == nil && string(b) == "[CDATA[" {
		_, _ = p.br.Discard(7)
		return p.cdata()
	}
	if b, err := p.br.Peek(7); err == nil && string(b) == "DOCTYPE" {
		return modErr("DOCTYPE is disallowed")
	}
	return modErr("invalid markup declaration")
}

func (p *modParser) comment() error {
	dashes := 0
	for {
		c, err := p.br.ReadByte()
		if err != nil {
			return err
		}
		if dashes >= 2 {
			if c == '>' {
				return nil
			}
			return modErr(`"--" is not allowed in comments`)
		}
		if c == '-' {
			dashes++
			continue
		}
		dashes = 0
		if err := p.checkChar(c); err != nil {
			return err
		}
	}
}

func (p *modParser) cdata() error {
	if len(p.stack) == 0 {
		return modErr("CDATA outside the root element")
	}
	// Collect and emit in runs; "]]>" ends the section.
	var run []byte
	brackets := 0
	flush := func() {
		p.emit(run)
		run = run[:0]
	}
	for {
		c, err := p.br.ReadByte()
		if err != nil {
			return err
		}
		if c == '>' && brackets >= 2 {
			run = run[:len(run)-2] // the "]]"
			flush()
			return nil
		}
		if c == ']' {
			brackets++
		} else {
			brackets = 0
		}
		if err := p.checkChar(c); err != nil {
			return err
		}
		run = append(run, c)
		if len(run) >= 32<<10 {
			// Keep up to two trailing ']' in case they start "]]>".
			keep := min(brackets, 2)
			p.emit(run[:len(run)-keep])
			run = append(run[:0], run[len(run)-keep:]...)
		}
	}
}

// b64Decoder is commons-codec's lenient Base64 decoding as a stream:
// characters outside both alphabets (standard and URL-safe) are skipped,
// '=' ends the data, and a dangling final sextet is dropped.
type b64Decoder struct {
	w    io.Writer
	acc  uint32
	n    int
	done bool
	size int64
	out  []byte
	err  error
}

var b64Table = func() (t [256]int8) {
	for i := range t {
		t[i] = -1
	}
	const std = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	for i := 0; i < len(std); i++ {
		t[std[i]] = int8(i)
	}
	t['-'], t['_'] = 62, 63
	return t
}()

func (d *b64Decoder) Write(p []byte) {
	if d.done || d.err != nil {
		return
	}
	for _, c := range p {
		if c == '=' {
			d.done = true
			break
		}
		v := b64Table[c]
		if v < 0 {
			continue
		}
		d.acc = d.acc<<6 | uint32(v)
		d.n++
		if d.n == 4 {
			d.out = append(d.out, byte(d.acc>>16), byte(d.acc>>8), byte(d.acc))
			d.acc, d.n = 0, 0
			if len(d.out) >= 48<<10 {
				d.drain()
			}
		}
	}
	d.drain()
}

func (d *b64Decoder) flush() {
	switch d.n {
	case 2:
		d.out = append(d.out, byte(d.acc>>4))
	case 3:
		d.out = append(d.out, byte(d.acc>>10), byte(d.acc>>2))
	}
	d.acc, d.n = 0, 0
	d.drain()
}

func (d *b64Decoder) drain() {
	if len(d.out) == 0 || d.err != nil {
		d.out = d.out[:0]
		return
	}
	n, err := d.w.Write(d.out)
	d.size += int64(n)
	if err == nil && n < len(d.out) {
		err = io.ErrShortWrite
	}
	d.err = err
	d.out = d.out[:0]
}
