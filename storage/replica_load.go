package storage

import (
	"context"
	"fmt"
	"strings"

	bolt "go.etcd.io/bbolt"
	clientv3 "go.etcd.io/etcd/client/v3"
)

// prepare fills a new mirror from the cluster: it creates seira's keys on an
// empty cluster and brings an older schema up to date, racing other
// instances that start at the same moment by compare-and-swap. It returns
// the revision the mirror matches, from which the watch goes on.
func (r *replica) prepare(ctx context.Context) (int64, error) {
	var lastErr error
	for range 5 {
		if err := r.openMirror(); err != nil {
			return 0, err
		}
		rev, err := r.fill(ctx)
		if err == nil {
			return rev, nil
		}
		r.db.Close()
		if err != errLostRace {
			return 0, err
		}
		lastErr = err
	}
	return 0, lastErr
}

// errLostRace means another instance changed the cluster while this one
// was preparing it: start again from what it wrote.
var errLostRace = fmt.Errorf("storage: another instance changed the cluster first")

func (r *replica) fill(ctx context.Context) (int64, error) {
	kvs, rev, commitRev, err := r.snapshot(ctx)
	if err != nil {
		return 0, err
	}
	if commitRev == 0 && len(kvs) > 0 {
		return 0, fmt.Errorf("storage: etcd prefix %s holds %d keys but no commit key: not seira's data", r.prefix, len(kvs))
	}
	if err := r.db.Update(func(tx *bolt.Tx) error {
		for k, v := range kvs {
			if err := applyFlat(tx, k, v); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		return 0, fmt.Errorf("storage: fill mirror: %w", err)
	}
	r.applied.Store(commitRev)
	// Bring the schema up to date in the mirror, then send the difference.
	if err := migrate(r.db, migrations()); err != nil {
		return 0, err
	}
	after, err := flatFile(r.db)
	if err != nil {
		return 0, err
	}
	diff := diffFlat(kvs, after)
	if len(diff.ops) == 0 {
		return rev, nil
	}
	cmp := clientv3.Compare(clientv3.ModRevision(r.commitKey), "=", commitRev)
	ops := r.ops(diff, "schema")
	if len(ops) > r.maxOps {
		return 0, fmt.Errorf("storage: the schema upgrade writes %d keys, more than etcd's --max-txn-ops (%d): raise it for the upgrade", len(ops), r.maxOps)
	}
	tctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	resp, err := r.cli.Txn(tctx).If(cmp).Then(ops...).Commit()
	if err != nil {
		return 0, fmt.Errorf("storage: write schema to etcd: %w", err)
	}
	if !resp.Succeeded {
		return 0, errLostRace
	}
	r.applied.Store(resp.Header.Revision)
	return resp.Header.Revision, nil
}

// snapshot reads every key under the prefix at one revision, page by page.
func (r *replica) snapshot(ctx context.Context) (kvs map[string][]byte, rev, commitRev int64, err error) {
	kvs = map[string][]byte{}
	end := clientv3.GetPrefixRangeEnd(r.prefix)
	from := r.prefix
	for {
		opts := []clientv3.OpOption{clientv3.WithRange(end), clientv3.WithLimit(1000)}
		if rev != 0 {
			opts = append(opts, clientv3.WithRev(rev))
		}
		tctx, cancel := context.WithTimeout(ctx, r.timeout)
		resp, err := r.cli.Get(tctx, from, opts...)
		cancel()
		if err != nil {
			return nil, 0, 0, fmt.Errorf("storage: read etcd %s: %w", r.prefix, err)
		}
		rev = resp.Header.Revision
		for _, kv := range resp.Kvs {
			k := strings.TrimPrefix(string(kv.Key), r.prefix)
			switch {
			case k == commitName:
				commitRev = kv.ModRevision
			case !strings.HasPrefix(k, "!"): // not elections
				kvs[k] = nonNil(kv.Value)
			}
		}
		if !resp.More || len(resp.Kvs) == 0 {
			return kvs, rev, commitRev, nil
		}
		from = string(resp.Kvs[len(resp.Kvs)-1].Key) + "\x00"
	}
}

// ops turns a write log into etcd operations, with the commit key last.
func (r *replica) ops(l *writeLog, id string) []clientv3.Op {
	ops := make([]clientv3.Op, 0, len(l.ops)+1)
	for k, v := range l.ops {
		if v == nil {
			ops = append(ops, clientv3.OpDelete(r.prefix+k))
		} else {
			ops = append(ops, clientv3.OpPut(r.prefix+k, string(v)))
		}
	}
	return append(ops, clientv3.OpPut(r.commitKey, id))
}

// nonNil keeps an empty value from reading as a deletion: etcd hands out
// an empty value as nil.
func nonNil(v []byte) []byte {
	if v == nil {
		return []byte{}
	}
	return v
}
