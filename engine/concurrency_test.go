package engine

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/seira-queue/seira/queue"
	"github.com/seira-queue/seira/storage"
)

// TestConcurrentIssueAndCall has 64 goroutines issuing while 8 counters call
// next: no ticket is called twice, none is lost, and numbers are unique and
// gap-free per service.
func TestConcurrentIssueAndCall(t *testing.T) {
	f := newFixture(t)
	services := []string{"certificates", "signatures", "applications"}
	for i := 5; i <= 8; i++ {
		if err := putCounter(f, queue.Counter{ID: fmt.Sprint(i), Serves: services}); err != nil {
			t.Fatal(err)
		}
	}
	f.open(t, "1", "2", "3", "4", "5", "6", "7", "8")
	const issuers, each = 64, 40
	var issuing sync.WaitGroup
	var issued sync.Map // id → number
	for g := range issuers {
		issuing.Go(func() {
			for i := range each {
				prio := ""
				if (g+i)%9 == 0 {
					prio = "senior"
				}
				info, err := f.e.Issue(ctx, "demo", IssueRequest{Service: services[(g+i)%3], Priority: prio})
				if err != nil {
					t.Error(err)
					return
				}
				issued.Store(info.Ticket.ID, info.Ticket.Number)
			}
		})
	}
	var done atomic.Bool
	var calling sync.WaitGroup
	var mu sync.Mutex
	calledBy := map[uint64]string{}
	for c := 1; c <= 8; c++ {
		calling.Go(func() {
			counter := fmt.Sprint(c)
			for {
				finished := done.Load()
				res, err := f.e.CallNext(ctx, "demo", counter, "clerk"+counter)
				if err != nil {
					t.Error(err)
					return
				}
				if res.Ticket.ID == 0 {
					if finished {
						return
					}
					continue
				}
				mu.Lock()
				if prev, dup := calledBy[res.Ticket.ID]; dup {
					t.Errorf("ticket %s called at counter %s and again at %s", res.Ticket.Number, prev, counter)
				}
				calledBy[res.Ticket.ID] = counter
				mu.Unlock()
			}
		})
	}
	issuing.Wait()
	done.Store(true)
	calling.Wait()

	total := 0
	issued.Range(func(k, v any) bool {
		total++
		if _, ok := calledBy[k.(uint64)]; !ok {
			t.Errorf("ticket %v (%v) was never called", k, v)
		}
		return true
	})
	if total != issuers*each || len(calledBy) != total {
		t.Fatalf("issued %d, called %d, want %d", total, len(calledBy), issuers*each)
	}
	// Numbers: unique and 1..n per service.
	err := f.store.View(ctx, func(tx *storage.Tx) error {
		b, err := tx.Branch("demo")
		if err != nil {
			return err
		}
		seqs := map[string]map[int]bool{}
		err = b.ForEachTicket(0, func(tk queue.Ticket) (bool, error) {
			if seqs[tk.Service] == nil {
				seqs[tk.Service] = map[int]bool{}
			}
			if seqs[tk.Service][tk.Seq] {
				t.Errorf("number %s issued twice", tk.Number)
			}
			seqs[tk.Service][tk.Seq] = true
			if tk.State != queue.StateDone && tk.State != queue.StateCalled {
				t.Errorf("ticket %s ends %s", tk.Number, tk.State)
			}
			return true, nil
		})
		for svc, got := range seqs {
			for i := 1; i <= len(got); i++ {
				if !got[i] {
					t.Errorf("service %s: number %d missing of %d", svc, i, len(got))
				}
			}
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	// The log is gap-free and was published in order.
	for i, ev := range f.pub.all() {
		if ev.Seq != uint64(i+1) {
			t.Fatalf("published event %d has seq %d", i, ev.Seq)
		}
	}
	if err := f.store.Check(); err != nil {
		t.Fatal(err)
	}
}

// TestConcurrentCreatesOfOneID has administrators creating the same service
// and the same counter at once: one of each succeeds, the others are told
// it exists; nobody's create silently replaces another's.
func TestConcurrentCreatesOfOneID(t *testing.T) {
	f := newFixture(t)
	const n = 8
	var svcOK, ctrOK atomic.Int32
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			s := queue.Service{ID: "passports", Prefix: "P", Name: queue.Text{"el": fmt.Sprint("Διαβατήρια ", i), "en": "Passports"}, Open: true}
			switch err := f.e.CreateService(ctx, fmt.Sprint("admin", i), "demo", s); queue.ErrorCode(err) {
			case "":
				svcOK.Add(1)
			case queue.CodeConflict:
			default:
				t.Errorf("create service: %v", err)
			}
		})
		wg.Go(func() {
			c := queue.Counter{ID: "9", Serves: []string{"certificates"}}
			switch _, err := f.e.CreateCounter(ctx, fmt.Sprint("admin", i), "demo", c); queue.ErrorCode(err) {
			case "":
				ctrOK.Add(1)
			case queue.CodeConflict:
			default:
				t.Errorf("create counter: %v", err)
			}
		})
	}
	wg.Wait()
	if svcOK.Load() != 1 || ctrOK.Load() != 1 {
		t.Errorf("%d services and %d counters created, want 1 each", svcOK.Load(), ctrOK.Load())
	}
	_, err := f.e.ReplaceCounter(ctx, "admin", "demo", queue.Counter{ID: "nope", Serves: []string{"certificates"}})
	wantCode(t, err, queue.CodeNotFound)
	wantCode(t, f.e.ReplaceService(ctx, "admin", "demo", queue.Service{ID: "nope", Prefix: "N", Name: queue.Text{"el": "Ν"}}), queue.CodeNotFound)
}
