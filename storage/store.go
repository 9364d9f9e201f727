package storage

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime/debug"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/seira-queue/seira/queue"
)

// Options tune a Store. The zero value is ready to use.
type Options struct {
	// MaxBatch caps how many callers share one commit (default 512).
	MaxBatch int
	// Logger receives storage warnings (default: discard).
	Logger *slog.Logger
	// OpenTimeout is how long Open waits for the file lock (default 2 s):
	// a second seira on the same data directory fails instead of hanging.
	OpenTimeout time.Duration
	// ObserveCommit, if set, is told how long each commit took and how many
	// callers it carried (for metrics).
	ObserveCommit func(d time.Duration, callers int)
}

// Store is the bbolt file and its single committer goroutine.
type Store struct {
	// tokenKey is the store's secret for ticket tokens, read once.
	tokenKey []byte
	// db is the store's file; on a replicated store, the local mirror of
	// the cluster that every read is served from.
	db *bolt.DB
	// rep is the cluster a replicated store writes to (nil: bbolt alone).
	rep      *replica
	log      *slog.Logger
	maxBatch int
	reqs     chan *request
	stop     chan struct{}
	stopped  chan struct{}

	// mu orders Update's hand-over against Close: once closed is set no
	// request enters the queue, so the committer's final drain misses none.
	mu     sync.RWMutex
	closed bool

	observeCommit func(d time.Duration, callers int)
	cache         settingsCache
}

// request is one caller's write, waiting for the committer.
type request struct {
	fn   func(*Tx) error
	tx   *Tx
	done chan error
}

func (opts Options) withDefaults() Options {
	if opts.MaxBatch <= 0 {
		opts.MaxBatch = 512
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.OpenTimeout <= 0 {
		opts.OpenTimeout = 2 * time.Second
	}
	return opts
}

// Open opens (creating if needed) the store at path, brings its schema up to
// date and starts the committer.
func Open(path string, opts Options) (*Store, error) {
	opts = opts.withDefaults()
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, fmt.Errorf("storage: create directory: %w", err)
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{
		Timeout:      opts.OpenTimeout,
		FreelistType: bolt.FreelistMapType,
		// Readers block while bbolt grows its memory map; a large initial map
		// (address space only) keeps that rare.
		InitialMmapSize: 1 << 30,
	})
	if err != nil {
		return nil, fmt.Errorf("storage: open %s: %w", path, err)
	}
	if err := migrate(db, migrations()); err != nil {
		db.Close()
		return nil, err
	}
	s, err := newStore(db, opts, nil)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("%w in %s", err, path)
	}
	return s, nil
}

// newStore starts the committer over db, whose schema is up to date.
func newStore(db *bolt.DB, opts Options, rep *replica) (*Store, error) {
	var key []byte
	if err := db.View(func(tx *bolt.Tx) error {
		key = bytes.Clone(tx.Bucket(bktMeta).Get(keyTokenKey))
		return nil
	}); err != nil || len(key) != TokenKeyLen {
		return nil, fmt.Errorf("storage: no token key (%d bytes): %w", len(key), err)
	}
	s := &Store{
		tokenKey: key,
		db:       db,
		rep:      rep,
		log:      opts.Logger,
		maxBatch: opts.MaxBatch,
		reqs:     make(chan *request, opts.MaxBatch),
		stop:     make(chan struct{}),
		stopped:  make(chan struct{}),

		observeCommit: opts.ObserveCommit,
	}
	go s.commitLoop()
	return s, nil
}

// TokenKey is the store's secret that masks the ticket reference inside
// each token (so that a token does not tell how many tickets the store has
// issued). It is made by a migration and travels with backups. Callers must
// not modify it.
func (s *Store) TokenKey() []byte { return s.tokenKey }

// Close stops the committer after the writes already submitted and closes
// the file.
func (s *Store) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return errClosed
	}
	s.closed = true
	s.mu.Unlock()
	close(s.stop)
	<-s.stopped
	if s.rep != nil {
		s.rep.close()
		return nil
	}
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("storage: close: %w", err)
	}
	return nil
}

// errClosed is returned to writes that arrive after Close.
var errClosed = queue.Errorf(queue.CodeUnavailable, "the store is closed")

