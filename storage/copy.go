package storage

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
	clientv3 "go.etcd.io/etcd/client/v3"
)

// CopyReport tells what CopyToEtcd copied and what the cluster then held.
type CopyReport struct {
	// Source counts the bbolt file (after its schema was brought up to
	// date), Target what an instance opening the etcd prefix reads.
	Source, Target CopyCounts
	// Txns is how many etcd transactions the copy took.
	Txns int
}

// CopyCounts are a store's contents, by kind.
type CopyCounts struct {
	Branches, Tickets, Events, Appointments, Users int
	// Keys counts every key of the flat layout (flat.go), buckets included.
	Keys int
}

var (
	// ErrPrefixNotEmpty: a copy goes into an empty etcd prefix only.
	ErrPrefixNotEmpty = errors.New("storage: the etcd prefix is not empty")
	// ErrCopyDiffers: the data in etcd is not the data of the source.
	ErrCopyDiffers = errors.New("storage: the copy in etcd differs from its source")
)

// copyTxnBytes bounds the keys and values one copy transaction carries,
// below etcd's default --max-request-bytes (1.5 MiB). A single larger
// key goes alone.
const copyTxnBytes = 1 << 20

// CopyToEtcd copies the store in the bbolt file boltPath into an empty etcd
// prefix and checks the copy. It opens the file with Open, which brings
// an older schema up to date and fails while a seira serves from it, and
// reads it in one transaction. The keys go in transactions of at most
// eo.MaxTxnOps-1 keys (and 1 MiB), each written only while the prefix has
// no commit key; the commit key comes with the last one, so that no
// instance starts on a partial copy. Then it opens the prefix as an instance would
// (OpenEtcd, with a temporary mirror) and compares what it reads with the
// source: any difference is ErrCopyDiffers. eo.Dir is not used.
//
// The report carries the counts of whatever was read before an error.
func CopyToEtcd(ctx context.Context, boltPath string, eo EtcdOptions) (CopyReport, error) {
	var rep CopyReport
	eo = eo.withDefaults()
	if eo.MaxTxnOps < 2 {
		return rep, fmt.Errorf("storage: copy: MaxTxnOps %d leaves no room for a key beside the commit key", eo.MaxTxnOps)
	}
	keys, src, err := readFlatFile(boltPath)
	if err != nil {
		return rep, err
	}
	rep.Source = countFlat(src)

	cli, err := eo.client(ctx)
	if err != nil {
		return rep, err
	}
	defer cli.Close()
	if err := checkEmptyPrefix(ctx, cli, eo); err != nil {
		return rep, err
	}
	rep.Txns, err = writeCopy(ctx, cli, eo, keys, src)
	if err != nil {
		return rep, err
	}
	rep.Target, err = verifyCopy(ctx, eo, src)
	return rep, err
}

// readFlatFile opens the store at path and reads it whole, in flat form:
// its keys in the order walkFlat visits them, and their values.
func readFlatFile(path string) ([]string, map[string][]byte, error) {
	// Open would create a missing file: a copy of nothing is a mistake.
	if _, err := os.Stat(path); err != nil {
		return nil, nil, fmt.Errorf("storage: copy source: %w", err)
	}
	s, err := Open(path, Options{})
	if errors.Is(err, berrors.ErrTimeout) {
		return nil, nil, fmt.Errorf("%w: the file is locked; stop the seira that serves from it first", err)
	}
	if err != nil {
		return nil, nil, err
	}
	var keys []string
	m := map[string][]byte{}
	err = s.db.View(func(tx *bolt.Tx) error {
		return walkFlat(tx, func(k string, v []byte) error {
			keys = append(keys, k)
			m[k] = bytes.Clone(v)
			return nil
		})
	})
	if cerr := s.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, nil, fmt.Errorf("storage: read %s: %w", path, err)
	}
	return keys, m, nil
}

// checkEmptyPrefix refuses a prefix that holds any key, the commit key or
// an election's included.
func checkEmptyPrefix(ctx context.Context, cli *clientv3.Client, eo EtcdOptions) error {
	tctx, cancel := context.WithTimeout(ctx, eo.RequestTimeout)
	defer cancel()
	resp, err := cli.Get(tctx, eo.Prefix, clientv3.WithPrefix(), clientv3.WithCountOnly())
	if err != nil {
		return fmt.Errorf("storage: read etcd %s: %w", eo.Prefix, err)
	}
	if resp.Count == 0 {
		return nil
	}
	commit, err := cli.Get(tctx, eo.Prefix+commitName, clientv3.WithCountOnly())
	if err != nil {
		return fmt.Errorf("storage: read etcd %s: %w", eo.Prefix, err)
	}
	what := "a seira store"
	if commit.Count == 0 {
		what = fmt.Sprintf("no commit key: a failed copy? remove them with: etcdctl del --prefix %s", eo.Prefix)
	}
	return fmt.Errorf("%w: %s holds %d keys (%s); a copy goes into an empty prefix only", ErrPrefixNotEmpty, eo.Prefix, resp.Count, what)
}

