package storage

import (
	"context"
	"testing"
	"time"

	"github.com/seira-queue/seira/queue"
)

// A service time stored before the long-run mean was kept reads as its
// moving average, with the long-run mean starting there; the new value and
// an arrival history read back as stored, and neither is taken for a
// priority rate.
func TestServiceEstimateAndArrivalHistoryRoundTrip(t *testing.T) {
	s := openTest(t)
	withBranch(t, s)
	err := s.Update(context.Background(), func(tx *Tx) error {
		b, _ := tx.Branch("demo")
		old := append(u64(uint64(4*time.Minute)), u64(250)...)
		if err := b.bucket(bktServiceTimes).Put([]byte("a"), old); err != nil {
			return err
		}
		if e, ok := b.ServiceEstimate("a"); !ok || e.Recent != 4*time.Minute || e.Long != 4*time.Minute || e.N != 250 || e.Mean() != 4*time.Minute {
			t.Errorf("an older value: %+v %v", e, ok)
		}
		if _, ok := b.ServiceEstimate("b"); ok {
			t.Error("an estimate of a service without samples")
		}
		e := queue.NewServiceEstimate(5 * time.Minute).Add(6 * time.Minute).Add(3 * time.Minute)
		if err := b.PutServiceEstimate("b", e); err != nil {
			return err
		}
		if got, ok := b.ServiceEstimate("b"); !ok || got != e {
			t.Errorf("read %+v, stored %+v", got, e)
		}
		h := queue.ArrivalHistory{}.Add(true, 20000, 9).Add(false, 20000, 10)
		if err := b.PutArrivalHistory("a", h); err != nil {
			return err
		}
		if got := b.ArrivalHistory("a"); got != h {
			t.Errorf("history read %+v, stored %+v", got, h)
		}
		if last, rate := b.PriorityRate("a"); !last.IsZero() || rate != 0 {
			t.Errorf("the history was read as a priority rate: %v %v", last, rate)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
