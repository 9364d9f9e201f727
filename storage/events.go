package storage

import (
	"encoding/binary"

	"github.com/seira-queue/seira/queue"
)

// AppendEvent gives e the branch's next sequence number and stores it. day
// is e's service day, for reading events back by date.
func (b *BranchTx) AppendEvent(e *queue.Event, day string) error {
	eb := b.bucket(bktEvents)
	seq, err := eb.NextSequence()
	if err != nil {
		return wrap("append event", err)
	}
	e.Seq = seq
	e.Branch = b.id
	if err := putJSON(eb, u64(seq), e); err != nil {
		return err
	}
	// The deliveries go in the same transaction as the event.
	if err := b.enqueueWebhooks(e); err != nil {
		return err
	}
	days := b.bucket(bktEventDays)
	if days.Get([]byte(day)) == nil {
		return wrap("index event day", days.Put([]byte(day), u64(seq)))
	}
	return nil
}

// LastSeq is the sequence number of the branch's latest event (0 for none).
func (b *BranchTx) LastSeq() uint64 { return b.bucket(bktEvents).Sequence() }

// Events calls f for each event with sequence > after, in order, until f
// returns false.
func (b *BranchTx) Events(after uint64, f func(queue.Event) bool) error {
	c := b.bucket(bktEvents).Cursor()
	return scan(func() ([]byte, []byte) { return c.Seek(u64(after + 1)) }, c.Next, "event", stopOnly(f))
}

// EventsBackward calls f for each event from the newest back, until f
// returns false.
func (b *BranchTx) EventsBackward(f func(queue.Event) bool) error {
	c := b.bucket(bktEvents).Cursor()
	return scan(c.Last, c.Prev, "event", stopOnly(f))
}

// DaySeqs returns the range of event sequence numbers of service days from
// through to (inclusive): events first ≤ seq < end. ok is false when no
// event falls in the range.
func (b *BranchTx) DaySeqs(from, to string) (first, end uint64, ok bool) {
	c := b.bucket(bktEventDays).Cursor()
	k, v := c.Seek([]byte(from))
	if k == nil || string(k) > to {
		return 0, 0, false
	}
	first = binary.BigEndian.Uint64(v)
	end = b.LastSeq() + 1
	for ; k != nil; k, v = c.Next() {
		if string(k) > to {
			end = binary.BigEndian.Uint64(v)
			break
		}
	}
	return first, end, true
}
