package storage

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/seira-queue/seira/queue"
)

func openTest(t testing.TB) *Store {
	t.Helper()
	s, err := Open(filepath.Join(t.TempDir(), "seira.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func withBranch(t testing.TB, s *Store) {
	t.Helper()
	err := s.Update(context.Background(), func(tx *Tx) error {
		_, err := tx.CreateBranch(queue.Branch{ID: "demo"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestMigrationsEachStep(t *testing.T) {
	list := migrations()
	for n := 1; n <= len(list); n++ {
		t.Run(list[n-1].name, func(t *testing.T) {
			db, err := bolt.Open(filepath.Join(t.TempDir(), "m.db"), 0o600, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if err := migrate(db, list[:n-1]); err != nil {
				t.Fatal(err)
			}
			if v, _ := schemaVersion(db); v != n-1 {
				t.Fatalf("version %d before migration %d", v, n)
			}
			if err := migrate(db, list[:n]); err != nil {
				t.Fatal(err)
			}
			if v, _ := schemaVersion(db); v != n {
				t.Fatalf("version %d after migration %d", v, n)
			}
			checkMigration(t, db, n)
			// Running again is a no-op.
			if err := migrate(db, list[:n]); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// checkMigration asserts what migration n must have created.
func checkMigration(t *testing.T, db *bolt.DB, n int) {
	t.Helper()
	err := db.View(func(tx *bolt.Tx) error {
		if migrations()[n-1].name == migrationRemote {
			// Branches made before it get the bucket: see
			// TestMigrationAddsRemoteBuckets.
			return nil
		}
		switch n {
		case 1:
			for _, name := range [][]byte{bktMeta, bktBranches, bktRefs} {
				if tx.Bucket(name) == nil {
					return fmt.Errorf("bucket %s missing", name)
				}
			}
		case 2:
			for _, k := range recordKinds() {
				if tx.Bucket([]byte(k)) == nil {
					return fmt.Errorf("bucket %s missing", k)
				}
			}
		case 3:
			// On an empty store there is nothing to derive; with data see
			// TestMigrationBuildsOutcomesFromEvents.
			return nil
		case 4:
			// Branches made before it get the bucket: see
			// TestMigrationAddsArrivalBuckets.
			return nil
		case 5:
			if k := tx.Bucket(bktMeta).Get(keyTokenKey); len(k) != TokenKeyLen || bytes.Count(k, []byte{0}) == TokenKeyLen {
				return fmt.Errorf("token key %x", k)
			}
		case 6:
			// Branches made before it get the buckets: see
			// TestMigrationAddsAppointmentBuckets.
			if tx.Bucket(bktApptTokens) == nil {
				return fmt.Errorf("bucket %s missing", bktApptTokens)
			}
		case 7:
			if tx.Bucket(bktLimits) == nil {
				return fmt.Errorf("bucket %s missing", bktLimits)
			}
		case 8:
			for _, k := range tokenKinds() {
				if tx.Bucket([]byte(k)) == nil {
					return fmt.Errorf("bucket %s missing", k)
				}
			}
		case 9:
			// Announcements: branches made before it get the bucket, see
			// TestMigrationAddsAnnouncementBuckets.
			return nil
		case 11:
			// Branches made before it get the buckets: see
			// TestMigrationAddsWebhookBuckets.
			return nil
		default:
			return fmt.Errorf("migration %d has no check: add one", n)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestNewerSchemaIsRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "seira.db")
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		b, _ := tx.CreateBucketIfNotExists(bktMeta)
		return b.Put(keySchema, u64(uint64(SchemaVersion()+1)))
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Open(path, Options{}); err == nil {
		t.Fatal("opened a file with a newer schema")
	}
}

// TestGroupCommitIsolatesFailures runs many writers at once, some failing
// and one panicking: the failures leave nothing behind, everyone else's
// writes land, and after-commit hooks run for the successful ones only.
func TestGroupCommitIsolatesFailures(t *testing.T) {
	s := openTest(t)
	withBranch(t, s)
	var mu sync.Mutex
	hooks := map[int]bool{}
	var wg sync.WaitGroup
	errs := make([]error, 200)
	for i := range 200 {
		wg.Go(func() {
			errs[i] = s.Update(context.Background(), func(tx *Tx) error {
				b, err := tx.Branch("demo")
				if err != nil {
					return err
				}
				if err := b.PutService(queue.Service{ID: fmt.Sprint("s", i), Prefix: "A"}); err != nil {
					return err
				}
				switch {
				case i%7 == 0:
					return queue.Errorf(queue.CodeConflict, "writer %d fails", i)
				case i == 13:
					panic("writer 13 panics")
				}
				tx.AfterCommit(func() { mu.Lock(); hooks[i] = true; mu.Unlock() })
				return nil
			})
		})
	}
	wg.Wait()
	err := s.View(context.Background(), func(tx *Tx) error {
		b, _ := tx.Branch("demo")
		for i := range 200 {
			_, err := b.Service(fmt.Sprint("s", i))
			fails := i%7 == 0 || i == 13
			switch {
			case fails && errs[i] == nil:
				t.Errorf("writer %d should have failed", i)
			case fails && err == nil:
				t.Errorf("failed writer %d left its service behind", i)
			case !fails && errs[i] != nil:
				t.Errorf("writer %d: %v", i, errs[i])
			case !fails && err != nil:
				t.Errorf("writer %d's service is missing: %v", i, err)
			}
			if hooks[i] == fails {
				t.Errorf("writer %d: hook ran = %v", i, hooks[i])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if queue.ErrorCode(errs[7]) != queue.CodeConflict {
		t.Errorf("failing writer got %v, want its own error", errs[7])
	}
}

// TestHooksRunInSequenceOrder appends events from many writers at once and
// checks the hooks see sequence numbers in order without gaps.
func TestHooksRunInSequenceOrder(t *testing.T) {
	s := openTest(t)
	withBranch(t, s)
	var seen []uint64
	var wg sync.WaitGroup
	for range 64 {
		wg.Go(func() {
			for range 20 {
				err := s.Update(context.Background(), func(tx *Tx) error {
					b, _ := tx.Branch("demo")
					ev := queue.Event{Type: queue.EvIssued}
					if err := b.AppendEvent(&ev, "2026-11-27"); err != nil {
						return err
					}
					tx.AfterCommit(func() { seen = append(seen, ev.Seq) }) // hooks run on one goroutine
					return nil
				})
				if err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	if len(seen) != 64*20 {
		t.Fatalf("%d hooks ran", len(seen))
	}
	for i, seq := range seen {
		if seq != uint64(i+1) {
			t.Fatalf("hook %d saw seq %d", i, seq)
		}
	}
}

func TestClosedStoreRefusesWrites(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "seira.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	err = s.Update(context.Background(), func(*Tx) error { return nil })
	if queue.ErrorCode(err) != queue.CodeUnavailable {
		t.Fatalf("write after close: %v", err)
	}
	if err := s.Close(); queue.ErrorCode(err) != queue.CodeUnavailable {
		t.Fatalf("second close: %v", err)
	}
}

// TestCountBeforeMatchesAWalk checks the counted positions against a plain
// walk of the waiting lists after random inserts and removals.
func TestCountBeforeMatchesAWalk(t *testing.T) {
	s := openTest(t)
	withBranch(t, s)
	rng := rand.New(rand.NewPCG(1, 2))
	var live []queue.Candidate
	var nextID uint64
	for round := range 30 {
		err := s.Update(context.Background(), func(tx *Tx) error {
			b, _ := tx.Branch("demo")
			for range 40 {
				if len(live) > 0 && rng.IntN(3) == 0 {
					i := rng.IntN(len(live))
					if err := b.RemoveWaiting(live[i]); err != nil {
						return err
					}
					live = append(live[:i], live[i+1:]...)
					continue
				}
				nextID++
				c := queue.Candidate{ID: nextID, Service: []string{"a", "b"}[rng.IntN(2)],
					Priority: rng.IntN(4) == 0, IssuedAt: int64(rng.IntN(500)), Seq: rng.IntN(100)}
				if err := b.AddWaiting(c); err != nil {
					return err
				}
				live = append(live, c)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		_ = s.View(context.Background(), func(tx *Tx) error {
			b, _ := tx.Branch("demo")
			probes := append([]queue.Candidate{{ID: 1 << 62, Service: "a", IssuedAt: 1 << 40}}, live...)
			for _, p := range probes {
				for _, svc := range []string{"a", "b"} {
					want := 0
					for _, w := range live {
						if w.Service == svc && w.ID != p.ID && queue.Before(w, p) {
							want++
						}
					}
					if got := b.CountBefore(svc, p); got != want {
						t.Fatalf("round %d: CountBefore(%s, %+v) = %d, want %d", round, svc, p, got, want)
					}
				}
			}
			return nil
		})
	}
}

func TestRemoveWaitingOfAbsentTicketFails(t *testing.T) {
	s := openTest(t)
	withBranch(t, s)
	err := s.Update(context.Background(), func(tx *Tx) error {
		b, _ := tx.Branch("demo")
		return b.RemoveWaiting(queue.Candidate{ID: 9, Service: "a"})
	})
	if err == nil {
		t.Fatal("removing an absent ticket succeeded")
	}
}

// TestMigrationBuildsOutcomesFromEvents gives a version-2 store a branch
// with an event log and checks that migration 3 derives its outcomes.
func TestMigrationBuildsOutcomesFromEvents(t *testing.T) {
	db, err := bolt.Open(filepath.Join(t.TempDir(), "m.db"), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	list := migrations()
	if err := migrate(db, list[:2]); err != nil {
		t.Fatal(err)
	}
	at := func(hhmm string) time.Time {
		v, _ := time.Parse(time.RFC3339, "2026-11-27T"+hhmm+":00+02:00")
		return v
	}
	issued := at("09:00")
	events := []queue.Event{
		{Type: queue.EvIssued, Ticket: 1, Number: "A001", Service: "a", Priority: "none", IssuedAt: issued, At: issued},
		{Type: queue.EvIssued, Ticket: 2, Number: "A002", Service: "a", Priority: "senior", IssuedAt: at("09:01"), At: at("09:01")},
		{Type: queue.EvCalled, Ticket: 1, Service: "a", IssuedAt: issued, At: at("09:10"), Counter: "1", Actor: "maria"},
		{Type: queue.EvTransferred, Ticket: 1, Service: "b", From: "a", IssuedAt: issued, At: at("09:12"), Counter: "1"},
		{Type: queue.EvCalled, Ticket: 1, Service: "b", IssuedAt: issued, At: at("09:20"), Counter: "2", Actor: "nikos"},
		{Type: queue.EvStarted, Ticket: 1, Service: "b", IssuedAt: issued, At: at("09:21"), Counter: "2"},
		{Type: queue.EvDone, Ticket: 1, Service: "b", IssuedAt: issued, At: at("09:30"), Counter: "2"},
		{Type: queue.EvCancelled, Ticket: 2, Service: "a", IssuedAt: at("09:01"), At: at("09:05")},
	}
	err = db.Update(func(tx *bolt.Tx) error {
		b, err := tx.Bucket(bktBranches).CreateBucket([]byte("demo"))
		if err != nil {
			return err
		}
		b.Put(keyConfig, []byte(`{"id":"demo","name":{"el":"Δ"}}`))
		eb, _ := b.CreateBucket(bktEvents)
		for i, ev := range events {
			raw, _ := json.Marshal(ev)
			eb.Put(u64(uint64(i+1)), raw)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := migrate(db, list[:3]); err != nil {
		t.Fatal(err)
	}
	s := &Store{db: db}
	var got []queue.Outcome
	err = s.View(context.Background(), func(tx *Tx) error {
		b, err := tx.Branch("demo")
		if err != nil {
			return err
		}
		return b.Outcomes("2026-11-27", "2026-11-27", func(o *queue.Outcome) bool { got = append(got, *o); return true })
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("%d outcomes, want 2: %+v", len(got), got)
	}
	done, cancelled := got[0], got[1]
	wait, _ := done.Wait()
	svc, _ := done.ServiceTime()
	if done.State != queue.StateDone || done.FirstService != "a" || done.Service != "b" || done.Counter != "2" ||
		done.Clerk != "nikos" || wait != 10*time.Minute || svc != 9*time.Minute {
		t.Errorf("done ticket: %+v (wait %v, service %v)", done, wait, svc)
	}
	if cancelled.State != queue.StateCancelled || !cancelled.Priority || !cancelled.FirstCalled.IsZero() {
		t.Errorf("cancelled ticket: %+v", cancelled)
	}
}

func TestMigrationAddsArrivalBuckets(t *testing.T) {
	checkMigrationAddsBranchBuckets(t, "create the buckets of priority arrival rates", bktArrivals)
}

func TestMigrationAddsRemoteBuckets(t *testing.T) {
	checkMigrationAddsBranchBuckets(t, migrationRemote, bktRemote)
}

// TestRemoteCountsByDay: the count of remote tickets is per service and
// day, and the turn of the day prunes the days before.
func TestRemoteCountsByDay(t *testing.T) {
	s := openTest(t)
	withBranch(t, s)
	ctx := context.Background()
	err := s.Update(ctx, func(tx *Tx) error {
		b, err := tx.Branch("demo")
		if err != nil {
			return err
		}
		for _, k := range []struct{ day, svc string }{{"2026-12-06", "a"}, {"2026-12-07", "a"}, {"2026-12-07", "a"}, {"2026-12-07", "b"}} {
			if _, err := b.TakeRemote(k.day, k.svc); err != nil {
				return err
			}
		}
		return b.PruneRemote("2026-12-07")
	})
	if err != nil {
		t.Fatal(err)
	}
	s.View(ctx, func(tx *Tx) error {
		b, _ := tx.Branch("demo")
		if a, bb, old := b.RemoteTaken("2026-12-07", "a"), b.RemoteTaken("2026-12-07", "b"), b.RemoteTaken("2026-12-06", "a"); a != 2 || bb != 1 || old != 0 {
			t.Errorf("counts a %d, b %d, the day before %d (pruned)", a, bb, old)
		}
		return nil
	})
}

// TestCachedCountersMatchTheFile writes counters from many writers at once,
// some of whose batches roll back, and checks after every round that the
// counters a transaction reads (from the cache the writes carry forward)
// are exactly those decoded from the file.
func TestCachedCountersMatchTheFile(t *testing.T) {
	s := openTest(t)
	withBranch(t, s)
	ctx := context.Background()
	fromFile := func(tx *Tx) []queue.Counter {
		b, err := tx.Branch("demo")
		if err != nil {
			t.Fatal(err)
		}
		list, err := all[queue.Counter](b.bucket(bktCounters))
		if err != nil {
			t.Fatal(err)
		}
		slices.SortStableFunc(list, func(x, y queue.Counter) int { return queue.CompareIDs(x.ID, y.ID) })
		return list
	}
	check := func(round int) {
		t.Helper()
		err := s.View(ctx, func(tx *Tx) error {
			b, _ := tx.Branch("demo")
			got, err := b.Counters()
			if err != nil {
				return err
			}
			if want := fromFile(tx); !reflect.DeepEqual(got, want) {
				t.Errorf("round %d: cached counters\n%+v\nfile\n%+v", round, got, want)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	for round := range 20 {
		var wg sync.WaitGroup
		for i := range 16 {
			wg.Go(func() {
				_ = s.Update(ctx, func(tx *Tx) error {
					b, err := tx.Branch("demo")
					if err != nil {
						return err
					}
					// Read first, as call-next does, so the cache is warm.
					if _, err := b.Counters(); err != nil {
						return err
					}
					c := queue.Counter{ID: fmt.Sprint(1 + rand.IntN(12)), Status: queue.CounterOpen, Serves: []string{"a", "b"}, Current: uint64(round*100 + i),
						CalledAt: time.Now().Add(time.Duration(i) * time.Second)}
					if err := b.PutCounter(c); err != nil {
						return err
					}
					if i%5 == 0 {
						return queue.Errorf(queue.CodeConflict, "writer %d rolls back", i)
					}
					return nil
				})
			})
		}
		wg.Wait()
		check(round)
	}
}

// The token key is made once and kept: tokens handed out stay valid after
// a restart, and two stores do not share one.
func TestTokenKeyIsKept(t *testing.T) {
	path := filepath.Join(t.TempDir(), "seira.db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	key := bytes.Clone(s.TokenKey())
	s.Close()
	if s, err = Open(path, Options{}); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if len(key) != TokenKeyLen || !bytes.Equal(s.TokenKey(), key) {
		t.Errorf("key %x after reopening, was %x", s.TokenKey(), key)
	}
	if other := openTest(t); bytes.Equal(other.TokenKey(), key) {
		t.Error("two stores have the same token key")
	}
}
