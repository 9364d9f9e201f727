package engine

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/seira-queue/seira/demo"
	"github.com/seira-queue/seira/internal/clocktest"
	"github.com/seira-queue/seira/internal/storetest"
	"github.com/seira-queue/seira/queue"
	"github.com/seira-queue/seira/storage"
)

// newClock is a clock at an RFC 3339 time that the test moves.
func newClock(rfc3339 string) *clocktest.Clock {
	t, err := time.Parse(time.RFC3339, rfc3339)
	if err != nil {
		panic(err)
	}
	return clocktest.New(t)
}

// recorder is a Publisher that keeps what it was told.
type recorder struct {
	mu     sync.Mutex
	events []queue.Event
}

func (r *recorder) Publish(evs []queue.Event) {
	r.mu.Lock()
	r.events = append(r.events, evs...)
	r.mu.Unlock()
}

func (r *recorder) all() []queue.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]queue.Event(nil), r.events...)
}

type fixture struct {
	e     *Engine
	store *storage.Store
	clock *clocktest.Clock
	pub   *recorder
	path  string
	// setup is how many events setting up the demo office took.
	setup uint64
}

// newFixture opens an engine on a fresh file with the demo office, at
// 09:00 Athens time on 2026-11-27.
func newFixture(t testing.TB) *fixture { return newFixtureAt(t, "2026-11-27T07:00:00Z") }

// newFixtureAt is newFixture with the clock starting at start.
func newFixtureAt(t testing.TB, start string) *fixture {
	t.Helper()
	path := filepath.Join(t.TempDir(), "seira.db")
	store, err := storetest.Open(path, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	f := &fixture{store: store, clock: newClock(start), pub: &recorder{}, path: path}
	f.e = New(store, Options{Now: f.clock.Now, Publisher: f.pub})
	br, svcs, counters := demo.Office()
	if err := f.e.CreateBranch(context.Background(), "test", br, svcs, counters); err != nil {
		t.Fatal(err)
	}
	f.setup = uint64(len(f.pub.all()))
	return f
}

// events returns the events published since the office was set up.
func (f *fixture) events() []queue.Event { return f.pub.all()[f.setup:] }

func (f *fixture) issue(t testing.TB, svc string, priority string) TicketInfo {
	t.Helper()
	info, err := f.e.Issue(context.Background(), demo.BranchID, IssueRequest{Service: svc, Priority: priority})
	if err != nil {
		t.Fatalf("issue %s: %v", svc, err)
	}
	return info
}

func (f *fixture) open(t testing.TB, counters ...string) {
	t.Helper()
	for _, c := range counters {
		if _, err := f.e.OpenCounter(context.Background(), demo.BranchID, c, "clerk"+c); err != nil {
			t.Fatal(err)
		}
	}
}

func (f *fixture) next(t testing.TB, counter string) queue.Ticket {
	t.Helper()
	res, err := f.e.CallNext(context.Background(), demo.BranchID, counter, "clerk"+counter)
	if err != nil {
		t.Fatalf("next at %s: %v", counter, err)
	}
	return res.Ticket
}

func wantCode(t testing.TB, err error, code queue.Code) {
	t.Helper()
	if got := queue.ErrorCode(err); got != code {
		t.Fatalf("got error %v (code %q), want %q", err, got, code)
	}
}

func putService(f *fixture, s queue.Service) error {
	_, err := f.e.PutService(context.Background(), "test", demo.BranchID, s)
	return err
}

func putCounter(f *fixture, c queue.Counter) error {
	_, err := f.e.PutCounter(context.Background(), "test", demo.BranchID, c)
	return err
}
