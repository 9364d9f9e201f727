package waits_test

// The waits through the whole server (apptest: real store, real listener):
// the shape of API.md, CORS for any site, the per-branch answer, the
// coordinates the admin sets, and no personal data.

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/seira-queue/seira/app/apptest"
)

func TestWaitsOverHTTP(t *testing.T) {
	env := apptest.Start(t)
	admin := env.Admin()
	apptest.CreateOtherBranch(t, env)
	// Everything is set up before the first read: the answer is then kept
	// for its TTL.
	res := admin.Do("PATCH", "/api/v1/branches/demo", map[string]any{"lat": 37.9838, "lon": 23.7275,
		"address": map[string]string{"el": "Αθηνάς 63, Αθήνα", "en": "63 Athinas St, Athens"}})
	apptest.MustStatus(t, res, http.StatusOK)
	// The demo office lets certificates be joined from home: one service
	// each way.
	res = admin.Do("PATCH", "/api/v1/branches/demo/services/signatures", map[string]any{"remote_join": map[string]any{"enabled": true}})
	apptest.MustStatus(t, res, http.StatusOK)
	res = admin.Do("PATCH", "/api/v1/branches/demo/services/certificates", map[string]any{"remote_join": map[string]any{"enabled": false}})
	apptest.MustStatus(t, res, http.StatusOK)
	var tickets []apptest.Ticket
	for _, svc := range []string{"certificates", "certificates", "signatures", "applications"} {
		tickets = append(tickets, apptest.Issue[apptest.Ticket](t, admin, "demo", svc))
	}
	// Counter 1 serves certificates and signatures; applications has no
	// open counter.
	apptest.MustStatus(t, admin.Do("POST", apptest.CounterPath("demo", "1", "open"), nil), http.StatusOK)
	apptest.MustStatus(t, admin.Do("POST", apptest.CounterPath("demo", "1", "next"), nil), http.StatusOK)

	anon := env.Client()
	res = anon.Do("GET", "/api/v1/waits", nil, "Origin", "https://www.dimos.example")
	apptest.MustStatus(t, res, http.StatusOK)
	if got := res.Header.Get("Access-Control-Allow-Origin"); got != "*" {
		t.Errorf("Access-Control-Allow-Origin %q, want *", got)
	}
	if got := res.Header.Get("Cache-Control"); !strings.HasPrefix(got, "public, max-age=") {
		t.Errorf("Cache-Control %q", got)
	}
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type %q", ct)
	}
	body := res.Body

	// The keys of API.md, at every level.
	var raw struct {
		At       json.RawMessage              `json:"at"`
		Branches []map[string]json.RawMessage `json:"branches"`
	}
	if err := json.Unmarshal(body, &raw); err != nil || raw.At == nil {
		t.Fatalf("answer %s: %v", body, err)
	}
	if len(raw.Branches) != 2 {
		t.Fatalf("%d branches, want 2: %s", len(raw.Branches), body)
	}
	for _, b := range raw.Branches {
		for _, k := range []string{"branch", "name", "address", "lat", "lon", "open_now", "services"} {
			if _, ok := b[k]; !ok {
				t.Errorf("a branch lacks %q: %s", k, apptest.Short(body))
			}
		}
		var svcs []map[string]json.RawMessage
		json.Unmarshal(b["services"], &svcs)
		for _, s := range svcs {
			for _, k := range []string{"id", "name", "waiting", "estimated_wait_s", "remote_join"} {
				if _, ok := s[k]; !ok {
					t.Errorf("a service lacks %q", k)
				}
			}
		}
	}

	var a struct {
		Branches []struct {
			Branch   string            `json:"branch"`
			Name     map[string]string `json:"name"`
			Address  map[string]string `json:"address"`
			Lat, Lon *float64
			OpenNow  bool `json:"open_now"`
			Services []struct {
				ID             string            `json:"id"`
				Name           map[string]string `json:"name"`
				Waiting        int               `json:"waiting"`
				EstimatedWaitS *int              `json:"estimated_wait_s"`
				RemoteJoin     bool              `json:"remote_join"`
			} `json:"services"`
		} `json:"branches"`
	}
	json.Unmarshal(body, &a)
	byID := map[string]int{}
	for i, b := range a.Branches {
		byID[b.Branch] = i
	}
	d := a.Branches[byID["demo"]]
	if d.Lat == nil || *d.Lat != 37.9838 || d.Lon == nil || *d.Lon != 23.7275 || d.Address["el"] != "Αθηνάς 63, Αθήνα" {
		t.Errorf("demo's place: lat %v lon %v address %v", d.Lat, d.Lon, d.Address)
	}
	if d.Name["el"] != "ΚΕΠ Επίδειξης" || !d.OpenNow {
		t.Errorf("demo: name %v open_now %v", d.Name, d.OpenNow)
	}
	for _, s := range d.Services {
		switch s.ID {
		case "certificates":
			// One of the two is at counter 1 now.
			if s.Waiting != 1 || s.EstimatedWaitS == nil || s.RemoteJoin {
				t.Errorf("certificates: waiting %d, estimate %v, remote %v; want 1, a figure, false", s.Waiting, s.EstimatedWaitS, s.RemoteJoin)
			}
		case "signatures":
			if s.Waiting != 1 || s.EstimatedWaitS == nil || !s.RemoteJoin {
				t.Errorf("signatures: waiting %d, estimate %v, remote %v; want 1, a figure, true", s.Waiting, s.EstimatedWaitS, s.RemoteJoin)
			}
		case "applications":
			if s.Waiting != 1 || s.EstimatedWaitS != nil {
				t.Errorf("applications (no open counter): waiting %d, estimate %v; want 1 and null", s.Waiting, s.EstimatedWaitS)
			}
		}
		if s.Name["el"] == "" || s.Name["en"] == "" {
			t.Errorf("service %s's name %v: want el and en", s.ID, s.Name)
		}
	}
	o := a.Branches[byID["other"]]
	if o.Lat != nil || o.Lon != nil || o.Address != nil {
		t.Errorf("other has no place set, got lat %v lon %v address %v", o.Lat, o.Lon, o.Address)
	}

	// No personal data: no token, no ticket number, no clerk.
	for _, tk := range tickets {
		if bytes.Contains(body, []byte(tk.Token)) || bytes.Contains(body, []byte(tk.Number)) {
			t.Errorf("the answer names ticket %s (or its token): %s", tk.Number, body)
		}
	}
	for _, word := range []string{"admin", "token", "clerk", "number", "track_url"} {
		if bytes.Contains(body, []byte(word)) {
			t.Errorf("the answer carries %q: %s", word, body)
		}
	}

	// One branch, from the same build.
	res = anon.Do("GET", "/api/v1/branches/other/waits", nil)
	apptest.MustStatus(t, res, http.StatusOK)
	var one struct {
		Branches []struct {
			Branch string `json:"branch"`
		} `json:"branches"`
	}
	json.Unmarshal(res.Body, &one)
	if len(one.Branches) != 1 || one.Branches[0].Branch != "other" || res.Header.Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("branch other's waits: %s", res.Body)
	}
	res = anon.Do("GET", "/api/v1/branches/nowhere/waits", nil)
	apptest.WantError(t, res, http.StatusNotFound, "not_found")
	if res.Header.Get("Access-Control-Allow-Origin") != "*" {
		t.Error("an error answer lacks CORS: a page elsewhere could not read it")
	}

	// The preflight of a cross-site request with a header.
	for _, p := range []string{"/api/v1/waits", "/api/v1/branches/demo/waits"} {
		res = anon.Do("OPTIONS", p, nil, "Origin", "https://www.dimos.example",
			"Access-Control-Request-Method", "GET", "Access-Control-Request-Headers", "if-none-match")
		if res.Status != http.StatusNoContent || res.Header.Get("Access-Control-Allow-Origin") != "*" ||
			!strings.Contains(res.Header.Get("Access-Control-Allow-Methods"), "GET") {
			t.Errorf("OPTIONS %s: %d %v", p, res.Status, res.Header)
		}
	}
	// Only reads.
	if res := anon.Do("POST", "/api/v1/waits", "{}"); res.Status < 400 || res.Status >= 500 {
		t.Errorf("POST /api/v1/waits: %d", res.Status)
	}
}

