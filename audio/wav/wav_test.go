package wav

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"os"
	"path/filepath"
	"testing"
)

// encode writes a WAV file with any layout, for the reader's tests.
func encode(format uint16, channels, rate, bits int, frames [][]float64, extensible bool, extra []byte) []byte {
	var data bytes.Buffer
	for _, fr := range frames {
		for _, v := range fr {
			switch {
			case format == formatFloat && bits == 32:
				binary.Write(&data, binary.LittleEndian, float32(v))
			case format == formatFloat:
				binary.Write(&data, binary.LittleEndian, v)
			case bits == 8:
				data.WriteByte(byte(int(math.Round(v*127)) + 128))
			case bits == 16:
				binary.Write(&data, binary.LittleEndian, int16(math.Round(v*32767)))
			case bits == 24:
				x := int32(math.Round(v * 8388607))
				data.Write([]byte{byte(x), byte(x >> 8), byte(x >> 16)})
			default:
				binary.Write(&data, binary.LittleEndian, int32(math.Round(v*2147483647)))
			}
		}
	}
	var fmtc bytes.Buffer
	tag := format
	if extensible {
		tag = formatExtensible
	}
	binary.Write(&fmtc, binary.LittleEndian, tag)
	binary.Write(&fmtc, binary.LittleEndian, uint16(channels))
	binary.Write(&fmtc, binary.LittleEndian, uint32(rate))
	binary.Write(&fmtc, binary.LittleEndian, uint32(rate*channels*bits/8))
	binary.Write(&fmtc, binary.LittleEndian, uint16(channels*bits/8))
	binary.Write(&fmtc, binary.LittleEndian, uint16(bits))
	if extensible {
		binary.Write(&fmtc, binary.LittleEndian, uint16(22))
		binary.Write(&fmtc, binary.LittleEndian, uint16(bits))
		binary.Write(&fmtc, binary.LittleEndian, uint32(0))
		binary.Write(&fmtc, binary.LittleEndian, format)
		fmtc.Write([]byte{0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71})
	}
	var out bytes.Buffer
	body := 4 + 8 + fmtc.Len() + len(extra) + 8 + data.Len()
	out.WriteString("RIFF")
	binary.Write(&out, binary.LittleEndian, uint32(body))
	out.WriteString("WAVE")
	out.WriteString("fmt ")
	binary.Write(&out, binary.LittleEndian, uint32(fmtc.Len()))
	out.Write(fmtc.Bytes())
	out.Write(extra)
	out.WriteString("data")
	binary.Write(&out, binary.LittleEndian, uint32(data.Len()))
	out.Write(data.Bytes())
	return out.Bytes()
}

func TestReadFormats(t *testing.T) {
	frames := [][]float64{{0.5, -0.5}, {0.25, 0.25}, {-1, -1}, {0, 0.5}}
	list := []byte("LIST\x05\x00\x00\x00abcde\x00") // odd-sized chunk plus pad byte
	for _, c := range []struct {
		name       string
		format     uint16
		bits       int
		extensible bool
		tol        float64
	}{
		{"pcm8", formatPCM, 8, false, 0.01},
		{"pcm16", formatPCM, 16, false, 1e-4},
		{"pcm24", formatPCM, 24, true, 1e-6},
		{"pcm32", formatPCM, 32, false, 1e-8},
		{"float32", formatFloat, 32, false, 1e-7},
		{"float64_extensible", formatFloat, 64, true, 1e-12},
	} {
		t.Run(c.name, func(t *testing.T) {
			b := encode(c.format, 2, 44100, c.bits, frames, c.extensible, list)
			a, err := Read(bytes.NewReader(b))
			if err != nil {
				t.Fatal(err)
			}
			if a.Rate != 44100 || a.Channels != 2 || len(a.Samples) != 4 {
				t.Fatalf("got %+v", a)
			}
			for i, fr := range frames {
				want := (fr[0] + fr[1]) / 2
				if math.Abs(float64(a.Samples[i])-want) > c.tol {
					t.Errorf("frame %d: %v, want %v", i, a.Samples[i], want)
				}
			}
		})
	}
}

// TestFloatBeyondFullScaleClamped: finite float samples beyond ±1 used to
// pass through (±3e38 gave peak_dbfs 769.5); full scale is ±1, so they are
// clipped there, and NaN becomes silence.
func TestFloatBeyondFullScaleClamped(t *testing.T) {
	frames := [][]float64{{3e38}, {-3e38}, {2.5}, {-1.0000001}, {0.75}, {math.NaN()}, {math.Inf(-1)}}
	want := []float32{1, -1, 1, -1, 0.75, 0, -1}
	for _, bits := range []int{32, 64} {
		a, err := Read(bytes.NewReader(encode(formatFloat, 1, 48000, bits, frames, false, nil)))
		if err != nil {
			t.Fatal(err)
		}
		for i, v := range a.Samples {
			if v != want[i] {
				t.Errorf("float%d frame %d: %v, want %v", bits, i, v, want[i])
			}
		}
	}
	// float64 beyond float32's range, and a stereo mix-down of clipped channels.
	a, err := Read(bytes.NewReader(encode(formatFloat, 2, 48000, 64, [][]float64{{1e300, 1e300}, {-1e300, 0.5}}, true, nil)))
	if err != nil {
		t.Fatal(err)
	}
	if a.Samples[0] != 1 || a.Samples[1] != -0.25 {
		t.Errorf("stereo float64: %v", a.Samples)
	}
}

