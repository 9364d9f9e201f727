package auth

import (
	"context"
	"sync"
	"time"

	"github.com/seira-queue/seira/storage"
)

// UseInterval is how often at most an instance writes a token's last use:
// an integration may send many requests a second, and none of them should
// wait for, or cause, a write of its own.
const UseInterval = time.Minute

// uses batches the last uses of API tokens and writes them in the
// background, off the requests' path.
type uses struct {
	mu      sync.Mutex
	noted   map[string]time.Time // by token id: the last use written (or being written)
	pending map[string]time.Time // uses not yet written
	idle    chan struct{}        // closed when the writer running now ends
	running bool
	closed  bool
}

// noteUse remembers that token id was used now, and has it written unless
// this instance wrote a use of it less than UseInterval ago.
func (s *Service) noteUse(id string) {
	now := s.now()
	u := &s.uses
	u.mu.Lock()
	defer u.mu.Unlock()
	if last, ok := u.noted[id]; u.closed || ok && now.Sub(last) < UseInterval {
		return
	}
	if u.noted == nil {
		u.noted, u.pending = map[string]time.Time{}, map[string]time.Time{}
	}
	u.noted[id], u.pending[id] = now, now
	if !u.running {
		u.running, u.idle = true, make(chan struct{})
		go s.writeUses(u.idle)
	}
}

// writeUses writes pending uses, in one transaction per batch, until none
// are left.
func (s *Service) writeUses(idle chan struct{}) {
	defer close(idle)
	u := &s.uses
	for {
		u.mu.Lock()
		batch := u.pending
		u.pending = map[string]time.Time{}
		if len(batch) == 0 {
			u.running = false
			u.mu.Unlock()
			return
		}
		u.mu.Unlock()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		err := s.store.Update(ctx, func(tx *storage.Tx) error {
			for id, at := range batch {
				// Another instance may have written a later use.
				if !at.After(lastUse(tx, id)) {
					continue
				}
				raw, err := at.UTC().MarshalText()
				if err != nil {
					return err
				}
				if err := tx.Put(storage.KindTokenUses, id, raw); err != nil {
					return err
				}
			}
			return nil
		})
		cancel()
		if err != nil {
			// A lost last use is a stale date on the admin page, never
			// a failed request.
			s.log.Warn("auth: write the last use of API tokens", "tokens", len(batch), "err", err)
		}
	}
}

// lastUse reads when token id was last used (zero if never).
func lastUse(tx *storage.Tx, id string) time.Time {
	var at time.Time
	if raw, err := tx.Get(storage.KindTokenUses, id); err == nil {
		_ = at.UnmarshalText(raw)
	}
	return at
}

// FlushUses waits until the last uses noted so far are written.
func (s *Service) FlushUses(ctx context.Context) error {
	u := &s.uses
	u.mu.Lock()
	idle, running := u.idle, u.running
	u.mu.Unlock()
	if !running {
		return nil
	}
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Close stops noting uses and waits for the last writes, before the store
// closes.
func (s *Service) Close(ctx context.Context) error {
	s.uses.mu.Lock()
	s.uses.closed = true
	s.uses.mu.Unlock()
	return s.FlushUses(ctx)
}
