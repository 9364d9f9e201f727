package engine

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/seira-queue/seira/demo"
	"github.com/seira-queue/seira/internal/storetest"
	"github.com/seira-queue/seira/queue"
	"github.com/seira-queue/seira/storage"
)

func ptr[T any](v T) *T { return &v }

// TestAnnouncementStoredWithItsEvent: posting stores the announcement and
// appends its event (with the text, without who posted it: the event's
// actor says that) in one transaction; the snapshot carries it until its
// expiry by the engine's clock, then leaves it out with no job having run.
func TestAnnouncementStoredWithItsEvent(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	start := f.clock.Now()
	a, err := f.e.PostAnnouncement(ctx, demo.BranchID, "manager", AnnouncementRequest{
		Text:    queue.Text{"el": "  Το σύστημα της εφορίας δεν λειτουργεί ", "en": "The tax system is down"},
		Minutes: ptr(20),
	})
	if err != nil {
		t.Fatal(err)
	}
	if a.ID == 0 || a.To != queue.AudienceWaiting || a.By != "manager" || !a.At.Equal(start) || !a.ExpiresAt.Equal(start.Add(20*time.Minute)) ||
		a.Text["el"] != "Το σύστημα της εφορίας δεν λειτουργεί" {
		t.Fatalf("posted: %+v", a)
	}
	if name, _ := a.ExpiresAt.Zone(); name != "EET" {
		t.Errorf("expires_at in zone %s, want the branch's (EET)", name)
	}
	evs := f.events()
	if len(evs) != 1 || evs[0].Type != queue.EvAnnouncementPosted || evs[0].Actor != "manager" || evs[0].Subject != strconv.FormatUint(a.ID, 10) {
		t.Fatalf("events: %+v", evs)
	}
	var inEvent queue.Announcement
	if err := json.Unmarshal(evs[0].Detail, &inEvent); err != nil || inEvent.Text["en"] != "The tax system is down" || inEvent.By != "" ||
		!inEvent.ExpiresAt.Equal(a.ExpiresAt) {
		t.Fatalf("the event's detail: %s (%v)", evs[0].Detail, err)
	}
	// The stored event log (the audit trail) has it too.
	stored, _, err := f.e.EventsSince(ctx, demo.BranchID, evs[0].Seq-1, 10)
	if err != nil || len(stored) != 1 || stored[0].Type != queue.EvAnnouncementPosted || stored[0].Actor != "manager" {
		t.Fatalf("stored events: %+v %v", stored, err)
	}

	active := func() []queue.Announcement {
		t.Helper()
		snap, err := f.e.Snapshot(ctx, demo.BranchID)
		if err != nil {
			t.Fatal(err)
		}
		list, _, err := f.e.Announcements(ctx, demo.BranchID)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != len(snap.Announcements) {
			t.Fatalf("Announcements %d, snapshot %d", len(list), len(snap.Announcements))
		}
		return snap.Announcements
	}
	if got := active(); len(got) != 1 || got[0].ID != a.ID {
		t.Fatalf("active now: %+v", got)
	}
	f.clock.Add(20*time.Minute - time.Nanosecond)
	if got := active(); len(got) != 1 {
		t.Fatalf("just before its expiry: %+v", got)
	}
	f.clock.Add(time.Nanosecond)
	if got := active(); len(got) != 0 {
		t.Fatalf("at its expiry: %+v", got)
	}
	// Withdrawing an expired announcement: nothing to withdraw.
	wantCode(t, f.e.WithdrawAnnouncement(ctx, demo.BranchID, "manager", a.ID), queue.CodeNotFound)
	if n := len(f.events()); n != 1 {
		t.Fatalf("a refused withdrawal appended an event: %d events", n)
	}
	// The next posting prunes it from the store.
	if _, err := f.e.PostAnnouncement(ctx, demo.BranchID, "manager", AnnouncementRequest{Text: queue.Text{"en": "Next"}}); err != nil {
		t.Fatal(err)
	}
	err = f.store.View(ctx, func(tx *storage.Tx) error {
		b, err := tx.Branch(demo.BranchID)
		if err != nil {
			return err
		}
		_, err = b.Announcement(a.ID)
		return err
	})
	wantCode(t, err, queue.CodeNotFound)
}

