package sim

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"log/slog"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/seira-queue/seira/app"
	"github.com/seira-queue/seira/app/apptest"
	"github.com/seira-queue/seira/queue"
)

// shortDay (testdata/short-day.json) is an hour at two counters: light
// enough that the queue is empty soon after closing, busy enough to call,
// pause and no-show.
func shortDay(t *testing.T) Day {
	t.Helper()
	d, err := LoadDay(filepath.Join("testdata", "short-day.json"))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
}

// TestRunInProcess plays the short day against an in-process server
// (mode b), then opens the server's store and checks that the report
// counts what the server recorded.
func TestRunInProcess(t *testing.T) {
	d := shortDay(t)
	dir := t.TempDir()
	ctx := context.Background()
	rep, err := Run(ctx, d, Options{Speed: 1200, Seed: 3, Data: dir, Logger: testLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	var table bytes.Buffer
	if err := rep.WriteTable(&table); err != nil {
		t.Fatal(err)
	}
	t.Logf("\n%s", table.String())
	if want := fmt.Sprintf("the day's work is %.0f%% of its counters' hours", 100*d.Load()); d.Load() <= 0 || !strings.Contains(table.String(), want) {
		t.Errorf("the table does not say %q (load %v)", want, d.Load())
	}

	if n := len(Plan(d, 3)); rep.Planned != n || rep.Issued != n || rep.IssueFailed != 0 {
		t.Errorf("planned %d, issued %d (failed %d); the plan has %d", rep.Planned, rep.Issued, rep.IssueFailed, n)
	}
	if rep.ServerErrors() != 0 || len(rep.Failures) != 0 {
		t.Errorf("failed requests: %+v", rep.Failures)
	}
	if rep.Issued != rep.Called+rep.StillWaiting+rep.Cancelled+rep.Expired+rep.OtherState {
		t.Errorf("issued %d ≠ called %d + waiting %d + cancelled %d + expired %d + other %d",
			rep.Issued, rep.Called, rep.StillWaiting, rep.Cancelled, rep.Expired, rep.OtherState)
	}
	if rep.StillWaiting != 0 || rep.ServerWaiting != 0 {
		t.Errorf("still waiting: %d by the report, %d by the server; the short day should drain", rep.StillWaiting, rep.ServerWaiting)
	}
	if all := rep.Rows[len(rep.Rows)-1]; all.Name != "all" || all.Count != rep.Called {
		t.Errorf("last row %s counts %d, want all and %d", all.Name, all.Count, rep.Called)
	}
	// The median, not the max nor the p90: at 1200× a busy machine's pause
	// of 100 ms is two simulated minutes for the actions it falls on (a
	// tenth of them at a load average of 14); a simulator that cannot
	// follow falls behind on most of them.
	if rep.Lag.N == 0 || rep.Lag.P50 > 120 {
		t.Errorf("lag %+v: not measured, or the simulator could not follow", rep.Lag)
	}

	// What the server recorded, from its store.
	a, err := app.Open(app.Config{Data: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	events := allEvents(t, ctx, a, d.Branch)
	// The day's plan went in through the API: each counter's hours and
	// breaks, and the day's opening hours.
	planned, err := a.Engine.Snapshot(ctx, d.Branch)
	if err != nil {
		t.Fatal(err)
	}
	if !planned.Branch.Hours.OpenAt(rep.Opening.Add(59*time.Minute), planned.Loc) || planned.Branch.Hours.OpenAt(rep.Opening.Add(61*time.Minute), planned.Loc) {
		t.Errorf("opening hours %v: want the day's 09:00–10:00", planned.Branch.Hours)
	}
	plans := map[string]queue.Schedule{}
	for _, c := range planned.Counters {
		plans[c.Counter.ID] = c.Counter.Schedule
	}
	want1 := queue.Schedule{Opens: "09:00", Closes: "11:00"}
	if got := plans["1"]; got.Opens != want1.Opens || got.Closes != want1.Closes || len(got.Breaks) != 0 {
		t.Errorf("counter 1 plan %+v, want %+v (closing at the hard stop)", got, want1)
	}
	if got := plans["2"]; got.Opens != "09:10" || got.Closes != "11:00" || len(got.Breaks) != 1 || got.Breaks[0] != (queue.Break{At: "09:30", Minutes: 10}) {
		t.Errorf("counter 2 plan %+v", got)
	}
	// The services assume the day's mean service times (3 and 2 minutes)
	// until they have learned; the rest of each service is kept.
	defaults := map[string]int{}
	for _, s := range planned.Services {
		defaults[s.Service.ID] = s.Service.DefaultServiceS
		if s.Service.Prefix == "" || len(s.Service.Name) == 0 {
			t.Errorf("service %s lost its prefix or name: %+v", s.Service.ID, s.Service)
		}
	}
	if defaults["certificates"] != 180 || defaults["signatures"] != 120 {
		t.Errorf("default service times %v, want the day's 180 s and 120 s", defaults)
	}
	count := map[queue.EventType]int{}
	calls := map[string]time.Duration{} // number → real wait
	for _, ev := range events {
		count[ev.Type]++
		if ev.Type == queue.EvCalled {
			calls[ev.Number] = ev.At.Sub(ev.IssuedAt)
		}
	}
	if count[queue.EvIssued] != rep.Issued || count[queue.EvCalled] != rep.Called || count[queue.EvNoShow] != rep.NoShows ||
		count[queue.EvDone] != rep.Called-rep.NoShows {
		t.Errorf("server events: %d issued, %d called, %d no-shows, %d done; report: %d issued, %d called, %d no-shows",
			count[queue.EvIssued], count[queue.EvCalled], count[queue.EvNoShow], count[queue.EvDone], rep.Issued, rep.Called, rep.NoShows)
	}
	if rep.NoShows == 0 || count[queue.EvCounterPaused] != 1 {
		t.Errorf("%d no-shows, %d pauses: the day should have both", rep.NoShows, count[queue.EvCounterPaused])
	}
	snap, err := a.Engine.Snapshot(ctx, d.Branch)
	if err != nil {
		t.Fatal(err)
	}
	waiting := 0
	for _, s := range snap.Services {
		waiting += s.Waiting
	}
	if waiting != rep.StillWaiting {
		t.Errorf("server: %d waiting, report: %d", waiting, rep.StillWaiting)
	}
	for _, c := range snap.Counters {
		if c.Counter.Status != queue.CounterClosed {
			t.Errorf("counter %s is %s at the end", c.Counter.ID, c.Counter.Status)
		}
	}

	// The CSV: one row per ticket, each called, with the server's wait.
	var buf bytes.Buffer
	if err := rep.WriteCSV(&buf); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != rep.Issued+1 || strings.Join(rows[0], ",") != strings.Join(csvHeader(), ",") {
		t.Fatalf("CSV: %d rows, header %v; want %d and %v", len(rows), rows[0], rep.Issued+1, csvHeader())
	}
	priority := 0
	for _, r := range rows[1:] {
		wait, err := strconv.Atoi(r[5])
		if err != nil || wait < 0 {
			t.Errorf("ticket %s: real_wait_s %q", r[0], r[5])
			continue
		}
		if _, err := strconv.Atoi(r[4]); err != nil {
			t.Errorf("ticket %s: estimate_s %q", r[0], r[4])
		}
		want, ok := calls[r[0]]
		if !ok || wait != int(want.Round(time.Second)/time.Second) {
			t.Errorf("ticket %s: real wait %d s, the server's call says %v", r[0], wait, want)
		}
		if r[2] == "senior" {
			priority++
		}
	}
	if priority == 0 {
		t.Error("no priority ticket in the CSV")
	}
}

// fastNow returns a clock that starts at start and runs speed times
// faster than real time.
func fastNow(start time.Time, speed float64) func() time.Time {
	real0 := time.Now()
	return func() time.Time { return start.Add(time.Duration(float64(time.Since(real0)) * speed)) }
}

// TestRunAgainstServer plays against a server started apart (mode a),
// whose clock is already past the opening: the day is shifted.
func TestRunAgainstServer(t *testing.T) {
	d := shortDay(t)
	loc, _ := d.Location()
	start := time.Date(2026, 11, 30, 9, 0, 0, 0, loc)
	env := apptest.Start(t, func(c *app.Config) { c.Now = fastNow(start, 1200) })
	ctx := context.Background()

	if _, err := Run(ctx, d, Options{URL: env.URL, Speed: 300, User: "admin", Password: apptest.AdminPassword}); err == nil ||
		!strings.Contains(err.Error(), "-clock-speed 300") {
		t.Errorf("speed 300 against a server at 1200: %v", err)
	}
	if _, err := Run(ctx, d, Options{URL: env.URL, Speed: 1200, User: "admin", Password: "wrong"}); err == nil ||
		!strings.Contains(err.Error(), "sign in") {
		t.Errorf("wrong password: %v", err)
	}
	rep, err := Run(ctx, d, Options{URL: env.URL, Speed: 1200, Seed: 5, User: "admin", Password: apptest.AdminPassword, Logger: testLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Opening.After(start) || rep.Opening.Second() != 0 {
		t.Errorf("opening %v: want the next whole minute after the server's 09:00 plus the time already run", rep.Opening)
	}
	if rep.Issued == 0 || rep.Issued != rep.Called+rep.StillWaiting || rep.ServerErrors() != 0 {
		t.Errorf("issued %d, called %d, waiting %d, 5xx %d", rep.Issued, rep.Called, rep.StillWaiting, rep.ServerErrors())
	}
	// A stale reading of the clock would put every action behind by as
	// much, the median too; slow moments of a busy machine put some behind
	// (a tenth of them by a minute at a load average of 14), not most.
	if rep.Lag.N == 0 || rep.Lag.P50 > 60 {
		t.Errorf("lag %+v: the day is scheduled from a stale reading of the server's clock", rep.Lag)
	}
	for _, tk := range rep.Tickets {
		if tk.IssuedAt.Before(rep.Opening) || !tk.Called() || tk.RealWait() < 0 {
			t.Errorf("ticket %s issued %v (opening %v), called %v", tk.Number, tk.IssuedAt, rep.Opening, tk.CalledAt)
		}
	}
	// The plan moved with the day; the server's own opening hours (none)
	// are left alone.
	snap, err := env.App.Engine.Snapshot(ctx, d.Branch)
	if err != nil {
		t.Fatal(err)
	}
	shifted := func(hhmm string) string { // the day file's 09:00 is the opening played
		tod, _ := ParseTimeOfDay(hhmm)
		return rep.Opening.Add(time.Duration(tod) - 9*time.Hour).In(snap.Loc).Format("15:04")
	}
	for _, c := range snap.Counters {
		if c.Counter.ID == "2" {
			s := c.Counter.Schedule
			if s.Opens != shifted("09:10") || len(s.Breaks) != 1 || s.Breaks[0].At != shifted("09:30") {
				t.Errorf("counter 2's plan %+v: want it moved with the day (opening %v)", s, rep.Opening)
			}
		}
	}
	if len(snap.Branch.Hours) != 0 {
		t.Errorf("the simulator set a running server's opening hours: %v", snap.Branch.Hours)
	}
	for _, s := range snap.Services {
		if s.Service.ID == "certificates" && s.Service.DefaultServiceS != 240 {
			t.Errorf("the simulator changed a running server's default service time to %d s", s.Service.DefaultServiceS)
		}
	}
}

func TestCheckBranch(t *testing.T) {
	d := ReferenceDay()
	var st stateView
	st.Services = []stateService{{ID: "certificates", Open: true}}
	st.Counters = []stateCounter{
		{ID: "1", Serves: []string{"signatures", "certificates"}, Status: "closed"},
		{ID: "2", Serves: []string{"certificates"}, Status: "closed"},
		{ID: "3", Serves: []string{"signatures", "applications"}, Status: "open", Clerk: "maria"},
	}
	err := checkBranch(st, d, "admin")
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{"no service signatures", "no service applications", "counter 2 serves [certificates]",
		"counter 3 is open by maria", "no counter 4"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	if strings.Contains(err.Error(), "counter 1") {
		t.Errorf("counter 1 serves the same services in another order, yet: %v", err)
	}
}

// allEvents reads every event of branch from the store a opened.
func allEvents(t *testing.T, ctx context.Context, a *app.App, branch string) []queue.Event {
	t.Helper()
	var events []queue.Event
	for after := uint64(0); ; {
		evs, more, err := a.Engine.EventsSince(ctx, branch, after, 500)
		if err != nil {
			t.Fatal(err)
		}
		events = append(events, evs...)
		if !more {
			return events
		}
		after = evs[len(evs)-1].Seq
	}
}
