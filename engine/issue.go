package engine

import (
	"context"
	"strings"
	"time"

	"github.com/seira-queue/seira/queue"
)

// IssueRequest asks for a ticket.
type IssueRequest struct {
	Service  string
	Priority string // "" or "none" for a regular ticket
	Lang     string // "" for Greek
	// IdempotencyKey makes a retry return the ticket the first try issued.
	IdempotencyKey string
	// Actor is the device or user that asked, for the audit trail.
	Actor string
	// appt is the appointment a check-in issues the ticket for.
	appt *queue.Appointment
	// remote asks for a ticket from home (remote.go).
	remote bool
}

// MaxIdempotencyKey bounds the length of an idempotency key.
const MaxIdempotencyKey = 128

func validLang(s string) bool {
	if len(s) < 2 || len(s) > 3 {
		return false
	}
	for _, r := range s {
		if r < 'a' || r > 'z' {
			return false
		}
	}
	return true
}

// Issue gives a citizen a ticket. A retry with the same idempotency key
// returns the same ticket, never a second one.
func (e *Engine) Issue(ctx context.Context, branch string, req IssueRequest) (TicketInfo, error) {
	if req.Priority == "" {
		req.Priority = queue.PriorityNone
	}
	if req.Lang == "" {
		req.Lang = "el"
	}
	req.Lang = strings.ToLower(req.Lang)
	switch {
	case req.Service == "":
		return TicketInfo{}, queue.Errorf(queue.CodeValidation, "service is required")
	case !validLang(req.Lang):
		return TicketInfo{}, queue.Errorf(queue.CodeValidation, "lang %q is not a language code", req.Lang)
	case len(req.IdempotencyKey) > MaxIdempotencyKey:
		return TicketInfo{}, queue.Errorf(queue.CodeValidation, "idempotency key longer than %d bytes", MaxIdempotencyKey)
	}
	var t queue.Ticket
	var placed *TicketInfo
	err := e.write(ctx, branch, req.Actor, func(o *op) error {
		placed = nil
		if req.IdempotencyKey != "" {
			if id, ok := o.b.Idempotent(req.IdempotencyKey); ok {
				prev, err := o.b.Ticket(id)
				if err != nil {
					return err
				}
				if prev.Service != req.Service && !transferredFrom(prev, req.Service) {
					return queue.Errorf(queue.CodeConflict, "idempotency key already used for another service")
				}
				t = prev
				return nil
			}
		}
		var err error
		if t, err = o.issue(req); err != nil {
			return err
		}
		placed, err = o.placeLongQueue(t)
		return err
	})
	if err != nil {
		return TicketInfo{}, err
	}
	if placed != nil {
		return *placed, nil
	}
	return e.info(ctx, t)
}

// placeLongQueue places a ticket just issued while the write is still
// open, when the queue is too long for a forecast: counting the work ahead
// of the newest ticket is a few lookups here, where a separate read would
// cost a transaction and walks. Shorter queues get their forecast after
// the commit (nil here).
func (o *op) placeLongQueue(t queue.Ticket) (*TicketInfo, error) {
	svcs, err := o.b.Services()
	if err != nil {
		return nil, err
	}
	total := 0
	for _, s := range svcs {
		pri, reg := o.b.WaitingCount(s.ID)
		total += pri + reg
	}
	if total <= queue.ForecastLimit {
		return nil, nil
	}
	counters, err := o.b.Counters()
	if err != nil {
		return nil, err
	}
	// This runs in the store's one committer: only the counters that serve
	// the ticket are looked at, and nothing is read twice.
	l := &load{b: o.b, counters: counters, services: map[string]queue.Service{}, now: o.now,
		busy: map[string]time.Duration{}, dists: map[string]queue.ServiceDist{}, held: map[string]held{}, forecastRead: true}
	var info TicketInfo
	for _, s := range svcs {
		l.services[s.ID] = s
		if s.ID == t.Service {
			info.Service = s
		}
	}
	// Only the counters serving t count (placeNewest picks them); the busy
	// time of the others is a few lookups, cheaper than picking twice.
	for i := range counters {
		if c := &counters[i]; c.Current != 0 && !c.CalledAt.IsZero() {
			l.busy[c.ID] = l.rest(c.CurrentService, o.now.Sub(c.CalledAt))
		}
	}
	info.Ticket, info.Loc = t, o.loc
	info.Position, info.Wait = l.placeNewest(t.Candidate())
	if !queue.Staffed(counters, t.Service) {
		info.Wait, info.Unstaffed = 0, true
	}
	return &info, nil
}
func transferredFrom(t queue.Ticket, svc string) bool {
	return len(t.Transfers) > 0 && t.Transfers[0].From == svc
}

