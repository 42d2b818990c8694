package netcheck

import "math"

// EstimateMOS estimates a mean opinion score (1–4.5) for a voice call from
// round-trip time, jitter (both ms) and loss (%), with Twilio's simplified
// E-model (twilio-video.js lib/preflight/mos.ts) and the ITU-T G.107 R→MOS
// mapping. Good enough for a traffic light; not a codec-exact G.107.
func EstimateMOS(rttMs, jitterMs, lossPct float64) float64 {
	const r0 = 94.768
	if rttMs < 0 || jitterMs < 0 || lossPct < 0 || math.IsNaN(rttMs+jitterMs+lossPct) {
		return 1
	}
	eff := rttMs + 2*jitterMs + 10 // "effective latency"
	var r float64
	switch {
	case eff < 160:
		r = r0 - eff/40
	case eff < 1000:
		r = r0 - (eff-120)/10
	}
	if lossPct <= r/2.5 {
		r = math.Max(r-2.5*lossPct, 6.52)
	} else {
		r = 0
	}
	mos := 1 + 0.035*r + 0.000007*r*(r-60)*(100-r)
	return math.Min(math.Max(mos, 1), 4.5)
}
