package load

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"text/tabwriter"
	"time"
)

// WaitsOptions set up the open-data run (seira load -waits): Conns
// keep-alive connections send GET /api/v1/waits back to back for
// Duration, as a crowd of phones and web sites would.
type WaitsOptions struct {
	URL         string
	AllowRemote bool
	Conns       int
	Duration    time.Duration
	Logger      *slog.Logger
}

// WaitsResult is what the run measured.
type WaitsResult struct {
	Conns     int           `json:"conns"`
	Elapsed   time.Duration `json:"elapsed_ns"`
	Requests  int64         `json:"requests"`
	PerSecond float64       `json:"per_second"`
	Bytes     int64         `json:"bytes"`
	Latency   Summary       `json:"latency"`
	// Errors are the requests that failed, by kind ("status 503",
	// "transport").
	Errors map[string]int64 `json:"errors"`
	// Builds is how many times the server built the answer during the
	// run (seira_waits_builds_total), each one read of the store; -1 when
	// the server does not say.
	Builds float64 `json:"builds"`
}

// waitsRecorded bounds the latencies kept (the counts stay exact).
const waitsRecorded = 5_000_000

// RunWaits runs the open-data load.
func RunWaits(ctx context.Context, o WaitsOptions) (WaitsResult, error) {
	res := WaitsResult{Conns: o.Conns, Errors: map[string]int64{}, Builds: -1}
	u, err := CheckURL(o.URL, o.AllowRemote)
	if err != nil {
		return res, err
	}
	if o.Conns < 1 || o.Conns > maxConc {
		return res, fmt.Errorf("conns %d: want 1 to %d", o.Conns, maxConc)
	}
	if o.Duration <= 0 || o.Duration > maxDuration {
		return res, fmt.Errorf("duration %v: want more than 0, at most %v", o.Duration, maxDuration)
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	base := u.Scheme + "://" + u.Host
	tr := &http.Transport{MaxIdleConns: o.Conns, MaxIdleConnsPerHost: o.Conns, MaxConnsPerHost: o.Conns, IdleConnTimeout: time.Minute}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second}

	before, beforeOK := waitsBuilds(ctx, client, base)
	o.Logger.Info("GET /api/v1/waits", "conns", o.Conns, "duration", o.Duration)
	window, cancel := context.WithTimeout(ctx, o.Duration)
	defer cancel()
	var (
		n, bytes atomic.Int64
		mu       sync.Mutex
		lat      = make([]time.Duration, 0, 1<<16)
		wg       sync.WaitGroup
	)
	fail := func(kind string) {
		mu.Lock()
		res.Errors[kind]++
		mu.Unlock()
	}
	start := time.Now()
	for range o.Conns {
		wg.Go(func() {
			mine := make([]time.Duration, 0, 1<<12)
			for window.Err() == nil {
				t0 := time.Now()
				req, _ := http.NewRequestWithContext(window, http.MethodGet, base+"/api/v1/waits", nil)
				resp, err := client.Do(req)
				if err != nil {
					if window.Err() == nil {
						fail("transport")
					}
					continue
				}
				k, err := io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if err != nil {
					if window.Err() == nil {
						fail("transport")
					}
					continue
				}
				if resp.StatusCode != http.StatusOK {
					fail(fmt.Sprintf("status %d", resp.StatusCode))
					continue
				}
				n.Add(1)
				bytes.Add(k)
				mine = append(mine, time.Since(t0))
			}
			mu.Lock()
			if room := waitsRecorded - len(lat); room > 0 {
				lat = append(lat, mine[:min(room, len(mine))]...)
			}
			mu.Unlock()
		})
	}
	wg.Wait()
	res.Elapsed = time.Since(start)
	res.Requests, res.Bytes = n.Load(), bytes.Load()
	res.PerSecond = PerSecond(res.Requests, res.Elapsed)
	res.Latency = Summarise(lat)
	if after, ok := waitsBuilds(ctx, client, base); ok && beforeOK {
		res.Builds = after - before
	}
	return res, nil
}

// waitsBuilds reads seira_waits_builds_total from /metrics.
func waitsBuilds(ctx context.Context, client *http.Client, base string) (float64, bool) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/metrics", nil)
	if err != nil {
		return 0, false
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, false
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, false
	}
	samples, err := parseProm(resp.Body)
	if err != nil {
		return 0, false
	}
	return promSum(samples, "seira_waits_builds_total", nil)
}

// WriteWaits writes the result as a table.
func WriteWaits(w io.Writer, r WaitsResult) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "GET /api/v1/waits\t%d in %.1f s = %.0f/s over %d connections\n", r.Requests, r.Elapsed.Seconds(), r.PerSecond, r.Conns)
	fmt.Fprintf(tw, "latency\tp50 %.2f ms, p99 %.2f ms, max %.2f ms\n", r.Latency.P50MS, r.Latency.P99MS, r.Latency.MaxMS)
	fmt.Fprintf(tw, "bytes\t%d (%.0f per answer)\n", r.Bytes, Ratio(float64(r.Bytes), float64(r.Requests)))
	var errs int64
	for _, k := range r.Errors {
		errs += k
	}
	fmt.Fprintf(tw, "errors\t%d %v\n", errs, r.Errors)
	if r.Builds >= 0 {
		fmt.Fprintf(tw, "builds (store reads)\t%.0f during the run (seira_waits_builds_total)\n", r.Builds)
	} else {
		fmt.Fprintf(tw, "builds (store reads)\tunknown: the server's /metrics has no seira_waits_builds_total\n")
	}
	return tw.Flush()
}
