package queue

import (
	"cmp"
	"encoding/json"
	"slices"
	"strings"
	"time"
)

// Text is a user-facing string in several languages, keyed by language tag
// ("el", "en").
type Text map[string]string

// Empty reports whether no language has any text.
func (t Text) Empty() bool {
	for _, s := range t {
		if strings.TrimSpace(s) != "" {
			return false
		}
	}
	return true
}

// In returns the text in lang, falling back to Greek, then English, then any.
func (t Text) In(lang string) string {
	if s, ok := t[lang]; ok && s != "" {
		return s
	}
	for _, l := range []string{"el", "en"} {
		if s := t[l]; s != "" {
			return s
		}
	}
	for _, s := range t {
		return s
	}
	return ""
}

// DefaultTimeZone is the time zone of a branch that names none.
const DefaultTimeZone = "Europe/Athens"

// DefaultPriorityCap is K of the call-next policy: at most K priority calls
// in a row at one counter while regular tickets wait.
const DefaultPriorityCap = 3

// PriorityNone is the category of a regular ticket.
const PriorityNone = "none"

// DefaultPriorities are the priority categories a branch accepts unless it
// configures its own: disability (ΑμεΑ), pregnancy, parent with an infant,
// over 75.
func DefaultPriorities() []string { return []string{"disability", "pregnancy", "infant", "senior"} }

// Branch is one office.
type Branch struct {
	ID          string   `json:"id"`
	Name        Text     `json:"name"`
	TimeZone    string   `json:"time_zone"`
	PriorityCap int      `json:"priority_cap"`
	Priorities  []string `json:"priorities"`
	// Hours are the opening hours per weekday; none means always open.
	Hours Hours `json:"hours,omitempty"`
	// Message is the line the wall displays show (news, closures).
	Message Text `json:"message,omitempty"`
	// RetentionDays, when positive, is how long a finished ticket keeps its
	// token (its personal link); statistics stay.
	RetentionDays int `json:"retention_days,omitempty"`
	// RecallBadgeMin is how long the displays mark a recalled number
	// "called again" once its announcement has played; CallShownMin how old
	// a call may be and still show among the displays' calls (a quiet
	// office should not show this morning's call at noon). Zero takes the
	// defaults (RecallBadge, CallShown).
	RecallBadgeMin int `json:"recall_badge_min,omitempty"`
	CallShownMin   int `json:"call_shown_min,omitempty"`
	// ClosedDates are the days ("YYYY-MM-DD", local) the office is shut
	// besides its weekly hours: holidays. No slot falls on them.
	ClosedDates []string `json:"closed_dates,omitempty"`
	// AppointmentCap is N of the call-next policy (0: the default).
	AppointmentCap int `json:"appointment_cap,omitempty"`
	// Address and the coordinates are published with the office's live
	// waits (open data); Lat and Lon are nil until the admin sets them.
	Address Text     `json:"address,omitempty"`
	Lat     *float64 `json:"lat,omitempty"`
	Lon     *float64 `json:"lon,omitempty"`
}

// ApptCap returns N, the appointment cap, with the default for zero.
func (b Branch) ApptCap() int {
	if b.AppointmentCap <= 0 {
		return DefaultAppointmentCap
	}
	return b.AppointmentCap
}

// ClosedOn reports whether day is one of the branch's closed dates.
func (b Branch) ClosedOn(day string) bool { return slices.Contains(b.ClosedDates, day) }

// The displays' defaults for Branch.RecallBadgeMin and CallShownMin.
const (
	DefaultRecallBadge = 2 * time.Minute
	DefaultCallShown   = 30 * time.Minute
)

// RecallBadge is how long a display marks a recall, once announced.
func (b Branch) RecallBadge() time.Duration {
	if b.RecallBadgeMin <= 0 {
		return DefaultRecallBadge
	}
	return time.Duration(b.RecallBadgeMin) * time.Minute
}

// CallShown is the age past which a call leaves the displays.
func (b Branch) CallShown() time.Duration {
	if b.CallShownMin <= 0 {
		return DefaultCallShown
	}
	return time.Duration(b.CallShownMin) * time.Minute
}

