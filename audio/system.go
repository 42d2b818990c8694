package audio

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"unicode"

	"github.com/gen2brain/malgo"
)

// Errors of the device side. Match them with errors.Is; ErrorCode gives the
// stable code the CLI and GUI translate (audio.error.<CODE>).
var (
	ErrNoSoundSystem  = errors.New("audio: no sound system available")
	ErrDeviceNotFound = errors.New("audio: device not found")
	ErrDevice         = errors.New("audio: the device could not be opened")
	ErrStalled        = errors.New("audio: the device stopped delivering sound")
)

// ErrorCode maps an error of this package to its stable code.
func ErrorCode(err error) string {
	switch {
	case errors.Is(err, ErrNoSoundSystem):
		return "NO_SOUND_SYSTEM"
	case errors.Is(err, ErrDeviceNotFound):
		return "DEVICE_NOT_FOUND"
	case errors.Is(err, ErrStalled):
		return "DEVICE_STALLED"
	case errors.Is(err, ErrDevice):
		return "DEVICE_FAILED"
	}
	return "AUDIO_FAILED"
}

// Backend selects the sound system. The zero value is the OS default order
// (Linux: PulseAudio/PipeWire, then ALSA; Windows: WASAPI; macOS: CoreAudio).
type Backend string

// Backends worth choosing explicitly.
const (
	BackendDefault    Backend = ""
	BackendPulseAudio Backend = "pulseaudio"
	BackendALSA       Backend = "alsa"
	// BackendNull is miniaudio's null device: real-time paced, captures
	// zeros. malgo.BackendNull (13) is really miniaudio's "custom" backend,
	// so the null backend is malgo.Backend(14) (audio-check.md §2.6).
	BackendNull Backend = "null"
)

func (b Backend) malgo() []malgo.Backend {
	switch b {
	case BackendPulseAudio:
		return []malgo.Backend{malgo.BackendPulseaudio}
	case BackendALSA:
		return []malgo.Backend{malgo.BackendAlsa}
	case BackendNull:
		return []malgo.Backend{malgo.Backend(14)}
	}
	return nil
}

// deviceMu serialises device init and uninit: concurrent ma_device_init on
// PulseAudio can abort (audio-check.md §2.6).
var deviceMu sync.Mutex

// System is an open connection to the sound system.
type System struct {
	ctx     *malgo.AllocatedContext
	backend Backend
	mu      sync.Mutex
	closed  bool
}

// Open connects to the sound system.
func Open(b Backend) (*System, error) {
	var cfg malgo.ContextConfig // no PulseAudio autospawn: never start daemons behind the user's back
	silenceALSA()
	deviceMu.Lock()
	ctx, err := malgo.InitContext(b.malgo(), cfg, nil)
	deviceMu.Unlock()
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNoSoundSystem, err)
	}
	return &System{ctx: ctx, backend: b}, nil
}

// Close releases the sound system connection.
func (s *System) Close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	s.closed = true
	deviceMu.Lock()
	_ = s.ctx.Uninit()
	s.ctx.Free()
	deviceMu.Unlock()
}

// Device is one capture or playback device.
type Device struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Kind    Kind   `json:"kind"`
	Default bool   `json:"default"`
	Hints
	raw malgo.DeviceID
}

// Devices lists capture and playback devices, re-read on every call (malgo
// gets no change notifications). Monitors of outputs are included but marked.
func (s *System) Devices() ([]Device, error) {
	var out []Device
	for _, k := range []struct {
		kind Kind
		mk   malgo.DeviceType
	}{{Capture, malgo.Capture}, {Playback, malgo.Playback}} {
		deviceMu.Lock()
		infos, err := s.ctx.Devices(k.mk)
		deviceMu.Unlock()
		if err != nil {
			return nil, fmt.Errorf("%w: list %s devices: %v", ErrDevice, k.kind, err)
		}
		for _, in := range infos {
			id := readableID(in.ID)
			if alsaPlugin(id) {
				continue
			}
			out = append(out, Device{
				ID: id, Name: in.Name(), Kind: k.kind, Default: in.IsDefault != 0,
				Hints: Classify(k.kind, in.Name(), id), raw: in.ID,
			})
		}
	}
	return out, nil
}

// alsaPluginPCMs are ALSA's software PCMs (resamplers, mixers, bridges to
// other sound systems). Without a sound server ALSA lists them as devices;
// none of them is a microphone or a speaker a teacher could pick.
var alsaPluginPCMs = map[string]bool{
	"null": true, "lavrate": true, "samplerate": true, "samplerate_best": true, "samplerate_linear": true,
	"samplerate_medium": true, "samplerate_order": true, "speexrate": true, "speexrate_best": true,
	"speexrate_medium": true, "jack": true, "oss": true, "speex": true, "upmix": true, "vdownmix": true,
	"a52": true, "usbstream": true,
}

func alsaPlugin(id string) bool { return alsaPluginPCMs[id] }

// readableID turns a malgo device ID into text: PulseAudio and ALSA IDs are
// C strings (sink/source or PCM names); others fall back to hex.
func readableID(id malgo.DeviceID) string {
	end := 0
	for end < len(id) && id[end] != 0 {
		end++
	}
	s := string(id[:end])
	if end > 0 && end < len(id) && strings.IndexFunc(s, func(r rune) bool { return r > unicode.MaxASCII || !unicode.IsPrint(r) }) < 0 {
		// Another backend's binary ID could start with printable bytes;
		// require the rest to be zero.
		rest := true
		for _, b := range id[end:] {
			rest = rest && b == 0
		}
		if rest {
			return s
		}
	}
	return id.String()
}

// find returns the device of kind with the given ID (or exact name), or
// nil for the default device when id is empty.
func (s *System) find(kind Kind, id string) (*Device, error) {
	devs, err := s.Devices()
	if err != nil {
		return nil, err
	}
	for i, d := range devs {
		if d.Kind == kind && ((id == "" && d.Default) || (id != "" && (d.ID == id || d.Name == id || d.raw.String() == id))) {
			return &devs[i], nil
		}
	}
	if id == "" {
		return nil, nil // no default flagged (e.g. JACK): let the OS pick
	}
	return nil, fmt.Errorf("%w: %s %q", ErrDeviceNotFound, kind, id)
}
