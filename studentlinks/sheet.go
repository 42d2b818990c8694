package studentlinks

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"html/template"
	"image/png"
	"io"
	"net/url"
	"runtime"
	"sync"

	qrcode "github.com/skip2/go-qrcode"

	"github.com/tafel-schule/tafel/translations"
)

// SheetOptions describe the printed sheet and the CSV.
type SheetOptions struct {
	Lang  string // "de" (default) or "en"
	Room  string // room name, on every card
	Class string // class on every card; a student's own Class wins
	// Date, if set, is printed as the lesson the links belong to, e.g.
	// "27.11.2026": links carry the meeting's createTime and stop working
	// when that lesson ends.
	Date string
	// Short, if set, returns a short link text per student (from a
	// shortener the pool offers); it is printed and linked instead of the
	// pool's host name.
	Short func(Link) string
}

// CardsPerPage is the A4 layout: two columns of four cards.
const CardsPerPage = 8

type card struct {
	RowStart, RowEnd  bool // two cards per table row
	Name, Class, Room string
	QR                template.URL // data:image/png;base64,… generated here
	Href              string       // the join URL (html/template escapes it)
	LinkText          string
}

type sheetData struct {
	Lang, Title, Intro, Privacy, Scan, Note, DateLine, RoomLabel, ClassLabel string
	Pages                                                                    [][]card
}

// qrPNG renders a QR code with 4 px per module (crisp when printed at
// about 35 mm) as a two-colour PNG.
func qrPNG(content string) ([]byte, error) {
	q, err := qrcode.New(content, qrcode.Medium)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	if err := enc.Encode(&b, q.Image(-4)); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// qrAll renders the QR codes on all cores; a class of 35 is the common case.
func qrAll(links []Link) ([]template.URL, error) {
	out := make([]template.URL, len(links))
	errs := make([]error, len(links))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), max(len(links), 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				b, err := qrPNG(links[i].URL.Reveal())
				if err != nil {
					errs[i] = err
					continue
				}
				out[i] = template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(b))
			}
		}()
	}
	for i := range links {
		next <- i
	}
	close(next)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			// The QR error text never contains the URL itself.
			return nil, &Error{Code: CodeSignFailed, Name: links[i].Student.Name, Err: fmt.Errorf("QR code: %w", err)}
		}
	}
	return out, nil
}

func linkText(l Link, opt SheetOptions) (text, href string) {
	href = l.URL.Reveal()
	if opt.Short != nil {
		if s := opt.Short(l); s != "" {
			return s, href
		}
	}
	if u, err := url.Parse(href); err == nil {
		return u.Host + "/…", href
	}
	return "", href
}

// WriteSheet writes a printable HTML page: one card per student with name,
// class/room, QR code and link, eight cards per A4 page. Names are
// escaped by html/template. The page is self-contained (QR codes are
// data: PNGs), so it can be mailed or printed offline.
func WriteSheet(w io.Writer, links []Link, opt SheetOptions) error {
	tr := translations.New(lang(opt.Lang))
	qrs, err := qrAll(links)
	if err != nil {
		return err
	}
	d := sheetData{
		Lang:       tr.Lang,
		Title:      tr.T("studentlinks.sheet.title", map[string]any{"Room": opt.Room}),
		Intro:      tr.T("studentlinks.sheet.intro"),
		Privacy:    tr.T("studentlinks.sheet.privacy"),
		Scan:       tr.T("studentlinks.card.scan"),
		Note:       tr.T("studentlinks.card.note"),
		RoomLabel:  tr.T("studentlinks.card.room"),
		ClassLabel: tr.T("studentlinks.card.class"),
	}
	if opt.Date != "" {
		d.DateLine = tr.T("studentlinks.card.date", map[string]any{"Date": opt.Date})
	}
	for i, l := range links {
		if i%CardsPerPage == 0 {
			d.Pages = append(d.Pages, nil)
		}
		c := card{Name: l.Student.Name, Class: l.Student.Class, Room: opt.Room, QR: qrs[i],
			RowStart: i%2 == 0, RowEnd: i%2 == 1 || i == len(links)-1}
		if c.Class == "" {
			c.Class = opt.Class
		}
		c.LinkText, c.Href = linkText(l, opt)
		d.Pages[len(d.Pages)-1] = append(d.Pages[len(d.Pages)-1], c)
	}
	return sheetTemplate.Execute(w, d)
}

