package audio

import "testing"

func TestClassifyNames(t *testing.T) {
	for _, c := range []struct {
		kind Kind
		name string
		id   string
		want Hints
	}{
		{Capture, "Monitor of ProbeSink", "probe.monitor", Hints{Monitor: true}},
		{Capture, "Stereo Mix (Realtek Audio)", "x", Hints{Monitor: true}},
		{Capture, "Headset (WH-1000XM4 Hands-Free AG Audio)", "{0.0.1}", Hints{Headset: true, Bluetooth: true, HandsFree: true}},
		{Playback, "Headphones (WH-1000XM4 Stereo)", "{0.0.0}", Hints{Headset: true}},
		{Playback, "Speakers (Realtek(R) Audio)", "{0.0.0}", Hints{Speaker: true}},
		{Playback, "Built-in Audio Analog Stereo", "alsa_output.pci-0000_00_1f.3.analog-stereo", Hints{}},
		{Playback, "JBL Flip 6", "bluez_sink.AA_BB.a2dp_sink", Hints{Bluetooth: true, Speaker: true}},
		{Playback, "AirPods Pro", "bluez_sink.CC.a2dp_sink", Hints{Headset: true, Bluetooth: true}},
		{Capture, "Jabra Evolve 40 Mono", "alsa_input.usb-GN_Netcom_A_S_Jabra_EVOLVE_40", Hints{Headset: true}},
		{Capture, "AirPods Pro", "bluez_source.CC.handsfree_head_unit", Hints{Headset: true, Bluetooth: true, HandsFree: true}},
		{Capture, "MacBook Pro Microphone", "BuiltInMicrophoneDevice", Hints{}},
		{Playback, "HDMI / DisplayPort 1 Output", "hdmi", Hints{Speaker: true}},
	} {
		if got := Classify(c.kind, c.name, c.id); got != c.want {
			t.Errorf("%s %q: %+v, want %+v", c.kind, c.name, got, c.want)
		}
	}
	if !BluetoothHandsFreeRate(16000) || BluetoothHandsFreeRate(48000) {
		t.Error("hands-free rates")
	}
}

func TestALSAPluginsAreNotDevices(t *testing.T) {
	for id, want := range map[string]bool{
		"null": true, "lavrate": true, "speexrate": true, "vdownmix": true, "jack": true,
		"default": false, "pulse": false, "pipewire": false, "hw:CARD=PCH,DEV=0": false,
		"alsa_input.usb-Logitech_Headset-00.mono-fallback": false, "probe.monitor": false,
	} {
		if got := alsaPlugin(id); got != want {
			t.Errorf("alsaPlugin(%q) = %v, want %v", id, got, want)
		}
	}
}
