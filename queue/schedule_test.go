package queue

import (
	"strings"
	"testing"
	"time"
)

func TestScheduleValidate(t *testing.T) {
	ok := []Schedule{
		{},
		{Opens: "09:00"},
		{Closes: "15:00"},
		{Opens: "08:00", Closes: "15:00", Breaks: []Break{{At: "10:00", Minutes: 15}, {At: "12:00", Minutes: 30}}},
		{Breaks: []Break{{At: "12:00", Minutes: 240}}},
		{Days: []string{"mon", "wed"}, Opens: "09:00"},
		{Days: []string{"sun"}},
	}
	for _, s := range ok {
		if err := s.Validate("1"); err != nil {
			t.Errorf("%+v: %v", s, err)
		}
	}
	bad := map[string]Schedule{
		"not a time":                   {Opens: "9"},
		"not a time (use HH:MM)":       {Closes: "25:00"},
		"closes (08:00) before":        {Opens: "09:00", Closes: "08:00"},
		"closes (09:00) before":        {Opens: "09:00", Closes: "09:00"},
		"must last 1 to 240":           {Breaks: []Break{{At: "12:00", Minutes: 0}}},
		"must last 1 to 240 minutes":   {Breaks: []Break{{At: "12:00", Minutes: 241}}},
		"break at \"noon\"":            {Breaks: []Break{{At: "noon", Minutes: 10}}},
		"outside the working hours":    {Opens: "09:00", Breaks: []Break{{At: "08:30", Minutes: 10}}},
		"outside the working hours …":  {Closes: "15:00", Breaks: []Break{{At: "14:50", Minutes: 20}}},
		"before the one before it":     {Breaks: []Break{{At: "12:00", Minutes: 30}, {At: "12:15", Minutes: 10}}},
		"day \"Mon\" is not a weekday": {Days: []string{"Mon"}},
		"day tue is given twice":       {Days: []string{"tue", "wed", "tue"}},
		"at most 8 breaks": {Breaks: []Break{{At: "08:00", Minutes: 1}, {At: "09:00", Minutes: 1}, {At: "10:00", Minutes: 1},
			{At: "11:00", Minutes: 1}, {At: "12:00", Minutes: 1}, {At: "13:00", Minutes: 1}, {At: "14:00", Minutes: 1},
			{At: "15:00", Minutes: 1}, {At: "16:00", Minutes: 1}}},
	}
	for want, s := range bad {
		err := s.Validate("4")
		if ErrorCode(err) != CodeValidation || !strings.Contains(err.Error(), strings.TrimSuffix(want, " …")) {
			t.Errorf("%+v: got %v, want a validation error with %q", s, err, want)
		}
	}
	// A counter's validation includes its schedule.
	c := Counter{ID: "4", Serves: []string{"a"}, Schedule: Schedule{Opens: "16:00", Closes: "15:00"}}
	if err := c.Validate([]Service{{ID: "a"}}); ErrorCode(err) != CodeValidation {
		t.Errorf("counter with a bad schedule: %v", err)
	}
}

// desksAt is ForecastDesks for counters that have nothing at hand.
func desksAt(counters []Counter, now time.Time, loc *time.Location) []Desk {
	return ForecastDesks(counters, now, loc, func(Counter) time.Duration { return 0 })
}

func regular(n int, svc string) []Candidate {
	var out []Candidate
	for i := 1; i <= n; i++ {
		out = append(out, Candidate{ID: uint64(i), Service: svc, IssuedAt: int64(i)})
	}
	return out
}

func TestForecastScheduledOpening(t *testing.T) {
	loc := athens(t)
	now := time.Date(2026, 11, 30, 8, 30, 0, 0, loc)
	tenMin := func(string) time.Duration { return 10 * time.Minute }
	counters := []Counter{
		{ID: "1", Serves: []string{"a"}, Status: CounterOpen},
		{ID: "2", Serves: []string{"a"}, Status: CounterClosed, Schedule: Schedule{Opens: "09:00"}},
		{ID: "3", Serves: []string{"a"}, Status: CounterClosed}, // no plan: not expected
	}
	desks := desksAt(counters, now, loc)
	if len(desks) != 2 || desks[1].Counter.ID != "2" || desks[1].Busy != 30*time.Minute {
		t.Fatalf("desks: %+v", desks)
	}
	got := Forecast(regular(6, "a"), desks, 3, tenMin)
	// Counter 1 alone until 09:00 calls 1, 2, 3 (0, 10, 20 min); at 30 min
	// both call 4 and 5; at 40 min counter 1 calls 6.
	want := map[uint64]time.Duration{1: 0, 2: 10 * time.Minute, 3: 20 * time.Minute, 4: 30 * time.Minute, 5: 30 * time.Minute, 6: 40 * time.Minute}
	for id, w := range want {
		if got[id] != w {
			t.Errorf("ticket %d at %v, want %v (all %v)", id, got[id], w, got)
		}
	}
	// Once past its opening, a closed counter is closed: nobody assumes it.
	late := desksAt(counters, now.Add(time.Hour), loc)
	if len(late) != 1 || late[0].Counter.ID != "1" {
		t.Fatalf("after the opening a closed counter is still a desk: %+v", late)
	}
}

