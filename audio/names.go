package audio

import "strings"

// Kind says whether a device records or plays.
type Kind string

// Device kinds.
const (
	Capture  Kind = "capture"
	Playback Kind = "playback"
)

// Hints are what a device's name and ID suggest. They explain a result
// ("you are on laptop speakers"); they never replace the measurement, since
// popular headphones carry no telling name and open headsets still leak.
type Hints struct {
	Headset   bool `json:"headset"`   // headset, headphones, earbuds…
	Bluetooth bool `json:"bluetooth"` // Bluetooth, incl. hands-free (HFP/HSP)
	HandsFree bool `json:"hands_free"`
	Speaker   bool `json:"speaker"` // built-in or external loudspeakers
	Monitor   bool `json:"monitor"` // a loopback of an output, not a microphone
}

var (
	headsetWords = []string{"headset", "headphone", "earphone", "earbud", "airpods", "hands-free", "handsfree",
		"jabra", "plantronics", "poly ", "evolve", "sennheiser", "epos", "buds", "in-ear", "hs-", "ag audio"}
	bluetoothWords = []string{"bluetooth", "bluez", "hands-free", "handsfree", "ag audio", "airpods", "a2dp", "hfp", "hsp", "headset_head_unit", "head-unit", "bt "}
	handsFreeWords = []string{"hands-free", "handsfree", "ag audio", "hfp", "hsp", "head_unit", "head-unit"}
	speakerWords   = []string{"speaker", "lautsprecher", "hdmi", "displayport", "soundbar", "soundlink", "boombox",
		"homepod", "sonos", "jbl flip", "jbl charge", "jbl clip", "jbl go", "jbl xtreme"}
	monitorWords = []string{"monitor of", "stereo mix", "what u hear", "loopback", "stereomix"}
)

// Classify derives hints from a device's name and ID (PulseAudio sink and
// source names such as bluez_sink.XX.handsfree_head_unit or
// alsa_output.pci-0000_00_1f.3.analog-stereo are telling too).
func Classify(kind Kind, name, id string) Hints {
	n := strings.ToLower(name + " | " + id)
	var h Hints
	h.Bluetooth = containsAny(n, bluetoothWords)
	h.HandsFree = containsAny(n, handsFreeWords)
	h.Headset = containsAny(n, headsetWords) || h.HandsFree
	h.Speaker = !h.Headset && containsAny(n, speakerWords)
	if kind == Capture {
		h.Monitor = strings.HasSuffix(strings.ToLower(id), ".monitor") || containsAny(n, monitorWords)
		h.Speaker = false
	}
	// A Bluetooth output is most likely headphones unless it says speaker.
	if kind == Playback && h.Bluetooth && !containsAny(n, speakerWords) {
		h.Headset = true
	}
	if h.Headset && containsAny(n, speakerWords) && strings.Contains(n, "speaker") && !containsAny(n, []string{"headset", "headphone"}) {
		h.Headset, h.Speaker = false, true
	}
	return h
}

func containsAny(s string, words []string) bool {
	for _, w := range words {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

// BluetoothHandsFreeRate reports whether an internal capture rate is one of
// Bluetooth hands-free's (8 kHz CVSD, 16 kHz mSBC, 24 kHz on newer AirPods).
func BluetoothHandsFreeRate(rate int) bool { return rate == 8000 || rate == 16000 || rate == 24000 }
