package queue

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// lnDist is the ServiceDist of the log-normal of parameters mu (of
// seconds) and sigma.
func lnDist(mu, sigma float64) ServiceDist {
	m := math.Exp(mu+sigma*sigma/2) * float64(time.Second)
	return ServiceDist{Mean: time.Duration(m), Var: m * m * math.Expm1(sigma*sigma)}
}

// restByIntegral is E[S − t | S > t] for the log-normal (mu, sigma) of
// seconds, by Simpson's rule over the normal variable u (S = e^(μ+σu)),
// from t's standard score to 14 deviations past it.
func restByIntegral(mu, sigma, t float64) float64 {
	z := math.Inf(-1)
	if t > 0 {
		z = (math.Log(t) - mu) / sigma
	}
	lo := max(z, -14)
	hi := lo + 28
	const n = 20000
	h := (hi - lo) / n
	var num, den float64
	for i := 0; i <= n; i++ {
		u := lo + float64(i)*h
		w := 2.0
		switch {
		case i == 0 || i == n:
			w = 1
		case i%2 == 1:
			w = 4
		}
		phi := math.Exp(-u*u/2) / math.Sqrt(2*math.Pi)
		num += w * (math.Exp(mu+sigma*u) - t) * phi
		den += w * phi
	}
	return num / den
}

// The expected rest of a log-normal service agrees with the numeric
// integral of its tail, from the call to far past the mean, for the
// spreads of a ΚΕΠ's services and a heavier one; it is at least the mean
// minus the time gone (more once some services end that early), and far
// past the mean it grows with the time gone.
func TestRestIsTheLogNormalsExpectedRest(t *testing.T) {
	for _, sigma := range []float64{0.3, 0.5, 0.8, 1.2} {
		mu := math.Log(240) - sigma*sigma/2 // a 4-minute mean
		d := lnDist(mu, sigma)
		var at2 time.Duration
		for _, f := range []float64{0, 0.1, 0.5, 1, 1.5, 2, 3, 5, 8} {
			elapsed := time.Duration(f * float64(d.Mean))
			got := d.Rest(elapsed)
			want := restByIntegral(mu, sigma, elapsed.Seconds()) * float64(time.Second)
			if math.Abs(float64(got)-want) > 1e-3*want+float64(time.Millisecond) {
				t.Errorf("σ %.1f, %.1f means gone: rest %v, the integral says %v", sigma, f, got, time.Duration(want))
			}
			if got < d.Mean-elapsed || f >= 0.5 && got <= d.Mean-elapsed {
				t.Errorf("σ %.1f, %.1f means gone: rest %v, under the mean minus the time gone", sigma, f, got)
			}
			switch f {
			case 2:
				at2 = got
			case 8:
				if got <= at2 {
					t.Errorf("σ %.1f: rest %v after 8 means, not more than %v after 2", sigma, got, at2)
				}
			}
		}
		if got := d.Rest(0); got != d.Mean {
			t.Errorf("σ %.1f: rest at the call %v, want the mean %v", sigma, got, d.Mean)
		}
	}
}

// Far in the tail, where the tails' ratio underflows (a service of little
// spread, forty times its median gone), the rest follows the asymptote:
// finite, small against the time gone, and growing with it, from where the
// exact ratio still holds.
func TestRestFarInTheTail(t *testing.T) {
	d := lnDist(math.Log(240), 0.1)
	for _, c := range []struct{ a, b time.Duration }{{2 * time.Hour, 3 * time.Hour}, {3 * time.Hour, 4 * time.Hour}} {
		ra, rb := d.Rest(c.a), d.Rest(c.b)
		if ra <= 0 || rb <= ra || rb > c.b/20 {
			t.Errorf("rests %v after %v, %v after %v", ra, c.a, rb, c.b)
		}
		if q := d.RestQuantile(c.b, 0.5); q <= 0 || q > rb {
			t.Errorf("median rest %v after %v (mean rest %v)", q, c.b, rb)
		}
	}
}