func TestForecastPlannedBreak(t *testing.T) {
	loc := athens(t)
	now := time.Date(2026, 11, 30, 11, 40, 0, 0, loc)
	tenMin := func(string) time.Duration { return 10 * time.Minute }
	c := Counter{ID: "1", Serves: []string{"a"}, Status: CounterOpen,
		Schedule: Schedule{Breaks: []Break{{At: "12:00", Minutes: 30}}}}
	got := Forecast(regular(4, "a"), desksAt([]Counter{c}, now, loc), 3, tenMin)
	// 11:40 #1, 11:50 #2, free at 12:00: the break until 12:30, then #3,
	// 12:40 #4.
	want := map[uint64]time.Duration{1: 0, 2: 10 * time.Minute, 3: 50 * time.Minute, 4: time.Hour}
	for id, w := range want {
		if got[id] != w {
			t.Errorf("ticket %d at %v, want %v (all %v)", id, got[id], w, got)
		}
	}
	// A clerk busy at 12:00 goes when free: 11:55 + 10 min = 12:05 → 12:35.
	d := desksAt([]Counter{c}, now.Add(15*time.Minute), loc)
	got = Forecast(regular(2, "a"), d, 3, tenMin)
	if got[1] != 0 || got[2] != 10*time.Minute+30*time.Minute {
		t.Errorf("break after the ticket at hand: %v", got)
	}
	// The break is over or taken: not expected again.
	c.LastPause = time.Date(2026, 11, 30, 12, 2, 0, 0, loc)
	if d := desksAt([]Counter{c}, now.Add(40*time.Minute), loc); len(d[0].Breaks) != 0 {
		t.Errorf("a break taken is planned again: %+v", d[0].Breaks)
	}
	c.LastPause = time.Time{}
	if d := desksAt([]Counter{c}, now.Add(time.Hour), loc); len(d[0].Breaks) != 0 {
		t.Errorf("a break past is planned again: %+v", d[0].Breaks)
	}
}

func TestPlannedPause(t *testing.T) {
	loc := athens(t)
	c := Counter{ID: "4", Serves: []string{"a"}, Schedule: Schedule{Breaks: []Break{{At: "12:00", Minutes: 30}}}}
	at := func(h, m int) time.Time { return time.Date(2026, 11, 30, h, m, 0, 0, loc) }
	for _, tc := range []struct {
		paused time.Time
		ok     bool
	}{
		{at(12, 3), true}, {at(11, 50), true}, {at(11, 30), false}, {at(12, 30), false}, {at(9, 0), false}, {time.Time{}, false},
	} {
		d, ok := PlannedPause(c, tc.paused, loc)
		if ok != tc.ok || (ok && d != 30*time.Minute) {
			t.Errorf("paused at %v: %v %v, want planned %v", tc.paused, d, ok, tc.ok)
		}
	}
	// The times are the branch's: 12:03 in Athens is 10:03 UTC.
	if _, ok := PlannedPause(c, at(12, 3), time.UTC); ok {
		t.Error("a pause at 10:03 UTC taken for the 12:00 break")
	}
}

func TestForecastScheduledClosing(t *testing.T) {
	loc := athens(t)
	now := time.Date(2026, 11, 30, 14, 30, 0, 0, loc)
	tenMin := func(string) time.Duration { return 10 * time.Minute }
	counters := []Counter{
		{ID: "1", Serves: []string{"a"}, Status: CounterOpen, Schedule: Schedule{Closes: "14:50"}},
		{ID: "2", Serves: []string{"a"}, Status: CounterOpen},
	}
	got := Forecast(regular(6, "a"), desksAt(counters, now, loc), 3, tenMin)
	// Both until 14:50 (1–4), then counter 2 alone: 5 at 20 min, 6 at 30.
	want := map[uint64]time.Duration{1: 0, 2: 0, 3: 10 * time.Minute, 4: 10 * time.Minute, 5: 20 * time.Minute, 6: 30 * time.Minute}
	for id, w := range want {
		if got[id] != w {
			t.Errorf("ticket %d at %v, want %v (all %v)", id, got[id], w, got)
		}
	}
	// Only desks that close: the tickets after the closing get none (the
	// desk is free at 14:50, its closing, and calls no one then).
	got = Forecast(regular(6, "a"), desksAt(counters[:1], now, loc), 3, tenMin)
	if _, ok := got[3]; ok || len(got) != 2 {
		t.Errorf("one desk closing at 14:50: %v", got)
	}
	// A clerk working past the closing stays a desk, with no end.
	d := desksAt(counters[:1], now.Add(time.Hour), loc)
	if len(d) != 1 || d[0].HasClose {
		t.Errorf("after its closing, a counter still open: %+v", d)
	}
}

