// Package analysis is the device-free half of Tafel's audio check: it builds
// the probe (silence, two 0.8 s exponential sweeps), finds the probe in a
// microphone capture with band-limited GCC-PHAT, estimates the coupling
// (echo level relative to the probe, noise-compensated) and the delay,
// checks the microphone (digital zero, noise floor, clipping, DC offset,
// speech level and SNR) and classifies the result into stable codes.
//
// It has no cgo and no device code, so it builds with CGO_ENABLED=0 and
// runs the same on live captures and on WAV pairs (AnalyzeRecording).
package analysis
