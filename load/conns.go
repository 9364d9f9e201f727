package load

import (
	"context"
	"errors"
	"time"

	"github.com/gorilla/websocket"
)

// specs lists the subscribers to open: the latency branches' first, then
// displays spread over the traffic branches, then one phone per ticket.
func (r *runner) specs() []subSpec {
	var out []subSpec
	for _, t := range r.latency {
		n := r.opts.Office
		if t.kind == KindBig {
			n = r.opts.BigBranch
		}
		for range n {
			out = append(out, subSpec{kind: t.kind, branch: t.branch, probe: t.probe})
		}
	}
	displays := r.opts.Subs - len(r.phones)
	for i := range displays {
		out = append(out, subSpec{kind: KindDisplay, branch: r.traffic[i%len(r.traffic)]})
	}
	for _, p := range r.phones {
		out = append(out, subSpec{kind: KindPhone, branch: p.branch, token: p.token})
	}
	return out
}

// connect opens every subscriber, DialConc at a time, and starts its
// reader. Failures are tallied by kind; the run goes on with those that
// connected.
func (r *runner) connect(ctx context.Context) {
	specs := r.specs()
	for _, sp := range specs {
		r.attempted[sp.kind]++
	}
	_ = each(ctx, specs, r.opts.DialConc, func(ctx context.Context, sp subSpec) error {
		ws, err := dial(ctx, r.dialer, r.wsBase, sp)
		if err != nil {
			var de *dialError
			if errors.As(err, &de) && ctx.Err() == nil {
				r.errs.add(de.tallyKind())
				r.log.Debug("dial", "err", err)
			}
			return nil
		}
		s := &sub{kind: sp.kind, branch: sp.branch, ws: ws, probe: sp.probe}
		r.subsMu.Lock()
		closing := r.closing.Load()
		if !closing {
			r.subs = append(r.subs, s)
			r.readers.Go(func() { s.read(&r.closing, r.errs, &r.slow1013) })
		}
		r.subsMu.Unlock()
		if closing {
			ws.Close()
		}
		return nil
	})
}

// liveSubs returns the subscribers, for reading their atomics.
func (r *runner) liveSubs() []*sub {
	r.subsMu.Lock()
	defer r.subsMu.Unlock()
	return append([]*sub(nil), r.subs...)
}

// awaitReady waits until every subscriber has its snapshot or has ended.
func (r *runner) awaitReady(ctx context.Context) {
	deadline := time.Now().Add(readyTimeout)
	subs := r.liveSubs()
	for time.Now().Before(deadline) && ctx.Err() == nil {
		waiting := 0
		for _, s := range subs {
			if !s.ready.Load() && !s.dead.Load() {
				waiting++
			}
		}
		if waiting == 0 {
			return
		}
		_ = sleep(ctx, 50*time.Millisecond)
	}
	r.log.Warn("some subscribers never got their snapshot")
}

// DrainResult is how the end of the run went for the branch subscribers:
// each waits until it has the branch's last event.
type DrainResult struct {
	Seconds float64 `json:"seconds"`
	// Behind is how many live branch subscribers still lacked events when
	// the wait ended.
	Behind int `json:"behind"`
}

// drain waits until every live branch subscriber has received its
// branch's last event, so that counts compare with the server's log.
func (r *runner) drain(ctx context.Context) DrainResult {
	start := time.Now()
	subs := r.liveSubs()
	branches := map[string]bool{}
	for _, s := range subs {
		if s.kind.branchChannel() {
			branches[s.branch] = true
		}
	}
	names := make([]string, 0, len(branches))
	for b := range branches {
		names = append(names, b)
	}
	last := make(map[string]uint64, len(names))
	type res struct {
		b   string
		seq uint64
	}
	results := make(chan res, len(names))
	if err := each(ctx, names, setupConc, func(ctx context.Context, b string) error {
		seq, err := r.seqOf(ctx, b)
		results <- res{b, seq}
		return err
	}); err != nil {
		r.log.Warn("drain: read the branches' state", "err", err)
	}
	close(results)
	for x := range results {
		last[x.b] = x.seq
	}
	deadline := time.Now().Add(drainTimeout)
	behind := 0
	for {
		behind = 0
		for _, s := range subs {
			if s.kind.branchChannel() && !s.dead.Load() && s.lastSeq.Load() < last[s.branch] {
				behind++
			}
		}
		if behind == 0 || time.Now().After(deadline) || ctx.Err() != nil {
			break
		}
		_ = sleep(ctx, 20*time.Millisecond)
	}
	return DrainResult{Seconds: time.Since(start).Seconds(), Behind: behind}
}

// closeSubs says goodbye on every connection and waits for the readers.
// It is safe to call twice.
func (r *runner) closeSubs() {
	r.subsMu.Lock()
	r.closing.Store(true)
	subs := r.subs
	r.subsMu.Unlock()
	msg := websocket.FormatCloseMessage(websocket.CloseNormalClosure, "load run over")
	// One deadline for all: a peer that does not read cannot hold the
	// goodbye up for more than a moment in all.
	deadline := time.Now().Add(2 * time.Second)
	for _, s := range subs {
		_ = s.ws.WriteControl(websocket.CloseMessage, msg, deadline)
		s.ws.Close()
	}
	r.readers.Wait()
}
