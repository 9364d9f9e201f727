package engine

import (
	"context"
	"time"

	"github.com/seira-queue/seira/queue"
	"github.com/seira-queue/seira/storage"
)

// purgeBatch bounds the tickets one purge transaction looks at, so that a
// first purge of a long history does not hold the writer for long.
const purgeBatch = 5000

// PurgeTokens removes the personal links (tokens) of branch's finished
// tickets issued more than the branch's retention days ago. The tickets,
// their events and outcomes stay, so statistics do not change; nobody can
// follow such a ticket any more. It returns how many tokens it removed.
func (e *Engine) PurgeTokens(ctx context.Context, branch string) (int, error) {
	removed := 0
	for {
		n, more, err := e.purgeOnce(ctx, branch)
		removed += n
		if err != nil || !more {
			return removed, err
		}
	}
}

func (e *Engine) purgeOnce(ctx context.Context, branch string) (n int, more bool, err error) {
	err = e.store.Update(ctx, func(tx *storage.Tx) error {
		n, more = 0, false
		b, err := tx.Branch(branch)
		if err != nil {
			return err
		}
		cfg, loc, err := e.settingsOf(b)
		if err != nil || cfg.RetentionDays <= 0 {
			return err
		}
		// Tickets issued before cutoff are past retention.
		y, m, d := e.now().In(loc).Date()
		cutoff := time.Date(y, m, d-cfg.RetentionDays, 0, 0, 0, 0, loc).Format(queue.DayLayout)
		last := b.Purged()
		seen := 0
		err = b.ForEachTicket(last+1, func(t queue.Ticket) (bool, error) {
			if t.Day >= cutoff {
				return false, nil
			}
			if seen++; seen > purgeBatch {
				more = true
				return false, nil
			}
			last = t.ID
			if !t.State.Final() || t.Token == "" {
				return true, nil
			}
			if ref, _, _, ok := e.findToken(tx, t.Token); ok {
				if err := tx.DeleteRef(ref); err != nil {
					return false, err
				}
			}
			t.Token = ""
			n++
			return true, b.PutTicket(t)
		})
		if err != nil {
			return err
		}
		return b.PutPurged(last)
	})
	return n, more, err
}
