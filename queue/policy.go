package queue

import (
	"cmp"
	"time"
)

// Candidate is a waiting ticket as the call-next policy sees it. Storage
// keeps its waiting index in this order, so the policy only needs the head of
// each (service, class) list.
type Candidate struct {
	ID       uint64
	Service  string
	Priority bool
	// IssuedAt is the original issue time in Unix nanoseconds; a transfer
	// keeps it, so a transferred ticket does not lose its place.
	IssuedAt int64
	Seq      int
	// Arrive is, in a forecast, when a ticket expected to be issued later
	// arrives (from now); 0 for the tickets waiting now.
	Arrive time.Duration
	// Due is an appointment ticket's slot start in Unix nanoseconds (0 for
	// a walk-in): from then on it goes before walk-ins.
	Due int64
}

// Compare orders two candidates of the same class at one counter: the longer
// wait first, then the counter's service order, then the number.
func (c Counter) Compare(a, b Candidate) int {
	return cmp.Or(
		cmp.Compare(a.IssuedAt, b.IssuedAt),
		cmp.Compare(c.rank(a.Service), c.rank(b.Service)),
		cmp.Compare(a.Seq, b.Seq),
		cmp.Compare(a.ID, b.ID),
	)
}

// Pick is the call-next policy. Among the waiting candidates of the services
// the counter serves it returns:
//  1. a priority ticket before a regular one, but never more than k priority
//     calls in a row at this counter while regular tickets wait;
//  2. within the chosen class, the ticket that has waited longest;
//  3. ties broken by the counter's service order, then by number.
//
// Candidates of services the counter does not serve are ignored, so callers
// may pass only the head of each list. Pick also returns the counter's
// priority streak after the call. ok is false when nobody waits.
func Pick(c Counter, k int, waiting []Candidate) (pick Candidate, streak int, ok bool) {
	return pickWalkIn(c, k, waiting, 0)
}

// pickWalkIn is Pick passing over the appointment tickets due by dueBy
// (Unix ns; 0 passes over none).
func pickWalkIn(c Counter, k int, waiting []Candidate, dueBy int64) (pick Candidate, streak int, ok bool) {
	var pri, reg Candidate
	var havePri, haveReg bool
	for _, w := range waiting {
		if !c.ServesService(w.Service) || w.Due != 0 && w.Due <= dueBy {
			continue
		}
		if w.Priority {
			if !havePri || c.Compare(w, pri) < 0 {
				pri, havePri = w, true
			}
		} else if !haveReg || c.Compare(w, reg) < 0 {
			reg, haveReg = w, true
		}
	}
	switch {
	case havePri && (!haveReg || c.PriorityStreak < k):
		if haveReg {
			return pri, c.PriorityStreak + 1, true
		}
		// No regular ticket waited, so this call does not count against them.
		return pri, 0, true
	case haveReg:
		return reg, 0, true
	}
	return Candidate{}, c.PriorityStreak, false
}

// Policy is what the call-next policy needs besides the counter and the
// candidates once appointments are in the queue.
type Policy struct {
	// K caps priority calls in a row (Branch.Cap), N appointment calls in
	// a row (Branch.ApptCap), each while the others wait (N: past their
	// target).
	K, N int
	// Now is the time of the call, in Unix nanoseconds.
	Now int64
	// Target is a service's target wait (nil: DefaultTargetWait).
	Target func(service string) time.Duration
}

// Streaks are a counter's runs after a call (Counter.PriorityStreak and
// ApptStreak).
type Streaks struct{ Priority, Appt int }

// PickAt is the call-next policy with appointments. Before Pick's rules:
//  1. an appointment ticket whose slot has started (Due ≤ Now) goes before
//     every walk-in, the earliest slot first;
//  2. but never more than N appointment calls in a row at this counter
//     while a walk-in has waited past its service's target: the next call
//     is then Pick's among the walk-ins, appointment tickets whose slot
//     has started left out.
//
// An appointment ticket checked in before its slot is a walk-in to Pick
// until then. Storage gives each service's earliest-due appointment beside
// the heads of its classes (an appointment is also in its class's list,
// by check-in time).
func PickAt(c Counter, p Policy, waiting []Candidate) (pick Candidate, s Streaks, ok bool) {
	target := func(svc string) int64 {
		if p.Target == nil {
			return int64(DefaultTargetWait)
		}
		return int64(p.Target(svc))
	}
	var due Candidate
	haveDue, late := false, false
	for _, w := range waiting {
		if !c.ServesService(w.Service) {
			continue
		}
		if w.Due != 0 && w.Due <= p.Now {
			if !haveDue || cmp.Or(cmp.Compare(w.Due, due.Due), c.Compare(w, due)) < 0 {
				due, haveDue = w, true
			}
			continue
		}
		if p.Now-w.IssuedAt > target(w.Service) {
			late = true
		}
	}
	if haveDue && (!late || c.ApptStreak < p.N) {
		s = Streaks{Priority: c.PriorityStreak}
		if late {
			s.Appt = c.ApptStreak + 1
		}
		return due, s, true
	}
	// The cap is in force and a late walk-in waits, or nothing is due. A
	// due appointment must not win this call by its check-in time: that
	// would be one more appointment call in a row (and reset the run),
	// and could take a later slot before an earlier one.
	pick, streak, ok := pickWalkIn(c, p.K, waiting, p.Now)
	return pick, Streaks{Priority: streak}, ok
}
