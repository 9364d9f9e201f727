package queue

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

// Of ten booked with a tenth missing, nine are expected, spread evenly;
// with no misses seen, all of them.
func TestExpectedShows(t *testing.T) {
	var booked []Candidate
	for i := range 10 {
		booked = append(booked, Candidate{ID: uint64(i + 1)})
	}
	if got := ExpectedShows(booked, 0); len(got) != 10 {
		t.Fatalf("no misses: %d kept", len(got))
	}
	got := ExpectedShows(booked, 0.1)
	if len(got) != 9 {
		t.Fatalf("a tenth missing: %d kept, want 9", len(got))
	}
	if got := ExpectedShows(booked, 0.5); len(got) != 5 || got[0].ID != 1 || got[1].ID != 3 {
		t.Fatalf("half missing: %+v, want every other one from the first", got)
	}
	if ApptNoShowRate(0, 50) != 0 || ApptNoShowRate(1, 0) != 0.5 || math.Abs(ApptNoShowRate(10, 89)-0.1) > 1e-9 {
		t.Error("ApptNoShowRate")
	}
}

// A service's priority share starts at the branch's and moves to its own
// as its arrivals count.
func TestShareCount(t *testing.T) {
	var svc, all ShareCount
	for i := range 1000 {
		all = all.Add(i%10 == 0) // 10 % at the branch
	}
	if s := svc.Share(all); math.Abs(s-0.1) > 1e-9 {
		t.Fatalf("no arrivals of its own: %v, want the branch's 0.1", s)
	}
	for i := range 5000 {
		svc = svc.Add(i%4 == 0) // 25 % at this service
	}
	if svc.All > shareMemory+1 {
		t.Fatalf("the memory is not bounded: %v arrivals", svc.All)
	}
	if s := svc.Share(all); math.Abs(s-0.25) > 0.005 {
		t.Fatalf("after 5000 arrivals of its own: %v, want about 0.25", s)
	}
}

// The profile is the mean of the days before by hour; today's arrivals
// count once the day is over.
func TestArrivalProfile(t *testing.T) {
	var p ArrivalProfile
	if _, ok := p.PerHour(10, 9); ok {
		t.Fatal("a rate before any day")
	}
	for day := int64(10); day < 12; day++ {
		for range 30 + 10*int(day-10) { // 30 at 9:00 on day 10, 40 on day 11
			p = p.Add(day, 9)
		}
		p = p.Add(day, 14)
	}
	// On day 11 itself, only day 10 is before.
	if r, ok := p.PerHour(11, 9); !ok || r != 30 {
		t.Fatalf("on day 11 at 9: %v %v, want 30", r, ok)
	}
	// On day 12, before anyone came: both days, the nearer weighing more.
	r, _ := p.PerHour(12, 9)
	if r <= 35 || r >= 36 {
		t.Fatalf("on day 12 at 9: %v, want a little over 35", r)
	}
	if r, _ := p.PerHour(12, 8); r != 0 {
		t.Fatalf("at 8, when nobody came: %v", r)
	}
	p = p.Add(12, 8)
	if r2, _ := p.PerHour(12, 9); r2 != r {
		t.Fatalf("an arrival today moved the days before: %v, then %v", r, r2)
	}
}

// Arrivals at a rate that changes come where the expected count passes
// k − ½.
func TestExpectedArrivalsBy(t *testing.T) {
	rate := func(at time.Duration) float64 {
		if at < time.Hour {
			return 2
		}
		return 6
	}
	got := ExpectedArrivalsBy("a", rate, 2*time.Hour, 100)
	if len(got) != 8 {
		t.Fatalf("%d arrivals in 2 h at 2, then 6 an hour: want 8", len(got))
	}
	near := func(a, b time.Duration) bool { return (a - b).Abs() <= time.Minute }
	if !near(got[0].Arrive, 15*time.Minute) || !near(got[1].Arrive, 45*time.Minute) || !near(got[2].Arrive, time.Hour+5*time.Minute) {
		t.Fatalf("first arrivals at %v, %v, %v", got[0].Arrive, got[1].Arrive, got[2].Arrive)
	}
	if !got[0].Priority || got[0].ID != 100 || got[7].ID != 107 || got[0].Service != "a" {
		t.Fatalf("%+v", got[0])
	}
}

// On a steady stream of service times the estimate is the long-run mean,
// which wanders far less than the moving average; when the service
// changes, it follows the moving average within a few dozen samples.
func TestServiceEstimateLongRunUnlessChanged(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	draw := func(mean float64) time.Duration { // log-normal, sigma 0.6
		return time.Duration(mean * math.Exp(0.6*rng.NormFloat64()-0.18) * float64(time.Minute))
	}
	e := NewServiceEstimate(5 * time.Minute)
	var errMean, errRecent float64
	for i := range 3000 {
		e = e.Add(draw(5))
		if i >= 1000 {
			errMean += math.Abs(e.Mean().Minutes() - 5)
			errRecent += math.Abs(e.Recent.Minutes() - 5)
		}
	}
	if errMean > errRecent/2 {
		t.Fatalf("steady: mean error %.3f min, the moving average's %.3f", errMean/2000, errRecent/2000)
	}
	for range 150 { // the service now takes twice as long
		e = e.Add(draw(10))
	}
	if m := e.Mean(); m < 9*time.Minute || m > 11*time.Minute {
		t.Fatalf("after a change to 10 min: %v (long-run %v, recent %v)", m, e.Long, e.Recent)
	}
}