// TestBranchPlaceOverHTTP: the admin sets the address and coordinates by
// PATCH; coordinates out of range, or one without the other, are refused
// with validation_failed and change nothing.
func TestBranchPlaceOverHTTP(t *testing.T) {
	env := apptest.Start(t)
	admin := env.Admin()
	apptest.MustStatus(t, admin.Do("PATCH", "/api/v1/branches/demo", `{"lat": 38.0, "lon": 23.8}`), http.StatusOK)
	for _, bad := range []string{`{"lat": 91}`, `{"lon": -180.5}`, `{"lat": null}`, `{"lat": -90.01, "lon": 0}`,
		`{"lat": 10, "lon": 181}`, `{"address": {"el": null, "en": "no Greek"}}`} {
		apptest.WantError(t, admin.Do("PATCH", "/api/v1/branches/demo", bad), http.StatusBadRequest, "validation_failed")
	}
	apptest.WantError(t, admin.Do("PATCH", "/api/v1/branches/demo", `{"lat": "north"}`), http.StatusBadRequest, "bad_request")
	var got struct {
		Branch struct {
			Lat, Lon *float64
		} `json:"branch"`
	}
	admin.Call("GET", "/api/v1/branches/demo/settings", nil, &got)
	if got.Branch.Lat == nil || *got.Branch.Lat != 38 || got.Branch.Lon == nil || *got.Branch.Lon != 23.8 {
		t.Fatalf("after refused patches the place is %v,%v, want 38,23.8", got.Branch.Lat, got.Branch.Lon)
	}
	// Both removed at once is no place at all, which is allowed.
	apptest.MustStatus(t, admin.Do("PATCH", "/api/v1/branches/demo", `{"lat": null, "lon": null}`), http.StatusOK)
}
