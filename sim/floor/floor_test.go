package main

import (
	"strings"
	"testing"
	"time"

	"github.com/seira-queue/seira/sim"
)

// A day without chance (fixed service times, no no-shows, no priority) is
// forecast exactly by the floor estimator, late opening, pause and all:
// the in-process play and queue.Forecast agree on every call. Without the
// plan, the forecast is late by the pause for those it delays.
func TestFloorForecastsADayWithoutChanceExactly(t *testing.T) {
	d, err := sim.ParseDay(strings.NewReader(`{
  "branch": "demo", "time_zone": "Europe/Athens", "open": "08:00", "close": "12:00",
  "arrivals_per_hour": {"08": 40, "09": 40, "10": 30, "11": 20},
  "services": [
    {"id": "a", "prefix": "A", "name": {"en": "A"}, "share": 0.6, "service_min_mean": 4.0, "service_sigma": 0},
    {"id": "b", "prefix": "B", "name": {"en": "B"}, "share": 0.4, "service_min_mean": 7.0, "service_sigma": 0}
  ],
  "counters": [
    {"id": "1", "serves": ["a", "b"]},
    {"id": "2", "serves": ["b", "a"], "opens": "08:30", "pauses": [{"at": "10:00", "minutes": 20}]}
  ],
  "no_show_rate": 0, "priority_rate": 0, "walk_to_counter_s": 20
}`))
	if err != nil {
		t.Fatal(err)
	}
	rs := play(d, 1, knows{})
	called, late := 0, 0
	for i, r := range rs {
		if r.wait < 0 {
			continue
		}
		called++
		if r.estimate != r.wait {
			t.Errorf("ticket %d issued at %v: forecast %v, waited %v", i+1, r.issued, r.estimate, r.wait)
		}
	}
	if called < 100 {
		t.Fatalf("only %d tickets called", called)
	}
	for _, r := range play(d, 1, knows{noPlan: true}) {
		if r.wait >= 0 && r.estimate < r.wait {
			late++
		}
	}
	if late == 0 {
		t.Error("without the plan, no forecast fell short: the pause and the late opening should cost some")
	}
	if f := sim.Compute(samples(rs)); f.Count != called || f.MedianAbsErr != 0 || f.Within != 1 {
		t.Errorf("figures of an exact forecast: %+v", f)
	}
	// Plays of the rest of the day without chance are all the day itself.
	for i, r := range play(d, 1, knows{monteCarlo: 3}) {
		if r.wait >= 0 && r.estimate != r.wait {
			t.Errorf("ticket %d: the plays' median %v, waited %v", i+1, r.estimate, r.wait)
		}
	}
}

// With chance, the median of the plays forecasts about as well as the
// floor's mean (knowing the distributions, it minimises each ticket's
// expected absolute error): on the reference day's first seed, within a
// minute of it, and not exact.
func TestPlaysForecastWithChance(t *testing.T) {
	d := sim.ReferenceDay()
	mean := sim.Compute(samples(play(d, 1, knows{})))
	plays := sim.Compute(samples(play(d, 1, knows{monteCarlo: 5})))
	if plays.Count != mean.Count || plays.MedianAbsErr == 0 || plays.MedianAbsErr > mean.MedianAbsErr+60 {
		t.Errorf("plays: %+v; mean forecast: %+v", plays, mean)
	}
}

// A day with appointments and without chance (fixed service times, no
// no-shows, everyone on time) is forecast exactly too: the play calls the
// booked before the walk-ins from their slot's start as queue.PickAt does
// (the cap N included, the walk-ins waiting past their target), and the
// forecast expects the booked not yet come at their slots.
func TestFloorForecastsADayWithAppointmentsExactly(t *testing.T) {
	d, err := sim.ParseDay(strings.NewReader(`{
  "branch": "demo", "time_zone": "Europe/Athens", "open": "08:00", "close": "12:00",
  "arrivals_per_hour": {"08": 30, "09": 40, "10": 30, "11": 20},
  "services": [
    {"id": "a", "prefix": "A", "name": {"en": "A"}, "share": 0.6, "service_min_mean": 4.0, "service_sigma": 0, "booked_share": 0.5, "slot_min": 15},
    {"id": "b", "prefix": "B", "name": {"en": "B"}, "share": 0.4, "service_min_mean": 7.0, "service_sigma": 0}
  ],
  "counters": [
    {"id": "1", "serves": ["a", "b"]},
    {"id": "2", "serves": ["b", "a"]}
  ],
  "no_show_rate": 0, "priority_rate": 0, "walk_to_counter_s": 20,
  "appointments": {"punctuality": {"mean_min": 0, "sd_min": 0, "min_min": 0, "max_min": 0}, "no_show_rate": 0}
}`))
	if err != nil {
		t.Fatal(err)
	}
	rs := play(d, 1, knows{apptShows: apptTrue})
	called, appts, late := 0, 0, 0
	for i, r := range rs {
		if r.wait < 0 {
			continue
		}
		called++
		if r.appt {
			appts++
		} else if r.wait > 15*time.Minute {
			late++
		}
		if r.estimate != r.wait {
			t.Errorf("ticket %d issued at %v (appointment %v): forecast %v, waited %v", i+1, r.issued, r.appt, r.estimate, r.wait)
		}
	}
	if called < 100 || appts < 20 || late == 0 {
		t.Fatalf("%d tickets called, %d appointments, %d walk-ins past their target: the day should have all", called, appts, late)
	}
}
