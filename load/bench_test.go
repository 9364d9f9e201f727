package load

import (
	"log/slog"
	"os"
	"strconv"
	"testing"

	"github.com/seira-queue/seira/app/apptest"
)

// BenchmarkBigBranchBroadcast measures, in one process with an in-process
// server, a call's fan-out to the subscribers of one big branch (10,000,
// or SEIRA_LOAD_BENCH_SUBS): each iteration is one latency sample (a
// recall, every tenth a next) until the last subscriber has the event. It
// is there to be profiled:
//
//	go test -run '^$' -bench BigBranch -benchtime 200x -cpuprofile cpu.out ./load
//
// Both ends of every connection are in this process, so it needs two
// open files per subscriber and skips when the limit is lower.
func BenchmarkBigBranchBroadcast(b *testing.B) {
	n := 10_000
	if v := os.Getenv("SEIRA_LOAD_BENCH_SUBS"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 1 {
			b.Fatalf("SEIRA_LOAD_BENCH_SUBS=%q: want a positive number", v)
		}
	}
	nf, err := raiseNoFile()
	if err != nil {
		b.Fatal(err)
	}
	if need := uint64(2*n + 200); nf.Soft < need {
		b.Skipf("%d subscribers in one process need %d open files; the limit is %d (raise it with ulimit -n)", n, need, nf.Soft)
	}
	env := apptest.Start(b)
	opts := DefaultOptions()
	opts.URL, opts.Password = env.URL, apptest.AdminPassword
	opts.Branches, opts.Office, opts.BigBranch, opts.Samples = 1, 0, n, 10
	if err := opts.check(); err != nil {
		b.Fatal(err)
	}
	u, err := CheckURL(opts.URL, false)
	if err != nil {
		b.Fatal(err)
	}
	r := newRunner(opts, u, u, slog.New(slog.DiscardHandler))
	defer r.api.Close()
	defer r.closeSubs()
	ctx := b.Context()
	if err := r.api.Login(ctx, opts.User, opts.Password); err != nil {
		b.Fatal(err)
	}
	if err := r.setup(ctx); err != nil {
		b.Fatal(err)
	}
	r.connect(ctx)
	r.awaitReady(ctx)
	t := r.latency[0]
	if got := t.probe.alive.Load(); got != int64(n) {
		b.Fatalf("%d of %d subscribers connected: %v", got, n, r.errs.list())
	}
	i := 0
	for b.Loop() {
		r.sampleOnce(ctx, t, i)
		i++
	}
	b.StopTimer()
	s := Summarise(t.lat)
	b.ReportMetric(s.P50MS, "p50-ms")
	b.ReportMetric(s.P99MS, "p99-ms")
	b.ReportMetric(s.MaxMS, "max-ms")
	if t.incomplete+t.failed > 0 {
		b.Errorf("%d incomplete and %d failed samples", t.incomplete, t.failed)
	}
}
