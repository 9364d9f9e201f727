package queue

import (
	"slices"
	"time"
)

// Schedule is a counter's planned staffing on the days it works (Days;
// none means every day the office opens): when its clerk starts calling,
// when they stop, and the breaks in between. On other days it plans
// nothing: a closed counter is not expected to open, and one opened all the
// same is taken to stay. The wait estimate plans with it, as a manager would:
// a counter that opens at 09:00 will help the queue from 09:00, a break
// takes it away for a while, and after its closing it calls no one.
// Times are "HH:MM" in the branch's time zone; a missing opening or
// closing leaves that end to the clerk (the counter's live status).
type Schedule struct {
	// Days are weekday keys ("mon" … "sun", as in Hours).
	Days   []string `json:"days,omitempty"`
	Opens  string   `json:"opens,omitempty"`
	Closes string   `json:"closes,omitempty"`
	Breaks []Break  `json:"breaks,omitempty"`
}

// Break is a planned break of Minutes, due at At ("HH:MM"). Like a real
// clerk's, it starts when the clerk is next free at or after At (the
// citizen at the counter is served first) and lasts Minutes from then.
type Break struct {
	At      string `json:"at"`
	Minutes int    `json:"minutes"`
}

// Bounds of a schedule, for validation.
const (
	MaxBreaks       = 8
	MaxBreakMinutes = 240
)

// IsZero reports whether nothing is planned (encoding/json's omitzero).
func (s Schedule) IsZero() bool {
	return len(s.Days) == 0 && s.Opens == "" && s.Closes == "" && len(s.Breaks) == 0
}

// MaxSchedules bounds a counter's plans: one a weekday.
const MaxSchedules = 7

// Plans returns the counter's schedules: Schedules, or Schedule alone.
func (c Counter) Plans() []Schedule {
	switch {
	case len(c.Schedules) > 0:
		return c.Schedules
	case !c.Schedule.IsZero():
		return []Schedule{c.Schedule}
	}
	return nil
}

// WithPlans returns c with plans as its schedules, in the one form each
// count has: a single plan as Schedule (as before lists), several as
// Schedules.
func (c Counter) WithPlans(plans []Schedule) Counter {
	c.Schedule, c.Schedules = Schedule{}, nil
	switch len(plans) {
	case 0:
	case 1:
		c.Schedule = plans[0]
	default:
		c.Schedules = slices.Clone(plans)
	}
	return c
}

// ScheduleOn returns the plan that holds on the day of local time lt: the
// one that names that day, else the one that names no days (every other
// day). ok is false when none does.
func (c Counter) ScheduleOn(lt time.Time) (s Schedule, ok bool) {
	day := weekdayKey(lt.Weekday())
	for _, p := range c.Plans() {
		switch {
		case slices.Contains(p.Days, day):
			return p, true
		case len(p.Days) == 0 && !ok:
			s, ok = p, true
		}
	}
	return s, ok
}

// validatePlans checks a counter's schedules: each one, and together no
// day in two of them and at most one for the days none names.
func (c Counter) validatePlans() error {
	if len(c.Schedules) > 0 && !c.Schedule.IsZero() {
		return Errorf(CodeValidation, "counter %s: give schedule or schedules, not both", c.ID)
	}
	if len(c.Schedules) > MaxSchedules {
		return Errorf(CodeValidation, "counter %s: at most %d schedules", c.ID, MaxSchedules)
	}
	seen := map[string]bool{}
	everyDay := false
	for _, s := range c.Plans() {
		if len(c.Schedules) > 0 && s.IsZero() {
			return Errorf(CodeValidation, "counter %s: a schedule in the list is empty", c.ID)
		}
		if err := s.Validate(c.ID); err != nil {
			return err
		}
		if len(s.Days) == 0 {
			if everyDay {
				return Errorf(CodeValidation, "counter %s: two schedules name no days; name the days of all but one", c.ID)
			}
			everyDay = true
		}
		for _, d := range s.Days {
			if seen[d] {
				return Errorf(CodeValidation, "counter %s: %s is in two schedules", c.ID, d)
			}
			seen[d] = true
		}
	}
	return nil
}

// Validate checks the times: each a time of day, the opening before the
// closing, breaks within the working hours and apart from each other.
func (s Schedule) Validate(counter string) error {
	for i, d := range s.Days {
		switch {
		case !isWeekday(d):
			return Errorf(CodeValidation, "counter %s: schedule day %q is not a weekday (use mon … sun)", counter, d)
		case slices.Contains(s.Days[:i], d):
			return Errorf(CodeValidation, "counter %s: schedule day %s is given twice", counter, d)
		}
	}
	opens, closes := 0, 24*60
	if s.Opens != "" {
		m, ok := minutesOf(s.Opens)
		if !ok {
			return Errorf(CodeValidation, "counter %s: schedule opens %q is not a time (use HH:MM)", counter, s.Opens)
		}
		opens = m
	}
	if s.Closes != "" {
		m, ok := minutesOf(s.Closes)
		if !ok {
			return Errorf(CodeValidation, "counter %s: schedule closes %q is not a time (use HH:MM)", counter, s.Closes)
		}
		closes = m
	}
	if closes <= opens {
		return Errorf(CodeValidation, "counter %s: the schedule closes (%s) before it opens (%s)", counter, s.Closes, s.Opens)
	}
	if len(s.Breaks) > MaxBreaks {
		return Errorf(CodeValidation, "counter %s: at most %d breaks", counter, MaxBreaks)
	}
	end := -1 // the previous break's end
	for i, b := range s.Breaks {
		at, ok := minutesOf(b.At)
		switch {
		case !ok:
			return Errorf(CodeValidation, "counter %s: break at %q is not a time (use HH:MM)", counter, b.At)
		case b.Minutes < 1 || b.Minutes > MaxBreakMinutes:
			return Errorf(CodeValidation, "counter %s: the break at %s must last 1 to %d minutes", counter, b.At, MaxBreakMinutes)
		case at < opens || at+b.Minutes > closes:
			return Errorf(CodeValidation, "counter %s: the break at %s (%d min) is outside the working hours %s–%s",
				counter, b.At, b.Minutes, orDash(s.Opens), orDash(s.Closes))
		case i > 0 && at < end:
			return Errorf(CodeValidation, "counter %s: the break at %s starts before the one before it ends (breaks in order, apart)", counter, b.At)
		}
		end = at + b.Minutes
	}
	return nil
}

