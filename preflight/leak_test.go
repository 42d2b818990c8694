package preflight

import (
	"context"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/tafel-schule/tafel/internal/testenv"
	"github.com/tafel-schule/tafel/rooms"
	"github.com/tafel-schule/tafel/translations"
)

// A finished run and a canceled one leave no goroutine behind: after Run
// returns (at once, for the cancel) the checks it started wind down by
// themselves — audio device, pion agents, HTTP calls — and the goroutine
// count returns to what it was before. Idle keep-alive connections of the
// test's own HTTP client and server are closed first: they are not the
// runner's.
func TestPreflightNoGoroutineLeak(t *testing.T) {
	testenv.StartPulseHeadset(t)
	tr := &http.Transport{}
	p, _, srv := startPoolWith(t, rooms.DirectOptions{HTTPClient: &http.Client{Transport: tr, Timeout: 30 * time.Second}})
	settle := func() {
		tr.CloseIdleConnections()
		srv.CloseClientConnections()
	}
	base := runtime.NumGoroutine()

	waitBack := func(what string) {
		t.Helper()
		deadline := time.Now().Add(15 * time.Second)
		for {
			settle()
			n := runtime.NumGoroutine()
			if n <= base {
				return
			}
			if time.Now().After(deadline) {
				t.Errorf("%s: %d goroutines, %d before the run:\n%s", what, n, base, goroutineTops())
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
	}

	r := &Runner{Pool: p, History: history(t), Tr: translations.New("en")}
	rep := r.Run(context.Background(), nil)
	if rep.Canceled || !usable(byCheck(rep)[CheckNetwork].Verdict) {
		t.Fatalf("finished run: %+v", rep)
	}
	waitBack("after a finished run")

	for _, after := range []time.Duration{50 * time.Millisecond, 600 * time.Millisecond, 1500 * time.Millisecond} {
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(after, cancel)
		start := time.Now()
		rep := r.Run(ctx, nil)
		if d := time.Since(start); d > after+1500*time.Millisecond {
			t.Errorf("canceled after %v: Run returned after %v", after, d)
		}
		if !rep.Canceled {
			t.Errorf("canceled after %v: not marked canceled", after)
		}
		cancel()
		waitBack("after a run canceled at " + after.String())
	}
}

// goroutineTops lists the top frame of every goroutine, for the failure
// message.
func goroutineTops() string {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	var out []string
	for _, g := range strings.Split(string(buf), "\n\n") {
		lines := strings.Split(g, "\n")
		if len(lines) >= 2 {
			out = append(out, lines[0]+" "+strings.TrimSpace(lines[1]))
		}
	}
	return strings.Join(out, "\n")
}
