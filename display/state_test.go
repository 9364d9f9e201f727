package display_test

// HTTP tests of the branch state endpoint against a whole server.

import (
	"net/http"
	"strings"
	"testing"

	"github.com/seira-queue/seira/app/apptest"
	"github.com/seira-queue/seira/auth"
)

// ---------------------------------------------------------------------------
// State

func TestStateVisibility(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t)
	apptest.CreateOtherBranch(t, env)
	clerk := env.User("zoe.clerk", auth.RoleClerk, "demo")
	kiosk := env.Kiosk("demo")
	a := apptest.IssueTicket(t, kiosk, "demo", "certificates")
	b := apptest.IssueTicket(t, kiosk, "demo", "signatures")
	c := apptest.IssueTicket(t, clerk, "demo", "applications")
	apptest.MustStatus(t, clerk.Do("POST", apptest.CounterPath("demo", "1", "open"), nil), http.StatusOK)
	apptest.MustStatus(t, clerk.Do("POST", apptest.CounterPath("demo", "1", "next"), nil), http.StatusOK)

	viewers := []struct {
		name  string
		c     *apptest.Client
		staff bool
	}{
		{"anonymous", env.Client(), false},
		{"kiosk device", kiosk, false},
		{"display device", apptest.Device(t, env, "demo", auth.DeviceDisplay), false},
		{"clerk of another branch", env.User("other.clerk", auth.RoleClerk, "other"), false},
		{"clerk of demo", clerk, true},
		{"admin", env.Admin(), true},
	}
	for _, v := range viewers {
		t.Run(v.name, func(t *testing.T) {
			res := v.c.Do("GET", apptest.StatePath, nil)
			apptest.MustStatus(t, res, http.StatusOK)
			keys := apptest.JSONKeys(t, res.Body)
			for _, k := range []string{"token", "track_url"} {
				if keys[k] {
					t.Errorf("state has a %q field", k)
				}
			}
			for _, tk := range []apptest.TicketJSON{a, b, c} {
				if strings.Contains(string(res.Body), tk.Token) {
					t.Errorf("state carries the token of %s", tk.Number)
				}
			}
			st := apptest.Decode[apptest.StateJSON](t, res)
			c1 := apptest.CounterOf(t, st, "1")
			if c1.Status != "open" || apptest.CurrentNumber(c1) != a.Number {
				t.Errorf("counter 1 %s with %q, want open with %s", c1.Status, apptest.CurrentNumber(c1), a.Number)
			}
			if apptest.WaitingOf(t, st, "signatures") != 1 || apptest.WaitingOf(t, st, "applications") != 1 || apptest.WaitingOf(t, st, "certificates") != 0 {
				t.Errorf("waiting counts %+v", st.Services)
			}
			if v.staff {
				if c1.Clerk != "zoe.clerk" {
					t.Errorf("staff see counter 1's clerk as %q, want zoe.clerk", c1.Clerk)
				}
				return
			}
			if keys["clerk"] {
				t.Errorf("public state has a clerk field: %s", apptest.Short(res.Body))
			}
			if strings.Contains(string(res.Body), "zoe.clerk") {
				t.Errorf("public state names the clerk: %s", apptest.Short(res.Body))
			}
		})
	}
	t.Run("unknown branch", func(t *testing.T) {
		apptest.WantError(t, env.Client().Do("GET", "/api/v1/branches/nope/state", nil), http.StatusNotFound, "not_found")
	})
}

