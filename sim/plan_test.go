package sim

import (
	"math"
	"reflect"
	"sort"
	"testing"
	"time"
)

func TestPlanDeterministic(t *testing.T) {
	d := ReferenceDay()
	a, b := Plan(d, 7), Plan(d, 7)
	if len(a) == 0 || !reflect.DeepEqual(a, b) {
		t.Fatalf("two plans of seed 7 differ (%d and %d citizens)", len(a), len(b))
	}
	if c := Plan(d, 8); reflect.DeepEqual(a, c) {
		t.Error("seeds 7 and 8 planned the same day")
	}
	if !sort.SliceIsSorted(a, func(i, j int) bool { return a[i].At < a[j].At }) {
		t.Error("arrivals are not in order")
	}
	for _, c := range a {
		if c.At < 0 || c.At >= time.Duration(d.Close-d.Open) {
			t.Fatalf("arrival at %v after opening, outside the opening hours", c.At)
		}
	}
}

// perHour counts a plan's arrivals by clock hour.
func perHour(d Day, plan []Citizen) map[string]int {
	n := map[string]int{}
	for _, c := range plan {
		h := (time.Duration(d.Open) + c.At) / time.Hour
		n[TimeOfDay(h * time.Hour).String()[:2]]++
	}
	return n
}

func TestPlanOneDayPerHour(t *testing.T) {
	d := ReferenceDay()
	got := perHour(d, Plan(d, 1))
	for h, rate := range d.ArrivalsPerHour {
		// A Poisson count: within four standard deviations.
		if tol := 4 * math.Sqrt(rate); math.Abs(float64(got[h])-rate) > tol {
			t.Errorf("seed 1, hour %s: %d arrivals, want %v ± %.0f", h, got[h], rate, tol)
		}
	}
}

func TestPlanRates(t *testing.T) {
	d := ReferenceDay()
	const days = 200
	hours := map[string]int{}
	services := map[string]int{}
	times := map[string][]float64{}
	prio, noShow, total := 0, 0, 0
	for seed := range uint64(days) {
		plan := Plan(d, seed)
		for h, n := range perHour(d, plan) {
			hours[h] += n
		}
		for _, c := range plan {
			total++
			services[c.Service]++
			times[c.Service] = append(times[c.Service], c.ServiceTime.Seconds())
			if c.Priority {
				prio++
			}
			if c.NoShow {
				noShow++
			}
		}
	}
	for h, rate := range d.ArrivalsPerHour {
		if mean := float64(hours[h]) / days; math.Abs(mean-rate) > 0.03*rate {
			t.Errorf("hour %s: %.1f arrivals a day on average, want %v ± 3%%", h, mean, rate)
		}
	}
	for _, s := range d.Services {
		if share := float64(services[s.ID]) / float64(total); math.Abs(share-s.Share) > 0.01 {
			t.Errorf("service %s: share %.3f, want %v", s.ID, share, s.Share)
		}
		mean := Mean(times[s.ID]) / 60
		if math.Abs(mean-s.ServiceMinMean) > 0.03*s.ServiceMinMean {
			t.Errorf("service %s: mean service time %.2f min, want %v", s.ID, mean, s.ServiceMinMean)
		}
		// The median of a log-normal is exp(mu) = mean·exp(-sigma²/2):
		// this fails if mu were taken as ln(mean).
		wantMedian := s.ServiceMinMean * math.Exp(-s.ServiceSigma*s.ServiceSigma/2)
		if med := Quantile(times[s.ID], 0.5) / 60; math.Abs(med-wantMedian) > 0.03*wantMedian {
			t.Errorf("service %s: median service time %.2f min, want %.2f", s.ID, med, wantMedian)
		}
	}
	if r := float64(prio) / float64(total); math.Abs(r-d.PriorityRate) > 0.01 {
		t.Errorf("priority share %.3f, want %v", r, d.PriorityRate)
	}
	if r := float64(noShow) / float64(total); math.Abs(r-d.NoShowRate) > 0.01 {
		t.Errorf("no-show share %.3f, want %v", r, d.NoShowRate)
	}
}

func TestPlanPartialHour(t *testing.T) {
	d := ReferenceDay()
	d.Open = TimeOfDay(8*time.Hour + 30*time.Minute)
	d.ArrivalsPerHour = map[string]float64{"08": 60}
	n := 0
	for seed := range uint64(100) {
		for _, c := range Plan(d, seed) {
			if c.At < 0 || c.At >= 30*time.Minute {
				t.Fatalf("arrival %v after opening, outside 08:30–09:00", c.At)
			}
			n++
		}
	}
	if mean := float64(n) / 100; math.Abs(mean-30) > 2 {
		t.Errorf("%.1f arrivals in half an hour at 60 an hour, want 30", mean)
	}
}

func TestLogNormal(t *testing.T) {
	// z = 0 gives the median exp(mu).
	if got, want := LogNormal(240, 0.5, 0), time.Duration(240*math.Exp(-0.125)*float64(time.Second)).Round(time.Millisecond); got != want {
		t.Errorf("LogNormal(240, 0.5, 0) = %v, want %v", got, want)
	}
	if got := LogNormal(240, 0, 1.7); got != 240*time.Second {
		t.Errorf("with sigma 0: %v, want the mean", got)
	}
}
