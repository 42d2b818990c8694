package main

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tafel-schule/tafel/audio/analysis"
	"github.com/tafel-schule/tafel/audio/wav"
	"github.com/tafel-schule/tafel/checkhistory"
	"github.com/tafel-schule/tafel/internal/testenv"
)

func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

func writeWAV(t *testing.T, path string, x []float32, rate int, f wav.Format) {
	t.Helper()
	var b bytes.Buffer
	if err := wav.Write(&b, x, rate, f); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestAudioProbeAndAnalyze(t *testing.T) {
	dir := t.TempDir()
	ref := filepath.Join(dir, "probe.wav")
	if code, _, errs := runCLI(t, "audio", "probe", "--out", ref, "--lang", "en"); code != exitOK || !strings.Contains(errs, "Test signal written") {
		t.Fatalf("probe: %d %s", code, errs)
	}
	f, err := os.Open(ref)
	if err != nil {
		t.Fatal(err)
	}
	probe, err := wav.Read(f)
	f.Close()
	if err != nil || probe.Rate != 48000 || len(probe.Samples) != len(analysis.StandardProbe(48000).Signal) {
		t.Fatalf("probe file: %v %d", err, len(probe.Samples))
	}
	// A laptop-like capture: echo at −26 dB after 62.5 ms plus noise,
	// recorded at 44.1 kHz as 16-bit.
	rng := rand.New(rand.NewPCG(1, 1))
	mk := func(gain float64) []float32 {
		c := make([]float32, len(probe.Samples)+48000/2)
		for i, v := range probe.Samples {
			c[i+3000] = float32(gain * float64(v))
		}
		for i := range c {
			c[i] += float32(0.001 * rng.NormFloat64())
		}
		return analysis.Resample(c, 48000, 44100)
	}
	echo, quiet := filepath.Join(dir, "echo.wav"), filepath.Join(dir, "quiet.wav")
	writeWAV(t, echo, mk(0.05), 44100, wav.PCM16)
	writeWAV(t, quiet, mk(0), 44100, wav.PCM16)

	code, out, errs := runCLI(t, "audio", "analyze", "--reference", ref, "--capture", echo, "--json", "--lang", "de")
	if code != exitFail {
		t.Fatalf("echo: exit %d, stderr %s", code, errs)
	}
	var r struct {
		Verdict        string   `json:"verdict"`
		EchoDetected   bool     `json:"echo_detected"`
		DelayMs        *float64 `json:"delay_ms"`
		CouplingDB     *float64 `json:"coupling_db"`
		PNRDB          float64  `json:"pnr_db"`
		NoiseFloorDBFS float64  `json:"noise_floor_dbfs"`
		Clipping       *bool    `json:"clipping"`
		Message        string   `json:"message"`
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("json: %v\n%s", err, out)
	}
	if r.Verdict != "ECHO" || !r.EchoDetected || r.DelayMs == nil || math.Abs(*r.DelayMs-62.5) > 0.2 ||
		r.CouplingDB == nil || math.Abs(*r.CouplingDB+26) > 1.5 || r.PNRDB < 30 || r.Clipping == nil || *r.Clipping ||
		!strings.Contains(r.Message, "Headset") {
		t.Fatalf("echo report: %s", out)
	}

	code, out, _ = runCLI(t, "audio", "analyze", "--reference", ref, "--capture", quiet, "--json")
	if code != exitOK || !strings.Contains(out, `"coupling_db": null`) || !strings.Contains(out, `"verdict": "OK"`) {
		t.Fatalf("quiet: exit %d\n%s", code, out)
	}
	// Text output for people.
	code, out, _ = runCLI(t, "audio", "analyze", "--reference", ref, "--capture", echo, "--lang", "en")
	if code != exitFail || !strings.Contains(out, "Audio check: failed") || !strings.Contains(out, "use a headset") {
		t.Fatalf("text: %d\n%s", code, out)
	}
}

func TestAudioAnalyzeBadInput(t *testing.T) {
	dir := t.TempDir()
	ref := filepath.Join(dir, "probe.wav")
	if code, _, _ := runCLI(t, "audio", "probe", "--out", ref, "--bits", "16"); code != exitOK {
		t.Fatal("probe")
	}
	good, _ := os.ReadFile(ref)
	huge := bytes.Clone(good)
	huge[40], huge[41], huge[42], huge[43] = 0xF0, 0xFF, 0xFF, 0x7F
	header := bytes.Clone(good[:44])
	header[40], header[41], header[42], header[43] = 0, 0, 0, 0 // a recorder that never wrote audio
	files := map[string][]byte{
		"empty.wav":     nil,
		"text.wav":      []byte("this is a text file, not audio"),
		"truncated.wav": good[:len(good)/2],
		"huge.wav":      huge,
		"header.wav":    header,
		"cutheader.wav": good[:44],
	}
	want := map[string]string{
		"empty.wav":     "is not a WAV file",
		"text.wav":      "is not a WAV file",
		"truncated.wav": "is incomplete",
		"huge.wav":      "too long",
		"header.wav":    "contains no audio",
		"cutheader.wav": "is incomplete",
		"missing.wav":   "Cannot open",
	}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for name, msg := range want {
		code, _, errs := runCLI(t, "audio", "analyze", "--reference", ref, "--capture", filepath.Join(dir, name), "--lang", "en")
		if code != exitUsage || !strings.Contains(errs, msg) || !strings.Contains(errs, name) {
			t.Errorf("%s: exit %d, stderr %q", name, code, errs)
		}
	}
	if code, _, errs := runCLI(t, "audio", "analyze", "--reference", ref, "--capture", filepath.Join(dir, "truncated.wav"), "--lang", "de"); code != exitUsage || !strings.Contains(errs, "unvollständig") {
		t.Errorf("German: %d %q", code, errs)
	}
	for _, args := range [][]string{
		{"audio"}, {"audio", "frobnicate"}, {"audio", "analyze"}, {"audio", "probe"},
		{"audio", "analyze", "--reference", ref, "--capture", ref, "--max-lag-ms", "-300"},
		{"check", "audio", "--nonsense"},
	} {
		if code, _, _ := runCLI(t, args...); code != exitUsage {
			t.Errorf("%v: exit %d, want usage", args, code)
		}
	}
}

func TestAudioDevicesAndCheckNullBackend(t *testing.T) {
	testenv.TempHome(t)
	code, out, errs := runCLI(t, "audio", "devices", "--backend", "null", "--json")
	if code != exitOK || !strings.Contains(out, `"kind": "capture"`) || !strings.Contains(out, `"kind": "playback"`) {
		t.Fatalf("devices: %d %s %s", code, out, errs)
	}
	if code, out, _ := runCLI(t, "audio", "devices", "--backend", "null", "--lang", "de"); code != exitOK || !strings.Contains(out, "Mikrofone:") {
		t.Fatalf("devices text: %d %s", code, out)
	}
	// The null device records zeros: MIC_DEAD, a failure, remembered.
	code, out, errs = runCLI(t, "check", "audio", "--backend", "null", "--json")
	if code != exitFail || !strings.Contains(out, `"verdict": "MIC_DEAD"`) || !strings.Contains(out, `"device_start_ms"`) {
		t.Fatalf("check: %d %s %s", code, out, errs)
	}
	s, err := checkhistory.Open()
	if err != nil {
		t.Fatal(err)
	}
	en, ok := s.Last(checkhistory.Audio)
	if !ok || en.Verdict != "fail" || en.Code != "MIC_DEAD" || !json.Valid(en.Details) {
		t.Fatalf("history: %+v", en)
	}
	code, _, errs = runCLI(t, "check", "audio", "--backend", "null", "--capture-device", "no-such-mic", "--lang", "en")
	if code != exitFail || !strings.Contains(errs, "does not exist") {
		t.Fatalf("unknown device: %d %s", code, errs)
	}
	if en, _ := s.Last(checkhistory.Audio); en.Code != "DEVICE_NOT_FOUND" {
		t.Fatalf("history after error: %+v", en)
	}
}

// The full live check through the CLI against a real PulseAudio daemon whose
// null-sink monitor hears the probe: ECHO, exit 2, recorded as a failure.
func TestCheckAudioPulseLoopback(t *testing.T) {
	if testing.Short() {
		t.Skip("PulseAudio loopback skipped in -short")
	}
	testenv.TempHome(t)
	pa := testenv.StartPulse(t)
	saved := t.TempDir()
	var code int
	var out, errs string
	for try := 1; try <= 3; try++ {
		code, out, errs = runCLI(t, "check", "audio", "--json", "--backend", "pulseaudio",
			"--capture-device", pa.Source, "--playback-device", pa.Sink, "--save", saved)
		if !strings.Contains(out, `"verdict": "RETRY"`) {
			break
		}
		// A loaded CI machine can make PulseAudio overrun twice in a row;
		// RETRY is the check's honest answer then, not a wrong one.
		t.Logf("attempt %d: RETRY under load, running the check again", try)
	}
	if code != exitFail || !strings.Contains(out, `"verdict": "ECHO"`) {
		t.Fatalf("check: %d\n%s\n%s", code, out, errs)
	}
	var r struct {
		CouplingDB float64 `json:"coupling_db"`
		CheckMs    float64 `json:"check_ms"`
		StartMs    float64 `json:"device_start_ms"`
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil || math.Abs(r.CouplingDB) > 2 {
		t.Fatalf("coupling: %v %s", err, out)
	}
	t.Logf("device start %.0f ms, check after first buffer %.0f ms", r.StartMs, r.CheckMs)
	// The saved pair gives the same verdict offline.
	code, out, _ = runCLI(t, "audio", "analyze", "--json", "--reference", filepath.Join(saved, "probe.wav"),
		"--capture", filepath.Join(saved, "capture.wav"))
	if code != exitFail || !strings.Contains(out, `"verdict": "ECHO"`) {
		t.Fatalf("offline re-analysis: %d\n%s", code, out)
	}
}

// TestAudioAnalyzeUnusablePairs: a capture shorter than the test signal used
// to pass ("No echo found", exit 0), a reference without sound in the band
// gave a false ECHO; both are input errors now (exit 3). A float capture far
// beyond full scale is read as clipped (it gave peak_dbfs 769.5).
func TestAudioAnalyzeUnusablePairs(t *testing.T) {
	dir := t.TempDir()
	ref := filepath.Join(dir, "probe.wav")
	if code, _, errs := runCLI(t, "audio", "probe", "--out", ref); code != exitOK {
		t.Fatalf("probe: %d %s", code, errs)
	}
	n := len(analysis.StandardProbe(48000).Signal)
	rng := rand.New(rand.NewPCG(3, 3))
	noise := func(k int) []float32 {
		x := make([]float32, k)
		for i := range x {
			x[i] = float32(0.001 * rng.NormFloat64())
		}
		return x
	}
	for name, x := range map[string][]float32{"one.wav": {1e-4}, "ten.wav": noise(10), "half.wav": noise(24000)} {
		p := filepath.Join(dir, name)
		writeWAV(t, p, x, 48000, wav.Float32)
		code, out, errs := runCLI(t, "audio", "analyze", "--reference", ref, "--capture", p, "--lang", "en")
		if code != exitUsage || out != "" || !strings.Contains(errs, "too short") || !strings.Contains(errs, "at least 2.05 s") || !strings.Contains(errs, name) {
			t.Errorf("%s: exit %d, stdout %q, stderr %q", name, code, out, errs)
		}
	}
	code, _, errs := runCLI(t, "audio", "analyze", "--reference", ref, "--capture", filepath.Join(dir, "half.wav"), "--lang", "de")
	if code != exitUsage || !strings.Contains(errs, "zu kurz (0,50 s)") || !strings.Contains(errs, "mindestens 2,05 s") {
		t.Errorf("German short capture: exit %d, stderr %q", code, errs)
	}

	// DC and 40 Hz hum as the "reference", against noise with a DC step.
	dc, hum := filepath.Join(dir, "dc.wav"), filepath.Join(dir, "hum.wav")
	dcx, humx := make([]float32, 96000), make([]float32, 96000)
	for i := range dcx {
		dcx[i] = 0.5
		humx[i] = float32(0.5 * math.Sin(2*math.Pi*40*float64(i)/48000))
	}
	writeWAV(t, dc, dcx, 48000, wav.Float32)
	writeWAV(t, hum, humx, 48000, wav.PCM16)
	stepx := noise(n + 48000)
	for i := 24000; i < len(stepx); i++ {
		stepx[i] += 0.1
	}
	step := filepath.Join(dir, "step.wav")
	writeWAV(t, step, stepx, 48000, wav.Float32)
	for _, r := range []string{dc, hum} {
		code, out, errs := runCLI(t, "audio", "analyze", "--reference", r, "--capture", step, "--json", "--lang", "en")
		if code != exitUsage || out != "" || !strings.Contains(errs, "hardly any sound between 150 Hz and 11000 Hz") {
			t.Errorf("%s: exit %d, stdout %q, stderr %q", filepath.Base(r), code, out, errs)
		}
	}
	if code, _, errs := runCLI(t, "audio", "analyze", "--reference", dc, "--capture", step, "--lang", "de"); code != exitUsage || !strings.Contains(errs, "kaum Ton zwischen 150 Hz und 11000 Hz") {
		t.Errorf("German no excitation: exit %d, stderr %q", code, errs)
	}

	// ±3e38 float samples: clipped at full scale and reported as such.
	loud := make([]float32, n+24000)
	for i := range loud {
		loud[i] = 3e38
		if rng.IntN(2) == 0 {
			loud[i] = -3e38
		}
	}
	lp := filepath.Join(dir, "loud.wav")
	writeWAV(t, lp, loud, 48000, wav.Float32)
	code, out, errs := runCLI(t, "audio", "analyze", "--reference", ref, "--capture", lp, "--json")
	var rep struct {
		Peak     float64  `json:"peak_dbfs"`
		Clipping bool     `json:"clipping"`
		Warnings []string `json:"warnings"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("exit %d: %v\n%s\n%s", code, err, out, errs)
	}
	if code != exitFail || rep.Peak != 0 || !rep.Clipping || !strings.Contains(strings.Join(rep.Warnings, " "), "CLIPPING") {
		t.Errorf("loud capture: exit %d, %+v", code, rep)
	}
}