func (o *op) issue(req IssueRequest) (queue.Ticket, error) {
	svc, err := o.b.Service(req.Service)
	if err != nil {
		return queue.Ticket{}, err
	}
	var counters []queue.Counter
	if req.remote {
		if counters, err = o.remoteAllowed(svc); err != nil {
			return queue.Ticket{}, err
		}
	}
	// A booked citizen is served whatever the walk-ins' limits are.
	if !svc.Open && req.appt == nil {
		return queue.Ticket{}, queue.Errorf(queue.CodeServiceClosed, "service %s is closed", svc.ID)
	}
	if !o.cfg.Hours.OpenAt(o.now, o.loc) && req.appt == nil {
		return queue.Ticket{}, queue.Errorf(queue.CodeServiceClosed, "the office is closed now")
	}
	if !o.cfg.AcceptsPriority(req.Priority) {
		return queue.Ticket{}, queue.Errorf(queue.CodeValidation, "priority %q is not accepted here", req.Priority)
	}
	seq, err := o.b.NextNumber(o.day, svc.ID)
	if err != nil {
		return queue.Ticket{}, err
	}
	if svc.DailyLimit > 0 && seq > svc.DailyLimit && req.appt == nil {
		return queue.Ticket{}, queue.Errorf(queue.CodeServiceClosed, "service %s has issued its %d tickets for today", svc.ID, svc.DailyLimit)
	}
	id, err := o.b.NewTicketID()
	if err != nil {
		return queue.Ticket{}, err
	}
	ref, err := o.tx.NewRef(o.b.ID(), id)
	if err != nil {
		return queue.Ticket{}, err
	}
	tok, err := o.e.newToken(ref)
	if err != nil {
		return queue.Ticket{}, err
	}
	t := queue.Ticket{
		ID: id, Token: tok, Branch: o.b.ID(), Service: svc.ID,
		Number: queue.FormatNumber(svc.Prefix, seq), Day: o.day, Seq: seq,
		Priority: req.Priority, Lang: req.Lang, State: queue.StateWaiting,
		IssuedAt: o.now, Device: req.Actor,
	}
	if a := req.appt; a != nil {
		t.Source = queue.SourceAppointment
		t.Appointment = &queue.TicketAppointment{Code: a.Code, Start: a.Start, Reference: a.Reference}
	}
	if req.remote {
		if err := o.remoteTicket(&t, svc, counters); err != nil {
			return queue.Ticket{}, err
		}
	}
	if err := o.b.PutTicket(t); err != nil {
		return queue.Ticket{}, err
	}
	if err := o.b.AddWaiting(t.Candidate()); err != nil {
		return queue.Ticket{}, err
	}
	if req.IdempotencyKey != "" {
		if err := o.b.PutIdempotent(req.IdempotencyKey, id, o.day); err != nil {
			return queue.Ticket{}, err
		}
	}
	if t.IsPriority() {
		if err := o.learnPriorityRate(svc.ID); err != nil {
			return queue.Ticket{}, err
		}
	}
	if req.appt == nil {
		if err := o.learnArrival(svc.ID, t.IsPriority()); err != nil {
			return queue.Ticket{}, err
		}
	}
	return t, o.emit(queue.TicketEvent(queue.EvIssued, t, o.now, ""))
}

// Cancel takes a waiting ticket out of the queue at its holder's request.
func (e *Engine) Cancel(ctx context.Context, token string) (TicketInfo, error) {
	branch, id, err := e.TicketRef(ctx, token)
	if err != nil {
		return TicketInfo{}, err
	}
	var t queue.Ticket
	err = e.write(ctx, branch, "citizen", func(o *op) error {
		if err := o.finishWaiting(id, queue.ActCancel, queue.EvCancelled); err != nil {
			return err
		}
		var err error
		t, err = o.b.Ticket(id)
		return err
	})
	if err != nil {
		return TicketInfo{}, err
	}
	return e.info(ctx, t)
}

// learnArrival counts a walk-in into its service's arrival history and
// the branch's, which the forecast expects the priority tickets by.
func (o *op) learnArrival(svc string, priority bool) error {
	day, hour := queue.DayHour(o.now, o.loc)
	for _, key := range []string{svc, ""} {
		if err := o.b.PutArrivalHistory(key, o.b.ArrivalHistory(key).Add(priority, day, hour)); err != nil {
			return err
		}
	}
	return nil
}

// learnPriorityRate counts a priority ticket into the service's arrival
// rate, which the forecast allows for.
func (o *op) learnPriorityRate(svc string) error {
	last, rate := o.b.PriorityRate(svc)
	return o.b.PutPriorityRate(svc, o.now, queue.AddArrival(rate, last, o.now))
}
