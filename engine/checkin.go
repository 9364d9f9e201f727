package engine

import (
	"context"

	"github.com/seira-queue/seira/queue"
)

// CheckinRequest checks an appointment in at the kiosk (or at a counter).
type CheckinRequest struct {
	Code  string
	Actor string
	// WalkIn takes a late appointment as a walk-in ticket: the citizen
	// accepted the offer of a too_late answer.
	WalkIn bool
}

// Checkin issues the ticket of an appointment: marked as one, called
// before walk-ins once its slot has begun. Before the check-in window it
// answers too_early with when to come back; after it, too_late with the
// offer of a walk-in ticket; a second check-in, already_checked_in with
// the ticket's number.
func (e *Engine) Checkin(ctx context.Context, branch string, req CheckinRequest) (TicketInfo, error) {
	code, err := normalizedCode(req.Code)
	if err != nil {
		return TicketInfo{}, err
	}
	var t queue.Ticket
	err = e.write(ctx, branch, req.Actor, func(o *op) error {
		a, err := o.b.AppointmentByCode(code)
		if err != nil {
			return err
		}
		switch a.State {
		case queue.ApptCheckedIn, queue.ApptDone:
			return &queue.Error{Code: queue.CodeAlreadyCheckedIn, Message: "this appointment is checked in: ticket " + a.TicketNumber,
				Detail: map[string]any{"ticket": a.TicketNumber}}
		case queue.ApptCancelled, queue.ApptNoShow:
			return queue.Errorf(queue.CodeConflict, "this appointment is %s", a.State)
		}
		svc, err := o.b.Service(a.Service)
		if err != nil {
			return err
		}
		early, late := svc.Booking().CheckinWindow()
		if o.now.Before(a.Start.Add(-early)) {
			back := a.Start.Add(-early).In(o.loc)
			return &queue.Error{Code: queue.CodeTooEarly, Message: "check-in opens at " + back.Format("15:04"),
				Detail: map[string]any{"come_back_at": back}}
		}
		walkIn := o.now.After(a.Start.Add(late))
		if walkIn && !req.WalkIn {
			return &queue.Error{Code: queue.CodeTooLate, Message: "the check-in window closed at " + a.Start.Add(late).In(o.loc).Format("15:04") +
				": the appointment can be taken as a walk-in ticket", Detail: map[string]any{"walk_in_offer": true}}
		}
		ir := IssueRequest{Service: a.Service, Priority: queue.PriorityNone, Lang: a.Lang, Actor: req.Actor}
		if !walkIn {
			ir.appt = &a
		}
		if t, err = o.issue(ir); err != nil {
			return err
		}
		prev := a
		a.State, a.Ticket, a.TicketNumber, a.CheckedInAt = queue.ApptCheckedIn, t.ID, t.Number, o.now
		return o.putAppt(a, prev, queue.EvApptCheckedIn)
	})
	if err != nil {
		return TicketInfo{}, err
	}
	return e.info(ctx, t)
}

// finishAppointment follows an appointment ticket's end: done, or a
// no-show when the ticket was called and nobody came.
func (o *op) finishAppointment(t queue.Ticket) error {
	if t.Appointment == nil {
		return nil
	}
	a, err := o.b.AppointmentByCode(t.Appointment.Code)
	if err != nil {
		return nil // imported and since deleted: nothing to follow
	}
	prev := a
	switch t.State {
	case queue.StateDone:
		a.State = queue.ApptDone
		return o.putAppt(a, prev, "")
	case queue.StateNoShow, queue.StateCancelled, queue.StateExpired:
		a.State = queue.ApptNoShow
		return o.putAppt(a, prev, queue.EvApptNoShow)
	}
	return nil
}
