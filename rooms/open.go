package rooms

import (
	"net/url"
	"strings"
	"time"

	"github.com/skratchdot/open-golang/open"
	"github.com/tafel-schule/tafel/checkhistory"
)

// Opener opens a join URL in a browser.
type Opener func(u JoinURL) error

// BrowserOpener opens join URLs with open-golang: the system's default
// browser, or browser (a configured one, via open.RunWith) if set. It
// waits for the opener command (Run, not Start), so no zombie is left.
func BrowserOpener(browser string) Opener {
	return func(u JoinURL) error {
		var err error
		if browser != "" {
			err = open.RunWith(u.Reveal(), browser)
		} else {
			err = open.Run(u.Reveal())
		}
		if err != nil {
			// The command's error text never holds the URL (exec reports the
			// program and exit status only).
			return &Error{Code: CodeOpenFailed, Err: err}
		}
		return nil
	}
}

// CheckJoinURL refuses to open a link that is not https to the pool's own
// host (plain http only to this machine, for the simulator and demo).
func CheckJoinURL(u JoinURL, poolURL string) error {
	ju, err := url.Parse(u.Reveal())
	if err != nil {
		return &Error{Code: CodeUnsafeJoinURL}
	}
	pu, err := url.Parse(poolURL)
	if err != nil || !strings.EqualFold(ju.Host, pu.Host) {
		return &Error{Code: CodeUnsafeJoinURL, Detail: "host"}
	}
	switch ju.Scheme {
	case "https":
		return nil
	case "http":
		h := ju.Hostname()
		if h == "localhost" || h == "::1" || strings.HasPrefix(h, "127.") {
			return nil
		}
	}
	return &Error{Code: CodeUnsafeJoinURL, Detail: "scheme"}
}

// EchoTestWindow is how recent Tafel's own audio check must be for BBB's
// echo test to be skipped.
const EchoTestWindow = 30 * time.Minute

// EchoTestPassed reports whether Tafel's audio check passed within
// EchoTestWindow before now, according to the check history (nil: the
// default one).
func EchoTestPassed(h *checkhistory.Store, now time.Time) bool {
	if h == nil {
		var err error
		if h, err = checkhistory.Open(); err != nil {
			return false
		}
	}
	e, ok := h.Last(checkhistory.Audio)
	return ok && e.Passed(now, EchoTestWindow)
}
