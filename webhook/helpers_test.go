package webhook_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/seira-queue/seira/demo"
	"github.com/seira-queue/seira/engine"
	"github.com/seira-queue/seira/internal/clocktest"
	"github.com/seira-queue/seira/internal/storetest"
	"github.com/seira-queue/seira/queue"
	"github.com/seira-queue/seira/storage"
	"github.com/seira-queue/seira/webhook"
)

// fixture is the demo office on a real store (bbolt, or etcd in the
// conformance run) with a worker that is started when the test says.
type fixture struct {
	t      *testing.T
	store  *storage.Store
	eng    *engine.Engine
	clock  *clocktest.Clock
	timers *timers
	w      *webhook.Worker
	stop   func()
}

func newFixture(t *testing.T, opts webhook.Options) *fixture {
	t.Helper()
	store, err := storetest.Open(filepath.Join(t.TempDir(), "seira.db"), storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	f := &fixture{t: t, store: store, clock: clocktest.New(time.Date(2026, 12, 7, 7, 0, 0, 0, time.UTC))}
	f.timers = &timers{clock: f.clock, added: make(chan struct{}, 1)}
	opts.Guard.AllowPrivate = true // the receivers are on 127.0.0.1
	opts.Now, opts.Wall, opts.After = f.clock.Now, f.clock.Now, f.timers.After
	if opts.Rand == nil {
		opts.Rand = func() float64 { return 0.5 }
	}
	if opts.Poll == 0 {
		opts.Poll = time.Hour // only commits wake the worker
	}
	f.w = webhook.New(store, opts)
	f.eng = engine.New(store, engine.Options{Now: f.clock.Now, Publisher: engine.PublisherFunc(func([]queue.Event) { f.w.Notify() })})
	br, svcs, counters := demo.Office()
	if err := f.eng.CreateBranch(context.Background(), "test", br, svcs, counters); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if f.stop != nil {
			f.stop()
		}
	})
	return f
}

// start runs the worker until the test ends.
func (f *fixture) start() {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); f.w.Run(ctx) }()
	f.stop = func() { cancel(); <-done }
}

// subscribe adds a subscription straight in the store.
func (f *fixture) subscribe(id, url, secret string, events ...queue.EventType) {
	f.t.Helper()
	w := storage.Webhook{ID: id, URL: url, Secret: secret, CreatedAt: f.clock.Now()}
	for _, e := range events {
		w.Events = append(w.Events, string(e))
	}
	f.update(func(b *storage.BranchTx) error { return b.PutWebhook(w) })
}

func (f *fixture) update(fn func(*storage.BranchTx) error) {
	f.t.Helper()
	if err := f.store.Update(context.Background(), func(tx *storage.Tx) error {
		b, err := tx.Branch(demo.BranchID)
		if err != nil {
			return err
		}
		return fn(b)
	}); err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) view(fn func(*storage.BranchTx) error) {
	f.t.Helper()
	if err := f.store.View(context.Background(), func(tx *storage.Tx) error {
		b, err := tx.Branch(demo.BranchID)
		if err != nil {
			return err
		}
		return fn(b)
	}); err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) deliveries(sub string) []storage.Delivery {
	f.t.Helper()
	var list []storage.Delivery
	f.view(func(b *storage.BranchTx) error {
		var err error
		list, err = b.Deliveries(sub, 1000)
		return err
	})
	return list
}

func (f *fixture) issue(svc string) queue.Ticket {
	f.t.Helper()
	info, err := f.eng.Issue(context.Background(), demo.BranchID, engine.IssueRequest{Service: svc})
	if err != nil {
		f.t.Fatal(err)
	}
	return info.Ticket
}

// events returns the branch's stored events of the given types.
func (f *fixture) events(types ...queue.EventType) []queue.Event {
	f.t.Helper()
	var out []queue.Event
	f.view(func(b *storage.BranchTx) error {
		return b.Events(0, func(e queue.Event) bool {
			for _, t := range types {
				if e.Type == t {
					out = append(out, e)
				}
			}
			return true
		})
	})
	return out
}

// timers are the worker's timers on the test's clock: they fire when the
// test advances the clock to them. A timer the worker abandons (woken
// otherwise) fires into the void.
type timers struct {
	clock *clocktest.Clock
	mu    sync.Mutex
	list  []timer
	added chan struct{}
}

type timer struct {
	at   time.Time
	fire chan time.Time
}

func (tm *timers) After(d time.Duration) <-chan time.Time {
	fire := make(chan time.Time, 1)
	tm.mu.Lock()
	tm.list = append(tm.list, timer{tm.clock.Now().Add(d), fire})
	tm.mu.Unlock()
	select {
	case tm.added <- struct{}{}:
	default:
	}
	return fire
}

// advance waits for a timer, moves the clock to the earliest and fires
// every timer due then; it returns how far the clock moved.
func (tm *timers) advance(t *testing.T) time.Duration {
	t.Helper()
	deadline := time.After(30 * time.Second)
	for {
		tm.mu.Lock()
		if len(tm.list) > 0 {
			defer tm.mu.Unlock()
			at := tm.list[0].at
			for _, x := range tm.list {
				if x.at.Before(at) {
					at = x.at
				}
			}
			d := at.Sub(tm.clock.Now())
			tm.clock.Set(at)
			kept := tm.list[:0]
			for _, x := range tm.list {
				if x.at.After(at) {
					kept = append(kept, x)
					continue
				}
				x.fire <- at
			}
			tm.list = kept
			return d
		}
		tm.mu.Unlock()
		select {
		case <-tm.added:
		case <-deadline:
			t.Fatal("no timer in 30 s")
		}
	}
}

// hit is one request a receiver took.
type hit struct {
	header http.Header
	body   []byte
	seq    uint64
	typ    string
}

// receiver is an HTTP receiver on 127.0.0.1 that answers with status(hit)
// and tells the test of every request.
type receiver struct {
	*httptest.Server
	hits chan hit
	mu   sync.Mutex
	all  []hit
}

func newReceiver(t *testing.T, status func(hit) int) *receiver {
	r := &receiver{hits: make(chan hit, 1024)}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		var ev struct {
			Seq  uint64 `json:"seq"`
			Type string `json:"type"`
		}
		_ = json.Unmarshal(body, &ev)
		h := hit{header: req.Header.Clone(), body: body, seq: ev.Seq, typ: ev.Type}
		r.mu.Lock()
		r.all = append(r.all, h)
		r.mu.Unlock()
		w.WriteHeader(status(h))
		r.hits <- h
	}))
	t.Cleanup(r.Close)
	return r
}

// next is the receiver's next request, failing the test after 30 s.
func (r *receiver) next(t *testing.T) hit {
	t.Helper()
	select {
	case h := <-r.hits:
		return h
	case <-time.After(30 * time.Second):
		t.Fatal("no delivery in 30 s")
		return hit{}
	}
}

// waitFor polls cond, which the worker makes true soon after something the
// test did, failing after 30 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited 30 s for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}
