package sim

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/seira-queue/seira/engine"
	"github.com/seira-queue/seira/queue"
)

// MaxWarm bounds Options.Warm.
const MaxWarm = 60

// warmActor is who the warm-up's actions are recorded as.
const warmActor = "sim-warm"

// warmSeed is the seed of the k-th earlier day (k from 1) of a run of
// seed: other citizens every day, none of them the measured day's (nor,
// in practice, another seed's).
func warmSeed(seed uint64, k int) uint64 {
	return seed ^ (uint64(k) * 0x9e3779b97f4a7c15)
}

// warmDays returns the openings of the n weekdays before the day opening
// at opening, the earliest first.
func warmDays(d Day, opening time.Time, n int) ([]time.Time, error) {
	loc, err := d.Location()
	if err != nil {
		return nil, err
	}
	y, m, dd := opening.In(loc).Date()
	midnight := time.Date(y, m, dd, 0, 0, 0, 0, loc)
	out := make([]time.Time, n)
	for i := n - 1; i >= 0; i-- {
		midnight = prevWeekday(midnight, loc)
		out[i] = atTime(midnight, d.Open)
	}
	return out, nil
}

// warmUp plays the n weekdays before the measured day through the
// engine, at the instants of their events, so that the server learns what
// it would have learned of n days of this office: the service times of
// the tickets finished (and no-shows waited for) and the arrival rates of
// the priority tickets. Each earlier day has citizens of its own
// (warmSeed) drawn as the measured day's are, and clerks who work as the
// simulator's do (open, call, serve, wait for no-shows, pause, close when
// nobody waits after closing or at the hard stop); a booked citizen who
// comes takes a regular ticket at their arrival (the learning is the same:
// their service time, and no priority). Nothing of it is measured.
// Tickets still waiting at the end of an earlier day expire at the next
// day's first action, as on a real server.
func warmUp(ctx context.Context, eng *engine.Engine, clock *fastClock, d Day, opts Options, opening time.Time) error {
	days, err := warmDays(d, opening, opts.Warm)
	if err != nil {
		return err
	}
	defer clock.set(opening)
	for k, base := range days {
		clock.set(base)
		if k == 0 {
			if err := warmDefaults(ctx, eng, d); err != nil {
				return err
			}
		}
		w := &warmer{eng: eng, clock: clock, day: d, base: base, hardStop: opts.HardStop, cits: map[uint64]Citizen{}}
		if err := w.play(ctx, Plan(d, warmSeed(opts.Seed, opts.Warm-k))); err != nil {
			return fmt.Errorf("warm-up day %s: %w", base.Format(time.DateOnly), err)
		}
	}
	return nil
}

// warmDefaults gives each service the day's mean service time as its
// default before the first earlier day, as the run's plan does
// (announcePlan) before the measured day.
func warmDefaults(ctx context.Context, eng *engine.Engine, d Day) error {
	snap, err := eng.Snapshot(ctx, d.Branch)
	if err != nil {
		return err
	}
	for _, s := range snap.Services {
		ds, ok := d.service(s.Service.ID)
		if !ok {
			continue
		}
		svc := s.Service
		svc.DefaultServiceS = ds.defaultServiceS()
		if svc.DefaultServiceS == s.Service.DefaultServiceS {
			continue
		}
		if _, err := eng.PutService(ctx, warmActor, d.Branch, svc); err != nil {
			return fmt.Errorf("service %s default service time: %w", svc.ID, err)
		}
	}
	return nil
}

// warmer plays one earlier day as a discrete-event simulation: the clock
// stands at each event in turn.
type warmer struct {
	eng      *engine.Engine
	clock    *fastClock
	day      Day
	base     time.Time
	hardStop time.Duration
	category string
	cits     map[uint64]Citizen // by ticket id
}

type warmCounter struct {
	dc     DayCounter
	state  int // one of the warm* states
	next   time.Time
	noShow bool
	pauses []warmPause
}

type warmPause struct {
	at     time.Time
	length time.Duration
}

const (
	warmClosed = iota // not yet opened
	warmFree
	warmBusy
	warmPaused
	warmGone // closed for the day
)

func (w *warmer) at(off time.Duration) time.Time { return w.base.Add(off) }

