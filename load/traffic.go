package load

import (
	"context"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"
)

// trafficWindow runs the kiosks, the counters and the latency probes for
// the window. Requests are not cut at its end: sends stop, answers are
// awaited.
func (r *runner) trafficWindow(ctx context.Context, rep *Report) {
	start := time.Now()
	end := start.Add(r.opts.Duration)
	window, cancel := context.WithDeadline(ctx, end)
	defer cancel()
	var wg sync.WaitGroup
	var issueElapsed time.Duration
	wg.Go(func() {
		if r.opts.IssueConc > 0 {
			r.closedLoop(ctx, window)
		} else {
			r.openLoop(ctx, window, start)
		}
		issueElapsed = time.Since(start)
	})
	wg.Go(func() { r.counters(ctx, window) })
	wg.Go(func() { r.probeLoop(ctx, end) })
	wg.Wait()
	rep.Issue.Seconds = issueElapsed.Seconds()
	rep.Issue.Issued = r.issuedTraffic.Load()
	rep.Issue.PerSecond = PerSecond(rep.Issue.Issued, issueElapsed)
}

// issueTraffic issues the i-th ticket of the window: branches in turn,
// and services in turn within each branch.
func (r *runner) issueTraffic(ctx context.Context, bodies map[string][]byte, i int64) {
	b := r.traffic[i%int64(len(r.traffic))]
	ids := serviceIDs()
	svc := ids[(i/int64(len(r.traffic)))%int64(len(ids))]
	t := time.Now()
	if _, created := r.issue(ctx, b, bodies[svc], false); created {
		r.issuedTraffic.Add(1)
		r.issueLat.add(time.Since(t))
	}
}

// openLoop sends at IssueRate on a fixed schedule whatever the answers:
// a slow server shows as latency and skipped sends, never as a slower
// schedule (which would hide it).
func (r *runner) openLoop(ctx, window context.Context, start time.Time) {
	if r.opts.IssueRate <= 0 {
		<-window.Done()
		return
	}
	bodies := issueBodies()
	interval := float64(time.Second) / r.opts.IssueRate
	sem := make(chan struct{}, r.opts.MaxInflight)
	var inflight sync.WaitGroup
	timer := time.NewTimer(0)
	defer timer.Stop()
	<-timer.C
	for i := int64(0); ; i++ {
		at := start.Add(time.Duration(float64(i) * interval))
		if d := time.Until(at); d > 0 {
			timer.Reset(d)
			select {
			case <-timer.C:
			case <-window.Done():
			}
		}
		if window.Err() != nil {
			break
		}
		select {
		case sem <- struct{}{}:
			inflight.Go(func() {
				defer func() { <-sem }()
				r.issueTraffic(ctx, bodies, i)
			})
		default:
			r.skipped.Add(1)
		}
	}
	inflight.Wait()
}

// closedLoop issues with IssueConc workers, each sending its next ticket
// as soon as the last is acknowledged: the most the server durably takes.
func (r *runner) closedLoop(ctx, window context.Context) {
	bodies := issueBodies()
	var next atomic.Int64
	var wg sync.WaitGroup
	for range r.opts.IssueConc {
		wg.Go(func() {
			for window.Err() == nil {
				r.issueTraffic(ctx, bodies, next.Add(1)-1)
			}
		})
	}
	wg.Wait()
}

// counters has clerks call next, counter after counter across the
// traffic branches, a little faster than tickets arrive plus enough to
// work the backlog (the phones' tickets) off in about ten seconds, so
// that queues stay bounded. The rate follows what was issued in the last
// moments; a counter with nobody waiting answers 204 and costs a request.
func (r *runner) counters(ctx, window context.Context) {
	type ref struct{ path string }
	var refs []ref
	for _, c := range counterIDs() {
		for _, b := range r.traffic {
			refs = append(refs, ref{"/api/v1/branches/" + b + "/counters/" + c + "/next"})
		}
	}
	const (
		tick     = 250 * time.Millisecond
		headroom = 1.2
		drainIn  = 10 // seconds to work a backlog off
		maxRate  = 20000
	)
	target := func(issuedPerS float64) rate.Limit {
		backlog := float64(r.issuedTraffic.Load()+int64(len(r.phones))) - float64(r.nextOK.Load())
		return rate.Limit(min(max(1, headroom*issuedPerS+max(0, backlog)/drainIn), maxRate))
	}
	lim := rate.NewLimiter(target(r.opts.IssueRate), r.opts.CounterConc)
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(tick)
		defer t.Stop()
		last, ewma := r.issuedTraffic.Load(), r.opts.IssueRate
		for {
			select {
			case <-window.Done():
				return
			case <-t.C:
				now := r.issuedTraffic.Load()
				ewma = 0.5*ewma + 0.5*float64(now-last)/tick.Seconds()
				last = now
				lim.SetLimit(target(ewma))
			}
		}
	})
	var idx atomic.Int64
	for range r.opts.CounterConc {
		wg.Go(func() {
			for lim.Wait(window) == nil {
				c := refs[(idx.Add(1)-1)%int64(len(refs))]
				st, _ := r.api.Do(ctx, http.MethodPost, c.path, "POST next", nil, nil)
				switch st {
				case http.StatusOK:
					r.nextOK.Add(1)
				case http.StatusNoContent:
					r.nextEmpty.Add(1)
				}
			}
		})
	}
	wg.Wait()
}

// healthz is the baseline: HealthzConc workers send GET /healthz, the
// server's cheapest request, for d, with the subscribers connected but no
// other traffic, so that it does not share the CPU with the issues. It
// runs twice, half before the traffic window and half after, and the two
// halves are summed: a machine whose speed drifts during a run (a shared
// host) then moves both sides of the ratio alike. It returns the answers
// counted and the time taken.
func (r *runner) healthz(ctx context.Context, d time.Duration) (int64, time.Duration) {
	if d <= 0 {
		return 0, 0
	}
	// Its own connections, kept alive, so that it measures the handler
	// and not TCP set-up.
	hc := newAPI(r.base, r.opts.HealthzConc, r.errs, r.log)
	defer hc.Close()
	window, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	var ok atomic.Int64
	start := time.Now()
	var wg sync.WaitGroup
	for range r.opts.HealthzConc {
		wg.Go(func() {
			for window.Err() == nil {
				if st, _ := hc.Do(ctx, http.MethodGet, "/healthz", "GET healthz", nil, nil); st == http.StatusOK {
					ok.Add(1)
				}
			}
		})
	}
	wg.Wait()
	return ok.Load(), time.Since(start)
}
