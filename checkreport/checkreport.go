// Package checkreport holds the pre-flight's report types — traffic-light
// verdicts, one Result per check, the whole Report — shared by the runner
// (package preflight), the CLI and the GUI. It has no checks in it, so the
// GUI's package builds and tests without cgo (the audio check needs it).
package checkreport

import (
	"encoding/json"
	"time"
)

// Verdict is a traffic light.
type Verdict string

const (
	Pass Verdict = "pass"
	Warn Verdict = "warn"
	Fail Verdict = "fail"
	// Skipped: the check could not run here (no sound system, no pool set
	// up); it says why in Message and does not make the report fail.
	Skipped Verdict = "skipped"
)

// Names of the checks; also the JSON "check" values and the rows of the
// pre-flight window, in this order.
const (
	CheckHeadset    = "headset"    // echo and speaker/microphone coupling
	CheckMicrophone = "microphone" // the microphone picks up a signal
	CheckNetwork    = "network"    // WebRTC through the pool's TURN servers
	CheckPool       = "pool"       // the BBB API answers and accepts the secret
)

// Result is one check's outcome. Field names are stable (CLI --json, check
// history, the IT report).
type Result struct {
	Check   string  `json:"check"`
	Verdict Verdict `json:"verdict"`
	// Code is the machine code (audio "OK"/"ECHO"…, netcheck categories,
	// pool error codes).
	Code string `json:"code"`
	// Message is one plain sentence for the teacher; Fix says what to do
	// ("" when nothing is to be done). Both are translated.
	Message string `json:"message"`
	Fix     string `json:"fix,omitempty"`
	// Items are sub-results shown as their own lights (network: one per
	// transport).
	Items      []Item `json:"items,omitempty"`
	DurationMs int64  `json:"duration_ms"`
	// Details is the check's own report for IT (netcheck.Report,
	// audio.CheckReport …), without secrets.
	Details json.RawMessage `json:"details,omitempty"`
}

// Item is a sub-result, e.g. one TURN transport.
type Item struct {
	Name    string  `json:"name"` // e.g. "UDP 3478", "TLS 443"
	Verdict Verdict `json:"verdict"`
	Code    string  `json:"code"`
	Message string  `json:"message"`
}

// Report is the whole pre-flight.
type Report struct {
	Verdict    Verdict   `json:"verdict"`
	StartedAt  time.Time `json:"started_at"`
	DurationMs int64     `json:"duration_ms"`
	// DeviceStartMs is how long opening the sound devices took, reported
	// apart because it depends on the machine's audio stack, not on Tafel.
	DeviceStartMs int64    `json:"device_start_ms"`
	Results       []Result `json:"results"`
	// Canceled: the run was stopped before every check finished; the
	// unfinished ones are Skipped with code "canceled".
	Canceled bool `json:"canceled,omitempty"`
}
