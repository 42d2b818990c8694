package slides

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// Kind is a slide format BBB converts (bbb-api.md §4.2). It is also the
// extension the upload name gets, because bbb-web picks its converter by
// extension and rejects content that does not match it.
type Kind string

// Supported kinds.
const (
	KindPDF  Kind = "pdf"
	KindDOC  Kind = "doc"
	KindDOCX Kind = "docx"
	KindPPT  Kind = "ppt"
	KindPPTX Kind = "pptx"
	KindXLS  Kind = "xls"
	KindXLSX Kind = "xlsx"
	KindODT  Kind = "odt"
	KindODP  Kind = "odp"
	KindODS  Kind = "ods"
	KindODG  Kind = "odg"
	KindJPG  Kind = "jpg"
	KindPNG  Kind = "png"
	KindWEBP Kind = "webp"
	KindSVG  Kind = "svg"
	KindRTF  Kind = "rtf"
	KindTXT  Kind = "txt"
)

// Kinds lists every supported kind, in the order messages name them.
var Kinds = []Kind{KindPDF, KindPPTX, KindPPT, KindODP, KindDOCX, KindDOC, KindODT, KindXLSX, KindXLS,
	KindODS, KindODG, KindJPG, KindPNG, KindWEBP, KindSVG, KindRTF, KindTXT}

// extAliases are extensions that mean the same kind.
var extAliases = map[string]Kind{"jpeg": KindJPG, "jpe": KindJPG}

// kindOfExt returns the kind an extension stands for, or "".
func kindOfExt(ext string) Kind {
	ext = strings.ToLower(ext)
	if k, ok := extAliases[ext]; ok {
		return k
	}
	for _, k := range Kinds {
		if string(k) == ext {
			return k
		}
	}
	return ""
}

var (
	magicPDF  = []byte("%PDF-")
	magicOLE  = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}
	magicZIP  = []byte("PK\x03\x04")
	magicJPEG = []byte{0xFF, 0xD8, 0xFF}
	magicPNG  = []byte("\x89PNG\r\n\x1a\n")
	magicRTF  = []byte(`{\rtf`)
	utf8BOM   = []byte{0xEF, 0xBB, 0xBF}
)

// sniffLen is how much of the start Sniff looks at for magic numbers.
const sniffLen = 4096

// errCorruptContainer marks content whose magic number is known but whose
// container (ZIP, OLE) cannot be read.
var errCorruptContainer = errors.New("container unreadable")

// Sniff tells the kind of content by its bytes, never by a name. For an
// unsupported format it returns kind "" and a short name of what the content
// is ("zip", "heic", "gif", "exe", "text-not-utf8", …; "unknown" otherwise).
// A known container that cannot be read (a truncated DOCX, a broken OLE
// directory) returns its kind and a non-nil error.
func Sniff(r io.ReaderAt, size int64) (Kind, string, error) {
	if size <= 0 {
		return "", "empty", nil
	}
	head := make([]byte, min(size, sniffLen))
	n, err := r.ReadAt(head, 0)
	if n < len(head) && err != nil && !errors.Is(err, io.EOF) {
		return "", "", err
	}
	head = head[:n]
	switch {
	case bytes.HasPrefix(bytes.TrimPrefix(head, utf8BOM), magicPDF):
		return KindPDF, "pdf", nil
	case bytes.HasPrefix(head, magicOLE):
		return sniffOLE(r, size)
	case bytes.HasPrefix(head, magicZIP):
		return sniffZIP(r, size)
	case bytes.HasPrefix(head, magicJPEG):
		return KindJPG, "jpeg", nil
	case bytes.HasPrefix(head, magicPNG):
		return KindPNG, "png", nil
	case len(head) >= 12 && string(head[:4]) == "RIFF" && string(head[8:12]) == "WEBP":
		return KindWEBP, "webp", nil
	case bytes.HasPrefix(head, magicRTF):
		return KindRTF, "rtf", nil
	}
	// Before otherFormat: FF FE (Notepad's "Unicode") also passes for an
	// MPEG audio frame sync. BBB's LibreOffice converter honours the BOM.
	if d := utf16Text(head); d != "" {
		return KindTXT, d, nil
	}
	if d := otherFormat(head); d != "" {
		return "", d, nil
	}
	// Some generators put bytes before the header; readers tolerate it in
	// the first KB, bbb-web's type check does not. Re-saving fixes it.
	if i := bytes.Index(head[:min(len(head), 1024)], magicPDF); i > 0 {
		return KindPDF, "pdf-junk-before-header", errCorruptContainer
	}
	if isSVG(head) {
		return KindSVG, "svg", nil
	}
	if bytes.IndexByte(head, 0) >= 0 {
		return "", "binary", nil
	}
	if !validUTF8Prefix(head) {
		return "", "text-not-utf8", nil
	}
	return KindTXT, "text", nil
}

