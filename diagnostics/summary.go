package diagnostics

import (
	"encoding/json"
	"net/url"
	"strings"
	"time"

	"github.com/tafel-schule/tafel/translations"
)

// The pre-flight's checks, in the order of its window.
var preflightChecks = []string{"headset", "microphone", "network", "pool"}

// summarize makes the verdict lines: the four checks of the last whole
// pre-flight, and a single check run later on its own (`tafel check
// network`) in place of the older line.
func summarize(r *Report, tr translations.Translator, now time.Time) Summary {
	s := Summary{ConfigWarnings: append([]string{}, r.ConfigWarnings...)}
	lines := map[string]SummaryLine{}
	for _, c := range preflightChecks {
		lines[c] = SummaryLine{Check: c, Verdict: "unknown"}
	}
	byKind := map[string]CheckEntry{}
	for _, e := range r.Checks {
		byKind[e.Kind] = e
	}
	if all, ok := byKind["all"]; ok {
		var d struct {
			Results []struct{ Check, Verdict, Code string } `json:"results"`
		}
		_ = json.Unmarshal(all.Details, &d)
		for _, res := range d.Results {
			if _, known := lines[res.Check]; known {
				lines[res.Check] = SummaryLine{Check: res.Check, Verdict: res.Verdict, Code: res.Code, Time: all.Time}
			}
		}
	}
	// Single runs newer than the whole pre-flight.
	single := map[string][]string{"audio": {"headset", "microphone"}, "network": {"network"}, "pool": {"pool"}}
	for kind, checks := range single {
		e, ok := byKind[kind]
		if !ok {
			continue
		}
		for _, c := range checks {
			if l := lines[c]; e.Time.After(l.Time) && (kind != "audio" || l.Time.IsZero()) {
				// The audio entry does not say which of its two rows failed;
				// it stands in only when no whole pre-flight ran.
				lines[c] = SummaryLine{Check: c, Verdict: e.Verdict, Code: e.Code, Time: e.Time}
			}
		}
	}
	worst := ""
	for _, c := range preflightChecks {
		l := lines[c]
		l.Verdict = light(l.Verdict)
		l.Name = tr.T("preflight.name." + c)
		l.Message = sentence(tr, c, l.Verdict, l.Code, defaultPool(r.Pools))
		if !l.Time.IsZero() {
			l.Age = Age(tr, now, l.Time)
		} else {
			l.Age = tr.T("report.age.never")
		}
		s.Checks = append(s.Checks, l)
		if l.Verdict != "unknown" && rank(l.Verdict) > rank(worst) {
			worst = l.Verdict
		}
	}
	if worst == "" {
		worst = "unknown"
	}
	s.Verdict = worst
	for _, p := range r.Pools {
		key := "report.pool.in_keyring_no"
		switch {
		case p.InKeyring:
			key = "report.pool.in_keyring_yes"
		case p.KeyringProblem != "":
			// The keyring could not be asked: "no" would send IT after a
			// password that may well be stored.
			key = "report.pool.keyring_unknown"
		}
		s.Pools = append(s.Pools, PoolLine{Name: p.Name, InKeyring: p.InKeyring,
			Text: tr.T(key, map[string]any{"Name": p.Name, "Code": p.KeyringProblem})})
	}
	return s
}

// light maps a history verdict onto the report's four lights.
func light(v string) string {
	switch v {
	case "pass", "warn", "fail":
		return v
	}
	return "unknown" // skipped, never run, unreadable
}

func rank(v string) int {
	switch v {
	case "pass":
		return 1
	case "warn":
		return 2
	case "fail":
		return 3
	}
	return 0
}

// sentence is the pre-flight's own plain sentence for check and code
// (same keys as package preflight), or a generic one.
func sentence(tr translations.Translator, check, verdict, code, pool string) string {
	data := map[string]any{"Name": pool}
	if code != "" {
		var keys []string
		if check == "headset" || check == "microphone" {
			keys = append(keys, "preflight.audio."+code)
		}
		keys = append(keys, "preflight."+check+"."+code, "preflight."+code)
		for _, k := range keys {
			raw := tr.T(k)
			if raw == k {
				continue
			}
			// Measured values (noise level, rate, device) are not in the
			// history: such a sentence would have gaps.
			if strings.Contains(strings.ReplaceAll(raw, "{{.Name}}", ""), "{{") {
				break
			}
			return tr.T(k, data)
		}
	}
	return tr.T("report.verdict_sentence." + verdict)
}

// Age says how long ago t was, for people: "vor 3 Stunden".
func Age(tr translations.Translator, now, t time.Time) string {
	d := now.Sub(t)
	switch {
	case d < time.Minute:
		return tr.T("report.age.now")
	case d < time.Hour:
		return plural(tr, "minute", int(d/time.Minute))
	case d < 48*time.Hour:
		return plural(tr, "hour", int(d/time.Hour))
	}
	return plural(tr, "day", int(d/(24*time.Hour)))
}

func plural(tr translations.Translator, unit string, n int) string {
	if n == 1 {
		return tr.T("report.age." + unit)
	}
	return tr.T("report.age."+unit+"s", map[string]any{"N": n})
}

// baseURL keeps scheme://host/path of a pool URL.
func baseURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return ""
	}
	return u.Scheme + "://" + u.Host + u.Path
}

// defaultPool is the name the pre-flight's pool sentence refers to.
func defaultPool(ps []PoolStatus) string {
	for _, p := range ps {
		if p.Default {
			return p.Name
		}
	}
	if len(ps) > 0 {
		return ps[0].Name
	}
	return ""
}
