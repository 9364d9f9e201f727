package engine

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/seira-queue/seira/demo"
	"github.com/seira-queue/seira/queue"
	"github.com/seira-queue/seira/storage"
)

// TestOutcomesMatchTheEventLog plays random days and checks that the
// outcomes the engine stores are exactly those derived from the event log:
// statistics read the former and must mean the latter.
func TestOutcomesMatchTheEventLog(t *testing.T) {
	f := newFixture(t)
	rng := rand.New(rand.NewPCG(7, 11))
	f.open(t, "1", "2", "3", "4")
	services := []string{"certificates", "signatures", "applications"}
	var tokens []string
	for step := range 1500 {
		f.clock.Add(time.Duration(rng.IntN(120)) * time.Second)
		if step%500 == 499 {
			f.clock.Add(24 * time.Hour) // a new day expires the rest
		}
		counter := fmt.Sprint(1 + rng.IntN(4))
		switch r := rng.IntN(10); {
		case r < 4:
			prio := ""
			if rng.IntN(8) == 0 {
				prio = "senior"
			}
			tokens = append(tokens, f.issue(t, services[rng.IntN(3)], prio).Ticket.Token)
		case r < 6:
			f.e.CallNext(ctx, demo.BranchID, counter, "clerk"+counter)
		case r == 6:
			f.e.Start(ctx, demo.BranchID, counter, "clerk"+counter)
		case r == 7:
			f.e.NoShow(ctx, demo.BranchID, counter, "clerk"+counter)
		case r == 8:
			f.e.Transfer(ctx, demo.BranchID, counter, services[rng.IntN(3)], "clerk"+counter)
		default:
			if len(tokens) > 0 {
				f.e.Cancel(ctx, tokens[rng.IntN(len(tokens))])
			}
		}
	}
	stored := map[uint64]queue.Outcome{}
	derived := map[uint64]queue.Outcome{}
	err := f.store.View(ctx, func(tx *storage.Tx) error {
		b, err := tx.Branch(demo.BranchID)
		if err != nil {
			return err
		}
		if err := b.Outcomes("0000", "9999", func(o *queue.Outcome) bool { stored[o.ID] = *o; return true }); err != nil {
			return err
		}
		r := queue.NewReplay(mustLoc(t))
		return b.Events(0, func(ev queue.Event) bool {
			if o, ok := r.Add(ev); ok {
				// Compare at the stored precision: milliseconds, UTC.
				for _, t := range []*time.Time{&o.Issued, &o.FirstCalled, &o.Called, &o.Started, &o.Finished} {
					if !t.IsZero() {
						*t = t.Truncate(time.Millisecond).UTC()
					}
				}
				derived[o.ID] = o
			}
			return true
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(stored) < 300 {
		t.Fatalf("only %d outcomes: the workload is too thin", len(stored))
	}
	states := map[queue.State]int{}
	for id, want := range derived {
		got, ok := stored[id]
		if !ok {
			t.Fatalf("ticket %d has an outcome in the log but none stored", id)
		}
		if fmt.Sprintf("%+v", got) != fmt.Sprintf("%+v", want) {
			t.Fatalf("ticket %d:\nstored  %+v\nderived %+v", id, got, want)
		}
		states[got.State]++
	}
	if len(stored) != len(derived) {
		t.Fatalf("%d stored outcomes, %d derived", len(stored), len(derived))
	}
	for _, s := range []queue.State{queue.StateDone, queue.StateNoShow, queue.StateCancelled, queue.StateExpired} {
		if states[s] == 0 {
			t.Errorf("no ticket ended %s: the workload misses a case", s)
		}
	}
}

func mustLoc(t *testing.T) *time.Location {
	loc, err := time.LoadLocation("Europe/Athens")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}
