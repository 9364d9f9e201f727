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
	// Breaks are its planned breaks still to come, in order.
	Breaks []Away
	// Closes is when it stops calling, from now, if HasClose (its
	// scheduled closing): the ticket it has then is served, no other.
	Closes   time.Duration
	HasClose bool
}

// ForecastLimit bounds the tickets a forecast plays through; beyond it
// the estimate falls back to counting the work ahead (EstimateWait). An
// office rarely has this many waiting, and past it a forecast for every
// ticket issued would cost more than it adds.
const ForecastLimit = 400

// fcList is one (service, class) list of a forecast, in call order. An
// appointment ticket is in two lists, its class's (by check-in) and its
// service's appointments (by slot), as in the store: taken from one, it is
// passed over in the other.
type fcList struct {
	items []fcItem
	next  int
}

// fcItem is a ticket of a forecast and its index in the queue forecast.
type fcItem struct {
	Candidate
	i int
}

// head returns the first item not taken, and not skipped by skip.
func (l *fcList) head(taken []bool, skip func(Candidate) bool) (fcItem, bool) {
	for l.next < len(l.items) && taken[l.items[l.next].i] {
		l.next++
	}
	for i := l.next; i < len(l.items); i++ {
		c := l.items[i]
		if taken[c.i] || skip != nil && skip(c.Candidate) {
			continue
		}
		return c, true
	}
	return fcItem{}, false
}

// fcDesk is a desk during a forecast: free is when it next calls.
type fcDesk struct {
	c        Counter
	free     time.Duration
	breaks   []Away
	closes   time.Duration
	hasClose bool
}

// Forecast plays the call-next policy forward over the waiting tickets,
// every ticket taking its service's expected time, and returns when each
// ticket would be called, from now. A ticket that no desk would call is
// missing from the result.
//
// It is the estimate DESIGN.md asks for (the tickets the counters serving a
// service will call first, shared among those counters) made exact for
// counters that serve different mixes of services: a counter that also
// serves a queue with few people waiting spends its time there too, and a
// counter serving only other queues does not help.
//
// Candidates with a positive Arrive are tickets expected later (priority
// tickets, which will go ahead of the regular ones): a desk calls them only
// once they have arrived, and they get no forecast of their own.
func Forecast(waiting []Candidate, desks []Desk, k int, serviceTime func(string) time.Duration) map[uint64]time.Duration {
	return ForecastAt(waiting, desks, Policy{K: k}, serviceTime)
}

// ForecastAt is Forecast with appointments: it plays PickAt with p, whose
// Now is the time of the forecast (each call at its own time from it).
// Appointment tickets (Due set) go ahead of walk-ins from their slot's
// start; booked appointments not checked in yet come as expected arrivals
// (Arrive, with their Due).
func ForecastAt(waiting []Candidate, desks []Desk, p Policy, serviceTime func(string) time.Duration) map[uint64]time.Duration {
	f := newForecaster(waiting)
	return f.result(f.play(desks, p, func(c Candidate) time.Duration { return serviceTime(c.Service) }))
}

// ForecastMedian is the median of k plays of ForecastAt over waiting
// (medianOf), play j with the desks and each ticket's
// service time that draw(j) gives it: a sampled forecast, whose plays draw
// by chance what the forecast does not know (the service times to come,
// the rests of the tickets at the counters). The queue is sorted once for
// all the plays.
func ForecastMedian(waiting []Candidate, p Policy, k int, draw func(play int) ([]Desk, func(Candidate) time.Duration)) map[uint64]time.Duration {
	f := newForecaster(waiting)
	plays := make([][]time.Duration, 0, k)
	for j := range k {
		desks, serviceTime := draw(j)
		plays = append(plays, f.play(desks, p, serviceTime))
	}
	med := make([]time.Duration, len(waiting))
	waits := make([]time.Duration, 0, k)
	for i := range med {
		waits = waits[:0]
		for _, p := range plays {
			if p[i] >= 0 {
				waits = append(waits, p[i])
			}
		}
		med[i] = medianOf(waits, k)
	}
	return f.result(med)
}

// medianOf is the median of k plays' waits of a ticket, of which waits
// are those where it was called: a play where it was not counts as later
// than all others, and -1 says that half the plays or more did not call it.
func medianOf(waits []time.Duration, k int) time.Duration {
	if len(waits) <= k/2 {
		return -1
	}
	slices.Sort(waits)
	return waits[k/2]
}

