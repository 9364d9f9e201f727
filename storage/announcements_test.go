package storage

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/seira-queue/seira/queue"
)

// TestMigrationAddsAnnouncementBuckets: a branch made before the
// announcements' migration gets their bucket.
func TestMigrationAddsAnnouncementBuckets(t *testing.T) {
	db, err := bolt.Open(filepath.Join(t.TempDir(), "m.db"), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	list := migrations()
	n := migrationNamed(t, list, "create the buckets of announcements")
	if err := migrate(db, list[:n]); err != nil {
		t.Fatal(err)
	}
	if err := db.Update(func(tx *bolt.Tx) error {
		_, err := tx.Bucket(bktBranches).CreateBucket([]byte("old"))
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if err := migrate(db, list[:n+1]); err != nil {
		t.Fatal(err)
	}
	_ = db.View(func(tx *bolt.Tx) error {
		if tx.Bucket(bktBranches).Bucket([]byte("old")).Bucket(bktNotices) == nil {
			t.Errorf("the branch has no %s bucket", bktNotices)
		}
		return nil
	})
}

// migrationNamed is the index of the migration called name.
func migrationNamed(t *testing.T, list []migration, name string) int {
	t.Helper()
	for i, m := range list {
		if m.name == name {
			return i
		}
	}
	t.Fatalf("no migration %q", name)
	return 0
}

// TestAnnouncementsStoredActiveAndPruned stores three announcements, reads
// the active ones at two moments, deletes one and prunes the expired.
func TestAnnouncementsStoredActiveAndPruned(t *testing.T) {
	s := openTest(t)
	withBranch(t, s)
	ctx := context.Background()
	at := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	err := s.Update(ctx, func(tx *Tx) error {
		b, err := tx.Branch("demo")
		if err != nil {
			return err
		}
		for _, d := range []time.Duration{10 * time.Minute, time.Hour, 2 * time.Hour} {
			id, err := b.NewAnnouncementID()
			if err != nil {
				return err
			}
			a := queue.Announcement{ID: id, Text: queue.Text{"el": "Μήνυμα"}, To: queue.AudienceWaiting, At: at, ExpiresAt: at.Add(d)}
			if err := b.PutAnnouncement(a); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	active := func(now time.Time) []uint64 {
		t.Helper()
		var ids []uint64
		err := s.View(ctx, func(tx *Tx) error {
			b, err := tx.Branch("demo")
			if err != nil {
				return err
			}
			list, err := b.Announcements(now)
			for _, a := range list {
				ids = append(ids, a.ID)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return ids
	}
	if got := active(at); !equalIDs(got, 1, 2, 3) {
		t.Errorf("active at the start: %v, want 1 2 3", got)
	}
	if got := active(at.Add(10 * time.Minute)); !equalIDs(got, 2, 3) {
		t.Errorf("active at its expiry: %v, want 2 3 (an announcement ends at expires_at)", got)
	}
	err = s.Update(ctx, func(tx *Tx) error {
		b, err := tx.Branch("demo")
		if err != nil {
			return err
		}
		if err := b.DeleteAnnouncement(3); err != nil {
			return err
		}
		return b.PruneAnnouncements(at.Add(30 * time.Minute))
	})
	if err != nil {
		t.Fatal(err)
	}
	err = s.View(ctx, func(tx *Tx) error {
		b, _ := tx.Branch("demo")
		if _, err := b.Announcement(1); queue.ErrorCode(err) != queue.CodeNotFound {
			t.Errorf("the expired announcement after pruning: %v, want not_found", err)
		}
		if _, err := b.Announcement(3); queue.ErrorCode(err) != queue.CodeNotFound {
			t.Errorf("the deleted announcement: %v, want not_found", err)
		}
		a, err := b.Announcement(2)
		if err != nil || a.Text["el"] != "Μήνυμα" || !a.ExpiresAt.Equal(at.Add(time.Hour)) {
			t.Errorf("the one left: %+v %v", a, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func equalIDs(got []uint64, want ...uint64) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if got[i] != want[i] {
			return false
		}
	}
	return true
}
