package webhook

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/seira-queue/seira/queue"
	"github.com/seira-queue/seira/storage"
)

// Options tune the worker; the zero value is usable.
type Options struct {
	// Guard refuses private addresses at dial time (its AllowPrivate is
	// the operator's flag).
	Guard Guard
	// Timeout bounds one try, connection to last byte (default 10 s).
	Timeout time.Duration
	// MaxInFlight bounds the tries under way across every subscription
	// (default 16); each subscription has at most one.
	MaxInFlight int
	// MaxAge is how long a delivery is tried for, from its event (default
	// 24 h); then it is marked failed and the next one goes.
	MaxAge time.Duration
	// BaseDelay and MaxDelay bound the backoff between tries (default 1 s
	// and 1 h): exponential, with full jitter.
	BaseDelay, MaxDelay time.Duration
	// Poll is how often the outboxes are looked at without a commit to
	// wake the worker (default 5 s): a backstop.
	Poll time.Duration
	// Now, Rand (uniform in [0, 1)) and After are the clock, the jitter's
	// source and the timers; tests inject their own. Now must be the
	// engine's clock: the deliveries' times (their event's, a replay's)
	// are on it, also when it runs a simulated day.
	Now   func() time.Time
	Rand  func() float64
	After func(time.Duration) <-chan time.Time
	// Wall is the real time a signature carries (default time.Now): the
	// receiver checks it against its own clock.
	Wall func() time.Time
	// Version goes in the User-Agent.
	Version string
	Logger  *slog.Logger
}

