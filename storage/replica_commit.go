package storage

import (
	"context"
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
	"go.etcd.io/etcd/api/v3/mvccpb"
	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/seira-queue/seira/queue"
)

// maxConflicts bounds how often one batch is run again because another
// instance committed first; past it the writers hear "unavailable" rather
// than wait without end.
const maxConflicts = 64

// commit runs a batch against the mirror, in a transaction that is always
// rolled back, and sends what it wrote to etcd as one transaction. If
// another instance committed in between, the batch runs again on the newer
// mirror: every fn sees the state its write will be applied to.
func (r *replica) commit(batch []*request, cache *settingsCache) {
	conflicts := 0
	for len(batch) > 0 {
		n, log, seen, failed := r.run(batch, cache)
		if failed != nil {
			// A refusal read on a mirror behind the cluster may be wrong
			// (a counter another instance just opened): it stands only if
			// nothing was committed since.
			switch behind, err := r.behind(context.Background(), seen); {
			case err != nil:
				batch[failed.i].done <- unavailable(err)
			case behind:
				if conflicts++; conflicts > maxConflicts {
					batch[failed.i].done <- failed.err
					break
				}
				if err := r.waitPast(seen); err != nil {
					batch[failed.i].done <- unavailable(err)
					break
				}
				continue // all of the batch again, on the newer mirror
			default:
				batch[failed.i].done <- failed.err
			}
			batch = append(batch[:failed.i:failed.i], batch[failed.i+1:]...)
			continue
		}
		part, rest := batch[:n], batch[n:]
		ok, err := r.send(part, log, seen)
		switch {
		case err != nil:
			err = unavailable(err)
			for _, rq := range batch {
				rq.done <- err
			}
			return
		case !ok:
			conflicts++
			if conflicts > maxConflicts {
				for _, rq := range batch {
					rq.done <- queue.Errorf(queue.CodeUnavailable, "the store is too busy: %d conflicts in a row", conflicts)
				}
				return
			}
			if err := r.waitPast(seen); err != nil {
				for _, rq := range batch {
					rq.done <- unavailable(err)
				}
				return
			}
		default:
			conflicts = 0
			for _, rq := range part {
				rq.tx.tx = nil
				rq.done <- nil
			}
			batch = rest
		}
	}
}

// run applies the batch's fns to the mirror and returns how many of them
// fit in one etcd transaction, with their writes and the commit revision
// they read. A failing fn is reported instead.
func (r *replica) run(batch []*request, cache *settingsCache) (n int, total *writeLog, seen int64, failed *failedAt) {
	btx, err := r.db.Begin(true)
	if err != nil {
		return 0, nil, r.applied.Load(), &failedAt{i: 0, err: unavailable(err)}
	}
	defer func() { _ = btx.Rollback() }()
	// Read inside the write transaction, after any apply it waited for:
	// seen is never newer than what the fns read.
	seen = r.applied.Load()
	total = newWriteLog()
	for i, rq := range batch {
		own := newWriteLog()
		rq.tx = &Tx{tx: btx, cache: cache, log: own}
		if err := runSafely(rq.fn, rq.tx); err != nil {
			return 0, nil, seen, &failedAt{i: i, err: err}
		}
		added := 0
		for k := range own.ops {
			if _, ok := total.ops[k]; !ok {
				added++
			}
		}
		if i > 0 && len(total.ops)+added+1 > r.maxOps {
			return i, total, seen, nil
		}
		total.merge(own)
	}
	return len(batch), total, seen, nil
}

