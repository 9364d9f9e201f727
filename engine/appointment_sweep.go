package engine

import (
	"github.com/seira-queue/seira/queue"
)

// sweepAppointments, at the turn of a day, marks the booked appointments
// of the days before as no-shows and deletes the contact data of every
// appointment before the day (kept only until the day after).
func (o *op) sweepAppointments() error {
	start, _, err := queue.DayBounds(o.day, o.loc)
	if err != nil {
		return err
	}
	var changed []queue.Appointment // the stored versions
	err = o.b.ForEachAppointment(o.b.ApptSwept(), start, func(a queue.Appointment) (bool, error) {
		if a.State == queue.ApptBooked || a.Contact != "" {
			changed = append(changed, a)
		}
		return true, nil
	})
	if err != nil {
		return err
	}
	for _, prev := range changed {
		a := prev
		a.Contact = ""
		var typ queue.EventType
		if a.State == queue.ApptBooked {
			a.State, typ = queue.ApptNoShow, queue.EvApptNoShow
		}
		if err := o.putAppt(a, prev, typ); err != nil {
			return err
		}
	}
	return o.b.PutApptSwept(start)
}
