package storage

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"slices"
	"time"

	"github.com/seira-queue/seira/queue"
)

// Webhooks: a branch's subscriptions and their durable outbox.
//
//	branches/<branch id>/
//	    webhooks/<subscription id> → JSON Webhook
//	    outbox/<subscription id>/<seq u64> → JSON Delivery: the deliveries
//	        still to send, in event order; written by AppendEvent in the
//	        transaction that appends the event
//	    whdone/<subscription id>/<seq u64> → JSON Delivery: the latest
//	        delivered or failed ones (the last keepDone), for the admin page
//	        and replay
//
// An event is never committed without its deliveries and a delivery never
// exists without its event; deleting a subscription drops its outbox.
var (
	bktWebhooks = []byte("webhooks")
	bktOutbox   = []byte("outbox")
	bktWhDone   = []byte("whdone")
)

// webhookBuckets are the branch buckets of webhooks.
func webhookBuckets() [][]byte { return [][]byte{bktWebhooks, bktOutbox, bktWhDone} }

// keepDone is how many finished deliveries a subscription keeps.
const keepDone = 200

// Webhook is a subscription of a URL to some of a branch's event types.
type Webhook struct {
	ID     string   `json:"id"`
	URL    string   `json:"url"`
	Events []string `json:"events"`
	// Secret keys the HMAC of every delivery; it is never shown again
	// after the subscription's creation.
	Secret    string    `json:"secret"`
	CreatedAt time.Time `json:"created_at"`
	CreatedBy string    `json:"created_by,omitempty"`
}

// Wants reports whether the subscription takes events of type t.
func (w Webhook) Wants(t queue.EventType) bool { return slices.Contains(w.Events, string(t)) }

// Delivery states.
const (
	DeliveryPending   = "pending"
	DeliveryDelivered = "delivered"
	DeliveryFailed    = "failed"
)

// Delivery is one event's delivery to one subscription.
type Delivery struct {
	Seq   uint64 `json:"seq"`
	Type  string `json:"type"`
	State string `json:"state"`
	// Since is when the delivery's tries began: the event's time, or the
	// replay's. Tries stop a day after it.
	Since    time.Time `json:"since"`
	Attempts int       `json:"attempts"`
	// NextAt is when the next try is due (pending only).
	NextAt     time.Time `json:"next_at,omitzero"`
	LastAt     time.Time `json:"last_at,omitzero"`
	LastStatus int       `json:"last_status,omitempty"`
	LastError  string    `json:"last_error,omitempty"`
	DoneAt     time.Time `json:"done_at,omitzero"`
}

// enqueueWebhooks puts a delivery of e in the outbox of every subscription
// that wants it. Most branches have none: then it costs one bucket read.
func (b *BranchTx) enqueueWebhooks(e *queue.Event) error {
	wb := b.bucket(bktWebhooks)
	if wb == nil {
		return nil
	}
	c := wb.Cursor()
	k, v := c.First()
	if k == nil {
		return nil
	}
	var raw []byte
	for ; k != nil; k, v = c.Next() {
		var w Webhook
		if err := decodeRecord(v, &w); err != nil {
			return wrap("read webhook", err)
		}
		if !w.Wants(e.Type) {
			continue
		}
		ob := b.bucket(bktOutbox).Bucket(k)
		if ob == nil {
			continue
		}
		if raw == nil {
			var err error
			if raw, err = encodeRecord(Delivery{Seq: e.Seq, Type: string(e.Type), State: DeliveryPending, Since: e.At, NextAt: e.At}); err != nil {
				return err
			}
		}
		ob.fill(appendFill) // seqs only grow
		if err := ob.Put(u64(e.Seq), raw); err != nil {
			return wrap("enqueue delivery", err)
		}
	}
	return nil
}

// Webhooks lists the branch's subscriptions in id order.
func (b *BranchTx) Webhooks() ([]Webhook, error) {
	wb := b.bucket(bktWebhooks)
	if wb == nil {
		return nil, nil
	}
	return all[Webhook](wb)
}

