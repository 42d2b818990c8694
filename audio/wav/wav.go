// Package wav reads and writes the PCM WAV files of Tafel's offline audio
// analysis: mono or stereo, 8/16/24/32-bit integer or 32/64-bit float, any
// common rate, plain or WAVE_FORMAT_EXTENSIBLE. Input comes from outside
// (recordings from classroom machines), so every malformed file gets a
// typed error and never a panic or an unbounded allocation.
package wav

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
)

// Errors, to be matched with errors.Is. Each comes wrapped with details.
var (
	ErrNotWAV      = errors.New("not a WAV file")
	ErrTruncated   = errors.New("WAV file is truncated")
	ErrUnsupported = errors.New("unsupported WAV format")
	ErrEmpty       = errors.New("WAV file contains no audio")
	ErrTooLong     = errors.New("WAV file is too long")
)

// Limits keep a hostile or mistaken input from exhausting memory.
const (
	MaxSeconds  = 60
	MaxChannels = 2
	MinRate     = 8000
	MaxRate     = 192000
)

// Audio is decoded audio: samples in [−1, 1], mixed down to mono.
type Audio struct {
	Samples  []float32
	Rate     int
	Channels int // in the file, before the mix-down
	Bits     int
	Float    bool
}

// Duration returns the length in seconds.
func (a Audio) Duration() float64 { return float64(len(a.Samples)) / float64(a.Rate) }

const (
	formatPCM        = 1
	formatFloat      = 3
	formatExtensible = 0xFFFE
)

// Read decodes a WAV file from r. Stereo (or more channels) is averaged to
// mono: for a microphone the channels carry the same signal.
func Read(r io.Reader) (Audio, error) {
	var hdr [12]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		if errors.Is(err, io.EOF) {
			return Audio{}, fmt.Errorf("%w: the file is empty", ErrNotWAV)
		}
		return Audio{}, fmt.Errorf("%w: %d-byte header incomplete", ErrNotWAV, 12)
	}
	if string(hdr[0:4]) != "RIFF" || string(hdr[8:12]) != "WAVE" {
		if string(hdr[0:4]) == "RF64" {
			return Audio{}, fmt.Errorf("%w: RF64 files are not supported", ErrUnsupported)
		}
		return Audio{}, fmt.Errorf("%w: no RIFF/WAVE header", ErrNotWAV)
	}
	var (
		a        Audio
		haveFmt  bool
		format   uint16
		blockLen int
	)
	for {
		var ch [8]byte
		if _, err := io.ReadFull(r, ch[:]); err != nil {
			if !haveFmt {
				return Audio{}, fmt.Errorf("%w: no fmt chunk", ErrTruncated)
			}
			return Audio{}, fmt.Errorf("%w: no data chunk", ErrTruncated)
		}
		id := string(ch[0:4])
		size := int64(binary.LittleEndian.Uint32(ch[4:8]))
		switch id {
		case "fmt ":
			if size < 16 || size > 1024 {
				return Audio{}, fmt.Errorf("%w: fmt chunk of %d bytes", ErrNotWAV, size)
			}
			b := make([]byte, size+size&1)
			if _, err := io.ReadFull(r, b); err != nil {
				return Audio{}, fmt.Errorf("%w: in the fmt chunk", ErrTruncated)
			}
			format = binary.LittleEndian.Uint16(b[0:2])
			a.Channels = int(binary.LittleEndian.Uint16(b[2:4]))
			rate := binary.LittleEndian.Uint32(b[4:8])
			blockLen = int(binary.LittleEndian.Uint16(b[12:14]))
			a.Bits = int(binary.LittleEndian.Uint16(b[14:16]))
			if format == formatExtensible {
				if size < 40 {
					return Audio{}, fmt.Errorf("%w: short WAVE_FORMAT_EXTENSIBLE header", ErrNotWAV)
				}
				// The sub-format GUID starts with the plain format tag.
				format = binary.LittleEndian.Uint16(b[24:26])
				if !bytes.Equal(b[26:40], []byte{0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71}) {
					return Audio{}, fmt.Errorf("%w: unknown sub-format", ErrUnsupported)
				}
			}
			switch {
			case format == formatPCM && (a.Bits == 8 || a.Bits == 16 || a.Bits == 24 || a.Bits == 32):
			case format == formatFloat && (a.Bits == 32 || a.Bits == 64):
				a.Float = true
			default:
				return Audio{}, fmt.Errorf("%w: format %d with %d bits (use 16/24/32-bit PCM or 32-bit float)", ErrUnsupported, format, a.Bits)
			}
			if a.Channels < 1 || a.Channels > MaxChannels {
				return Audio{}, fmt.Errorf("%w: %d channels", ErrUnsupported, a.Channels)
			}
			if rate < MinRate || rate > MaxRate {
				return Audio{}, fmt.Errorf("%w: sample rate %d Hz (supported %d–%d Hz)", ErrUnsupported, rate, MinRate, MaxRate)
			}
			a.Rate = int(rate)
			if want := a.Channels * a.Bits / 8; blockLen != want {
				return Audio{}, fmt.Errorf("%w: block size %d, expected %d", ErrNotWAV, blockLen, want)
			}
			haveFmt = true
		case "data":
			if !haveFmt {
				return Audio{}, fmt.Errorf("%w: data before fmt chunk", ErrNotWAV)
			}
			return readData(r, a, size, blockLen)
		default:
			// Skip LIST, fact, cue… chunks (word-aligned).
			if _, err := io.CopyN(io.Discard, r, size+size&1); err != nil {
				return Audio{}, fmt.Errorf("%w: in chunk %q", ErrTruncated, id)
			}
		}
	}
}

