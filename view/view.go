// Package view turns engine and queue values into the JSON objects of the
// HTTP and WebSocket contract (API.md). Views are the only shapes that leave
// the server: a ticket's token appears only in Ticket, and only when the
// caller asks for the holder's view.
package view

import (
	"time"

	"github.com/seira-queue/seira/engine"
	"github.com/seira-queue/seira/queue"
)

// Ticket is the public view of a ticket.
type Ticket struct {
	Number      string     `json:"number"`
	Service     string     `json:"service"`
	ServiceName queue.Text `json:"service_name"`
	Branch      string     `json:"branch"`
	State       string     `json:"state"`
	Priority    string     `json:"priority"`
	Lang        string     `json:"lang"`
	IssuedAt    time.Time  `json:"issued_at"`
	CalledAt    *time.Time `json:"called_at"`
	Counter     *string    `json:"counter"`
	CounterName queue.Text `json:"counter_name,omitempty"`
	Recalls     int        `json:"recalls"`
	// Position is 1 for the next to be called, 0 once called.
	Position int `json:"position"`
	// EstimatedWaitS is null while no counter serving the ticket's service
	// is open or paused: no figure is better than a wrong one.
	EstimatedWaitS *int `json:"estimated_wait_s"`
	// AfterClosing: the counters are planned to close before this ticket's
	// turn (the estimate assumes the clerks stay).
	AfterClosing bool `json:"after_closing,omitempty"`
	// Source is walk_in or appointment; Appointment the slot it was
	// booked for.
	Source      string      `json:"source"`
	Appointment *TicketAppt `json:"appointment,omitempty"`
	// BeThereBy is when a remote ticket's holder should be in the office.
	BeThereBy *time.Time `json:"be_there_by,omitempty"`
	// Token and TrackURL go only to the ticket's holder.
	Token    string `json:"token,omitempty"`
	TrackURL string `json:"track_url,omitempty"`
}

// TicketOf returns the view of info in time zone loc. trackBase is the
// base URL of ticket pages ("https://host/t/"); empty leaves the token out.
func TicketOf(info engine.TicketInfo, loc *time.Location, trackBase string) Ticket {
	t := info.Ticket
	v := Ticket{
		Number: t.Number, Service: t.Service, ServiceName: info.Service.Name, Branch: t.Branch,
		State: string(t.State), Priority: t.Priority, Lang: t.Lang, IssuedAt: t.IssuedAt.In(loc),
		Recalls: t.Recalls, Position: info.Position, EstimatedWaitS: estimate(info.Wait, info.Unstaffed), AfterClosing: info.AfterClosing,
		Source: t.SourceOf(), Appointment: apptOf(t, loc),
	}
	if !t.BeThereBy.IsZero() {
		at := t.BeThereBy.In(loc)
		v.BeThereBy = &at
	}
	if !t.CalledAt.IsZero() {
		at := t.CalledAt.In(loc)
		v.CalledAt = &at
	}
	if t.Counter != "" {
		c := t.Counter
		v.Counter = &c
		v.CounterName = info.Counter.Name
	}
	if trackBase != "" {
		v.Token = t.Token
		v.TrackURL = trackBase + t.Token
	}
	return v
}

// TicketAppt is the appointment a ticket was checked in for.
type TicketAppt struct {
	Code      string    `json:"code"`
	Start     time.Time `json:"start"`
	Reference string    `json:"reference,omitempty"`
}

func apptOf(t queue.Ticket, loc *time.Location) *TicketAppt {
	if t.Appointment == nil {
		return nil
	}
	return &TicketAppt{Code: t.Appointment.Code, Start: t.Appointment.Start.In(loc), Reference: t.Appointment.Reference}
}

// Brief is a ticket as a counter or a live message shows it: no token, no
// times but the call (and an appointment's slot).
type Brief struct {
	Number      string      `json:"number"`
	Service     string      `json:"service"`
	State       string      `json:"state"`
	Priority    string      `json:"priority"`
	CalledAt    *time.Time  `json:"called_at,omitempty"`
	Recalls     int         `json:"recalls,omitempty"`
	Source      string      `json:"source,omitempty"`
	Appointment *TicketAppt `json:"appointment,omitempty"`
}

// BriefOf returns the brief view of t, or nil for no ticket.
func BriefOf(t queue.Ticket, loc *time.Location) *Brief {
	if t.ID == 0 {
		return nil
	}
	b := &Brief{Number: t.Number, Service: t.Service, State: string(t.State), Priority: t.Priority, Recalls: t.Recalls,
		Source: t.SourceOf(), Appointment: apptOf(t, loc)}
	if !t.CalledAt.IsZero() {
		at := t.CalledAt.In(loc)
		b.CalledAt = &at
	}
	return b
}

