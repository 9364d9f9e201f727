package sim

import (
	"math"
	"slices"
)

// Quantile returns the p-quantile (0 ≤ p ≤ 1) of xs by linear interpolation
// between the closest ranks (Hyndman–Fan type 7, the default of R and
// NumPy): with the values sorted, h = (n-1)·p and the result is
// x[⌊h⌋] + (h-⌊h⌋)·(x[⌊h⌋+1] - x[⌊h⌋]). The median is Quantile(xs, 0.5).
// It is NaN for no values; xs is not modified.
func Quantile(xs []float64, p float64) float64 {
	if len(xs) == 0 || math.IsNaN(p) {
		return math.NaN()
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	p = min(max(p, 0), 1)
	h := float64(len(s)-1) * p
	lo := int(math.Floor(h))
	if lo >= len(s)-1 {
		return s[len(s)-1]
	}
	return s[lo] + (h-float64(lo))*(s[lo+1]-s[lo])
}

// Mean returns the arithmetic mean of xs, NaN for none.
func Mean(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	sum := 0.0
	for _, x := range xs {
		sum += x
	}
	return sum / float64(len(xs))
}

// Sample is one called ticket: its estimated wait when issued and its real
// wait (issue to call), in seconds.
type Sample struct {
	EstimateS float64
	RealS     float64
}

// Error is the sample's signed error: positive when the estimate promised a
// longer wait than the citizen had.
func (s Sample) Error() float64 { return s.EstimateS - s.RealS }

// WithinS is the bound of the "within" share: ±5 minutes.
const WithinS = 300

// Figures are the error figures of a set of samples, in seconds.
type Figures struct {
	Count int
	// MedianAbsErr and P90AbsErr are quantiles of |estimate - real|.
	MedianAbsErr float64
	P90AbsErr    float64
	// Within is the share of samples with |estimate - real| ≤ WithinS.
	Within float64
	// Bias is the mean of estimate - real.
	Bias float64
	// MeanWait is the mean real wait.
	MeanWait float64
}

// Compute returns the figures of samples; every figure but Count is NaN
// when there are none.
func Compute(samples []Sample) Figures {
	f := Figures{Count: len(samples)}
	abs := make([]float64, len(samples))
	signed := make([]float64, len(samples))
	waits := make([]float64, len(samples))
	within := 0
	for i, s := range samples {
		signed[i] = s.Error()
		abs[i] = math.Abs(signed[i])
		waits[i] = s.RealS
		if abs[i] <= WithinS {
			within++
		}
	}
	f.MedianAbsErr = Quantile(abs, 0.5)
	f.P90AbsErr = Quantile(abs, 0.9)
	f.Bias = Mean(signed)
	f.MeanWait = Mean(waits)
	f.Within = math.NaN()
	if len(samples) > 0 {
		f.Within = float64(within) / float64(len(samples))
	}
	return f
}

// Means averages the figures of several seeds (one seed's figure is
// mostly chance) and counts the seeds whose median error meets Goal.
type Means struct {
	sum      Figures
	n, under int
}

// Add counts one seed's figures; a seed without samples has none.
func (m *Means) Add(f Figures) {
	if f.Count == 0 {
		return
	}
	m.sum.MedianAbsErr += f.MedianAbsErr
	m.sum.P90AbsErr += f.P90AbsErr
	m.sum.Within += f.Within
	m.sum.Bias += f.Bias
	m.sum.MeanWait += f.MeanWait
	if f.MedianAbsErr < Goal.Seconds() {
		m.under++
	}
	m.n++
}

// Mean returns the mean of each figure (Count: the seeds counted), the
// seeds counted and how many of them meet Goal.
func (m Means) Mean() (mean Figures, seeds, under int) {
	if m.n == 0 {
		return Figures{}, 0, 0
	}
	k := float64(m.n)
	return Figures{Count: m.n, MedianAbsErr: m.sum.MedianAbsErr / k, P90AbsErr: m.sum.P90AbsErr / k,
		Within: m.sum.Within / k, Bias: m.sum.Bias / k, MeanWait: m.sum.MeanWait / k}, m.n, m.under
}