// Cap returns K, the priority cap, with the default for zero.
func (b Branch) Cap() int {
	if b.PriorityCap <= 0 {
		return DefaultPriorityCap
	}
	return b.PriorityCap
}

// CompareIDs orders ids as people read them: ids of digits numerically
// (counter "2" before "10"), others as strings.
func CompareIDs(a, b string) int {
	if len(a) != len(b) && isDigits(a) && isDigits(b) {
		return cmp.Compare(len(a), len(b))
	}
	return strings.Compare(a, b)
}

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// Zone returns the branch's time zone name, with the default for none.
func (b Branch) Zone() string {
	if b.TimeZone == "" {
		return DefaultTimeZone
	}
	return b.TimeZone
}

// AcceptsPriority reports whether category p may be declared at this branch.
func (b Branch) AcceptsPriority(p string) bool {
	if p == PriorityNone {
		return true
	}
	cats := b.Priorities
	if cats == nil {
		cats = DefaultPriorities()
	}
	return slices.Contains(cats, p)
}

// Service is what a citizen comes for.
type Service struct {
	ID     string `json:"id"`
	Name   Text   `json:"name"`
	Prefix string `json:"prefix"`
	Order  int    `json:"order"`
	Open   bool   `json:"open"`
	// DefaultServiceS is the service time assumed until there is history.
	DefaultServiceS int `json:"default_service_s"`
	// DailyLimit caps the tickets issued per service day; 0 means none.
	DailyLimit int `json:"daily_limit,omitempty"`
	// TargetWaitS is the wait within which a ticket counts as served in time.
	TargetWaitS int `json:"target_wait_s,omitempty"`
	// Appointments, when enabled, lets citizens book the service.
	Appointments *AppointmentSettings `json:"appointments,omitempty"`
	// RemoteJoin, when enabled, lets citizens join the queue from home.
	RemoteJoin *RemoteJoin `json:"remote_join,omitempty"`
}

// TargetWait is the service's target wait, with the default for none.
func (s Service) TargetWait() time.Duration {
	if s.TargetWaitS <= 0 {
		return DefaultTargetWait
	}
	return time.Duration(s.TargetWaitS) * time.Second
}

// DefaultServiceTime is assumed for a service that configures none.
const DefaultServiceTime = 5 * time.Minute

// ServiceTime returns the configured default service time.
func (s Service) ServiceTime() time.Duration {
	if s.DefaultServiceS <= 0 {
		return DefaultServiceTime
	}
	return time.Duration(s.DefaultServiceS) * time.Second
}

// CounterStatus is whether a counter is taking tickets.
type CounterStatus string

// Counter statuses.
const (
	CounterClosed CounterStatus = "closed"
	CounterOpen   CounterStatus = "open"
	CounterPaused CounterStatus = "paused"
)

// Counter is a desk (γκισέ).
type Counter struct {
	ID   string `json:"id"`
	Name Text   `json:"name"`
	// Serves lists service ids in the counter's preference order.
	Serves []string      `json:"serves"`
	Status CounterStatus `json:"status"`
	Clerk  string        `json:"clerk,omitempty"`
	// Current is the id of the ticket called to this counter, 0 for none;
	// CurrentService and CalledAt describe it, so that estimates need not
	// read it.
	Current        uint64    `json:"current,omitempty"`
	CurrentService string    `json:"current_service,omitempty"`
	CalledAt       time.Time `json:"called_at,omitzero"`
	// PriorityStreak counts the priority tickets called in a row here while
	// regular tickets waited; the policy caps it at the branch's K.
	PriorityStreak int `json:"priority_streak,omitempty"`
	// ApptStreak counts the appointments called in a row here while
	// walk-ins waited past their target; the policy caps it at N.
	ApptStreak int `json:"appt_streak,omitempty"`
	// PausedAt is when a paused counter paused.
	PausedAt time.Time `json:"paused_at,omitzero"`
	// LastPause is when its last pause (now over) began, so that a planned
	// break taken is not expected again.
	LastPause time.Time `json:"last_pause,omitzero"`
	// Schedule is the counter's planned working hours and breaks: one plan
	// (for every day, or the days it names). Schedules holds several, for
	// different days (Tuesday's late shift); a counter has one or the
	// other (Plans).
	Schedule  Schedule   `json:"schedule,omitzero"`
	Schedules []Schedule `json:"schedules,omitempty"`
}

