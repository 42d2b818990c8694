package slides

import (
	"errors"
	"math"
	"strconv"
	"strings"

	"github.com/tafel-schule/tafel/translations"
)

// imageDetections are unsupported picture formats; their fix is "save as
// JPG or PNG" rather than "save as PDF".
var imageDetections = map[string]bool{"heic": true, "avif": true, "gif": true, "bmp": true, "tiff": true}

// Message turns an error into one teacher-facing sentence (what happened,
// which limit, what to do). Non-slides errors get a generic sentence; their
// technical text belongs in details, not here.
func Message(tr translations.Translator, err error) string {
	var e *Error
	if !errors.As(err, &e) {
		return tr.T("slides.failed")
	}
	data := map[string]any{
		"File":     e.File,
		"Kind":     KindLabel(e.Kind),
		"Size":     formatBytes(tr.Lang, e.Size, true),
		"Limit":    formatBytes(tr.Lang, e.Limit, false),
		"Pages":    e.Pages,
		"MaxPages": e.MaxPages,
		"Formats":  FormatList(),
	}
	key := string(e.Code)
	if e.Code == CodeUnsupported {
		d := e.Detected
		if d == "" {
			d = "unknown"
		}
		data["Detected"] = tr.T("slides.detected." + d)
		switch {
		case imageDetections[d]:
			key = "slides.unsupported_image"
		case d == "text-not-utf8":
			key = "slides.unsupported_text"
		}
	}
	return tr.T(key, data)
}

// NoticeMessage turns a Notice into one teacher-facing sentence.
func NoticeMessage(tr translations.Translator, n *Notice) string {
	ext := n.Ext
	if ext == "" {
		ext = "–"
	}
	return tr.T(string(n.Code), map[string]any{
		"File":       n.File,
		"UploadName": n.UploadName,
		"Ext":        ext,
		"Kind":       KindLabel(n.Kind),
		"Size":       formatBytes(tr.Lang, n.Size, true),
		"Slow":       formatBytes(tr.Lang, SlowPDFSize, false),
	})
}

// KindLabel is a short, language-neutral name for a kind: "PDF",
// "PowerPoint (.pptx)", "OpenDocument (.odt)".
func KindLabel(k Kind) string {
	switch k {
	case "":
		return "?"
	case KindPDF, KindRTF, KindSVG, KindPNG:
		return strings.ToUpper(string(k))
	case KindJPG:
		return "JPG"
	case KindWEBP:
		return "WebP"
	case KindDOC, KindDOCX:
		return "Word (." + string(k) + ")"
	case KindPPT, KindPPTX:
		return "PowerPoint (." + string(k) + ")"
	case KindXLS, KindXLSX:
		return "Excel (." + string(k) + ")"
	case KindODT, KindODP, KindODS, KindODG:
		return "OpenDocument (." + string(k) + ")"
	case KindTXT:
		return "Text (.txt)"
	}
	return string(k)
}

// FormatList names the accepted formats for messages.
func FormatList() string {
	return "PDF, PowerPoint (ppt, pptx), Word (doc, docx), Excel (xls, xlsx), OpenDocument (odp, odt, ods, odg), JPG, PNG, WebP, SVG, RTF, TXT"
}

// formatBytes prints decimal megabytes (BBB's limits are decimal: 30 MB is
// 30,000,000 bytes) with a German or English decimal mark. A size rounds
// up and a limit down, so "31 MB over a 30 MB limit" never reads "30 of 30".
func formatBytes(lang string, n int64, up bool) string {
	unit, div := "MB", 1e6
	if n < 1_000_000 {
		unit, div = "KB", 1e3
	}
	v := float64(n) / div * 10
	if up {
		v = math.Ceil(v)
	} else {
		v = math.Floor(v)
	}
	s := strconv.FormatFloat(v/10, 'f', 1, 64)
	s = strings.TrimSuffix(s, ".0")
	if lang == "de" {
		s = strings.ReplaceAll(s, ".", ",")
	}
	return s + " " + unit
}
