package preflight

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tafel-schule/tafel/audio"
	"github.com/tafel-schule/tafel/checkhistory"
	"github.com/tafel-schule/tafel/config"
	"github.com/tafel-schule/tafel/internal/bbbsim"
	"github.com/tafel-schule/tafel/internal/testenv"
	"github.com/tafel-schule/tafel/rooms"
	"github.com/tafel-schule/tafel/translations"
)

// Audio tests never run in parallel: they point PULSE_SERVER at their own
// daemon (audio-check.md §2.6).

const poolSecret = "preflight-pool-secret"

// startPool serves a BBB simulator whose stuns hands out coturn's UDP and
// TCP URLs, and returns the pool and coturn.
func startPool(t *testing.T) (rooms.Pool, *testenv.Coturn) {
	t.Helper()
	p, c, _ := startPoolWith(t, rooms.DirectOptions{})
	return p, c
}

// startPoolWith is startPool with the pool's options; it also returns the
// simulator's test server.
func startPoolWith(t *testing.T, opts rooms.DirectOptions) (rooms.Pool, *testenv.Coturn, *httptest.Server) {
	t.Helper()
	c := testenv.StartCoturn(t, testenv.CoturnOptions{})
	sim, err := bbbsim.New(bbbsim.Config{Secret: poolSecret, TURN: []bbbsim.TURNServer{
		{URL: c.URL("udp"), Secret: c.Secret}, {URL: c.URL("tcp"), Secret: c.Secret}}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sim.Handler())
	t.Cleanup(func() { srv.Close(); sim.Close() })
	p, err := rooms.NewDirectPool(config.Pool{Name: "Schule", URL: srv.URL + "/bigbluebutton/api"}, poolSecret, opts)
	if err != nil {
		t.Fatal(err)
	}
	return p, c, srv
}

func history(t *testing.T) *checkhistory.Store {
	return &checkhistory.Store{Path: filepath.Join(t.TempDir(), "checks.json")}
}

// results collects onResult calls from any goroutine.
type results struct {
	mu  sync.Mutex
	got []Result
}

func (r *results) add(res Result) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, res)
}

func (r *results) checks() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, res := range r.got {
		out = append(out, res.Check)
	}
	return out
}

func byCheck(rep *Report) map[string]Result {
	m := map[string]Result{}
	for _, r := range rep.Results {
		m[r.Check] = r
	}
	return m
}

func usable(v Verdict) bool { return v == Pass || v == Warn }

// A healthy setup: a headset (the mic does not hear the speaker, quiet
// room noise), coturn reachable over UDP and TCP, a pool that accepts the
// secret. Everything passes within a generous bound, audio and network run
// at the same time, and the history is written.
func TestPreflightHealthy(t *testing.T) {
	testenv.StartPulseHeadset(t)
	pool, c := startPool(t)
	h := history(t)
	r := &Runner{Pool: pool, History: h, Tr: translations.New("de")}
	var got results
	start := time.Now()
	rep := r.Run(context.Background(), got.add)
	wall := time.Since(start)
	b, _ := json.MarshalIndent(rep, "", "  ")
	t.Logf("wall %v, device start %d ms", wall, rep.DeviceStartMs)
	for _, res := range rep.Results {
		t.Logf("  %-10s %-7s %-8s %5d ms  %s | %s", res.Check, res.Verdict, res.Code, res.DurationMs, res.Message, res.Fix)
	}
	if wall > 15*time.Second {
		t.Errorf("pre-flight took %v", wall)
	}
	if len(rep.Results) != 4 || len(got.checks()) != 4 {
		t.Fatalf("results %d, callbacks %v", len(rep.Results), got.checks())
	}
	for i, name := range []string{CheckHeadset, CheckMicrophone, CheckNetwork, CheckPool} {
		res := rep.Results[i]
		if res.Check != name || !usable(res.Verdict) || res.Message == "" || strings.HasPrefix(res.Message, "preflight.") {
			t.Errorf("%s: %+v", name, res)
		}
	}
	m := byCheck(rep)
	if m[CheckPool].Verdict != Pass || m[CheckPool].Code != "ok" || !strings.Contains(m[CheckPool].Message, "Schule") {
		t.Errorf("pool row %+v", m[CheckPool])
	}
	net := m[CheckNetwork]
	if len(net.Items) != 2 || !strings.HasPrefix(net.Items[0].Name, "UDP ") || !strings.HasPrefix(net.Items[1].Name, "TCP ") {
		t.Errorf("network items %+v", net.Items)
	}
	if rep.Verdict == Fail || rep.Canceled || rep.DeviceStartMs <= 0 {
		t.Errorf("report verdict %s canceled %v device start %d", rep.Verdict, rep.Canceled, rep.DeviceStartMs)
	}
	// Parallel, not one after another.
	if seq := m[CheckHeadset].DurationMs + net.DurationMs; rep.DurationMs >= seq {
		t.Errorf("wall %d ms is not below audio + network %d ms", rep.DurationMs, seq)
	}
	if s := string(b); strings.Contains(s, poolSecret) || strings.Contains(s, c.Secret) {
		t.Error("report contains a secret")
	}
	var details map[string]any
	if err := json.Unmarshal(net.Details, &details); err != nil || details["transports"] == nil {
		t.Errorf("network details: %v %s", err, net.Details)
	}
	all := h.All()
	for _, kind := range []string{checkhistory.Audio, checkhistory.Network, checkhistory.Pool, HistoryAll} {
		if e, ok := all[kind]; !ok || !e.Passed(time.Now(), time.Minute) {
			t.Errorf("history %s: %+v", kind, e)
		}
	}
	if strings.Contains(string(mustRead(t, h.Path)), poolSecret) {
		t.Error("history contains the pool secret")
	}
	if last := r.Last(); time.Since(last) > time.Minute {
		t.Errorf("Last %v", last)
	}
	if !rooms.EchoTestPassed(h, time.Now()) {
		t.Error("the audio entry does not let a lesson skip BBB's echo test")
	}
}

