package storage

import (
	"context"
	"sync"
	"time"

	"go.etcd.io/etcd/client/v3/concurrency"
)

// electionTTL is how long a leader that stopped answering keeps its role:
// the longest a background job can go without a runner.
const electionTTL = 10 // seconds

// RunElected runs job, which must return when its context ends, on one
// instance of the store at a time. On bbolt there is one instance: job just
// runs. On etcd the instances campaign in an election named name (etcd's
// concurrency.Election, on a lease); the winner runs job until ctx ends or
// it loses its lease, and another takes over. RunElected returns when ctx
// ends.
func (s *Store) RunElected(ctx context.Context, name string, job func(context.Context)) {
	if s.rep == nil {
		job(ctx)
		return
	}
	r := s.rep
	var mu sync.Mutex
	running := false
	idle := make(chan struct{}, 1)
	guarded := func(jctx context.Context) {
		mu.Lock()
		if ctx.Err() != nil {
			mu.Unlock()
			return
		}
		running = true
		mu.Unlock()
		defer func() {
			mu.Lock()
			running = false
			mu.Unlock()
			select {
			case idle <- struct{}{}:
			default:
			}
		}()
		job(jctx)
	}
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		for ctx.Err() == nil {
			if err := r.leadOnce(ctx, name, guarded); err != nil && ctx.Err() == nil {
				r.log.Warn("storage: election", "name", name, "err", err)
				sleepCtx(ctx, time.Second)
			}
		}
	}()
	select {
	case <-finished:
		return
	case <-ctx.Done():
	}
	// A campaign given up resigns with the client's own context, which
	// waits for a quorum: only the job must be over before returning. The
	// campaign ends when the store closes its client.
	for {
		mu.Lock()
		busy := running
		mu.Unlock()
		if !busy {
			return
		}
		<-idle
	}
}

// leadOnce campaigns once and, if elected, runs job for as long as the
// lease lives.
func (r *replica) leadOnce(ctx context.Context, name string, job func(context.Context)) error {
	sess, err := concurrency.NewSession(r.cli, concurrency.WithTTL(electionTTL), concurrency.WithContext(ctx))
	if err != nil {
		return err
	}
	defer sess.Close()
	el := concurrency.NewElection(sess, r.prefix+"!elect/"+name)
	if err := el.Campaign(ctx, r.id); err != nil {
		return err
	}
	jctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-sess.Done(): // the lease is gone: another may lead now
			cancel()
		case <-jctx.Done():
		}
	}()
	r.log.Info("storage: leading", "job", name, "instance", r.id)
	job(jctx)
	rctx, rcancel := context.WithTimeout(context.WithoutCancel(ctx), r.timeout)
	defer rcancel()
	_ = el.Resign(rctx)
	return nil
}
