// Package diagnostics builds the report a teacher hands to school IT
// ("Bericht für die IT", `tafel report`): the last pre-flight verdicts up
// front, then app and OS versions, sound devices, the configuration with
// the source of each value, the pools (whether their password is in the
// keyring, never the password) and recent errors from the log. Everything
// goes through package redact, and a final check refuses to produce an
// output that still holds a known secret. The report is created locally;
// nothing is sent anywhere.
//
// The package takes plain data (Sources), so it builds without cgo and
// without Fyne; cmd/tafel gathers the parts that need them.
package diagnostics

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/tafel-schule/tafel/checkhistory"
	"github.com/tafel-schule/tafel/internal/redact"
	"github.com/tafel-schule/tafel/translations"
)

// Format and FormatVersion identify the JSON file.
const (
	Format        = "tafel-report"
	FormatVersion = 1
)

// PartTimeout bounds each part of Build (sound devices, log) on its own,
// so one hanging part leaves a note instead of no report.
const PartTimeout = 5 * time.Second

// ConfigValue is one effective setting and the layer it came from
// ("default", "recommended", "user", "managed").
type ConfigValue struct {
	Key    string `json:"key"`
	Value  string `json:"value"`
	Source string `json:"source"`
	Locked bool   `json:"locked"`
}

// AudioDevice is a microphone or speaker as the sound system lists it.
type AudioDevice struct {
	Name      string `json:"name"`
	Kind      string `json:"kind"` // "capture" or "playback"
	Default   bool   `json:"default"`
	Headset   bool   `json:"headset"`
	Bluetooth bool   `json:"bluetooth"`
	HandsFree bool   `json:"hands_free"`
	Speaker   bool   `json:"speaker"`
	Monitor   bool   `json:"monitor"`
}

// PoolStatus is a configured pool: its name, its API base URL (no query)
// and whether its password is in the keyring.
type PoolStatus struct {
	Name    string `json:"name"`
	URL     string `json:"url"`
	Default bool   `json:"default"`
	// InKeyring: the pool's shared secret is stored (named so that it is
	// not mistaken for a secret-bearing key by the redaction).
	InKeyring bool `json:"in_keyring"`
	// KeyringProblem is a plain note when the keyring could not be asked.
	KeyringProblem string `json:"keyring_problem,omitempty"`
	Managed        bool   `json:"managed"`
}

// LogEntry is one warning or error from Tafel's log.
type LogEntry struct {
	Time  time.Time         `json:"time"`
	Level string            `json:"level"`
	Msg   string            `json:"msg"`
	Attrs map[string]string `json:"attrs,omitempty"`
}

// Sources are the report's inputs. Nil functions and empty fields are
// reported as "not available", never as a failure.
type Sources struct {
	Version        string
	History        *checkhistory.Store
	Config         []ConfigValue
	ConfigWarnings []string
	AudioDevices   func(ctx context.Context) ([]AudioDevice, error)
	Pools          []PoolStatus
	LogErrors      func() ([]LogEntry, error)
	// Secrets are known secret values (the pools' shared secrets, TURN
	// credentials…) that must not appear in any output.
	Secrets   []string
	RedactIPs bool
	// HomeDir, when set, is shown as "~" wherever it appears (paths in
	// settings and errors): it names the teacher's login.
	HomeDir string
	Now     func() time.Time
	Lang    string
	// OS, when set, replaces what CollectOS finds (tests, benchmarks).
	OS *OSInfo
}

// Report is the whole report. Build fills it with redacted values.
type Report struct {
	Format        string    `json:"format"`
	FormatVersion int       `json:"format_version"`
	CreatedAt     time.Time `json:"created_at"`
	Lang          string    `json:"lang"`
	IPsRemoved    bool      `json:"ip_addresses_removed"`

	Summary        Summary       `json:"summary"`
	App            AppInfo       `json:"app"`
	OS             OSInfo        `json:"os"`
	Checks         []CheckEntry  `json:"checks"`
	AudioDevices   []AudioDevice `json:"audio_devices"`
	Config         []ConfigValue `json:"config"`
	ConfigWarnings []string      `json:"config_warnings"`
	Pools          []PoolStatus  `json:"pools"`
	LogErrors      []LogEntry    `json:"log_errors"`
	// Notes say which parts could not be collected, and why.
	Notes []string `json:"notes"`

	secrets []string
	home    string
}

