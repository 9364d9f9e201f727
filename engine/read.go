package engine

import (
	"context"

	"github.com/seira-queue/seira/queue"
	"github.com/seira-queue/seira/storage"
)

// Plain reads: events, counters, branches.

// EventsSince returns up to limit events of branch after sequence after, in
// order, and whether more follow.
func (e *Engine) EventsSince(ctx context.Context, branch string, after uint64, limit int) ([]queue.Event, bool, error) {
	var evs []queue.Event
	more := false
	err := e.store.View(ctx, func(tx *storage.Tx) error {
		b, err := tx.Branch(branch)
		if err != nil {
			return err
		}
		return b.Events(after, func(ev queue.Event) bool {
			if len(evs) == limit {
				more = true
				return false
			}
			evs = append(evs, ev)
			return true
		})
	})
	return evs, more, err
}

// Counter returns one counter of branch.
func (e *Engine) Counter(ctx context.Context, branch, id string) (queue.Counter, error) {
	var c queue.Counter
	err := e.store.View(ctx, func(tx *storage.Tx) error {
		b, err := tx.Branch(branch)
		if err != nil {
			return err
		}
		c, err = b.Counter(id)
		return err
	})
	return c, err
}

// Branches returns the settings of every branch.
func (e *Engine) Branches(ctx context.Context) ([]queue.Branch, error) {
	var list []queue.Branch
	err := e.store.View(ctx, func(tx *storage.Tx) error {
		for _, id := range tx.BranchIDs() {
			b, err := tx.Branch(id)
			if err != nil {
				return err
			}
			cfg, err := b.Config()
			if err != nil {
				return err
			}
			list = append(list, cfg)
		}
		return nil
	})
	return list, err
}

// HasBranch reports whether branch exists.
func (e *Engine) HasBranch(ctx context.Context, branch string) bool {
	return e.store.View(ctx, func(tx *storage.Tx) error {
		_, err := tx.Branch(branch)
		return err
	}) == nil
}

// LastSeq returns the sequence number of branch's latest event.
func (e *Engine) LastSeq(ctx context.Context, branch string) (uint64, error) {
	var seq uint64
	err := e.store.View(ctx, func(tx *storage.Tx) error {
		b, err := tx.Branch(branch)
		if err == nil {
			seq = b.LastSeq()
		}
		return err
	})
	return seq, err
}
