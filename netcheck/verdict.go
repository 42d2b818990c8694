package netcheck

// Thresholds turn measurements into verdicts (network-check.md §10: BBB's
// own connection-status values combined with Twilio's and Jitsi's). They
// still need checking in real classrooms.
type Thresholds struct {
	WarnRTTMs       float64 // client↔TURN round trip
	FailRTTMs       float64
	WarnJitterMs    float64
	WarnLossPct     float64 // audio-like probes
	FailLossPct     float64
	WarnBulkLossPct float64 // loss at the presenter-like rate (video)
	FailGoodputKbps float64
	WarnGoodputKbps float64 // below this at the presenter step: no screen sharing
	WarnMOS         float64
}

// DefaultThresholds are Tafel's decisions from network-check.md §10.
var DefaultThresholds = Thresholds{
	WarnRTTMs:       300,
	FailRTTMs:       1000,
	WarnJitterMs:    30,
	WarnLossPct:     2,
	FailLossPct:     20,
	WarnBulkLossPct: 5,
	FailGoodputKbps: 100,
	WarnGoodputKbps: 1500, // BBB's default screen-share bitrate
	WarnMOS:         3.6,
}

// transport preference when several work: what BBB's media would use.
func transportRank(t string) int {
	switch t {
	case TransportUDP:
		return 0
	case TransportTCP:
		return 1
	case TransportTLS:
		return 2
	}
	return 3
}

// judgeQuality sets Verdict, Category and Issues of a transport whose loop
// worked, from its measurements.
func judgeQuality(r *TransportResult, th Thresholds) {
	type issue struct {
		c Category
		v Verdict
	}
	var issues []issue
	add := func(c Category, v Verdict) { issues = append(issues, issue{c, v}) }
	presenter := -1.0
	presenterLoss := 0.0
	for _, s := range r.Steps {
		if s.Name == "presenter" {
			presenter, presenterLoss = s.AchievedKbps, s.UndeliveredPct
		}
	}
	switch {
	case r.LossPct >= th.FailLossPct:
		add(CatPacketLoss, Fail)
	case r.LossPct >= th.WarnLossPct || presenterLoss >= th.WarnBulkLossPct:
		add(CatPacketLoss, Warn)
	}
	switch {
	case r.RTTMs >= th.FailRTTMs:
		add(CatHighLatency, Fail)
	case r.RTTMs >= th.WarnRTTMs:
		add(CatHighLatency, Warn)
	}
	if presenter >= 0 {
		switch {
		case r.GoodputKbps < th.FailGoodputKbps:
			add(CatLowBandwidth, Fail)
		case r.GoodputKbps < th.WarnGoodputKbps:
			add(CatLowBandwidth, Warn)
		}
	}
	if r.JitterMs > th.WarnJitterMs {
		add(CatHighJitter, Warn)
	}
	if r.MOS < th.WarnMOS {
		add(CatPoorQuality, Warn)
	}
	r.Verdict, r.Category, r.Issues = Pass, CatOK, nil
	for _, is := range issues {
		r.Issues = append(r.Issues, is.c)
		if is.v.rank() > r.Verdict.rank() {
			r.Verdict, r.Category = is.v, is.c
		}
	}
}

// Decide computes the overall verdict and category from the transports (in
// any order) and the optional API result.
func Decide(ts []TransportResult, api *APIResult) (Verdict, Category) {
	v, c := decideTransports(ts)
	if api != nil && !api.OK && v != Fail {
		return Fail, CatAPIUnreachable
	}
	return v, c
}

func decideTransports(ts []TransportResult) (Verdict, Category) {
	if len(ts) == 0 {
		return Fail, CatNoTURNServers
	}
	var best *TransportResult
	anyRelay := false
	count := map[Category]int{}
	tested := map[string]bool{}
	usable := map[string]bool{}
	var udpCat Category
	for i := range ts {
		t := &ts[i]
		tested[t.Transport] = true
		count[t.Category]++
		anyRelay = anyRelay || t.Relay
		// A relay path that works but was too slow to finish the loop in
		// time (high latency, warn) is usable: BBB would still connect.
		ok := t.Relay && (t.Loop || t.Verdict != Fail)
		if t.Transport == TransportUDP && !ok && udpCat == "" {
			udpCat = t.Category
		}
		if ok {
			usable[t.Transport] = true
			if best == nil || transportRank(t.Transport) < transportRank(best.Transport) ||
				(transportRank(t.Transport) == transportRank(best.Transport) && t.Verdict.rank() < best.Verdict.rank()) {
				best = t
			}
		}
	}
	if best == nil {
		all := func(cs ...Category) bool {
			n := 0
			for _, c := range cs {
				n += count[c]
			}
			return n == len(ts)
		}
		switch {
		case count[CatCanceled] > 0:
			return Fail, CatCanceled
		case count[CatLoopBlocked] > 0:
			return Fail, CatLoopBlocked
		case anyRelay:
			// Relays came, but the loop did not finish in time: a slow
			// link, not the server's policy.
			for _, c := range []Category{CatHighLatency, CatTimeout} {
				for _, t := range ts {
					if t.Relay && t.Category == c {
						return Fail, c
					}
				}
			}
			return Fail, CatLoopBlocked
		case all(CatAuthFailed, CatAuthExpired):
			if count[CatAuthExpired] > 0 {
				return Fail, CatAuthExpired
			}
			return Fail, CatAuthFailed
		case count[CatTLSUntrusted] > 0:
			return Fail, CatTLSUntrusted
		case all(CatDNSFailed):
			return Fail, CatDNSFailed
		}
		return Fail, CatAllBlocked
	}
	reachV, reachC := Pass, CatOK
	if tested[TransportUDP] && !usable[TransportUDP] {
		reachV = Warn
		switch {
		case usable[TransportTCP] && (udpCat == CatUDPBlocked || udpCat == CatTimeout):
			reachC = CatUDPBlocked
		case usable[TransportTCP]:
			reachC = udpCat
		default:
			reachC = CatOnlyTLS
		}
	}
	switch {
	case best.Verdict == Fail:
		return Fail, best.Category
	case reachV == Warn:
		return Warn, reachC
	case best.Verdict == Warn:
		return Warn, best.Category
	}
	return Pass, CatOK
}