// Summary is what IT reads first.
type Summary struct {
	// Verdict is the worst of the checks: pass, warn, fail or unknown.
	Verdict        string        `json:"verdict"`
	Checks         []SummaryLine `json:"checks"`
	ConfigWarnings []string      `json:"config_warnings"`
	Pools          []PoolLine    `json:"pools"`
}

// SummaryLine is one check's traffic light.
type SummaryLine struct {
	Check   string    `json:"check"`
	Name    string    `json:"name"`
	Verdict string    `json:"verdict"` // pass, warn, fail, unknown
	Code    string    `json:"code,omitempty"`
	Time    time.Time `json:"time,omitzero"`
	Age     string    `json:"age"`
	Message string    `json:"message"`
}

// PoolLine says per pool whether its password is in the keyring.
type PoolLine struct {
	Name      string `json:"name"`
	InKeyring bool   `json:"in_keyring"`
	Text      string `json:"text"`
}

// CheckEntry is one entry of the check history with its details for IT.
type CheckEntry struct {
	Kind    string          `json:"kind"`
	Time    time.Time       `json:"time"`
	Verdict string          `json:"verdict"`
	Code    string          `json:"code,omitempty"`
	Details json.RawMessage `json:"details,omitempty"`
}

// Build collects the report. Each part is bounded by ctx and PartTimeout;
// a part that fails becomes a note. Build fails only when ctx ends before
// it starts, or when the redaction cannot make the report safe.
func Build(ctx context.Context, src Sources) (*Report, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	now := time.Now
	if src.Now != nil {
		now = src.Now
	}
	tr := translations.New(src.Lang)
	r := &Report{Format: Format, FormatVersion: FormatVersion, CreatedAt: now(), Lang: tr.Lang,
		IPsRemoved: src.RedactIPs, secrets: src.Secrets, home: src.HomeDir}
	note := func(key string, err error) {
		d := ""
		if err != nil {
			d = err.Error()
		}
		r.Notes = append(r.Notes, tr.T(key, map[string]any{"Detail": d}))
	}

	r.App = collectApp(src.Version)
	if src.OS != nil {
		r.OS = *src.OS
	} else {
		r.OS = CollectOS()
	}

	if src.History == nil {
		note("report.note.no_history", nil)
	} else {
		all := src.History.All()
		for kind, e := range all {
			r.Checks = append(r.Checks, CheckEntry{Kind: kind, Time: e.Time, Verdict: e.Verdict, Code: e.Code, Details: e.Details})
		}
		sort.Slice(r.Checks, func(i, j int) bool { return kindOrder(r.Checks[i].Kind) < kindOrder(r.Checks[j].Kind) })
		if len(all) == 0 {
			note("report.note.no_checks", nil)
		}
	}

	if src.AudioDevices == nil {
		note("report.note.audio_unavailable", nil)
	} else {
		devs, err := part(ctx, func(ctx context.Context) ([]AudioDevice, error) { return src.AudioDevices(ctx) })
		if err != nil {
			note("report.note.audio_failed", err)
		}
		r.AudioDevices = devs
	}

	r.Config = append([]ConfigValue(nil), src.Config...)
	sort.SliceStable(r.Config, func(i, j int) bool { return r.Config[i].Key < r.Config[j].Key })
	r.ConfigWarnings = append([]string(nil), src.ConfigWarnings...)
	r.Pools = append([]PoolStatus(nil), src.Pools...)
	for i := range r.Pools {
		r.Pools[i].URL = baseURL(r.Pools[i].URL)
	}

	if src.LogErrors == nil {
		note("report.note.log_unavailable", nil)
	} else {
		logs, err := part(ctx, func(context.Context) ([]LogEntry, error) { return src.LogErrors() })
		if err != nil {
			note("report.note.log_failed", err)
		}
		sort.SliceStable(logs, func(i, j int) bool { return logs[i].Time.After(logs[j].Time) })
		r.LogErrors = logs
	}

	r.Summary = summarize(r, tr, now())
	r.emptyNotNull()
	if err := r.sanitize(src.RedactIPs); err != nil {
		return nil, err
	}
	return r, nil
}