func TestExpectedArrivalsStopAtClosing(t *testing.T) {
	loc := athens(t)
	h := Hours{"mon": {{From: "08:00", To: "15:00"}}}
	now := time.Date(2026, 11, 30, 14, 0, 0, 0, loc) // a Monday
	closing, ok := h.ClosingIn(now, loc)
	if !ok || closing != time.Hour {
		t.Fatalf("closing in %v %v", closing, ok)
	}
	open := func(at time.Duration) bool { return h.OpenAt(now.Add(at), loc) }
	got := ExpectedArrivals("a", 10*time.Minute, 4*time.Hour, open, 1<<40)
	if len(got) != 6 {
		t.Fatalf("arrivals 14:05 to 14:55 expected, got %d", len(got))
	}
	for i, c := range got {
		if c.Arrive >= time.Hour || c.ID != 1<<40+uint64(i) {
			t.Errorf("arrival %d: %+v", i, c)
		}
	}
	if _, ok := (Hours{}).ClosingIn(now, loc); ok {
		t.Error("no hours: a closing")
	}
	if c, ok := h.ClosingIn(now.Add(2*time.Hour), loc); !ok || c != 0 {
		t.Errorf("after closing: %v %v", c, ok)
	}
	// A lunch closing: nobody arrives between the periods.
	lunch := Hours{"mon": {{From: "08:00", To: "12:00"}, {From: "13:00", To: "15:00"}}}
	noon := time.Date(2026, 11, 30, 11, 0, 0, 0, loc)
	open = func(at time.Duration) bool { return lunch.OpenAt(noon.Add(at), loc) }
	for _, c := range ExpectedArrivals("a", 10*time.Minute, 4*time.Hour, open, 1) {
		if at := noon.Add(c.Arrive); !lunch.OpenAt(at, loc) {
			t.Errorf("an arrival at %v, closed", at)
		}
	}
}

// A schedule with days holds on those days only: on others the counter is
// planned neither to open, nor to close, nor to take its breaks.
func TestScheduleDays(t *testing.T) {
	loc := athens(t)
	monday := time.Date(2026, 11, 30, 8, 0, 0, 0, loc)
	tuesday := monday.AddDate(0, 0, 1)
	s := Schedule{Days: []string{"mon", "thu"}, Opens: "09:00", Closes: "14:00", Breaks: []Break{{At: "12:00", Minutes: 30}}}
	closed := Counter{ID: "1", Serves: []string{"a"}, Status: CounterClosed, Schedule: s}
	open := Counter{ID: "2", Serves: []string{"a"}, Status: CounterOpen, Schedule: s}

	// Monday 08:00: the closed counter joins at 09:00, the open one stops at 14:00.
	d := desksAt([]Counter{closed, open}, monday, loc)
	if len(d) != 2 || d[0].Busy != time.Hour || !d[1].HasClose || d[1].Closes != 6*time.Hour || len(d[1].Breaks) != 1 {
		t.Errorf("Monday: %+v", d)
	}
	// Tuesday: the closed counter is not expected; the open one has no plan.
	d = desksAt([]Counter{closed, open}, tuesday, loc)
	if len(d) != 1 || d[0].Counter.ID != "2" || d[0].HasClose || len(d[0].Breaks) != 0 {
		t.Errorf("Tuesday: %+v", d)
	}
	if _, ok := PlannedPause(open, tuesday.Add(4*time.Hour), loc); ok {
		t.Error("a Tuesday pause at 12:00 taken for the Monday and Thursday break")
	}
	if _, ok := PlannedPause(open, monday.Add(4*time.Hour), loc); !ok {
		t.Error("the Monday pause at 12:00 not taken for the break")
	}
}

