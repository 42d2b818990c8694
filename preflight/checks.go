package preflight

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"strings"
	"time"

	"github.com/tafel-schule/tafel/audio"
	"github.com/tafel-schule/tafel/audio/analysis"
	"github.com/tafel-schule/tafel/bbbclient"
	"github.com/tafel-schule/tafel/checkhistory"
	"github.com/tafel-schule/tafel/config"
	"github.com/tafel-schule/tafel/netcheck"
	"github.com/tafel-schule/tafel/rooms"
)

// Which audio warnings belong to which row: the headset row is about what
// the speakers do to the microphone, the microphone row about the input.
var (
	headsetWarnings = map[analysis.Code]bool{analysis.WarnLongLag: true, analysis.WarnSpeech: true}
	micWarnings     = []analysis.Code{analysis.WarnNoisy, analysis.WarnClipping, analysis.WarnDCOffset,
		analysis.WarnMonitor, analysis.WarnBluetooth, analysis.WarnNearSilent, analysis.WarnLowRate}
)

func verdictOf(s analysis.Severity) Verdict {
	switch s {
	case analysis.Pass:
		return Pass
	case analysis.Warn:
		return Warn
	}
	return Fail
}

// runAudio opens the sound system and runs the echo check once (no RETRY
// repeat: it would not fit the deadline; RETRY is a warning to repeat).
// actx carries the audio deadline, parent tells a cancel from a timeout.
// It returns the headset and microphone results and the device start time
// (connecting to the sound system plus the device's first buffer).
func (r *Runner) runAudio(actx, parent context.Context) ([]Result, time.Duration) {
	start := time.Now()
	sys, err := audio.Open(r.AudioBackend)
	openTime := time.Since(start)
	if err != nil {
		return r.audioError(parent, err, start), 0 // no device was started
	}
	defer sys.Close()
	limit := time.Second
	if dl, ok := actx.Deadline(); ok {
		limit = max(time.Until(dl), limit)
	}
	rep, err := sys.Check(actx, audio.CheckOptions{CaptureID: r.CaptureID, PlaybackID: r.PlaybackID, Attempts: 1, Timeout: limit})
	deviceStart := openTime + time.Duration(rep.DeviceStartMs*float64(time.Millisecond))
	if err != nil {
		return r.audioError(parent, err, start), deviceStart
	}
	details, _ := json.Marshal(rep)
	if parent.Err() == nil {
		r.record(checkhistory.Audio, checkhistory.Entry{Time: r.now(), Verdict: string(rep.Severity),
			Code: string(rep.Verdict), Details: details})
	}
	h, m := r.audioResults(rep)
	h.Details = details
	m.Details = micDetails(rep)
	d := time.Since(start).Milliseconds()
	h.DurationMs, m.DurationMs = d, d
	return []Result{h, m}, deviceStart
}

// audioResults splits the one audio report into the two rows.
func (r *Runner) audioResults(rep audio.CheckReport) (headset, mic Result) {
	data := map[string]any{"Noise": r.Tr.Decimal(rep.NoiseFloorDBFS, 0), "Rate": rep.CaptureInternalRate}
	if rep.CaptureDevice != nil {
		data["Device"] = rep.CaptureDevice.Name
	}
	if rep.Verdict == analysis.MicDead {
		return r.skipped(CheckHeadset, codeNoMic, data), r.failed(CheckMicrophone, string(analysis.MicDead), data)
	}
	hCode, hSev := rep.Verdict, analysis.SeverityOf(rep.Verdict)
	for _, w := range rep.Warnings {
		if headsetWarnings[w] && analysis.Worst(hSev, analysis.SeverityOf(w)) != hSev {
			hCode, hSev = w, analysis.SeverityOf(w)
		}
	}
	headset = r.result(CheckHeadset, verdictOf(hSev), string(hCode), data)
	mCode, mSev := analysis.OK, analysis.Pass
	for _, w := range micWarnings { // most severe first
		for _, got := range rep.Warnings {
			if got == w && analysis.Worst(mSev, analysis.SeverityOf(w)) != mSev {
				mCode, mSev = w, analysis.SeverityOf(w)
			}
		}
	}
	mic = r.result(CheckMicrophone, verdictOf(mSev), string(mCode), data)
	return headset, mic
}

// micDetails is the microphone row's part of the audio report.
func micDetails(rep audio.CheckReport) json.RawMessage {
	b, _ := json.Marshal(map[string]any{
		"capture_device": rep.CaptureDevice, "capture_internal_rate": rep.CaptureInternalRate,
		"noise_floor_dbfs": rep.NoiseFloorDBFS, "peak_dbfs": rep.PeakDBFS, "dc_offset": rep.DCOffset,
		"clipping": rep.Clipping, "clipped_ratio": rep.ClippedRatio, "all_zero": rep.AllZero,
		"warnings": rep.Warnings,
	})
	return b
}

// audioError turns a device error into both rows: no sound system is a
// skip (nothing to check here), everything else a failure.
func (r *Runner) audioError(parent context.Context, err error, start time.Time) []Result {
	d := time.Since(start).Milliseconds()
	var h, m Result
	switch {
	case parent.Err() != nil:
		h, m = r.skipped(CheckHeadset, codeCanceled, nil), r.skipped(CheckMicrophone, codeCanceled, nil)
	case errors.Is(err, context.DeadlineExceeded):
		h, m = r.failed(CheckHeadset, codeTimeout, nil), r.failed(CheckMicrophone, codeTimeout, nil)
	default:
		code := audio.ErrorCode(err)
		data := map[string]any{"Device": strings.TrimSpace(r.CaptureID + " " + r.PlaybackID)}
		v := Fail
		if code == "NO_SOUND_SYSTEM" {
			v = Skipped
		} else {
			details, _ := json.Marshal(map[string]any{"error_code": code})
			r.record(checkhistory.Audio, checkhistory.Entry{Time: r.now(), Verdict: "fail", Code: code, Details: details})
		}
		h, m = r.result(CheckHeadset, v, code, data), r.result(CheckMicrophone, v, code, data)
	}
	details, _ := json.Marshal(map[string]any{"error_code": h.Code})
	h.Details, m.Details = details, details
	h.DurationMs, m.DurationMs = d, d
	return []Result{h, m}
}