// writeCopy writes the keys, in order, in transactions that each fail if
// the commit key exists; the last one writes it. It returns how many
// transactions it committed.
func writeCopy(ctx context.Context, cli *clientv3.Client, eo EtcdOptions, keys []string, src map[string][]byte) (int, error) {
	commitKey := eo.Prefix + commitName
	unset := clientv3.Compare(clientv3.CreateRevision(commitKey), "=", 0)
	txns, written := 0, 0
	send := func(ops []clientv3.Op) error {
		tctx, cancel := context.WithTimeout(ctx, eo.RequestTimeout)
		defer cancel()
		resp, err := cli.Txn(tctx).If(unset).Then(ops...).Commit()
		if err != nil {
			// No instance opens a prefix without a commit key, but a new
			// copy needs it empty.
			return fmt.Errorf("storage: copy to etcd %s after %d of %d keys: %w (the prefix may hold part of the copy: remove it with etcdctl del --prefix %s before trying again)",
				eo.Prefix, written, len(keys), err, eo.Prefix)
		}
		if !resp.Succeeded {
			return fmt.Errorf("%w: an instance initialised %s during the copy, after %d of %d keys", ErrPrefixNotEmpty, eo.Prefix, written, len(keys))
		}
		txns++
		return nil
	}
	var ops []clientv3.Op
	size := 0
	for _, k := range keys {
		v := src[k]
		n := len(eo.Prefix) + len(k) + len(v)
		if len(ops) > 0 && (len(ops) == eo.MaxTxnOps-1 || size+n > copyTxnBytes) {
			if err := send(ops); err != nil {
				return txns, err
			}
			written += len(ops)
			ops, size = ops[:0], 0
		}
		ops = append(ops, clientv3.OpPut(eo.Prefix+k, string(v)))
		size += n
	}
	ops = append(ops, clientv3.OpPut(commitKey, "migrate"))
	return txns, send(ops)
}

// verifyCopy opens the prefix as an instance would, on a temporary
// mirror, and compares what it reads with src. It returns the counts of
// what it read.
func verifyCopy(ctx context.Context, eo EtcdOptions, src map[string][]byte) (CopyCounts, error) {
	dir, err := os.MkdirTemp("", "seira-copy-check-")
	if err != nil {
		return CopyCounts{}, fmt.Errorf("storage: check the copy: %w", err)
	}
	defer os.RemoveAll(dir)
	eo.Dir = dir
	s, err := OpenEtcd(ctx, eo, Options{})
	if err != nil {
		return CopyCounts{}, fmt.Errorf("storage: check the copy: %w", err)
	}
	got, err := flatFile(s.db)
	if cerr := s.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return CopyCounts{}, fmt.Errorf("storage: check the copy: %w", err)
	}
	counts := countFlat(got)
	missing, extra, changed := 0, 0, 0
	for k, v := range src {
		w, ok := got[k]
		switch {
		case !ok:
			missing++
		case !bytes.Equal(v, w):
			changed++
		}
	}
	for k := range got {
		if _, ok := src[k]; !ok {
			extra++
		}
	}
	if n := missing + extra + changed; n > 0 {
		return counts, fmt.Errorf("%w: %d keys differ in %s (%d missing, %d extra, %d changed; %d keys in the source, %d in etcd)",
			ErrCopyDiffers, n, eo.Prefix, missing, extra, changed, len(src), len(got))
	}
	return counts, nil
}

// countFlat counts a store in flat form by kind.
func countFlat(m map[string][]byte) CopyCounts {
	c := CopyCounts{Keys: len(m)}
	branches := string(bktBranches)
	for k := range m {
		parts := strings.Split(k, "/")
		switch {
		case len(parts) == 3 && parts[0] == branches && parts[2] == "": // branches/<id>/
			c.Branches++
		case len(parts) == 4 && parts[0] == branches && parts[3] != "": // branches/<id>/<bucket>/<key>
			switch parts[2] {
			case string(bktTickets):
				c.Tickets++
			case string(bktEvents):
				c.Events++
			case string(bktAppts):
				c.Appointments++
			}
		case len(parts) == 2 && parts[0] == string(KindUsers) && parts[1] != "": // users/<name>
			c.Users++
		}
	}
	return c
}
