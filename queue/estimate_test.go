package queue

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

func TestAheadAndEstimate(t *testing.T) {
	counters := []Counter{
		{ID: "1", Serves: []string{"a", "b"}, Status: CounterOpen},
		{ID: "2", Serves: []string{"a"}, Status: CounterOpen},
		{ID: "3", Serves: []string{"c"}, Status: CounterOpen},
		{ID: "4", Serves: []string{"a", "d"}, Status: CounterClosed},
	}
	waiting := []Candidate{
		{ID: 1, Service: "a", IssuedAt: 1},
		{ID: 2, Service: "b", IssuedAt: 2},
		{ID: 3, Service: "c", IssuedAt: 3},                 // other counters: not ahead
		{ID: 4, Service: "d", IssuedAt: 0},                 // only a closed counter serves d
		{ID: 5, Service: "b", IssuedAt: 9, Priority: true}, // priority: ahead of everyone regular
		{ID: 6, Service: "a", IssuedAt: 5},                 // mine
		{ID: 7, Service: "a", IssuedAt: 7},                 // behind me
	}
	me := waiting[5]
	ahead := Ahead(me, waiting, counters)
	if ahead["a"] != 1 || ahead["b"] != 2 || ahead["c"] != 0 || ahead["d"] != 0 {
		t.Fatalf("ahead = %v", ahead)
	}
	times := map[string]time.Duration{"a": 4 * time.Minute, "b": 2 * time.Minute}
	got := EstimateWait(WaitInput{Ahead: ahead, ServiceTime: func(s string) time.Duration { return times[s] },
		Counters: len(ServingCounters(counters, "a")), Busy: 2 * time.Minute})
	// (1×4 + 2×2 + 2) minutes of work shared by counters 1 and 2.
	if want := 5 * time.Minute; got != want {
		t.Errorf("estimate %v, want %v", got, want)
	}
	// A priority ticket has only earlier priority tickets ahead.
	pri := Candidate{ID: 8, Service: "a", IssuedAt: 10, Priority: true}
	if a := Ahead(pri, append(waiting, pri), counters); a["b"] != 1 || a["a"] != 0 {
		t.Errorf("priority ahead = %v", a)
	}
}

func TestServingCountersFallsBack(t *testing.T) {
	cs := []Counter{
		{ID: "1", Serves: []string{"a"}, Status: CounterClosed},
		{ID: "2", Serves: []string{"a"}, Status: CounterPaused},
		{ID: "3", Serves: []string{"b"}, Status: CounterOpen},
	}
	if got := ServingCounters(cs, "a"); len(got) != 1 || got[0].ID != "2" {
		t.Errorf("paused counter should stand in when none is open: %v", got)
	}
	cs[0].Status = CounterOpen
	if got := ServingCounters(cs, "a"); len(got) != 1 || got[0].ID != "1" {
		t.Errorf("only the open counter should count while one is open: %v", got)
	}
	cs[0].Status, cs[1].Status = CounterClosed, CounterClosed
	if got := ServingCounters(cs, "a"); len(got) != 2 {
		t.Errorf("all counters should stand in when all are closed: %v", got)
	}
	if got := ServingCounters(cs, "z"); len(got) != 0 {
		t.Errorf("no counter serves z: %v", got)
	}
	if EstimateWait(WaitInput{Ahead: map[string]int{"z": 2}, ServiceTime: func(string) time.Duration { return time.Minute }}) != 2*time.Minute {
		t.Error("zero counters should count as one")
	}
}

func TestUpdateServiceTime(t *testing.T) {
	// The default counts as three samples: one sample of 8 min moves a
	// 4 min default to 5 min.
	got, n := UpdateServiceTime(4*time.Minute, 0, 8*time.Minute)
	if got != 5*time.Minute || n != 1 {
		t.Errorf("first sample: %v, %d", got, n)
	}
	// Long after, one sample moves it by the moving average's weight.
	got, n = UpdateServiceTime(5*time.Minute, 100, 10*time.Minute)
	if got != 5*time.Minute+6*time.Second || n != 101 {
		t.Errorf("EWMA: %v, %d", got, n)
	}
	if got, _ := UpdateServiceTime(5*time.Minute, 100, 10*time.Hour); got > 10*time.Minute {
		t.Errorf("outlier not clamped: %v", got)
	}
	// Many samples of a steady 3 min bring a wrong default of 9 min close.
	est, k := 9*time.Minute, 0
	for range 60 {
		est, k = UpdateServiceTime(est, k, 3*time.Minute)
	}
	if est > 3*time.Minute+30*time.Second {
		t.Errorf("after 60 samples of 3 min the estimate is %v", est)
	}
}

