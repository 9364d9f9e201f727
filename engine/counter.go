package engine

import (
	"context"
	"time"

	"github.com/seira-queue/seira/queue"
)

// CounterResult is what a counter action leaves behind: the counter and the
// ticket it acted on (Ticket.ID is 0 when there was none).
type CounterResult struct {
	Counter queue.Counter
	Ticket  queue.Ticket
	// Service is the ticket's service; Loc the branch's time zone.
	Service queue.Service
	Loc     *time.Location
	// Current is the ticket at the counter after the action (ID 0 for
	// none); after pause or resume it is not the ticket acted on.
	Current queue.Ticket
}

// Info returns the result's ticket as a TicketInfo.
func (r CounterResult) Info() TicketInfo {
	return TicketInfo{Ticket: r.Ticket, Service: r.Service, Counter: r.Counter, Loc: r.Loc}
}

// counterOp runs fn on counter id of branch as one state change, and stores
// the counter afterwards.
func (e *Engine) counterOp(ctx context.Context, branch, counter, actor string, fn func(*op, *queue.Counter) (queue.Ticket, error)) (CounterResult, error) {
	var res CounterResult
	err := e.write(ctx, branch, actor, func(o *op) error {
		c, err := o.b.Counter(counter)
		if err != nil {
			return err
		}
		t, err := fn(o, &c)
		if err != nil {
			return err
		}
		res = CounterResult{Counter: c, Ticket: t, Loc: o.loc}
		switch {
		case c.Current != 0 && c.Current == t.ID:
			res.Current = t
		case c.Current != 0:
			if res.Current, err = o.b.Ticket(c.Current); err != nil {
				return err
			}
		}
		if t.ID != 0 {
			// A service deleted since leaves its id as its name.
			if res.Service, err = o.b.Service(t.Service); err != nil {
				res.Service = queue.Service{ID: t.Service}
			}
		}
		return o.b.PutCounter(c)
	})
	return res, err
}

// current returns the ticket called to counter c, or invalid_transition.
func (o *op) current(c *queue.Counter) (queue.Ticket, error) {
	if c.Current == 0 {
		return queue.Ticket{}, queue.Errorf(queue.CodeInvalidTransition, "counter %s has no current ticket", c.ID)
	}
	return o.b.Ticket(c.Current)
}

// advance applies act to the counter's current ticket.
func (o *op) advance(c *queue.Counter, act queue.Action) (queue.Ticket, error) {
	t, err := o.current(c)
	if err != nil {
		return t, err
	}
	to, err := queue.Next(t.State, act)
	if err != nil {
		return t, err
	}
	t.State = to
	var typ queue.EventType
	switch act {
	case queue.ActRecall:
		t.Recalls++
		typ = queue.EvRecalled
	case queue.ActStart:
		t.StartedAt = o.now
		typ = queue.EvStarted
	case queue.ActDone, queue.ActNoShow:
		t.FinishedAt = o.now
		c.Current, c.CurrentService, c.CalledAt = 0, "", time.Time{}
		typ = queue.EvDone
		if act == queue.ActNoShow {
			typ = queue.EvNoShow
		}
		if err := o.learnServiceTime(t); err != nil {
			return t, err
		}
	default:
		return t, queue.Errorf(queue.CodeBadRequest, "unknown action %s", act)
	}
	if err := o.b.PutTicket(t); err != nil {
		return t, err
	}
	if t.State.Final() {
		if err := o.b.PutOutcome(queue.OutcomeOf(t)); err != nil {
			return t, err
		}
	}
	if err := o.emit(queue.TicketEvent(typ, t, o.now, "")); err != nil {
		return t, err
	}
	return t, o.finishAppointment(t)
}

// learnServiceTime folds how long a ticket held its counter into the
// service's moving estimate. A no-show holds the counter too.
func (o *op) learnServiceTime(t queue.Ticket) error {
	if t.CalledAt.IsZero() {
		return nil
	}
	est, ok := o.b.ServiceEstimate(t.Service)
	if !ok {
		svc, err := o.b.Service(t.Service)
		if err != nil {
			svc = queue.Service{} // deleted since: the general default
		}
		est = queue.NewServiceEstimate(svc.ServiceTime())
	}
	return o.b.PutServiceEstimate(t.Service, est.Add(o.now.Sub(t.CalledAt)))
}