func readData(r io.Reader, a Audio, size int64, blockLen int) (Audio, error) {
	maxBytes := int64(MaxSeconds) * int64(a.Rate) * int64(blockLen)
	streaming := size == 0xFFFFFFFF || size == 0 // written by a recorder that never finished the header
	if !streaming && size > maxBytes {
		return Audio{}, fmt.Errorf("%w: %.0f s (at most %d s)", ErrTooLong, float64(size)/float64(a.Rate*blockLen), MaxSeconds)
	}
	limit := size
	if streaming {
		limit = maxBytes + 1
	}
	// Decode in chunks, so memory follows the bytes really present, not the
	// size the header claims.
	src := io.LimitReader(r, limit)
	chunk := make([]byte, 64*1024/blockLen*blockLen+blockLen)
	bps := a.Bits / 8
	inv := 1 / float64(a.Channels)
	var n int64
	fill := 0
	for {
		m, err := src.Read(chunk[fill:])
		fill += m
		n += int64(m)
		whole := fill / blockLen * blockLen
		for off := 0; off < whole; off += blockLen {
			var sum float64
			for c := range a.Channels {
				sum += sample(chunk[off+c*bps:], a.Bits, a.Float)
			}
			a.Samples = append(a.Samples, float32(sum*inv))
		}
		fill = copy(chunk, chunk[whole:fill])
		if err == io.EOF {
			break
		}
		if err != nil {
			return Audio{}, fmt.Errorf("%w: %v", ErrTruncated, err)
		}
	}
	switch {
	case streaming && n > maxBytes:
		return Audio{}, fmt.Errorf("%w: more than %d s", ErrTooLong, MaxSeconds)
	case !streaming && n < size:
		return Audio{}, fmt.Errorf("%w: %d of %d audio bytes present", ErrTruncated, n, size)
	case len(a.Samples) == 0:
		return Audio{}, ErrEmpty
	}
	return a, nil
}

func sample(b []byte, bits int, float bool) float64 {
	switch {
	case float && bits == 32:
		return clampFloat(float64(math.Float32frombits(binary.LittleEndian.Uint32(b))))
	case float:
		return clampFloat(math.Float64frombits(binary.LittleEndian.Uint64(b)))
	case bits == 8:
		return (float64(b[0]) - 128) / 128
	case bits == 16:
		return float64(int16(binary.LittleEndian.Uint16(b))) / 32768
	case bits == 24:
		v := int32(uint32(b[0])<<8|uint32(b[1])<<16|uint32(b[2])<<24) >> 8
		return float64(v) / 8388608
	default:
		return float64(int32(binary.LittleEndian.Uint32(b))) / 2147483648
	}
}

// clampFloat limits a float sample to full scale. Float WAV's full scale is
// ±1 and any DAC or ADC clips beyond it, so a louder sample is a clipped one
// (the analysis then reports CLIPPING); passed through, ±3e38 gave a peak of
// +769 dBFS and swamped every level and FFT. NaN carries no sound: 0.
func clampFloat(v float64) float64 {
	if math.IsNaN(v) {
		return 0
	}
	return math.Max(-1, math.Min(1, v))
}

// Format of a written file.
type Format int

// Formats Write can produce.
const (
	Float32 Format = iota // 32-bit IEEE float
	PCM16                 // 16-bit integer, TPDF-free plain rounding
)

// Write encodes mono samples as a WAV file.
func Write(w io.Writer, samples []float32, rate int, f Format) error {
	bits, tag := 32, uint16(formatFloat)
	if f == PCM16 {
		bits, tag = 16, formatPCM
	}
	bps := bits / 8
	dataLen := len(samples) * bps
	if int64(dataLen) > math.MaxUint32-44 {
		return fmt.Errorf("%w: cannot write %d samples", ErrTooLong, len(samples))
	}
	b := make([]byte, 44+dataLen)
	copy(b[0:], "RIFF")
	binary.LittleEndian.PutUint32(b[4:], uint32(36+dataLen))
	copy(b[8:], "WAVEfmt ")
	binary.LittleEndian.PutUint32(b[16:], 16)
	binary.LittleEndian.PutUint16(b[20:], tag)
	binary.LittleEndian.PutUint16(b[22:], 1)
	binary.LittleEndian.PutUint32(b[24:], uint32(rate))
	binary.LittleEndian.PutUint32(b[28:], uint32(rate*bps))
	binary.LittleEndian.PutUint16(b[32:], uint16(bps))
	binary.LittleEndian.PutUint16(b[34:], uint16(bits))
	copy(b[36:], "data")
	binary.LittleEndian.PutUint32(b[40:], uint32(dataLen))
	for i, v := range samples {
		if f == PCM16 {
			x := math.Round(float64(v) * 32767)
			x = math.Max(-32768, math.Min(32767, x))
			binary.LittleEndian.PutUint16(b[44+2*i:], uint16(int16(x)))
		} else {
			binary.LittleEndian.PutUint32(b[44+4*i:], math.Float32bits(v))
		}
	}
	_, err := w.Write(b)
	return err
}
