package bbbsim

import (
	"context"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/pdfcpu/pdfcpu/pkg/api"
)

// Server is a simulated BBB server (or Scalelite plus one BBB node). It is
// safe for concurrent use. Close it to stop background conversions and
// remove temporary files.
type Server struct {
	cfg    Config
	tmpDir string
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu           sync.Mutex
	meetings     map[string]*meeting // current instance per external meetingID
	history      []*meeting          // removed instances, newest last
	sessions     map[string]*session // by session token
	httpSessions map[string]map[string]bool
	recordings   []*Recording
	requests     []Request
	nextUserIDs  []string
	nodeURL      string
	pending      int           // conversions not yet finished
	idle         chan struct{} // closed while pending == 0
	closed       bool

	main *frontend // Handler(): BBB, BBB 2.4 or Scalelite
	node *frontend // NodeHandler(): the BBB 3.x node behind Scalelite
}

// maxRequestLog bounds Requests() so a long "tafel sim" run cannot grow
// without limit.
const maxRequestLog = 10000

var disablePDFConfigDir sync.Once

// New returns a Server configured by cfg.
func New(cfg Config) (*Server, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	// pdfcpu would otherwise create a config directory in the user's home.
	disablePDFConfigDir.Do(api.DisableConfigDir)
	tmp, err := os.MkdirTemp(cfg.TempDir, "bbbsim-*")
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Server{
		cfg:          cfg,
		tmpDir:       tmp,
		ctx:          ctx,
		cancel:       cancel,
		meetings:     map[string]*meeting{},
		sessions:     map[string]*session{},
		httpSessions: map[string]map[string]bool{},
		nodeURL:      cfg.NodeURL,
		idle:         make(chan struct{}),
	}
	close(s.idle)
	name := map[Flavor]string{FlavorBBB: "bbb", FlavorBBB24: "bbb24", FlavorScalelite: "scalelite"}[cfg.Flavor]
	s.main = &frontend{
		s: s, name: name, flavor: cfg.Flavor, publicURL: cfg.PublicURL,
		cs: newChecksumPolicy(cfg.Secret, cfg.Algorithms, cfg.Flavor == FlavorBBB24),
	}
	s.node = &frontend{
		s: s, name: "node", flavor: FlavorBBB, isNode: true,
		cs: newChecksumPolicy(cfg.NodeSecret, allAlgorithms, false),
	}
	return s, nil
}

// Handler serves the API root, /bigbluebutton/api/<call>, the simulated
// HTML5 client (/html5client, /html5client/join), the guest lobby and a
// landing page at "/" (the default logout URL). With FlavorScalelite it is
// the load balancer, which serves the API only.
func (s *Server) Handler() http.Handler { return s.main }

// NodeHandler serves the BBB 3.x node behind the Scalelite front (secret
// Config.NodeSecret). It shares meetings with Handler. Outside the
// Scalelite flavour it is simply a second BBB 3.x host.
func (s *Server) NodeHandler() http.Handler { return s.node }

// SetNodeURL sets the node's public base URL, which Scalelite's join
// redirects to and which the node uses for its own absolute URLs.
func (s *Server) SetNodeURL(u string) {
	s.mu.Lock()
	s.nodeURL = strings.TrimRight(u, "/")
	s.mu.Unlock()
}

// Close stops background conversions, waits for them and removes
// temporary files. The handlers keep answering, but uploads are no longer
// converted.
func (s *Server) Close() {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.cancel()
	s.wg.Wait()
	if s.cfg.ownClient {
		s.cfg.HTTPClient.CloseIdleConnections()
	}
	_ = os.RemoveAll(s.tmpDir)
}

func (s *Server) now() time.Time { return s.cfg.Clock() }

// lock takes the state lock and applies every expiry that is due, so each
// request and hook sees the meetings as a server with real timers would.
func (s *Server) lock() time.Time {
	s.mu.Lock()
	now := s.now()
	s.tickLocked(now)
	return now
}

func (s *Server) tickLocked(now time.Time) {
	for id, m := range s.meetings {
		if !m.ended {
			if reason, forced, at := m.expiry(now, s.cfg.EndDelay); reason != "" {
				m.end(at, reason, forced)
			}
		}
		// Only a forced end leaves the meeting visible for a while
		// (hasBeenForciblyEnded, meetingForciblyEnded); expired meetings
		// are destroyed at once.
		if m.ended && (!m.forciblyEnded || !now.Before(m.endedAt.Add(s.cfg.EndedRetention))) {
			s.removeLocked(id, m)
		}
	}
}

func (s *Server) removeLocked(id string, m *meeting) {
	if s.meetings[id] == m {
		delete(s.meetings, id)
	}
	for _, u := range m.sessions {
		delete(s.sessions, u.token)
	}
	for hs, tokens := range s.httpSessions {
		for tok := range tokens {
			if s.sessions[tok] == nil {
				delete(tokens, tok)
			}
		}
		if len(tokens) == 0 {
			delete(s.httpSessions, hs)
		}
	}
	s.history = append(s.history, m)
	if len(s.history) > 200 {
		s.history = s.history[len(s.history)-200:]
	}
}

// Request is one request the simulator received, for tests. RawQuery is
// verbatim, checksum included; the logger never sees it.
type Request struct {
	Time          time.Time
	Handler       string // "bbb", "bbb24", "scalelite" or "node"
	Method        string
	Path          string
	Call          string // API call; "" for the API root and other pages
	RawQuery      string
	ContentType   string
	ContentLength int64
	Status        int
	ReturnCode    string // from the response, when it is XML or JSON
	MessageKey    string
}