// otherFormat names common unsupported formats, so the message can say
// "this is a HEIC photo, save it as JPG" instead of "unknown".
func otherFormat(h []byte) string {
	has := func(p string) bool { return bytes.HasPrefix(h, []byte(p)) }
	switch {
	case has("GIF87a"), has("GIF89a"):
		return "gif"
	case has("BM") && len(h) >= 14:
		return "bmp"
	case has("II*\x00"), has("MM\x00*"):
		return "tiff"
	case len(h) >= 12 && string(h[4:8]) == "ftyp":
		switch brand := string(h[8:12]); brand {
		case "heic", "heix", "hevc", "heim", "heis", "mif1", "msf1":
			return "heic"
		case "avif", "avis":
			return "avif"
		default:
			return "video"
		}
	case has("PK\x05\x06"), has("PK\x07\x08"):
		return "zip"
	case has("Rar!"), has("7z\xbc\xaf\x27\x1c"), has("\x1f\x8b"):
		return "archive"
	case has("MZ"), has("\x7fELF"), has("\xcf\xfa\xed\xfe"), has("\xca\xfe\xba\xbe"):
		return "program"
	case has("ID3"), has("OggS"), has("fLaC"), len(h) >= 2 && h[0] == 0xFF && h[1]&0xE0 == 0xE0:
		return "audio"
	case has("\x1a\x45\xdf\xa3"), len(h) >= 12 && string(h[:4]) == "RIFF":
		return "video"
	case has("%!PS"):
		return "postscript"
	case has("<?xml"), has("\xef\xbb\xbf<?xml"):
		if bytes.Contains(h, []byte("<svg")) {
			return ""
		}
		return "xml"
	}
	lower := bytes.ToLower(h[:min(len(h), 512)])
	if bytes.Contains(lower, []byte("<!doctype html")) || bytes.Contains(lower, []byte("<html")) {
		return "html"
	}
	return ""
}

func isSVG(h []byte) bool {
	t := bytes.TrimLeft(bytes.TrimPrefix(h, utf8BOM), " \t\r\n")
	return bytes.HasPrefix(t, []byte("<")) && bytes.Contains(h, []byte("<svg"))
}

