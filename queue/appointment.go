package queue

import (
	"crypto/rand"
	"math/big"
	"strings"
	"time"
)

// AppointmentSettings say whether and how a service can be booked. Zero
// fields take the defaults (DefaultSlotMin …); PerSlot 0 takes the
// proposal of ProposedPerSlot.
type AppointmentSettings struct {
	Enabled         bool `json:"enabled"`
	SlotMin         int  `json:"slot_min,omitempty"`
	PerSlot         int  `json:"per_slot,omitempty"`
	DaysAhead       int  `json:"days_ahead,omitempty"`
	CheckinEarlyMin int  `json:"checkin_early_min,omitempty"`
	CheckinLateMin  int  `json:"checkin_late_min,omitempty"`
}

// Defaults and bounds of the appointment settings.
const (
	DefaultSlotMin      = 15
	DefaultDaysAhead    = 30
	DefaultCheckinEarly = 30
	DefaultCheckinLate  = 10
	MinSlotMin          = 5
	MaxSlotMin          = 240
	MaxPerSlot          = 100
	MaxDaysAhead        = 366
	MaxCheckinMin       = 240
	// DefaultAppointmentCap is N of the call-next policy: at most N
	// appointment calls in a row at a counter while walk-ins wait past
	// their target.
	DefaultAppointmentCap = 3
	MaxAppointmentCap     = 20
	// MaxClosedDates bounds a branch's list of closed dates.
	MaxClosedDates = 400
	// MaxContactLen bounds the optional phone number or e-mail.
	MaxContactLen = 100
	// MaxReferenceLen bounds an imported appointment's reference, and
	// MaxExternalIDLen its id in the outside system.
	MaxReferenceLen  = 100
	MaxExternalIDLen = 100
)

// Slot is the length of one slot.
func (a AppointmentSettings) Slot() time.Duration {
	if a.SlotMin <= 0 {
		return DefaultSlotMin * time.Minute
	}
	return time.Duration(a.SlotMin) * time.Minute
}

// Ahead is how many days ahead the service can be booked.
func (a AppointmentSettings) Ahead() int {
	if a.DaysAhead <= 0 {
		return DefaultDaysAhead
	}
	return a.DaysAhead
}

// CheckinWindow returns how long before and after its start an appointment
// can be checked in.
func (a AppointmentSettings) CheckinWindow() (early, late time.Duration) {
	early, late = DefaultCheckinEarly*time.Minute, DefaultCheckinLate*time.Minute
	if a.CheckinEarlyMin > 0 {
		early = time.Duration(a.CheckinEarlyMin) * time.Minute
	}
	if a.CheckinLateMin > 0 {
		late = time.Duration(a.CheckinLateMin) * time.Minute
	}
	return early, late
}

// Validate checks the settings' bounds.
func (a AppointmentSettings) Validate(service string) error {
	switch {
	case a.SlotMin < 0 || a.SlotMin > MaxSlotMin || a.SlotMin != 0 && a.SlotMin < MinSlotMin:
		return Errorf(CodeValidation, "service %s: slot_min must be %d to %d minutes", service, MinSlotMin, MaxSlotMin)
	case a.SlotMin != 0 && 24*60%a.SlotMin != 0:
		return Errorf(CodeValidation, "service %s: slot_min must divide a day (5, 10, 15, 20, 30, 60 …)", service)
	case a.PerSlot < 0 || a.PerSlot > MaxPerSlot:
		return Errorf(CodeValidation, "service %s: per_slot must be 1 to %d (0 for the proposal)", service, MaxPerSlot)
	case a.DaysAhead < 0 || a.DaysAhead > MaxDaysAhead:
		return Errorf(CodeValidation, "service %s: days_ahead must be 1 to %d", service, MaxDaysAhead)
	case a.CheckinEarlyMin < 0 || a.CheckinEarlyMin > MaxCheckinMin || a.CheckinLateMin < 0 || a.CheckinLateMin > MaxCheckinMin:
		return Errorf(CodeValidation, "service %s: the check-in window must be 0 to %d minutes each way", service, MaxCheckinMin)
	}
	return nil
}

// Bookable reports whether the service takes appointments.
func (s Service) Bookable() bool { return s.Appointments != nil && s.Appointments.Enabled }