// Webhook returns subscription id or not_found.
func (b *BranchTx) Webhook(id string) (Webhook, error) {
	var w Webhook
	wb := b.bucket(bktWebhooks)
	if wb == nil {
		return w, queue.Errorf(queue.CodeNotFound, "no webhook %s", id)
	}
	err := getJSON(wb, []byte(id), &w, "webhook")
	if queue.ErrorCode(err) == queue.CodeNotFound {
		err = queue.Errorf(queue.CodeNotFound, "no webhook %s", id)
	}
	return w, err
}

// PutWebhook stores a new subscription with an empty outbox.
func (b *BranchTx) PutWebhook(w Webhook) error {
	for _, name := range webhookBuckets() {
		if b.bucket(name) == nil {
			return queue.Errorf(queue.CodeUnavailable, "the store's schema has no webhooks yet")
		}
	}
	if b.bucket(bktWebhooks).Get([]byte(w.ID)) != nil {
		return queue.Errorf(queue.CodeConflict, "webhook %s exists", w.ID)
	}
	if err := putJSON(b.bucket(bktWebhooks), []byte(w.ID), w); err != nil {
		return err
	}
	for _, name := range [][]byte{bktOutbox, bktWhDone} {
		if _, err := b.bucket(name).CreateBucketIfNotExists([]byte(w.ID)); err != nil {
			return wrap("create outbox", err)
		}
	}
	return nil
}

// DeleteWebhook removes a subscription with its outbox and its history.
func (b *BranchTx) DeleteWebhook(id string) error {
	if _, err := b.Webhook(id); err != nil {
		return err
	}
	if err := b.bucket(bktWebhooks).Delete([]byte(id)); err != nil {
		return wrap("delete webhook", err)
	}
	for _, name := range [][]byte{bktOutbox, bktWhDone} {
		if b.bucket(name).Bucket([]byte(id)) != nil {
			if err := b.bucket(name).DeleteBucket([]byte(id)); err != nil {
				return wrap("delete outbox", err)
			}
		}
	}
	return nil
}

func (b *BranchTx) subBucket(name []byte, id string) (*bucket, error) {
	parent := b.bucket(name)
	if parent == nil {
		return nil, queue.Errorf(queue.CodeNotFound, "no webhook %s", id)
	}
	sb := parent.Bucket([]byte(id))
	if sb == nil {
		return nil, queue.Errorf(queue.CodeNotFound, "no webhook %s", id)
	}
	return sb, nil
}

// OutboxHead returns the first delivery a subscription has still to send
// (ok false: none).
func (b *BranchTx) OutboxHead(id string) (d Delivery, ok bool, err error) {
	ob, err := b.subBucket(bktOutbox, id)
	if err != nil {
		return d, false, err
	}
	k, v := ob.Cursor().First()
	if k == nil {
		return d, false, nil
	}
	return d, true, decodeRecord(v, &d)
}

// PendingCount is how many deliveries a subscription has still to send.
func (b *BranchTx) PendingCount(id string) int {
	ob, err := b.subBucket(bktOutbox, id)
	if err != nil {
		return 0
	}
	return countKeys(ob)
}

// countKeys counts a bucket's keys (bbolt's Stats miss a write
// transaction's own changes).
func countKeys(b *bucket) int {
	n := 0
	c := b.Cursor()
	for k, _ := c.First(); k != nil; k, _ = c.Next() {
		n++
	}
	return n
}

// PutPending updates a delivery still to send (after a failed try). It
// returns not_found when the delivery is no longer in the outbox (its
// subscription was deleted meanwhile).
func (b *BranchTx) PutPending(id string, d Delivery) error {
	ob, err := b.subBucket(bktOutbox, id)
	if err != nil {
		return err
	}
	if ob.Get(u64(d.Seq)) == nil {
		return queue.Errorf(queue.CodeNotFound, "no pending delivery %d", d.Seq)
	}
	return putJSON(ob, u64(d.Seq), d)
}

