package engine

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/seira-queue/seira/demo"
	"github.com/seira-queue/seira/queue"
)

// The ticket at a counter past its service's mean time is expected to keep
// it for the rest of the service's learned log-normal (its mean and the
// samples' spread) past the time gone, not for a quarter of the mean:
// applications that took 3 or 15 minutes teach that one running for 90
// minutes is a long one, with minutes still to go. The forecast is the
// median of 21 plays, each drawing that rest at its play's number for the
// ticket (queue.PlayDraw): the rest at the median of those numbers.
func TestWaitCountsTheRestOfALongService(t *testing.T) {
	f := newFixture(t) // 09:00 Athens
	f.open(t, "3")     // signatures, applications
	est := queue.NewServiceEstimate(540 * time.Second)
	f.issue(t, "applications", "")
	cur := f.next(t, "3")
	for i := range 24 {
		d := 3 * time.Minute
		if i%2 == 1 {
			d = 15 * time.Minute
		}
		f.clock.Add(d)
		est = est.Add(d)
		f.issue(t, "applications", "")
		cur = f.next(t, "3") // the one before done, this one called
	}
	const elapsed = 90 * time.Minute
	f.clock.Add(elapsed)
	info := f.issue(t, "applications", "")
	var us []float64
	for j := range forecastPlays {
		us = append(us, queue.PlayDraw(playSeed(demo.BranchID), cur.ID, j))
	}
	slices.Sort(us)
	want := est.Dist().RestQuantile(elapsed, us[len(us)/2])
	if d := info.Wait - want; d < -time.Second || d > time.Second {
		t.Errorf("wait behind an application at the counter for %v: %v, want %v", elapsed, info.Wait, want)
	}
	if old := est.Mean() / 4; info.Wait < old+time.Minute {
		t.Errorf("wait %v, about the older rule's %v", info.Wait, old)
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

// The sampled forecast draws for each ticket from the branch, the ticket
// and the play alone: read again in the same state, even later (the
// shared forecast gone), every ticket's estimate is drawn from the same
// numbers. At the same moment it is the same; with a ticket issued behind
// them, those ahead keep their estimates to the nanosecond; a minute
// later, with nothing happened, each estimate is within two minutes of the
// one before, where fresh draws move a median of 21 plays of a long
// service by more.
func TestSampledForecastIsTheSameForTheSameState(t *testing.T) {
	f := newFixture(t) // 09:00 Athens
	f.open(t, "3")     // signatures, applications
	for i := range 24 {
		f.issue(t, "applications", "")
		f.next(t, "3")
		f.clock.Add(time.Duration(3+12*(i%2)) * time.Minute)
	}
	var tickets []TicketInfo
	for range 6 {
		tickets = append(tickets, f.issue(t, "applications", ""))
	}
	read := func() []time.Duration {
		f.e.fcMu.Lock()
		clear(f.e.fcs) // no shared forecast: each read makes its own
		f.e.fcMu.Unlock()
		var out []time.Duration
		for _, tk := range tickets {
			info, err := f.e.TicketByToken(context.Background(), tk.Ticket.Token)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, info.Wait)
		}
		return out
	}
	a, b := read(), read()
	if !slices.Equal(a, b) {
		t.Fatalf("the same state read twice: %v, then %v", a, b)
	}
	f.issue(t, "applications", "")
	if b := read(); !slices.Equal(a, b) {
		t.Fatalf("with a ticket issued behind them: %v, then %v", a, b)
	}
	f.clock.Add(time.Minute)
	c := read()
	for i := range a {
		if d := c[i] - a[i]; d < -2*time.Minute || d > 2*time.Minute {
			t.Errorf("ticket %d: %v, a minute later %v", i+1, a[i], c[i])
		}
	}
	if slices.Equal(a, c) {
		t.Errorf("a minute later the estimates have not moved: %v", c)
	}
}