func TestForecastFollowsThePolicy(t *testing.T) {
	minute := func(string) time.Duration { return time.Minute }
	counters := []Counter{
		{ID: "1", Serves: []string{"a"}, Status: CounterOpen},
		{ID: "2", Serves: []string{"a", "b"}, Status: CounterOpen},
	}
	waiting := []Candidate{
		{ID: 1, Service: "a", IssuedAt: 1}, {ID: 2, Service: "a", IssuedAt: 2}, {ID: 3, Service: "b", IssuedAt: 3},
		{ID: 4, Service: "a", IssuedAt: 4}, {ID: 5, Service: "b", IssuedAt: 5, Priority: true},
	}
	desks := ForecastDesks(counters, time.Now(), time.UTC, func(c Counter) time.Duration {
		if c.ID == "2" {
			return 30 * time.Second // counter 2 is busy for another half minute
		}
		return 0
	})
	got := Forecast(waiting, desks, 3, minute)
	// t=0: counter 1 calls the priority ticket? No: counter 1 does not serve
	// b, so it calls 1. t=0.5: counter 2 calls 5 (priority). t=1: counter 1
	// calls 2. t=1.5: counter 2 calls 3 (longer wait than 4). t=2: counter
	// 1 calls 4.
	want := map[uint64]time.Duration{1: 0, 5: 30 * time.Second, 2: time.Minute, 3: 90 * time.Second, 4: 2 * time.Minute}
	for id, w := range want {
		if got[id] != w {
			t.Errorf("ticket %d called at %v, want %v (all: %v)", id, got[id], w, got)
		}
	}
	// A service no open counter serves gets no forecast.
	got = Forecast([]Candidate{{ID: 9, Service: "z"}}, desks, 3, minute)
	if _, ok := got[9]; ok {
		t.Error("a ticket nobody serves was forecast")
	}
}

// TestForecastAgreesWithTheModel checks the forecast against the policy
// model of policy_test.go played with equal service times: every counter
// frees at the same time, so the calls come in rounds.
func TestForecastOrderMatchesPick(t *testing.T) {
	for seed := range uint64(50) {
		m := newModel(t, seed)
		for range 60 {
			m.issue()
		}
		desks := ForecastDesks(m.counters, time.Now(), time.UTC, func(Counter) time.Duration { return 0 })
		got := Forecast(m.all(), desks, m.k, func(string) time.Duration { return time.Minute })
		// Play the model: in each round, every counter in order calls one.
		round := time.Duration(0)
		for progress := true; progress; round += time.Minute {
			progress = false
			for i := range m.counters {
				pick, ok := m.call(i)
				if !ok {
					continue
				}
				progress = true
				if got[pick.ID] != round {
					t.Fatalf("seed %d: ticket %d called in round %v, forecast %v", seed, pick.ID, round, got[pick.ID])
				}
			}
		}
	}
}

func TestForecastCountsPriorityArrivals(t *testing.T) {
	minute := func(string) time.Duration { return time.Minute }
	desks := []Desk{{Counter: Counter{ID: "1", Serves: []string{"a"}, Status: CounterOpen}}}
	waiting := []Candidate{{ID: 1, Service: "a", IssuedAt: 1}, {ID: 2, Service: "a", IssuedAt: 2}}
	// A priority ticket expected every 90 s, from 45 s: the first arrives
	// while ticket 1 is served and goes before ticket 2.
	expected := ExpectedArrivals("a", 90*time.Second, time.Hour, nil, 1<<40)
	got := Forecast(append(waiting, expected...), desks, 3, minute)
	if got[1] != 0 || got[2] != 2*time.Minute {
		t.Fatalf("with arrivals: %v", got)
	}
	if len(got) != 2 {
		t.Fatalf("expected arrivals got forecasts of their own: %v", got)
	}
	// A desk with nobody waiting waits for an arrival rather than quit.
	only := Forecast([]Candidate{{ID: 5, Service: "a", IssuedAt: 1, Arrive: 0}}, desks, 3, minute)
	if only[5] != 0 {
		t.Fatalf("single ticket: %v", only)
	}
	if n := len(ExpectedArrivals("a", 0, time.Hour, nil, 1)); n != 0 {
		t.Fatalf("no gap known: %d arrivals", n)
	}
}

func TestArrivalRateSettles(t *testing.T) {
	start := time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)
	var rate float64
	last := start
	// Six arrivals an hour, for eight hours.
	for i := range 48 {
		now := start.Add(time.Duration(i) * 10 * time.Minute)
		rate = AddArrival(rate, last, now)
		last = now
	}
	if got := DecayRate(rate, last, last.Add(5*time.Minute)); got < 5 || got > 7.5 {
		t.Fatalf("after a steady six an hour the estimate is %.2f", got)
	}
	if got := DecayRate(rate, last, last.Add(12*time.Hour)); got > 0.01 {
		t.Fatalf("overnight the rate should fade: %.3f", got)
	}
}

// TestServiceTimeEstimateIsSteady: with service times that vary as a
// ΚΕΠ's do (log-normal, σ 0.5 of the log), the moving estimate stays
// within a few per cent of the true mean. A forecast multiplies its error
// by every ticket ahead, so this bounds the error it puts into every long
// wait (at a weight of 0.05 it would be about 9 %).
func TestServiceTimeEstimateIsSteady(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const meanS, sigma = 260.0, 0.5
	mu := math.Log(meanS) - sigma*sigma/2
	est, n := 4*time.Minute, 0
	var xs []float64
	for i := range 20_000 {
		sample := time.Duration(math.Exp(mu+sigma*rng.NormFloat64()) * float64(time.Second))
		est, n = UpdateServiceTime(est, n, sample)
		if i >= 1000 && i%25 == 0 {
			xs = append(xs, est.Seconds())
		}
	}
	var sum, sq float64
	for _, x := range xs {
		sum += x
	}
	avg := sum / float64(len(xs))
	for _, x := range xs {
		sq += (x - avg) * (x - avg)
	}
	sd := math.Sqrt(sq / float64(len(xs)))
	if math.Abs(avg-meanS)/meanS > 0.02 || sd/meanS > 0.07 {
		t.Errorf("estimate mean %.1f s (true %.0f), spread %.1f %% of the mean: want within 2 %% and under 7 %%", avg, meanS, 100*sd/meanS)
	}
}