func (w *warmer) play(ctx context.Context, plan []Citizen) error {
	d := w.day
	closing := w.at(time.Duration(d.Close - d.Open))
	hardStop := closing.Add(w.hardStop)
	if d.PriorityRate > 0 {
		snap, err := w.eng.Snapshot(ctx, d.Branch)
		if err != nil {
			return err
		}
		if w.category = priorityCategory(snap.Branch.Priorities); w.category == "" {
			return fmt.Errorf("branch %s accepts no priority category", d.Branch)
		}
	}
	counters := make([]*warmCounter, len(d.Counters))
	for i, dc := range d.Counters {
		c := &warmCounter{dc: dc, next: w.at(time.Duration(d.opens(dc) - d.Open))}
		for _, ps := range dc.Pauses {
			c.pauses = append(c.pauses, warmPause{w.at(time.Duration(ps.At - d.Open)), time.Duration(ps.Minutes * float64(time.Minute))})
		}
		sort.Slice(c.pauses, func(i, j int) bool { return c.pauses[i].at.Before(c.pauses[j].at) })
		counters[i] = c
	}
	var arrivals []Citizen
	for _, c := range plan {
		if !c.ApptNoShow {
			arrivals = append(arrivals, c)
		}
	}
	walk := time.Duration(d.WalkToCounterS * float64(time.Second))
	ai := 0
	for ctx.Err() == nil {
		// The earliest event: an arrival first at a tie, then the
		// counters in the day's order.
		var c *warmCounter
		t := hardStop.Add(time.Nanosecond)
		if ai < len(arrivals) {
			t = w.at(arrivals[ai].At)
		}
		for _, x := range counters {
			if x.state != warmGone && x.next.Before(t) {
				c, t = x, x.next
			}
		}
		if t.After(hardStop) {
			break
		}
		w.clock.set(t)
		if c == nil {
			if err := w.issue(ctx, arrivals[ai]); err != nil {
				return err
			}
			ai++
			continue
		}
		id := c.dc.ID
		switch c.state {
		case warmClosed:
			if _, err := w.eng.OpenCounter(ctx, d.Branch, id, warmActor); err != nil {
				return fmt.Errorf("open counter %s: %w", id, err)
			}
			c.state = warmFree
		case warmPaused:
			c.state = warmFree
		case warmBusy:
			finish := w.eng.Done
			if c.noShow {
				finish = w.eng.NoShow
			}
			if _, err := finish(ctx, d.Branch, id, warmActor); err != nil {
				return fmt.Errorf("counter %s: %w", id, err)
			}
			c.state = warmFree
		case warmFree:
			if len(c.pauses) > 0 && !t.Before(c.pauses[0].at) {
				c.state, c.next = warmPaused, t.Add(c.pauses[0].length)
				c.pauses = c.pauses[1:]
				continue
			}
			res, err := w.eng.CallNext(ctx, d.Branch, id, warmActor)
			if err != nil {
				return fmt.Errorf("counter %s next: %w", id, err)
			}
			if res.Ticket.ID == 0 {
				if !t.Before(closing) && ai == len(arrivals) {
					if _, err := w.eng.CloseCounter(ctx, d.Branch, id, warmActor); err != nil {
						return fmt.Errorf("close counter %s: %w", id, err)
					}
					c.state = warmGone
					continue
				}
				c.next = t.Add(retryAfter)
				if len(c.pauses) > 0 && c.pauses[0].at.Before(c.next) {
					c.next = c.pauses[0].at
				}
				continue
			}
			cit, ok := w.cits[res.Ticket.ID]
			if !ok {
				cit = Citizen{ServiceTime: time.Minute}
			}
			c.state, c.noShow = warmBusy, cit.NoShow
			c.next = t.Add(walk + cit.ServiceTime)
			if cit.NoShow {
				c.next = t.Add(NoShowWait)
			}
			continue
		}
		c.next = t
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	// The hard stop: the counters still open close, finishing their
	// current ticket as done.
	w.clock.set(hardStop)
	for _, c := range counters {
		if c.state == warmClosed || c.state == warmGone {
			continue
		}
		if _, err := w.eng.CloseCounter(ctx, d.Branch, c.dc.ID, warmActor); err != nil {
			return fmt.Errorf("close counter %s: %w", c.dc.ID, err)
		}
	}
	return nil
}

func (w *warmer) issue(ctx context.Context, c Citizen) error {
	prio := queue.PriorityNone
	if c.Priority && !c.Booked {
		prio = w.category
	}
	info, err := w.eng.Issue(ctx, w.day.Branch, engine.IssueRequest{Service: c.Service, Priority: prio, Lang: "el", Actor: warmActor})
	if err != nil {
		return fmt.Errorf("issue a %s ticket: %w", c.Service, err)
	}
	w.cits[info.Ticket.ID] = c
	return nil
}
