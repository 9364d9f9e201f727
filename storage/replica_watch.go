package storage

import (
	"bytes"
	"cmp"
	"context"
	"encoding/binary"
	"log/slog"
	"slices"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
	"go.etcd.io/etcd/api/v3/mvccpb"
	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/seira-queue/seira/queue"
)

// watch keeps the mirror current from revision rev on: every commit of
// every instance arrives here in revision order. After a broken stream it
// resumes from the next revision; when that revision has been compacted
// away, or the mirror failed, it reloads the mirror from a snapshot.
func (r *replica) watch(ctx context.Context, rev int64) {
	defer close(r.done)
	probed := make(chan struct{})
	go func() {
		defer close(probed)
		r.probe(ctx)
	}()
	defer func() { <-probed }()
	next := rev + 1
	backoff := 50 * time.Millisecond
	for ctx.Err() == nil {
		if r.broken.Load() {
			rev, err := r.reload(ctx)
			if err != nil {
				r.log.Warn("storage: reload the mirror from etcd", "err", err)
				if !sleepCtx(ctx, backoff) {
					return
				}
				backoff = min(2*backoff, 2*time.Second)
				continue
			}
			next = rev + 1
		}
		// WithRequireLeader ends the stream when its member loses the
		// leader, so that a partitioned member cannot hold the mirror back.
		wctx, cancel := context.WithCancel(clientv3.WithRequireLeader(ctx))
		r.stream(wctx, &next, &backoff)
		cancel()
		if !sleepCtx(ctx, backoff) {
			return
		}
		backoff = min(2*backoff, 2*time.Second)
	}
}

// probe asks the cluster once a second for its last commit: a mirror that
// stays behind it for a second has a stuck watch (a paused member keeps its
// connections open), which is then started again. An instance that only
// serves displays would otherwise not notice.
func (r *replica) probe(ctx context.Context) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	var behindAt time.Time
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		behind, err := r.behind(ctx, r.applied.Load())
		switch {
		case err != nil || !behind:
			behindAt = time.Time{}
		case behindAt.IsZero():
			behindAt = time.Now()
		case time.Since(behindAt) >= time.Second:
			r.restartWatch()
			behindAt = time.Time{}
		}
	}
}

// stream applies one watch stream's commits until it ends, fails, falls
// behind a compaction or is found stuck.
func (r *replica) stream(ctx context.Context, next *int64, backoff *time.Duration) {
	wch := r.cli.Watch(ctx, r.prefix, clientv3.WithPrefix(), clientv3.WithRev(*next))
	for {
		var resp clientv3.WatchResponse
		var ok bool
		select {
		case resp, ok = <-wch:
		case <-r.stuck:
			r.log.Warn("storage: the etcd watch brings nothing while later commits exist; opening a new one", "next", *next)
			return
		}
		if !ok {
			return
		}
		if resp.CompactRevision != 0 {
			r.log.Warn("storage: the watch fell behind etcd's compaction; reloading the mirror", "compacted", resp.CompactRevision)
			r.broken.Store(true)
			return
		}
		if err := resp.Err(); err != nil {
			r.log.Warn("storage: etcd watch", "err", err)
			return
		}
		*backoff = 50 * time.Millisecond
		evs := resp.Events
		for len(evs) > 0 {
			// etcd never splits one revision over two responses.
			n := 1
			for n < len(evs) && evs[n].Kv.ModRevision == evs[0].Kv.ModRevision {
				n++
			}
			r.applyRemote(evs[0].Kv.ModRevision, evs[:n])
			*next = evs[0].Kv.ModRevision + 1
			evs = evs[n:]
		}
		if r.broken.Load() {
			return
		}
	}
}

// applyRemote applies one revision's events to the mirror, unless the
// committer applied it already, then runs the hooks of this instance's
// commit or tells the listeners of another's.
func (r *replica) applyRemote(rev int64, evs []*clientv3.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if rev <= r.applied.Load() {
		return
	}
	var id string
	changed := map[string][]byte{}
	for _, ev := range evs {
		k := strings.TrimPrefix(string(ev.Kv.Key), r.prefix)
		if k == commitName {
			id = string(ev.Kv.Value)
			continue
		}
		if strings.HasPrefix(k, "!") {
			continue // elections and other keys that are not data
		}
		var v []byte
		if ev.Type == mvccpb.PUT {
			v = nonNil(ev.Kv.Value)
		}
		changed[k] = v
	}
	if id == "" {
		if len(changed) > 0 {
			r.log.Warn("storage: a change to seira's keys in etcd outside seira; ignored", "rev", rev, "keys", len(changed))
		}
		return
	}
	r.applyChanges(rev, id, changed)
}

// applyChanges writes changed keys into the mirror as the commit of rev and
// tells whoever must hear of it (r.mu held). id is the commit's id; empty
// for a reload, whose changes may span many commits.
func (r *replica) applyChanges(rev int64, id string, changed map[string][]byte) {
	r.apply(rev, func(tx *bolt.Tx) error {
		for k, v := range changed {
			if err := applyFlat(tx, k, v); err != nil {
				return err
			}
		}
		return nil
	})
	if pc, ok := r.pending[id]; ok && id != "" {
		delete(r.pending, id)
		pc.applied = true
		for _, f := range pc.after {
			f()
		}
	} else if len(r.listeners) > 0 {
		c := changeOf(changed, r.log)
		for _, f := range r.listeners {
			f(c)
		}
	}
	// A commit of this instance that compared against an older revision
	// can no longer succeed: forget it.
	for pid, pc := range r.pending {
		if pc.seen < rev {
			delete(r.pending, pid)
		}
	}
}

// changeOf reads from changed keys what listeners need: the events they
// append and whether sign-in records changed.
func changeOf(changed map[string][]byte, log *slog.Logger) Change {
	var c Change
	for k, v := range changed {
		path, leaf, err := splitFlat(k)
		if err != nil || len(path) == 0 {
			continue
		}
		top := Kind(path[0])
		if slices.Contains(recordKinds(), top) {
			c.Records = true
			continue
		}
		if v == nil || leaf == nil || len(path) != 3 || !bytes.Equal(path[0], bktBranches) || !bytes.Equal(path[2], bktEvents) {
			continue
		}
		var ev queue.Event
		if err := decodeRecord(v, &ev); err != nil {
			log.Warn("storage: an event from etcd does not decode", "key", k, "err", err)
			continue
		}
		if ev.Seq == 0 && len(leaf) == 8 {
			ev.Seq = binary.BigEndian.Uint64(leaf)
		}
		c.Events = append(c.Events, ev)
	}
	slices.SortFunc(c.Events, func(a, b queue.Event) int {
		return cmp.Or(strings.Compare(a.Branch, b.Branch), cmp.Compare(a.Seq, b.Seq))
	})
	return c
}

// reload rebuilds the mirror from a snapshot of the cluster, telling the
// listeners of everything that changed, and returns the snapshot's
// revision.
func (r *replica) reload(ctx context.Context) (int64, error) {
	kvs, rev, commitRev, err := r.snapshot(ctx)
	if err != nil {
		return 0, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	before, err := flatFile(r.db)
	if err != nil {
		return 0, err
	}
	r.broken.Store(false)
	r.applyChanges(commitRev, "", diffFlat(before, kvs).ops)
	if r.broken.Load() {
		return 0, errMirror
	}
	return rev, nil
}

var errMirror = queue.Errorf(queue.CodeUnavailable, "the local mirror cannot apply etcd's state")

func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
