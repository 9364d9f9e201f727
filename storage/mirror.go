package storage

import (
	"bytes"
	"encoding/binary"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// applyFlat writes one flat key (flat.go) into a bbolt file: v nil deletes
// it. Buckets on its path are created as needed, so the keys of one commit
// may be applied in any order.
func applyFlat(tx *bolt.Tx, key string, v []byte) error {
	path, leaf, err := splitFlat(key)
	if err != nil {
		return err
	}
	if v == nil {
		if leaf != nil {
			if at := walkTo(tx, path); at != nil && at.b != nil {
				return at.b.Delete(leaf)
			}
			return nil
		}
		if at := walkTo(tx, path[:len(path)-1]); at != nil {
			return deleteBucketAt(tx, at, path[len(path)-1])
		}
		return nil
	}
	b, err := ensure(tx, path)
	if err != nil {
		return err
	}
	if leaf == nil {
		if len(v) != 8 {
			return fmt.Errorf("storage: flat key %q: a sequence of %d bytes", key, len(v))
		}
		return b.SetSequence(binary.BigEndian.Uint64(v))
	}
	return b.Put(leaf, v)
}

// walkTo opens the bucket at path, or returns nil. An empty path returns a
// sentinel for the root (a nil *bolt.Bucket is never returned for it).
func walkTo(tx *bolt.Tx, path [][]byte) *rootOr {
	r := &rootOr{tx: tx}
	for _, seg := range path {
		nb := r.Bucket(seg)
		if nb == nil {
			return nil
		}
		r = &rootOr{b: nb}
	}
	return r
}

// rootOr is a bbolt bucket or, with b nil, the transaction's root.
type rootOr struct {
	tx *bolt.Tx
	b  *bolt.Bucket
}

func (r *rootOr) Bucket(name []byte) *bolt.Bucket {
	if r.b == nil {
		return r.tx.Bucket(name)
	}
	return r.b.Bucket(name)
}

func deleteBucketAt(tx *bolt.Tx, r *rootOr, name []byte) error {
	if r.Bucket(name) == nil {
		return nil
	}
	if r.b == nil {
		return tx.DeleteBucket(name)
	}
	return r.b.DeleteBucket(name)
}

// ensure opens the bucket at path, creating any that is missing.
func ensure(tx *bolt.Tx, path [][]byte) (*bolt.Bucket, error) {
	b, err := tx.CreateBucketIfNotExists(path[0])
	if err != nil {
		return nil, fmt.Errorf("storage: mirror bucket %q: %w", path[0], err)
	}
	for _, seg := range path[1:] {
		if b, err = b.CreateBucketIfNotExists(seg); err != nil {
			return nil, fmt.Errorf("storage: mirror bucket %q: %w", seg, err)
		}
	}
	return b, nil
}

// walkFlat calls fn with every key of a bbolt file in flat form: each
// bucket (with its sequence) before what it holds.
func walkFlat(tx *bolt.Tx, fn func(key string, v []byte) error) error {
	return tx.ForEach(func(name []byte, b *bolt.Bucket) error {
		return walkBucket(bucketKey("", name), b, fn)
	})
}

func walkBucket(path string, b *bolt.Bucket, fn func(string, []byte) error) error {
	if err := fn(path, seqValue(b.Sequence())); err != nil {
		return err
	}
	return b.ForEach(func(k, v []byte) error {
		if v == nil {
			return walkBucket(bucketKey(path, k), b.Bucket(k), fn)
		}
		return fn(leafKey(path, k), v)
	})
}

// flatMap is a whole file in flat form.
func flatMap(tx *bolt.Tx) (map[string][]byte, error) {
	m := map[string][]byte{}
	err := walkFlat(tx, func(k string, v []byte) error {
		m[k] = bytes.Clone(v)
		return nil
	})
	return m, err
}

// flatFile is flatMap of the whole of db, in one read transaction.
func flatFile(db *bolt.DB) (map[string][]byte, error) {
	var m map[string][]byte
	err := db.View(func(tx *bolt.Tx) error {
		var err error
		m, err = flatMap(tx)
		return err
	})
	return m, err
}

// diffFlat is the write log that turns before into after.
func diffFlat(before, after map[string][]byte) *writeLog {
	l := newWriteLog()
	for k, v := range after {
		if old, ok := before[k]; !ok || !bytes.Equal(old, v) {
			l.put(k, v)
		}
	}
	for k := range before {
		if _, ok := after[k]; !ok {
			l.del(k)
		}
	}
	return l
}
