package display_test

import (
	"bytes"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/seira-queue/seira/app/apptest"
)

// BenchmarkBroadcast200 measures, for an office's 200 live subscribers
// (displays, consoles, phones following the branch), the time from sending
// a counter action to the last subscriber receiving its event: the HTTP
// request, the durable commit and the fan-out. It reports the median and
// the 99th percentile.
func BenchmarkBroadcast200(b *testing.B) { benchBroadcast(b, 200) }

func benchBroadcast(b *testing.B, subscribers int) {
	env := apptest.Start(b)
	admin := env.Admin()
	admin.Call("POST", "/api/v1/branches/demo/tickets", map[string]string{"service": "certificates"}, nil)
	admin.Call("POST", "/api/v1/branches/demo/counters/1/open", nil, nil)
	if st := admin.Call("POST", "/api/v1/branches/demo/counters/1/next", nil, nil); st != 200 {
		b.Fatalf("next: %d", st)
	}
	// Each subscriber reports the arrival time of every event by seq.
	type arrival struct {
		seq uint64
		at  time.Time
	}
	arrivals := make(chan arrival, subscribers*64)
	var wg sync.WaitGroup
	for range subscribers {
		ws, err := env.Dial("/api/v1/branches/demo/live", nil)
		if err != nil {
			b.Fatal(err)
		}
		defer ws.Close()
		wg.Go(func() {
			for {
				_, raw, err := ws.ReadMessage()
				if err != nil {
					return
				}
				now := time.Now()
				// Only the seq matters here; a full decode would make the
				// benchmark's own clients the bottleneck.
				if !bytes.HasPrefix(raw, []byte(`{"type":"snapshot"`)) {
					arrivals <- arrival{seqOf(raw), now}
				}
			}
		})
	}
	deadline := time.Now().Add(10 * time.Second)
	for env.App.Hub.Subscribers("demo") < subscribers && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	var lat []time.Duration
	b.ResetTimer()
	for b.Loop() {
		start := time.Now()
		if st := admin.Call("POST", "/api/v1/branches/demo/counters/1/recall", nil, nil); st != 200 {
			b.Fatalf("recall: %d", st)
		}
		var last time.Time
		for range subscribers {
			a := <-arrivals
			if a.at.After(last) {
				last = a.at
			}
		}
		lat = append(lat, last.Sub(start))
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(lat[len(lat)-1].Microseconds())/1000, "max-ms")
}

func seqOf(raw []byte) uint64 {
	_, rest, ok := bytes.Cut(raw, []byte(`"seq":`))
	if !ok {
		return 0
	}
	end := bytes.IndexAny(rest, ",}")
	n, _ := strconv.ParseUint(string(rest[:max(end, 0)]), 10, 64)
	return n
}