// Update runs fn in a write transaction and returns once the transaction is
// durable on disk, or fn's error with nothing written. Concurrent calls share
// one commit; fn may be run more than once (when another caller's fn in the
// same batch fails, the batch is rolled back and run again without it), so it
// must not have side effects outside tx: register them with Tx.AfterCommit.
func (s *Store) Update(ctx context.Context, fn func(*Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	r := &request{fn: fn, done: make(chan error, 1)}
	s.mu.RLock()
	if s.closed {
		s.mu.RUnlock()
		return errClosed
	}
	select {
	case s.reqs <- r:
	case <-ctx.Done():
		s.mu.RUnlock()
		return ctx.Err()
	}
	s.mu.RUnlock()
	// Once submitted, the write may commit: wait for the verdict rather than
	// tell the caller it failed when it did not.
	return <-r.done
}

// View runs fn in a read transaction. Values read are valid only inside fn.
func (s *Store) View(ctx context.Context, fn func(*Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.db.View(func(btx *bolt.Tx) error { return runSafely(fn, &Tx{tx: btx, cache: &s.cache}) })
}

// WriteTo streams a consistent copy of the whole file while writers go on.
func (s *Store) WriteTo(w io.Writer) (int64, error) {
	var n int64
	err := s.db.View(func(tx *bolt.Tx) error {
		var err error
		n, err = tx.WriteTo(w)
		return err
	})
	if err != nil {
		return n, fmt.Errorf("storage: backup: %w", err)
	}
	return n, nil
}

// Size is the size of the data in the file, in bytes.
func (s *Store) Size() int64 {
	var n int64
	_ = s.db.View(func(tx *bolt.Tx) error { n = tx.Size(); return nil })
	return n
}

// Check runs bbolt's consistency check over the whole file.
func (s *Store) Check() error {
	return s.db.View(func(tx *bolt.Tx) error {
		var errs []error
		for err := range tx.Check() {
			errs = append(errs, err)
		}
		return errors.Join(errs...)
	})
}

func (s *Store) commitLoop() {
	defer close(s.stopped)
	batch := make([]*request, 0, s.maxBatch)
	for {
		var first *request
		select {
		case first = <-s.reqs:
		case <-s.stop:
			// Writes already queued were promised a verdict.
			for {
				select {
				case r := <-s.reqs:
					s.commit([]*request{r})
				default:
					return
				}
			}
		}
		// Group commit without a timer: whatever queued up while the last
		// commit was being fsynced goes into this one.
		batch = append(batch[:0], first)
	drain:
		for len(batch) < s.maxBatch {
			select {
			case r := <-s.reqs:
				batch = append(batch, r)
			default:
				break drain
			}
		}
		s.commit(batch)
	}
}

// failedAt carries the index of the caller whose fn failed out of a batch.
type failedAt struct {
	i   int
	err error
}

func (f *failedAt) Error() string { return f.err.Error() }

// commit runs a batch in one transaction. A failing fn rolls the batch back;
// its caller gets the error and the rest run again without it.
func (s *Store) commit(batch []*request) {
	if s.rep != nil {
		s.rep.commit(batch, &s.cache)
		return
	}
	for len(batch) > 0 {
		start := time.Now()
		err := s.db.Update(func(btx *bolt.Tx) error {
			for i, r := range batch {
				r.tx = &Tx{tx: btx, cache: &s.cache}
				if err := runSafely(r.fn, r.tx); err != nil {
					return &failedAt{i: i, err: err}
				}
			}
			return nil
		})
		var f *failedAt
		if errors.As(err, &f) {
			batch[f.i].done <- f.err
			batch = append(batch[:f.i:f.i], batch[f.i+1:]...)
			continue
		}
		if err != nil {
			s.log.Error("storage: commit failed", "err", err, "callers", len(batch))
			err = &queue.Error{Code: queue.CodeUnavailable, Message: "the store cannot write: " + err.Error()}
			for _, r := range batch {
				r.done <- err
			}
			return
		}
		if s.observeCommit != nil {
			s.observeCommit(time.Since(start), len(batch))
		}
		// After-commit hooks run here, in commit order, so that events are
		// published in sequence order whichever caller wakes first.
		for _, r := range batch {
			for _, f := range r.tx.after {
				f()
			}
			r.tx.tx = nil
			r.done <- nil
		}
		return
	}
}

// runSafely turns a panic in fn into an error so that one bad request cannot
// take the committer (and every other caller) down with it.
func runSafely(fn func(*Tx) error, tx *Tx) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("storage: panic in transaction: %v\n%s", p, debug.Stack())
		}
	}()
	tx.after = tx.after[:0]
	return fn(tx)
}
