package view

import (
	"time"

	"github.com/seira-queue/seira/queue"
)

// Live is a snapshot message on a branch's live channel: the whole state.
// A client starts from it, then applies events (LiveEvent).
type Live struct {
	Type  string `json:"type"` // "snapshot"
	Seq   uint64 `json:"seq"`
	State *State `json:"state"`
}

// LiveEvent is an event on a branch's live channel. It carries what
// changed, by id: names, prefixes and the rest of what seldom changes come
// from the snapshot. A change of settings is a "branch.updated" event
// followed by a fresh snapshot. It never carries a token or a clerk.
type LiveEvent struct {
	Type string    `json:"type"`
	Seq  uint64    `json:"seq"`
	At   time.Time `json:"at"`
	// Call is a ticket.called or ticket.recalled.
	Call *LiveCall `json:"call,omitempty"`
	// Number and Service are the ticket the event is about (other than a
	// call); Service is where it is now, From where a transfer took it.
	Number  string `json:"number,omitempty"`
	Service string `json:"service,omitempty"`
	From    string `json:"from,omitempty"`
	// Counter is the counter the event happened at.
	Counter string `json:"counter,omitempty"`
	// Waiting and WaitingPriority are the counts after the event of the
	// services whose queue it changed, and no others.
	Waiting         map[string]int `json:"waiting,omitempty"`
	WaitingPriority map[string]int `json:"waiting_priority,omitempty"`
	// What and Subject say which settings a branch.updated is about
	// (service.updated, certificates).
	What    string `json:"what,omitempty"`
	Subject string `json:"subject,omitempty"`
	// Announcement is what an announcement.posted brings (its text and
	// expiry), or which one an announcement.withdrawn ends (its id).
	Announcement *Announcement `json:"announcement,omitempty"`
}

// LiveCall is a call on the branch channel.
type LiveCall struct {
	Number   string `json:"number"`
	Service  string `json:"service"`
	Counter  string `json:"counter"`
	Recall   bool   `json:"recall"`
	Priority string `json:"priority,omitempty"`
}

// LiveEventOf returns the branch-channel message of an event (its time in
// the branch's zone, as the engine gives it).
func LiveEventOf(ev queue.Event) LiveEvent {
	m := LiveEvent{Type: string(ev.Type), Seq: ev.Seq, At: ev.At, Counter: ev.Counter}
	switch {
	case ev.Type.Settings():
		m.Type, m.What, m.Subject = string(queue.EvBranchUpdated), string(ev.Type), ev.Subject
		return m
	case ev.Type == queue.EvCalled || ev.Type == queue.EvRecalled:
		m.Call = &LiveCall{Number: ev.Number, Service: ev.Service, Counter: ev.Counter, Recall: ev.Type == queue.EvRecalled}
		if ev.Priority != "" && ev.Priority != queue.PriorityNone {
			m.Call.Priority = ev.Priority
		}
		m.Counter = ""
	case ev.Ticket != 0:
		m.Number, m.Service, m.From = ev.Number, ev.Service, ev.From
	case ev.Type.Announcement():
		m.Announcement = announcementOfEvent(ev)
	case ev.Type.Appointment():
		// Which appointment (its id), of which service: never its code,
		// contact or token.
		m.Service, m.Subject = ev.Service, ev.Subject
	}
	if len(ev.Queues) > 0 {
		m.Waiting, m.WaitingPriority = make(map[string]int, len(ev.Queues)), make(map[string]int, len(ev.Queues))
		for _, q := range ev.Queues {
			m.Waiting[q.Service], m.WaitingPriority[q.Service] = q.Waiting, q.Priority
		}
	}
	return m
}
