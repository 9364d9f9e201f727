package load

import (
	"math"
	"slices"
	"sync"
	"time"
)

// Percentile returns the p-th percentile (0 < p ≤ 100) of sorted, which
// must be in increasing order, by the nearest-rank method: the smallest
// value with at least p% of the values at or below it. A p99 is then
// always a latency some request really had, never an interpolation. It is
// 0 for no values.
func Percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 || math.IsNaN(p) {
		return 0
	}
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	rank = min(max(rank, 1), len(sorted))
	return sorted[rank-1]
}

// Summary describes a set of latencies, in milliseconds for the report.
type Summary struct {
	N      int     `json:"n"`
	P50MS  float64 `json:"p50_ms"`
	P99MS  float64 `json:"p99_ms"`
	MaxMS  float64 `json:"max_ms"`
	MeanMS float64 `json:"mean_ms"`
}

// Summarise returns the summary of ds; ds is not modified.
func Summarise(ds []time.Duration) Summary {
	if len(ds) == 0 {
		return Summary{}
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	var sum time.Duration
	for _, d := range s {
		sum += d
	}
	return Summary{N: len(s), P50MS: ms(Percentile(s, 50)), P99MS: ms(Percentile(s, 99)),
		MaxMS: ms(s[len(s)-1]), MeanMS: ms(sum / time.Duration(len(s)))}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// PerSecond is n events over d, 0 for no time.
func PerSecond(n int64, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(n) / d.Seconds()
}

// Ratio is a/b, 0 when b is 0 (no baseline measured).
func Ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

// PerConnKB is the growth of resident memory from before to after spread
// over n connections, in KiB; 0 when there are none.
func PerConnKB(before, after float64, n int) float64 {
	if n <= 0 {
		return 0
	}
	return (after - before) / float64(n) / 1024
}

// recorder keeps latencies from many goroutines, up to a bound: past it
// the figures come from the first max samples (counts elsewhere stay
// exact).
type recorder struct {
	mu      sync.Mutex
	max     int
	ds      []time.Duration
	dropped int64
}

func newRecorder(max int) *recorder { return &recorder{max: max} }

func (r *recorder) add(d time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.ds) >= r.max {
		r.dropped++
		return
	}
	r.ds = append(r.ds, d)
}

func (r *recorder) summary() Summary {
	r.mu.Lock()
	defer r.mu.Unlock()
	return Summarise(r.ds)
}