// Booking returns the service's appointment settings (zero when none).
func (s Service) Booking() AppointmentSettings {
	if s.Appointments == nil {
		return AppointmentSettings{}
	}
	return *s.Appointments
}

// ProposedPerSlot is the size of a slot that the counters serving the
// service could take in full with its service time, halved: the other half
// of their time stays for walk-ins. At least 1.
func ProposedPerSlot(counters []Counter, svc Service, serviceTime time.Duration) int {
	if serviceTime <= 0 {
		serviceTime = svc.ServiceTime()
	}
	n := 0
	for _, c := range counters {
		if c.ServesService(svc.ID) {
			n++
		}
	}
	per := int(time.Duration(n) * svc.Booking().Slot() / serviceTime / 2)
	return max(per, 1)
}

// PerSlotOf is a slot's capacity: the configured one, or the proposal.
func PerSlotOf(counters []Counter, svc Service, serviceTime time.Duration) int {
	if p := svc.Booking().PerSlot; p > 0 {
		return p
	}
	return ProposedPerSlot(counters, svc, serviceTime)
}

// ApptState is where an appointment is in its life.
type ApptState string

// Appointment states.
const (
	ApptBooked    ApptState = "booked"
	ApptCheckedIn ApptState = "checked_in"
	ApptCancelled ApptState = "cancelled"
	ApptNoShow    ApptState = "no_show"
	ApptDone      ApptState = "done"
)

// Ticket sources.
const (
	SourceWalkIn      = "walk_in"
	SourceAppointment = "appointment"
)

// Appointment is a booked place in a slot of a service.
type Appointment struct {
	ID      uint64    `json:"id"`
	Code    string    `json:"code"`
	Token   string    `json:"token"`
	Branch  string    `json:"branch"`
	Service string    `json:"service"`
	Start   time.Time `json:"start"`
	End     time.Time `json:"end"`
	State   ApptState `json:"state"`
	Lang    string    `json:"lang,omitempty"`
	// Contact is a phone number or e-mail for reminders, kept until the
	// day after the appointment (retention).
	Contact    string `json:"contact,omitempty"`
	ExternalID string `json:"external_id,omitempty"`
	Reference  string `json:"reference,omitempty"`
	// Ticket and TicketNumber are the ticket its check-in issued.
	Ticket       uint64    `json:"ticket,omitempty"`
	TicketNumber string    `json:"ticket_number,omitempty"`
	BookedAt     time.Time `json:"booked_at"`
	CheckedInAt  time.Time `json:"checked_in_at,omitzero"`
	Actor        string    `json:"actor,omitempty"`
	// Reminded lists the reminders emitted ("day", "hour").
	Reminded []string `json:"reminded,omitempty"`
}

// Day is the appointment's service day in loc.
func (a Appointment) Day(loc *time.Location) string { return ServiceDay(a.Start, loc) }

// TicketAppointment is what a ticket checked in from an appointment
// carries of it.
type TicketAppointment struct {
	Code      string    `json:"code"`
	Start     time.Time `json:"start"`
	Reference string    `json:"reference,omitempty"`
}

// CodeAlphabet is the appointment codes' alphabet: capitals and digits
// without those read one for another (0/O/Q, 1/I/L, 2/Z, 5/S, 8/B).
const CodeAlphabet = "ACDEFGHJKMNPRTUVWXY34679"

// CodeLen is the length of an appointment code.
const CodeLen = 6

// NewCode returns a random appointment code.
func NewCode() (string, error) {
	out := make([]byte, CodeLen)
	n := big.NewInt(int64(len(CodeAlphabet)))
	for i := range out {
		k, err := rand.Int(rand.Reader, n) // uniform: no letter likelier
		if err != nil {
			return "", err
		}
		out[i] = CodeAlphabet[k.Int64()]
	}
	return string(out), nil
}

// NormalizeCode reads a typed or scanned code: spaces, dashes and case do
// not matter. ok is false when it cannot be a code.
func NormalizeCode(s string) (string, bool) {
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		if r == ' ' || r == '-' || r == '\t' {
			continue
		}
		if !strings.ContainsRune(CodeAlphabet, r) || b.Len() >= CodeLen {
			return "", false
		}
		b.WriteRune(r)
	}
	if b.Len() != CodeLen {
		return "", false
	}
	return b.String(), true
}