// The rest's quantiles agree with the samples of the log-normal that ran
// past the time gone: the share of them ending within the q-quantile is q.
func TestRestQuantileBySampling(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 4))
	const sigma = 0.6
	mu := math.Log(540) - sigma*sigma/2 // a 9-minute mean
	d := lnDist(mu, sigma)
	s := make([]float64, 400_000)
	for i := range s {
		s[i] = math.Exp(mu+sigma*rng.NormFloat64()) * float64(time.Second)
	}
	slices.Sort(s)
	for _, f := range []float64{0, 0.5, 1, 2} {
		elapsed := f * float64(d.Mean)
		past := s[sortIndex(s, elapsed):]
		for _, q := range []float64{0.1, 0.25, 0.5, 0.75, 0.9} {
			r := d.RestQuantile(time.Duration(elapsed), q)
			share := float64(sortIndex(past, elapsed+float64(r))) / float64(len(past))
			if math.Abs(share-q) > 4*math.Sqrt(q*(1-q)/float64(len(past)))+0.002 {
				t.Errorf("%.1f means gone, q %.2f: rest %v holds %.4f of the samples", f, q, r, share)
			}
		}
		// The median rest is under the mean rest: the rest is skewed too.
		if m, e := d.RestQuantile(time.Duration(elapsed), 0.5), d.Rest(time.Duration(elapsed)); m >= e {
			t.Errorf("%.1f means gone: median rest %v, mean rest %v", f, m, e)
		}
	}
}

func sortIndex(s []float64, x float64) int {
	i, _ := slices.BinarySearch(s, x)
	return i
}

// Without a variance (no sample yet, or a store from before it was kept)
// the rest is the older rule.
func TestRestWithoutVariance(t *testing.T) {
	d := ServiceDist{Mean: 4 * time.Minute}
	for _, c := range []struct{ elapsed, want time.Duration }{
		{0, 4 * time.Minute}, {time.Minute, 3 * time.Minute}, {5 * time.Minute, time.Minute}, {time.Hour, time.Minute},
	} {
		if got := d.Rest(c.elapsed); got != c.want {
			t.Errorf("rest after %v: %v, want %v", c.elapsed, got, c.want)
		}
		if got := d.RestQuantile(c.elapsed, 0.5); got != c.want {
			t.Errorf("median rest after %v: %v, want %v", c.elapsed, got, c.want)
		}
	}
}

// A learned estimate's distribution has the samples' spread: fed the
// log-normal's samples, its log-normal's median rest at the call is near
// the samples' median.
func TestServiceEstimateDist(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 9))
	const sigma = 0.5
	mu := math.Log(240) - sigma*sigma/2
	e := NewServiceEstimate(3 * time.Minute)
	for range 5000 {
		e = e.Add(time.Duration(math.Exp(mu+sigma*rng.NormFloat64()) * float64(time.Second)))
	}
	d := e.Dist()
	if d.Mean != e.Mean() || d.Var != e.Var {
		t.Fatalf("dist %+v of estimate %+v", d, e)
	}
	median := time.Duration(math.Exp(mu) * float64(time.Second))
	if got := d.RestQuantile(0, 0.5); math.Abs(float64(got-median)) > 0.1*float64(median) {
		t.Errorf("median rest at the call %v, the samples' median %v", got, median)
	}
}

// Without chance (no variance learned, the rests given) every play is the
// play of the means: the sampled forecast is ForecastAt's.
func TestForecastMedianWithoutChanceIsTheForecast(t *testing.T) {
	w, d := benchQueue(), benchDesks()
	w = append(w[:80:80], w[ForecastLimit:]...)
	st := func(c Candidate) time.Duration {
		return ServiceDist{Mean: benchServiceTime(c.Service)}.RestQuantile(0, PlayDraw(1, c.ID, 0))
	}
	want := ForecastAt(w, d, Policy{K: 3}, benchServiceTime)
	got := ForecastMedian(w, Policy{K: 3}, 7, func(int) ([]Desk, func(Candidate) time.Duration) { return d, st })
	if len(got) != 80 || len(want) != 80 {
		t.Fatalf("%d forecast, %d by ForecastAt; want 80", len(got), len(want))
	}
	for id, w := range want {
		if got[id] != w {
			t.Errorf("ticket %d: sampled %v, ForecastAt %v", id, got[id], w)
		}
	}
}