func TestStateSeq(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t)
	clerk := env.User("seq.clerk", auth.RoleClerk, "demo")
	kiosk, anon := env.Kiosk("demo"), env.Client()
	var cancelToken string

	ctr := func(action string, body any) func(*testing.T) apptest.Response {
		return func(*testing.T) apptest.Response {
			return clerk.Do("POST", apptest.CounterPath("demo", "1", action), body)
		}
	}
	issueReq := func(service string, header ...string) func(*testing.T) apptest.Response {
		return func(*testing.T) apptest.Response {
			return kiosk.Do("POST", apptest.TicketsPath, map[string]string{"service": service}, header...)
		}
	}
	steps := []struct {
		name   string
		do     func(*testing.T) apptest.Response
		status int
		events uint64
	}{
		{"issue", issueReq("certificates"), 201, 1},
		{"issue with a key", issueReq("certificates", "Idempotency-Key", "k"), 201, 1},
		{"retry with the key", issueReq("certificates", "Idempotency-Key", "k"), 201, 0},
		{"issue for an unknown service", issueReq("passports"), 404, 0},
		{"next on a closed counter", ctr("next", nil), 409, 0},
		{"open", ctr("open", nil), 200, 1},
		{"open an open counter", ctr("open", nil), 200, 0},
		{"next", ctr("next", nil), 200, 1},
		{"recall", ctr("recall", nil), 200, 1},
		{"start", ctr("start", nil), 200, 1},
		{"next finishes one and calls one", ctr("next", nil), 200, 2},
		{"transfer", ctr("transfer", map[string]string{"service": "signatures"}), 200, 1},
		{"transfer without a ticket", ctr("transfer", map[string]string{"service": "signatures"}), 409, 0},
		{"next calls the transferred ticket", ctr("next", nil), 200, 1},
		{"no-show", ctr("no-show", nil), 200, 1},
		{"next with nobody waiting", ctr("next", nil), 204, 0},
		{"issue to cancel", func(t *testing.T) apptest.Response {
			res := issueReq("applications")(t)
			if res.Status == http.StatusCreated {
				cancelToken = apptest.Decode[apptest.TicketJSON](t, res).Token
			}
			return res
		}, 201, 1},
		{"cancel", func(*testing.T) apptest.Response { return anon.Do("DELETE", "/api/v1/tickets/"+cancelToken, nil) }, 200, 1},
		{"cancel again", func(*testing.T) apptest.Response { return anon.Do("DELETE", "/api/v1/tickets/"+cancelToken, nil) }, 409, 0},
		{"pause", ctr("pause", nil), 200, 1},
		{"pause a paused counter", ctr("pause", nil), 200, 0},
		{"next while paused", ctr("next", nil), 409, 0},
		{"close", ctr("close", nil), 200, 1},
		{"close a closed counter", ctr("close", nil), 200, 0},
		{"next on a closed counter again", ctr("next", nil), 409, 0},
	}
	seq := apptest.GetState(t, anon, "demo").Seq
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			res := s.do(t)
			if res.Status != s.status {
				t.Fatalf("status %d, want %d: %s", res.Status, s.status, apptest.Short(res.Body))
			}
			now := apptest.GetState(t, anon, "demo").Seq
			if now != seq+s.events {
				t.Errorf("seq %d → %d, want +%d", seq, now, s.events)
			}
			seq = now
		})
	}
}

func TestStateRecentCalls(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t)
	clerk := env.User("calls.clerk", auth.RoleClerk, "demo")
	kiosk, anon := env.Kiosk("demo"), env.Client()
	if st := apptest.GetState(t, anon, "demo"); len(st.RecentCalls) != 0 {
		t.Fatalf("fresh branch has recent calls %+v", st.RecentCalls)
	}
	apptest.IssueTicket(t, kiosk, "demo", "certificates")
	apptest.IssueTicket(t, kiosk, "demo", "signatures")
	apptest.IssueTicket(t, kiosk, "demo", "applications")
	for _, ctr := range []string{"1", "2", "3"} {
		apptest.MustStatus(t, clerk.Do("POST", apptest.CounterPath("demo", ctr, "open"), nil), http.StatusOK)
		apptest.MustStatus(t, clerk.Do("POST", apptest.CounterPath("demo", ctr, "next"), nil), http.StatusOK)
	}
	apptest.MustStatus(t, clerk.Do("POST", apptest.CounterPath("demo", "1", "recall"), nil), http.StatusOK)

	calls := apptest.GetState(t, anon, "demo").RecentCalls
	want := []struct {
		number, counter string
		recall          bool
	}{{"A001", "1", true}, {"C001", "3", false}, {"B001", "2", false}, {"A001", "1", false}}
	if len(calls) != len(want) {
		t.Fatalf("recent calls %+v, want %d", calls, len(want))
	}
	for i, w := range want {
		c := calls[i]
		if c.Number != w.number || c.Counter != w.counter || c.Recall != w.recall {
			t.Errorf("recent_calls[%d] = %s at %s (recall %v), want %s at %s (recall %v)",
				i, c.Number, c.Counter, c.Recall, w.number, w.counter, w.recall)
		}
		if c.CounterName["el"] == "" || c.At.IsZero() {
			t.Errorf("recent_calls[%d] = %+v: want a counter name and a time", i, c)
		}
		if i > 0 && c.At.After(calls[i-1].At) {
			t.Errorf("recent_calls[%d] at %v is newer than the one before it (%v)", i, c.At, calls[i-1].At)
		}
	}
}
