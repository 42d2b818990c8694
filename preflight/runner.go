// Package preflight runs Tafel's pre-flight checks together — audio
// (headset/echo and microphone), network (WebRTC through the pool's TURN
// servers) and pool (the BBB API answers and accepts the secret) — under one
// deadline, and produces one Report with a traffic light, a translated
// sentence and what to do per check, plus each check's own JSON for IT.
// The GUI (app.Preflight) and `tafel check all` both use Runner.
package preflight

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"reflect"
	"sync"
	"time"

	"github.com/tafel-schule/tafel/audio"
	"github.com/tafel-schule/tafel/checkhistory"
	"github.com/tafel-schule/tafel/netcheck"
	"github.com/tafel-schule/tafel/rooms"
	"github.com/tafel-schule/tafel/translations"
)

// HistoryAll is the check-history kind of the whole pre-flight's summary
// (next to checkhistory.Audio, Network and Pool, which Run records too).
const HistoryAll = "all"

// Defaults of Runner.
const (
	// DefaultTimeout is the one deadline of a run: on a healthy setup the
	// checks take about 3 s (the audio probe alone records 2.8 s).
	DefaultTimeout = 4500 * time.Millisecond
	// DefaultDeviceStartAllowance extends the audio check's deadline by the
	// time a sound server may take to deliver the first buffer (a
	// PulseAudio null sink takes ~2 s, PipeWire ~50 ms). It is reported
	// apart (Report.DeviceStartMs) because it is the machine's, not Tafel's.
	DefaultDeviceStartAllowance = 3 * time.Second
	// grace is how long Run waits past the deadline for checks to hand in
	// what they measured before it reports them as timed out.
	grace = 750 * time.Millisecond
)

// Runner runs the pre-flight. Its zero value checks audio only (no pool:
// network and pool are skipped) in English. It implements the GUI's
// app.Preflight interface. A Runner may be used by several goroutines, but
// runs should not overlap (they would share the sound card).
type Runner struct {
	// AudioBackend selects the sound system ("" = the OS default).
	AudioBackend audio.Backend
	// CaptureID and PlaybackID choose the devices ("" = the OS defaults).
	CaptureID, PlaybackID string

	// Pool is the teacher's pool for the pool check; nil when none is set
	// up (then PoolErr says why, or nothing: "set up your pool first").
	Pool rooms.Pool
	// PoolErr is why Pool could not be opened (secret missing, keyring
	// locked …): the pool check fails with it instead of being skipped.
	PoolErr error
	// PoolName names the pool in messages when Pool is nil.
	PoolName string
	// Network supplies the TURN servers; nil uses netcheck.FromPool(Pool).
	Network netcheck.Source
	// NetRootCAs verifies turns: and the API (nil: the system roots).
	NetRootCAs *x509.CertPool

	// History records each check and the summary (nil: nothing recorded,
	// Last is always zero).
	History *checkhistory.Store
	// Tr translates messages (zero value: English).
	Tr translations.Translator

	// Timeout is the deadline of a run (default DefaultTimeout).
	Timeout time.Duration
	// DeviceStartAllowance is added to the audio check's deadline (default
	// DefaultDeviceStartAllowance; negative: none).
	DeviceStartAllowance time.Duration
	// Now is the clock for history entries (default time.Now).
	Now func() time.Time
}

func (r *Runner) timeout() time.Duration {
	if r.Timeout > 0 {
		return r.Timeout
	}
	return DefaultTimeout
}

func (r *Runner) allowance() time.Duration {
	switch {
	case r.DeviceStartAllowance < 0:
		return 0
	case r.DeviceStartAllowance == 0:
		return DefaultDeviceStartAllowance
	}
	return r.DeviceStartAllowance
}

func (r *Runner) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}

// order is the row order of the report.
var order = []string{CheckHeadset, CheckMicrophone, CheckNetwork, CheckPool}

// collector gathers results from the check goroutines. After Run has
// returned (cancel), late results are dropped and onResult is not called.
type collector struct {
	mu       sync.Mutex
	results  map[string]Result
	closed   bool
	onResult func(Result)
}

// add stores results and reports them. onResult runs under the lock, so
// the caller never sees a callback after Run returned; it must not block.
func (c *collector) add(rs ...Result) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return
	}
	for _, r := range rs {
		c.results[r.Check] = r
		if c.onResult != nil {
			c.onResult(r)
		}
	}
}

