package admin_test

import (
	"encoding/json"
	"testing"

	"github.com/seira-queue/seira/app/apptest"
	"github.com/seira-queue/seira/auth"
)

// TestMergePatchOverHTTP: PATCH takes a JSON merge patch on a service and
// on a branch; only managers of the branch may.
func TestMergePatchOverHTTP(t *testing.T) {
	env := apptest.Start(t)
	admin := env.Admin()
	res := admin.Do("PATCH", "/api/v1/branches/demo/services/signatures", `{"appointments": {"enabled": true, "per_slot": 3}}`,
		"Content-Type", "application/merge-patch+json")
	var s struct {
		Prefix       string `json:"prefix"`
		Appointments struct {
			Enabled bool `json:"enabled"`
			PerSlot int  `json:"per_slot"`
		} `json:"appointments"`
	}
	json.Unmarshal(apptest.MustStatus(t, res, 200).Body, &s)
	if s.Prefix != "B" || !s.Appointments.Enabled || s.Appointments.PerSlot != 3 {
		t.Fatalf("patched service: %s", res.Body)
	}
	var svcs struct {
		Services []struct {
			ID       string `json:"id"`
			Bookable bool   `json:"bookable"`
		} `json:"services"`
	}
	env.Client().Call("GET", "/api/v1/branches/demo/services", nil, &svcs)
	for _, x := range svcs.Services {
		if x.ID == "signatures" && !x.Bookable {
			t.Fatal("the public list does not show the service bookable")
		}
	}
	res = admin.Do("PATCH", "/api/v1/branches/demo", map[string]any{"closed_dates": []string{"2026-12-25", "2027-01-01"}})
	apptest.MustStatus(t, res, 200)
	var settings struct {
		Branch struct {
			ClosedDates []string `json:"closed_dates"`
			Name        map[string]string
		} `json:"branch"`
	}
	json.Unmarshal(res.Body, &settings)
	if len(settings.Branch.ClosedDates) != 2 || settings.Branch.Name["el"] == "" {
		t.Fatalf("patched branch: %s", res.Body)
	}
	clerk := env.User("maria", auth.RoleClerk, "demo")
	if res := clerk.Do("PATCH", "/api/v1/branches/demo", map[string]any{"closed_dates": []string{}}); res.Status != 403 {
		t.Fatalf("a clerk patches the branch: %d", res.Status)
	}
	for body, code := range map[string]string{`{"closed_dates": ["soon"]}`: "validation_failed", `{"x": 1}`: "bad_request", `nope`: "bad_request"} {
		if got := apptest.ErrorCode(admin.Do("PATCH", "/api/v1/branches/demo", body).Body); got != code {
			t.Errorf("PATCH %s: %s, want %s", body, got, code)
		}
	}
}
