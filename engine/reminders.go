package engine

import (
	"context"
	"time"

	"github.com/seira-queue/seira/queue"
	"github.com/seira-queue/seira/storage"
)

// Reminders are due a day and an hour before a booked appointment, as
// appointment.reminder_due events (Detail "before": "day" or "hour"): a
// gateway that sends SMS or e-mail listens for them. Each is emitted
// once; one that fell due while seira was down goes out when it is back,
// if the appointment has not begun.
var reminderLeads = []struct {
	name string
	lead time.Duration
}{{"day", 24 * time.Hour}, {"hour", time.Hour}}

// Reminders emits the reminders of branch that have fallen due. Reading
// finds them; a write only follows when there are some.
func (e *Engine) Reminders(ctx context.Context, branch string) (int, error) {
	now := e.now()
	due := false
	err := e.store.View(ctx, func(tx *storage.Tx) error {
		b, err := tx.Branch(branch)
		if err != nil {
			return err
		}
		return b.ForEachAppointment(now, now.Add(reminderLeads[0].lead+time.Second), func(a queue.Appointment) (bool, error) {
			due = a.State == queue.ApptBooked && len(remindersDue(a, now)) > 0
			return !due, nil
		})
	})
	if err != nil || !due {
		return 0, err
	}
	n := 0
	err = e.write(ctx, branch, "system", func(o *op) error {
		n = 0
		type change struct{ a, prev queue.Appointment }
		var changes []change
		err := o.b.ForEachAppointment(o.now, o.now.Add(reminderLeads[0].lead+time.Second), func(a queue.Appointment) (bool, error) {
			if a.State == queue.ApptBooked && len(remindersDue(a, o.now)) > 0 {
				changes = append(changes, change{a, a})
			}
			return true, nil
		})
		if err != nil {
			return err
		}
		for _, c := range changes {
			for _, name := range remindersDue(c.a, o.now) {
				c.a.Reminded = append(c.a.Reminded, name)
				if err := o.emitReminder(c.a, name); err != nil {
					return err
				}
				n++
			}
			if err := o.b.PutAppointment(c.a, &c.prev); err != nil {
				return err
			}
		}
		return nil
	})
	return n, err
}

// remindersDue lists the reminders of a that are due at now and not sent:
// only the latest lead that has passed (an hour before makes a missed day
// before moot), and none for a lead that had passed when it was booked
// (booked this morning for this afternoon: no "a day before").
func remindersDue(a queue.Appointment, now time.Time) []string {
	if !now.Before(a.Start) {
		return nil
	}
	for i := len(reminderLeads) - 1; i >= 0; i-- {
		r := reminderLeads[i]
		at := a.Start.Add(-r.lead)
		if !now.Before(at) {
			if !a.BookedAt.Before(at) {
				return nil
			}
			for _, sent := range a.Reminded {
				if sent == r.name {
					return nil
				}
			}
			return []string{r.name}
		}
	}
	return nil
}

func (o *op) emitReminder(a queue.Appointment, name string) error {
	ev := queue.Event{Type: queue.EvApptReminderDue, Branch: a.Branch, Service: a.Service, Subject: itoa(a.ID)}
	ev.Detail = mustJSON(map[string]any{"start": a.Start.In(o.loc), "before": name, "lang": a.Lang})
	return o.emit(ev)
}
