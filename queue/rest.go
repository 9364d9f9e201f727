package queue

import (
	"math"
	"time"
)

// ServiceDist is a service's time at a counter as the estimate knows it:
// its mean and its variance (ns²; 0 when none is learned yet). Service
// times at a counter are skewed (most are short, a few take long), and the
// estimate takes them for log-normal of that mean and variance.
type ServiceDist struct {
	Mean time.Duration
	Var  float64
}

// Dist is e's service time as a distribution: Mean with the samples'
// long-run variance.
func (e ServiceEstimate) Dist() ServiceDist {
	return ServiceDist{Mean: e.Mean(), Var: e.Var}
}

// logNormal returns the log-normal's parameters for d's mean and
// variance, and false when d has no spread to go by.
func (d ServiceDist) logNormal() (mu, sigma float64, ok bool) {
	m := float64(d.Mean)
	if m <= 0 || !(d.Var > 0) || math.IsInf(d.Var, 0) {
		return 0, 0, false
	}
	s2 := math.Log1p(d.Var / (m * m))
	if !(s2 > 1e-12) {
		return 0, 0, false
	}
	return math.Log(m) - s2/2, math.Sqrt(s2), true
}

// Under these survival probabilities the rest goes by the log-normal's
// asymptote: the tails' ratio would underflow (restTail), and the inverse
// of the complementary error function loses precision (quantileTail).
const (
	restTail     = 1e-280
	quantileTail = 1e-12
)

// Rest is how long a ticket that has been at its counter for elapsed is
// still expected to keep it: E[S − elapsed | S > elapsed] for the
// log-normal S of d's mean and variance. Past the mean it is not the mean
// minus the time gone: a service that has run long is more likely one of
// the long ones, and the longer it runs the more of it is left to come.
// Without a variance (nothing learned yet) it is the older rule: the mean
// minus the time gone, and at least a quarter of the mean.
func (d ServiceDist) Rest(elapsed time.Duration) time.Duration {
	if elapsed <= 0 {
		return max(d.Mean, 0)
	}
	mu, s, ok := d.logNormal()
	if !ok {
		return max(d.Mean-elapsed, d.Mean/4)
	}
	t := float64(elapsed)
	z := (math.Log(t) - mu) / s // the elapsed time's standard score
	surv := math.Erfc(z/math.Sqrt2) / 2
	var rest float64
	if surv < restTail {
		// Mills' ratio: E[S | S > t] → t·z/(z − σ).
		rest = t * s / (z - s)
	} else {
		// E[S; S > t] = mean·Φ(σ − z).
		rest = float64(d.Mean)*(math.Erfc((z-s)/math.Sqrt2)/2)/surv - t
	}
	return time.Duration(max(rest, 0))
}

// RestQuantile is the q-quantile (0 < q < 1) of the time a ticket that
// has been at its counter for elapsed still keeps it, for the log-normal
// of d's mean and variance: q = ½ is the rest's median, which a forecast
// judged by its absolute error should aim at. Without a variance it is
// Rest.
func (d ServiceDist) RestQuantile(elapsed time.Duration, q float64) time.Duration {
	mu, s, ok := d.logNormal()
	if !ok || !(q > 0 && q < 1) {
		return d.Rest(elapsed)
	}
	t := max(float64(elapsed), 0)
	surv := 1.0
	if t > 0 {
		surv = math.Erfc((math.Log(t)-mu)/s/math.Sqrt2) / 2
	}
	p := (1 - q) * surv // P(S > t + rest)
	if p < quantileTail {
		return d.Rest(elapsed)
	}
	// P(S > x) = p: ln x = μ + σ·Φ⁻¹(1 − p) = μ + σ·√2·erfc⁻¹(2p).
	x := math.Exp(mu + s*math.Sqrt2*math.Erfcinv(2*p))
	return time.Duration(max(x-t, 0))
}

// PlayDraw is the chance of play j of a sampled forecast for ticket id:
// a uniform number in (0, 1) from seed, id and j, the same whenever asked.
// Two forecasts then draw the same for the same ticket (common random
// numbers): an event that does not concern a ticket (another issued
// behind it, say) does not move its estimate by fresh draws, and a ticket
// called keeps, at the call, the service time its plays drew for it
// (ServiceDist.RestQuantile of the same number, from no time gone).
func PlayDraw(seed, id uint64, j int) float64 {
	x := seed ^ id*0x9e3779b97f4a7c15 ^ uint64(j+1)*0xd1b54a32d192ed03
	// splitmix64's finaliser
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return (float64(x>>11) + 0.5) / (1 << 53)
}