// ServesService reports whether the counter serves service id.
func (c Counter) ServesService(id string) bool { return slices.Contains(c.Serves, id) }

// rank is the position of service id in the counter's preference order.
func (c Counter) rank(id string) int {
	if i := slices.Index(c.Serves, id); i >= 0 {
		return i
	}
	return len(c.Serves)
}

// Transfer records one move of a ticket to another service.
type Transfer struct {
	From    string    `json:"from"`
	To      string    `json:"to"`
	At      time.Time `json:"at"`
	Counter string    `json:"counter,omitempty"`
	Clerk   string    `json:"clerk,omitempty"`
}

// Ticket is one citizen's place in the queue.
type Ticket struct {
	ID     uint64 `json:"id"`
	Token  string `json:"token"`
	Branch string `json:"branch"`
	// Service is the queue the ticket is in now; a transfer changes it but
	// keeps Number and IssuedAt.
	Service  string `json:"service"`
	Number   string `json:"number"`
	Day      string `json:"day"`
	Seq      int    `json:"seq"`
	Priority string `json:"priority"`
	Lang     string `json:"lang"`
	State    State  `json:"state"`

	IssuedAt   time.Time `json:"issued_at"`
	CalledAt   time.Time `json:"called_at,omitzero"`
	StartedAt  time.Time `json:"started_at,omitzero"`
	FinishedAt time.Time `json:"finished_at,omitzero"`

	Counter   string     `json:"counter,omitempty"`
	Clerk     string     `json:"clerk,omitempty"`
	Recalls   int        `json:"recalls,omitempty"`
	Transfers []Transfer `json:"transfers,omitempty"`
	Device    string     `json:"device,omitempty"`
	// FirstCalledAt is when the ticket was first called: its wait ends
	// there even if a transfer sends it back to a queue.
	FirstCalledAt time.Time `json:"first_called_at,omitzero"`
	// Source is where the ticket came from: "" (a walk-in, as every
	// ticket before appointments) or SourceAppointment, with Appointment.
	Source      string             `json:"source,omitempty"`
	Appointment *TicketAppointment `json:"appointment,omitempty"`
	// BeThereBy is when a remote ticket's holder should be in the office.
	BeThereBy time.Time `json:"be_there_by,omitzero"`
}

// SourceOf is the ticket's source as the API names it.
func (t Ticket) SourceOf() string {
	if t.Source == "" {
		return SourceWalkIn
	}
	return t.Source
}

// IsPriority reports whether the ticket belongs to the priority class.
func (t Ticket) IsPriority() bool { return t.Priority != "" && t.Priority != PriorityNone }

// Candidate returns the ticket's entry in the waiting order.
func (t Ticket) Candidate() Candidate {
	c := Candidate{ID: t.ID, Service: t.Service, Priority: t.IsPriority(), IssuedAt: t.IssuedAt.UnixNano(), Seq: t.Seq}
	if t.Appointment != nil {
		c.Due = t.Appointment.Start.UnixNano()
	}
	return c
}

// EventType names what happened; it is also the live message type.
type EventType string

// Event types.
const (
	EvIssued        EventType = "ticket.issued"
	EvCalled        EventType = "ticket.called"
	EvRecalled      EventType = "ticket.recalled"
	EvStarted       EventType = "ticket.started"
	EvDone          EventType = "ticket.done"
	EvNoShow        EventType = "ticket.no_show"
	EvTransferred   EventType = "ticket.transferred"
	EvCancelled     EventType = "ticket.cancelled"
	EvExpired       EventType = "ticket.expired"
	EvCounterOpened EventType = "counter.opened"
	EvCounterPaused EventType = "counter.paused"
	EvCounterClosed EventType = "counter.closed"

	// Appointments: no contact data and no token in them.
	EvApptBooked    EventType = "appointment.booked"
	EvApptMoved     EventType = "appointment.moved"
	EvApptCheckedIn EventType = "appointment.checked_in"
	EvApptCancelled EventType = "appointment.cancelled"
	EvApptNoShow    EventType = "appointment.no_show"
	// EvApptReminderDue is emitted a day and an hour before an
	// appointment, for a gateway that sends reminders.
	EvApptReminderDue EventType = "appointment.reminder_due"

	// Administrative changes, recorded with who made them.
	EvBranchCreated  EventType = "branch.created"
	EvBranchUpdated  EventType = "branch.updated"
	EvServiceCreated EventType = "service.created"
	EvServiceUpdated EventType = "service.updated"
	EvServiceDeleted EventType = "service.deleted"
	EvCounterCreated EventType = "counter.created"
	EvCounterUpdated EventType = "counter.updated"
	EvCounterDeleted EventType = "counter.deleted"
	EvDeviceCreated  EventType = "device.created"
	EvDeviceUpdated  EventType = "device.updated"
	EvDeviceRevoked  EventType = "device.revoked"
	EvUserCreated    EventType = "user.created"
	EvUserUpdated    EventType = "user.updated"
	EvUserDeleted    EventType = "user.deleted"
	EvTokenCreated   EventType = "token.created"
	EvTokenRevoked   EventType = "token.revoked"
)