// Run runs all checks under one deadline: audio, network and pool at the
// same time. onResult (may be nil) is called from any goroutine as each
// check finishes; it must not block. When ctx is canceled Run returns at
// once with what is known (unfinished checks are Skipped with code
// "canceled", Report.Canceled is set) and records no summary.
func (r *Runner) Run(ctx context.Context, onResult func(Result)) *Report {
	start := time.Now()
	deadline := start.Add(r.timeout())
	dctx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()
	col := &collector{results: map[string]Result{}, onResult: onResult}
	rep := &Report{StartedAt: start.UTC()}
	var deviceStart time.Duration
	var wg sync.WaitGroup

	wg.Add(1)
	go func() {
		defer wg.Done()
		// The audio check may use the device-start allowance on top.
		actx, acancel := context.WithDeadline(ctx, deadline.Add(r.allowance()))
		defer acancel()
		res, ds := r.runAudio(actx, ctx)
		col.mu.Lock()
		deviceStart = ds
		col.mu.Unlock()
		col.add(res...)
	}()

	pool, src := r.Pool, r.Network
	if isNil(pool) {
		pool = nil // a typed nil (*rooms.DirectPool)(nil) means no pool too
	}
	if isNil(src) {
		src = nil
	}
	if src == nil && pool != nil {
		src = netcheck.FromPool(pool)
	}
	switch {
	case src != nil:
		wg.Add(1)
		go func() {
			defer wg.Done()
			col.add(r.runNetwork(dctx, ctx, src, deadline))
		}()
	case r.PoolErr != nil && !noPool(r.PoolErr):
		col.add(r.skipped(CheckNetwork, codePoolUnavailable, nil))
	default:
		col.add(r.skipped(CheckNetwork, codeNoPool, nil))
	}
	switch {
	case pool != nil:
		wg.Add(1)
		go func() {
			defer wg.Done()
			col.add(r.runPool(dctx, ctx, pool))
		}()
	case r.PoolErr != nil && !noPool(r.PoolErr):
		col.add(r.poolOpenFailed(r.PoolErr))
	default:
		col.add(r.skipped(CheckPool, codeNoPool, nil))
	}

	all := make(chan struct{})
	go func() { wg.Wait(); close(all) }()
	audioDeadline := deadline.Add(r.allowance())
	hard := time.NewTimer(time.Until(audioDeadline.Add(grace)))
	defer hard.Stop()
	select {
	case <-all:
	case <-ctx.Done():
	case <-hard.C:
	}

	col.mu.Lock()
	col.closed = true
	canceled := ctx.Err() != nil
	for _, name := range order {
		res, ok := col.results[name]
		if !ok {
			if canceled {
				res = r.skipped(name, codeCanceled, nil)
			} else {
				res = r.failed(name, codeTimeout, nil)
			}
			res.DurationMs = time.Since(start).Milliseconds()
		}
		rep.Results = append(rep.Results, res)
	}
	rep.DeviceStartMs = deviceStart.Milliseconds()
	col.mu.Unlock()

	rep.Canceled = canceled
	rep.Verdict = Overall(rep.Results)
	rep.DurationMs = time.Since(start).Milliseconds()
	if !canceled {
		r.record(HistoryAll, checkhistory.Entry{Time: r.now(), Verdict: string(rep.Verdict), Details: summary(rep)})
	}
	return rep
}

func isNil(v any) bool {
	if v == nil {
		return true
	}
	rv := reflect.ValueOf(v)
	return rv.Kind() == reflect.Pointer && rv.IsNil()
}

// Overall is the report's traffic light: the worst of the checks that ran
// (skipped ones do not count); Skipped when none ran.
func Overall(rs []Result) Verdict {
	v := Skipped
	for _, r := range rs {
		if r.Verdict == Skipped {
			continue
		}
		if v == Skipped || rank(r.Verdict) > rank(v) {
			v = r.Verdict
		}
	}
	return v
}

func rank(v Verdict) int {
	switch v {
	case Pass:
		return 0
	case Warn:
		return 1
	case Fail:
		return 2
	}
	return -1
}

// summary is the "all" history entry's details: verdicts and codes only.
func summary(rep *Report) json.RawMessage {
	type row struct {
		Check   string  `json:"check"`
		Verdict Verdict `json:"verdict"`
		Code    string  `json:"code"`
	}
	s := struct {
		DurationMs    int64 `json:"duration_ms"`
		DeviceStartMs int64 `json:"device_start_ms"`
		Results       []row `json:"results"`
	}{rep.DurationMs, rep.DeviceStartMs, nil}
	for _, r := range rep.Results {
		s.Results = append(s.Results, row{r.Check, r.Verdict, r.Code})
	}
	b, _ := json.Marshal(s)
	return b
}

// record writes one history entry; a failure only means the check runs
// again next time.
func (r *Runner) record(kind string, e checkhistory.Entry) {
	if r.History != nil {
		_ = r.History.Record(kind, e)
	}
}

// Last is when the pre-flight last passed (pass or warning); zero when it
// never did or the latest run failed, so a failed run is not hidden by an
// older pass.
func (r *Runner) Last() time.Time {
	if r.History == nil {
		return time.Time{}
	}
	e, ok := r.History.Last(HistoryAll)
	if !ok || (e.Verdict != string(Pass) && e.Verdict != string(Warn)) {
		return time.Time{}
	}
	return e.Time
}

// Levels streams the microphone level (RMS dBFS, ~20 Hz) until ctx ends;
// the channel is closed then. Readings are dropped when the receiver is
// slow.
func (r *Runner) Levels(ctx context.Context) (<-chan float64, error) {
	sys, err := audio.Open(r.AudioBackend)
	if err != nil {
		return nil, err
	}
	ch, err := sys.Levels(ctx, r.CaptureID)
	if err != nil {
		sys.Close()
		return nil, err
	}
	out := make(chan float64, 4)
	go func() {
		defer sys.Close() // after the device is gone (ch is closed after Uninit)
		defer close(out)
		for lv := range ch {
			select {
			case out <- lv.RMSDBFS:
			default:
			}
		}
	}()
	return out, nil
}
