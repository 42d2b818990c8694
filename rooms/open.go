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
// default one). Only a clear pass counts: no echo path found (OK) or
// headset-class leakage (OK_LEAK). A warning — some echo (LEAK), noise
// that hides weak echoes (OK_NOISY), an inconclusive run (RETRY) — leaves
// BBB's own echo test in place.
func EchoTestPassed(h *checkhistory.Store, now time.Time) bool {
	if h == nil {
		var err error
		if h, err = checkhistory.Open(); err != nil {
			return false
		}
	}
	e, ok := h.Last(checkhistory.Audio)
	if !ok || !e.Passed(now, EchoTestWindow) || e.Verdict != "pass" {
		return false
	}
	switch e.Code {
	case "", "OK", "OK_LEAK": // "": entries written before codes were kept
		return true
	}
	return false
}

// OpenGrace is how long OpenWithin waits for the browser command. A
// browser named in the settings ("firefox") is run directly, and when none
// of its windows was open that process IS the browser: it returns only
// when the teacher closes it. A command that fails (not installed, no
// display) fails well within this time.
var OpenGrace = 3 * time.Second

// OpenWithin opens u with op without waiting for a browser that stays in
// the foreground: it returns op's error if op ends within OpenGrace, else
// nil (the browser is up). op keeps running in the background and is
// still waited for, so no zombie is left behind.
func OpenWithin(op Opener, u JoinURL) error {
	done := make(chan error, 1)
	go func() { done <- op(u) }()
	t := time.NewTimer(OpenGrace)
	defer t.Stop()
	select {
	case err := <-done:
		return err
	case <-t.C:
		return nil
	}
}
