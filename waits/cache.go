package waits

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"
)

// body is one serialised answer with its ETag.
type body struct {
	data []byte
	etag string
}

// entry is one build: the whole answer and each branch's, kept until
// expires.
type entry struct {
	built, expires time.Time
	all            body
	branches       map[string]body
}

// flight is a build in progress; done is closed when it ends.
type flight struct {
	done chan struct{}
	e    *entry
	err  error
}

// cache keeps the latest build and makes sure that at most one build runs
// at a time: readers that find it stale while a build runs wait for that
// build rather than starting their own.
type cache struct {
	ttl    time.Duration
	now    func() time.Time
	build  func(ctx context.Context, at time.Time) (*entry, error)
	builds atomic.Int64

	cur atomic.Pointer[entry]
	mu  sync.Mutex // guards inflight
	inf *flight
}

func newCache(ttl time.Duration, now func() time.Time, build func(context.Context, time.Time) (*entry, error)) *cache {
	return &cache{ttl: ttl, now: now, build: build}
}

// fresh reports whether e may still be served at now. A clock that went
// back makes it stale too: "at" must never be in the future.
func (c *cache) fresh(e *entry, now time.Time) bool {
	return e != nil && !now.Before(e.built) && now.Before(e.expires)
}

// get returns a fresh build, building it if needed.
func (c *cache) get(ctx context.Context) (*entry, error) {
	if e := c.cur.Load(); c.fresh(e, c.now()) {
		return e, nil
	}
	c.mu.Lock()
	if e := c.cur.Load(); c.fresh(e, c.now()) {
		c.mu.Unlock()
		return e, nil
	}
	f := c.inf
	if f == nil {
		f = &flight{done: make(chan struct{})}
		c.inf = f
		c.mu.Unlock()
		c.run(ctx, f)
		return f.e, f.err
	}
	c.mu.Unlock()
	select {
	case <-f.done:
		return f.e, f.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// run builds into f, apart from ctx's cancellation, and publishes it.
// The waiters are released however the build ends (a panic included).
func (c *cache) run(ctx context.Context, f *flight) {
	defer func() {
		c.mu.Lock()
		c.inf = nil
		c.mu.Unlock()
		close(f.done)
	}()
	f.err = errBuildFailed
	bctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), buildTimeout)
	defer cancel()
	built := c.now()
	c.builds.Add(1)
	e, err := c.build(bctx, built)
	if err != nil {
		f.err = err
		return
	}
	// The TTL runs from the moment of the figures, not from the end of
	// the build.
	e.built, e.expires = built, built.Add(c.ttl)
	c.cur.Store(e)
	f.e, f.err = e, nil
}

// errBuildFailed is what waiters get when a build ended without an answer
// or an error (it panicked).
var errBuildFailed = errors.New("waits: the build failed")