func lang(l string) string {
	if l == "" {
		return "de"
	}
	return translations.Normalize(l)
}

// The layout is a table per page: tables print the same in every browser
// (and in PDF printers without CSS grid), and fixed cells keep eight cards
// on one A4 page.
var sheetTemplate = template.Must(template.New("sheet").Parse(`<!DOCTYPE html>
<html lang="{{.Lang}}">
<head>
<meta charset="utf-8">
<meta name="robots" content="noindex">
<meta name="referrer" content="no-referrer">
<title>{{.Title}}</title>
<style>
@page { size: A4 portrait; margin: 10mm; }
body { font-family: "DejaVu Sans", Arial, Helvetica, sans-serif; margin: 0; color: #000; background: #fff; }
.intro { width: 178mm; margin: 6mm auto; padding: 3mm 6mm; border: 1px solid #888; font-size: 10.5pt; }
.intro h1 { font-size: 15pt; margin: 0 0 2mm; }
table.page { width: 190mm; margin: 0 auto; border-collapse: collapse; table-layout: fixed; page-break-after: always; break-after: page; }
table.page:last-of-type { page-break-after: auto; break-after: auto; }
tr { page-break-inside: avoid; break-inside: avoid; }
td.card { width: 95mm; height: 68mm; padding: 0; border: 0.3mm dashed #777; vertical-align: top; }
.in { position: relative; height: 60mm; padding: 4mm 5mm; overflow: hidden; }
.where { font-size: 9pt; color: #333; height: 5mm; overflow: hidden; white-space: nowrap; text-overflow: ellipsis; }
.qr { position: absolute; right: 5mm; top: 10mm; width: 36mm; height: 36mm; image-rendering: pixelated; }
.left { margin-right: 39mm; }
.name { font-size: 14pt; font-weight: bold; margin: 1mm 0 3mm; overflow-wrap: anywhere; word-wrap: break-word; max-height: 23mm; overflow: hidden; }
.scan { font-size: 8pt; line-height: 1.3; }
.link { font-family: "DejaVu Sans Mono", monospace; font-size: 8.5pt; color: #000; overflow-wrap: anywhere; word-wrap: break-word; }
.note { position: absolute; left: 5mm; right: 5mm; bottom: 3mm; font-size: 8pt; line-height: 1.3; }
@media print { .intro { display: none; } }
</style>
</head>
<body>
<div class="intro"><h1>{{.Title}}</h1><p>{{.Intro}}</p><p>{{.Privacy}}</p></div>
{{range .Pages}}<table class="page">
{{range .}}{{if .RowStart}}<tr>
{{end}}<td class="card"><div class="in">
<div class="where">{{if .Class}}{{$.ClassLabel}}: {{.Class}}{{end}}{{if and .Class .Room}} · {{end}}{{if .Room}}{{$.RoomLabel}}: {{.Room}}{{end}}</div>
<img class="qr" src="{{.QR}}" alt="QR">
<div class="left"><div class="name">{{.Name}}</div>
<div class="scan">{{$.Scan}}<br><a class="link" href="{{.Href}}">{{.LinkText}}</a></div></div>
<div class="note">{{$.Note}}{{if $.DateLine}} {{$.DateLine}}{{end}}</div>
</div></td>
{{if .RowEnd}}</tr>
{{end}}{{end}}</table>
{{end}}</body>
</html>
`))
