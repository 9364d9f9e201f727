package sim

import (
	"context"
	"sync"
	"time"
)

// serverClock maps real time to the server's simulated time: the server
// said "at" at real instant real0 and its clock runs speed times faster.
type serverClock struct {
	at0   time.Time
	real0 time.Time // with its monotonic reading
	speed float64
}

func (c serverClock) now() time.Time {
	return c.at0.Add(time.Duration(float64(time.Since(c.real0)) * c.speed))
}

// real is how long d of server time takes in real time.
func (c serverClock) real(d time.Duration) time.Duration {
	return time.Duration(float64(d) / c.speed)
}

// sleepUntil waits until the server's clock reads t.
func (c serverClock) sleepUntil(ctx context.Context, t time.Time) error {
	d := t.Sub(c.now())
	if d <= 0 {
		return ctx.Err()
	}
	timer := time.NewTimer(c.real(d))
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return nil
	}
}

// fastClock is the in-process server's clock: it stands at base until
// started, so that setting up takes no simulated time, then runs speed
// times faster than real time.
type fastClock struct {
	base  time.Time
	speed float64

	mu    sync.Mutex
	real0 time.Time // zero until started
}

func (c *fastClock) Now() time.Time {
	c.mu.Lock()
	r0, base := c.real0, c.base
	c.mu.Unlock()
	if r0.IsZero() {
		return base
	}
	return base.Add(time.Duration(float64(time.Since(r0)) * c.speed))
}

// set moves a clock not yet started to t (the warm-up's earlier days).
func (c *fastClock) set(t time.Time) {
	c.mu.Lock()
	if c.real0.IsZero() {
		c.base = t
	}
	c.mu.Unlock()
}

func (c *fastClock) start() {
	c.mu.Lock()
	if c.real0.IsZero() {
		c.real0 = time.Now()
	}
	c.mu.Unlock()
}

// prevWeekday returns midnight of the last Monday-to-Friday before
// midnight's date in loc.
func prevWeekday(midnight time.Time, loc *time.Location) time.Time {
	y, m, d := midnight.In(loc).Date()
	for i := 1; ; i++ {
		day := time.Date(y, m, d-i, 0, 0, 0, 0, loc)
		if wd := day.Weekday(); wd != time.Saturday && wd != time.Sunday {
			return day
		}
	}
}

// nextWeekday returns midnight of the first Monday-to-Friday after now's
// date in loc.
func nextWeekday(now time.Time, loc *time.Location) time.Time {
	y, m, d := now.In(loc).Date()
	for i := 1; ; i++ {
		day := time.Date(y, m, d+i, 0, 0, 0, 0, loc)
		if wd := day.Weekday(); wd != time.Saturday && wd != time.Sunday {
			return day
		}
	}
}

// atTime returns the instant of wall-clock time tod on the date of
// midnight in loc (DST-safe: it goes through the calendar, not durations).
func atTime(midnight time.Time, tod TimeOfDay) time.Time {
	y, m, d := midnight.Date()
	dur := time.Duration(tod)
	return time.Date(y, m, d, int(dur/time.Hour), int(dur%time.Hour/time.Minute), 0, 0, midnight.Location())
}

func earlier(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