// runNetwork runs netcheck until the deadline.
func (r *Runner) runNetwork(dctx, parent context.Context, src netcheck.Source, deadline time.Time) Result {
	start := time.Now()
	timeout := time.Until(deadline)
	if timeout < time.Second { // netcheck needs a positive budget; dctx still bounds it
		timeout = time.Second
	}
	rep, err := netcheck.Run(dctx, src, netcheck.Options{Timeout: timeout, RootCAs: r.NetRootCAs})
	if rep == nil {
		// A configuration error (unusable TURN URL from the pool); its
		// text names the URL, never a credential.
		res := r.failed(CheckNetwork, codeBadConfig, nil)
		res.Details, _ = json.Marshal(map[string]string{"error": errText(err)})
		res.DurationMs = time.Since(start).Milliseconds()
		return res
	}
	rep.Message = r.Tr.T(rep.MessageKey)
	details, _ := json.Marshal(rep)
	var res Result
	switch {
	case parent.Err() != nil || rep.Category == netcheck.CatCanceled:
		res = r.skipped(CheckNetwork, codeCanceled, nil)
	default:
		code := string(rep.Category)
		if err != nil {
			code = codeBadConfig
		}
		res = r.result(CheckNetwork, Verdict(rep.Verdict), code, nil)
		r.record(checkhistory.Network, checkhistory.Entry{Time: r.now(), Verdict: string(rep.Verdict),
			Code: string(rep.Category), Details: details})
	}
	for _, t := range rep.Transports {
		res.Items = append(res.Items, Item{Name: transportName(t), Verdict: Verdict(t.Verdict), Code: string(t.Category),
			Message: r.Tr.T(netcheck.TransportKeyFor(t.Category))})
	}
	res.Details = details
	res.DurationMs = time.Since(start).Milliseconds()
	return res
}

// transportName is the label of a transport's light, e.g. "UDP 3478".
func transportName(t netcheck.TransportResult) string {
	name := strings.ToUpper(t.Transport)
	if u, err := url.Parse(strings.Replace(t.URL, ":", "://", 1)); err == nil && u.Port() != "" {
		name += " " + u.Port()
	}
	return name
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// runPool checks that the pool answers and accepts the secret.
func (r *Runner) runPool(dctx, parent context.Context, p rooms.Pool) Result {
	start := time.Now()
	err := p.Check(dctx)
	var res Result
	switch {
	case err == nil:
		res = r.result(CheckPool, Pass, "ok", map[string]any{"Name": p.Name()})
		res.Details, _ = json.Marshal(map[string]string{"pool": p.Name(), "code": "ok"})
	case parent.Err() != nil:
		res = r.skipped(CheckPool, codeCanceled, nil)
	default:
		res = r.poolError(p.Name(), err, dctx.Err() != nil)
	}
	if res.Verdict != Skipped {
		r.record(checkhistory.Pool, checkhistory.Entry{Time: r.now(), Verdict: string(res.Verdict), Code: res.Code, Details: res.Details})
	}
	res.DurationMs = time.Since(start).Milliseconds()
	return res
}

// poolError maps a failed pool call like the CLI's reportBBBError does.
func (r *Runner) poolError(name string, err error, deadlineHit bool) Result {
	data := map[string]any{"Name": name}
	code := poolErrorCode(err)
	if code == "unreachable" && deadlineHit {
		code = "timeout"
	}
	var ae *bbbclient.APIError
	if errors.As(err, &ae) {
		data["Detail"] = ae.MessageKey
	}
	res := r.failed(CheckPool, code, data)
	det := map[string]string{"pool": name, "code": code}
	if ae != nil {
		det["message_key"] = ae.MessageKey
	}
	res.Details, _ = json.Marshal(det)
	return res
}

// poolErrorCode is the stable code of a pool error (the CLI's
// bbbErrorCode, without the message key in the code).
func poolErrorCode(err error) string {
	var te *bbbclient.TransportError
	var ae *bbbclient.APIError
	var me *bbbclient.MalformedResponseError
	switch {
	case errors.Is(err, context.DeadlineExceeded) || errors.As(err, &te):
		return "unreachable"
	case errors.Is(err, bbbclient.ErrChecksum):
		return "checksum_rejected"
	case errors.As(err, &ae):
		return "api_error"
	case errors.As(err, &me):
		return "not_bbb"
	}
	switch c := config.Code(err); c {
	case config.CodeSecretNotFound, config.CodeSecretInvalid, config.CodeKeyringUnavailable, config.CodeKeyringLocked,
		config.CodeKeyringTimeout, config.CodeInvalidPool, config.CodePoolNotFound, config.CodeAmbiguousPool:
		return c
	}
	return "error"
}

// poolOpenFailed is the pool row when the pool could not even be opened
// (its secret is not in the keyring, the keyring is locked …).
func (r *Runner) poolOpenFailed(err error) Result {
	res := r.poolError(r.PoolName, err, false)
	r.record(checkhistory.Pool, checkhistory.Entry{Time: r.now(), Verdict: string(res.Verdict), Code: res.Code, Details: res.Details})
	return res
}

// noPool reports whether err only says that no pool is set up.
func noPool(err error) bool { return config.Code(err) == config.CodeNoPool }