// frontend is one host: the main handler or the Scalelite node.
type frontend struct {
	s         *Server
	name      string
	flavor    Flavor
	isNode    bool
	cs        checksumPolicy
	publicURL string
}

// reqCtx carries one request through the handlers.
type reqCtx struct {
	f    *frontend
	s    *Server
	w    *recorder
	r    *http.Request
	base string // this host's public base URL
}

// recorder captures status and response keys for Requests().
type recorder struct {
	http.ResponseWriter
	status  int
	wrote   bool
	code    string
	message string
}

func (w *recorder) WriteHeader(code int) {
	if !w.wrote {
		w.status, w.wrote = code, true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *recorder) Write(b []byte) (int, error) {
	if !w.wrote {
		w.status, w.wrote = http.StatusOK, true
	}
	if w.code == "" {
		w.code = between(b, "<returncode>", "</returncode>")
		w.message = between(b, "<messageKey>", "</messageKey>")
		if w.code == "" {
			w.code = between(b, `"returncode":"`, `"`)
			w.message = between(b, `"messageKey":"`, `"`)
		}
	}
	return w.ResponseWriter.Write(b)
}

func between(b []byte, start, end string) string {
	s := string(b)
	i := strings.Index(s, start)
	if i < 0 {
		return ""
	}
	s = s[i+len(start):]
	if j := strings.Index(s, end); j >= 0 {
		return s[:j]
	}
	return ""
}

const apiPrefix = "/bigbluebutton/api"

func (f *frontend) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s := f.s
	rec := &recorder{ResponseWriter: w}
	rc := &reqCtx{f: f, s: s, w: rec, r: r, base: f.baseURL(r)}
	entry := Request{
		Time: s.now(), Handler: f.name, Method: r.Method, Path: r.URL.Path,
		RawQuery: r.URL.RawQuery, ContentType: r.Header.Get("Content-Type"), ContentLength: r.ContentLength,
	}
	path := r.URL.Path
	switch {
	case path == apiPrefix || path == apiPrefix+"/":
		f.serveRoot(rc)
	case strings.HasPrefix(path, apiPrefix+"/"):
		entry.Call = path[len(apiPrefix)+1:]
		f.serveAPI(rc, entry.Call)
	case f.flavor == FlavorScalelite:
		http.NotFound(rec, r) // the balancer serves the API only
	case path == "/html5client" || path == "/html5client/" || path == "/html5client/join":
		f.serveClient(rc)
	case path == "/html5client/guestWait":
		f.serveGuestWait(rc)
	case path == "/html5client/leave":
		f.serveLeave(rc)
	case path == "/":
		f.serveIndex(rc)
	default:
		http.NotFound(rec, r)
	}
	entry.Status = rec.status
	if !rec.wrote {
		entry.Status = http.StatusOK
	}
	entry.ReturnCode, entry.MessageKey = rec.code, rec.message
	s.mu.Lock()
	s.requests = append(s.requests, entry)
	if len(s.requests) > maxRequestLog {
		s.requests = s.requests[len(s.requests)-maxRequestLog:]
	}
	s.mu.Unlock()
	s.cfg.Logger.Info("bbbsim request", "handler", f.name, "method", r.Method, "path", path,
		"status", entry.Status, "returncode", entry.ReturnCode, "messageKey", entry.MessageKey)
}

// baseURL is this host's public scheme://host.
func (f *frontend) baseURL(r *http.Request) string {
	if f.isNode {
		f.s.mu.Lock()
		u := f.s.nodeURL
		f.s.mu.Unlock()
		if u != "" {
			return u
		}
	} else if f.publicURL != "" {
		return f.publicURL
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// clientURL is defaultHTML5ClientUrl.
func (rc *reqCtx) clientURL() string {
	if !rc.f.isNode && rc.s.cfg.ClientURL != "" {
		return rc.s.cfg.ClientURL
	}
	if rc.f.flavor == FlavorBBB24 {
		return rc.base + "/html5client/join"
	}
	return rc.base + "/html5client"
}

func (rc *reqCtx) guestWaitURL() string { return rc.base + "/html5client/guestWait" }

// logoutURL is the server's default logout URL.
func (rc *reqCtx) logoutURL() string {
	if !rc.f.isNode && rc.s.cfg.LogoutURL != "" {
		return rc.s.cfg.LogoutURL
	}
	return rc.base
}

// SetNextInternalUserID makes the next join use id as internal user ID
// (normally "w_" + 12 random characters), e.g. to reproduce a TURN
// credential vector. Several calls queue several IDs.
func (s *Server) SetNextInternalUserID(id string) {
	s.mu.Lock()
	s.nextUserIDs = append(s.nextUserIDs, id)
	s.mu.Unlock()
}

func (s *Server) newInternalUserIDLocked() string {
	if len(s.nextUserIDs) > 0 {
		id := s.nextUserIDs[0]
		s.nextUserIDs = s.nextUserIDs[1:]
		return id
	}
	return "w_" + randString(12, lowerAlnum)
}

const (
	lowerAlnum = "abcdefghijklmnopqrstuvwxyz0123456789"
	mixedAlnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	upperHexCh = "0123456789ABCDEF"
)

// randString is RandomStringUtils.randomAlphanumeric-like; simulator IDs
// need to be unique, not secret, so math/rand/v2 suffices.
func randString(n int, alphabet string) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[rand.IntN(len(alphabet))]
	}
	return string(b)
}

func randIntN(n int) int { return rand.IntN(n) }

// drain discards what is left of a request body so the connection can be
// reused; bounded so a hostile client cannot keep us reading.
func drain(r io.Reader, limit int64) int64 {
	n, _ := io.Copy(io.Discard, io.LimitReader(r, limit))
	return n
}
