package storage

import (
	"context"
	"encoding/binary"
	"math"
	"time"

	"github.com/seira-queue/seira/queue"
)

// bktLimits holds the token buckets of rate limits that every instance of
// a replicated store shares (limits/<key> → float64 tokens, int64 ns of the
// last change). Alone on bbolt, callers keep their buckets in memory, which
// costs no write.
var bktLimits = []byte("limits")

// Tokens looks at key's token bucket (rate tokens a second, burst at most)
// at now: with take it takes one token and reports whether there was one;
// without, it only reports whether one is there.
func (s *Store) Tokens(ctx context.Context, key string, rate float64, burst int, now time.Time, take bool) (bool, error) {
	var ok bool
	level := func(tx *Tx) (*bucket, float64, error) {
		b := tx.root(bktLimits)
		if b == nil {
			return nil, 0, queue.Errorf(queue.CodeUnavailable, "no rate limits in the store")
		}
		tokens := float64(burst)
		if v := b.Get([]byte(key)); len(v) == 16 {
			last := time.Unix(0, int64(binary.BigEndian.Uint64(v[8:])))
			tokens = math.Float64frombits(binary.BigEndian.Uint64(v[:8])) + rate*max(0, now.Sub(last).Seconds())
		}
		return b, min(tokens, float64(burst)), nil
	}
	if !take {
		// A look decides alone (no write to compare): it must see the
		// takes of every instance.
		if err := s.Sync(ctx); err != nil {
			return false, err
		}
		err := s.View(ctx, func(tx *Tx) error {
			_, tokens, err := level(tx)
			ok = tokens >= 1
			return err
		})
		return ok, err
	}
	err := s.Update(ctx, func(tx *Tx) error {
		b, tokens, err := level(tx)
		if ok = err == nil && tokens >= 1; !ok {
			return err
		}
		v := binary.BigEndian.AppendUint64(nil, math.Float64bits(tokens-1))
		v = binary.BigEndian.AppendUint64(v, uint64(now.UnixNano()))
		return wrap("take a token", b.Put([]byte(key), v))
	})
	return ok, err
}

// PruneTokens deletes the buckets untouched since before: full again, they
// say no more than a missing one. It returns how many went, and writes
// nothing when none is that old.
func (s *Store) PruneTokens(ctx context.Context, before time.Time) (int, error) {
	old := func(tx *Tx) [][]byte {
		var keys [][]byte
		if b := tx.root(bktLimits); b != nil {
			_ = b.ForEach(func(k, v []byte) error {
				if len(v) == 16 && int64(binary.BigEndian.Uint64(v[8:])) < before.UnixNano() {
					keys = append(keys, append([]byte(nil), k...))
				}
				return nil
			})
		}
		return keys
	}
	var found int
	if err := s.View(ctx, func(tx *Tx) error { found = len(old(tx)); return nil }); err != nil || found == 0 {
		return 0, err
	}
	n := 0
	err := s.Update(ctx, func(tx *Tx) error {
		keys := old(tx)
		for _, k := range keys {
			if err := tx.root(bktLimits).Delete(k); err != nil {
				return wrap("prune tokens", err)
			}
		}
		n = len(keys)
		return nil
	})
	return n, err
}
