package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/tafel-schule/tafel/audio"
	"github.com/tafel-schule/tafel/audio/analysis"
	"github.com/tafel-schule/tafel/audio/wav"
	"github.com/tafel-schule/tafel/checkhistory"
)

func init() { checkCommands["audio"] = runCheckAudio }

// runCheckAudio: `tafel check audio [--json] [--capture-device ID]
// [--playback-device ID]`, the live headset and echo check. Exit 0 pass,
// 1 warning, 2 failure, 3 usage.
func runCheckAudio(ctx context.Context, e env) int {
	fs := audioFlags(e, "tafel check audio")
	asJSON := fs.Bool("json", false, "print JSON")
	capID := fs.String("capture-device", "", "microphone ID (see `tafel audio devices`)")
	playID := fs.String("playback-device", "", "speaker/headphone ID")
	backend := fs.String("backend", "", "sound system: pulseaudio, alsa, null (default: the OS's)")
	save := fs.String("save", "", "directory to save probe.wav and capture.wav in, for `tafel audio analyze`")
	if code, ok := audioParseFlags(fs, e.args); !ok {
		return code
	}
	if !*asJSON {
		fmt.Fprintln(e.stderr, e.tr.T("audio.check.running"))
	}
	rep, err := liveAudioCheck(ctx, audio.Backend(*backend), audio.CheckOptions{CaptureID: *capID, PlaybackID: *playID})
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return exitFail
		}
		code := audio.ErrorCode(err)
		msg := e.tr.T("audio.error."+code, map[string]any{"Device": *capID + " " + *playID, "Error": err})
		details, _ := json.Marshal(map[string]any{"error_code": code})
		recordAudioHistory(checkhistory.Entry{Time: time.Now(), Verdict: "fail", Code: code, Details: details})
		if *asJSON {
			audioWriteJSON(e.stdout, map[string]any{"verdict": "ERROR", "severity": "fail", "error_code": code, "message": msg})
		} else {
			fmt.Fprintln(e.stderr, msg)
		}
		return exitFail
	}
	if *save != "" {
		if err := saveAudioPair(*save, rep.Capture); err != nil {
			fmt.Fprintln(e.stderr, e.tr.T("audio.check.save_failed", map[string]any{"Dir": *save, "Error": err}))
		} else if !*asJSON {
			fmt.Fprintln(e.stderr, e.tr.T("audio.check.saved", map[string]any{"Dir": *save}))
		}
	}
	msg, warns := audioVerdictTexts(e, rep.Report, rep.CaptureInternalRate)
	details, _ := json.Marshal(rep)
	recordAudioHistory(checkhistory.Entry{Time: time.Now(), Verdict: string(rep.Severity), Code: string(rep.Verdict), Details: details})
	if *asJSON {
		audioWriteJSON(e.stdout, audioJSON{any: rep, Message: msg, WarningMessages: warns})
		return audioExitFor(rep.Severity)
	}
	def := e.tr.T("audio.hint.default")
	name := func(d *audio.Device) string {
		if d == nil {
			return def
		}
		return d.Name
	}
	fmt.Fprintln(e.stdout, e.tr.T("audio.check.devices", map[string]any{"Capture": name(rep.CaptureDevice), "Playback": name(rep.PlaybackDevice)}))
	audioPrintReport(e, rep.Report, msg, warns, map[string]any{
		"Start": e.tr.Decimal(rep.DeviceStartMs, 0), "Check": e.tr.Decimal(rep.CheckMs, 0), "Rate": rep.CaptureInternalRate})
	return audioExitFor(rep.Severity)
}

func liveAudioCheck(ctx context.Context, b audio.Backend, opt audio.CheckOptions) (audio.CheckReport, error) {
	sys, err := audio.Open(b)
	if err != nil {
		return audio.CheckReport{}, err
	}
	defer sys.Close()
	return sys.Check(ctx, opt)
}

// saveAudioPair writes the probe and the capture as 32-bit float WAVs.
func saveAudioPair(dir string, capture []float32) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, f := range []struct {
		name string
		x    []float32
	}{{"probe.wav", analysis.StandardProbe(audio.Rate).Signal}, {"capture.wav", capture}} {
		var b bytes.Buffer
		if err := wav.Write(&b, f.x, audio.Rate, wav.Float32); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, f.name), b.Bytes(), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// recordAudioHistory remembers the outcome so starting a lesson can skip
// BBB's own echo test after a recent pass. A failure to write only means
// the check runs again next time.
func recordAudioHistory(en checkhistory.Entry) {
	if s, err := checkhistory.Open(); err == nil {
		_ = s.Record(checkhistory.Audio, en)
	}
}
