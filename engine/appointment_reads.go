package engine

import (
	"context"
	"time"

	"github.com/seira-queue/seira/queue"
	"github.com/seira-queue/seira/storage"
)

// readBranch runs fn in a read transaction on branch, with its settings
// and time zone: what every appointment read needs first.
func (e *Engine) readBranch(ctx context.Context, branch string, fn func(b *storage.BranchTx, cfg queue.Branch, loc *time.Location) error) error {
	return e.store.View(ctx, func(tx *storage.Tx) error {
		b, err := tx.Branch(branch)
		if err != nil {
			return err
		}
		cfg, loc, err := e.settingsOf(b)
		if err != nil {
			return err
		}
		return fn(b, cfg, loc)
	})
}

// dayOf resolves date ("" for today, by the engine's clock) to the bounds
// of that service day in loc.
func (e *Engine) dayOf(date string, loc *time.Location) (string, time.Time, time.Time, error) {
	if date == "" {
		date = queue.ServiceDay(e.now(), loc)
	}
	from, to, err := queue.DayBounds(date, loc)
	return date, from, to, err
}

// AppointmentByToken returns the appointment its holder's link leads to.
func (e *Engine) AppointmentByToken(ctx context.Context, tok string) (ApptInfo, error) {
	return e.appointment(ctx, ApptRef{Token: tok})
}

// AppointmentByCode returns the appointment of branch with code (staff).
func (e *Engine) AppointmentByCode(ctx context.Context, branch, code string) (ApptInfo, error) {
	return e.appointment(ctx, ApptRef{Branch: branch, Code: code})
}

func (e *Engine) appointment(ctx context.Context, ref ApptRef) (ApptInfo, error) {
	var info ApptInfo
	err := e.store.View(ctx, func(tx *storage.Tx) error {
		_, b, a, err := ref.lookup(tx)
		if err != nil {
			return err
		}
		_, loc, err := e.settingsOf(b)
		if err != nil {
			return err
		}
		info = infoOf(b, loc, a)
		return nil
	})
	return info, err
}

// Appointments returns a service day's appointments in start order.
func (e *Engine) Appointments(ctx context.Context, branch, day string) ([]queue.Appointment, *time.Location, error) {
	d, err := e.AppointmentDay(ctx, branch, day)
	return d.List, d.Loc, err
}

// DayAppointments are a day's appointments with their services.
type DayAppointments struct {
	Date     string
	List     []queue.Appointment
	Services map[string]queue.Service
	Loc      *time.Location
}

// AppointmentDay returns the appointments of service day date ("" for
// today) in start order.
func (e *Engine) AppointmentDay(ctx context.Context, branch, date string) (DayAppointments, error) {
	var d DayAppointments
	err := e.readBranch(ctx, branch, func(b *storage.BranchTx, _ queue.Branch, loc *time.Location) error {
		d = DayAppointments{Services: map[string]queue.Service{}, Loc: loc}
		var from, to time.Time
		var err error
		if d.Date, from, to, err = e.dayOf(date, loc); err != nil {
			return err
		}
		svcs, err := b.Services()
		if err != nil {
			return err
		}
		for _, s := range svcs {
			d.Services[s.ID] = s
		}
		return b.ForEachAppointment(from, to, func(a queue.Appointment) (bool, error) {
			d.List = append(d.List, a)
			return true, nil
		})
	})
	return d, err
}

// SlotFree is a slot with its free places.
type SlotFree struct {
	queue.Slot
	Free int
}

// Slots returns the slots of service from day from on for days days, with
// their free places, and the last day the service can be booked on; slots
// already begun and days past that are left out.
func (e *Engine) Slots(ctx context.Context, branch, service, from string, days int) ([]SlotFree, string, *time.Location, error) {
	if days < 1 || days > 31 {
		return nil, "", nil, queue.Errorf(queue.CodeValidation, "days must be 1 to 31")
	}
	var out []SlotFree
	var loc *time.Location
	var last string
	err := e.readBranch(ctx, branch, func(b *storage.BranchTx, cfg queue.Branch, l *time.Location) error {
		loc = l
		svc, err := b.Service(service)
		if err != nil {
			return err
		}
		if !svc.Bookable() {
			return queue.Errorf(queue.CodeNotBookable, "service %s takes no appointments", service)
		}
		_, start, _, err := e.dayOf(from, loc)
		if err != nil {
			return err
		}
		counters, err := b.Counters()
		if err != nil {
			return err
		}
		now := e.now()
		size := perSlot(b, counters, svc)
		last = queue.LastBookableDay(svc, now, loc)
		y, m, d := start.Date()
		for i := range days {
			day := time.Date(y, m, d+i, 12, 0, 0, 0, loc).Format(queue.DayLayout)
			if day > last {
				break
			}
			slots, err := queue.SlotsOn(cfg, svc, day, loc)
			if err != nil || len(slots) == 0 {
				continue
			}
			taken := b.SlotsTaken(svc.ID, slots[0].Start, slots[len(slots)-1].End)
			for _, s := range slots {
				if s.Start.After(now) {
					out = append(out, SlotFree{Slot: s, Free: max(size-taken[s.Start.UnixNano()], 0)})
				}
			}
		}
		return nil
	})
	return out, last, loc, err
}

// DayLoad is, for each hour of service day date ("" for today), the
// counter time planned and the part that the booked appointments take:
// what is left is the walk-ins'.
func (e *Engine) DayLoad(ctx context.Context, branch, date string) (string, []queue.HourLoad, error) {
	var out []queue.HourLoad
	err := e.readBranch(ctx, branch, func(b *storage.BranchTx, cfg queue.Branch, loc *time.Location) error {
		var from, to time.Time
		var err error
		if date, from, to, err = e.dayOf(date, loc); err != nil {
			return err
		}
		counters, err := b.Counters()
		if err != nil {
			return err
		}
		svcs, err := b.Services()
		if err != nil {
			return err
		}
		times := map[string]time.Duration{}
		for _, s := range svcs {
			times[s.ID] = learnedServiceTime(b, s)
		}
		var booked []queue.Appointment
		if err := b.ForEachAppointment(from, to, func(a queue.Appointment) (bool, error) {
			if a.State == queue.ApptBooked || a.State == queue.ApptCheckedIn || a.State == queue.ApptDone {
				booked = append(booked, a)
			}
			return true, nil
		}); err != nil {
			return err
		}
		out = queue.DayLoad(cfg, counters, from, booked, func(svc string) time.Duration {
			if d, ok := times[svc]; ok {
				return d
			}
			return queue.DefaultServiceTime // a service deleted since
		})
		return nil
	})
	return date, out, err
}
