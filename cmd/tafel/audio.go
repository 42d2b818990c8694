package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"strings"
	"time"

	"github.com/tafel-schule/tafel/audio"
	"github.com/tafel-schule/tafel/audio/analysis"
	"github.com/tafel-schule/tafel/audio/wav"
)

func init() { commands["audio"] = runAudio }

// runAudio: `tafel audio devices|probe|analyze|hear`.
func runAudio(ctx context.Context, e env) int {
	if len(e.args) == 0 {
		fmt.Fprintln(e.stderr, e.tr.T("audio.usage"))
		return exitUsage
	}
	sub := e
	sub.args = e.args[1:]
	switch e.args[0] {
	case "devices":
		return runAudioDevices(sub)
	case "probe":
		return runAudioProbe(sub)
	case "analyze", "analyse":
		return runAudioAnalyze(sub)
	case "hear":
		return runAudioHear(ctx, sub)
	case "help", "-h", "--help":
		fmt.Fprintln(e.stdout, e.tr.T("audio.usage"))
		return exitOK
	}
	fmt.Fprintln(e.stderr, e.tr.T("audio.usage"))
	return exitUsage
}

func audioFlags(e env, name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	return fs
}

func audioParseFlags(fs *flag.FlagSet, args []string) (int, bool) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK, false
		}
		return exitUsage, false
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(fs.Output(), "unexpected argument %q\n", fs.Arg(0))
		return exitUsage, false
	}
	return 0, true
}

