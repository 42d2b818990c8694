package preflight

import (
	"github.com/tafel-schule/tafel/netcheck"
)

// Codes the pre-flight itself adds (the others come from audio, netcheck
// and the pool).
const (
	codeNoPool          = "no_pool"          // no pool set up: network and pool are skipped
	codePoolUnavailable = "pool_unavailable" // the pool could not be opened: network skipped
	codeCanceled        = "canceled"         // the run was stopped before the check finished
	codeTimeout         = "timeout"          // the check did not finish before the deadline
	codeNoMic           = "NO_MIC"           // headset: not judged, the microphone is dead
	codeBadConfig       = "bad_config"       // network: the pool handed out unusable TURN URLs
)

// Translation keys: the teacher's sentence is "preflight.<check>.<code>"
// (device errors of both audio rows share "preflight.audio.<CODE>", and
// the codes above "preflight.<code>"); what to do is the same key plus
// ".fix", absent for passes. Per-transport items reuse netcheck's
// "net.transport.<category>".
var (
	headsetCodes = []string{"OK", "OK_LEAK", "OK_NOISY", "LEAK", "ECHO", "RETRY", "LONG_LAG", "NEAR_END_SPEECH"}
	micCodes     = []string{"OK", "MIC_DEAD", "NEAR_SILENT", "NOISE_HIGH", "CLIPPING", "DC_OFFSET", "BLUETOOTH_HFP", "LOW_RATE", "MONITOR_INPUT"}
	// audio.ErrorCode values.
	audioErrCodes = []string{"NO_SOUND_SYSTEM", "DEVICE_NOT_FOUND", "DEVICE_STALLED", "DEVICE_FAILED", "AUDIO_FAILED"}
	networkCodes  = []string{string(netcheck.CatOK), string(netcheck.CatUDPBlocked), string(netcheck.CatTCPBlocked),
		string(netcheck.CatRefused), string(netcheck.CatAuthFailed), string(netcheck.CatAuthExpired),
		string(netcheck.CatTLSUntrusted), string(netcheck.CatTLSFailed), string(netcheck.CatDNSFailed),
		string(netcheck.CatTimeout), string(netcheck.CatLoopBlocked), string(netcheck.CatHighLatency),
		string(netcheck.CatHighJitter), string(netcheck.CatPacketLoss), string(netcheck.CatLowBandwidth),
		string(netcheck.CatPoorQuality), string(netcheck.CatError), string(netcheck.CatOnlyTLS),
		string(netcheck.CatAllBlocked), string(netcheck.CatNoTURNServers), string(netcheck.CatSourceFailed),
		string(netcheck.CatAPIUnreachable), codeBadConfig}
	poolCodes = []string{"ok", "unreachable", "timeout", "checksum_rejected", "not_bbb", "api_error", "error",
		"secret_not_found", "secret_invalid", "keyring_unavailable", "keyring_locked", "keyring_timeout",
		"pool_invalid", "pool_not_found", "pool_ambiguous"}
	sharedCodes = []string{codeNoPool, codePoolUnavailable, codeCanceled, codeTimeout}
	// passCodes need no fix.
	passCodes = map[string]bool{"preflight.headset.OK": true, "preflight.headset.OK_LEAK": true,
		"preflight.microphone.OK": true, "preflight.network.ok": true, "preflight.pool.ok": true,
		"preflight.canceled": true}
)

// MessageKeys lists every translation key the pre-flight can show, with
// whether a ".fix" key must exist for it (tests check both languages).
func MessageKeys() map[string]bool {
	m := map[string]bool{}
	add := func(prefix string, codes []string) {
		for _, c := range codes {
			k := prefix + c
			m[k] = !passCodes[k]
		}
	}
	add("preflight.headset.", headsetCodes)
	add("preflight.headset.", []string{codeNoMic})
	add("preflight.microphone.", micCodes)
	add("preflight.audio.", audioErrCodes)
	add("preflight.network.", networkCodes)
	add("preflight.pool.", poolCodes)
	add("preflight.", sharedCodes)
	return m
}

// messageKey is the key of the sentence for check and code.
func messageKey(check, code string) string {
	for _, c := range sharedCodes {
		// Network and pool have their own "timeout" sentences.
		if c == code && (code != codeTimeout || check == CheckHeadset || check == CheckMicrophone) {
			return "preflight." + code
		}
	}
	if check == CheckHeadset || check == CheckMicrophone {
		for _, c := range audioErrCodes {
			if c == code {
				return "preflight.audio." + code
			}
		}
	}
	return "preflight." + check + "." + code
}

// texts returns the translated sentence and what to do ("" for a pass).
// data always carries every placeholder the texts use, so a missing value
// prints empty instead of "<no value>".
func (r *Runner) texts(check, code string, v Verdict, data map[string]any) (msg, fix string) {
	d := map[string]any{"Name": "", "Noise": "", "Rate": "", "Detail": "", "Device": ""}
	for k, val := range data {
		d[k] = val
	}
	key := messageKey(check, code)
	msg = r.Tr.T(key, d)
	if v != Pass {
		if f := r.Tr.T(key+".fix", d); f != key+".fix" {
			fix = f
		}
	}
	return msg, fix
}

func (r *Runner) result(check string, v Verdict, code string, data map[string]any) Result {
	msg, fix := r.texts(check, code, v, data)
	return Result{Check: check, Verdict: v, Code: code, Message: msg, Fix: fix}
}

func (r *Runner) skipped(check, code string, data map[string]any) Result {
	return r.result(check, Skipped, code, data)
}

func (r *Runner) failed(check, code string, data map[string]any) Result {
	return r.result(check, Fail, code, data)
}
