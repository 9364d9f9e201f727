package view

import (
	"encoding/json"
	"strconv"
	"time"

	"github.com/seira-queue/seira/queue"
)

// Announcement is a message to the waiting citizens. Pages get it without
// By (who posted it); managers see it. A withdrawal on a live channel
// carries only the id.
type Announcement struct {
	ID        uint64     `json:"id"`
	Text      queue.Text `json:"text,omitempty"`
	To        string     `json:"to,omitempty"`
	At        time.Time  `json:"at,omitzero"`
	ExpiresAt time.Time  `json:"expires_at,omitzero"`
	By        string     `json:"by,omitempty"`
}

// AnnouncementOf returns the view of a in time zone loc (nil: as stored);
// staff views carry who posted it.
func AnnouncementOf(a queue.Announcement, loc *time.Location, staff bool) Announcement {
	v := Announcement{ID: a.ID, Text: a.Text, To: a.To, At: a.At, ExpiresAt: a.ExpiresAt}
	if loc != nil {
		v.At, v.ExpiresAt = a.At.In(loc), a.ExpiresAt.In(loc)
	}
	if staff {
		v.By = a.By
	}
	return v
}

// AnnouncementsOf returns the public views of list (never nil).
func AnnouncementsOf(list []queue.Announcement, loc *time.Location) []Announcement {
	out := make([]Announcement, 0, len(list))
	for _, a := range list {
		out = append(out, AnnouncementOf(a, loc, false))
	}
	return out
}

// announcementOfEvent is the announcement an announcement.posted or
// announcement.withdrawn event is about: the whole of it for a posting
// (from the event's detail), its id for a withdrawal.
func announcementOfEvent(ev queue.Event) *Announcement {
	id, _ := strconv.ParseUint(ev.Subject, 10, 64)
	if ev.Type == queue.EvAnnouncementPosted {
		var a queue.Announcement
		if err := json.Unmarshal(ev.Detail, &a); err == nil {
			v := AnnouncementOf(a, ev.At.Location(), false)
			return &v
		}
	}
	return &Announcement{ID: id}
}
