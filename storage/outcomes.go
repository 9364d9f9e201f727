package storage

import (
	"encoding/binary"
	"fmt"

	"github.com/seira-queue/seira/queue"
)

func outcomeKey(day string, id uint64) []byte {
	k := make([]byte, 0, len(day)+8)
	k = append(k, day...)
	return binary.BigEndian.AppendUint64(k, id)
}

func putOutcome(b *bucket, o queue.Outcome) error {
	return b.Put(outcomeKey(o.Day, o.ID), appendOutcome(make([]byte, 0, 64), o))
}

// PutOutcome records how a ticket ended.
func (b *BranchTx) PutOutcome(o queue.Outcome) error {
	return wrap("put outcome", putOutcome(b.bucket(bktOutcomes), o))
}

// Outcomes calls f for each outcome of tickets issued on service days from
// through to (inclusive, YYYY-MM-DD), in day order, until f returns false.
// The Outcome passed is reused between calls.
func (b *BranchTx) Outcomes(from, to string, f func(*queue.Outcome) bool) error {
	c := b.bucket(bktOutcomes).Cursor()
	var o queue.Outcome
	// Names repeat across millions of outcomes: decode each once.
	names := map[string]string{}
	intern := func(b []byte) string {
		if s, ok := names[string(b)]; ok {
			return s
		}
		s := string(b)
		names[s] = s
		return s
	}
	for k, v := c.Seek([]byte(from)); k != nil; k, v = c.Next() {
		if len(k) != len(queue.DayLayout)+8 {
			return fmt.Errorf("storage: outcome key %x", k)
		}
		day := intern(k[:len(k)-8])
		if day > to {
			return nil
		}
		o.Day, o.ID = day, binary.BigEndian.Uint64(k[len(k)-8:])
		if err := decodeOutcome(v, &o, intern); err != nil {
			return fmt.Errorf("storage: outcome of ticket %d: %w", o.ID, err)
		}
		if !f(&o) {
			return nil
		}
	}
	return nil
}

// LastTicketID is the id of the branch's newest ticket (0 for none).
func (b *BranchTx) LastTicketID() uint64 { return b.bucket(bktTickets).Sequence() }

// TicketsBackward calls f for each ticket from the newest back until f
// returns false.
func (b *BranchTx) TicketsBackward(f func(queue.Ticket) (bool, error)) error {
	c := b.bucket(bktTickets).Cursor()
	return scan(c.Last, c.Prev, "ticket", f)
}