func mustRead(t *testing.T, p string) []byte {
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// No sound system and no pool: every row is skipped with a plain sentence
// and a hint, nothing fails, and the pre-flight does not count as passed.
func TestPreflightNoSoundSystemNoPool(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("PULSE_SERVER", "unix:"+filepath.Join(dir, "nothing-here"))
	t.Setenv("PULSE_COOKIE", filepath.Join(dir, "cookie"))
	h := history(t)
	r := &Runner{AudioBackend: audio.BackendPulseAudio, History: h, Tr: translations.New("en")}
	start := time.Now()
	rep := r.Run(context.Background(), nil)
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %v", d)
	}
	m := byCheck(rep)
	for _, name := range []string{CheckHeadset, CheckMicrophone} {
		if res := m[name]; res.Verdict != Skipped || res.Code != "NO_SOUND_SYSTEM" || res.Message == "" || res.Fix == "" {
			t.Errorf("%s: %+v", name, res)
		}
	}
	for _, name := range []string{CheckNetwork, CheckPool} {
		if res := m[name]; res.Verdict != Skipped || res.Code != codeNoPool || !strings.Contains(res.Fix, "Set up your pool first") {
			t.Errorf("%s: %+v", name, res)
		}
	}
	if rep.Verdict != Skipped {
		t.Errorf("verdict %s", rep.Verdict)
	}
	if _, ok := h.Last(checkhistory.Audio); ok {
		t.Error("a skipped audio check was recorded")
	}
	if !r.Last().IsZero() {
		t.Error("nothing checked counts as passed")
	}
	// A typed nil pool (what a failed open leaves in a *DirectPool) is no
	// pool, not a crash.
	var dp *rooms.DirectPool
	r.Pool = dp
	if res := byCheck(r.Run(context.Background(), nil))[CheckPool]; res.Code != codeNoPool {
		t.Errorf("typed nil pool: %+v", res)
	}
}

// No pool, but a headset: audio is checked, network and pool say "set up
// your pool first"; the report passes on audio alone.
func TestPreflightNoPool(t *testing.T) {
	testenv.StartPulseHeadset(t)
	r := &Runner{History: history(t), Tr: translations.New("de")}
	rep := r.Run(context.Background(), nil)
	m := byCheck(rep)
	if !usable(m[CheckHeadset].Verdict) || !usable(m[CheckMicrophone].Verdict) {
		t.Fatalf("audio rows %+v %+v", m[CheckHeadset], m[CheckMicrophone])
	}
	for _, name := range []string{CheckNetwork, CheckPool} {
		if res := m[name]; res.Verdict != Skipped || res.Code != codeNoPool || !strings.Contains(res.Fix, "Pool") {
			t.Errorf("%s: %+v", name, res)
		}
	}
	if !usable(rep.Verdict) || r.Last().IsZero() {
		t.Errorf("verdict %s, last %v", rep.Verdict, r.Last())
	}
}

