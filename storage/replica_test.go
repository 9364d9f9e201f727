package storage

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/seira-queue/seira/internal/etcdtest"
	"github.com/seira-queue/seira/queue"
)

func openEtcd(t testing.TB, c *etcdtest.Cluster, prefix string) *Store {
	t.Helper()
	s, err := OpenEtcd(context.Background(), EtcdOptions{Endpoints: c.Endpoints(), Prefix: prefix, Dir: t.TempDir(),
		RequestTimeout: 3 * time.Second, MaxTxnOps: 1024}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// appendEvents appends n events to branch "demo", one write each.
func appendEvents(t testing.TB, s *Store, n int) {
	t.Helper()
	for range n {
		err := s.Update(context.Background(), func(tx *Tx) error {
			b, err := tx.Branch("demo")
			if err != nil {
				return err
			}
			return b.AppendEvent(&queue.Event{Type: queue.EvIssued, At: time.Unix(1e9, 0).UTC()}, "2026-12-04")
		})
		if err != nil {
			t.Error(err)
			return
		}
	}
}

// waitRevision waits until every store's mirror holds revision rev.
func waitRevision(t testing.TB, rev int64, stores ...*Store) {
	t.Helper()
	for _, s := range stores {
		for s.Revision() < rev {
			s.rep.mu.Lock()
			ch := s.rep.progress
			s.rep.mu.Unlock()
			if s.Revision() >= rev {
				break
			}
			select {
			case <-ch:
			case <-time.After(30 * time.Second):
				t.Fatalf("the mirror stayed at %d, not %d", s.Revision(), rev)
			}
		}
	}
}

func mirrorFlat(t testing.TB, s *Store) map[string][]byte {
	t.Helper()
	m, err := flatFile(s.db)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestEtcdInstancesShareOneSequence has two instances append events at the
// same time: the events get one gap-free sequence, both mirrors end equal
// to the cluster, and each instance hears of the other's events, in order.
func TestEtcdInstancesShareOneSequence(t *testing.T) {
	c := etcdtest.Start(t, etcdtest.Options{})
	a := openEtcd(t, c, "/seq/")
	withBranch(t, a)
	b := openEtcd(t, c, "/seq/")

	var mu sync.Mutex
	heard := map[*Store][]uint64{}
	for _, s := range []*Store{a, b} {
		s.OnRemote(func(ch Change) {
			mu.Lock()
			defer mu.Unlock()
			for _, ev := range ch.Events {
				heard[s] = append(heard[s], ev.Seq)
			}
		})
	}
	const n = 60
	var wg sync.WaitGroup
	for _, s := range []*Store{a, a, b, b} {
		wg.Go(func() { appendEvents(t, s, n) })
	}
	wg.Wait()
	waitRevision(t, max(a.Revision(), b.Revision()), a, b)

	var seqs []uint64
	for _, s := range []*Store{a, b} {
		if err := s.View(context.Background(), func(tx *Tx) error {
			br, err := tx.Branch("demo")
			if err != nil {
				return err
			}
			var got []uint64
			br.Events(0, func(e queue.Event) bool { got = append(got, e.Seq); return true })
			if s == a {
				seqs = got
			} else if !slices.Equal(got, seqs) {
				t.Errorf("the two mirrors hold different events: %d and %d", len(seqs), len(got))
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	if len(seqs) != 4*n {
		t.Fatalf("%d events, want %d", len(seqs), 4*n)
	}
	for i, s := range seqs {
		if s != uint64(i+1) {
			t.Fatalf("event %d has seq %d: the sequence has a gap or a repeat", i, s)
		}
	}
	mu.Lock()
	for s, got := range heard {
		if !slices.IsSorted(got) || len(got) == 0 || len(got) >= 4*n {
			t.Errorf("an instance heard %d remote events, sorted %v", len(got), slices.IsSorted(got))
		}
		_ = s
	}
	if len(heard[a])+len(heard[b]) != 4*n {
		t.Errorf("the instances heard %d + %d remote events, want %d in all", len(heard[a]), len(heard[b]), 4*n)
	}
	mu.Unlock()

	kvs, _, _, err := a.rep.snapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []*Store{a, b} {
		if m := mirrorFlat(t, s); !maps.EqualFunc(m, kvs, bytes.Equal) {
			t.Errorf("a mirror (%d keys) differs from the cluster (%d keys)", len(m), len(kvs))
		}
	}
}

// TestEtcdReopenKeepsData closes every instance and opens a new one: it
// finds the same data, and a second start does not run the schema again.
func TestEtcdReopenKeepsData(t *testing.T) {
	c := etcdtest.Start(t, etcdtest.Options{})
	s, err := OpenEtcd(context.Background(), EtcdOptions{Endpoints: c.Endpoints(), Prefix: "/re/", Dir: t.TempDir()}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	withBranch(t, s)
	appendEvents(t, s, 5)
	key := bytes.Clone(s.TokenKey())
	before := mirrorFlat(t, s)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	r := openEtcd(t, c, "/re/")
	if !bytes.Equal(r.TokenKey(), key) {
		t.Error("the token key changed on reopening")
	}
	if after := mirrorFlat(t, r); !maps.EqualFunc(before, after, bytes.Equal) {
		t.Errorf("reopened with %d keys, closed with %d", len(after), len(before))
	}
	other := openEtcd(t, c, "/other/")
	if bytes.Equal(other.TokenKey(), key) {
		t.Error("two prefixes share a token key: they are not separate stores")
	}
}

// TestEtcdFailedWriteLeavesNothing: a write whose fn fails is not sent,
// and the others of its batch are.
func TestEtcdFailedWriteLeavesNothing(t *testing.T) {
	c := etcdtest.Start(t, etcdtest.Options{})
	s := openEtcd(t, c, "/fail/")
	withBranch(t, s)
	rev := s.Revision()
	boom := errors.New("boom")
	err := s.Update(context.Background(), func(tx *Tx) error {
		b, _ := tx.Branch("demo")
		if err := b.AppendEvent(&queue.Event{Type: queue.EvIssued}, "2026-12-04"); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("got %v", err)
	}
	if s.Revision() != rev {
		t.Errorf("a failed write moved the revision from %d to %d", rev, s.Revision())
	}
	if got := lastSeq(t, s); got != 0 {
		t.Errorf("last seq %d after a failed write", got)
	}
}

func lastSeq(t testing.TB, s *Store) uint64 {
	var n uint64
	if err := s.View(context.Background(), func(tx *Tx) error {
		b, err := tx.Branch("demo")
		n = b.LastSeq()
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestEtcdWithoutQuorum: with the cluster gone, writes fail as unavailable
// (never as success), reads still answer from the mirror, and Ready says
// no.
func TestEtcdWithoutQuorum(t *testing.T) {
	c := etcdtest.Start(t, etcdtest.Options{})
	s, err := OpenEtcd(context.Background(), EtcdOptions{Endpoints: c.Endpoints(), Prefix: "/q/", Dir: t.TempDir(),
		RequestTimeout: 500 * time.Millisecond}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	withBranch(t, s)
	appendEvents(t, s, 3)
	if err := s.Ready(context.Background()); err != nil {
		t.Fatalf("not ready with the cluster up: %v", err)
	}
	c.Members[0].Stop()
	err = s.Update(context.Background(), func(tx *Tx) error {
		b, _ := tx.Branch("demo")
		return b.AppendEvent(&queue.Event{Type: queue.EvIssued}, "2026-12-04")
	})
	if queue.ErrorCode(err) != queue.CodeUnavailable {
		t.Errorf("a write without etcd: %v, want unavailable", err)
	}
	if err := s.Ready(context.Background()); err == nil {
		t.Error("ready without etcd")
	}
	if got := lastSeq(t, s); got != 3 {
		t.Errorf("the mirror reads seq %d, want 3", got)
	}

	// The cluster comes back: the same instance writes again, without a
	// restart, and a new instance reads what it wrote.
	if err := c.Members[0].Restart(); err != nil {
		t.Fatal(err)
	}
	// The client reconnects on its own, with backoff: a bounded wait for a
	// quorum read, the one place a real network needs a retry.
	deadline := time.Now().Add(60 * time.Second)
	for s.Ready(context.Background()) != nil && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	werr := s.Update(context.Background(), func(tx *Tx) error {
		b, _ := tx.Branch("demo")
		return b.AppendEvent(&queue.Event{Type: queue.EvIssued}, "2026-12-04")
	})
	if werr != nil {
		t.Fatalf("no write after the cluster came back: %v", werr)
	}
	if got := lastSeq(t, s); got != 4 {
		t.Errorf("after the cluster came back: seq %d, want 4", got)
	}
	if got := lastSeq(t, openEtcd(t, c, "/q/")); got != 4 {
		t.Errorf("a new instance reads seq %d, want 4", got)
	}
}

// TestFlatKeysRoundTrip: any bucket path and key survives the flat form.
func TestFlatKeysRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	seg := func() []byte {
		b := make([]byte, 1+r.IntN(12))
		for i := range b {
			b[i] = byte(r.IntN(256))
		}
		return b
	}
	for range 2000 {
		var path [][]byte
		p := ""
		for range 1 + r.IntN(4) {
			s := seg()
			path = append(path, s)
			p = bucketKey(p, s)
		}
		gotPath, leaf, err := splitFlat(p)
		if err != nil || leaf != nil || !slices.EqualFunc(gotPath, path, bytes.Equal) {
			t.Fatalf("bucket %q: %q %q %v", p, gotPath, leaf, err)
		}
		k := seg()
		gotPath, leaf, err = splitFlat(leafKey(p, k))
		if err != nil || !bytes.Equal(leaf, k) || !slices.EqualFunc(gotPath, path, bytes.Equal) {
			t.Fatalf("key %q: %q %q %v", leafKey(p, k), gotPath, leaf, err)
		}
		if strings.HasPrefix(p, "!") {
			t.Fatalf("%q collides with the commit key's form", p)
		}
	}
	for _, bad := range []string{"a/%4", "a/%zz", "a/b c", "a//b", "k"} {
		if _, _, err := splitFlat(bad); err == nil {
			t.Errorf("splitFlat(%q) accepted", bad)
		}
	}
}

// TestEtcdRefusalIsNeverStale: a write that one instance acknowledged is
// seen by a write that starts on another instance after it, even when that
// instance's mirror has not heard of it yet, so a refusal ("there is no
// such event") is never made on old state.
func TestEtcdRefusalIsNeverStale(t *testing.T) {
	c := etcdtest.Start(t, etcdtest.Options{})
	a := openEtcd(t, c, "/stale/")
	withBranch(t, a)
	b := openEtcd(t, c, "/stale/")
	for i := range 200 {
		appendEvents(t, a, 1)
		want := uint64(i + 1)
		err := b.Update(context.Background(), func(tx *Tx) error {
			br, err := tx.Branch("demo")
			if err != nil {
				return err
			}
			if got := br.LastSeq(); got < want {
				return fmt.Errorf("event %d, acknowledged before this write began, is missing (last %d)", want, got)
			}
			return nil
		})
		if err != nil {
			t.Fatalf("write %d: %v", i, err)
		}
	}
}

// TestTokensSharedByInstances: a rate limit taken on one instance is spent
// on the other, refills with time, and old buckets are pruned; on bbolt the
// same calls work alone.
func TestTokensSharedByInstances(t *testing.T) {
	c := etcdtest.Start(t, etcdtest.Options{})
	a, b := openEtcd(t, c, "/lim/"), openEtcd(t, c, "/lim/")
	ctx := context.Background()
	now := time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)
	take := func(s *Store, at time.Time) bool {
		t.Helper()
		ok, err := s.Tokens(ctx, "kiosk:k1", 1.0/60, 3, at, true)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	// A burst of 3, taken across both instances, then refused on either.
	if !take(a, now) || !take(b, now) || !take(a, now) {
		t.Fatal("the burst of 3 was refused")
	}
	if take(b, now) || take(a, now) {
		t.Fatal("a fourth token in the same minute, from the other instance")
	}
	if ok, _ := b.Tokens(ctx, "kiosk:k1", 1.0/60, 3, now, false); ok {
		t.Error("looking finds a token in an empty bucket")
	}
	// A minute later one token is back.
	if !take(b, now.Add(time.Minute)) || take(a, now.Add(time.Minute)) {
		t.Error("after a minute: want exactly one token")
	}
	if n, err := a.PruneTokens(ctx, now.Add(time.Hour)); err != nil || n != 1 {
		t.Errorf("pruned %d, %v; want 1", n, err)
	}
	if !take(b, now.Add(time.Minute)) {
		t.Error("a pruned bucket starts full")
	}
	alone := openTest(t)
	if !func() bool { ok, err := alone.Tokens(ctx, "x", 1, 1, now, true); return ok && err == nil }() {
		t.Error("bbolt: no token in a new bucket")
	}
}