func orDash(s string) string {
	if s == "" {
		return "…"
	}
	return s
}

// breakSlack is how long before its planned time a pause still counts as
// the planned break (a clerk who goes a little early).
const breakSlack = 20 * time.Minute

// clockOn returns the time "HH:MM" on the day of day (a local time).
func clockOn(day time.Time, hhmm string) (time.Time, bool) {
	m, ok := minutesOf(hhmm)
	if !ok {
		return time.Time{}, false
	}
	y, mo, d := day.Date()
	return time.Date(y, mo, d, m/60, m%60, 0, 0, day.Location()), true
}

// breakFor returns the planned break that a pause begun at p is, if any:
// one of that day's plan, due at most breakSlack after p, not yet over by
// its length.
func (c Counter) breakFor(p time.Time, loc *time.Location) (Break, bool) {
	lp := p.In(loc)
	s, ok := c.ScheduleOn(lp)
	if !ok {
		return Break{}, false
	}
	for _, b := range s.Breaks {
		at, ok := clockOn(lp, b.At)
		if !ok {
			continue
		}
		if !lp.Before(at.Add(-breakSlack)) && lp.Before(at.Add(time.Duration(b.Minutes)*time.Minute)) {
			return b, true
		}
	}
	return Break{}, false
}

// PlannedPause reports whether a pause begun at pausedAt is one of the
// counter's planned breaks, and if so how long it lasts: the break's
// length from when it began. The learned length of pauses is for the
// unplanned ones.
func PlannedPause(c Counter, pausedAt time.Time, loc *time.Location) (time.Duration, bool) {
	if pausedAt.IsZero() {
		return 0, false
	}
	b, ok := c.breakFor(pausedAt, loc)
	return time.Duration(b.Minutes) * time.Minute, ok
}

// Away is a planned absence of a desk in a forecast: from the first moment
// the desk is free at or after At (from now), it is away for Len.
type Away struct {
	At, Len time.Duration
}

// plan is what a counter's schedule means for a forecast made at now:
// when it opens and closes (from now; ok false for none) and the breaks
// it has still to take.
type plan struct {
	opens, closes       time.Duration
	hasOpens, hasCloses bool
	breaks              []Away
}

func (c Counter) plan(now time.Time, loc *time.Location) plan {
	var p plan
	ln := now.In(loc)
	s, ok := c.ScheduleOn(ln)
	if !ok || s.IsZero() {
		return p
	}
	if s.Opens != "" {
		if t, ok := clockOn(ln, s.Opens); ok {
			p.opens, p.hasOpens = t.Sub(now), true
		}
	}
	if s.Closes != "" {
		if t, ok := clockOn(ln, s.Closes); ok {
			p.closes, p.hasCloses = t.Sub(now), true
		}
	}
	// A break the clerk is on now, or took earlier today, is not to come.
	var taken []string
	for _, at := range []time.Time{c.PausedAt, c.LastPause} {
		if at.IsZero() || !sameDay(at.In(loc), ln) {
			continue
		}
		if b, ok := c.breakFor(at, loc); ok {
			taken = append(taken, b.At)
		}
	}
	for _, b := range s.Breaks {
		t, ok := clockOn(ln, b.At)
		length := time.Duration(b.Minutes) * time.Minute
		if !ok || slices.Contains(taken, b.At) || !t.Add(length).After(now) {
			continue // taken, or over (skipped: it will not come now)
		}
		p.breaks = append(p.breaks, Away{At: t.Sub(now), Len: length})
	}
	return p
}

func sameDay(a, b time.Time) bool {
	ay, am, ad := a.Date()
	by, bm, bd := b.Date()
	return ay == by && am == bm && ad == bd
}

// ClosingIn returns how long from now until the office stops issuing
// tickets today (the end of its last opening period today; 0 when that is
// past), and false when the hours set none (no hours: always open).
func (h Hours) ClosingIn(now time.Time, loc *time.Location) (time.Duration, bool) {
	if len(h) == 0 {
		return 0, false
	}
	ln := now.In(loc)
	last := -1
	for _, s := range h[weekdayKey(ln.Weekday())] {
		if to, ok := minutesOf(s.To); ok && to > last {
			last = to
		}
	}
	if last < 0 {
		return 0, true // closed all day
	}
	y, mo, d := ln.Date()
	return max(time.Date(y, mo, d, last/60, last%60, 0, 0, loc).Sub(now), 0), true
}
