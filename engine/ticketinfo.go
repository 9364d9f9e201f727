package engine

import (
	"context"
	"time"

	"github.com/seira-queue/seira/queue"
	"github.com/seira-queue/seira/storage"
)

// The tickets as their holders see them: place in the queue and wait.

// TicketInfo is a ticket with what its holder wants to know: its service,
// its place in the queue and the expected wait.
type TicketInfo struct {
	Ticket  queue.Ticket
	Service queue.Service
	// Counter is the counter the ticket was called to, if any.
	Counter queue.Counter
	// Position is 1 for the next to be called, 0 once called.
	Position int
	Wait     time.Duration
	// AfterClosing says the forecast reaches the ticket only after every
	// counter that serves it has closed for the day (by the counters'
	// plans): Wait is then as if the clerks stayed, which they may not.
	AfterClosing bool
	// Unstaffed says no counter serving the waiting ticket's service is
	// open or paused (queue.Staffed): there is no estimate, and Wait is 0.
	Unstaffed bool
	// Loc is the branch's time zone.
	Loc *time.Location
	// Seq is the branch's last event when TicketInfos read the ticket:
	// the info includes every event up to it.
	Seq uint64
}

// TicketByToken returns the ticket with token tok, with live position and
// estimate.
func (e *Engine) TicketByToken(ctx context.Context, tok string) (TicketInfo, error) {
	var info TicketInfo
	err := e.store.View(ctx, func(tx *storage.Tx) error {
		b, t, err := e.ticketByToken(tx, tok)
		if err != nil {
			return err
		}
		info, err = e.infoIn(b, t)
		return err
	})
	return info, err
}

// TicketRef resolves a token to its branch and ticket id.
func (e *Engine) TicketRef(ctx context.Context, tok string) (branch string, id uint64, err error) {
	err = e.store.View(ctx, func(tx *storage.Tx) error {
		b, t, err := e.ticketByToken(tx, tok)
		if err == nil {
			branch, id = b.ID(), t.ID
		}
		return err
	})
	return branch, id, err
}

// info reads the position and estimate of a ticket just written. The write
// has succeeded, so a failure here degrades the answer rather than fail it.
func (e *Engine) info(ctx context.Context, t queue.Ticket) (TicketInfo, error) {
	var info TicketInfo
	err := e.store.View(ctx, func(tx *storage.Tx) error {
		b, err := tx.Branch(t.Branch)
		if err != nil {
			return err
		}
		info, err = e.infoIn(b, t)
		return err
	})
	if err != nil {
		e.log.Warn("engine: ticket position unavailable", "branch", t.Branch, "err", err)
		return TicketInfo{Ticket: t}, nil
	}
	return info, nil
}

func (e *Engine) infoIn(b *storage.BranchTx, t queue.Ticket) (TicketInfo, error) {
	return e.infoWith(b, t, nil)
}

// infoWith is infoIn with the branch's load already read (nil: read it).
func (e *Engine) infoWith(b *storage.BranchTx, t queue.Ticket, l *load) (TicketInfo, error) {
	info := TicketInfo{Ticket: t, Loc: time.UTC}
	_, loc, err := e.settingsOf(b)
	if err != nil {
		return info, err
	}
	info.Loc = loc
	if info.Service, err = b.Service(t.Service); err != nil {
		return info, err
	}
	if t.Counter != "" {
		// A counter deleted since keeps its id as its name.
		if info.Counter, err = b.Counter(t.Counter); err != nil {
			info.Counter = queue.Counter{ID: t.Counter}
		}
	}
	if t.State != queue.StateWaiting {
		return info, nil
	}
	if l == nil {
		counters, err := b.Counters()
		if err != nil {
			return info, err
		}
		l = e.load(b, counters)
	}
	info.Position, info.Wait, info.AfterClosing, info.Unstaffed = l.place(t.Candidate())
	return info, nil
}

// TicketInfos returns the tickets ids of branch with their positions, read
// at one moment: the live hub refreshes every followed ticket of a branch
// with one call. Tickets that are gone are left out.
func (e *Engine) TicketInfos(ctx context.Context, branch string, ids []uint64) (map[uint64]TicketInfo, error) {
	out := make(map[uint64]TicketInfo, len(ids))
	err := e.store.View(ctx, func(tx *storage.Tx) error {
		b, err := tx.Branch(branch)
		if err != nil {
			return err
		}
		counters, err := b.Counters()
		if err != nil {
			return err
		}
		l := e.load(b, counters)
		seq := b.LastSeq()
		for _, id := range ids {
			t, err := b.Ticket(id)
			if err != nil {
				continue
			}
			info, err := e.infoWith(b, t, l)
			if err != nil {
				return err
			}
			info.Seq = seq
			out[id] = info
		}
		return nil
	})
	return out, err
}