// A pool that cannot be opened (secret missing) fails the pool row with
// its own sentence; the network row is skipped, not failed twice.
func TestPreflightPoolOpenError(t *testing.T) {
	t.Setenv("PULSE_SERVER", "unix:"+filepath.Join(t.TempDir(), "none"))
	r := &Runner{AudioBackend: audio.BackendPulseAudio, PoolName: "Schule", Tr: translations.New("de"),
		PoolErr: &config.Error{Code: config.CodeSecretNotFound, Detail: "pool:Schule"}}
	rep := r.Run(context.Background(), nil)
	m := byCheck(rep)
	if p := m[CheckPool]; p.Verdict != Fail || p.Code != "secret_not_found" || !strings.Contains(p.Message, "Schule") || p.Fix == "" {
		t.Errorf("pool row %+v", p)
	}
	if n := m[CheckNetwork]; n.Verdict != Skipped || n.Code != codePoolUnavailable {
		t.Errorf("network row %+v", n)
	}
	if rep.Verdict != Fail {
		t.Errorf("verdict %s", rep.Verdict)
	}
}

// A pool whose API never answers: the pool row times out at the deadline
// and the run does not wait past deadline + allowance + grace.
func TestPreflightDeadline(t *testing.T) {
	t.Setenv("PULSE_SERVER", "unix:"+filepath.Join(t.TempDir(), "none"))
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }))
	t.Cleanup(hang.Close)
	p, err := rooms.NewDirectPool(config.Pool{Name: "Langsam", URL: hang.URL + "/bigbluebutton/api"}, poolSecret, rooms.DirectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	h := history(t)
	r := &Runner{AudioBackend: audio.BackendPulseAudio, Pool: p, History: h, Timeout: 1500 * time.Millisecond, Tr: translations.New("en")}
	start := time.Now()
	rep := r.Run(context.Background(), nil)
	d := time.Since(start)
	if d < time.Second || d > 1500*time.Millisecond+DefaultDeviceStartAllowance+grace+2*time.Second {
		t.Errorf("took %v", d)
	}
	m := byCheck(rep)
	if res := m[CheckPool]; res.Verdict != Fail || res.Code != "timeout" || !strings.Contains(res.Message, "Langsam") {
		t.Errorf("pool row %+v", res)
	}
	if res := m[CheckNetwork]; res.Verdict != Fail {
		t.Errorf("network row %+v", res)
	}
	if rep.Verdict != Fail || !r.Last().IsZero() {
		t.Errorf("verdict %s last %v", rep.Verdict, r.Last())
	}
	if e, _ := h.Last(checkhistory.Pool); e.Code != "timeout" {
		t.Errorf("pool history %+v", e)
	}
}

// Canceling returns promptly with what is known: unfinished rows are
// skipped as canceled, and the summary is not recorded.
func TestPreflightCancel(t *testing.T) {
	testenv.StartPulseHeadset(t)
	pool, _ := startPool(t)
	h := history(t)
	r := &Runner{Pool: pool, History: h, Tr: translations.New("en")}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(400*time.Millisecond, cancel)
	start := time.Now()
	rep := r.Run(ctx, nil)
	if d := time.Since(start); d > 1500*time.Millisecond {
		t.Errorf("cancel took %v to return", d)
	}
	if !rep.Canceled || len(rep.Results) != 4 {
		t.Fatalf("report %+v", rep)
	}
	m := byCheck(rep)
	if res := m[CheckHeadset]; res.Verdict != Skipped || res.Code != codeCanceled {
		t.Errorf("headset row %+v", res)
	}
	if _, ok := h.Last(HistoryAll); ok {
		t.Error("a canceled run was recorded")
	}
	// Late results of the background checks must not change the report.
	before, _ := json.Marshal(rep)
	time.Sleep(1500 * time.Millisecond)
	if after, _ := json.Marshal(rep); string(after) != string(before) {
		t.Error("the report changed after Run returned")
	}
}

// The live level meter reads the headset mic's room noise.
func TestPreflightLevels(t *testing.T) {
	pa := testenv.StartPulseHeadset(t)
	r := &Runner{}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ch, err := r.Levels(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var n int
	for lv := range ch {
		// White noise at −65 dBFS; PulseAudio's first buffers may be zeros.
		if lv > pa.NoiseDBFS-6 && lv < pa.NoiseDBFS+6 {
			n++
		}
		if n == 5 {
			cancel()
		}
	}
	if n < 5 {
		t.Fatalf("%d readings near %v dBFS", n, pa.NoiseDBFS)
	}
}
