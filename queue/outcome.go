package queue

import (
	"time"
)

// Outcome is how one ticket ended: what statistics are made of. The engine
// writes it in the same transaction as the ticket's final event, and
// Replay derives the same outcomes from the event log alone.
type Outcome struct {
	ID       uint64
	Day      string // the service day the ticket was issued on
	State    State  // done, no_show, cancelled or expired
	Priority bool
	// Service is where the ticket ended; FirstService where it started.
	Service      string
	FirstService string
	Counter      string
	Clerk        string
	Issued       time.Time
	FirstCalled  time.Time // zero if never called
	Called       time.Time // the last call
	Started      time.Time
	Finished     time.Time
	// Slot is an appointment ticket's slot start (zero for a walk-in).
	Slot time.Time
	// Remote says the ticket was taken from home (/b/{branch}).
	Remote bool
}

// Appointment reports whether the ticket came from an appointment.
func (o Outcome) Appointment() bool { return !o.Slot.IsZero() }

// Source is walk_in, appointment or remote.
func (o Outcome) Source() string {
	switch {
	case o.Appointment():
		return SourceAppointment
	case o.Remote:
		return SourceRemote
	}
	return SourceWalkIn
}

// OutcomeOf returns the outcome of a ticket in a final state.
func OutcomeOf(t Ticket) Outcome {
	first := t.Service
	if len(t.Transfers) > 0 {
		first = t.Transfers[0].From
	}
	o := Outcome{ID: t.ID, Day: t.Day, State: t.State, Priority: t.IsPriority(), Service: t.Service,
		FirstService: first, Counter: t.Counter, Clerk: t.Clerk, Issued: t.IssuedAt, FirstCalled: t.FirstCalledAt,
		Called: t.CalledAt, Started: t.StartedAt, Finished: t.FinishedAt}
	if t.Appointment != nil {
		o.Slot = t.Appointment.Start
	}
	o.Remote = t.Source == SourceRemote
	return o
}

// Wait is the time from issue to the first call (0, false if never
// called); an appointment's from its slot's start, or from its check-in
// if that was later, and 0 if it was called before its slot.
func (o Outcome) Wait() (time.Duration, bool) {
	if o.FirstCalled.IsZero() {
		return 0, false
	}
	from := o.Issued
	if o.Slot.After(from) {
		from = o.Slot
	}
	return max(o.FirstCalled.Sub(from), 0), true
}

// OnTime is how late an appointment may be called and count as called on
// time.
const OnTime = 10 * time.Minute

// ServiceTime is the time at the counter of a served ticket: from the start
// (or, if the clerk never pressed start, the last call) to done.
func (o Outcome) ServiceTime() (time.Duration, bool) {
	if o.State != StateDone {
		return 0, false
	}
	from := o.Started
	if from.IsZero() {
		from = o.Called
	}
	if from.IsZero() {
		return 0, false
	}
	return o.Finished.Sub(from), true
}

// Replay derives outcomes from a branch's event log, in order: the
// statistics' reference, and how a store is given its outcomes when it has
// none. loc is the branch's time zone (for the issue day).
type Replay struct {
	loc  *time.Location
	open map[uint64]*Outcome
}

// NewReplay starts a replay in time zone loc.
func NewReplay(loc *time.Location) *Replay { return &Replay{loc: loc, open: map[uint64]*Outcome{}} }

// Add feeds one event and returns the outcome it completes, if any.
func (r *Replay) Add(ev Event) (Outcome, bool) {
	if ev.Ticket == 0 {
		return Outcome{}, false
	}
	o := r.open[ev.Ticket]
	if o == nil {
		issued := ev.IssuedAt
		if issued.IsZero() {
			issued = ev.At
		}
		o = &Outcome{ID: ev.Ticket, Day: ServiceDay(issued, r.loc), Issued: issued.UTC(), Priority: ev.Priority != "" && ev.Priority != PriorityNone,
			Service: ev.Service, FirstService: ev.Service}
		if ev.Type == EvTransferred {
			o.FirstService = ev.From
		}
		r.open[ev.Ticket] = o
	}
	at := ev.At.UTC()
	switch ev.Type {
	case EvCalled:
		if o.FirstCalled.IsZero() {
			o.FirstCalled = at
		}
		o.Called, o.Started, o.Counter, o.Clerk = at, time.Time{}, ev.Counter, ev.Actor
	case EvStarted:
		o.Started = at
	case EvTransferred:
		o.Service, o.Counter, o.Clerk, o.Called, o.Started = ev.Service, "", "", time.Time{}, time.Time{}
	case EvDone, EvNoShow, EvCancelled, EvExpired:
		o.Finished = at
		o.State = ev.Type.TicketState()
		delete(r.open, ev.Ticket)
		return *o, true
	}
	return Outcome{}, false
}