// FinishDelivery moves a delivery out of the outbox into the history, as
// delivered or failed, and keeps the history to its last keepDone.
func (b *BranchTx) FinishDelivery(id string, d Delivery) error {
	ob, err := b.subBucket(bktOutbox, id)
	if err != nil {
		return err
	}
	db, err := b.subBucket(bktWhDone, id)
	if err != nil {
		return err
	}
	if ob.Get(u64(d.Seq)) == nil {
		return queue.Errorf(queue.CodeNotFound, "no pending delivery %d", d.Seq)
	}
	if err := ob.Delete(u64(d.Seq)); err != nil {
		return wrap("finish delivery", err)
	}
	if err := putJSON(db, u64(d.Seq), d); err != nil {
		return err
	}
	if n := countKeys(db); n > keepDone {
		var drop [][]byte
		c := db.Cursor()
		for k, _ := c.First(); k != nil && len(drop) < n-keepDone; k, _ = c.Next() {
			drop = append(drop, bytes.Clone(k))
		}
		for _, k := range drop {
			if err := db.Delete(k); err != nil {
				return wrap("prune deliveries", err)
			}
		}
	}
	return nil
}

// ReplayDelivery puts a failed delivery back in the outbox, with a fresh
// day of tries from now. It returns the delivery as queued.
func (b *BranchTx) ReplayDelivery(id string, seq uint64, now time.Time) (Delivery, error) {
	var d Delivery
	ob, err := b.subBucket(bktOutbox, id)
	if err != nil {
		return d, err
	}
	db, err := b.subBucket(bktWhDone, id)
	if err != nil {
		return d, err
	}
	if err := getJSON(db, u64(seq), &d, "delivery"); err != nil {
		if queue.ErrorCode(err) == queue.CodeNotFound {
			return d, queue.Errorf(queue.CodeNotFound, "no finished delivery %d", seq)
		}
		return d, err
	}
	if d.State != DeliveryFailed {
		return d, queue.Errorf(queue.CodeConflict, "delivery %d was %s: only a failed one is replayed", seq, d.State)
	}
	if err := db.Delete(u64(seq)); err != nil {
		return d, wrap("replay delivery", err)
	}
	d.State, d.Since, d.NextAt, d.Attempts, d.DoneAt = DeliveryPending, now, now, 0, time.Time{}
	return d, putJSON(ob, u64(seq), d)
}

// Deliveries returns a subscription's deliveries, newest first: those
// still to send, then the finished ones, at most limit.
func (b *BranchTx) Deliveries(id string, limit int) ([]Delivery, error) {
	var out []Delivery
	for _, name := range [][]byte{bktOutbox, bktWhDone} {
		sb, err := b.subBucket(name, id)
		if err != nil {
			return nil, err
		}
		c := sb.Cursor()
		var list []Delivery
		for k, v := c.Last(); k != nil && len(list) < limit; k, v = c.Prev() {
			var d Delivery
			if err := decodeRecord(v, &d); err != nil {
				return nil, fmt.Errorf("storage: delivery %d: %w", binary.BigEndian.Uint64(k), err)
			}
			list = append(list, d)
		}
		out = append(out, list...)
	}
	// Newest event first, whatever its state.
	slices.SortStableFunc(out, func(x, y Delivery) int {
		switch {
		case x.Seq > y.Seq:
			return -1
		case x.Seq < y.Seq:
			return 1
		}
		return 0
	})
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// Event returns the event of sequence seq, or not_found.
func (b *BranchTx) Event(seq uint64) (queue.Event, error) {
	var e queue.Event
	return e, getJSON(b.bucket(bktEvents), u64(seq), &e, "event")
}

// WebhookSub names a subscription of some branch.
type WebhookSub struct {
	Branch string
	ID     string
}

// WebhookSubs lists every branch's subscriptions.
func (t *Tx) WebhookSubs() []WebhookSub {
	var out []WebhookSub
	for _, id := range t.BranchIDs() {
		b, err := t.Branch(id)
		if err != nil {
			continue
		}
		wb := b.bucket(bktWebhooks)
		if wb == nil {
			continue
		}
		_ = wb.ForEach(func(k, _ []byte) error {
			out = append(out, WebhookSub{Branch: id, ID: string(k)})
			return nil
		})
	}
	return out
}
