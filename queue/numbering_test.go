package queue

import (
	"testing"
	"time"
)

func athens(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Athens")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestServiceDayFollowsLocalMidnight(t *testing.T) {
	loc := athens(t)
	cases := []struct {
		utc  string
		want string
	}{
		// Winter: UTC+2. 21:59:59Z is 23:59:59 local; 22:00Z is the next day.
		{"2026-11-27T21:59:59Z", "2026-11-27"},
		{"2026-11-27T22:00:00Z", "2026-11-28"},
		// Summer: UTC+3.
		{"2026-07-01T20:59:59Z", "2026-07-01"},
		{"2026-07-01T21:00:00Z", "2026-07-02"},
		// The DST changes (last Sundays of March and October, 03:00/04:00 local).
		{"2026-03-28T21:59:59Z", "2026-03-28"},
		{"2026-03-28T22:00:00Z", "2026-03-29"},
		{"2026-03-29T20:59:59Z", "2026-03-29"}, // 23:59:59 EEST
		{"2026-03-29T21:00:00Z", "2026-03-30"},
		{"2026-10-24T20:59:59Z", "2026-10-24"},
		{"2026-10-24T21:00:00Z", "2026-10-25"},
		{"2026-10-25T21:59:59Z", "2026-10-25"}, // 23:59:59 EET
		{"2026-10-25T22:00:00Z", "2026-10-26"},
	}
	for _, c := range cases {
		at, _ := time.Parse(time.RFC3339, c.utc)
		if got := ServiceDay(at, loc); got != c.want {
			t.Errorf("ServiceDay(%s) = %s, want %s", c.utc, got, c.want)
		}
	}
}

func TestDayBoundsAcrossDST(t *testing.T) {
	loc := athens(t)
	for day, hours := range map[string]float64{"2026-03-29": 23, "2026-10-25": 25, "2026-11-27": 24} {
		start, end, err := DayBounds(day, loc)
		if err != nil {
			t.Fatal(err)
		}
		if got := end.Sub(start).Hours(); got != hours {
			t.Errorf("%s lasts %v h, want %v", day, got, hours)
		}
		if ServiceDay(start, loc) != day || ServiceDay(end.Add(-time.Nanosecond), loc) != day || ServiceDay(end, loc) == day {
			t.Errorf("%s: bounds %v..%v do not enclose the day", day, start, end)
		}
	}
	if _, _, err := DayBounds("27/11/2026", loc); ErrorCode(err) != CodeValidation {
		t.Errorf("bad date: %v", err)
	}
}

func TestFormatNumber(t *testing.T) {
	for _, c := range []struct {
		prefix string
		seq    int
		want   string
	}{{"A", 1, "A001"}, {"A", 12, "A012"}, {"Γ", 999, "Γ999"}, {"B", 1000, "B1000"}} {
		if got := FormatNumber(c.prefix, c.seq); got != c.want {
			t.Errorf("FormatNumber(%s, %d) = %s", c.prefix, c.seq, got)
		}
	}
}
