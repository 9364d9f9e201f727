package webhook_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/seira-queue/seira/demo"
	"github.com/seira-queue/seira/queue"
	"github.com/seira-queue/seira/storage"
	"github.com/seira-queue/seira/webhook"
)

const secret = "whsec_TESTSECRET0123456789"

// TestDeliversEveryEventSignedInOrder: each subscription receives the
// events of its types, in event order, each once, signed, with the
// contract's headers and the live channel's JSON of the event.
func TestDeliversEveryEventSignedInOrder(t *testing.T) {
	f := newFixture(t, webhook.Options{Version: "9.9"})
	ok := func(hit) int { return 200 }
	recA, recB := newReceiver(t, ok), newReceiver(t, ok)
	f.subscribe("wh_a", recA.URL+"/hook?x=1", secret, queue.EvIssued, queue.EvCalled)
	f.subscribe("wh_b", recB.URL, "another-secret-0123", queue.EvCalled)
	f.start()
	if _, err := f.eng.OpenCounter(context.Background(), demo.BranchID, "1", "maria"); err != nil {
		t.Fatal(err)
	}
	numbers := map[uint64]string{}
	for i := range 6 {
		tk := f.issue([]string{"certificates", "signatures"}[i%2])
		numbers[tk.ID] = tk.Number
	}
	for range 3 {
		if _, err := f.eng.CallNext(context.Background(), demo.BranchID, "1", "maria"); err != nil {
			t.Fatal(err)
		}
	}
	wantA := f.events(queue.EvIssued, queue.EvCalled)
	wantB := f.events(queue.EvCalled)
	if len(wantA) != 9 || len(wantB) != 3 {
		t.Fatalf("%d and %d events", len(wantA), len(wantB))
	}
	check := func(rec *receiver, sub, key string, want []queue.Event) {
		t.Helper()
		for i, ev := range want {
			h := rec.next(t)
			if h.seq != ev.Seq {
				t.Fatalf("%s: delivery %d is of event %d, want %d (in order)", sub, i, h.seq, ev.Seq)
			}
			for k, v := range map[string]string{"Seira-Event": string(ev.Type), "Seira-Delivery": fmt.Sprintf("%s-%d", sub, ev.Seq),
				"Content-Type": "application/json", "User-Agent": "seira/9.9"} {
				if got := h.header.Get(k); got != v {
					t.Errorf("%s %d: %s %q, want %q", sub, ev.Seq, k, got, v)
				}
			}
			at, err := verify(key, h.header.Get("Seira-Signature"), h.body, f.clock.Now(), 5*time.Minute)
			if err != nil || !at.Equal(f.clock.Now().Truncate(time.Second)) {
				t.Errorf("%s %d: signature %q at %v: %v", sub, ev.Seq, h.header.Get("Seira-Signature"), at, err)
			}
			if i == 0 {
				ts, _, _ := strings.Cut(strings.TrimPrefix(h.header.Get("Seira-Signature"), "t="), ",")
				if hex := opensslHMAC(t, key, append([]byte(ts+"."), h.body...)); hex != "" && !strings.HasSuffix(h.header.Get("Seira-Signature"), ",v1="+hex) {
					t.Errorf("openssl's HMAC %s does not match %s", hex, h.header.Get("Seira-Signature"))
				}
			}
			var body struct {
				Branch string    `json:"branch"`
				Type   string    `json:"type"`
				Seq    uint64    `json:"seq"`
				At     time.Time `json:"at"`
				Number string    `json:"number"`
				Call   *struct {
					Number, Service, Counter string
				} `json:"call"`
				Token string `json:"token"`
			}
			if err := json.Unmarshal(h.body, &body); err != nil {
				t.Fatal(err)
			}
			number := body.Number
			if body.Call != nil {
				number = body.Call.Number
				if body.Call.Counter != "1" {
					t.Errorf("call at counter %q", body.Call.Counter)
				}
			}
			if body.Branch != "demo" || body.Type != string(ev.Type) || !body.At.Equal(ev.At) || number != numbers[ev.Ticket] || body.Token != "" {
				t.Errorf("%s: body %s for event %+v", sub, h.body, ev)
			}
		}
	}
	check(recA, "wh_a", secret, wantA)
	check(recB, "wh_b", "another-secret-0123", wantB)
	for _, sub := range []string{"wh_a", "wh_b"} {
		waitFor(t, sub+"'s deliveries marked delivered", func() bool {
			for _, d := range f.deliveries(sub) {
				if d.State != storage.DeliveryDelivered || d.Attempts != 1 || d.LastStatus != 200 {
					return false
				}
			}
			return true
		})
	}
	// Nothing more came (the counter's opening is nobody's type).
	select {
	case h := <-recA.hits:
		t.Errorf("an extra delivery: %s", h.body)
	case h := <-recB.hits:
		t.Errorf("an extra delivery: %s", h.body)
	default:
	}
}

