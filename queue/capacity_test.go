package queue

import (
	"testing"
	"time"
)

func TestDayLoadCountsPlansBreaksAndBookings(t *testing.T) {
	loc, _ := time.LoadLocation("Europe/Athens")
	monday := time.Date(2026, 12, 7, 0, 0, 0, 0, loc)
	br := Branch{Hours: Hours{"mon": {{From: "08:00", To: "14:00"}}}}
	counters := []Counter{
		{ID: "1", Serves: []string{"a"}}, // the office's hours
		{ID: "2", Serves: []string{"a"}, Schedule: Schedule{Opens: "09:30", Closes: "12:00", Breaks: []Break{{At: "10:00", Minutes: 15}}}},
	}
	booked := []Appointment{
		{Service: "a", Start: time.Date(2026, 12, 7, 10, 0, 0, 0, loc)},
		{Service: "a", Start: time.Date(2026, 12, 7, 10, 45, 0, 0, loc)},
		{Service: "a", Start: time.Date(2026, 12, 7, 15, 0, 0, 0, loc)}, // after closing: still shown
	}
	got := DayLoad(br, counters, monday, booked, func(string) time.Duration { return 10 * time.Minute })
	want := map[int][2]float64{8: {60, 0}, 9: {90, 0}, 10: {105, 20}, 11: {120, 0}, 12: {60, 0}, 13: {60, 0}, 15: {0, 10}}
	if len(got) != len(want) {
		t.Fatalf("hours %+v", got)
	}
	for _, h := range got {
		if w := want[h.Hour]; h.CounterMin != w[0] || h.BookedMin != w[1] {
			t.Errorf("%02d: %v counter, %v booked; want %v", h.Hour, h.CounterMin, h.BookedMin, w)
		}
	}
	br.ClosedDates = []string{"2026-12-07"}
	if got := DayLoad(br, counters, monday, nil, nil); len(got) != 0 {
		t.Errorf("a closed date: %+v", got)
	}
}
