package queue

import (
	"time"
)

// Slot is one bookable period of a service.
type Slot struct {
	Start time.Time
	End   time.Time
}

// SlotsOn returns the slots of svc on service day day in loc: from the
// start of each of the branch's opening periods that day, one slot length
// after another, each ending within the period. A branch without hours is
// open all day; a closed date has none.
func SlotsOn(br Branch, svc Service, day string, loc *time.Location) ([]Slot, error) {
	start, _, err := DayBounds(day, loc)
	if err != nil {
		return nil, err
	}
	if br.ClosedOn(day) {
		return nil, nil
	}
	spans := []Span{{From: "00:00", To: "24:00"}}
	if len(br.Hours) > 0 {
		spans = br.Hours[weekdayKey(start.Weekday())]
	}
	length := svc.Booking().Slot()
	y, m, d := start.Date()
	var out []Slot
	for _, sp := range spans {
		from, ok := minutesOf(sp.From)
		to := 24 * 60
		if sp.To != "24:00" {
			to, ok = minutesOf(sp.To)
		}
		if !ok {
			continue
		}
		for min := from; min+int(length/time.Minute) <= to; min += int(length / time.Minute) {
			s := time.Date(y, m, d, 0, min, 0, 0, loc)
			out = append(out, Slot{Start: s, End: s.Add(length)})
		}
	}
	return out, nil
}

// BookingLimits are what a booking is checked against besides the slots.
type BookingLimits struct {
	Now time.Time
	// AnyStart takes any start from today on, aligned or not and whether
	// or not the service is bookable: an outside booking system's import
	// decides for itself.
	AnyStart bool
}

// SlotAt returns the slot of svc that starts at start, or not_bookable
// with the reason: the service is not bookable, the start is past, too
// far ahead, on a closed date or not the start of a slot.
func SlotAt(br Branch, svc Service, start time.Time, loc *time.Location, lim BookingLimits) (Slot, error) {
	day := ServiceDay(start, loc)
	today := ServiceDay(lim.Now, loc)
	length := svc.Booking().Slot()
	if lim.AnyStart {
		if day < today {
			return Slot{}, Errorf(CodeNotBookable, "%s is before today", day)
		}
		return Slot{Start: start, End: start.Add(length)}, nil
	}
	if !svc.Bookable() {
		return Slot{}, Errorf(CodeNotBookable, "service %s takes no appointments", svc.ID)
	}
	if !start.After(lim.Now) {
		return Slot{}, Errorf(CodeNotBookable, "%s has begun or passed", start.In(loc).Format("2006-01-02 15:04"))
	}
	last := LastBookableDay(svc, lim.Now, loc)
	if day > last {
		return Slot{}, Errorf(CodeNotBookable, "%s is too far ahead: the service can be booked up to %s", day, last)
	}
	if br.ClosedOn(day) {
		return Slot{}, Errorf(CodeNotBookable, "the office is closed on %s", day)
	}
	slots, err := SlotsOn(br, svc, day, loc)
	if err != nil {
		return Slot{}, err
	}
	for _, s := range slots {
		if s.Start.Equal(start) {
			return s, nil
		}
	}
	return Slot{}, Errorf(CodeNotBookable, "no slot of service %s starts at %s: the office is closed then, or slots start every %d minutes",
		svc.ID, start.In(loc).Format("2006-01-02 15:04"), int(length/time.Minute))
}

// LastBookableDay is the last service day svc can be booked on, from now.
func LastBookableDay(svc Service, now time.Time, loc *time.Location) string {
	l := now.In(loc)
	return time.Date(l.Year(), l.Month(), l.Day()+svc.Booking().Ahead(), 12, 0, 0, 0, loc).Format(DayLayout)
}

// ValidateClosedDates checks a branch's closed dates.
func ValidateClosedDates(dates []string) error {
	if len(dates) > MaxClosedDates {
		return Errorf(CodeValidation, "at most %d closed dates", MaxClosedDates)
	}
	for _, d := range dates {
		if _, err := time.Parse(DayLayout, d); err != nil {
			return Errorf(CodeValidation, "closed date %q: use YYYY-MM-DD", d)
		}
	}
	return nil
}