// CallNext finishes the counter's current ticket, if any, as done, and calls
// the next one by the call-next policy, all in one transaction. Ticket.ID is
// 0 in the result when nobody waits for the counter's services.
func (e *Engine) CallNext(ctx context.Context, branch, counter, actor string) (CounterResult, error) {
	return e.counterOp(ctx, branch, counter, actor, func(o *op, c *queue.Counter) (queue.Ticket, error) {
		if c.Status != queue.CounterOpen {
			return queue.Ticket{}, queue.Errorf(queue.CodeInvalidTransition, "counter %s is %s: open it to call", c.ID, c.Status)
		}
		if c.Current != 0 {
			if _, err := o.advance(c, queue.ActDone); err != nil {
				return queue.Ticket{}, err
			}
		}
		pick, streaks, ok := queue.PickAt(*c, o.policy(), o.b.Heads(c.Serves, o.now.UnixNano()))
		if !ok {
			return queue.Ticket{}, nil
		}
		t, err := o.b.Ticket(pick.ID)
		if err != nil {
			return t, err
		}
		to, err := queue.Next(t.State, queue.ActCall)
		if err != nil {
			return t, err
		}
		// The ticket's own candidate: a head from a class list does not
		// know its slot.
		if err := o.b.RemoveWaiting(t.Candidate()); err != nil {
			return t, err
		}
		t.State, t.CalledAt, t.StartedAt = to, o.now, time.Time{}
		if t.FirstCalledAt.IsZero() {
			t.FirstCalledAt = o.now
		}
		t.Counter, t.Clerk = c.ID, o.actor
		c.Current, c.CurrentService, c.CalledAt = t.ID, t.Service, o.now
		c.PriorityStreak, c.ApptStreak = streaks.Priority, streaks.Appt
		if err := o.b.PutTicket(t); err != nil {
			return t, err
		}
		return t, o.emit(queue.TicketEvent(queue.EvCalled, t, o.now, ""))
	})
}

// policy is the call-next policy's settings at this op's time.
func (o *op) policy() queue.Policy {
	return policyOf(o.cfg, o.now, func(svc string) (queue.Service, bool) {
		s, err := o.b.Service(svc)
		return s, err == nil
	})
}

// policyOf is the call-next policy of branch cfg at now, with the
// services' targets as service finds them (a service not found: the
// default target).
func policyOf(cfg queue.Branch, now time.Time, service func(string) (queue.Service, bool)) queue.Policy {
	return queue.Policy{K: cfg.Cap(), N: cfg.ApptCap(), Now: now.UnixNano(), Target: func(svc string) time.Duration {
		if s, ok := service(svc); ok {
			return s.TargetWait()
		}
		return queue.DefaultTargetWait
	}}
}

// Recall calls the counter's current ticket again.
func (e *Engine) Recall(ctx context.Context, branch, counter, actor string) (CounterResult, error) {
	return e.advanceOp(ctx, branch, counter, actor, queue.ActRecall)
}

// Start marks the counter's current ticket as being served.
func (e *Engine) Start(ctx context.Context, branch, counter, actor string) (CounterResult, error) {
	return e.advanceOp(ctx, branch, counter, actor, queue.ActStart)
}

// Done finishes the counter's current ticket.
func (e *Engine) Done(ctx context.Context, branch, counter, actor string) (CounterResult, error) {
	return e.advanceOp(ctx, branch, counter, actor, queue.ActDone)
}

// NoShow records that the counter's current ticket did not come.
func (e *Engine) NoShow(ctx context.Context, branch, counter, actor string) (CounterResult, error) {
	return e.advanceOp(ctx, branch, counter, actor, queue.ActNoShow)
}

func (e *Engine) advanceOp(ctx context.Context, branch, counter, actor string, act queue.Action) (CounterResult, error) {
	return e.counterOp(ctx, branch, counter, actor, func(o *op, c *queue.Counter) (queue.Ticket, error) {
		return o.advance(c, act)
	})
}

