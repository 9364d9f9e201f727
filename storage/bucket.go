package storage

import (
	"bytes"
	"encoding/binary"

	bolt "go.etcd.io/bbolt"
)

// bucket is a bbolt bucket that also tells a write log what it writes, so
// that a replicated store (etcd) can send the same writes to its cluster.
// Every write of the storage code goes through it; on the bbolt store the
// log is nil and the bucket is bbolt's own.
//
// Cursors are for reading only: a cursor's Delete would not be logged.
type bucket struct {
	bb *bolt.Bucket
	// path is this bucket's key prefix in the flat layout (flat.go).
	path string
	log  *writeLog
}

// root opens one of the top-level buckets.
func (t *Tx) root(name []byte) *bucket {
	b := t.tx.Bucket(name)
	if b == nil {
		return nil
	}
	return &bucket{bb: b, path: bucketKey("", name), log: t.log}
}

// Get returns a key's value, or nil.
func (b *bucket) Get(k []byte) []byte { return b.bb.Get(k) }

// Cursor reads the bucket in key order.
func (b *bucket) Cursor() *bolt.Cursor { return b.bb.Cursor() }

// ForEach calls fn for each key (v is nil for a nested bucket).
func (b *bucket) ForEach(fn func(k, v []byte) error) error { return b.bb.ForEach(fn) }

// ForEachBucket calls fn for each nested bucket's name.
func (b *bucket) ForEachBucket(fn func(k []byte) error) error { return b.bb.ForEachBucket(fn) }

// Sequence is the bucket's sequence.
func (b *bucket) Sequence() uint64 { return b.bb.Sequence() }

// Writable reports whether the transaction may write.
func (b *bucket) Writable() bool { return b.bb.Tx().Writable() }

// fill sets how full bbolt packs split pages (see appendFill).
func (b *bucket) fill(f float64) { b.bb.FillPercent = f }

// Bucket opens a nested bucket, or returns nil if it does not exist.
func (b *bucket) Bucket(name []byte) *bucket {
	nb := b.bb.Bucket(name)
	if nb == nil {
		return nil
	}
	return &bucket{bb: nb, path: bucketKey(b.path, name), log: b.log}
}

// CreateBucket creates a nested bucket.
func (b *bucket) CreateBucket(name []byte) (*bucket, error) {
	nb, err := b.bb.CreateBucket(name)
	if err != nil {
		return nil, err
	}
	child := &bucket{bb: nb, path: bucketKey(b.path, name), log: b.log}
	b.log.put(child.path, seqValue(0))
	return child, nil
}

// CreateBucketIfNotExists opens or creates a nested bucket.
func (b *bucket) CreateBucketIfNotExists(name []byte) (*bucket, error) {
	if nb := b.Bucket(name); nb != nil {
		return nb, nil
	}
	return b.CreateBucket(name)
}

// DeleteBucket deletes a nested bucket and all it holds.
func (b *bucket) DeleteBucket(name []byte) error {
	if b.log != nil {
		if nb := b.Bucket(name); nb != nil {
			nb.logDeleteAll()
		}
	}
	return b.bb.DeleteBucket(name)
}

// logDeleteAll logs the deletion of every key under b and of b itself.
func (b *bucket) logDeleteAll() {
	_ = b.bb.ForEach(func(k, v []byte) error {
		if v == nil {
			b.Bucket(k).logDeleteAll()
		} else {
			b.log.del(leafKey(b.path, k))
		}
		return nil
	})
	b.log.del(b.path)
}

// Put sets a key.
func (b *bucket) Put(k, v []byte) error {
	if err := b.bb.Put(k, v); err != nil {
		return err
	}
	b.log.put(leafKey(b.path, k), v)
	return nil
}

// Delete removes a key.
func (b *bucket) Delete(k []byte) error {
	if err := b.bb.Delete(k); err != nil {
		return err
	}
	b.log.del(leafKey(b.path, k))
	return nil
}

// NextSequence increments the bucket's sequence.
func (b *bucket) NextSequence() (uint64, error) {
	n, err := b.bb.NextSequence()
	if err == nil {
		b.log.put(b.path, seqValue(n))
	}
	return n, err
}

// SetSequence sets the bucket's sequence.
func (b *bucket) SetSequence(n uint64) error {
	if err := b.bb.SetSequence(n); err != nil {
		return err
	}
	b.log.put(b.path, seqValue(n))
	return nil
}

// writeLog is what a transaction wrote, as the final value of each flat key
// (nil: deleted). A key written twice is sent once, as etcd requires.
type writeLog struct {
	ops map[string][]byte
}

func newWriteLog() *writeLog { return &writeLog{ops: map[string][]byte{}} }

func (l *writeLog) put(key string, v []byte) {
	if l != nil {
		// bbolt may reuse v's memory once the transaction ends.
		l.ops[key] = append([]byte{}, v...)
	}
}

func (l *writeLog) del(key string) {
	if l != nil {
		l.ops[key] = nil
	}
}

// merge adds a later transaction's writes to l.
func (l *writeLog) merge(o *writeLog) {
	for k, v := range o.ops {
		l.ops[k] = v
	}
}

func seqValue(n uint64) []byte { return binary.BigEndian.AppendUint64(nil, n) }

// hasKey reports whether b holds key k.
func hasKey(b *bucket, k []byte) bool {
	got, _ := b.Cursor().Seek(k)
	return bytes.Equal(got, k)
}
