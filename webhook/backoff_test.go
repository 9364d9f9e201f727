package webhook

import (
	"math"
	"testing"
	"time"
)

// TestBackoffNeverShrinksOnOverflow: the backoff's ceiling is
// BaseDelay·2ⁿ⁻¹ up to MaxDelay for every try, also where BaseDelay·2ⁿ⁻¹
// no longer fits in a Duration (a shift that wraps round must not bring a
// receiver that has failed for hours back to a retry every few seconds).
func TestBackoffNeverShrinksOnOverflow(t *testing.T) {
	for _, base := range []time.Duration{time.Second, 1<<31 + 1, 3 * time.Second, 1500 * time.Millisecond, 1<<40 + 1} {
		w := New(nil, Options{BaseDelay: base, MaxDelay: time.Hour, Rand: func() float64 { return 0.5 }})
		for n := 1; n <= 200; n++ {
			ceil := math.Min(float64(base)*math.Pow(2, float64(n-1)), float64(time.Hour))
			want := max(base, time.Duration(0.5*ceil))
			if got := w.backoff(n); got != want {
				t.Fatalf("BaseDelay %v, try %d: backoff %v, want %v", base, n, got, want)
			}
		}
	}
}
