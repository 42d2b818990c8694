package bbbsim

import (
	"io"
	"net/http"
	"os"
	"slices"
	"strings"
)

const (
	ctForm = "application/x-www-form-urlencoded"
	ctXML  = "application/xml"
)

// callSpec describes one API call on one host.
type callSpec struct {
	methods []string
	// types are the accepted POST body Content-Types, compared exactly
	// (bbb-web ≥2.6.18/2.7.8 rejects "application/xml; charset=UTF-8").
	types      []string
	noChecksum bool
	// joinErrors: validation errors go through join's redirect logic.
	joinErrors bool
	handle     func(rc *reqCtx, p params, in *input)
}

func (c callSpec) allows(method string) bool { return slices.Contains(c.methods, method) }

var (
	getOnly    = []string{http.MethodGet}
	getOrPost  = []string{http.MethodGet, http.MethodPost}
	postOnly   = []string{http.MethodPost}
	formOnly   = []string{ctForm}
	formOrXML  = []string{ctForm, ctXML}
	xmlOnly    = []string{ctXML}
	noBodyType = []string(nil)
)

// spec returns the call table entry of this host.
func (f *frontend) spec(call string) (callSpec, bool) {
	if f.flavor == FlavorScalelite {
		return f.scaleliteSpec(call)
	}
	switch call {
	case "create":
		return callSpec{methods: getOrPost, types: formOrXML, handle: handleCreate}, true
	case "join":
		// GET only since 3.0.
		return callSpec{methods: getOnly, types: noBodyType, joinErrors: true, handle: handleJoin}, true
	case "isMeetingRunning":
		return callSpec{methods: getOrPost, types: formOnly, handle: handleIsMeetingRunning}, true
	case "getMeetingInfo":
		return callSpec{methods: getOrPost, types: formOnly, handle: handleGetMeetingInfo}, true
	case "getMeetings":
		return callSpec{methods: getOrPost, types: formOnly, handle: handleGetMeetings}, true
	case "end":
		return callSpec{methods: getOrPost, types: formOnly, handle: handleEnd}, true
	case "getRecordings":
		return callSpec{methods: getOrPost, types: formOnly, handle: handleGetRecordings}, true
	case "publishRecordings":
		return callSpec{methods: getOrPost, types: formOnly, handle: handlePublishRecordings}, true
	case "deleteRecordings":
		return callSpec{methods: getOrPost, types: formOnly, handle: handleDeleteRecordings}, true
	case "updateRecordings":
		return callSpec{methods: getOrPost, types: formOnly, handle: handleUpdateRecordings}, true
	case "stuns":
		return callSpec{methods: getOnly, noChecksum: true, handle: handleStuns}, true
	case "guestWait":
		return callSpec{methods: getOnly, noChecksum: true, handle: handleGuestWaitAPI}, true
	case "signOut":
		return callSpec{methods: getOrPost, noChecksum: true, handle: handleSignOut}, true
	}
	if f.flavor == FlavorBBB24 {
		return callSpec{}, false // insertDocument (2.5) and getJoinUrl (3.0) do not exist yet
	}
	switch call {
	case "insertDocument":
		return callSpec{methods: postOnly, types: xmlOnly, handle: handleInsertDocument}, true
	case "getJoinUrl":
		return callSpec{methods: getOnly, noChecksum: true, handle: handleGetJoinURL}, true
	}
	return callSpec{}, false
}

// input is a request's parameters and body after the common checks.
type input struct {
	query, body params
	all         params
	ctErr       bool
	xml         io.Reader // create/insertDocument module XML, nil if none
	spool       *os.File  // chunked XML bodies are spooled to enforce the limit first
}

func (in *input) close() {
	if in != nil && in.spool != nil {
		in.spool.Close()
		os.Remove(in.spool.Name())
	}
}

func (f *frontend) serveAPI(rc *reqCtx, call string) {
	spec, ok := f.spec(call)
	if !ok || !spec.allows(rc.r.Method) {
		switch {
		case f.flavor == FlavorScalelite:
			// Scalelite's catch-all route answers everything it does not
			// route, wrong methods included.
			writeXML(rc.w, errorXML(keyUnsupportedRequest, msgUnsupportedRequest))
		case !ok:
			writeXML(rc.w, errorXML(keyValidationError, msgRequestNotRecognized))
		default:
			rc.w.Header().Set("Allow", strings.Join(spec.methods, ", "))
			http.Error(rc.w, "405 Method Not Allowed", http.StatusMethodNotAllowed)
		}
		return
	}
	in, ok := f.readInput(rc, spec)
	defer in.close()
	if !ok {
		return
	}
	if spec.noChecksum {
		spec.handle(rc, in.all, in)
		return
	}
	fail := func(key, msg string) {
		if spec.joinErrors {
			rc.joinError(in.all, key, msg)
		} else {
			writeXML(rc.w, errorXML(key, msg))
		}
	}
	// bbb-web validates the checksum group before anything else.
	if !f.checksumOK(rc, call, in) {
		fail(keyChecksumError, msgChecksumError)
		return
	}
	if in.ctErr {
		fail(keyUnsupportedContentType, msgUnsupportedContentType)
		return
	}
	spec.handle(rc, in.all, in)
}

