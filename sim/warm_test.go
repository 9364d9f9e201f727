package sim

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/seira-queue/seira/app"
	"github.com/seira-queue/seira/queue"
)

// TestRunWarm plays the short day on a server warmed by two earlier days:
// those days went through the engine (issues, priority issues and finished
// tickets, from which it learns), on the two weekdays before, and left
// nothing in the measured day.
func TestRunWarm(t *testing.T) {
	d := shortDay(t)
	const seed, warm = 3, 2
	dir := t.TempDir()
	ctx := context.Background()
	rep, err := Run(ctx, d, Options{Speed: 1200, Seed: seed, Data: dir, Warm: warm, Logger: testLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	var table bytes.Buffer
	if err := rep.WriteTable(&table); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(table.String(), "learned from 2 earlier days") {
		t.Errorf("the table does not say the server started warm:\n%s", table.String())
	}
	plan := Plan(d, seed)
	if rep.Issued != len(plan) || rep.Foreign != 0 || rep.StillWaiting != 0 || rep.ServerErrors() != 0 {
		t.Errorf("issued %d of %d, foreign %d, still waiting %d, server errors %d", rep.Issued, len(plan), rep.Foreign, rep.StillWaiting, rep.ServerErrors())
	}
	wantIssued, wantPrio := 0, 0
	for k := 1; k <= warm; k++ {
		for _, c := range Plan(d, warmSeed(seed, k)) {
			wantIssued++
			if c.Priority {
				wantPrio++
			}
		}
	}

	a, err := app.Open(app.Config{Data: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	events := allEvents(t, ctx, a, d.Branch)
	loc, _ := d.Location()
	today := rep.Opening.In(loc).Format(time.DateOnly)
	days := map[string]bool{}
	issued, prio, finished, measured := 0, 0, 0, 0
	for _, ev := range events {
		day := ev.At.In(loc).Format(time.DateOnly)
		if day == today {
			if ev.Type == queue.EvIssued {
				measured++
			}
			continue
		}
		if day > today {
			t.Fatalf("an event after the measured day: %+v", ev)
		}
		switch ev.Type {
		case queue.EvIssued:
			days[day] = true
			issued++
			if ev.Priority != "" && ev.Priority != queue.PriorityNone {
				prio++
			}
		case queue.EvDone, queue.EvNoShow:
			finished++
		}
	}
	if len(days) != warm || issued != wantIssued || prio != wantPrio || wantPrio == 0 {
		t.Errorf("earlier days %v: %d issued (%d priority); their plans have %d (%d)", days, issued, prio, wantIssued, wantPrio)
	}
	// The short day drains: every ticket of the earlier days was finished,
	// each a service time learned.
	if finished != issued {
		t.Errorf("earlier days: %d tickets finished of %d issued", finished, issued)
	}
	if measured != rep.Issued {
		t.Errorf("the measured day: %d issued by the server, %d by the report", measured, rep.Issued)
	}
}

func TestWarmDays(t *testing.T) {
	d := shortDay(t)
	loc, _ := d.Location()
	monday := time.Date(2026, 12, 7, 9, 0, 0, 0, loc)
	days, err := warmDays(d, monday, 3)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"2026-12-02 09:00", "2026-12-03 09:00", "2026-12-04 09:00"} // Wed, Thu, Fri
	for i, w := range want {
		if got := days[i].Format("2006-01-02 15:04"); got != w {
			t.Errorf("day %d: %s, want %s", i, got, w)
		}
	}
	if _, err := Run(context.Background(), d, Options{Speed: 1200, Warm: MaxWarm + 1}); err == nil {
		t.Error("warm beyond MaxWarm: no error")
	}
	if _, err := Run(context.Background(), d, Options{URL: "http://127.0.0.1:1", Speed: 1200, Warm: 1}); err == nil {
		t.Error("warm with a URL: no error")
	}
}
