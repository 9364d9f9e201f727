// Package clocktest is a clock for tests: it stands still until the test
// sets or moves it, and its ticker ticks only when the test says. What
// depends on time then depends on nothing the machine does.
package clocktest

import (
	"sync"
	"testing"
	"time"
)

// Clock is safe for concurrent use. Its Now and NewTicker fit the clocks
// that seira's parts take (engine.Options.Now, wsconn.Clock).
type Clock struct {
	mu    sync.Mutex
	now   time.Time
	ticks chan time.Time
}

// New returns a clock at t.
func New(t time.Time) *Clock { return &Clock{now: t, ticks: make(chan time.Time)} }

// Now is the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Set puts the clock at t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// Add moves the clock on by d.
func (c *Clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// NewTicker returns the clock's one ticker: it ticks at Tick only.
func (c *Clock) NewTicker(time.Duration) (<-chan time.Time, func()) { return c.ticks, func() {} }

// Tick moves the clock on by d and ticks, returning once the ticker's
// reader has taken the tick; a second Tick returns once it has acted on
// the first. It fails t if nobody takes the tick for 10 s.
func (c *Clock) Tick(t testing.TB, d time.Duration) {
	t.Helper()
	c.Add(d)
	select {
	case c.ticks <- c.Now():
	case <-time.After(10 * time.Second):
		t.Fatal("clocktest: nobody took the tick for 10 s")
	}
}