// checksumOK verifies the request's checksum. The checksum covers only the
// URL query; a parameter sent both in the URL and in a form body is
// rejected, since otherwise an unsigned body value could override a signed
// one.
func (f *frontend) checksumOK(rc *reqCtx, call string, in *input) bool {
	for _, kv := range in.body {
		if in.query.has(kv.Key) {
			return false
		}
	}
	query := rc.r.URL.RawQuery
	if query == "" && f.flavor == FlavorBBB24 && len(in.body) > 0 {
		// bbb-web 2.x rebuilds a canonical query from the form parameters;
		// 3.x hashes the empty query string.
		query = canonicalQuery(in.all)
	}
	return f.cs.verify(call, query, in.all.get("checksum"))
}

// readInput enforces the body limit (before any parsing, as nginx does)
// and splits the request into query parameters, form parameters and
// module XML.
func (f *frontend) readInput(rc *reqCtx, spec callSpec) (*input, bool) {
	r := rc.r
	limit := f.s.cfg.MaxInlineBody
	in := &input{query: parseQuery(r.URL.RawQuery)}
	in.all = in.query
	if r.ContentLength > limit {
		tooLarge(rc)
		return in, false
	}
	if r.ContentLength == 0 || r.Body == nil || r.Body == http.NoBody {
		return in, true
	}
	ct := r.Header.Get("Content-Type")
	isXML := ct == ctXML && slices.Contains(spec.types, ctXML)
	isForm := ct == ctForm && slices.Contains(spec.types, ctForm)
	if f.flavor == FlavorScalelite {
		// Rails parses form bodies whatever the parameters of the type, but
		// Scalelite forwards module XML only for exactly application/xml.
		mime, _, _ := strings.Cut(ct, ";")
		isForm = strings.EqualFold(strings.TrimSpace(mime), ctForm)
	}
	switch {
	case isForm:
		data, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
		if int64(len(data)) > limit {
			tooLarge(rc)
			return in, false
		}
		if err != nil {
			http.Error(rc.w, "400 Bad Request", http.StatusBadRequest)
			return in, false
		}
		in.body = parseQuery(string(data))
		in.all = append(append(params(nil), in.query...), in.body...)
	case isXML:
		if r.ContentLength > 0 {
			in.xml = r.Body // length known and within the limit
			return in, true
		}
		// Unknown length (chunked): spool first, so an oversized body is
		// refused before the server acts on any of it.
		fh, err := os.CreateTemp(f.s.tmpDir, "body-*")
		if err != nil {
			http.Error(rc.w, "500 Internal Server Error", http.StatusInternalServerError)
			return in, false
		}
		in.spool = fh
		n, err := io.Copy(fh, io.LimitReader(r.Body, limit+1))
		if n > limit {
			tooLarge(rc)
			return in, false
		}
		if err != nil {
			http.Error(rc.w, "400 Bad Request", http.StatusBadRequest)
			return in, false
		}
		if _, err := fh.Seek(0, io.SeekStart); err != nil {
			http.Error(rc.w, "500 Internal Server Error", http.StatusInternalServerError)
			return in, false
		}
		if n > 0 {
			in.xml = fh
		}
	default:
		if f.flavor != FlavorScalelite {
			in.ctErr = true
		}
		if drain(r.Body, limit+1) > limit {
			tooLarge(rc)
			return in, false
		}
	}
	return in, true
}

func tooLarge(rc *reqCtx) {
	rc.w.Header().Set("Content-Type", "text/html")
	rc.w.Header().Set("Connection", "close")
	rc.w.WriteHeader(http.StatusRequestEntityTooLarge)
	_, _ = io.WriteString(rc.w, nginx413)
}

// serveRoot answers GET /bigbluebutton/api, the reachability check.
func (f *frontend) serveRoot(rc *reqCtx) {
	if rc.r.Method != http.MethodGet && rc.r.Method != http.MethodHead {
		rc.w.Header().Set("Allow", "GET, HEAD")
		http.Error(rc.w, "405 Method Not Allowed", http.StatusMethodNotAllowed)
		return
	}
	var x xmlBuilder
	x.open("response")
	x.elem("returncode", "SUCCESS")
	x.elem("version", "2.0")
	switch f.flavor {
	case FlavorScalelite:
		x.elem("build", f.s.cfg.Build)
	case FlavorBBB24:
		x.elem("apiVersion", "2.0")
		x.elem("bbbVersion", f.s.cfg.BBBVersion)
	default:
		x.elem("apiVersion", "2.0")
		x.elem("bbbVersion", f.s.cfg.BBBVersion)
		x.elem("apiUrl", rc.base+apiPrefix)
		ws := "wss" + strings.TrimPrefix(rc.base, "https")
		if strings.HasPrefix(rc.base, "http://") {
			ws = "ws" + strings.TrimPrefix(rc.base, "http")
		}
		x.elem("graphqlWebsocketUrl", ws+"/graphql")
		x.elem("graphqlApiUrl", rc.base+"/api/rest")
	}
	x.close("response")
	writeXML(rc.w, x.String())
}
