package analysis

import "math"

// Resample converts x from rate `from` to rate `to` with a Blackman-windowed
// sinc interpolator (band limit 0.45·min(from, to)). It is meant for offline
// files recorded at another rate, not for real-time use.
func Resample(x []float32, from, to int) []float32 {
	if from == to || len(x) == 0 || from <= 0 || to <= 0 {
		return x
	}
	ratio := float64(from) / float64(to)
	fc := 0.9 * math.Min(1, 1/ratio) // cutoff relative to the input Nyquist
	const zeros, over = 16, 512
	half := int(math.Ceil(zeros / fc))
	// Kernel table over distances 0…half input samples, linearly
	// interpolated: sin/cos per tap would dominate the run time.
	table := make([]float64, half*over+2)
	for i := range table {
		d := float64(i) / over
		s := 1.0
		if arg := d * fc; arg != 0 {
			s = math.Sin(math.Pi*arg) / (math.Pi * arg)
		}
		u := (d/float64(half) + 1) / 2
		w := 0.0
		if u <= 1 {
			w = 0.42 - 0.5*math.Cos(2*math.Pi*u) + 0.08*math.Cos(4*math.Pi*u)
		}
		table[i] = s * w * fc
	}
	out := make([]float32, int(int64(len(x))*int64(to)/int64(from)))
	resampleKernel(x, out, ratio, half, over, table)
	return out
}

// resampleKernel is pure arithmetic on buffers owned by the caller; the race
// detector would slow it ~20× for nothing.
//
//go:norace
func resampleKernel(x, out []float32, ratio float64, half, over int, table []float64) {
	for i := range out {
		t := float64(i) * ratio
		c := int(t)
		var acc float64
		for k := max(0, c-half+1); k <= c+half && k < len(x); k++ {
			d := math.Abs(t-float64(k)) * float64(over)
			j := int(d)
			if j+1 >= len(table) {
				continue
			}
			f := d - float64(j)
			acc += float64(x[k]) * (table[j]*(1-f) + table[j+1]*f)
		}
		out[i] = float32(acc)
	}
}