// TestRetriesKeepTheDeliveryIDAndTheOrder: a receiver that fails the first
// tries of an event gets it again with the same id and body, after waits
// that grow (1 s, 1 s, 2 s with the jitter at one half), and the next event
// only once the first is delivered.
func TestRetriesKeepTheDeliveryIDAndTheOrder(t *testing.T) {
	f := newFixture(t, webhook.Options{})
	f.issue("certificates")
	f.issue("signatures")
	// Issued before the subscription: not sent. The two after it are.
	failSeq := f.events(queue.EvIssued)[1].Seq + 1
	var mu sync.Mutex
	tries := 0
	rec := newReceiver(t, func(h hit) int {
		mu.Lock()
		defer mu.Unlock()
		if h.seq == failSeq {
			if tries++; tries <= 3 {
				return 503
			}
		}
		return 204
	})
	f.subscribe("wh_a", rec.URL, secret, queue.EvIssued)
	f.issue("certificates")
	f.issue("signatures")
	evs := f.events(queue.EvIssued)[2:]
	if evs[0].Seq != failSeq {
		t.Fatalf("events %+v", evs)
	}
	f.start()
	first := rec.next(t)
	for i, want := range []time.Duration{time.Second, time.Second, 2 * time.Second} {
		if d := f.timers.advance(t); d != want {
			t.Errorf("wait %d: %v, want %v", i+1, d, want)
		}
		h := rec.next(t)
		if h.seq != evs[0].Seq || h.header.Get("Seira-Delivery") != first.header.Get("Seira-Delivery") || !bytes.Equal(h.body, first.body) {
			t.Fatalf("try %d: event %d, id %q, body %s; want the first's", i+2, h.seq, h.header.Get("Seira-Delivery"), h.body)
		}
		if _, err := verify(secret, h.header.Get("Seira-Signature"), h.body, f.clock.Now(), time.Second); err != nil {
			t.Errorf("try %d: %v", i+2, err)
		}
	}
	if h := rec.next(t); h.seq != evs[1].Seq || h.header.Get("Seira-Delivery") != fmt.Sprintf("wh_a-%d", evs[1].Seq) {
		t.Fatalf("then %d (%s), want the second event", h.seq, h.header.Get("Seira-Delivery"))
	}
	waitFor(t, "both delivered", func() bool {
		ds := f.deliveries("wh_a")
		return len(ds) == 2 && ds[0].State == storage.DeliveryDelivered && ds[1].State == storage.DeliveryDelivered
	})
	ds := f.deliveries("wh_a")
	if ds[1].Attempts != 4 || ds[1].LastStatus != 204 || ds[0].Attempts != 1 {
		t.Errorf("deliveries %+v", ds)
	}
}

