package queue

import (
	"cmp"
	"slices"
	"time"
)

// Desk is a counter as the forecast sees it: its settings and priority
// streak, and how long its current ticket will still keep it busy.
type Desk struct {
	Counter Counter
	Busy    time.Duration
}

// ForecastLimit bounds the tickets a forecast plays through; beyond it
// the estimate falls back to counting the work ahead (EstimateWait).
const ForecastLimit = 2000

// Forecast plays the call-next policy forward over the waiting tickets, as
// if no one else arrived and every ticket took its service's expected time,
// and returns when each ticket would be called, from now. A ticket that no
// desk would call is missing from the result.
//
// It is the estimate DESIGN.md asks for (the tickets the counters serving a
// service will call first, shared among those counters) made exact for
// counters that serve different mixes of services: a counter that also
// serves a queue with few people waiting spends its time there too, and a
// counter serving only other queues does not help.
func Forecast(waiting []Candidate, desks []Desk, k int, serviceTime func(string) time.Duration) map[uint64]time.Duration {
	// One list per (service, class), in the waiting index's order.
	type list struct {
		items []Candidate
		next  int
	}
	lists := map[string]*[2]list{}
	for _, w := range waiting {
		l := lists[w.Service]
		if l == nil {
			l = &[2]list{}
			lists[w.Service] = l
		}
		class := 1
		if w.Priority {
			class = 0
		}
		l[class].items = append(l[class].items, w)
	}
	for _, l := range lists {
		for c := range l {
			slices.SortFunc(l[c].items, func(a, b Candidate) int {
				return cmp.Or(cmp.Compare(a.IssuedAt, b.IssuedAt), cmp.Compare(a.Seq, b.Seq), cmp.Compare(a.ID, b.ID))
			})
		}
	}
	type desk struct {
		c    Counter
		free time.Duration
	}
	live := make([]*desk, 0, len(desks))
	for _, d := range desks {
		live = append(live, &desk{c: d.Counter, free: max(d.Busy, 0)})
	}
	out := make(map[uint64]time.Duration, len(waiting))
	heads := make([]Candidate, 0, 8)
	for len(out) < len(waiting) && len(live) > 0 {
		// The desk that frees first calls next (ties by counter order).
		i := 0
		for j, d := range live {
			if d.free < live[i].free {
				i = j
			}
		}
		d := live[i]
		heads = heads[:0]
		for _, svc := range d.c.Serves {
			if l := lists[svc]; l != nil {
				for c := range l {
					if l[c].next < len(l[c].items) {
						heads = append(heads, l[c].items[l[c].next])
					}
				}
			}
		}
		pick, streak, ok := Pick(d.c, k, heads)
		if !ok {
			// Nothing left for this desk: it helps no one further.
			live = slices.Delete(live, i, i+1)
			continue
		}
		l := lists[pick.Service]
		if pick.Priority {
			l[0].next++
		} else {
			l[1].next++
		}
		out[pick.ID] = d.free
		d.c.PriorityStreak = streak
		d.free += serviceTime(pick.Service)
	}
	return out
}

// ForecastDesks chooses the desks of a forecast: the open counters, or,
// while none is open (before opening), those not closed, or failing that
// all of them, as if they were open.
func ForecastDesks(counters []Counter, busy func(Counter) time.Duration) []Desk {
	var open, notClosed, all []Desk
	for _, c := range counters {
		d := Desk{Counter: c, Busy: busy(c)}
		all = append(all, d)
		switch c.Status {
		case CounterOpen:
			open = append(open, d)
			notClosed = append(notClosed, d)
		case CounterPaused:
			notClosed = append(notClosed, d)
		}
	}
	switch {
	case len(open) > 0:
		return open
	case len(notClosed) > 0:
		return notClosed
	}
	return all
}