// utf16Text reports "text-utf16le" or "text-utf16be" when h starts with a
// UTF-16 BOM and what follows reads as text: no NUL, no broken surrogate
// pair, hardly any control characters. A code unit or pair cut off at the
// end of the sniffed window is allowed.
func utf16Text(h []byte) string {
	var be bool
	var d string
	switch {
	case bytes.HasPrefix(h, []byte{0xFF, 0xFE}):
		d = "text-utf16le"
	case bytes.HasPrefix(h, []byte{0xFE, 0xFF}):
		be, d = true, "text-utf16be"
	default:
		return ""
	}
	b := h[2:]
	u := make([]uint16, len(b)/2)
	for i := range u {
		if be {
			u[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
		} else {
			u[i] = uint16(b[2*i+1])<<8 | uint16(b[2*i])
		}
	}
	ctl := 0
	for i := 0; i < len(u); i++ {
		c := u[i]
		switch {
		case c == 0:
			return ""
		case utf16.IsSurrogate(rune(c)):
			if c >= 0xDC00 { // low surrogate without a high one
				return ""
			}
			if i+1 == len(u) {
				continue // pair cut at the window's end
			}
			if i++; u[i] < 0xDC00 || u[i] > 0xDFFF {
				return ""
			}
		case c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f', c >= 0x7F && c < 0xA0, c == 0xFFFE:
			ctl++
		}
	}
	// Real text has at most a stray control character (ESC, a C1 byte
	// from a bad copy-paste); binary behind FF FE has many.
	if ctl*50 > len(u) {
		return ""
	}
	return d
}

// validUTF8Prefix allows a rune cut off at the end of the sniffed window.
func validUTF8Prefix(h []byte) bool {
	for i := 0; i < utf8.UTFMax && i <= len(h); i++ {
		if utf8.Valid(h[:len(h)-i]) {
			return true
		}
	}
	return false
}

// sniffZIP tells OOXML from OpenDocument by their container markers:
// the ODF "mimetype" entry, the OOXML "[Content_Types].xml" and part folder.
func sniffZIP(r io.ReaderAt, size int64) (Kind, string, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return "", "zip", errCorruptContainer
	}
	var contentTypes, iwork bool
	dirs := map[string]bool{}
	var mimetype *zip.File
	for _, f := range zr.File {
		switch {
		case f.Name == "mimetype":
			mimetype = f
		case f.Name == "[Content_Types].xml":
			contentTypes = true
		case f.Name == "Index/Document.iwa", f.Name == "Index.zip":
			iwork = true
		}
		if i := strings.IndexByte(f.Name, '/'); i > 0 {
			dirs[f.Name[:i+1]] = true
		}
	}
	if mimetype != nil {
		rc, err := mimetype.Open()
		if err != nil {
			return "", "zip", errCorruptContainer
		}
		b, err := io.ReadAll(io.LimitReader(rc, 200))
		rc.Close()
		if err != nil {
			return "", "zip", errCorruptContainer
		}
		mt := strings.TrimSpace(string(b))
		base, _ := strings.CutSuffix(mt, "-template")
		switch base {
		case "application/vnd.oasis.opendocument.text":
			return KindODT, "odt", nil
		case "application/vnd.oasis.opendocument.presentation":
			return KindODP, "odp", nil
		case "application/vnd.oasis.opendocument.spreadsheet":
			return KindODS, "ods", nil
		case "application/vnd.oasis.opendocument.graphics":
			return KindODG, "odg", nil
		}
		if strings.HasPrefix(mt, "application/vnd.oasis.opendocument.") {
			return "", "opendocument-other", nil
		}
		if mt == "application/epub+zip" {
			return "", "epub", nil
		}
	}
	if contentTypes {
		switch {
		case dirs["ppt/"]:
			return KindPPTX, "pptx", nil
		case dirs["word/"]:
			return KindDOCX, "docx", nil
		case dirs["xl/"]:
			return KindXLSX, "xlsx", nil
		}
		return "", "ooxml-other", nil
	}
	if iwork {
		return "", "iwork", nil
	}
	return "", "zip", nil
}

// OLE2 (Compound File Binary) constants, [MS-CFB].
const (
	cfbEndOfChain = 0xFFFFFFFE
	cfbMaxSectors = 1 << 20 // bounds hostile chains
	cfbMaxDirEnts = 1 << 16
)