// send commits a batch's writes if no other commit came after seen. It
// reports false on such a conflict, and an error when etcd did not answer
// in time (the commit may then have happened: the watch will apply it).
//
// An attempt that gets no answer (its member died, the leader changed) is
// sent again, the same transaction with the same id: the compare makes a
// second commit impossible, and the commit key tells whether the first one
// was made. So a leader's death costs the time to elect another, not the
// whole timeout, and the writer still hears the truth.
func (r *replica) send(part []*request, log *writeLog, seen int64) (bool, error) {
	r.n++
	id := fmt.Sprintf("%s.%d", r.id, r.n)
	pc := &pendingCommit{log: log, seen: seen}
	for _, rq := range part {
		pc.after = append(pc.after, rq.tx.after...)
	}
	r.mu.Lock()
	r.pending[id] = pc
	r.mu.Unlock()
	txn := func(ctx context.Context) (*clientv3.TxnResponse, error) {
		return r.cli.Txn(ctx).
			If(clientv3.Compare(clientv3.ModRevision(r.commitKey), "=", seen)).
			Then(r.ops(log, id)...).
			Else(clientv3.OpGet(r.commitKey)).
			Commit()
	}
	deadline := time.Now().Add(r.timeout)
	var resp *clientv3.TxnResponse
	for {
		ctx, cancel := context.WithTimeout(context.Background(), min(time.Until(deadline), attemptTimeout(r.timeout)))
		var err error
		resp, err = txn(ctx)
		cancel()
		if err == nil {
			break
		}
		if time.Until(deadline) < retryPause {
			return false, fmt.Errorf("etcd: %w", err)
		}
		time.Sleep(retryPause)
	}
	rev := resp.Header.Revision
	if !resp.Succeeded {
		var cur *mvccpb.KeyValue
		if rr := resp.Responses[0].GetResponseRange(); rr != nil && len(rr.Kvs) > 0 {
			cur = rr.Kvs[0]
		}
		if cur != nil && string(cur.Value) == id {
			rev = cur.ModRevision // an earlier attempt made it
		} else {
			made, err := r.madeIt(pc, cur)
			if err != nil || made {
				return made, err
			}
			r.mu.Lock()
			delete(r.pending, id)
			r.mu.Unlock()
			return false, nil
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.pending[id]; ok {
		// The watch has not brought it yet: apply it now, so that the
		// writer's next read sees it.
		delete(r.pending, id)
		pc.applied = true
		r.apply(rev, func(tx *bolt.Tx) error {
			for k, v := range pc.log.ops {
				if err := applyFlat(tx, k, v); err != nil {
					return err
				}
			}
			return nil
		})
		for _, f := range pc.after {
			f()
		}
	}
	return true, nil
}

// madeIt tells, after a failed compare, whether an earlier attempt of pc
// committed before the commit at cur: once the mirror holds cur, the watch
// has applied every commit up to it, pc's among them if it was made.
func (r *replica) madeIt(pc *pendingCommit, cur *mvccpb.KeyValue) (bool, error) {
	if cur == nil {
		return false, nil // no commit at all: not this one either
	}
	if err := r.waitPast(cur.ModRevision - 1); err != nil {
		// Running the write again could make it twice.
		return false, fmt.Errorf("cannot tell whether the commit was made: %w", err)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return pc.applied, nil
}

// retryPause is the pause between two attempts of one commit.
const retryPause = 50 * time.Millisecond

// attemptTimeout is how long one attempt of a commit waits for etcd: long
// enough for a slow disk's fsync, short enough to try another member soon
// after one died.
func attemptTimeout(total time.Duration) time.Duration { return max(time.Second, total/5) }

// apply writes one commit into the mirror (r.mu held). A mirror that cannot
// take a commit no longer matches the cluster: the watch reloads it.
func (r *replica) apply(rev int64, fn func(*bolt.Tx) error) {
	// applied moves once the commit is readable: a reader that waited for
	// rev must find it. A writer that reads the new state with the old
	// revision only loses a round to a conflict.
	if err := r.db.Update(fn); err != nil {
		r.log.Error("storage: the mirror cannot apply a commit; reloading it", "rev", rev, "err", err)
		r.broken.Store(true)
	} else {
		r.applied.Store(rev)
	}
	close(r.progress)
	r.progress = make(chan struct{})
}

// behind asks the cluster whether a commit came after seen (one quorum
// read).
func (r *replica) behind(ctx context.Context, seen int64) (bool, error) {
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	resp, err := r.cli.Get(ctx, r.commitKey)
	if err != nil {
		return false, fmt.Errorf("etcd: %w", err)
	}
	return len(resp.Kvs) > 0 && resp.Kvs[0].ModRevision > seen, nil
}

// waitPast waits until the mirror holds a commit later than seen. A watch
// that brings nothing for a second while a later commit is known is stuck
// (its member may be paused or cut off without knowing it): it is told to
// start again, from another member if need be.
func (r *replica) waitPast(seen int64) error {
	deadline := time.NewTimer(r.timeout)
	defer deadline.Stop()
	nudge := time.NewTimer(time.Second)
	defer nudge.Stop()
	for {
		r.mu.Lock()
		ch := r.progress
		r.mu.Unlock()
		if r.applied.Load() > seen {
			return nil
		}
		select {
		case <-ch:
		case <-nudge.C:
			r.restartWatch()
			nudge.Reset(time.Second)
		case <-deadline.C:
			return errors.New("the local mirror did not catch up with etcd")
		}
	}
}

// restartWatch asks the watch loop to open a new stream.
func (r *replica) restartWatch() {
	select {
	case r.stuck <- struct{}{}:
	default:
	}
}
