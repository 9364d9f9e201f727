package storage

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"
	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"

	"github.com/seira-queue/seira/queue"
)

// EtcdOptions say where a replicated store keeps its state.
type EtcdOptions struct {
	// Endpoints are the cluster's client URLs.
	Endpoints []string
	// Prefix is the key prefix of this seira's data (default "/seira/").
	Prefix string
	// TLS, if set, is used for client connections (client certificates).
	TLS *tls.Config
	// Dir holds the local mirror's file (default: a temporary directory).
	// The mirror is rebuilt from the cluster on every start.
	Dir string
	// RequestTimeout bounds each write (default 5 s): past it the writer
	// hears "unavailable".
	RequestTimeout time.Duration
	// MaxTxnOps caps the keys one commit writes, as the cluster's
	// --max-txn-ops does (default 128, etcd's own default).
	MaxTxnOps int
}

// replica is a Store's link to an etcd cluster. Every write is one etcd
// transaction that compares the commit key's revision with the revision the
// local mirror has applied, so that writes from all instances form one
// sequence; every read is served by the mirror, which a watch keeps
// current.
type replica struct {
	cli       *clientv3.Client
	prefix    string
	commitKey string
	timeout   time.Duration
	maxOps    int
	db        *bolt.DB
	dir       string
	ownDir    bool
	log       *slog.Logger
	id        string
	n         uint64 // commits sent (committer goroutine only)

	// applied is the revision of the last commit the mirror holds, moved
	// once that commit is readable there. A writer compares against it: one
	// that read a newer mirror with an older revision loses a round to a
	// conflict, never correctness.
	applied atomic.Int64
	// broken is set when the mirror failed to apply a commit: the watch
	// then reloads it.
	broken atomic.Bool

	// mu orders the application of commits to the mirror with the hooks
	// and listeners that follow each, so that events are published in
	// commit order whichever goroutine (committer or watch) applies them.
	mu        sync.Mutex
	pending   map[string]*pendingCommit
	listeners []func(Change)
	progress  chan struct{} // closed and replaced after every apply
	// stuck asks the watch loop for a new stream (see waitPast).
	stuck chan struct{}

	cancel context.CancelFunc
	done   chan struct{}
}

// pendingCommit is a commit this instance sent, until it is applied.
type pendingCommit struct {
	log   *writeLog
	after []func()
	seen  int64 // the commit key's revision it compared against
	// applied is set (under mu) once the mirror holds it.
	applied bool
}

// Change tells listeners of a commit made by another instance.
type Change struct {
	// Events are the events it appended, by branch and sequence.
	Events []queue.Event
	// Records is true when users, sessions or devices changed.
	Records bool
}

const mirrorFile = "etcd-mirror.db"

// commitName is the key, under the prefix, that every commit writes (its
// value is the commit's id): the one key whose revision orders all
// commits. Keys that start with '!' are not data (flat.go).
const commitName = "!commit"

func (eo EtcdOptions) withDefaults() EtcdOptions {
	if eo.Prefix == "" {
		eo.Prefix = "/seira/"
	}
	if eo.RequestTimeout <= 0 {
		eo.RequestTimeout = 5 * time.Second
	}
	if eo.MaxTxnOps <= 0 {
		eo.MaxTxnOps = 128
	}
	return eo
}

// client connects to the cluster. Keep-alives find a dead member's
// connection within seconds, so requests move to the others.
func (eo EtcdOptions) client(ctx context.Context) (*clientv3.Client, error) {
	cli, err := clientv3.New(clientv3.Config{
		Endpoints:            eo.Endpoints,
		TLS:                  eo.TLS,
		DialTimeout:          eo.RequestTimeout,
		DialKeepAliveTime:    5 * time.Second,
		DialKeepAliveTimeout: 5 * time.Second,
		Context:              context.WithoutCancel(ctx),
		Logger:               zap.NewNop(),
	})
	if err != nil {
		return nil, fmt.Errorf("storage: connect to etcd %v: %w", eo.Endpoints, err)
	}
	return cli, nil
}