func audioWriteJSON(w io.Writer, v any) {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

// deviceError prints a translated device-side error and returns exit 2.
func audioDeviceError(e env, err error, device string) int {
	code := audio.ErrorCode(err)
	fmt.Fprintln(e.stderr, e.tr.T("audio.error."+code, map[string]any{"Device": device, "Error": err}))
	return exitFail
}

func runAudioDevices(e env) int {
	fs := audioFlags(e, "tafel audio devices")
	asJSON := fs.Bool("json", false, "print JSON")
	backend := fs.String("backend", "", "sound system: pulseaudio, alsa, null (default: the OS's)")
	if code, ok := audioParseFlags(fs, e.args); !ok {
		return code
	}
	sys, err := audio.Open(audio.Backend(*backend))
	if err != nil {
		return audioDeviceError(e, err, "")
	}
	defer sys.Close()
	devs, err := sys.Devices()
	if err != nil {
		return audioDeviceError(e, err, "")
	}
	if *asJSON {
		if devs == nil {
			devs = []audio.Device{}
		}
		audioWriteJSON(e.stdout, map[string]any{"devices": devs})
		return exitOK
	}
	for _, kind := range []audio.Kind{audio.Capture, audio.Playback} {
		fmt.Fprintln(e.stdout, e.tr.T("audio.devices."+string(kind)))
		n := 0
		for _, d := range devs {
			if d.Kind != kind {
				continue
			}
			n++
			var tags []string
			for _, t := range []struct {
				on  bool
				key string
			}{{d.Default, "default"}, {d.Headset, "headset"}, {d.Bluetooth, "bluetooth"}, {d.HandsFree, "hands_free"}, {d.Speaker, "speaker"}, {d.Monitor, "monitor"}} {
				if t.on {
					tags = append(tags, e.tr.T("audio.hint."+t.key))
				}
			}
			line := fmt.Sprintf("  %s  [%s]", d.Name, d.ID)
			if len(tags) > 0 {
				line += "  (" + strings.Join(tags, ", ") + ")"
			}
			fmt.Fprintln(e.stdout, line)
		}
		if n == 0 {
			fmt.Fprintln(e.stdout, "  "+e.tr.T("audio.devices.none"))
		}
	}
	return exitOK
}

func runAudioProbe(e env) int {
	fs := audioFlags(e, "tafel audio probe")
	out := fs.String("out", "", "WAV file to write the probe signal to")
	rate := fs.Int("rate", audio.Rate, "sample rate in Hz")
	bits := fs.Int("bits", 32, "32 (float) or 16 (integer PCM)")
	if code, ok := audioParseFlags(fs, e.args); !ok {
		return code
	}
	if *out == "" {
		fmt.Fprintln(e.stderr, e.tr.T("audio.probe.need_out"))
		return exitUsage
	}
	if *rate < wav.MinRate || *rate > wav.MaxRate || (*bits != 16 && *bits != 32) {
		fmt.Fprintln(e.stderr, e.tr.T("audio.probe.bad_format", map[string]any{"Min": wav.MinRate, "Max": wav.MaxRate}))
		return exitUsage
	}
	p := analysis.StandardProbe(*rate)
	format := wav.Float32
	if *bits == 16 {
		format = wav.PCM16
	}
	f, err := os.Create(*out)
	if err == nil {
		err = wav.Write(f, p.Signal, *rate, format)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		fmt.Fprintln(e.stderr, e.tr.T("audio.probe.write_failed", map[string]any{"File": *out, "Error": err}))
		return exitFail
	}
	fmt.Fprintln(e.stderr, e.tr.T("audio.probe.written", map[string]any{
		"File": *out, "Seconds": e.tr.Decimal(float64(len(p.Signal))/float64(*rate), 2), "Rate": *rate}))
	return exitOK
}

// readWAV reads a WAV file and turns its errors into translated sentences.
func audioReadWAV(e env, path string) (wav.Audio, bool) {
	f, err := os.Open(path)
	if err != nil {
		fmt.Fprintln(e.stderr, e.tr.T("audio.wav.unreadable", map[string]any{"File": path, "Error": err}))
		return wav.Audio{}, false
	}
	defer f.Close()
	a, err := wav.Read(f)
	if err == nil {
		return a, true
	}
	key := "audio.wav.not_wav"
	switch {
	case errors.Is(err, wav.ErrTruncated):
		key = "audio.wav.truncated"
	case errors.Is(err, wav.ErrUnsupported):
		key = "audio.wav.unsupported"
	case errors.Is(err, wav.ErrEmpty):
		key = "audio.wav.empty"
	case errors.Is(err, wav.ErrTooLong):
		key = "audio.wav.too_long"
	}
	fmt.Fprintln(e.stderr, e.tr.T(key, map[string]any{"File": path, "Detail": err, "Max": wav.MaxSeconds}))
	return wav.Audio{}, false
}

// audioJSON is the stable JSON of `tafel audio analyze` and `tafel check
// audio`: the report plus translated sentences.
type audioJSON struct {
	any
	Message         string   `json:"message"`
	WarningMessages []string `json:"warning_messages"`
}

func (a audioJSON) MarshalJSON() ([]byte, error) {
	b, err := json.Marshal(a.any)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	m["message"], m["warning_messages"] = a.Message, a.WarningMessages
	return json.Marshal(m)
}

func audioVerdictTexts(e env, r analysis.Report, captureRate int) (string, []string) {
	data := map[string]any{"Noise": e.tr.Decimal(r.NoiseFloorDBFS, 0), "Rate": captureRate}
	msg := e.tr.T("audio.verdict."+string(r.Verdict), data)
	warns := []string{}
	for _, w := range r.Warnings {
		warns = append(warns, e.tr.T("audio.warning."+string(w), data))
	}
	return msg, warns
}

func audioExitFor(s analysis.Severity) int {
	switch s {
	case analysis.Fail:
		return exitFail
	case analysis.Warn:
		return exitWarn
	}
	return exitOK
}

func audioPrintReport(e env, r analysis.Report, msg string, warns []string, extra map[string]any) {
	fmt.Fprintln(e.stdout, e.tr.T("audio.check.title", map[string]any{"Status": e.tr.T("audio.status." + string(r.Severity))}))
	fmt.Fprintln(e.stdout, "  "+msg)
	for _, w := range warns {
		fmt.Fprintln(e.stdout, "  "+w)
	}
	na := e.tr.T("audio.not_detected")
	coupling, delay := na, na
	if r.CouplingDB != nil {
		coupling = e.tr.Decimal(*r.CouplingDB, 1) + " dB"
	}
	if r.DelayMs != nil {
		delay = e.tr.Decimal(*r.DelayMs, 1) + " ms"
	}
	data := map[string]any{"PNR": e.tr.Decimal(r.PNRDB, 1), "Threshold": e.tr.Decimal(r.ThresholdDB, 1),
		"Coupling": coupling, "Delay": delay, "Noise": e.tr.Decimal(r.NoiseFloorDBFS, 1)}
	for k, v := range extra {
		data[k] = v
	}
	fmt.Fprintln(e.stdout, "  "+e.tr.T("audio.details", data))
	if _, ok := extra["Start"]; ok {
		fmt.Fprintln(e.stdout, "  "+e.tr.T("audio.timing", data))
	}
}

func runAudioAnalyze(e env) int {
	fs := audioFlags(e, "tafel audio analyze")
	refPath := fs.String("reference", "", "WAV file that was played (e.g. from `tafel audio probe`)")
	capPath := fs.String("capture", "", "WAV file the microphone recorded meanwhile")
	asJSON := fs.Bool("json", false, "print JSON")
	minLag := fs.Int("min-lag-ms", -250, "earliest lag to search (negative: the recording started late)")
	maxLag := fs.Int("max-lag-ms", int(analysis.DefaultMaxLag/time.Millisecond), "latest lag to search")
	if code, ok := audioParseFlags(fs, e.args); !ok {
		return code
	}
	if *refPath == "" || *capPath == "" {
		fmt.Fprintln(e.stderr, e.tr.T("audio.analyze.need_files"))
		return exitUsage
	}
	if *maxLag <= *minLag || *maxLag > 2000 || *minLag < -2000 {
		fmt.Fprintln(e.stderr, e.tr.T("audio.analyze.bad_lags"))
		return exitUsage
	}
	ref, ok := audioReadWAV(e, *refPath)
	if !ok {
		return exitUsage
	}
	capt, ok := audioReadWAV(e, *capPath)
	if !ok {
		return exitUsage
	}
	opt := analysis.OfflineOptions()
	opt.MinLag, opt.MaxLag = time.Duration(*minLag)*time.Millisecond, time.Duration(*maxLag)*time.Millisecond
	r, err := analysis.AnalyzeRecording(ref.Samples, ref.Rate, capt.Samples, capt.Rate, opt)
	if err != nil {
		audioAnalyzeError(e, err, *refPath, *capPath)
		return exitUsage
	}
	msg, warns := audioVerdictTexts(e, r, capt.Rate)
	if *asJSON {
		audioWriteJSON(e.stdout, audioJSON{any: r, Message: msg, WarningMessages: warns})
	} else {
		audioPrintReport(e, r, msg, warns, nil)
	}
	return audioExitFor(r.Severity)
}

// audioAnalyzeError explains why a file pair cannot be analysed. These are
// input errors (exit 3): the files, not the microphone, are at fault.
func audioAnalyzeError(e env, err error, refPath, capPath string) {
	var short *analysis.CaptureTooShortError
	var none *analysis.NoExcitationError
	switch {
	case errors.As(err, &short):
		fmt.Fprintln(e.stderr, e.tr.T("audio.analyze.capture_too_short", map[string]any{
			"File": capPath, "Have": e.tr.Decimal(short.HaveSeconds, 2), "Need": e.tr.Decimal(short.NeedSeconds, 2)}))
	case errors.As(err, &none):
		fmt.Fprintln(e.stderr, e.tr.T("audio.analyze.no_excitation", map[string]any{
			"File": refPath, "Low": e.tr.Decimal(none.BandHz[0], 0), "High": e.tr.Decimal(none.BandHz[1], 0)}))
	default:
		fmt.Fprintln(e.stderr, e.tr.T("audio.analyze.failed", map[string]any{"Error": err}))
	}
}

func runAudioHear(ctx context.Context, e env) int {
	fs := audioFlags(e, "tafel audio hear")
	secs := fs.Float64("seconds", 4, "how long to record")
	capID := fs.String("capture-device", "", "microphone ID (see `tafel audio devices`)")
	playID := fs.String("playback-device", "", "speaker/headphone ID")
	backend := fs.String("backend", "", "sound system: pulseaudio, alsa, null")
	if code, ok := audioParseFlags(fs, e.args); !ok {
		return code
	}
	if *secs <= 0 || *secs > 30 || math.IsNaN(*secs) {
		fmt.Fprintln(e.stderr, e.tr.T("audio.hear.bad_seconds"))
		return exitUsage
	}
	sys, err := audio.Open(audio.Backend(*backend))
	if err != nil {
		return audioDeviceError(e, err, "")
	}
	defer sys.Close()
	fmt.Fprintln(e.stderr, e.tr.T("audio.hear.recording", map[string]any{"Seconds": *secs}))
	rep, err := sys.HearYourself(ctx, audio.CheckOptions{CaptureID: *capID, PlaybackID: *playID}, time.Duration(*secs*float64(time.Second)))
	if err != nil {
		return audioDeviceError(e, err, *capID+*playID)
	}
	fmt.Fprintln(e.stdout, e.tr.T("audio.speech."+string(rep.Code), map[string]any{"Level": e.tr.Decimal(rep.LevelDBFS, 0)}))
	return audioExitFor(rep.Severity)
}
