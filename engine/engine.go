// Package engine applies every state change of seira: it runs the queue's
// rules against the store, one write transaction per change, and publishes
// each change's events once they are durable.
package engine

import (
	"context"
	"crypto/rand"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/seira-queue/seira/queue"
	"github.com/seira-queue/seira/storage"
)

// Publisher receives the events of each commit, in sequence order. It is
// called on the store's committer goroutine and must not block: the live hub
// queues them.
type Publisher interface {
	Publish(events []queue.Event)
}

// Options are the engine's dependencies besides the store.
type Options struct {
	// Now is the clock (default time.Now). Tests inject their own.
	Now func() time.Time
	// Publisher is told of committed events (default: nobody).
	Publisher Publisher
	// Random is the source of ticket tokens (default crypto/rand).
	Random io.Reader
	Logger *slog.Logger
}

// Engine is the only way state changes.
type Engine struct {
	store  *storage.Store
	now    func() time.Time
	pub    Publisher
	random io.Reader
	log    *slog.Logger
	// tokenKey masks the reference inside each token (tokens.go).
	tokenKey []byte

	mu   sync.Mutex
	locs map[string]*time.Location

	// fcs holds each branch's latest forecast for readers at the same
	// moment (read.go).
	fcMu sync.Mutex
	fcs  map[string]*sharedForecast
}

type nopPublisher struct{}

func (nopPublisher) Publish([]queue.Event) {}

// New returns an engine over store.
func New(store *storage.Store, opts Options) *Engine {
	e := &Engine{store: store, now: opts.Now, pub: opts.Publisher, random: opts.Random, tokenKey: store.TokenKey(),
		log: opts.Logger, locs: map[string]*time.Location{}, fcs: map[string]*sharedForecast{}}
	if e.now == nil {
		e.now = time.Now
	}
	if e.pub == nil {
		e.pub = nopPublisher{}
	}
	if e.random == nil {
		e.random = rand.Reader
	}
	if e.log == nil {
		e.log = slog.New(slog.DiscardHandler)
	}
	// On a replicated store, other instances' events reach this one's
	// subscribers too, in commit order with its own.
	store.OnRemote(func(c storage.Change) {
		if len(c.Events) > 0 {
			e.pub.Publish(c.Events)
		}
	})
	return e
}

// Now returns the engine's clock reading.
func (e *Engine) Now() time.Time { return e.now() }

// Location returns the time zone of a branch, loading it once.
func (e *Engine) Location(br queue.Branch) (*time.Location, error) {
	tz := br.Zone()
	e.mu.Lock()
	defer e.mu.Unlock()
	if loc, ok := e.locs[tz]; ok {
		return loc, nil
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return nil, queue.Errorf(queue.CodeValidation, "unknown time zone %q", tz)
	}
	e.locs[tz] = loc
	return loc, nil
}

// settingsOf reads a branch's settings and time zone: what nearly every
// read and write needs first.
func (e *Engine) settingsOf(b *storage.BranchTx) (queue.Branch, *time.Location, error) {
	cfg, err := b.Config()
	if err != nil {
		return cfg, nil, err
	}
	loc, err := e.Location(cfg)
	return cfg, loc, err
}

// op is one state change in progress: the transaction, the branch, the time
// and the events it has appended.
type op struct {
	e      *Engine
	tx     *storage.Tx
	b      *storage.BranchTx
	cfg    queue.Branch
	loc    *time.Location
	now    time.Time
	day    string
	actor  string
	events []queue.Event
}

// write runs fn as one state change of branch: one transaction that first
// closes the previous service day if it has ended, then publishes the events
// fn appended once they are durable.
func (e *Engine) write(ctx context.Context, branch, actor string, fn func(*op) error) error {
	return e.store.Update(ctx, func(tx *storage.Tx) error { return e.writeIn(tx, branch, actor, fn) })
}

// writeIn is write's work within a transaction already open (for callers
// that find the branch in it first).
func (e *Engine) writeIn(tx *storage.Tx, branch, actor string, fn func(*op) error) error {
	o, err := e.begin(tx, branch, actor)
	if err != nil {
		return err
	}
	if err := o.rollover(); err != nil {
		return err
	}
	if err := fn(o); err != nil {
		return err
	}
	o.publishAfterCommit()
	return nil
}

