package storage

import (
	"bytes"
	"time"

	"github.com/seira-queue/seira/queue"
)

// bktNotices holds a branch's announcements to its waiting citizens
// (notices/<id u64> → JSON queue.Announcement, bucket sequence = last id).
// A withdrawn one is deleted; an expired one stays until the next post
// prunes it (readers filter by time): the event log keeps them all.
var bktNotices = []byte("notices")

// notices returns the branch's announcements bucket (nil in a store that
// predates it and has not been migrated: read as empty).
func (b *BranchTx) notices() *bucket { return b.bucket(bktNotices) }

// NewAnnouncementID allocates the next announcement id of the branch.
func (b *BranchTx) NewAnnouncementID() (uint64, error) {
	nb := b.notices()
	if nb == nil {
		return 0, queue.Errorf(queue.CodeUnavailable, "the store has no announcements yet: restart to migrate it")
	}
	id, err := nb.NextSequence()
	return id, wrap("new announcement id", err)
}

// Announcement returns announcement id or not_found.
func (b *BranchTx) Announcement(id uint64) (queue.Announcement, error) {
	var a queue.Announcement
	nb := b.notices()
	if nb == nil {
		return a, queue.Errorf(queue.CodeNotFound, "no announcement %d", id)
	}
	return a, getJSON(nb, u64(id), &a, "announcement")
}

// PutAnnouncement stores an announcement.
func (b *BranchTx) PutAnnouncement(a queue.Announcement) error {
	return putJSON(b.notices(), u64(a.ID), a)
}

// DeleteAnnouncement removes an announcement.
func (b *BranchTx) DeleteAnnouncement(id uint64) error {
	return wrap("delete announcement", b.notices().Delete(u64(id)))
}

// Announcements returns the announcements still active at now, oldest
// first.
func (b *BranchTx) Announcements(now time.Time) ([]queue.Announcement, error) {
	nb := b.notices()
	if nb == nil {
		return nil, nil
	}
	list, err := all[queue.Announcement](nb)
	out := list[:0]
	for _, a := range list {
		if a.ActiveAt(now) {
			out = append(out, a)
		}
	}
	return out, err
}

// PruneAnnouncements deletes the announcements expired by now.
func (b *BranchTx) PruneAnnouncements(now time.Time) error {
	nb := b.notices()
	if nb == nil {
		return nil
	}
	var old [][]byte
	err := nb.ForEach(func(k, v []byte) error {
		var a queue.Announcement
		if err := decodeRecord(v, &a); err != nil {
			return err
		}
		if !a.ActiveAt(now) {
			old = append(old, bytes.Clone(k))
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, k := range old {
		if err := nb.Delete(k); err != nil {
			return wrap("prune announcements", err)
		}
	}
	return nil
}