func (o *Options) defaults() {
	if o.Timeout <= 0 {
		o.Timeout = 10 * time.Second
	}
	if o.MaxInFlight <= 0 {
		o.MaxInFlight = 16
	}
	if o.MaxAge <= 0 {
		o.MaxAge = 24 * time.Hour
	}
	if o.BaseDelay <= 0 {
		o.BaseDelay = time.Second
	}
	if o.MaxDelay <= 0 {
		o.MaxDelay = time.Hour
	}
	if o.Poll <= 0 {
		o.Poll = 5 * time.Second
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Wall == nil {
		o.Wall = time.Now
	}
	if o.Rand == nil {
		o.Rand = rand.Float64
	}
	if o.After == nil {
		o.After = time.After
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
}

// Worker sends the outboxes: one sender per subscription, in event order,
// the head of an outbox holding back the rest until it is delivered or has
// failed. It runs on one instance at a time (Store.RunElected).
type Worker struct {
	store  *storage.Store
	o      Options
	client *http.Client
	sem    chan struct{}
	wake   chan struct{}
}

// New returns a worker over store.
func New(store *storage.Store, o Options) *Worker {
	o.defaults()
	return &Worker{store: store, o: o, client: o.Guard.Client(o.Timeout),
		sem: make(chan struct{}, o.MaxInFlight), wake: make(chan struct{}, 1)}
}

// Notify tells the worker that something was committed. It never blocks:
// the office's requests do not wait on webhooks.
func (w *Worker) Notify() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// sender is a running subscription's goroutine.
type sender struct {
	cancel context.CancelFunc
	wake   chan struct{}
}

// Run sends until ctx ends.
func (w *Worker) Run(ctx context.Context) {
	var wg sync.WaitGroup
	senders := map[storage.WebhookSub]*sender{}
	defer func() {
		for _, s := range senders {
			s.cancel()
		}
		wg.Wait()
	}()
	poll := time.NewTicker(w.o.Poll)
	defer poll.Stop()
	for {
		var subs []storage.WebhookSub
		err := w.store.View(ctx, func(tx *storage.Tx) error { subs = tx.WebhookSubs(); return nil })
		if err != nil && ctx.Err() == nil {
			w.o.Logger.Warn("webhooks: list subscriptions", "err", err)
		}
		if err == nil {
			seen := make(map[storage.WebhookSub]bool, len(subs))
			for _, sub := range subs {
				seen[sub] = true
				s, ok := senders[sub]
				if !ok {
					sctx, cancel := context.WithCancel(ctx)
					s = &sender{cancel: cancel, wake: make(chan struct{}, 1)}
					senders[sub] = s
					wg.Go(func() { w.send(sctx, sub, s.wake) })
				}
				select {
				case s.wake <- struct{}{}:
				default:
				}
			}
			for sub, s := range senders {
				if !seen[sub] {
					s.cancel()
					delete(senders, sub)
				}
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-w.wake:
		case <-poll.C:
		}
	}
}

// send delivers one subscription's outbox until ctx ends.
func (w *Worker) send(ctx context.Context, sub storage.WebhookSub, wake <-chan struct{}) {
	for ctx.Err() == nil {
		wait, err := w.step(ctx, sub)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			w.o.Logger.Warn("webhooks: delivery", "branch", sub.Branch, "webhook", sub.ID, "err", err)
			wait = w.o.Poll
		}
		if wait == 0 {
			continue
		}
		var timer <-chan time.Time
		if wait > 0 {
			timer = w.o.After(wait)
		}
		select {
		case <-ctx.Done():
		case <-wake:
		case <-timer:
		}
	}
}

// idle is step's answer when nothing is due: wait to be woken.
const idle = -1

// step tries the head of sub's outbox if it is due, and returns how long
// to wait before the next step (0: at once; idle: until woken).
func (w *Worker) step(ctx context.Context, sub storage.WebhookSub) (time.Duration, error) {
	var (
		hook  storage.Webhook
		d     storage.Delivery
		ev    queue.Event
		ok    bool
		evErr error
	)
	err := w.store.View(ctx, func(tx *storage.Tx) error {
		b, err := tx.Branch(sub.Branch)
		if err != nil {
			return err
		}
		if hook, err = b.Webhook(sub.ID); err != nil {
			return err
		}
		if d, ok, err = b.OutboxHead(sub.ID); err != nil || !ok {
			return err
		}
		ev, evErr = b.Event(d.Seq)
		return nil
	})
	if queue.ErrorCode(err) == queue.CodeNotFound {
		return idle, nil // deleted: the worker stops this sender
	}
	if err != nil || !ok {
		return idle, err
	}
	now := w.o.Now()
	if d.NextAt.After(now) {
		return d.NextAt.Sub(now), nil
	}
	status, sendErr := 0, evErr
	if evErr == nil {
		var body []byte
		if body, sendErr = Body(ev); sendErr == nil {
			status, sendErr = w.post(ctx, hook, d, ev.Type, body)
		}
	}
	if ctx.Err() != nil {
		return 0, ctx.Err() // stopping: the try does not count
	}
	w.record(&d, w.o.Now(), status, sendErr, evErr != nil)
	err = w.store.Update(ctx, func(tx *storage.Tx) error {
		b, err := tx.Branch(sub.Branch)
		if err != nil {
			return err
		}
		if d.State == storage.DeliveryPending {
			return b.PutPending(sub.ID, d)
		}
		return b.FinishDelivery(sub.ID, d)
	})
	if queue.ErrorCode(err) == queue.CodeNotFound {
		return idle, nil
	}
	return 0, err
}

// record sets d after a try: delivered, failed for good (a day after it
// began, or its event is gone), or pending with its next try.
func (w *Worker) record(d *storage.Delivery, now time.Time, status int, err error, gone bool) {
	d.Attempts++
	d.LastAt, d.LastStatus, d.LastError = now, status, ""
	if err != nil {
		d.LastError = truncate(err.Error(), 300)
	}
	deadline := d.Since.Add(w.o.MaxAge)
	switch {
	case err == nil:
		d.State, d.DoneAt, d.NextAt = storage.DeliveryDelivered, now, time.Time{}
	case gone || !now.Before(deadline):
		d.State, d.DoneAt, d.NextAt = storage.DeliveryFailed, now, time.Time{}
	default:
		next := now.Add(w.backoff(d.Attempts))
		if next.After(deadline) {
			next = deadline // one last try at the end of the day
		}
		d.NextAt = next
	}
}

// backoff is the wait after the n-th failed try: uniform up to BaseDelay·2ⁿ⁻¹
// (at most MaxDelay), and never under BaseDelay.
func (w *Worker) backoff(n int) time.Duration {
	ceil := w.o.MaxDelay
	// BaseDelay·2ⁿ⁻¹ is only computed when it fits under MaxDelay: a shift
	// that overflows wraps round, and may land on a small positive value.
	if k := max(n-1, 0); k < 63 && w.o.BaseDelay <= ceil>>k {
		ceil = w.o.BaseDelay << k
	}
	return max(w.o.BaseDelay, time.Duration(w.o.Rand()*float64(ceil)))
}

// post sends one try, within the global bound of tries under way.
func (w *Worker) post(ctx context.Context, hook storage.Webhook, d storage.Delivery, typ queue.EventType, body []byte) (int, error) {
	select {
	case w.sem <- struct{}{}:
		defer func() { <-w.sem }()
	case <-ctx.Done():
		return 0, ctx.Err()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, hook.URL, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	h := req.Header
	h.Set("Content-Type", "application/json")
	h.Set("User-Agent", "seira/"+w.o.Version)
	h.Set("Seira-Event", string(typ))
	h.Set("Seira-Delivery", DeliveryID(hook.ID, d.Seq))
	h.Set("Seira-Signature", Signature(hook.Secret, w.o.Wall(), body))
	resp, err := w.client.Do(req)
	if err != nil {
		return 0, unwrapURL(err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return resp.StatusCode, fmt.Errorf("answered %s", resp.Status)
	}
	return resp.StatusCode, nil
}

// unwrapURL drops the *url.Error's repetition of the method and URL.
func unwrapURL(err error) error {
	var ue interface{ Unwrap() error }
	if errors.As(err, &ue) {
		if inner := ue.Unwrap(); inner != nil {
			return inner
		}
	}
	return err
}

// truncate cuts s to at most n bytes, never inside a character.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "")
}
