package engine

import (
	"context"
	"crypto/rand"
	"sync/atomic"
	"testing"
	"time"

	"github.com/seira-queue/seira/demo"
	"github.com/seira-queue/seira/queue"
	"github.com/seira-queue/seira/storage"
)

var services3 = [3]string{"certificates", "signatures", "applications"}

// BenchmarkIssue measures durable issues (each fsynced before it returns)
// from one caller.
func BenchmarkIssue(b *testing.B) {
	f := newBenchFixture(b)
	i := 0
	for b.Loop() {
		if _, err := f.e.Issue(ctx, demo.BranchID, IssueRequest{Service: services3[i%3]}); err != nil {
			b.Fatal(err)
		}
		i++
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "issues/s")
}

// BenchmarkIssueParallel64 measures durable issues from 64 concurrent
// callers, whose writes share commits.
func BenchmarkIssueParallel64(b *testing.B) { benchIssueParallel64(b, false) }

// BenchmarkIssueParallel64Idempotent is BenchmarkIssueParallel64 with a
// fresh idempotency key on every issue, as the kiosk sends: the random keys
// land on random pages of the idempotency bucket, so each commit writes more.
func BenchmarkIssueParallel64Idempotent(b *testing.B) { benchIssueParallel64(b, true) }

func benchIssueParallel64(b *testing.B, idempotent bool) {
	f := newBenchFixture(b)
	var n atomic.Int64
	procs := testingProcs()
	b.SetParallelism((64 + procs - 1) / procs)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req := IssueRequest{Service: services3[n.Add(1)%3]}
			if idempotent {
				req.IdempotencyKey = rand.Text()
			}
			if _, err := f.e.Issue(ctx, demo.BranchID, req); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "issues/s")
}

// BenchmarkCallNext100k measures call-next (pick, state change, durable
// commit) with 100,000 tickets waiting; a refill outside the timer keeps the
// queue at that length.
func BenchmarkCallNext100k(b *testing.B) {
	f := newBenchFixture(b)
	fill(b, f, 100_000)
	f.open(b, "1")
	for b.Loop() {
		b.StopTimer()
		if _, err := f.e.Issue(ctx, demo.BranchID, IssueRequest{Service: "certificates"}); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		res, err := f.e.CallNext(ctx, demo.BranchID, "1", "clerk1")
		if err != nil || res.Ticket.ID == 0 {
			b.Fatal(res, err)
		}
	}
}

// BenchmarkPick100k measures the policy's read side alone: the heads of the
// waiting lists and the pick, with 100,000 waiting.
func BenchmarkPick100k(b *testing.B) {
	f := newBenchFixture(b)
	fill(b, f, 100_000)
	c := queue.Counter{ID: "1", Serves: []string{"certificates", "signatures"}, Status: queue.CounterOpen}
	for b.Loop() {
		_ = f.store.View(ctx, func(tx *storage.Tx) error {
			br, _ := tx.Branch(demo.BranchID)
			if _, _, ok := queue.Pick(c, 3, br.Heads(c.Serves, 0)); !ok {
				b.Fatal("nobody waiting")
			}
			return nil
		})
	}
}

// fill issues n tickets quickly from many goroutines.
func fill(b *testing.B, f *fixture, n int) {
	b.Helper()
	var next atomic.Int64
	done := make(chan error, 64)
	for range 64 {
		go func() {
			for {
				i := next.Add(1)
				if i > int64(n) {
					done <- nil
					return
				}
				prio := ""
				if i%10 == 0 {
					prio = "senior"
				}
				if _, err := f.e.Issue(context.Background(), demo.BranchID, IssueRequest{Service: services3[i%3], Priority: prio}); err != nil {
					done <- err
					return
				}
			}
		}()
	}
	for range 64 {
		if err := <-done; err != nil {
			b.Fatal(err)
		}
	}
}

// newBenchFixture is newFixture whose events go nowhere: a recorder that
// keeps hundreds of thousands of them would measure itself.
func newBenchFixture(b *testing.B) *fixture {
	f := newFixture(b)
	f.e.pub = nopPublisher{}
	return f
}

// BenchmarkIssueForecast measures durable issues into a queue kept at the
// most that the sampled forecast plays (playsBudget), with the four
// counters busy and the service times learned with their spread: the
// dearest estimate of an issue. A cancel outside the timer keeps the queue
// at that length.
func BenchmarkIssueForecast(b *testing.B) {
	f := newBenchFixture(b)
	f.open(b, "1", "2", "3", "4")
	for i := range 40 { // service times with spread
		f.issue(b, services3[i%3], "")
		f.next(b, string(rune('1'+i%4)))
		f.clock.Add(time.Duration(30+i%7*40) * time.Second)
	}
	for _, c := range []string{"1", "2", "3", "4"} {
		f.issue(b, "signatures", "")
		f.next(b, c)
	}
	waiting := func() int {
		n := 0
		_ = f.store.View(ctx, func(tx *storage.Tx) error {
			br, _ := tx.Branch(demo.BranchID)
			for _, svc := range services3 {
				pri, reg := br.WaitingCount(svc)
				n += pri + reg
			}
			return nil
		})
		return n
	}
	for i := 0; waiting() < playsBudget/forecastPlays-1; i++ {
		f.issue(b, services3[i%3], "")
	}
	i := 0
	for b.Loop() {
		info, err := f.e.Issue(ctx, demo.BranchID, IssueRequest{Service: services3[i%3]})
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if _, err := f.e.Cancel(ctx, info.Ticket.Token); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		i++
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "issues/s")
}
