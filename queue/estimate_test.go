package queue

import (
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
	cs[1].Status = CounterClosed
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
	if got := UpdateServiceTime(0, 3*time.Minute); got != 3*time.Minute {
		t.Errorf("first sample: %v", got)
	}
	got := UpdateServiceTime(5*time.Minute, 10*time.Minute)
	if got != 6*time.Minute {
		t.Errorf("EWMA: %v", got)
	}
	if got := UpdateServiceTime(5*time.Minute, 10*time.Hour); got > 30*time.Minute {
		t.Errorf("outlier not clamped: %v", got)
	}
	if got := UpdateServiceTime(0, time.Second); got != 10*time.Second {
		t.Errorf("tiny sample not clamped: %v", got)
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
	desks := ForecastDesks(counters, func(c Counter) time.Duration {
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
		desks := ForecastDesks(m.counters, func(Counter) time.Duration { return 0 })
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
