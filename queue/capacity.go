package queue

import (
	"time"
)

// HourLoad is one hour of a day: the counter time planned in it and the
// part of it that booked appointments take; the rest is the walk-ins'.
type HourLoad struct {
	Hour       int     // 0–23, local
	CounterMin float64 // counter minutes planned
	BookedMin  float64 // minutes of the appointments starting in it
}

// WorkingMinutes returns the minutes counter c is planned to work in
// [from, to) on local day midnight: its plan for that day (opening,
// closing, breaks), or the branch's opening hours when it has none, or the
// whole period when the branch has no hours either. A closed date has
// none.
func WorkingMinutes(c Counter, br Branch, midnight, from, to time.Time) float64 {
	if br.ClosedOn(midnight.Format(DayLayout)) {
		return 0
	}
	var spans [][2]time.Time
	if p, ok := c.ScheduleOn(midnight); ok && (p.Opens != "" || p.Closes != "") {
		opens, closes := midnight, midnight.AddDate(0, 0, 1)
		if t, ok := clockOn(midnight, p.Opens); ok {
			opens = t
		}
		if t, ok := clockOn(midnight, p.Closes); ok {
			closes = t
		}
		spans = append(spans, [2]time.Time{opens, closes})
		total := overlap(spans, from, to)
		for _, b := range p.Breaks {
			if at, ok := clockOn(midnight, b.At); ok {
				total -= overlap([][2]time.Time{{at, at.Add(time.Duration(b.Minutes) * time.Minute)}}, from, to)
			}
		}
		return max(total, 0)
	}
	if len(br.Hours) == 0 {
		return to.Sub(from).Minutes()
	}
	for _, s := range br.Hours[weekdayKey(midnight.Weekday())] {
		opens, ok1 := clockOn(midnight, s.From)
		closes, ok2 := clockOn(midnight, s.To)
		if ok1 && ok2 {
			spans = append(spans, [2]time.Time{opens, closes})
		}
	}
	return overlap(spans, from, to)
}

// overlap is how many minutes of spans fall in [from, to).
func overlap(spans [][2]time.Time, from, to time.Time) float64 {
	total := 0.0
	for _, s := range spans {
		a, b := s[0], s[1]
		if a.Before(from) {
			a = from
		}
		if b.After(to) {
			b = to
		}
		if b.After(a) {
			total += b.Sub(a).Minutes()
		}
	}
	return total
}

// DayLoad returns the hours of local day midnight that have counter time
// or appointments: the counters' planned minutes, and the booked
// appointments' minutes (each its service's time, in the hour it starts).
func DayLoad(br Branch, counters []Counter, midnight time.Time, booked []Appointment, serviceTime func(string) time.Duration) []HourLoad {
	var out []HourLoad
	for h := range 24 {
		from := time.Date(midnight.Year(), midnight.Month(), midnight.Day(), h, 0, 0, 0, midnight.Location())
		to := from.Add(time.Hour)
		l := HourLoad{Hour: h}
		for _, c := range counters {
			l.CounterMin += WorkingMinutes(c, br, midnight, from, to)
		}
		for _, a := range booked {
			if !a.Start.Before(from) && a.Start.Before(to) {
				l.BookedMin += serviceTime(a.Service).Minutes()
			}
		}
		if l.CounterMin > 0 || l.BookedMin > 0 {
			out = append(out, l)
		}
	}
	return out
}
