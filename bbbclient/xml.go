package bbbclient

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// envelope is the part every BBB XML answer shares (api-error.ftlx,
// api-errors.ftlx and all success templates).
type envelope struct {
	XMLName    xml.Name `xml:"response"`
	ReturnCode string   `xml:"returncode"`
	MessageKey string   `xml:"messageKey"`
	Message    string   `xml:"message"`
	Errors     []struct {
		Key     string `xml:"key"`
		Message string `xml:"message"`
	} `xml:"errors>error"`
}

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// decodeXML classifies an answer: malformed (not a BBB response), an
// APIError (returncode other than SUCCESS), or success decoded into v.
// It returns the messageKey for logging.
func decodeXML(call string, status int, ctype string, body []byte, v any) (string, error) {
	malformed := func(reason string, err error) error {
		return &MalformedResponseError{Call: call, HTTPStatus: status, ContentType: ctype, Reason: reason, Err: err}
	}
	body = bytes.TrimSpace(bytes.TrimPrefix(body, utf8BOM))
	if len(body) == 0 {
		return "", malformed(reasonEmpty, nil)
	}
	var env envelope
	if err := unmarshalXML(body, &env); err != nil {
		return "", malformed(reasonNotBBB, err)
	}
	ae := &APIError{
		Call:       call,
		HTTPStatus: status,
		ReturnCode: xstr(env.ReturnCode),
		MessageKey: xstr(env.MessageKey),
		// Servers may echo the request; keep credentials out even of %#v.
		Message: redactText(xstr(env.Message)),
	}
	for _, e := range env.Errors {
		ae.Errors = append(ae.Errors, ErrorDetail{Key: xstr(e.Key), Message: redactText(xstr(e.Message))})
	}
	if len(ae.Errors) > 0 && ae.MessageKey == "" {
		ae.MessageKey, ae.Message = ae.Errors[0].Key, ae.Errors[0].Message
	}
	switch {
	case strings.EqualFold(ae.ReturnCode, "SUCCESS"):
	case ae.ReturnCode == "" && ae.MessageKey == "" && ae.Message == "":
		return "", malformed(reasonNoReturnCode, nil)
	default:
		return ae.MessageKey, ae
	}
	if v != nil {
		if err := unmarshalXML(body, v); err != nil {
			return ae.MessageKey, malformed(reasonBadPayload, err)
		}
	}
	return ae.MessageKey, nil
}

// unmarshalXML decodes the first element only, so trailing junk after
// </response> (seen from proxies) does not fail the call.
func unmarshalXML(data []byte, v any) error {
	d := xml.NewDecoder(bytes.NewReader(data))
	d.CharsetReader = charsetReader
	d.Entity = xml.HTMLEntity
	return d.Decode(v)
}

var errCharset = errors.New("unsupported charset")

func charsetReader(label string, in io.Reader) (io.Reader, error) {
	switch strings.ToLower(strings.TrimSpace(label)) {
	case "utf-8", "utf8", "us-ascii", "ascii":
		return in, nil
	case "iso-8859-1", "iso8859-1", "latin1", "latin-1":
		b, err := io.ReadAll(in)
		if err != nil {
			return nil, err
		}
		out := make([]byte, 0, len(b)*2)
		for _, c := range b {
			out = utf8.AppendRune(out, rune(c))
		}
		return bytes.NewReader(out), nil
	}
	return nil, errCharset
}

// xmlAny captures elements with dynamic names (metadata, customdata).
type xmlAny struct {
	XMLName xml.Name
	Value   string `xml:",chardata"`
}

func anyMap(items []xmlAny) map[string]string {
	if len(items) == 0 {
		return nil
	}
	m := make(map[string]string, len(items))
	for _, it := range items {
		m[it.XMLName.Local] = xstr(it.Value)
	}
	return m
}

func xstr(s string) string { return strings.TrimSpace(s) }

// xbool is lenient: templates print "true"/"false", some proxies "1"/"0".
func xbool(s string) bool {
	s = strings.TrimSpace(s)
	return strings.EqualFold(s, "true") || s == "1"
}

func xint64(s string) int64 {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil {
		return 0
	}
	return n
}

func xint(s string) int {
	n := xint64(s)
	if n > math.MaxInt32 || n < math.MinInt32 {
		return 0
	}
	return int(n)
}
