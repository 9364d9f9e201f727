package engine

import (
	"context"
	"testing"
	"time"

	"github.com/seira-queue/seira/queue"
)

// The ticket at a counter past its service's mean time is expected to keep
// it for the median rest of the service's learned log-normal (its mean and
// the samples' spread), not for a quarter of the mean: applications that
// took 3 or 15 minutes teach that one running for 20 minutes is a long one,
// with minutes still to go.
func TestWaitCountsTheRestOfALongService(t *testing.T) {
	f := newFixture(t) // 09:00 Athens
	f.open(t, "3")     // signatures, applications
	est := queue.NewServiceEstimate(540 * time.Second)
	f.issue(t, "applications", "")
	f.next(t, "3")
	for i := range 24 {
		d := 3 * time.Minute
		if i%2 == 1 {
			d = 15 * time.Minute
		}
		f.clock.Add(d)
		est = est.Add(d)
		f.issue(t, "applications", "")
		f.next(t, "3") // the one before done, this one called
	}
	const elapsed = 20 * time.Minute
	f.clock.Add(elapsed)
	info := f.issue(t, "applications", "")
	want := est.Dist().RestQuantile(elapsed, 0.5)
	if d := info.Wait - want; d < -time.Second || d > time.Second {
		t.Errorf("wait behind an application at the counter for %v: %v, want its median rest %v", elapsed, info.Wait, want)
	}
	if old := est.Mean() / 4; want <= old {
		t.Errorf("median rest %v, not above the older rule's %v", want, old)
	}
	// The ticket's page says the same.
	page, err := f.e.TicketByToken(context.Background(), info.Ticket.Token)
	if err != nil {
		t.Fatal(err)
	}
	if page.Wait != info.Wait {
		t.Errorf("page %v, at issue %v", page.Wait, info.Wait)
	}
}
