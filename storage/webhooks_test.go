package storage

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/seira-queue/seira/queue"
)

func TestMigrationAddsWebhookBuckets(t *testing.T) {
	checkMigrationAddsBranchBuckets(t, "create the buckets of webhooks and their outbox", webhookBuckets()...)
}

// TestOutboxIsWrittenWithTheEvent: an event of a subscribed type puts a
// delivery in the outbox in its own transaction; a rolled-back event leaves
// none; other types and other subscriptions' types leave none; deleting
// the subscription drops its outbox.
func TestOutboxIsWrittenWithTheEvent(t *testing.T) {
	s := openTest(t)
	withBranch(t, s)
	ctx := context.Background()
	at := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	update := func(fn func(b *BranchTx) error) error {
		return s.Update(ctx, func(tx *Tx) error {
			b, err := tx.Branch("demo")
			if err != nil {
				return err
			}
			return fn(b)
		})
	}
	view := func(fn func(b *BranchTx) error) {
		t.Helper()
		if err := s.View(ctx, func(tx *Tx) error {
			b, err := tx.Branch("demo")
			if err != nil {
				return err
			}
			return fn(b)
		}); err != nil {
			t.Fatal(err)
		}
	}
	appendEv := func(typ queue.EventType) func(b *BranchTx) error {
		return func(b *BranchTx) error { return b.AppendEvent(&queue.Event{Type: typ, At: at}, "2026-12-07") }
	}
	if err := update(appendEv(queue.EvIssued)); err != nil { // before any subscription
		t.Fatal(err)
	}
	if err := update(func(b *BranchTx) error {
		if err := b.PutWebhook(Webhook{ID: "a", URL: "http://x", Events: []string{"ticket.called"}, Secret: "s"}); err != nil {
			return err
		}
		return b.PutWebhook(Webhook{ID: "b", URL: "http://y", Events: []string{"ticket.issued", "ticket.called"}, Secret: "s"})
	}); err != nil {
		t.Fatal(err)
	}
	if err := update(appendEv(queue.EvIssued)); err != nil { // seq 2: b only
		t.Fatal(err)
	}
	boom := errors.New("roll back")
	if err := update(func(b *BranchTx) error { // seq 3, rolled back
		if err := appendEv(queue.EvCalled)(b); err != nil {
			return err
		}
		return boom
	}); !errors.Is(err, boom) {
		t.Fatalf("rolled back: %v", err)
	}
	if err := update(appendEv(queue.EvCalled)); err != nil { // seq 3 again: a and b
		t.Fatal(err)
	}
	if err := update(appendEv(queue.EvCounterOpened)); err != nil { // seq 4: nobody
		t.Fatal(err)
	}
	seqs := func(id string) []uint64 {
		var out []uint64
		view(func(b *BranchTx) error {
			list, err := b.Deliveries(id, 100)
			for _, d := range list {
				if d.State != DeliveryPending || d.Attempts != 0 || !d.Since.Equal(at) {
					t.Errorf("%s: delivery %+v", id, d)
				}
				out = append(out, d.Seq)
			}
			return err
		})
		return out
	}
	if got := seqs("a"); len(got) != 1 || got[0] != 3 {
		t.Errorf("a's outbox holds %v, want [3]", got)
	}
	if got := seqs("b"); len(got) != 2 || got[0] != 3 || got[1] != 2 {
		t.Errorf("b's outbox holds %v, want [3 2]", got)
	}
	view(func(b *BranchTx) error {
		d, ok, err := b.OutboxHead("b")
		if err != nil || !ok || d.Seq != 2 || d.Type != "ticket.issued" {
			t.Errorf("b's head: %+v %v %v", d, ok, err)
		}
		if ev, err := b.Event(d.Seq); err != nil || ev.Type != queue.EvIssued {
			t.Errorf("the head's event: %+v %v", ev, err)
		}
		return nil
	})
	// Delivered, then failed, then replayed.
	if err := update(func(b *BranchTx) error {
		if err := b.FinishDelivery("b", Delivery{Seq: 2, Type: "ticket.issued", State: DeliveryDelivered, Attempts: 1}); err != nil {
			return err
		}
		return b.FinishDelivery("b", Delivery{Seq: 3, Type: "ticket.called", State: DeliveryFailed, Attempts: 9})
	}); err != nil {
		t.Fatal(err)
	}
	if err := update(func(b *BranchTx) error { _, err := b.ReplayDelivery("b", 2, at); return err }); queue.ErrorCode(err) != queue.CodeConflict {
		t.Errorf("replaying a delivered one: %v, want conflict", err)
	}
	later := at.Add(48 * time.Hour)
	if err := update(func(b *BranchTx) error { _, err := b.ReplayDelivery("b", 3, later); return err }); err != nil {
		t.Fatal(err)
	}
	view(func(b *BranchTx) error {
		d, ok, _ := b.OutboxHead("b")
		if !ok || d.Seq != 3 || d.State != DeliveryPending || d.Attempts != 0 || !d.Since.Equal(later) {
			t.Errorf("replayed head: %+v %v", d, ok)
		}
		if n := b.PendingCount("b"); n != 1 {
			t.Errorf("%d pending, want 1", n)
		}
		return nil
	})
	if err := update(func(b *BranchTx) error { return b.DeleteWebhook("b") }); err != nil {
		t.Fatal(err)
	}
	view(func(b *BranchTx) error {
		if _, err := b.Deliveries("b", 10); queue.ErrorCode(err) != queue.CodeNotFound {
			t.Errorf("deleted subscription's deliveries: %v", err)
		}
		if b.bucket(bktOutbox).Bucket([]byte("b")) != nil || b.bucket(bktWhDone).Bucket([]byte("b")) != nil {
			t.Error("the deleted subscription's outbox is still there")
		}
		return nil
	})
	var subs []WebhookSub
	_ = s.View(ctx, func(tx *Tx) error { subs = tx.WebhookSubs(); return nil })
	if len(subs) != 1 || subs[0] != (WebhookSub{Branch: "demo", ID: "a"}) {
		t.Errorf("subscriptions %v", subs)
	}
}

// TestDeliveryHistoryIsBounded: a subscription keeps its last keepDone
// finished deliveries.
func TestDeliveryHistoryIsBounded(t *testing.T) {
	s := openTest(t)
	withBranch(t, s)
	ctx := context.Background()
	err := s.Update(ctx, func(tx *Tx) error {
		b, err := tx.Branch("demo")
		if err != nil {
			return err
		}
		if err := b.PutWebhook(Webhook{ID: "a", URL: "http://x", Events: []string{"ticket.issued"}, Secret: "s"}); err != nil {
			return err
		}
		for range keepDone + 20 {
			ev := queue.Event{Type: queue.EvIssued, At: time.Now()}
			if err := b.AppendEvent(&ev, "2026-12-07"); err != nil {
				return err
			}
			if err := b.FinishDelivery("a", Delivery{Seq: ev.Seq, State: DeliveryDelivered}); err != nil {
				return err
			}
		}
		list, err := b.Deliveries("a", 1000)
		if len(list) != keepDone || list[0].Seq != keepDone+20 || list[len(list)-1].Seq != 21 {
			t.Errorf("%d kept, from %d to %d", len(list), list[0].Seq, list[len(list)-1].Seq)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}
