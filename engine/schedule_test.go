package engine

import (
	"testing"
	"time"

	"github.com/seira-queue/seira/internal/storetest"
	"github.com/seira-queue/seira/queue"
	"github.com/seira-queue/seira/storage"
)

// setSchedule gives demo counter id the plan s, keeping its services.
func setSchedule(t *testing.T, f *fixture, id string, s queue.Schedule) {
	t.Helper()
	c, err := f.e.Counter(ctx, "demo", id)
	if err != nil {
		t.Fatal(err)
	}
	c.Schedule = s
	if err := putCounter(f, c); err != nil {
		t.Fatal(err)
	}
}

func waitOf(t *testing.T, f *fixture, info TicketInfo) time.Duration {
	t.Helper()
	got, err := f.e.TicketByToken(ctx, info.Ticket.Token)
	if err != nil {
		t.Fatal(err)
	}
	return got.Wait
}

// A counter planned to open later joins the forecast then, and its plan is
// kept in the store: it is there after the store is opened again.
func TestScheduledOpeningShortensTheWait(t *testing.T) {
	f := newFixture(t) // 09:00 Athens
	f.open(t, "3")     // signatures and applications
	var last TicketInfo
	for range 3 {
		last = f.issue(t, "applications", "") // 9 min each, by default
	}
	if w := waitOf(t, f, last); w != 18*time.Minute {
		t.Fatalf("counter 3 alone: the third waits %v, want 18m", w)
	}
	// Counter 4 (applications first) is planned to open at 09:10: the
	// third is its first, at 10 min.
	setSchedule(t, f, "4", queue.Schedule{Opens: "09:10", Closes: "15:00", Breaks: []queue.Break{{At: "12:00", Minutes: 30}}})
	if w := waitOf(t, f, last); w != 10*time.Minute {
		t.Fatalf("with counter 4 opening at 09:10: %v, want 10m", w)
	}
	// Past 09:10 a counter still closed is not counted on. (A ticket
	// issued makes a new moment: no forecast of 09:00 is reused.)
	f.clock.Add(15 * time.Minute)
	f.issue(t, "signatures", "")
	if w := waitOf(t, f, last); w != 18*time.Minute {
		t.Fatalf("at 09:15 with counter 4 still closed: %v, want 18m", w)
	}

	f.store.Close()
	store, err := storetest.Open(f.path, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	c, err := New(store, Options{Now: f.clock.Now}).Counter(ctx, "demo", "4")
	if err != nil {
		t.Fatal(err)
	}
	if s := c.Schedule; s.Opens != "09:10" || s.Closes != "15:00" || len(s.Breaks) != 1 || s.Breaks[0] != (queue.Break{At: "12:00", Minutes: 30}) {
		t.Fatalf("after reopening the store: %+v", s)
	}
}

// A counter paused for its planned break is expected back at the break's
// end, not after the learned pause; the break teaches nothing about
// unplanned pauses, and is not expected again once taken.
func TestPlannedBreakReturn(t *testing.T) {
	f := newFixtureAt(t, "2026-11-27T09:50:00Z") // 11:50 Athens
	setSchedule(t, f, "3", queue.Schedule{Breaks: []queue.Break{{At: "12:00", Minutes: 30}}})
	f.open(t, "3")
	var last TicketInfo
	for range 2 {
		last = f.issue(t, "applications", "")
	}
	// 11:50 the first; the second at 11:59; the clerk is free at 12:08 and
	// goes on the break then: nobody else is called before 12:38.
	third := f.issue(t, "applications", "")
	if w := waitOf(t, f, third); w != 18*time.Minute+30*time.Minute {
		t.Fatalf("before the break: the third waits %v, want 48m", w)
	}
	if w := waitOf(t, f, last); w != 9*time.Minute {
		t.Fatalf("the second: %v", w)
	}
	f.next(t, "3")
	f.clock.Add(12 * time.Minute) // 12:02
	if _, err := f.e.Done(ctx, "demo", "3", "clerk3"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.e.PauseCounter(ctx, "demo", "3", "clerk3"); err != nil {
		t.Fatal(err)
	}
	f.clock.Add(10 * time.Minute) // 12:12, 20 minutes of the break left
	if w := waitOf(t, f, last); w != 20*time.Minute {
		t.Fatalf("on the break: the next waits %v, want 20m (not the default pause)", w)
	}
	f.clock.Add(20 * time.Minute) // 12:32
	f.open(t, "3")
	pause := pauseTime(t, f)
	if pause != 0 {
		t.Errorf("the planned break was learned as a pause: %v", pause)
	}
	c, _ := f.e.Counter(ctx, "demo", "3")
	if want := time.Date(2026, 11, 27, 10, 2, 0, 0, time.UTC); !c.LastPause.Equal(want) {
		t.Errorf("last pause %v, want %v", c.LastPause, want)
	}
	// Back at work: the break is behind, the next is called now.
	if w := waitOf(t, f, last); w != 0 {
		t.Fatalf("after the break: %v", w)
	}
	// An unplanned pause is learned.
	f.clock.Add(time.Hour)
	if _, err := f.e.PauseCounter(ctx, "demo", "3", "clerk3"); err != nil {
		t.Fatal(err)
	}
	f.clock.Add(7 * time.Minute)
	f.open(t, "3")
	if p := pauseTime(t, f); p != 7*time.Minute {
		t.Errorf("unplanned pause learned as %v, want 7m", p)
	}
}

func pauseTime(t *testing.T, f *fixture) time.Duration {
	t.Helper()
	var d time.Duration
	err := f.store.View(ctx, func(tx *storage.Tx) error {
		b, err := tx.Branch("demo")
		if err == nil {
			d = b.PauseTime()
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// Priority tickets are expected only while the office issues tickets: a
// ticket issued near closing does not wait for arrivals after it.
func TestExpectedPriorityArrivalsStopAtClosing(t *testing.T) {
	f := newFixtureAt(t, "2026-11-27T12:00:00Z") // Friday 14:00 Athens
	f.open(t, "1")
	// A priority ticket every two minutes for half an hour: a steady
	// stream the forecast expects to go on.
	for range 15 {
		f.issue(t, "certificates", "senior")
		f.next(t, "1")
		f.clock.Add(2 * time.Minute)
		if _, err := f.e.Done(ctx, "demo", "1", "clerk1"); err != nil {
			t.Fatal(err)
		}
	}
	var last TicketInfo
	for range 8 {
		last = f.issue(t, "certificates", "")
	}
	always := waitOf(t, f, last)
	cfg := demoConfig(t, f)
	cfg.Hours = queue.Hours{"fri": {{From: "08:00", To: "14:40"}}} // 10 minutes from now
	if _, err := f.e.UpdateBranch(ctx, "test", cfg); err != nil {
		t.Fatal(err)
	}
	closing := waitOf(t, f, last)
	if closing >= always {
		t.Fatalf("closing at 14:40, the last waits %v; always open %v: arrivals after closing are still counted", closing, always)
	}
}

// A ticket the plan does not reach before every counter closes gets the
// forecast as if the clerks stayed (they finish the queue more often than
// not), not the rough count of the work ahead.
func TestWaitPastEveryClosing(t *testing.T) {
	f := newFixtureAt(t, "2026-11-27T12:50:00Z") // 14:50 Athens
	for _, id := range []string{"3", "4"} {
		setSchedule(t, f, id, queue.Schedule{Closes: "15:00"})
	}
	f.open(t, "3", "4")
	f.issue(t, "signatures", "")
	f.issue(t, "signatures", "")
	var apps []TicketInfo
	for range 5 {
		apps = append(apps, f.issue(t, "applications", ""))
	}
	// Counter 3 (signatures, applications) takes B1 at 0, B2 at 3, C2 at
	// 6, C4 at 15; counter 4 C1 at 0, C3 at 9, C5 at 18 — past 15:00.
	for i, want := range []time.Duration{0, 6 * time.Minute, 9 * time.Minute, 15 * time.Minute, 18 * time.Minute} {
		if w := waitOf(t, f, apps[i]); w != want {
			t.Errorf("C%d waits %v, want %v", i+1, w, want)
		}
		// C4 and C5 are reached only after 15:00, when both desks close:
		// their holders are told they may not be served today.
		got, err := f.e.TicketByToken(ctx, apps[i].Ticket.Token)
		if err != nil {
			t.Fatal(err)
		}
		if want := i >= 3; got.AfterClosing != want {
			t.Errorf("C%d: after closing %v, want %v", i+1, got.AfterClosing, want)
		}
	}
	// So is whoever would take a ticket now: both desks are busy past
	// 15:00 (counter 3 with C2 from 14:56 to 15:05, counter 4 with C3).
	// After counter 3's closing moves to 15:30, a signatures ticket (its
	// first service) is called at 15:05 again, in time.
	if late := lateServices(t, f); !late["applications"] || !late["signatures"] {
		t.Errorf("a ticket taken now is after closing: %v, want applications and signatures", late)
	}
	setSchedule(t, f, "3", queue.Schedule{Closes: "15:30"})
	if late := lateServices(t, f); late["signatures"] {
		t.Errorf("counter 3 closes at 15:30: a ticket taken now is after closing: %v, want not signatures", late)
	}
}

// lateServices says, for each service, whether a ticket taken now would be
// reached only after the counters' closing.
func lateServices(t *testing.T, f *fixture) map[string]bool {
	t.Helper()
	snap, err := f.e.Snapshot(ctx, "demo")
	if err != nil {
		t.Fatal(err)
	}
	late := map[string]bool{}
	for _, s := range snap.Services {
		late[s.Service.ID] = s.AfterClosing
	}
	return late
}

// Without planned closings nobody is ever told the counters will have
// closed: the counters are taken to stay.
func TestNoClosingNoAfterClosing(t *testing.T) {
	f := newFixtureAt(t, "2026-11-27T12:50:00Z") // 14:50 Athens
	f.open(t, "3", "4")
	var last TicketInfo
	for range 12 {
		last = f.issue(t, "applications", "")
	}
	got, err := f.e.TicketByToken(ctx, last.Ticket.Token)
	if err != nil {
		t.Fatal(err)
	}
	if got.AfterClosing || got.Wait < 30*time.Minute {
		t.Errorf("the 12th applications ticket: wait %v, after closing %v; want a long wait and no warning", got.Wait, got.AfterClosing)
	}
	for svc, late := range lateServices(t, f) {
		if late {
			t.Errorf("%s: a ticket taken now is after closing, with no closing planned", svc)
		}
	}
}

// A counter closed during its planned break has taken the break: opened
// again, it is not expected to take it once more.
func TestBreakTakenWhenClosedDuringIt(t *testing.T) {
	f := newFixtureAt(t, "2026-11-27T10:00:00Z") // 12:00 Athens
	setSchedule(t, f, "3", queue.Schedule{Breaks: []queue.Break{{At: "12:00", Minutes: 30}}})
	f.open(t, "3")
	if _, err := f.e.PauseCounter(ctx, "demo", "3", "clerk3"); err != nil {
		t.Fatal(err)
	}
	f.clock.Add(5 * time.Minute)
	if _, err := f.e.CloseCounter(ctx, "demo", "3", "clerk3"); err != nil {
		t.Fatal(err)
	}
	f.clock.Add(5 * time.Minute) // 12:10, the break would run to 12:30
	f.open(t, "3")
	info := f.issue(t, "applications", "")
	f.issue(t, "applications", "")
	last := f.issue(t, "applications", "")
	if w := waitOf(t, f, info); w != 0 {
		t.Errorf("the first waits %v", w)
	}
	if w := waitOf(t, f, last); w != 18*time.Minute {
		t.Errorf("the third waits %v, want 18m: the break taken is expected again", w)
	}
}
