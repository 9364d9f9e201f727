package queue

import (
	"encoding/binary"
	"errors"
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
}

// OutcomeOf returns the outcome of a ticket in a final state.
func OutcomeOf(t Ticket) Outcome {
	first := t.Service
	if len(t.Transfers) > 0 {
		first = t.Transfers[0].From
	}
	return Outcome{ID: t.ID, Day: t.Day, State: t.State, Priority: t.IsPriority(), Service: t.Service,
		FirstService: first, Counter: t.Counter, Clerk: t.Clerk, Issued: t.IssuedAt, FirstCalled: t.FirstCalledAt,
		Called: t.CalledAt, Started: t.StartedAt, Finished: t.FinishedAt}
}

// Wait is the time from issue to the first call (0, false if never called).
func (o Outcome) Wait() (time.Duration, bool) {
	if o.FirstCalled.IsZero() {
		return 0, false
	}
	return o.FirstCalled.Sub(o.Issued), true
}

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

const outcomeVersion = 1

// MarshalBinary encodes the outcome compactly: statistics over millions of
// tickets decode it millions of times. Day and ID are in the storage key.
func (o Outcome) MarshalBinary() ([]byte, error) {
	b := make([]byte, 0, 64)
	b = append(b, outcomeVersion, stateCode(o.State), boolByte(o.Priority))
	for _, t := range []time.Time{o.Issued, o.FirstCalled, o.Called, o.Started, o.Finished} {
		b = binary.AppendVarint(b, unixMilli(t))
	}
	for _, s := range []string{o.Service, o.FirstService, o.Counter, o.Clerk} {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	return b, nil
}

var errOutcome = errors.New("queue: malformed outcome record")

// UnmarshalBinary decodes MarshalBinary's form (ID and Day stay as set).
func (o *Outcome) UnmarshalBinary(b []byte) error {
	return o.Decode(b, func(b []byte) string { return string(b) })
}

// Decode is UnmarshalBinary with the strings made by str, so that a reader
// of millions of outcomes can share the few distinct service, counter and
// clerk names instead of allocating each.
func (o *Outcome) Decode(b []byte, str func([]byte) string) error {
	if len(b) < 3 || b[0] != outcomeVersion {
		return errOutcome
	}
	o.State, o.Priority = stateOfCode(b[1]), b[2] == 1
	b = b[3:]
	for _, t := range []*time.Time{&o.Issued, &o.FirstCalled, &o.Called, &o.Started, &o.Finished} {
		v, n := binary.Varint(b)
		if n <= 0 {
			return errOutcome
		}
		*t = fromUnixMilli(v)
		b = b[n:]
	}
	for _, s := range []*string{&o.Service, &o.FirstService, &o.Counter, &o.Clerk} {
		l, n := binary.Uvarint(b)
		if n <= 0 || uint64(len(b)-n) < l {
			return errOutcome
		}
		*s = str(b[n : n+int(l)])
		b = b[n+int(l):]
	}
	return nil
}

func unixMilli(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

func fromUnixMilli(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMilli(v).UTC()
}

func boolByte(b bool) byte {
	if b {
		return 1
	}
	return 0
}

func stateCode(s State) byte {
	switch s {
	case StateDone:
		return 1
	case StateNoShow:
		return 2
	case StateCancelled:
		return 3
	case StateExpired:
		return 4
	}
	return 0
}

func stateOfCode(c byte) State {
	switch c {
	case 1:
		return StateDone
	case 2:
		return StateNoShow
	case 3:
		return StateCancelled
	case 4:
		return StateExpired
	}
	return ""
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
