// Package audio runs Tafel's headset and echo check: it enumerates devices,
// plays a probe through the speakers while recording the microphone (malgo),
// and analyses the recording in pure Go, also offline on WAV files.
//
// It has no Fyne import; the GUI gets live microphone levels through a
// callback or channel. The check itself arrives with the audio issue.
package audio
