package engine

import (
	"context"
	"strconv"
	"time"

	"github.com/seira-queue/seira/queue"
	"github.com/seira-queue/seira/storage"
)

// AnnouncementRequest is a manager's message to the waiting citizens:
// its text, its audience, and when it expires (ExpiresAt, or Minutes from
// now, or neither for queue.AnnouncementDefault).
type AnnouncementRequest struct {
	Text      queue.Text
	To        string
	ExpiresAt *time.Time
	Minutes   *int
}

// PostAnnouncement stores an announcement and appends its event in one
// transaction, so that the live channels, a client resuming by seq and the
// audit trail all have it once it is durable. Expired ones are pruned on
// the way: expiry itself is a filter at reading, by the engine's clock.
func (e *Engine) PostAnnouncement(ctx context.Context, branch, actor string, req AnnouncementRequest) (queue.Announcement, error) {
	text, err := queue.CheckAnnouncementText(req.Text)
	if err != nil {
		return queue.Announcement{}, err
	}
	to := req.To
	if to == "" {
		to = queue.AudienceWaiting
	}
	if to != queue.AudienceWaiting {
		return queue.Announcement{}, queue.Errorf(queue.CodeInvalidAnnouncement, "to %q: announcements go to %q", to, queue.AudienceWaiting)
	}
	var a queue.Announcement
	err = e.write(ctx, branch, actor, func(o *op) error {
		// To the second: what people read, and what a client is told.
		now := o.now.Truncate(time.Second)
		expires, err := queue.AnnouncementExpiry(now, req.ExpiresAt, req.Minutes)
		if err != nil {
			return err
		}
		if err := o.b.PruneAnnouncements(o.now); err != nil {
			return err
		}
		active, err := o.b.Announcements(o.now)
		if err != nil {
			return err
		}
		if len(active) >= queue.AnnouncementsActive {
			return queue.Errorf(queue.CodeConflict, "%d announcements are shown already: withdraw one first", len(active))
		}
		id, err := o.b.NewAnnouncementID()
		if err != nil {
			return err
		}
		a = queue.Announcement{ID: id, Text: text, To: to, At: now.In(o.loc), ExpiresAt: expires.In(o.loc), By: actor}
		if err := o.b.PutAnnouncement(a); err != nil {
			return err
		}
		// The event carries it all but who posted it (the event's actor
		// says that, for the audit trail), for live clients and replays.
		public := a
		public.By = ""
		return o.emit(queue.Event{Type: queue.EvAnnouncementPosted, Subject: strconv.FormatUint(id, 10), Detail: detail(public)})
	})
	return a, err
}

// WithdrawAnnouncement ends an active announcement before its expiry.
func (e *Engine) WithdrawAnnouncement(ctx context.Context, branch, actor string, id uint64) error {
	return e.write(ctx, branch, actor, func(o *op) error {
		a, err := o.b.Announcement(id)
		if err != nil || !a.ActiveAt(o.now) {
			return queue.Errorf(queue.CodeNotFound, "no active announcement %d", id)
		}
		if err := o.b.DeleteAnnouncement(id); err != nil {
			return err
		}
		return o.emit(queue.Event{Type: queue.EvAnnouncementWithdrawn, Subject: strconv.FormatUint(id, 10)})
	})
}

// Announcements returns branch's active announcements, oldest first, and
// the branch's time zone.
func (e *Engine) Announcements(ctx context.Context, branch string) ([]queue.Announcement, *time.Location, error) {
	var list []queue.Announcement
	var loc *time.Location
	err := e.readBranch(ctx, branch, func(b *storage.BranchTx, _ queue.Branch, l *time.Location) error {
		loc = l
		var err error
		list, err = b.Announcements(e.now())
		return err
	})
	return list, loc, err
}
