package display_test

import (
	"testing"
	"time"

	"github.com/seira-queue/seira/app/apptest"
	"github.com/seira-queue/seira/internal/clocktest"
)

// newFakeClock is the hub's clock in keep-alive tests: it stands still
// until the test moves it (Tick), and ticks only then.
func newFakeClock() *clocktest.Clock {
	return clocktest.New(time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC))
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