// Call is one call (or recall) of a ticket to a counter.
type Call struct {
	Number      string     `json:"number"`
	Service     string     `json:"service"`
	Counter     string     `json:"counter"`
	CounterName queue.Text `json:"counter_name"`
	At          time.Time  `json:"at"`
	Recall      bool       `json:"recall,omitempty"`
}

// CallOf returns the call of a ticket.called or ticket.recalled event.
func CallOf(ev queue.Event, counterName queue.Text, loc *time.Location) Call {
	if counterName == nil {
		counterName = queue.Text{"el": ev.Counter, "en": ev.Counter}
	}
	return Call{Number: ev.Number, Service: ev.Service, Counter: ev.Counter, CounterName: counterName,
		At: ev.At.In(loc), Recall: ev.Type == queue.EvRecalled}
}

// Service is a service with its queue now. Open says whether it takes
// tickets now (the service is open and the office within its hours).
type Service struct {
	ID              string     `json:"id"`
	Name            queue.Text `json:"name"`
	Prefix          string     `json:"prefix"`
	Open            bool       `json:"open"`
	Waiting         int        `json:"waiting"`
	WaitingPriority int        `json:"waiting_priority"`
	// EstimatedWaitS is the expected wait of a regular ticket taken now,
	// null while no counter serving it is open or paused; AfterClosing says
	// the counters are planned to close before its turn.
	EstimatedWaitS *int `json:"estimated_wait_s"`
	AfterClosing   bool `json:"after_closing,omitempty"`
	// Bookable says appointments can be booked (GET …/slots); SlotMin is
	// their length then.
	Bookable bool `json:"bookable,omitempty"`
	SlotMin  int  `json:"slot_min,omitempty"`
	// RemoteJoin says a ticket can be taken from home now (POST
	// …/remote-tickets).
	RemoteJoin bool `json:"remote_join"`
}

// ServiceOf returns the view of a service state.
func ServiceOf(s engine.ServiceState) Service {
	v := Service{ID: s.Service.ID, Name: s.Service.Name, Prefix: s.Service.Prefix, Open: s.OpenNow,
		Waiting: s.Waiting, WaitingPriority: s.WaitingPriority, EstimatedWaitS: estimate(s.Wait, s.Unstaffed), AfterClosing: s.AfterClosing,
		RemoteJoin: s.RemoteJoin}
	if s.Service.Bookable() {
		v.Bookable, v.SlotMin = true, int(s.Service.Booking().Slot()/time.Minute)
	}
	return v
}

// Counter is a counter with its current ticket. Clerk is filled for staff
// only.
type Counter struct {
	ID      string     `json:"id"`
	Name    queue.Text `json:"name"`
	Serves  []string   `json:"serves"`
	Status  string     `json:"status"`
	Current *Brief     `json:"current"`
	Clerk   string     `json:"clerk,omitempty"`
}

// CounterOf returns the view of a counter; staff views carry the clerk.
func CounterOf(c queue.Counter, current queue.Ticket, loc *time.Location, staff bool) Counter {
	v := Counter{ID: c.ID, Name: c.Name, Serves: c.Serves, Status: string(c.Status), Current: BriefOf(current, loc)}
	if v.Serves == nil {
		v.Serves = []string{}
	}
	if staff {
		v.Clerk = c.Clerk
	}
	return v
}

// Branch is a branch's public settings.
type Branch struct {
	ID         string     `json:"id"`
	Name       queue.Text `json:"name"`
	TimeZone   string     `json:"time_zone"`
	Priorities []string   `json:"priorities"`
	// Message is the line the wall displays show, if any.
	Message queue.Text `json:"message,omitempty"`
	// RecallBadgeS and CallShownS tell the displays how long a recall is
	// marked once announced and how old a call may be and still show
	// (the branch's settings, or their defaults).
	RecallBadgeS int `json:"recall_badge_s"`
	CallShownS   int `json:"call_shown_s"`
}

// BranchOf returns the view of a branch.
func BranchOf(b queue.Branch) Branch {
	p := b.Priorities
	if p == nil {
		p = queue.DefaultPriorities()
	}
	v := Branch{ID: b.ID, Name: b.Name, TimeZone: b.TimeZone, Priorities: p,
		RecallBadgeS: seconds(b.RecallBadge()), CallShownS: seconds(b.CallShown())}
	if !b.Message.Empty() {
		v.Message = b.Message
	}
	return v
}

