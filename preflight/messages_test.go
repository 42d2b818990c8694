package preflight

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/tafel-schule/tafel/audio"
	"github.com/tafel-schule/tafel/audio/analysis"
	"github.com/tafel-schule/tafel/bbbclient"
	"github.com/tafel-schule/tafel/config"
	"github.com/tafel-schule/tafel/netcheck"
	"github.com/tafel-schule/tafel/translations"
)

func table(t *testing.T, lang string) map[string]string {
	t.Helper()
	b, err := translations.FS.ReadFile(lang + ".json")
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// Every sentence the pre-flight can show exists in German and English, with
// what to do for everything that is not a pass; per-transport items and the
// CLI words too.
func TestPreflightMessagesTranslated(t *testing.T) {
	keys := MessageKeys()
	for _, c := range []string{"pass", "warn", "fail", "skipped"} {
		keys["preflight.word."+c] = false
	}
	for _, c := range order {
		keys["preflight.name."+c] = false
	}
	for _, c := range networkCodes {
		if c != codeBadConfig && c != string(netcheck.CatOnlyTLS) && c != string(netcheck.CatAllBlocked) &&
			c != string(netcheck.CatNoTURNServers) && c != string(netcheck.CatSourceFailed) && c != string(netcheck.CatAPIUnreachable) {
			keys[netcheck.TransportKeyFor(netcheck.Category(c))] = false
		}
	}
	for _, lang := range translations.Languages {
		tab := table(t, lang)
		for k, needFix := range keys {
			if strings.TrimSpace(tab[k]) == "" {
				t.Errorf("%s: missing %s", lang, k)
			}
			if needFix && strings.TrimSpace(tab[k+".fix"]) == "" {
				t.Errorf("%s: missing %s.fix", lang, k)
			}
		}
	}
}

// Every code a row can carry resolves to one of MessageKeys, and the
// texts never show a raw key or "<no value>".
func TestPreflightCodesHaveMessages(t *testing.T) {
	keys := MessageKeys()
	check := func(res Result) {
		t.Helper()
		k := messageKey(res.Check, res.Code)
		if _, ok := keys[k]; !ok {
			t.Errorf("%s/%s: key %s not in MessageKeys", res.Check, res.Code, k)
		}
		if res.Message == "" || strings.Contains(res.Message, "preflight.") || strings.Contains(res.Message+res.Fix, "<no value>") {
			t.Errorf("%s/%s: message %q fix %q", res.Check, res.Code, res.Message, res.Fix)
		}
		if res.Verdict != Pass && res.Verdict != Skipped && res.Fix == "" {
			t.Errorf("%s/%s: %s without a fix", res.Check, res.Code, res.Verdict)
		}
	}
	for _, lang := range translations.Languages {
		r := &Runner{Tr: translations.New(lang)}
		// Every audio verdict with every warning.
		for _, v := range []analysis.Code{analysis.OK, analysis.OKLeak, analysis.OKNoisy, analysis.Leak, analysis.Echo, analysis.Retry, analysis.MicDead} {
			for _, w := range append([]analysis.Code{""}, analysis.WarnLongLag, analysis.WarnNearSilent, analysis.WarnNoisy,
				analysis.WarnClipping, analysis.WarnDCOffset, analysis.WarnBluetooth, analysis.WarnLowRate, analysis.WarnMonitor, analysis.WarnSpeech) {
				rep := audio.CheckReport{Report: analysis.Report{Verdict: v}, CaptureInternalRate: 16000}
				if w != "" {
					rep.Warnings = []analysis.Code{w}
				}
				h, m := r.audioResults(rep)
				check(h)
				check(m)
				if w != "" && v != analysis.MicDead && h.Code != string(w) && m.Code != string(w) && analysis.SeverityOf(w) != analysis.Pass &&
					analysis.Worst(analysis.SeverityOf(v), analysis.SeverityOf(w)) != analysis.SeverityOf(v) {
					t.Errorf("%s+%s: warning lost (headset %s, mic %s)", v, w, h.Code, m.Code)
				}
			}
		}
		for _, err := range []error{audio.ErrNoSoundSystem, audio.ErrDeviceNotFound, audio.ErrDevice, audio.ErrStalled, errors.New("x"), context.DeadlineExceeded} {
			for _, res := range r.audioError(context.Background(), fmt.Errorf("wrapped: %w", err), time.Now()) {
				check(res)
			}
		}
		for _, c := range networkCodes {
			v := Warn
			if c == string(netcheck.CatOK) {
				v = Pass
			}
			check(r.result(CheckNetwork, v, c, nil))
		}
		for _, err := range []error{
			&bbbclient.TransportError{Call: "getMeetings", Err: errors.New("refused")},
			context.DeadlineExceeded,
			bbbclient.ErrChecksum,
			&bbbclient.APIError{Call: "isMeetingRunning", MessageKey: "internalError"},
			&bbbclient.MalformedResponseError{Call: "version", Reason: "html"},
			errors.New("other"),
		} {
			check(r.poolError("Schule", err, false))
		}
		for _, c := range []string{config.CodeSecretNotFound, config.CodeSecretInvalid, config.CodeKeyringUnavailable,
			config.CodeKeyringLocked, config.CodeKeyringTimeout, config.CodeInvalidPool, config.CodePoolNotFound, config.CodeAmbiguousPool} {
			res := r.poolOpenFailed(&config.Error{Code: c})
			if res.Code != c {
				t.Errorf("pool open error %s became %s", c, res.Code)
			}
			check(res)
		}
		for _, name := range order {
			check(r.skipped(name, codeCanceled, nil))
			check(r.skipped(name, codeNoPool, nil))
			check(r.failed(name, codeTimeout, nil))
		}
		check(r.skipped(CheckNetwork, codePoolUnavailable, nil))
	}
}

func TestOverall(t *testing.T) {
	for _, c := range []struct {
		in   []Verdict
		want Verdict
	}{
		{nil, Skipped},
		{[]Verdict{Skipped, Skipped}, Skipped},
		{[]Verdict{Skipped, Pass}, Pass},
		{[]Verdict{Pass, Warn, Skipped}, Warn},
		{[]Verdict{Warn, Fail, Pass}, Fail},
	} {
		var rs []Result
		for _, v := range c.in {
			rs = append(rs, Result{Verdict: v})
		}
		if got := Overall(rs); got != c.want {
			t.Errorf("%v: %s, want %s", c.in, got, c.want)
		}
	}
}

func TestTransportName(t *testing.T) {
	for url, want := range map[string]string{
		"turn:127.0.0.1:3478?transport=udp":    "UDP 3478",
		"turns:turn.example:443?transport=tcp": "TLS 443",
		"turn:[::1]:3479?transport=tcp":        "TCP 3479",
	} {
		tr := netcheck.TransportResult{URL: url, Transport: map[string]string{"UDP": "udp", "TLS": "tls", "TCP": "tcp"}[want[:3]]}
		if got := transportName(tr); got != want {
			t.Errorf("%s: %q, want %q", url, got, want)
		}
	}
}