// part runs f with its own deadline; a hung f is left behind (it holds no
// lock of ours) and reported as a timeout.
func part[T any](ctx context.Context, f func(context.Context) (T, error)) (T, error) {
	ctx, cancel := context.WithTimeout(ctx, PartTimeout)
	defer cancel()
	type res struct {
		v   T
		err error
	}
	ch := make(chan res, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				var zero T
				ch <- res{zero, fmt.Errorf("internal error: %v", p)}
			}
		}()
		v, err := f(ctx)
		ch <- res{v, err}
	}()
	select {
	case x := <-ch:
		return x.v, x.err
	case <-ctx.Done():
		var zero T
		return zero, ctx.Err()
	}
}

// kindOrder sorts the history: the whole pre-flight first.
func kindOrder(k string) string {
	switch k {
	case "all":
		return "0"
	case checkhistory.Audio:
		return "1"
	case checkhistory.Network:
		return "2"
	case checkhistory.Pool:
		return "3"
	}
	return "9" + k
}

// sanitize redacts every string of the report: through its JSON form, so
// that no field (details included) is forgotten.
func (r *Report) sanitize(ips bool) error {
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	clean := scrub(b, r.secrets, r.home, ips)
	var out Report
	if err := json.Unmarshal(clean, &out); err != nil {
		// The redaction broke the JSON (a masked value inside an odd
		// string): drop the raw check details, which are the only free
		// JSON, and try once more.
		for i := range r.Checks {
			r.Checks[i].Details = nil
		}
		r.Notes = append(r.Notes, translations.New(r.Lang).T("report.note.details_removed"))
		b, _ = json.Marshal(r)
		clean = scrub(b, r.secrets, r.home, ips)
		if err := json.Unmarshal(clean, &out); err != nil {
			return errors.New("diagnostics: the report could not be redacted safely")
		}
	}
	out.secrets, out.home = r.secrets, r.home
	*r = out
	return nil
}

// scrub is the redaction over a finished output (JSON text).
func scrub(b []byte, secrets []string, home string, ips bool) []byte {
	s := redact.Text(string(b), secrets...)
	if ips {
		s = redact.IPs(s)
	}
	return []byte(homeAsTilde(s, home))
}

// homeAsTilde shows the home directory as "~" in JSON text: followed by a
// separator (JSON-escaped "\\" on Windows) or ending a string, so that
// /home/ab never touches /home/abc.
func homeAsTilde(s, home string) string {
	home = strings.TrimRight(home, `/\`)
	if len(home) < 2 {
		return s
	}
	h, _ := json.Marshal(home)
	esc := string(h[1 : len(h)-1])
	for _, sep := range []string{"/", `\\`} {
		s = strings.ReplaceAll(s, esc+sep, "~"+sep)
	}
	return strings.ReplaceAll(s, `"`+esc+`"`, `"~"`)
}

// emptyNotNull makes empty lists [] in the JSON, never null: readers
// need not tell "none" from "missing".
func (r *Report) emptyNotNull() {
	if r.Checks == nil {
		r.Checks = []CheckEntry{}
	}
	if r.AudioDevices == nil {
		r.AudioDevices = []AudioDevice{}
	}
	if r.Config == nil {
		r.Config = []ConfigValue{}
	}
	if r.ConfigWarnings == nil {
		r.ConfigWarnings = []string{}
	}
	if r.Pools == nil {
		r.Pools = []PoolStatus{}
	}
	if r.LogErrors == nil {
		r.LogErrors = []LogEntry{}
	}
	if r.Notes == nil {
		r.Notes = []string{}
	}
	if r.Summary.Pools == nil {
		r.Summary.Pools = []PoolLine{}
	}
}
