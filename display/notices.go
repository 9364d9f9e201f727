package display

import (
	"context"
	"time"

	"github.com/seira-queue/seira/internal/wsconn"
	"github.com/seira-queue/seira/queue"
	"github.com/seira-queue/seira/view"
)

// Announcements to the waiting reach every phone following a ticket of the
// branch, besides the branch channel: a page shows them while its ticket
// waits. They go out with transport seq 0, so that a phone's writer never
// drops one as older than a ticket event it has just written; a page
// tells them apart by id, and one it receives twice (its snapshot already
// held it) changes nothing.

// sendAnnouncements tells every ticket follower of branch of the
// announcement events among evs, in order.
func (h *Hub) sendAnnouncements(branch string, evs []queue.Event) {
	var msgs []wsconn.Msg
	for _, ev := range evs {
		if !ev.Type.Announcement() {
			continue
		}
		at := ev.At
		live := view.LiveEventOf(ev)
		pm, err := prepare(view.TicketLive{Type: string(ev.Type), Seq: ev.Seq, At: &at, Announcement: live.Announcement})
		if err != nil {
			h.log.Error("live: encode", "err", err)
			continue
		}
		msgs = append(msgs, wsconn.Msg{Frame: pm})
	}
	if len(msgs) == 0 {
		return
	}
	h.fanOut(h.ticketFollowers(branch), msgs)
}

// ticketFollowers returns every connection following a ticket of branch.
func (h *Hub) ticketFollowers(branch string) []*wsconn.Conn {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []*wsconn.Conn
	for _, cs := range h.tickets[branch] {
		for _, c := range cs {
			out = append(out, c.conn)
		}
	}
	return out
}

// hasAnnouncement reports whether evs hold an announcement's event.
func hasAnnouncement(evs []queue.Event) bool {
	for _, ev := range evs {
		if ev.Type.Announcement() {
			return true
		}
	}
	return false
}

// activeAnnouncements are a ticket snapshot's announcements. They are read
// after the ticket: one posted in between comes live as well, which the
// page takes once.
func (h *Hub) activeAnnouncements(ctx context.Context, branch string) []view.Announcement {
	list, loc, err := h.src.Announcements(ctx, branch)
	if err != nil {
		h.log.Warn("live: announcements", "branch", branch, "err", err)
		return nil
	}
	if loc == nil {
		loc = time.UTC
	}
	return view.AnnouncementsOf(list, loc)
}