// TestFailsAfterADayThenTheNextGoesAndReplay: a receiver that always fails
// is tried with waits of at most an hour for a day from the event, the
// last try at the day's end; then the delivery is failed and the next
// event goes. A replay sends the failed one again with its id.
func TestFailsAfterADayThenTheNextGoesAndReplay(t *testing.T) {
	f := newFixture(t, webhook.Options{})
	var mu sync.Mutex
	down := true
	rec := newReceiver(t, func(h hit) int {
		mu.Lock()
		defer mu.Unlock()
		if down && h.typ == "ticket.issued" {
			return 500
		}
		return 200
	})
	f.subscribe("wh_a", rec.URL, secret, queue.EvIssued, queue.EvCancelled)
	tk := f.issue("certificates")
	if _, err := f.eng.Cancel(context.Background(), tk.Token); err != nil {
		t.Fatal(err)
	}
	start := f.clock.Now()
	issued, cancelled := f.events(queue.EvIssued)[0], f.events(queue.EvCancelled)[0]
	f.start()
	first := rec.next(t)
	tries, waited := 1, time.Duration(0)
	for f.clock.Now().Before(start.Add(24 * time.Hour)) {
		d := f.timers.advance(t)
		if d < time.Second || d > time.Hour {
			t.Fatalf("a wait of %v", d)
		}
		waited += d
		if h := rec.next(t); h.seq != issued.Seq {
			t.Fatalf("event %d went before %d had failed", h.seq, issued.Seq)
		}
		tries++
	}
	if h := rec.next(t); h.seq != cancelled.Seq {
		t.Fatalf("then event %d, want %d", h.seq, cancelled.Seq)
	}
	if waited != 24*time.Hour || !f.clock.Now().Equal(start.Add(24*time.Hour)) {
		t.Errorf("gave up after %v of waits", waited)
	}
	waitFor(t, "the failure recorded", func() bool {
		ds := f.deliveries("wh_a")
		return len(ds) == 2 && ds[0].State == storage.DeliveryDelivered
	})
	ds := f.deliveries("wh_a")
	failed := ds[1]
	if failed.Seq != issued.Seq || failed.State != storage.DeliveryFailed || failed.Attempts != tries || failed.LastStatus != 500 ||
		!failed.DoneAt.Equal(start.Add(24*time.Hour)) || !strings.Contains(failed.LastError, "500") {
		t.Errorf("failed delivery %+v after %d tries", failed, tries)
	}
	if tries < 30 || tries > 80 {
		t.Errorf("%d tries in a day", tries)
	}

	// Replay, with the receiver back.
	mu.Lock()
	down = false
	mu.Unlock()
	f.clock.Add(time.Hour)
	f.update(func(b *storage.BranchTx) error {
		_, err := b.ReplayDelivery("wh_a", issued.Seq, f.clock.Now())
		return err
	})
	f.w.Notify()
	h := rec.next(t)
	if h.seq != issued.Seq || h.header.Get("Seira-Delivery") != first.header.Get("Seira-Delivery") || !bytes.Equal(h.body, first.body) {
		t.Fatalf("replay: %s %s, want the first try's", h.header.Get("Seira-Delivery"), h.body)
	}
	waitFor(t, "the replay delivered", func() bool {
		ds := f.deliveries("wh_a")
		return ds[1].State == storage.DeliveryDelivered && ds[1].Attempts == 1
	})
}

// TestDeletedSubscriptionStops: deleting a subscription drops its outbox
// and its sender; the next subscription of the branch goes on.
func TestDeletedSubscriptionStops(t *testing.T) {
	f := newFixture(t, webhook.Options{})
	rec := newReceiver(t, func(hit) int { return 200 })
	f.subscribe("wh_a", rec.URL, secret, queue.EvIssued)
	f.issue("certificates")
	f.update(func(b *storage.BranchTx) error { return b.DeleteWebhook("wh_a") })
	f.subscribe("wh_b", rec.URL, secret, queue.EvIssued)
	f.start()
	f.issue("certificates")
	h := rec.next(t)
	if !strings.HasPrefix(h.header.Get("Seira-Delivery"), "wh_b-") {
		t.Fatalf("got %s", h.header.Get("Seira-Delivery"))
	}
	select {
	case h := <-rec.hits:
		t.Fatalf("and %s", h.header.Get("Seira-Delivery"))
	default:
	}
}