// sniffOLE reads the CFB directory and names the stream that identifies
// the legacy Office application: WordDocument, Workbook/Book, PowerPoint
// Document. Scanning the whole file for those words would misfire on a
// Word text that mentions "Workbook".
func sniffOLE(r io.ReaderAt, size int64) (Kind, string, error) {
	names, err := cfbStreamNames(r, size)
	if err != nil {
		return "", "ole", errCorruptContainer
	}
	switch {
	case names["PowerPoint Document"]:
		return KindPPT, "ppt", nil
	case names["WordDocument"]:
		return KindDOC, "doc", nil
	case names["Workbook"], names["Book"]:
		return KindXLS, "xls", nil
	}
	if names["VisioDocument"] {
		return "", "visio", nil
	}
	if names["__substg1.0_0037001F"] || names["__substg1.0_0037001E"] {
		return "", "outlook-msg", nil
	}
	return "", "ole", nil
}

func cfbStreamNames(r io.ReaderAt, size int64) (map[string]bool, error) {
	var hdr [512]byte
	if _, err := r.ReadAt(hdr[:], 0); err != nil {
		return nil, err
	}
	le := binary.LittleEndian
	shift := le.Uint16(hdr[0x1E:])
	if shift != 9 && shift != 12 {
		return nil, errors.New("bad sector shift")
	}
	ss := int64(1) << shift
	sectorOff := func(s uint32) int64 { return (int64(s) + 1) * ss }
	numFAT := le.Uint32(hdr[0x2C:])
	if int64(numFAT) > size/ss+1 {
		return nil, errors.New("bad FAT count")
	}
	// FAT sector numbers: 109 in the header, the rest in the DIFAT chain.
	var fatSectors []uint32
	for i := range 109 {
		if uint32(len(fatSectors)) >= numFAT {
			break
		}
		fatSectors = append(fatSectors, le.Uint32(hdr[0x4C+4*i:]))
	}
	difat := le.Uint32(hdr[0x44:])
	buf := make([]byte, ss)
	for guard := 0; uint32(len(fatSectors)) < numFAT && difat < cfbEndOfChain-1; guard++ {
		if guard > cfbMaxSectors || sectorOff(difat)+ss > size {
			return nil, errors.New("bad DIFAT chain")
		}
		if _, err := r.ReadAt(buf, sectorOff(difat)); err != nil {
			return nil, err
		}
		per := int(ss/4) - 1
		for i := 0; i < per && uint32(len(fatSectors)) < numFAT; i++ {
			fatSectors = append(fatSectors, le.Uint32(buf[4*i:]))
		}
		difat = le.Uint32(buf[ss-4:])
	}
	fat := make([]uint32, 0, len(fatSectors)*int(ss/4))
	for _, s := range fatSectors {
		if sectorOff(s)+ss > size {
			return nil, errors.New("FAT sector out of range")
		}
		if _, err := r.ReadAt(buf, sectorOff(s)); err != nil {
			return nil, err
		}
		for i := int64(0); i < ss; i += 4 {
			fat = append(fat, le.Uint32(buf[i:]))
		}
	}
	names := map[string]bool{}
	dir := le.Uint32(hdr[0x30:])
	seen := map[uint32]bool{}
	entries := 0
	for dir != cfbEndOfChain {
		if seen[dir] || int(dir) >= len(fat) || sectorOff(dir)+ss > size || entries > cfbMaxDirEnts {
			return nil, errors.New("bad directory chain")
		}
		seen[dir] = true
		if _, err := r.ReadAt(buf, sectorOff(dir)); err != nil {
			return nil, err
		}
		for off := int64(0); off+128 <= ss; off += 128 {
			e := buf[off : off+128]
			entries++
			typ := e[0x42]
			nl := int(le.Uint16(e[0x40:]))
			if typ != 1 && typ != 2 || nl < 2 || nl > 64 {
				continue
			}
			u := make([]uint16, 0, nl/2-1)
			for i := 0; i+1 < nl-2; i += 2 {
				u = append(u, le.Uint16(e[i:]))
			}
			names[string(utf16.Decode(u))] = true
		}
		dir = fat[dir]
	}
	return names, nil
}
