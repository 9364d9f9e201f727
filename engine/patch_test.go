package engine

import (
	"context"
	"sync"
	"testing"

	"github.com/seira-queue/seira/demo"
	"github.com/seira-queue/seira/queue"
)

// TestPatchesOfDifferentFieldsBothStand: two managers patch one service
// at once, one its target, the other its appointments; both changes stay.
func TestPatchesOfDifferentFieldsBothStand(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	for range 20 {
		var wg sync.WaitGroup
		wg.Go(func() {
			if _, err := f.e.PatchService(ctx, "a", demo.BranchID, "signatures", []byte(`{"target_wait_s": 1200}`)); err != nil {
				t.Error(err)
			}
		})
		wg.Go(func() {
			if _, err := f.e.PatchService(ctx, "b", demo.BranchID, "signatures", []byte(`{"appointments": {"enabled": true, "slot_min": 20}}`)); err != nil {
				t.Error(err)
			}
		})
		wg.Wait()
		snap, err := f.e.Snapshot(ctx, demo.BranchID)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range snap.Services {
			if s.Service.ID == "signatures" && (s.Service.TargetWaitS != 1200 || !s.Service.Bookable() || s.Service.Booking().SlotMin != 20 || s.Service.Prefix != "B") {
				t.Fatalf("after both patches: %+v %+v", s.Service, s.Service.Appointments)
			}
		}
		// Back, with null removing the appointments.
		if _, err := f.e.PatchService(ctx, "a", demo.BranchID, "signatures", []byte(`{"target_wait_s": 900, "appointments": null}`)); err != nil {
			t.Fatal(err)
		}
	}
}

func TestPatchRefusesWhatAPutRefuses(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	for patch, code := range map[string]queue.Code{
		`{"id": "other"}`:                      queue.CodeValidation,
		`{"prefix": "a"}`:                      queue.CodeValidation,
		`{"appointments": {"slot_min": 7}}`:    queue.CodeValidation,
		`{"nope": 1}`:                          queue.CodeBadRequest,
		`[1]`:                                  queue.CodeBadRequest,
		`{"appointments": {"enabled": "yes"}}`: queue.CodeBadRequest,
	} {
		_, err := f.e.PatchService(ctx, "a", demo.BranchID, "signatures", []byte(patch))
		if queue.ErrorCode(err) != code {
			t.Errorf("%s: %v, want %s", patch, err, code)
		}
	}
	_, err := f.e.PatchService(ctx, "a", demo.BranchID, "nope", []byte(`{}`))
	wantCode(t, err, queue.CodeNotFound)
	br, err := f.e.PatchBranch(ctx, "a", demo.BranchID, []byte(`{"closed_dates": ["2026-12-25"], "appointment_cap": 2}`))
	if err != nil || br.ApptCap() != 2 || !br.ClosedOn("2026-12-25") || br.Name["el"] == "" {
		t.Fatalf("patched branch %+v %v", br, err)
	}
	for _, patch := range []string{`{"closed_dates": ["25/12"]}`, `{"appointment_cap": 99}`, `{"time_zone": "Mars/Base"}`} {
		if _, err := f.e.PatchBranch(ctx, "a", demo.BranchID, []byte(patch)); queue.ErrorCode(err) != queue.CodeValidation {
			t.Errorf("%s: %v", patch, err)
		}
	}
}