// State is the snapshot of a branch: GET /state and the first live message.
type State struct {
	Seq         uint64    `json:"seq"`
	Branch      Branch    `json:"branch"`
	Services    []Service `json:"services"`
	Counters    []Counter `json:"counters"`
	RecentCalls []Call    `json:"recent_calls"`
	At          time.Time `json:"at"`
	// Announcements are the messages to the waiting shown now (until
	// their expires_at, by the server's clock: "at").
	Announcements []Announcement `json:"announcements"`
}

// StateOf returns the view of a snapshot. Staff views carry clerks.
func StateOf(s engine.Snapshot, loc *time.Location, now time.Time, staff bool) State {
	v := State{Seq: s.Seq, Branch: BranchOf(s.Branch), Services: []Service{}, Counters: []Counter{},
		RecentCalls: []Call{}, At: now.In(loc), Announcements: AnnouncementsOf(s.Announcements, loc)}
	names := map[string]queue.Text{}
	for _, c := range s.Counters {
		v.Counters = append(v.Counters, CounterOf(c.Counter, c.Ticket, loc, staff))
		names[c.Counter.ID] = c.Counter.Name
	}
	for _, svc := range s.Services {
		v.Services = append(v.Services, ServiceOf(svc))
	}
	for _, ev := range s.RecentCalls {
		v.RecentCalls = append(v.RecentCalls, CallOf(ev, names[ev.Counter], loc))
	}
	return v
}

func seconds(d time.Duration) int { return int(d.Round(time.Second) / time.Second) }

// estimate is an estimated wait in seconds, or nil when there is none.
func estimate(d time.Duration, unstaffed bool) *int {
	if unstaffed {
		return nil
	}
	s := seconds(d)
	return &s
}

// TicketLive is one message on a ticket's live channel: "snapshot" first,
// with the whole Ticket; then, with only what changed (Change), "position"
// when its place or estimate changes, or the type of an event of the
// ticket itself (ticket.called, ticket.recalled, ticket.done…).
type TicketLive struct {
	Type   string        `json:"type"`
	Seq    uint64        `json:"seq,omitempty"`
	At     *time.Time    `json:"at,omitempty"`
	Ticket *Ticket       `json:"ticket,omitempty"`
	Change *TicketChange `json:"change,omitempty"`
	// Announcements, in the snapshot, are the messages to the waiting
	// shown now; Announcement is one posted or withdrawn since (as on the
	// branch channel).
	Announcements []Announcement `json:"announcements,omitempty"`
	Announcement  *Announcement  `json:"announcement,omitempty"`
}

// TicketChange is what an event or a move of the queue changed of a
// ticket: a holder's page merges it into the ticket it has.
type TicketChange struct {
	State       string     `json:"state,omitempty"`
	Service     string     `json:"service,omitempty"`
	ServiceName queue.Text `json:"service_name,omitempty"`
	// Counter is always given: null once a ticket has left its counter.
	Counter     *string    `json:"counter"`
	CounterName queue.Text `json:"counter_name,omitempty"`
	CalledAt    *time.Time `json:"called_at,omitempty"`
	Recalls     *int       `json:"recalls,omitempty"`
	*Place
}

// Place is a waiting ticket's place in the queue: position and estimate
// (null while no counter serves its service), as in Ticket.
type Place struct {
	Position       int  `json:"position"`
	EstimatedWaitS *int `json:"estimated_wait_s"`
	AfterClosing   bool `json:"after_closing,omitempty"`
}

// TicketChangeOf is what an event of type typ changed of the ticket
// info describes; a move in the queue ("position") changes only its place.
func TicketChangeOf(typ queue.EventType, info engine.TicketInfo, loc *time.Location) *TicketChange {
	v := TicketOf(info, loc, "")
	place := &Place{Position: v.Position, EstimatedWaitS: v.EstimatedWaitS, AfterClosing: v.AfterClosing}
	if typ == "position" {
		return &TicketChange{Place: place}
	}
	c := &TicketChange{State: v.State, Counter: v.Counter, CounterName: v.CounterName, CalledAt: v.CalledAt}
	switch typ {
	case queue.EvRecalled:
		c.Recalls = &v.Recalls
	case queue.EvTransferred:
		c.Service, c.ServiceName, c.Place = v.Service, v.ServiceName, place
	}
	return c
}
