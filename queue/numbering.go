package queue

import (
	"fmt"
	"time"
)

// DayLayout is the form of a service day: the local calendar date.
const DayLayout = "2006-01-02"

// ServiceDay returns the service day of t in loc: the calendar date on the
// branch's wall clock, so numbering restarts at local midnight whatever the
// UTC offset is that day (DST included).
func ServiceDay(t time.Time, loc *time.Location) string {
	return t.In(loc).Format(DayLayout)
}

// DayBounds returns the first instant of service day day in loc and the first
// instant of the next. Days are 23 or 25 hours long across DST changes.
func DayBounds(day string, loc *time.Location) (start, end time.Time, err error) {
	d, err := time.ParseInLocation(DayLayout, day, loc)
	if err != nil {
		return time.Time{}, time.Time{}, Errorf(CodeValidation, "bad date %q: want YYYY-MM-DD", day)
	}
	y, m, dd := d.Date()
	return time.Date(y, m, dd, 0, 0, 0, 0, loc), time.Date(y, m, dd+1, 0, 0, 0, 0, loc), nil
}

// FormatNumber returns the ticket number for a service prefix and daily
// sequence: A001 … A999, then A1000.
func FormatNumber(prefix string, seq int) string {
	return fmt.Sprintf("%s%03d", prefix, seq)
}
