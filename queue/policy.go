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
	var pri, reg Candidate
	var havePri, haveReg bool
	for _, w := range waiting {
		if !c.ServesService(w.Service) {
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
