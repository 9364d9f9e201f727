package stats_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/seira-queue/seira/demo"
	"github.com/seira-queue/seira/engine"
	"github.com/seira-queue/seira/internal/clocktest"
	"github.com/seira-queue/seira/internal/storetest"
	"github.com/seira-queue/seira/queue"
	"github.com/seira-queue/seira/stats"
	"github.com/seira-queue/seira/storage"
)

var ctx = context.Background()

// clock is the engine's clock in these tests, set to RFC 3339 times.
type clock struct{ *clocktest.Clock }

func (c clock) now() time.Time { return c.Now() }
func (c clock) at(s string) {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	c.Set(t)
}

func setup(t testing.TB) (*storage.Store, *engine.Engine, clock) {
	t.Helper()
	store, err := storetest.Open(filepath.Join(t.TempDir(), "s.db"), storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	c := clock{clocktest.New(time.Time{})}
	c.at("2026-11-27T08:00:00+02:00")
	e := engine.New(store, engine.Options{Now: c.now})
	br, svcs, counters := demo.Office()
	if err := e.CreateBranch(ctx, "test", br, svcs, counters); err != nil {
		t.Fatal(err)
	}
	return store, e, c
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// day plays a small known day at the demo office (times in Athens).
func day(t *testing.T) (*storage.Store, *engine.Engine, clock) {
	store, e, c := setup(t)
	issue := func(at, svc, prio string) engine.TicketInfo {
		c.at("2026-11-27T" + at + ":00+02:00")
		return must(e.Issue(ctx, "demo", engine.IssueRequest{Service: svc, Priority: prio}))
	}
	act := func(at string, f func(context.Context, string, string, string) (engine.CounterResult, error)) {
		c.at("2026-11-27T" + at + ":00+02:00")
		must(f(ctx, "demo", "1", "maria"))
	}
	issue("09:00", "certificates", "")     // A001
	issue("09:02", "certificates", "")     // A002
	issue("09:05", "signatures", "senior") // B001
	act("09:06", e.OpenCounter)
	act("09:10", e.CallNext) // B001 (priority), waited 5 min
	act("09:11", e.Start)
	act("09:15", e.CallNext) // B001 done after 4 min; A001 called, waited 15 min
	act("09:20", e.CallNext) // A001 done after 5 min; A002 called, waited 18 min
	act("09:21", e.NoShow)
	a3 := issue("09:30", "certificates", "") // A003
	c.at("2026-11-27T09:31:00+02:00")
	must(e.Cancel(ctx, a3.Ticket.Token))
	issue("10:05", "applications", "") // C001, still waiting at the end of the day
	return store, e, c
}

func row(t *testing.T, rep stats.Report, key string) stats.Row {
	t.Helper()
	for _, r := range rep.Rows {
		if r.Key == key {
			return r
		}
	}
	t.Fatalf("no row %q in %+v", key, rep.Rows)
	return stats.Row{}
}

func TestByServiceOnAKnownDay(t *testing.T) {
	store, _, c := day(t)
	rep, err := stats.Compute(ctx, store, "demo", "2026-11-27", "2026-11-27", stats.ByService, c.now())
	if err != nil {
		t.Fatal(err)
	}
	a := row(t, rep, "certificates")
	if a.Issued != 3 || a.Served != 1 || a.NoShow != 1 || a.Cancelled != 1 || a.Expired != 0 {
		t.Errorf("certificates counts: %+v", a)
	}
	// Waits 15 and 18 minutes: mean 16.5; nearest-rank median 15, p90 18.
	if a.WaitS != (stats.Summary{Count: 2, Mean: 990, Median: 900, P90: 1080}) {
		t.Errorf("certificates waits: %+v", a.WaitS)
	}
	if a.ServiceS != (stats.Summary{Count: 1, Mean: 300, Median: 300, P90: 300}) {
		t.Errorf("certificates service: %+v", a.ServiceS)
	}
	// Target 15 min (demo): 15 is within, 18 is not.
	if a.WithinTarget == nil || *a.WithinTarget != 0.5 {
		t.Errorf("certificates within target: %v", a.WithinTarget)
	}
	b := row(t, rep, "signatures")
	if b.Issued != 1 || b.Served != 1 || b.WaitS.Mean != 300 || b.ServiceS.Mean != 240 || *b.WithinTarget != 1 {
		t.Errorf("signatures: %+v", b)
	}
	// C001 waits still: issued today, nothing else.
	g := row(t, rep, "applications")
	if g.Issued != 1 || g.Served != 0 || g.WaitS.Count != 0 || g.WithinTarget != nil {
		t.Errorf("applications: %+v", g)
	}
	if rep.Total.Issued != 5 || rep.Total.Served != 2 || rep.Total.WaitS.Count != 3 {
		t.Errorf("total: %+v", rep.Total)
	}
}

func TestOtherGroupingsAndDays(t *testing.T) {
	store, e, c := day(t)
	byClerk := must(stats.Compute(ctx, store, "demo", "2026-11-27", "2026-11-27", stats.ByClerk, c.now()))
	if m := row(t, byClerk, "maria"); m.Served != 2 || m.NoShow != 1 {
		t.Errorf("maria: %+v", m)
	}
	byHour := must(stats.Compute(ctx, store, "demo", "2026-11-27", "2026-11-27", stats.ByHour, c.now()))
	if h := row(t, byHour, "09"); h.Issued != 4 {
		t.Errorf("09:00–10:00: %+v", h)
	}
	if h := row(t, byHour, "10"); h.Issued != 1 {
		t.Errorf("10:00–11:00: %+v", h)
	}
	// The next day expires C001; the first day's figures now count it.
	c.at("2026-11-28T09:00:00+02:00")
	must(e.Issue(ctx, "demo", engine.IssueRequest{Service: "certificates"}))
	first := must(stats.Compute(ctx, store, "demo", "2026-11-27", "2026-11-27", stats.ByService, c.now()))
	if g := row(t, first, "applications"); g.Issued != 1 || g.Expired != 1 {
		t.Errorf("expired next day: %+v", g)
	}
	both := must(stats.Compute(ctx, store, "demo", "2026-11-27", "2026-11-28", stats.ByDay, c.now()))
	if len(both.Rows) != 2 || both.Rows[1].Key != "2026-11-28" || both.Rows[1].Issued != 1 || both.Total.Issued != 6 {
		t.Errorf("by day: %+v", both)
	}
	empty := must(stats.Compute(ctx, store, "demo", "2025-01-01", "2025-01-31", stats.ByService, c.now()))
	if len(empty.Rows) != 0 || empty.Total.Issued != 0 {
		t.Errorf("a month without tickets: %+v", empty)
	}
}

func TestBadQueries(t *testing.T) {
	store, _, c := setup(t)
	for _, q := range [][2]string{{"2026-11-31", "2026-12-01"}, {"yesterday", "2026-12-01"}, {"2026-12-02", "2026-12-01"}} {
		_, err := stats.Compute(ctx, store, "demo", q[0], q[1], stats.ByService, c.now())
		if queue.ErrorCode(err) != queue.CodeValidation {
			t.Errorf("%v: %v", q, err)
		}
	}
	if _, err := stats.Compute(ctx, store, "nowhere", "2026-11-01", "2026-11-02", stats.ByService, c.now()); queue.ErrorCode(err) != queue.CodeNotFound {
		t.Errorf("unknown branch: %v", err)
	}
	if _, err := stats.ParseBy("colour"); queue.ErrorCode(err) != queue.CodeValidation {
		t.Errorf("by=colour: %v", err)
	}
}

func TestCSV(t *testing.T) {
	store, _, c := day(t)
	rep := must(stats.Compute(ctx, store, "demo", "2026-11-27", "2026-11-27", stats.ByService, c.now()))
	raw := must(rep.CSV())
	if !bytes.HasPrefix(raw, []byte("\xef\xbb\xbf")) {
		t.Fatal("no UTF-8 byte-order mark")
	}
	recs, err := csv.NewReader(bytes.NewReader(raw[3:])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 1+len(rep.Rows)+1 || recs[0][0] != "service" || recs[len(recs)-1][0] != "total" {
		t.Fatalf("csv rows: %v", recs)
	}
	for _, r := range recs[1:] {
		if r[0] == "certificates" && (r[1] != "3" || r[7] != "900.0" || r[12] != "0.500") {
			t.Errorf("certificates row: %v", r)
		}
	}
}

// fillOutcomes writes n synthetic outcomes over a year, as a busy office
// would have them, straight into the store.
func fillOutcomes(b *testing.B, store *storage.Store, n int) {
	b.Helper()
	start := time.Date(2025, 1, 2, 8, 0, 0, 0, time.UTC)
	const perTx = 50_000
	svcs := []string{"certificates", "signatures", "applications"}
	for done := 0; done < n; {
		err := store.Update(ctx, func(tx *storage.Tx) error {
			br, err := tx.Branch("demo")
			if err != nil {
				return err
			}
			for i := done; i < min(done+perTx, n); i++ {
				issued := start.Add(time.Duration(i) * 365 * 24 * time.Hour / time.Duration(n))
				called := issued.Add(time.Duration(i%1800) * time.Second)
				o := queue.Outcome{ID: uint64(i + 1), Day: issued.Format(queue.DayLayout), State: queue.StateDone,
					Service: svcs[i%3], FirstService: svcs[i%3], Counter: fmt.Sprint(1 + i%4), Clerk: fmt.Sprint("clerk", i%8),
					Issued: issued, FirstCalled: called, Called: called, Finished: called.Add(time.Duration(60+i%600) * time.Second)}
				if err := br.PutOutcome(o); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		done += perTx
	}
}

func benchYear(b *testing.B, n int) {
	store, _, _ := setup(b)
	fillOutcomes(b, store, n)
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	for b.Loop() {
		rep, err := stats.Compute(ctx, store, "demo", "2025-01-01", "2025-12-31", stats.ByService, now)
		if err != nil || rep.Total.Issued != n {
			b.Fatalf("%v, %d issued", err, rep.Total.Issued)
		}
	}
}

// BenchmarkYear150k is a busy office's year (150,000 tickets).
func BenchmarkYear150k(b *testing.B) { benchYear(b, 150_000) }

// BenchmarkYear3M is the whole network's year (3 million tickets).
func BenchmarkYear3M(b *testing.B) { benchYear(b, 3_000_000) }

// TestCountingAndSortingAgree checks the two ways percentiles are taken.
func TestCountingAndSortingAgree(t *testing.T) {
	for _, n := range []int{1, 2, 3, 10, 99, 100, 70_000, 100_001} {
		v := make([]int32, n)
		for i := range v {
			v[i] = int32((i * 7919) % 3600)
		}
		sorted := append([]int32(nil), v...)
		slices.Sort(sorted)
		want := stats.Summary{Count: n, Median: float64(sorted[max((50*n+99)/100-1, 0)]), P90: float64(sorted[max((90*n+99)/100-1, 0)])}
		got := stats.SummariseForTest(v)
		if got.Median != want.Median || got.P90 != want.P90 || got.Count != n {
			t.Errorf("n=%d: got %+v, want median %v p90 %v", n, got, want.Median, want.P90)
		}
	}
}

// TestWithinTargetCountsWhoWaitsAndWhoLeft plays the day the first-run
// report saw say "100 % within target" beside a ticket waiting for 2.5 h: a
// ticket called in time is a hit; one still waiting past its target, and
// one that left after waiting past it, are misses; one that left early, or
// waits still within its target, is not judged either way.
func TestWithinTargetCountsWhoWaitsAndWhoLeft(t *testing.T) {
	store, e, c := setup(t)
	at := func(hm string) { c.at("2026-11-27T" + hm + ":00+02:00") }
	issue := func(hm, svc string) engine.TicketInfo {
		at(hm)
		return must(e.Issue(ctx, "demo", engine.IssueRequest{Service: svc}))
	}
	issue("09:00", "certificates") // A001: called at 09:01, a hit
	at("09:00")
	must(e.OpenCounter(ctx, "demo", "1", "maria"))
	at("09:01")
	must(e.CallNext(ctx, "demo", "1", "maria"))
	issue("09:02", "applications")       // C001: never called
	a2 := issue("09:02", "certificates") // A002: leaves after 23 min, a miss
	a3 := issue("09:03", "certificates") // A003: leaves after 2 min, not judged
	at("09:05")
	must(e.Cancel(ctx, a3.Ticket.Token))
	at("09:25")
	must(e.Cancel(ctx, a2.Ticket.Token))

	within := func(now, key string) *float64 {
		t.Helper()
		at(now)
		rep := must(stats.Compute(ctx, store, "demo", "2026-11-27", "2026-11-27", stats.ByService, c.now()))
		if key == "total" {
			return rep.Total.WithinTarget
		}
		return row(t, rep, key).WithinTarget
	}
	// At 09:20 C001 has waited 18 minutes of its 20: not judged yet.
	if w := within("09:20", "applications"); w != nil {
		t.Errorf("applications at 09:20: within target %v, want none judged", *w)
	}
	// At 11:32 it has waited 2.5 h: a miss.
	if w := within("11:32", "applications"); w == nil || *w != 0 {
		t.Errorf("applications at 11:32: within target %v, want 0", w)
	}
	if w := within("11:32", "certificates"); w == nil || *w != 0.5 {
		t.Errorf("certificates: within target %v, want 1 of 2 (A001 in time, A002 gone after 23 min)", w)
	}
	if w := within("11:32", "total"); w == nil || *w != 1.0/3 {
		t.Errorf("total: within target %v, want 1 of 3", w)
	}
}

// TestAppointmentsBySource plays a morning with appointments: one on
// time, one called 25 min after its slot, one checked in and left, one
// never come; and two walk-ins.
func TestAppointmentsBySource(t *testing.T) {
	store, e, c := setup(t)
	c.at("2026-11-27T08:00:00+02:00")
	book := func(hhmm string) queue.Appointment {
		start := must(time.Parse(time.RFC3339, "2026-11-27T"+hhmm+":00+02:00"))
		return must(e.Book(ctx, demo.BranchID, engine.BookRequest{Service: "certificates", Start: start})).Appointment
	}
	checkin := func(a queue.Appointment) {
		must(e.Checkin(ctx, demo.BranchID, engine.CheckinRequest{Code: a.Code}))
	}
	onTime, late, left, never := book("09:00"), book("09:15"), book("09:30"), book("09:45")
	_ = never
	must(e.OpenCounter(ctx, demo.BranchID, "1", "maria"))
	c.at("2026-11-27T08:50:00+02:00")
	checkin(onTime)
	checkin(late)
	// From home at 08:50, just before the walk-in: its own row.
	home := must(e.IssueRemote(ctx, demo.BranchID, engine.RemoteRequest{Service: "certificates"})).Ticket
	must(e.Issue(ctx, demo.BranchID, engine.IssueRequest{Service: "certificates"})) // walk-in, 08:50
	c.at("2026-11-27T09:05:00+02:00")
	if tk := must(e.CallNext(ctx, demo.BranchID, "1", "maria")).Ticket; tk.Appointment == nil || tk.Appointment.Code != onTime.Code {
		t.Fatalf("called %+v, want the 09:00 appointment", tk)
	}
	c.at("2026-11-27T09:25:00+02:00")
	checkin(left)
	c.at("2026-11-27T09:40:00+02:00")
	if tk := must(e.CallNext(ctx, demo.BranchID, "1", "maria")).Ticket; tk.Appointment == nil || tk.Appointment.Code != late.Code {
		t.Fatalf("called %+v, want the 09:15 appointment", tk)
	}
	must(e.CallNext(ctx, demo.BranchID, "1", "maria")) // the 09:30, due; the walk-in waits on
	must(e.NoShow(ctx, demo.BranchID, "1", "maria"))
	// The ticket from home is ahead of the walk-in.
	if tk := must(e.CallNext(ctx, demo.BranchID, "1", "maria")).Ticket; tk.ID != home.ID {
		t.Fatalf("called %+v, want the ticket from home", tk)
	}
	c.at("2026-11-27T09:50:00+02:00")
	must(e.Done(ctx, demo.BranchID, "1", "maria"))
	// The next day: the 09:45 never came, the walk-in expired.
	c.at("2026-11-28T08:00:00+02:00")
	must(e.Issue(ctx, demo.BranchID, engine.IssueRequest{Service: "signatures"}))

	rep := must(stats.Compute(ctx, store, demo.BranchID, "2026-11-27", "2026-11-27", stats.BySource, c.now()))
	appt, walk, remote := row(t, rep, "appointment"), row(t, rep, "walk_in"), row(t, rep, "remote")
	// Taken at 08:50, called at 09:40: 50 minutes.
	if remote.Issued != 1 || remote.Served != 1 || remote.WaitS.Count != 1 || remote.WaitS.Median != 50*60 {
		t.Fatalf("from home: %+v", remote)
	}
	if appt.Issued != 3 || appt.Appointments != 3 || appt.Served != 2 || appt.NoShow != 1 || appt.ApptNoShow != 1 {
		t.Fatalf("appointments: %+v", appt)
	}
	// Waits from the slot: 5, 25 and 10 minutes; called within 10 min: 2 of 3.
	if appt.WaitS.Count != 3 || appt.WaitS.Median != 600 || appt.OnTime == nil || *appt.OnTime != 2.0/3 {
		t.Fatalf("appointment waits %+v, on time %v", appt.WaitS, appt.OnTime)
	}
	if walk.Issued != 1 || walk.Appointments != 0 || walk.OnTime != nil || walk.Expired != 1 {
		t.Fatalf("walk-ins: %+v", walk)
	}
	if rep.Total.Issued != 5 || rep.Total.ApptNoShow != 1 {
		t.Fatalf("total %+v", rep.Total)
	}
	svc := must(stats.Compute(ctx, store, demo.BranchID, "2026-11-27", "2026-11-27", stats.ByService, c.now()))
	if r := row(t, svc, "certificates"); r.ApptNoShow != 1 || r.Appointments != 3 {
		t.Fatalf("by service: %+v", r)
	}
	raw := must(rep.CSV())
	recs := must(csv.NewReader(bytes.NewReader(bytes.TrimPrefix(raw, []byte("\ufeff")))).ReadAll())
	if h := recs[0]; h[len(h)-3] != "appointments" || h[len(h)-2] != "on_time" || h[len(h)-1] != "appointment_no_show" {
		t.Fatalf("CSV header %v", h)
	}
}
