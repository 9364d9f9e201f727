package engine

import (
	"context"
	"encoding/base64"
	"io"
	"time"

	"github.com/seira-queue/seira/queue"
	"github.com/seira-queue/seira/storage"
)

// Book books a place in a slot. The slot's count is read and raised in
// the booking's one transaction, so that no slot is ever oversold.
func (e *Engine) Book(ctx context.Context, branch string, req BookRequest) (ApptInfo, error) {
	if err := req.check(); err != nil {
		return ApptInfo{}, err
	}
	var info ApptInfo
	err := e.write(ctx, branch, req.Actor, func(o *op) error {
		svc, err := o.b.Service(req.Service)
		if err != nil {
			return err
		}
		a, err := o.book(svc, req)
		info = ApptInfo{Appointment: a, Service: svc, Loc: o.loc}
		return err
	})
	return info, err
}

func (o *op) book(svc queue.Service, req BookRequest) (queue.Appointment, error) {
	slot, err := queue.SlotAt(o.cfg, svc, req.Start, o.loc, queue.BookingLimits{Now: o.now, AnyStart: req.AnyStart})
	if err != nil {
		return queue.Appointment{}, err
	}
	if err := o.takePlace(svc, slot.Start, req.AnyStart); err != nil {
		return queue.Appointment{}, err
	}
	id, err := o.b.NewAppointmentID()
	if err != nil {
		return queue.Appointment{}, err
	}
	code, err := o.newCode()
	if err != nil {
		return queue.Appointment{}, err
	}
	tok, err := o.e.apptToken()
	if err != nil {
		return queue.Appointment{}, err
	}
	a := queue.Appointment{ID: id, Code: code, Token: tok, Branch: o.b.ID(), Service: svc.ID,
		Start: slot.Start.In(o.loc), End: slot.End.In(o.loc), State: queue.ApptBooked, Lang: req.Lang, Contact: req.Contact,
		ExternalID: req.ExternalID, Reference: req.Reference, BookedAt: o.now, Actor: o.actor}
	if err := o.b.PutAppointment(a, nil); err != nil {
		return a, err
	}
	if err := o.tx.PutApptToken(tok, o.b.ID(), id); err != nil {
		return a, err
	}
	return a, o.emitAppt(queue.EvApptBooked, a)
}

// takePlace takes one place of a slot, or answers slot_full; force takes
// it whatever the slot's size (an import: the outside system decides).
func (o *op) takePlace(svc queue.Service, start time.Time, force bool) error {
	if !force {
		counters, err := o.b.Counters()
		if err != nil {
			return err
		}
		size := perSlot(o.b, counters, svc)
		if taken := o.b.SlotTaken(svc.ID, start); taken >= size {
			return queue.Errorf(queue.CodeSlotFull, "the %s slot is full (%d of %d places)", start.In(o.loc).Format("15:04"), taken, size)
		}
	}
	return o.b.AddSlotTaken(svc.ID, start, 1)
}

// moveTo moves a booked appointment to slot of svc (its own service, or an
// import's new one): the new place is taken (force: whatever its size) and
// the old one freed.
func (o *op) moveTo(a *queue.Appointment, svc queue.Service, slot queue.Slot, force bool) error {
	if err := o.takePlace(svc, slot.Start, force); err != nil {
		return err
	}
	if err := o.b.AddSlotTaken(a.Service, a.Start, -1); err != nil {
		return err
	}
	a.Service, a.Start, a.End = svc.ID, slot.Start.In(o.loc), slot.End.In(o.loc)
	return nil
}

// perSlot is the size of svc's slots now, with its learned service time.
func perSlot(b *storage.BranchTx, counters []queue.Counter, svc queue.Service) int {
	return queue.PerSlotOf(counters, svc, learnedServiceTime(b, svc))
}

// learnedServiceTime is svc's learned service time, or its configured
// default until it has history.
func learnedServiceTime(b *storage.BranchTx, svc queue.Service) time.Duration {
	return learnedServiceDist(b, svc).Mean
}

// learnedServiceDist is svc's learned service time with the samples'
// variance, or its configured default, without a variance, until it has
// history.
func learnedServiceDist(b *storage.BranchTx, svc queue.Service) queue.ServiceDist {
	if est, ok := b.ServiceEstimate(svc.ID); ok {
		return est.Dist()
	}
	return queue.ServiceDist{Mean: svc.ServiceTime()}
}

// newCode draws a code no appointment of the branch has. With 24⁶ codes a
// second draw is rare, a third rarer still.
func (o *op) newCode() (string, error) {
	for range 20 {
		c, err := queue.NewCode()
		if err != nil {
			return "", queue.Errorf(queue.CodeUnavailable, "no randomness for a code: %v", err)
		}
		if !o.b.CodeTaken(c) {
			return c, nil
		}
	}
	return "", queue.Errorf(queue.CodeUnavailable, "no free appointment code found")
}

// apptToken is an appointment's personal link: 24 random bytes.
func (e *Engine) apptToken() (string, error) {
	b := make([]byte, 24)
	if _, err := io.ReadFull(e.random, b); err != nil {
		return "", queue.Errorf(queue.CodeUnavailable, "no randomness for a token: %v", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// changeBooked runs change on the booked appointment ref names, in one
// write; an appointment in any other state is a conflict ("it cannot be
// " + verb).
func (e *Engine) changeBooked(ctx context.Context, ref ApptRef, actor, verb string, change func(o *op, a *queue.Appointment) error) (ApptInfo, error) {
	return e.writeAppt(ctx, ref, actor, func(o *op, a *queue.Appointment) error {
		if a.State != queue.ApptBooked {
			return queue.Errorf(queue.CodeConflict, "the appointment is %s: it cannot be %s", a.State, verb)
		}
		return change(o, a)
	})
}

// CancelAppointment cancels a booked appointment and frees its place.
func (e *Engine) CancelAppointment(ctx context.Context, ref ApptRef, actor string) (ApptInfo, error) {
	return e.changeBooked(ctx, ref, actor, "cancelled", func(o *op, a *queue.Appointment) error {
		prev := *a
		a.State = queue.ApptCancelled
		if err := o.b.AddSlotTaken(a.Service, a.Start, -1); err != nil {
			return err
		}
		return o.putAppt(*a, prev, queue.EvApptCancelled)
	})
}

// MoveAppointment moves a booked appointment to another slot of its
// service: the new place is taken and the old freed in one transaction.
func (e *Engine) MoveAppointment(ctx context.Context, ref ApptRef, start time.Time, actor string) (ApptInfo, error) {
	if start.IsZero() {
		return ApptInfo{}, queue.Errorf(queue.CodeValidation, "start is required (RFC 3339)")
	}
	return e.changeBooked(ctx, ref, actor, "moved", func(o *op, a *queue.Appointment) error {
		if a.Start.Equal(start) {
			return nil
		}
		svc, err := o.b.Service(a.Service)
		if err != nil {
			return err
		}
		slot, err := queue.SlotAt(o.cfg, svc, start, o.loc, queue.BookingLimits{Now: o.now})
		if err != nil {
			return err
		}
		prev := *a
		if err := o.moveTo(a, svc, slot, false); err != nil {
			return err
		}
		return o.putAppt(*a, prev, queue.EvApptMoved)
	})
}