// Transfer sends the counter's current ticket to the queue of another
// service, keeping its number and original issue time.
func (e *Engine) Transfer(ctx context.Context, branch, counter, service, actor string) (CounterResult, error) {
	return e.counterOp(ctx, branch, counter, actor, func(o *op, c *queue.Counter) (queue.Ticket, error) {
		t, err := o.current(c)
		if err != nil {
			return t, err
		}
		svc, err := o.b.Service(service)
		if err != nil {
			return t, err
		}
		if svc.ID == t.Service {
			return t, queue.Errorf(queue.CodeValidation, "the ticket is already in service %s", svc.ID)
		}
		if !svc.Open {
			return t, queue.Errorf(queue.CodeServiceClosed, "service %s is closed", svc.ID)
		}
		to, err := queue.Next(t.State, queue.ActTransfer)
		if err != nil {
			return t, err
		}
		if err := o.learnServiceTime(t); err != nil {
			return t, err
		}
		from := t.Service
		t.Transfers = append(t.Transfers, queue.Transfer{From: from, To: svc.ID, At: o.now, Counter: c.ID, Clerk: o.actor})
		t.State, t.Service = to, svc.ID
		t.CalledAt, t.StartedAt, t.Counter, t.Clerk = time.Time{}, time.Time{}, "", ""
		c.Current, c.CurrentService, c.CalledAt = 0, "", time.Time{}
		if err := o.b.PutTicket(t); err != nil {
			return t, err
		}
		if err := o.b.AddWaiting(t.Candidate()); err != nil {
			return t, err
		}
		ev := queue.TicketEvent(queue.EvTransferred, t, o.now, "")
		ev.From, ev.Counter = from, c.ID
		return t, o.emit(ev)
	})
}

// OpenCounter opens (or resumes) a counter for clerk actor. A counter held by
// another clerk is a conflict until that clerk closes it.
func (e *Engine) OpenCounter(ctx context.Context, branch, counter, actor string) (CounterResult, error) {
	return e.counterOp(ctx, branch, counter, actor, func(o *op, c *queue.Counter) (queue.Ticket, error) {
		if c.Status != queue.CounterClosed && c.Clerk != "" && c.Clerk != actor {
			return queue.Ticket{}, queue.Errorf(queue.CodeConflict, "counter %s is held by %s", c.ID, c.Clerk)
		}
		if c.Status == queue.CounterOpen {
			return queue.Ticket{}, nil
		}
		if c.Status == queue.CounterPaused && !c.PausedAt.IsZero() {
			// A pause ends: the forecast learns how long unplanned pauses
			// last (a planned break's length is known), and that the
			// break, if it was one, has been taken.
			if _, planned := queue.PlannedPause(*c, c.PausedAt, o.loc); !planned {
				if err := o.b.PutPauseTime(queue.UpdatePauseTime(o.b.PauseTime(), o.now.Sub(c.PausedAt))); err != nil {
					return queue.Ticket{}, err
				}
			}
			c.LastPause = c.PausedAt
		}
		c.Status, c.Clerk, c.PausedAt = queue.CounterOpen, actor, time.Time{}
		return queue.Ticket{}, o.emit(queue.Event{Type: queue.EvCounterOpened, Counter: c.ID})
	})
}

// PauseCounter stops a counter calling while its clerk steps away; its
// current ticket stays.
func (e *Engine) PauseCounter(ctx context.Context, branch, counter, actor string) (CounterResult, error) {
	return e.counterOp(ctx, branch, counter, actor, func(o *op, c *queue.Counter) (queue.Ticket, error) {
		switch c.Status {
		case queue.CounterPaused:
			return queue.Ticket{}, nil
		case queue.CounterClosed:
			return queue.Ticket{}, queue.Errorf(queue.CodeInvalidTransition, "counter %s is closed", c.ID)
		}
		c.Status, c.PausedAt = queue.CounterPaused, o.now
		return queue.Ticket{}, o.emit(queue.Event{Type: queue.EvCounterPaused, Counter: c.ID})
	})
}

// CloseCounter closes a counter, finishing its current ticket as done.
func (e *Engine) CloseCounter(ctx context.Context, branch, counter, actor string) (CounterResult, error) {
	return e.counterOp(ctx, branch, counter, actor, func(o *op, c *queue.Counter) (queue.Ticket, error) {
		if c.Status == queue.CounterClosed {
			return queue.Ticket{}, nil
		}
		var t queue.Ticket
		if c.Current != 0 {
			var err error
			if t, err = o.advance(c, queue.ActDone); err != nil {
				return t, err
			}
		}
		if !c.PausedAt.IsZero() {
			c.LastPause = c.PausedAt // a break, if it was one, is taken
		}
		c.Status, c.Clerk, c.PriorityStreak, c.PausedAt = queue.CounterClosed, "", 0, time.Time{}
		return t, o.emit(queue.Event{Type: queue.EvCounterClosed, Counter: c.ID})
	})
}
