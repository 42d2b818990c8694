package analysis

// Code is a stable machine code for an audio verdict or warning. The domain
// returns codes; the CLI and GUI turn them into sentences (translation keys
// audio.verdict.<CODE> and audio.warning.<CODE>).
type Code string

// Verdicts of the echo check (audio-check.md §5).
const (
	MicDead Code = "MIC_DEAD" // exact digital zero: muted, no permission, wrong device
	Echo    Code = "ECHO"     // coupling ≥ −35 dB: students will hear echoes
	Leak    Code = "LEAK"     // −50 ≤ coupling < −35 dB: some sound leaks into the mic
	OKLeak  Code = "OK_LEAK"  // headset-class leakage below −50 dB
	OK      Code = "OK"       // no echo path found in a quiet room
	OKNoisy Code = "OK_NOISY" // no echo found, but the noise hides weak echoes
	Retry   Code = "RETRY"    // the two sweeps disagree: a glitch, or someone spoke
)

// Warnings that may accompany any verdict.
const (
	WarnLongLag    Code = "LONG_LAG"        // output much delayed (Bluetooth speaker?)
	WarnNearSilent Code = "NEAR_SILENT"     // floor below −80 dBFS but not zero
	WarnNoisy      Code = "NOISE_HIGH"      // noise floor above −40 dBFS
	WarnClipping   Code = "CLIPPING"        // mic input clips
	WarnDCOffset   Code = "DC_OFFSET"       // broken USB mic or codec
	WarnBluetooth  Code = "BLUETOOTH_HFP"   // capture at 8/16/24 kHz: Bluetooth hands-free
	WarnLowRate    Code = "LOW_RATE"        // capture below 44.1 kHz for another reason
	WarnMonitor    Code = "MONITOR_INPUT"   // the input is a loopback of an output, not a mic
	WarnSpeech     Code = "NEAR_END_SPEECH" // someone spoke (or it clattered) during the probe
)

// Severity is the traffic light: pass, warn or fail.
type Severity string

// Severities, ordered.
const (
	Pass Severity = "pass"
	Warn Severity = "warn"
	Fail Severity = "fail"
)

func (s Severity) rank() int {
	switch s {
	case Fail:
		return 2
	case Warn:
		return 1
	}
	return 0
}

// Worst returns the more severe of a and b.
func Worst(a, b Severity) Severity {
	if b.rank() > a.rank() {
		return b
	}
	return a
}

// SeverityOf maps a verdict or warning code to its traffic light.
func SeverityOf(c Code) Severity {
	switch c {
	case MicDead, Echo, WarnNoisy:
		return Fail
	case OK, OKLeak:
		return Pass
	}
	return Warn
}

// Thresholds of the classification (audio-check.md §5, §6). They are starting
// values to be validated on real school laptops.
const (
	EchoCouplingDB   = -35.0 // coupling at or above: ECHO
	LeakCouplingDB   = -50.0 // coupling at or above: LEAK, below: OK_LEAK
	QuietFloorDBFS   = -55.0 // not detected and floor above: OK_NOISY
	NoisyFloorDBFS   = -40.0 // floor above: NOISE_HIGH
	SilentFloorDBFS  = -80.0 // floor below (but not zero): NEAR_SILENT
	DCOffsetLimit    = 0.01  // |mean| above: DC_OFFSET
	ClipLevel        = 0.999 // |sample| at or above counts as clipped
	ClipFraction     = 0.001 // clipped fraction above: CLIPPING
	LongLagThreshold = 150   // ms of device lag (own buffering removed): LONG_LAG
	// DefaultThreshold is the PNR (dB) above which an echo counts as
	// detected. Calibrated on the seeded corpus (bench/audio) for ≤1 % false
	// positives with two 0.8 s sweeps and a 0…750 ms search window.
	DefaultThreshold = 15.5
)
