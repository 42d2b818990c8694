package synth

import (
	"math"
	"math/bits"
	"math/cmplx"
)

// convolve returns the full linear convolution of x and h via FFT.
func convolve(x, h []float64) []float64 {
	n := len(x) + len(h) - 1
	N := 1 << bits.Len(uint(n-1))
	a := make([]complex128, N)
	for i, v := range x {
		a[i] = complex(v, 0)
	}
	for i, v := range h {
		a[i] += complex(0, v)
	}
	fft(a, false)
	// Spectrum of the product of two real signals packed as x + ih.
	b := make([]complex128, N)
	for k := range N {
		zk, zn := a[k], cmplx.Conj(a[(N-k)%N])
		X, H := (zk+zn)/2, (zk-zn)/complex(0, 2)
		b[k] = X * H
	}
	fft(b, true)
	out := make([]float64, n)
	for i := range out {
		out[i] = real(b[i]) / float64(N)
	}
	return out
}

// fft is a plain radix-2 transform; the generator's speed matters less than
// the analysis', and keeping it separate keeps analysis' internals private.
// No race instrumentation: pure arithmetic on a caller-owned buffer.
//
//go:norace
func fft(a []complex128, inverse bool) {
	n := len(a)
	for i, j := 1, 0; i < n; i++ {
		bit := n >> 1
		for ; j&bit != 0; bit >>= 1 {
			j ^= bit
		}
		j ^= bit
		if i < j {
			a[i], a[j] = a[j], a[i]
		}
	}
	for size := 2; size <= n; size <<= 1 {
		ang := -2 * math.Pi / float64(size)
		if inverse {
			ang = -ang
		}
		wl := cmplx.Rect(1, ang)
		for start := 0; start < n; start += size {
			w := complex(1, 0)
			for j := start; j < start+size/2; j++ {
				t := w * a[j+size/2]
				a[j+size/2] = a[j] - t
				a[j] += t
				w *= wl
			}
		}
	}
}
