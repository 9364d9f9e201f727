package waits

import (
	"slices"
	"time"

	"github.com/seira-queue/seira/engine"
)

// Slot is the width of one point of a branch's curve of today.
const Slot = 30 * time.Minute

// Point is the mean wait of the tickets first called within one slot of
// today (local time), and how many they were.
type Point struct {
	At    time.Time `json:"at"`
	WaitS int       `json:"wait_s"`
	Calls int       `json:"calls"`
}

// today bins the first calls into slots of local time, in order; slots
// without a call have no point (a gap, not a zero wait).
func today(calls []engine.FirstCall, loc *time.Location) []Point {
	type acc struct {
		sum time.Duration
		n   int
	}
	slots := map[time.Time]*acc{}
	for _, c := range calls {
		k := slotOf(c.At, loc)
		a := slots[k]
		if a == nil {
			a = &acc{}
			slots[k] = a
		}
		a.sum += c.Wait
		a.n++
	}
	pts := make([]Point, 0, len(slots))
	for at, a := range slots {
		mean := a.sum / time.Duration(a.n)
		pts = append(pts, Point{At: at, WaitS: int(mean.Round(time.Second) / time.Second), Calls: a.n})
	}
	slices.SortFunc(pts, func(a, b Point) int { return a.At.Compare(b.At) })
	return pts
}

// slotOf is the start of t's slot in loc: slots follow the local clock
// (09:00, 09:30…), also in zones with an offset of a half hour.
func slotOf(t time.Time, loc *time.Location) time.Time {
	l := t.In(loc)
	m := (l.Hour()*60 + l.Minute()) / int(Slot/time.Minute) * int(Slot/time.Minute)
	return time.Date(l.Year(), l.Month(), l.Day(), m/60, m%60, 0, 0, loc)
}