// forecaster is a queue sorted for ForecastAt's plays.
type forecaster struct {
	waiting []Candidate
	lists   map[string]*[3]fcList
	real    int
	taken   []bool
}

const classAppt = 2

func newForecaster(waiting []Candidate) *forecaster {
	lists := map[string]*[3]fcList{}
	real := 0
	for i, w := range waiting {
		l := lists[w.Service]
		if l == nil {
			l = &[3]fcList{}
			lists[w.Service] = l
		}
		it := fcItem{Candidate: w, i: i}
		l[classOf(w)].items = append(l[classOf(w)].items, it)
		if w.Due != 0 {
			l[classAppt].items = append(l[classAppt].items, it)
		}
		if w.Arrive == 0 {
			real++
		}
	}
	for _, l := range lists {
		for c := range 2 {
			slices.SortFunc(l[c].items, func(a, b fcItem) int {
				return cmp.Or(cmp.Compare(a.Arrive, b.Arrive), cmp.Compare(a.IssuedAt, b.IssuedAt),
					cmp.Compare(a.Seq, b.Seq), cmp.Compare(a.ID, b.ID))
			})
		}
		slices.SortFunc(l[classAppt].items, func(a, b fcItem) int {
			return cmp.Or(cmp.Compare(a.Due, b.Due), cmp.Compare(a.IssuedAt, b.IssuedAt), cmp.Compare(a.Seq, b.Seq), cmp.Compare(a.ID, b.ID))
		})
	}
	return &forecaster{waiting: waiting, lists: lists, real: real, taken: make([]bool, len(waiting))}
}

// result is a play's (or the plays' median) call times as ForecastAt
// gives them: by ticket id, the tickets waiting now that a desk calls.
func (f *forecaster) result(calls []time.Duration) map[uint64]time.Duration {
	out := make(map[uint64]time.Duration, f.real)
	for i, w := range f.waiting {
		if w.Arrive == 0 && calls[i] >= 0 {
			out[w.ID] = calls[i]
		}
	}
	return out
}

// play is one play of the forecast from its lists' start: each ticket's
// call time, by its index in the queue (-1: not called).
func (f *forecaster) play(desks []Desk, p Policy, serviceTime func(Candidate) time.Duration) []time.Duration {
	lists, real, taken := f.lists, f.real, f.taken
	clear(taken)
	for _, l := range lists {
		for c := range l {
			l[c].next = 0
		}
	}
	live := make([]*fcDesk, 0, len(desks))
	for _, d := range desks {
		live = append(live, &fcDesk{c: d.Counter, free: max(d.Busy, 0), breaks: d.Breaks, closes: d.Closes, hasClose: d.HasClose})
	}
	out := make([]time.Duration, len(f.waiting))
	for i := range out {
		out[i] = -1
	}
	called := 0
	heads := make([]Candidate, 0, 12)
	at := make([]int, 0, 12) // the heads' indexes
	for called < real && len(live) > 0 {
		// The desk that frees first calls next (ties by counter order).
		i := 0
		for j, d := range live {
			if d.free < live[i].free {
				i = j
			}
		}
		d := live[i]
		if len(d.breaks) > 0 && d.free >= d.breaks[0].At {
			// Free at or after a planned break: the clerk takes it now.
			d.free += d.breaks[0].Len
			d.breaks = d.breaks[1:]
			continue
		}
		if d.hasClose && d.free >= d.closes {
			live = slices.Delete(live, i, i+1) // its day is over
			continue
		}
		now := p.Now + int64(d.free)
		// In its class's list, an appointment whose slot has begun is
		// passed over: it is its service's appointments' to give.
		due := func(c Candidate) bool { return c.Due != 0 && c.Due <= now }
		heads, at = heads[:0], at[:0]
		next, later := time.Duration(0), false // the next arrival for this desk
		for _, svc := range d.c.Serves {
			l := lists[svc]
			if l == nil {
				continue
			}
			for c := range l {
				skip := due
				if c == classAppt {
					skip = nil
				}
				h, ok := l[c].head(taken, skip)
				switch {
				case !ok:
				case h.Arrive <= d.free:
					heads, at = append(heads, h.Candidate), append(at, h.i)
				case !later || h.Arrive < next:
					next, later = h.Arrive, true
				}
			}
		}
		pol := p
		pol.Now = now
		pick, streaks, ok := PickAt(d.c, pol, heads)
		if !ok {
			if !later {
				// Nothing left for this desk: it helps no one further.
				live = slices.Delete(live, i, i+1)
				continue
			}
			// Idle until someone arrives, or until a break due first.
			if len(d.breaks) > 0 && d.breaks[0].At < next {
				next = max(d.free, d.breaks[0].At)
			}
			d.free = next
			continue
		}
		k := at[slices.IndexFunc(heads, func(h Candidate) bool { return h.ID == pick.ID })]
		taken[k] = true
		if pick.Arrive == 0 && out[k] < 0 {
			out[k] = d.free
			called++
		}
		d.c.PriorityStreak, d.c.ApptStreak = streaks.Priority, streaks.Appt
		d.free += serviceTime(pick)
	}
	return out
}