func TestWriteRoundTrip(t *testing.T) {
	x := []float32{0, 0.5, -0.5, 0.999, -1}
	for _, f := range []Format{Float32, PCM16} {
		var b bytes.Buffer
		if err := Write(&b, x, 48000, f); err != nil {
			t.Fatal(err)
		}
		a, err := Read(&b)
		if err != nil {
			t.Fatal(err)
		}
		for i := range x {
			if math.Abs(float64(a.Samples[i]-x[i])) > 1e-4 {
				t.Errorf("format %d sample %d: %v vs %v", f, i, a.Samples[i], x[i])
			}
		}
	}
}

func TestReadErrors(t *testing.T) {
	good := encode(formatPCM, 1, 48000, 16, [][]float64{{0.1}, {0.2}, {0.3}}, false, nil)
	huge := encode(formatPCM, 1, 48000, 16, [][]float64{{0.1}}, false, nil)
	binary.LittleEndian.PutUint32(huge[40:], 0x7FFFFFFF) // claims ~6 hours
	badRate := encode(formatPCM, 1, 4000, 16, [][]float64{{0.1}}, false, nil)
	mulaw := encode(7, 1, 8000, 8, [][]float64{{0.1}}, false, nil)
	surround := encode(formatPCM, 6, 48000, 16, [][]float64{{0, 0, 0, 0, 0, 0}}, false, nil)
	empty := encode(formatPCM, 1, 48000, 16, nil, false, nil)
	for _, c := range []struct {
		name string
		b    []byte
		want error
	}{
		{"empty_file", nil, ErrNotWAV},
		{"text", []byte("hello, this is not audio at all"), ErrNotWAV},
		{"truncated_header", good[:20], ErrTruncated},
		{"truncated_data", good[:len(good)-3], ErrTruncated},
		{"no_data_chunk", good[:36], ErrTruncated},
		{"huge", huge, ErrTooLong},
		{"rate", badRate, ErrUnsupported},
		{"mulaw", mulaw, ErrUnsupported},
		{"six_channels", surround, ErrUnsupported},
		{"no_frames", empty, ErrEmpty},
		{"rf64", append([]byte("RF64\xff\xff\xff\xffWAVE"), good[12:]...), ErrUnsupported},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Read(bytes.NewReader(c.b))
			if !errors.Is(err, c.want) {
				t.Fatalf("error %v, want %v", err, c.want)
			}
		})
	}
}

// A recorder that never finished its header leaves data size 0 or
// 0xFFFFFFFF: read until the end of the file.
func TestStreamingHeader(t *testing.T) {
	b := encode(formatPCM, 1, 48000, 16, [][]float64{{0.1}, {0.2}}, false, nil)
	binary.LittleEndian.PutUint32(b[40:], 0xFFFFFFFF)
	a, err := Read(bytes.NewReader(b))
	if err != nil || len(a.Samples) != 2 {
		t.Fatalf("%v %+v", err, a)
	}
}

func FuzzRead(f *testing.F) {
	f.Add(encode(formatPCM, 1, 48000, 16, [][]float64{{0.1}, {0.2}}, false, nil))
	f.Add(encode(formatFloat, 2, 44100, 32, [][]float64{{0.1, 0.3}}, true, []byte("LIST\x01\x00\x00\x00x\x00")))
	f.Add([]byte("RIFF\x00\x00\x00\x00WAVE"))
	f.Fuzz(func(t *testing.T, b []byte) {
		a, err := Read(bytes.NewReader(b))
		if err != nil {
			if a.Samples != nil {
				t.Fatal("samples with an error")
			}
			return
		}
		if len(a.Samples) == 0 || a.Rate < MinRate || a.Rate > MaxRate {
			t.Fatalf("accepted %+v", a)
		}
		for i, v := range a.Samples {
			if !(v >= -1 && v <= 1) {
				t.Fatalf("sample %d = %v outside [-1, 1]", i, v)
			}
		}
	})
}

// TestSeedCorpusPresent keeps the committed fuzz seeds from disappearing.
func TestSeedCorpusPresent(t *testing.T) {
	m, _ := filepath.Glob(filepath.Join("testdata", "fuzz", "FuzzRead", "*"))
	if len(m) < 3 {
		t.Fatalf("want committed seeds in testdata/fuzz/FuzzRead, have %d", len(m))
	}
	if _, err := os.Stat(m[0]); err != nil {
		t.Fatal(err)
	}
}