// OpenEtcd connects to an etcd cluster, loads seira's keys into a local
// mirror (creating them on an empty cluster), keeps the mirror current with
// a watch and starts the committer.
func OpenEtcd(ctx context.Context, eo EtcdOptions, opts Options) (*Store, error) {
	opts, eo = opts.withDefaults(), eo.withDefaults()
	cli, err := eo.client(ctx)
	if err != nil {
		return nil, err
	}
	r := &replica{cli: cli, prefix: eo.Prefix, commitKey: eo.Prefix + commitName, timeout: eo.RequestTimeout,
		maxOps: eo.MaxTxnOps, dir: eo.Dir, log: opts.Logger, pending: map[string]*pendingCommit{},
		progress: make(chan struct{}), stuck: make(chan struct{}, 1), done: make(chan struct{})}
	var idb [6]byte
	_, _ = rand.Read(idb[:])
	r.id = hex.EncodeToString(idb[:])
	rev, err := r.prepare(ctx)
	if err != nil {
		cli.Close()
		return nil, err
	}
	fail := func(err error) (*Store, error) {
		r.closeMirror()
		cli.Close()
		return nil, err
	}
	s, err := newStore(r.db, opts, r)
	if err != nil {
		return fail(fmt.Errorf("%w in etcd %s", err, r.prefix))
	}
	wctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	r.cancel = cancel
	go r.watch(wctx, rev)
	return s, nil
}

// openMirror creates an empty mirror file.
func (r *replica) openMirror() error {
	if r.dir == "" {
		d, err := os.MkdirTemp("", "seira-mirror-")
		if err != nil {
			return fmt.Errorf("storage: mirror directory: %w", err)
		}
		r.dir, r.ownDir = d, true
	}
	if err := os.MkdirAll(r.dir, 0o750); err != nil {
		return fmt.Errorf("storage: mirror directory: %w", err)
	}
	path := filepath.Join(r.dir, mirrorFile)
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("storage: old mirror: %w", err)
	}
	// The mirror is rebuilt from the cluster on start, so it never needs to
	// survive a crash: no fsync.
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: 2 * time.Second, NoSync: true, NoFreelistSync: true,
		FreelistType: bolt.FreelistMapType, InitialMmapSize: 1 << 30})
	if err != nil {
		return fmt.Errorf("storage: open mirror: %w", err)
	}
	r.db = db
	return nil
}

func (r *replica) closeMirror() {
	r.db.Close()
	os.Remove(filepath.Join(r.dir, mirrorFile))
	if r.ownDir {
		os.RemoveAll(r.dir)
	}
}

// close stops the watch and releases the cluster and the mirror.
func (r *replica) close() {
	if r.cancel != nil {
		r.cancel()
		<-r.done
	}
	r.cli.Close()
	r.closeMirror()
}

// OnRemote registers f to hear of commits made by other instances, in
// commit order, after the mirror holds them. f runs with commits held back
// and must not block. On a bbolt store it is never called.
func (s *Store) OnRemote(f func(Change)) {
	if s.rep == nil {
		return
	}
	s.rep.mu.Lock()
	s.rep.listeners = append(s.rep.listeners, f)
	s.rep.mu.Unlock()
}

// Ready reports whether the store can commit: on etcd, whether a quorum
// answers a linearizable read.
func (s *Store) Ready(ctx context.Context) error {
	if s.rep == nil {
		return nil
	}
	// A quorum answers a read in milliseconds; a load balancer's health
	// check waits a few seconds at most.
	ctx, cancel := context.WithTimeout(ctx, min(s.rep.timeout, readyTimeout))
	defer cancel()
	if _, err := s.rep.cli.Get(ctx, s.rep.commitKey); err != nil {
		return queue.Errorf(queue.CodeUnavailable, "etcd has no quorum: %v", err)
	}
	return nil
}

// Sync waits until the local mirror holds every commit made anywhere
// before it was called (one quorum read), so that a read after it sees what
// any instance acknowledged. On bbolt it returns at once.
func (s *Store) Sync(ctx context.Context) error {
	if s.rep == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, s.rep.timeout)
	defer cancel()
	resp, err := s.rep.cli.Get(ctx, s.rep.commitKey)
	if err != nil {
		return unavailable(err)
	}
	if len(resp.Kvs) == 0 {
		return nil
	}
	if err := s.rep.waitPast(resp.Kvs[0].ModRevision - 1); err != nil {
		return unavailable(err)
	}
	return nil
}

// readyTimeout bounds Ready's quorum read.
const readyTimeout = 2 * time.Second

// Replicated reports whether the store writes to a cluster (and so cannot
// be backed up by copying its file).
func (s *Store) Replicated() bool { return s.rep != nil }

// Revision is the cluster revision of the last commit the local mirror
// holds (0 on bbolt).
func (s *Store) Revision() int64 {
	if s.rep == nil {
		return 0
	}
	return s.rep.applied.Load()
}

// unavailable is what writers hear when the cluster does not answer.
func unavailable(err error) error {
	return &queue.Error{Code: queue.CodeUnavailable, Message: "the store cannot write: " + err.Error()}
}