// At one desk, the k-th ticket waits for the k services before it: the
// sampled forecast is near the median of their sum (by 20 000 draws in the
// test), under the sum of their means (the play of the means) by the
// services' skew, which the shorter queues feel most.
func TestForecastMedianIsTheMedianWait(t *testing.T) {
	const sigma = 0.8
	dist := ServiceDist{Mean: 4 * time.Minute}
	dist.Var = float64(dist.Mean) * float64(dist.Mean) * math.Expm1(sigma*sigma)
	var w []Candidate
	for i := range 12 {
		w = append(w, Candidate{ID: uint64(i + 1), Service: "a", IssuedAt: int64(i)})
	}
	desk := []Desk{{Counter: Counter{ID: "1", Serves: []string{"a"}, Status: CounterOpen}}}
	got := ForecastMedian(w, Policy{K: 3}, 201, func(j int) ([]Desk, func(Candidate) time.Duration) {
		return desk, func(c Candidate) time.Duration { return dist.RestQuantile(0, PlayDraw(7, c.ID, j)) }
	})
	rng := rand.New(rand.NewPCG(5, 6))
	for _, k := range []int{1, 3, 11} { // the services before ticket k+1
		sums := make([]float64, 20000)
		for i := range sums {
			for range k {
				sums[i] += float64(sample(dist, rng.NormFloat64()))
			}
		}
		slices.Sort(sums)
		median := time.Duration(sums[len(sums)/2])
		g := got[uint64(k+1)]
		if math.Abs(float64(g-median)) > 0.12*float64(median) {
			t.Errorf("ticket %d: sampled forecast %v, the median wait %v", k+1, g, median)
		}
		if mean := time.Duration(k) * dist.Mean; g >= mean {
			t.Errorf("ticket %d: sampled forecast %v, not under the means' %v", k+1, g, mean)
		}
	}
	if got[1] != 0 {
		t.Errorf("the first ticket at a free desk: %v", got[1])
	}
}

// A ticket that half the plays or more do not reach has no median (-1): it
// is missing, as from ForecastAt; one missed by fewer counts them as
// latest.
func TestMedianOfPlaysMissing(t *testing.T) {
	for _, c := range []struct {
		waits []time.Duration // the plays that called the ticket
		k     int             // all the plays
		want  time.Duration
	}{
		{[]time.Duration{3, 1, 2, 9}, 5, 3}, // one miss of five
		{[]time.Duration{5, 7, 6, 4}, 5, 6},
		{[]time.Duration{1, 2}, 5, -1},   // two of five
		{[]time.Duration{3, 1, 2}, 4, 3}, // one miss of four
		{[]time.Duration{5, 7, 6}, 4, 7},
		{[]time.Duration{1, 2}, 4, -1}, // two of four: half
	} {
		if got := medianOf(slices.Clone(c.waits), c.k); got != c.want {
			t.Errorf("median of %v called in %d plays: %v, want %v", c.waits, c.k, got, c.want)
		}
	}
}

// A play's draws are uniform, the same whenever asked, and apart for
// different tickets and plays.
func TestPlayDraw(t *testing.T) {
	const n = 100_000
	var bins [10]int
	seen := map[float64]bool{}
	for i := range n {
		u := PlayDraw(42, uint64(i/21), i%21)
		if !(u > 0 && u < 1) {
			t.Fatalf("draw %v", u)
		}
		if u != PlayDraw(42, uint64(i/21), i%21) {
			t.Fatal("a draw asked again differs")
		}
		bins[int(u*10)]++
		seen[u] = true
	}
	for b, c := range bins {
		if math.Abs(float64(c)-n/10) > 5*math.Sqrt(n/10) {
			t.Errorf("bin %d: %d of %d draws", b, c, n)
		}
	}
	if len(seen) != n {
		t.Errorf("%d distinct draws of %d", len(seen), n)
	}
	if PlayDraw(42, 1, 0) == PlayDraw(43, 1, 0) {
		t.Error("another seed draws the same")
	}
}

// sample is a service time of d for the standard normal draw z: its
// log-normal's e^(μ+σz), or the mean when d has no variance.
func sample(d ServiceDist, z float64) time.Duration {
	mu, s, ok := d.logNormal()
	if !ok {
		return max(d.Mean, 0)
	}
	return time.Duration(math.Exp(mu + s*z))
}