// TestAnnouncementWithdrawn: a withdrawal deletes the announcement and
// appends its event; a second one, or one of an unknown id, is not_found.
func TestAnnouncementWithdrawn(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.clock.Add(1500 * time.Millisecond)
	a, err := f.e.PostAnnouncement(ctx, demo.BranchID, "manager", AnnouncementRequest{Text: queue.Text{"el": "Καθυστέρηση"}})
	if err != nil {
		t.Fatal(err)
	}
	// Times to the second, the default expiry an hour on.
	if want := f.clock.Now().Truncate(time.Second); !a.At.Equal(want) || !a.ExpiresAt.Equal(want.Add(queue.AnnouncementDefault)) {
		t.Errorf("posted at %s, expiring %s; want %s and an hour later", a.At, a.ExpiresAt, want)
	}
	b, err := f.e.PostAnnouncement(ctx, demo.BranchID, "manager", AnnouncementRequest{Text: queue.Text{"en": "Second"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.e.WithdrawAnnouncement(ctx, demo.BranchID, "other.manager", a.ID); err != nil {
		t.Fatal(err)
	}
	evs := f.events()
	last := evs[len(evs)-1]
	if last.Type != queue.EvAnnouncementWithdrawn || last.Subject != strconv.FormatUint(a.ID, 10) || last.Actor != "other.manager" {
		t.Fatalf("withdrawal event: %+v", last)
	}
	list, _, err := f.e.Announcements(ctx, demo.BranchID)
	if err != nil || len(list) != 1 || list[0].ID != b.ID {
		t.Fatalf("active after the withdrawal: %+v %v", list, err)
	}
	wantCode(t, f.e.WithdrawAnnouncement(ctx, demo.BranchID, "manager", a.ID), queue.CodeNotFound)
	wantCode(t, f.e.WithdrawAnnouncement(ctx, demo.BranchID, "manager", 999), queue.CodeNotFound)
	wantCode(t, f.e.WithdrawAnnouncement(ctx, "nope", "manager", b.ID), queue.CodeNotFound)
}

// TestAnnouncementValidation: every refusal is invalid_announcement (or
// conflict past the active limit) and writes nothing.
func TestAnnouncementValidation(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	now := f.clock.Now()
	long := strings.Repeat("α", queue.AnnouncementMaxChars+1)
	cases := []struct {
		name string
		req  AnnouncementRequest
	}{
		{"no text", AnnouncementRequest{}},
		{"blank text", AnnouncementRequest{Text: queue.Text{"el": "  ", "en": ""}}},
		{"another language", AnnouncementRequest{Text: queue.Text{"de": "Hallo"}}},
		{"too long", AnnouncementRequest{Text: queue.Text{"el": "ok", "en": long}}},
		{"two lines", AnnouncementRequest{Text: queue.Text{"en": "one\ntwo"}}},
		{"another audience", AnnouncementRequest{Text: queue.Text{"en": "x"}, To: "everyone"}},
		{"in the past", AnnouncementRequest{Text: queue.Text{"en": "x"}, ExpiresAt: ptr(now.Add(-time.Minute))}},
		{"now", AnnouncementRequest{Text: queue.Text{"en": "x"}, ExpiresAt: ptr(now)}},
		{"past a day", AnnouncementRequest{Text: queue.Text{"en": "x"}, ExpiresAt: ptr(now.Add(queue.AnnouncementMax + time.Second))}},
		{"zero minutes", AnnouncementRequest{Text: queue.Text{"en": "x"}, Minutes: ptr(0)}},
		{"too many minutes", AnnouncementRequest{Text: queue.Text{"en": "x"}, Minutes: ptr(24*60 + 1)}},
		{"both expiries", AnnouncementRequest{Text: queue.Text{"en": "x"}, Minutes: ptr(5), ExpiresAt: ptr(now.Add(time.Hour))}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := f.e.PostAnnouncement(ctx, demo.BranchID, "manager", c.req)
			wantCode(t, err, queue.CodeInvalidAnnouncement)
		})
	}
	if n := len(f.events()); n != 0 {
		t.Fatalf("refused postings appended %d events", n)
	}
	// The longest text and the longest expiry are taken.
	longest := strings.Repeat("α", queue.AnnouncementMaxChars)
	if _, err := f.e.PostAnnouncement(ctx, demo.BranchID, "manager", AnnouncementRequest{Text: queue.Text{"el": longest},
		ExpiresAt: ptr(now.Add(queue.AnnouncementMax))}); err != nil {
		t.Fatalf("the longest: %v", err)
	}
	for range queue.AnnouncementsActive - 1 {
		if _, err := f.e.PostAnnouncement(ctx, demo.BranchID, "manager", AnnouncementRequest{Text: queue.Text{"en": "x"}}); err != nil {
			t.Fatal(err)
		}
	}
	_, err := f.e.PostAnnouncement(ctx, demo.BranchID, "manager", AnnouncementRequest{Text: queue.Text{"en": "one too many"}})
	wantCode(t, err, queue.CodeConflict)
	_, err = f.e.PostAnnouncement(ctx, "nope", "manager", AnnouncementRequest{Text: queue.Text{"en": "x"}})
	wantCode(t, err, queue.CodeNotFound)
}

// TestAnnouncementSurvivesReopen: what a manager was told was posted is
// there after the store is closed and opened again.
func TestAnnouncementSurvivesReopen(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	a, err := f.e.PostAnnouncement(ctx, demo.BranchID, "manager", AnnouncementRequest{Text: queue.Text{"en": "Durable"}})
	if err != nil {
		t.Fatal(err)
	}
	f.store.Close()
	store, err := storetest.Open(f.path, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	list, _, err := New(store, Options{Now: f.clock.Now}).Announcements(ctx, demo.BranchID)
	if err != nil || len(list) != 1 || list[0].ID != a.ID || list[0].Text["en"] != "Durable" || list[0].By != "manager" {
		t.Fatalf("after reopening: %+v %v", list, err)
	}
}
