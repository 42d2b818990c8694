// Package audio runs Tafel's headset and echo check: it enumerates devices,
// plays a probe through the speakers while recording the microphone (malgo,
// one duplex device so both sides share a clock), and analyses the recording
// in pure Go, also offline on WAV files.
//
// Layout:
//
//   - audio (this package, cgo via malgo): System (Open, Devices with
//     name heuristics, Check = the live pre-flight, PlayAndRecord, Record,
//     Play, HearYourself, Levels = the ~20 Hz microphone meter feed).
//   - audio/analysis (pure Go, no cgo): the probe, band-limited GCC-PHAT
//     detection, noise-compensated coupling, delay, microphone health,
//     speech level and the verdict codes (MIC_DEAD, ECHO, LEAK, OK_LEAK, OK,
//     OK_NOISY, RETRY, warnings such as LONG_LAG).
//   - audio/wav (pure Go): the WAV reader and writer for offline analysis.
//   - audio/synth (pure Go): the seeded synthetic echo corpus for tests and
//     bench/audio.
//
// The domain returns codes; the CLI and GUI translate them (translation keys
// audio.verdict.<CODE>, audio.warning.<CODE>, audio.error.<CODE>). Design
// and measurements: docs audio-check.md.
//
// Device rules learned the hard way (audio-check.md §2.6): device init and
// uninit are serialised; a duplex device can stall, so every run has a hard
// timeout; the Conservative profile (100 ms periods) survives CPU load; the
// null backend is malgo.Backend(14). Nothing here imports Fyne: the GUI gets
// levels from a channel and hops to its own thread.
package audio