func classOf(c Candidate) int {
	if c.Priority {
		return 0
	}
	return 1
}

// ExpectedArrivals returns the priority tickets expected to arrive for
// service svc within horizon, one every gap: the forecast's allowance for
// the people who will go ahead of the waiting ones. open, when not nil,
// says whether the office issues tickets at a time from now (opening
// hours): nobody arrives while it does not. ids are made from base, which
// must not collide with real ticket ids.
func ExpectedArrivals(svc string, gap, horizon time.Duration, open func(time.Duration) bool, base uint64) []Candidate {
	if gap <= 0 {
		return nil
	}
	var out []Candidate
	for at, i := gap/2, uint64(0); at < horizon; at += gap {
		if open != nil && !open(at) {
			continue
		}
		out = append(out, Candidate{ID: base + i, Service: svc, Priority: true, IssuedAt: 1<<62 + int64(at), Arrive: at})
		i++
	}
	return out
}

// ForecastDesks chooses the desks of a forecast made at now (in the
// branch's time zone loc): the open counters and the paused ones (which
// come back: busy says when), and the closed ones that their schedule
// opens later today, from their opening. While none of these is (before
// opening), every counter is, as if open. Each desk takes its schedule's
// breaks still to come and its closing; a counter past its scheduled
// closing is left out unless it is still working (its clerk stays on).
func ForecastDesks(counters []Counter, now time.Time, loc *time.Location, busy func(Counter) time.Duration) []Desk {
	var working, all []Desk
	for _, c := range counters {
		d := Desk{Counter: c, Busy: busy(c)}
		p := c.plan(now, loc)
		d.Breaks = p.breaks
		if p.hasCloses && p.closes > 0 {
			d.Closes, d.HasClose = p.closes, true
		}
		if c.Status == CounterClosed && p.hasOpens && p.opens > 0 {
			d.Busy = max(d.Busy, p.opens) // it joins at its opening
		}
		if c.Status != CounterClosed || (p.hasOpens && p.opens > 0 && (!p.hasCloses || p.closes > p.opens)) {
			working = append(working, d)
		}
		if !p.hasCloses || p.closes > 0 {
			all = append(all, d)
		}
	}
	if slices.ContainsFunc(working, func(d Desk) bool { return d.Counter.Status != CounterClosed }) {
		return working
	}
	if len(all) > 0 {
		return all
	}
	// After every planned closing: the estimate still assumes someone.
	for _, c := range counters {
		all = append(all, Desk{Counter: c, Busy: busy(c)})
	}
	return all
}

// ExpectedShows returns the booked appointments, in slot order, that a
// forecast expects to come when a share noShowRate of them does not: the
// expected number of them, spread evenly (the k-th kept where the
// expected count of shows passes k − ½), as the priority arrivals are.
func ExpectedShows(booked []Candidate, noShowRate float64) []Candidate {
	if noShowRate <= 0 {
		return booked
	}
	out := make([]Candidate, 0, len(booked))
	acc, next := 0.0, 0.5
	for _, b := range booked {
		if acc += 1 - min(noShowRate, 1); acc >= next {
			out = append(out, b)
			next++
		}
	}
	return out
}

// ApptNoShowRate is the share of booked appointments that do not come,
// learned from noShows appointments whose check-in window passed without
// them and shows that were checked in. It counts one show more than seen,
// so that it is 0 (everyone comes) until one is missed, and a first miss
// does not say that nobody comes.
func ApptNoShowRate(noShows, shows int) float64 {
	if noShows <= 0 {
		return 0
	}
	return float64(noShows) / float64(noShows+shows+1)
}