func (e *Engine) begin(tx *storage.Tx, branch, actor string) (*op, error) {
	b, err := tx.Branch(branch)
	if err != nil {
		return nil, err
	}
	cfg, loc, err := e.settingsOf(b)
	if err != nil {
		return nil, err
	}
	now := e.now()
	return &op{e: e, tx: tx, b: b, cfg: cfg, loc: loc, now: now, day: queue.ServiceDay(now, loc), actor: actor}, nil
}

// emit appends an event to the log and to the list to publish.
func (o *op) emit(ev queue.Event) error {
	if ev.At.IsZero() {
		ev.At = o.now
	}
	// In the branch's zone: the live channel writes it as it is.
	ev.At = ev.At.In(o.loc)
	if ev.Actor == "" {
		ev.Actor = o.actor
	}
	if ev.Type.ChangesQueues() {
		for _, svc := range []string{ev.From, ev.Service} {
			if svc != "" {
				pri, reg := o.b.WaitingCount(svc)
				ev.Queues = append(ev.Queues, queue.QueueCount{Service: svc, Waiting: pri + reg, Priority: pri})
			}
		}
	}
	if err := o.b.AppendEvent(&ev, o.day); err != nil {
		return err
	}
	o.events = append(o.events, ev)
	return nil
}

// rollover closes the previous service day at the first action of a new one:
// tickets still waiting expire, numbering restarts (numbers are kept per
// day) and stale idempotency keys are forgotten.
func (o *op) rollover() error {
	last := o.b.Day()
	if last == o.day {
		return nil
	}
	if last > o.day {
		// The clock went back across midnight; keep the later day rather
		// than expire or renumber anything.
		o.day = last
		return nil
	}
	if last != "" {
		svcs, err := o.b.Services()
		if err != nil {
			return err
		}
		for _, s := range svcs {
			var stale []queue.Candidate
			o.b.Waiting(s.ID, func(c queue.Candidate) bool { stale = append(stale, c); return true })
			for _, c := range stale {
				if err := o.finishWaiting(c.ID, queue.ActExpire, queue.EvExpired); err != nil {
					return err
				}
			}
		}
		if err := o.b.PruneNumbers(o.day); err != nil {
			return err
		}
		if err := o.b.PruneRemote(o.day); err != nil {
			return err
		}
		if err := o.b.PruneIdempotent(o.day); err != nil {
			return err
		}
	}
	if err := o.sweepAppointments(); err != nil {
		return err
	}
	return o.b.PutDay(o.day)
}

// finishWaiting takes a waiting ticket out of the queue by act (cancel or
// expire).
func (o *op) finishWaiting(id uint64, act queue.Action, typ queue.EventType) error {
	t, err := o.b.Ticket(id)
	if err != nil {
		return err
	}
	to, err := queue.Next(t.State, act)
	if err != nil {
		return err
	}
	if err := o.b.RemoveWaiting(t.Candidate()); err != nil {
		return err
	}
	t.State, t.FinishedAt = to, o.now
	if err := o.b.PutTicket(t); err != nil {
		return err
	}
	if err := o.b.PutOutcome(queue.OutcomeOf(t)); err != nil {
		return err
	}
	if err := o.emit(queue.TicketEvent(typ, t, o.now, "")); err != nil {
		return err
	}
	return o.finishAppointment(t)
}

// Tick closes the previous service day of branch if it has ended, so that
// tickets expire at midnight even when nobody acts. It writes nothing when
// the day has not changed.
func (e *Engine) Tick(ctx context.Context, branch string) error {
	stale := false
	err := e.store.View(ctx, func(tx *storage.Tx) error {
		b, err := tx.Branch(branch)
		if err != nil {
			return err
		}
		_, loc, err := e.settingsOf(b)
		if err != nil {
			return err
		}
		last := b.Day()
		stale = last != "" && last < queue.ServiceDay(e.now(), loc)
		return nil
	})
	if err != nil || !stale {
		return err
	}
	if err := e.write(ctx, branch, "system", func(*op) error { return nil }); err != nil {
		return err
	}
	// Once a day, with the new day: personal links past retention go.
	_, err = e.PurgeTokens(ctx, branch)
	return err
}

// PublisherFunc adapts a function to Publisher.
type PublisherFunc func([]queue.Event)

// Publish calls f.
func (f PublisherFunc) Publish(evs []queue.Event) { f(evs) }
