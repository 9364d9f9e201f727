package load

import (
	"context"
	"net/http"
	"time"
)

// latencyTarget is one latency branch and what its samples found. Only
// the prober goroutine touches it until the report.
type latencyTarget struct {
	name   string
	kind   Kind
	branch string
	probe  *probe

	lastSeq    uint64 // the seq of the last call measured
	lat        []time.Duration
	incomplete int // samples some subscriber never confirmed in time
	failed     int // requests that did not answer 200
	subs       int64
	needNext   bool // the counter has no current ticket to recall
}

// probeLoop takes latency samples on each latency branch in turn, paced
// to spread Samples over the window, and goes on after it until each has
// Samples (within probeOvertime). One sample at a time: a call's fan-out
// never overlaps another's, so each measures one broadcast.
func (r *runner) probeLoop(ctx context.Context, end time.Time) {
	if len(r.latency) == 0 {
		return
	}
	interval := r.opts.Duration / time.Duration(r.opts.Samples)
	hardEnd := end.Add(probeOvertime)
	for i := 0; ctx.Err() == nil; i++ {
		now := time.Now()
		enough := true
		for _, t := range r.latency {
			if len(t.lat)+t.incomplete < r.opts.Samples {
				enough = false
			}
		}
		if enough && !now.Before(end) || now.After(hardEnd) {
			return
		}
		for _, t := range r.latency {
			r.sampleOnce(ctx, t, i)
		}
		if now.Before(end) {
			next := now.Add(interval)
			if next.After(end) {
				next = end
			}
			_ = sleep(ctx, time.Until(next))
		}
	}
}

// sampleOnce sends one call on the branch's probe counter and waits until
// every subscriber that was live at the start has received it. Every
// tenth call is a next (a new ticket: done and called), the others
// recalls (one event each).
func (r *runner) sampleOnce(ctx context.Context, t *latencyTarget, i int) {
	want := t.probe.alive.Load()
	if want == 0 {
		return
	}
	t.subs = max(t.subs, want)
	action := "recall"
	if i%10 == 0 || t.needNext {
		action = "next"
	}
	s := &sample{min: t.lastSeq + 1, want: want, done: make(chan struct{})}
	t.probe.cur.Store(s)
	defer t.probe.cur.Store(nil)
	start := time.Since(r.t0)
	st, err := r.api.Do(ctx, http.MethodPost, "/api/v1/branches/"+t.branch+"/counters/"+probeCounter+"/"+action,
		"POST "+action+" (latency)", nil, nil)
	switch {
	case st == http.StatusNoContent:
		// Nobody waits (the current ticket is now done): issue more so
		// that the next sample has someone to call.
		t.needNext = true
		if err := r.latencyTickets(ctx, t.branch, 10); err != nil {
			r.log.Warn("latency tickets", "branch", t.branch, "err", err)
		}
		return
	case err != nil || st != http.StatusOK:
		t.failed++
		t.needNext = t.needNext || st == http.StatusConflict
		return
	}
	t.needNext = false
	timer := time.NewTimer(sampleTimeout)
	defer timer.Stop()
	select {
	case <-s.done:
		t.lat = append(t.lat, time.Duration(s.last.Load())-start)
	case <-timer.C:
		t.incomplete++
	case <-ctx.Done():
		return
	}
	if seq := s.seq.Load(); seq != 0 {
		t.lastSeq = seq
	}
}
