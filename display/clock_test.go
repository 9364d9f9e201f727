package display_test

import (
	"sync"
	"testing"
	"time"

	"github.com/seira-queue/seira/app/apptest"
)

// fakeClock is the hub's clock in keep-alive tests: it stands still until
// the test moves it, and ticks only when moved.
type fakeClock struct {
	t     *testing.T
	mu    sync.Mutex
	now   time.Time
	ticks chan time.Time
}

func newFakeClock(t *testing.T) *fakeClock {
	return &fakeClock{t: t, now: time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC), ticks: make(chan time.Time)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) NewTicker(time.Duration) (<-chan time.Time, func()) { return c.ticks, func() {} }

// advance moves the clock on by d and ticks once, returning when the hub
// has taken the tick.
func (c *fakeClock) advance(d time.Duration) {
	c.t.Helper()
	c.mu.Lock()
	c.now = c.now.Add(d)
	now := c.now
	c.mu.Unlock()
	select {
	case c.ticks <- now:
	case <-time.After(10 * time.Second):
		c.t.Fatal("the hub took no tick for 10 s")
	}
}

// waitFor polls cond, which the hub's goroutines make true soon after
// something the test did, failing after 10 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited 10 s for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// subscribers is a condition on the demo branch's subscriber count.
func subscribers(env *apptest.Env, n int) func() bool {
	return func() bool { return env.App.Hub.Subscribers("demo") == n }
}
