package storage

import (
	"context"
	"testing"
	"time"

	"github.com/seira-queue/seira/queue"
)

func TestMigrationAddsAppointmentBuckets(t *testing.T) {
	checkMigrationAddsBranchBuckets(t, "create the buckets of appointments", apptBuckets()...)
}

// TestAppointmentIndexes stores appointments and finds them by every
// index, moves one, and counts slots.
func TestAppointmentIndexes(t *testing.T) {
	s := openTest(t)
	withBranch(t, s)
	ctx := context.Background()
	at := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	err := s.Update(ctx, func(tx *Tx) error {
		b, err := tx.Branch("demo")
		if err != nil {
			return err
		}
		for i, code := range []string{"ACDEFG", "HJKMNP", "RTUVWX"} {
			id, err := b.NewAppointmentID()
			if err != nil {
				return err
			}
			a := queue.Appointment{ID: id, Code: code, Token: "tok" + code, Branch: "demo", Service: "certificates",
				Start: at.Add(time.Duration(i) * 15 * time.Minute), State: queue.ApptBooked}
			if i == 2 {
				a.ExternalID = "ext-1"
			}
			if err := b.PutAppointment(a, nil); err != nil {
				return err
			}
			if err := b.AddSlotTaken(a.Service, a.Start, 1); err != nil {
				return err
			}
			if err := tx.PutApptToken(a.Token, "demo", id); err != nil {
				return err
			}
		}
		// Move the first to 10:00.
		prev, err := b.AppointmentByCode("ACDEFG")
		if err != nil {
			return err
		}
		moved := prev
		moved.Start = at.Add(time.Hour)
		return b.PutAppointment(moved, &prev)
	})
	if err != nil {
		t.Fatal(err)
	}
	err = s.View(ctx, func(tx *Tx) error {
		b, _ := tx.Branch("demo")
		var order []string
		if err := b.ForEachAppointment(at, at.Add(2*time.Hour), func(a queue.Appointment) (bool, error) {
			order = append(order, a.Code)
			return true, nil
		}); err != nil {
			return err
		}
		if want := []string{"HJKMNP", "RTUVWX", "ACDEFG"}; len(order) != 3 || order[0] != want[0] || order[1] != want[1] || order[2] != want[2] {
			t.Errorf("by start: %v, want %v (the moved one last, once)", order, want)
		}
		if a, ok, err := b.AppointmentByExternalID("ext-1"); err != nil || !ok || a.Code != "RTUVWX" {
			t.Errorf("by external id: %v %v %v", a.Code, ok, err)
		}
		if _, ok, _ := b.AppointmentByExternalID("ext-2"); ok {
			t.Error("found an external id never stored")
		}
		branch, id, err := tx.ApptToken("tokHJKMNP")
		if err != nil || branch != "demo" || id != 2 {
			t.Errorf("by token: %s %d %v", branch, id, err)
		}
		if _, err := b.AppointmentByCode("YYYYYY"); queue.ErrorCode(err) != queue.CodeNotFound {
			t.Errorf("unknown code: %v", err)
		}
		taken := b.SlotsTaken("certificates", at, at.Add(time.Hour))
		if len(taken) != 3 || taken[at.UnixNano()] != 1 {
			t.Errorf("slots taken: %v", taken)
		}
		if n := len(b.SlotsTaken("signatures", at, at.Add(time.Hour))); n != 0 {
			t.Errorf("another service's slots: %d", n)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestDueHeadIsTheEarliestSlot puts appointment tickets in the waiting
// lists out of slot order and checks the policy's third head.
func TestDueHeadIsTheEarliestSlot(t *testing.T) {
	s := openTest(t)
	withBranch(t, s)
	at := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	cands := []queue.Candidate{
		{ID: 1, Service: "a", IssuedAt: at.UnixNano(), Seq: 1, Due: at.Add(30 * time.Minute).UnixNano()},
		{ID: 2, Service: "a", IssuedAt: at.Add(time.Minute).UnixNano(), Seq: 2, Due: at.Add(15 * time.Minute).UnixNano()},
		{ID: 3, Service: "a", IssuedAt: at.Add(2 * time.Minute).UnixNano(), Seq: 3},
		{ID: 4, Service: "b", IssuedAt: at.UnixNano(), Seq: 1, Due: at.Add(45 * time.Minute).UnixNano()},
	}
	err := s.Update(context.Background(), func(tx *Tx) error {
		b, _ := tx.Branch("demo")
		for _, c := range cands {
			if err := b.AddWaiting(c); err != nil {
				return err
			}
		}
		if h, ok := b.DueHead("a"); !ok || h != cands[1] {
			t.Errorf("due head of a: %+v, want %+v", h, cands[1])
		}
		heads := b.Heads([]string{"a"}, at.UnixNano())
		if len(heads) != 2 || heads[0] != cands[0] || heads[1] != cands[1] {
			t.Errorf("heads of a before any slot: %+v (the regular head by check-in, then the earliest slot)", heads)
		}
		// At 09:20 the 09:15 slot has begun: its ticket is passed over in
		// the regular list (the policy takes it by its slot), not the 09:30.
		heads = b.Heads([]string{"a"}, at.Add(20*time.Minute).UnixNano())
		if len(heads) != 2 || heads[0] != cands[0] || heads[1] != cands[1] {
			t.Errorf("heads of a at 09:20: %+v", heads)
		}
		heads = b.Heads([]string{"a"}, at.Add(40*time.Minute).UnixNano())
		if len(heads) != 2 || heads[0] != cands[2] || heads[1] != cands[1] {
			t.Errorf("heads of a at 09:40: %+v (the walk-in, then the earliest slot)", heads)
		}
		var all []queue.Candidate
		b.Waiting("a", func(c queue.Candidate) bool { all = append(all, c); return true })
		if len(all) != 3 || all[0] != cands[0] || all[1] != cands[1] || all[2] != cands[2] {
			t.Errorf("the list of a: %+v (by check-in, with the slots)", all)
		}
		if err := b.RemoveWaiting(cands[1]); err != nil {
			return err
		}
		if h, ok := b.DueHead("a"); !ok || h.ID != 1 {
			t.Errorf("after removal: %+v", h)
		}
		if pri, reg := b.WaitingCount("a"); pri != 0 || reg != 2 {
			t.Errorf("count %d %d: appointment tickets count as regular", pri, reg)
		}
		if _, ok := b.DueHead("c"); ok {
			t.Error("a due head for a service nobody waits for")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
