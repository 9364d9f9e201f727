package storage

import (
	"context"
	"testing"
	"time"

	"github.com/seira-queue/seira/queue"
)

// TestMigrationAddsAnnouncementBuckets: a branch made before the
// announcements' migration gets their bucket.
func TestMigrationAddsAnnouncementBuckets(t *testing.T) {
	checkMigrationAddsBranchBuckets(t, "create the buckets of announcements", bktNotices)
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
