package engine

import (
	"context"
	"time"

	"github.com/seira-queue/seira/queue"
	"github.com/seira-queue/seira/storage"
)

// FirstCall is one ticket's first call: when, and how long the ticket had
// waited for it. It names no ticket: it is for published figures.
type FirstCall struct {
	At   time.Time
	Wait time.Duration
}

// CallsToday returns the first calls of the tickets of branch's service
// day today (finished or not), in no particular order, with the branch's
// time zone. Tickets never called are left out: their wait has no end.
func (e *Engine) CallsToday(ctx context.Context, branch string) ([]FirstCall, *time.Location, error) {
	var calls []FirstCall
	var loc *time.Location
	err := e.readBranch(ctx, branch, func(b *storage.BranchTx, _ queue.Branch, l *time.Location) error {
		loc = l
		today := queue.ServiceDay(e.now(), loc)
		add := func(issued, called time.Time) {
			if !called.IsZero() && !called.Before(issued) {
				calls = append(calls, FirstCall{At: called, Wait: called.Sub(issued)})
			}
		}
		// Finished tickets have their outcome; the others are still in
		// the tickets, newest first, back to the start of the day.
		if err := b.Outcomes(today, today, func(o *queue.Outcome) bool {
			add(o.Issued, o.FirstCalled)
			return true
		}); err != nil {
			return err
		}
		return b.TicketsBackward(func(t queue.Ticket) (bool, error) {
			if t.Day < today {
				return false, nil
			}
			if t.Day == today && !t.State.Final() {
				add(t.IssuedAt, t.FirstCalledAt)
			}
			return true, nil
		})
	})
	return calls, loc, err
}