// Settings reports whether the event changed a branch's settings, which
// live clients take as a cue to reload the whole state.
func (t EventType) Settings() bool {
	switch t {
	case EvBranchCreated, EvBranchUpdated, EvServiceCreated, EvServiceUpdated, EvServiceDeleted,
		EvCounterCreated, EvCounterUpdated, EvCounterDeleted:
		return true
	}
	return false
}

// Appointment reports whether t is an appointment's event.
func (t EventType) Appointment() bool { return strings.HasPrefix(string(t), "appointment.") }

// TicketState is the state a ticket is in after an event of type t, or ""
// for an event that is not about a ticket.
func (t EventType) TicketState() State {
	switch t {
	case EvIssued, EvTransferred:
		return StateWaiting
	case EvCalled, EvRecalled:
		return StateCalled
	case EvStarted:
		return StateServing
	case EvDone:
		return StateDone
	case EvNoShow:
		return StateNoShow
	case EvCancelled:
		return StateCancelled
	case EvExpired:
		return StateExpired
	}
	return ""
}

// Event records one state change. Every change appends one, with the next
// sequence number of its branch; events never carry a ticket's token.
type Event struct {
	Seq    uint64    `json:"seq"`
	Type   EventType `json:"type"`
	At     time.Time `json:"at"`
	Branch string    `json:"branch"`

	Ticket   uint64 `json:"ticket,omitempty"`
	Number   string `json:"number,omitempty"`
	Service  string `json:"service,omitempty"`
	Priority string `json:"priority,omitempty"`
	// From is the service a transferred ticket left.
	From string `json:"from,omitempty"`
	// IssuedAt is the ticket's original issue time, so that waits can be
	// computed from the log alone.
	IssuedAt time.Time `json:"issued_at,omitzero"`
	Counter  string    `json:"counter,omitempty"`
	// Actor is the user or device that caused the change.
	Actor string `json:"actor,omitempty"`
	// Subject and Detail describe an administrative change: what was
	// changed (a service id, a username) and its new settings.
	Subject string          `json:"subject,omitempty"`
	Detail  json.RawMessage `json:"detail,omitempty"`

	// Queues are the waiting counts, just after the event, of the services
	// whose queue it changed. They are not stored: the live channel's
	// events carry them, so that no one reads the branch to broadcast.
	Queues []QueueCount `json:"-"`
}

// QueueCount is how many wait for a service, and how many of them have
// priority.
type QueueCount struct {
	Service  string
	Waiting  int
	Priority int
}

// ChangesQueues reports whether an event of type t changes the queue of
// its service (and of the service a transfer left).
func (t EventType) ChangesQueues() bool {
	switch t {
	case EvIssued, EvCalled, EvCancelled, EvExpired, EvTransferred:
		return true
	}
	return false
}

// TicketEvent returns an event of type typ about ticket t at time at.
func TicketEvent(typ EventType, t Ticket, at time.Time, actor string) Event {
	return Event{Type: typ, At: at, Branch: t.Branch, Ticket: t.ID, Number: t.Number,
		Service: t.Service, Priority: t.Priority, IssuedAt: t.IssuedAt, Counter: t.Counter, Actor: actor}
}
