package app_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/seira-queue/seira/app"
	"github.com/seira-queue/seira/demo"
	"github.com/seira-queue/seira/engine"
	"github.com/seira-queue/seira/queue"
	"github.com/seira-queue/seira/storage"
)

// fillStore makes a data directory whose store holds n tickets of the demo
// office over many days, most of them served, as years of use leave it.
// SEIRA_COLDSTART_DIR keeps it between runs.
func fillStore(b *testing.B, n int) string {
	b.Helper()
	dir := os.Getenv("SEIRA_COLDSTART_DIR")
	if dir == "" {
		dir = b.TempDir()
	}
	path := filepath.Join(dir, "seira.db")
	if _, err := os.Stat(path); err == nil {
		return dir
	}
	a, err := app.Open(app.Config{Data: dir, BcryptCost: 4})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := a.SetUp(context.Background(), "cold-start-pw"); err != nil {
		b.Fatal(err)
	}
	a.Close()
	// Fill through the engine with a clock that moves a day every 600
	// tickets, so the store looks like years of use.
	store, err := storage.Open(path, storage.Options{})
	if err != nil {
		b.Fatal(err)
	}
	var issued atomic.Int64
	clock := func() time.Time {
		i := issued.Load()
		return time.Date(2022, 1, 3, 8, 0, 0, 0, time.UTC).Add(time.Duration(i/600)*24*time.Hour + time.Duration(i%600)*30*time.Second)
	}
	e := engine.New(store, engine.Options{Now: clock})
	ctx := context.Background()
	for _, c := range []string{"1", "2", "3", "4"} {
		if _, err := e.OpenCounter(ctx, demo.BranchID, c, "clerk"+c); err != nil {
			b.Fatal(err)
		}
	}
	svcs := []string{"certificates", "signatures", "applications"}
	var wg sync.WaitGroup
	for w := range 64 {
		wg.Go(func() {
			for {
				i := issued.Add(1)
				if i > int64(n) {
					return
				}
				if _, err := e.Issue(ctx, demo.BranchID, engine.IssueRequest{Service: svcs[i%3]}); err != nil {
					b.Error(err)
					return
				}
				if w < 4 { // four clerks keep calling
					e.CallNext(ctx, demo.BranchID, strconv.Itoa(w+1), "clerk")
				}
			}
		})
	}
	wg.Wait()
	store.Close()
	return dir
}

// BenchmarkColdStart1M measures how long seira takes, with a million
// tickets on file, from opening its store to answering /readyz, and how
// much heap it holds then: neither should grow with the history.
func BenchmarkColdStart1M(b *testing.B) {
	n := 1_000_000
	if s := os.Getenv("SEIRA_COLDSTART_TICKETS"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	dir := fillStore(b, n)
	info, _ := os.Stat(filepath.Join(dir, "seira.db"))
	b.Logf("store: %d tickets, %d MB", n, info.Size()>>20)
	var heap uint64
	for b.Loop() {
		start := time.Now()
		a, err := app.Open(app.Config{Data: dir, BcryptCost: 4})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := a.SetUp(context.Background(), ""); err != nil {
			b.Fatal(err)
		}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			b.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- a.Serve(ctx, ln) }()
		for {
			resp, err := http.Get(fmt.Sprintf("http://%s/readyz", ln.Addr()))
			if err == nil {
				resp.Body.Close()
				if resp.StatusCode == 200 {
					break
				}
			}
			time.Sleep(time.Millisecond)
		}
		b.ReportMetric(float64(time.Since(start).Microseconds())/1000, "ms-to-ready")
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		heap = ms.HeapInuse
		cancel()
		if err := <-done; err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(heap>>20), "MB-heap")
	_ = queue.DefaultTimeZone
}
