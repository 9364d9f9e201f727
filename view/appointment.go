package view

import (
	"time"

	"github.com/seira-queue/seira/queue"
)

// Appointment is an appointment as the API shows it. Token, ManageURL and
// Contact go only to its holder, and Contact to staff looking at it alone
// (a day's list says only whether there is one).
type Appointment struct {
	Code        string     `json:"code"`
	Branch      string     `json:"branch"`
	Service     string     `json:"service"`
	ServiceName queue.Text `json:"service_name,omitempty"`
	Start       time.Time  `json:"start"`
	End         time.Time  `json:"end"`
	State       string     `json:"state"`
	Lang        string     `json:"lang"`
	ExternalID  *string    `json:"external_id"`
	Reference   string     `json:"reference,omitempty"`
	// Ticket is the number of the ticket its check-in issued.
	Ticket   *string   `json:"ticket"`
	BookedAt time.Time `json:"booked_at"`
	// The check-in window around the start, in minutes (the service's).
	CheckinEarlyMin int        `json:"checkin_early_min"`
	CheckinLateMin  int        `json:"checkin_late_min"`
	CheckedIn       *time.Time `json:"checked_in_at,omitempty"`
	HasContact      bool       `json:"has_contact,omitempty"`
	Contact         string     `json:"contact,omitempty"`
	Token           string     `json:"token,omitempty"`
	ManageURL       string     `json:"manage_url,omitempty"`
}

// AppointmentOf returns the view of a in loc, without what is personal.
func AppointmentOf(a queue.Appointment, svc queue.Service, loc *time.Location) Appointment {
	v := Appointment{Code: a.Code, Branch: a.Branch, Service: a.Service, ServiceName: svc.Name,
		Start: a.Start.In(loc), End: a.End.In(loc), State: string(a.State), Lang: a.Lang, Reference: a.Reference,
		BookedAt: a.BookedAt.In(loc), HasContact: a.Contact != ""}
	early, late := svc.Booking().CheckinWindow()
	v.CheckinEarlyMin, v.CheckinLateMin = int(early/time.Minute), int(late/time.Minute)
	if a.ExternalID != "" {
		v.ExternalID = &a.ExternalID
	}
	if a.TicketNumber != "" {
		v.Ticket = &a.TicketNumber
	}
	if !a.CheckedInAt.IsZero() {
		at := a.CheckedInAt.In(loc)
		v.CheckedIn = &at
	}
	return v
}

// WithContact adds the contact data (for its holder, or staff).
func (v Appointment) WithContact(a queue.Appointment) Appointment {
	v.Contact = a.Contact
	return v
}

// ForHolder adds what only the appointment's holder gets: its token and
// the link to manage it (manageBase: "https://host/a/").
func (v Appointment) ForHolder(a queue.Appointment, manageBase string) Appointment {
	v = v.WithContact(a)
	v.Token, v.ManageURL = a.Token, manageBase+a.Token
	return v
}

// Slot is a bookable slot with its free places.
type Slot struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
	Free  int       `json:"free"`
}

// Slots is the answer of GET …/slots: the slots, and the last day the
// service can be booked on now (pages need not look past it).
type Slots struct {
	Slots   []Slot `json:"slots"`
	LastDay string `json:"last_day"`
}
