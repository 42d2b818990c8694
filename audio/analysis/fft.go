package analysis

import (
	"math"
	"math/bits"
	"sync"
)

// fftPlan holds the twiddle factors and bit-reversal table for one size.
// Plans are cached because the analysis uses the same few sizes again and
// again, and building the tables costs as much as a transform.
type fftPlan struct {
	n       int
	twiddle []complex128 // exp(-2πik/n), k < n/2
	rev     []int32
}

var plans sync.Map // int -> *fftPlan

func planFor(n int) *fftPlan {
	if p, ok := plans.Load(n); ok {
		return p.(*fftPlan)
	}
	p := &fftPlan{n: n, twiddle: make([]complex128, n/2), rev: make([]int32, n)}
	for k := range p.twiddle {
		s, c := math.Sincos(-2 * math.Pi * float64(k) / float64(n))
		p.twiddle[k] = complex(c, s)
	}
	shift := 64 - bits.TrailingZeros(uint(n))
	for i := range p.rev {
		p.rev[i] = int32(bits.Reverse64(uint64(i)) >> shift)
	}
	plans.Store(n, p)
	return p
}

// fft transforms a in place (forward, unnormalised). len(a) must be a power of two.
func fft(a []complex128) { transform(a, false) }

// ifft is the inverse of fft, including the 1/n scaling.
func ifft(a []complex128) {
	transform(a, true)
	s := 1 / float64(len(a))
	for i := range a {
		a[i] = complex(real(a[i])*s, imag(a[i])*s)
	}
}

// transform is pure arithmetic on a buffer the caller owns; the race
// detector would slow it ~20× (and the tests with it) for nothing.
//
//go:norace
func transform(a []complex128, inverse bool) {
	n := len(a)
	if n <= 1 {
		return
	}
	p := planFor(n)
	for i, j := range p.rev {
		if int(j) > i {
			a[i], a[j] = a[j], a[i]
		}
	}
	for size := 2; size <= n; size <<= 1 {
		half := size >> 1
		step := n / size
		for start := 0; start < n; start += size {
			k := 0
			for j := start; j < start+half; j++ {
				w := p.twiddle[k]
				if inverse {
					w = complex(real(w), -imag(w))
				}
				t := w * a[j+half]
				a[j+half] = a[j] - t
				a[j] += t
				k += step
			}
		}
	}
}

// nextPow2 returns the smallest power of two ≥ n.
func nextPow2(n int) int {
	if n <= 1 {
		return 1
	}
	return 1 << bits.Len(uint(n-1))
}