// A counter with a plan per group of days: Tuesday's late shift, the
// other weekdays' morning, nothing at the weekend.
func TestSchedulesPerDay(t *testing.T) {
	loc := athens(t)
	monday := time.Date(2026, 11, 30, 8, 0, 0, 0, loc)
	tuesday, saturday := monday.AddDate(0, 0, 1), monday.AddDate(0, 0, 5)
	morning := Schedule{Days: []string{"mon", "wed", "thu", "fri"}, Opens: "08:00", Closes: "15:00", Breaks: []Break{{At: "11:00", Minutes: 20}}}
	late := Schedule{Days: []string{"tue"}, Opens: "12:00", Closes: "20:00", Breaks: []Break{{At: "16:00", Minutes: 30}}}
	closed := Counter{ID: "1", Serves: []string{"a"}, Status: CounterClosed, Schedules: []Schedule{morning, late}}
	if err := closed.Validate([]Service{{ID: "a"}}); err != nil {
		t.Fatal(err)
	}

	// Monday 08:00: open now (joins at once), closes at 15:00, one break.
	d := desksAt([]Counter{closed}, monday, loc)
	if len(d) != 1 || d[0].Busy != 0 || !d[0].HasClose || d[0].Closes != 7*time.Hour || len(d[0].Breaks) != 1 || d[0].Breaks[0].At != 3*time.Hour {
		t.Errorf("Monday: %+v", d)
	}
	// Tuesday 08:00: joins at 12:00, closes at 20:00, its break at 16:00.
	d = desksAt([]Counter{closed}, tuesday, loc)
	if len(d) != 1 || d[0].Busy != 4*time.Hour || d[0].Closes != 12*time.Hour || len(d[0].Breaks) != 1 || d[0].Breaks[0].At != 8*time.Hour {
		t.Errorf("Tuesday: %+v", d)
	}
	// Saturday: no plan holds, so the closed counter is not expected
	// (beside one open: with none, every counter counts, as if open).
	other := Counter{ID: "9", Serves: []string{"a"}, Status: CounterOpen}
	if d = desksAt([]Counter{closed, other}, saturday, loc); len(d) != 1 || d[0].Counter.ID != "9" {
		t.Errorf("Saturday: %+v", d)
	}
	// A pause is the break of that day's plan only.
	if l, ok := PlannedPause(closed, tuesday.Add(8*time.Hour), loc); !ok || l != 30*time.Minute {
		t.Errorf("Tuesday 16:00 pause: %v %v, want the 30-minute break", l, ok)
	}
	if _, ok := PlannedPause(closed, monday.Add(8*time.Hour), loc); ok {
		t.Error("a Monday pause at 16:00 taken for Tuesday's break")
	}
	// A plan without days covers the days the others do not name.
	rest := Schedule{Opens: "09:00", Closes: "13:00"}
	c := Counter{ID: "2", Schedules: []Schedule{rest, late}}
	if s, ok := c.ScheduleOn(tuesday); !ok || s.Opens != "12:00" {
		t.Errorf("Tuesday: %+v, want the late shift, whatever the order", s)
	}
	if s, ok := c.ScheduleOn(saturday); !ok || s.Opens != "09:00" {
		t.Errorf("Saturday: %+v, want the plan for the other days", s)
	}
	if _, ok := (Counter{ID: "3"}).ScheduleOn(monday); ok {
		t.Error("a counter without a plan has one")
	}
	if p := (Counter{Schedule: late}).Plans(); len(p) != 1 || p[0].Opens != "12:00" {
		t.Errorf("a single schedule's plans: %+v", p)
	}

	for _, tc := range []struct {
		c    Counter
		want string
	}{
		{Counter{ID: "4", Schedule: rest, Schedules: []Schedule{late}}, "not both"},
		{Counter{ID: "4", Schedules: []Schedule{morning, {Days: []string{"fri"}, Opens: "10:00"}}}, "fri is in two schedules"},
		{Counter{ID: "4", Schedules: []Schedule{rest, {Opens: "10:00"}}}, "two schedules name no days"},
		{Counter{ID: "4", Schedules: []Schedule{late, {}}}, "empty"},
		{Counter{ID: "4", Schedules: []Schedule{late, {Days: []string{"mon"}, Opens: "16:00", Closes: "09:00"}}}, "closes (09:00) before it opens"},
		{Counter{ID: "4", Schedules: make([]Schedule, MaxSchedules+1)}, "at most 7 schedules"},
	} {
		tc.c.Serves = []string{"a"}
		err := tc.c.Validate([]Service{{ID: "a"}})
		if ErrorCode(err) != CodeValidation || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: got %v, want a validation error with %q", tc.c.Schedules, err, tc.want)
		}
	}
}
