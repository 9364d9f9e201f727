package counter_test

// HTTP tests of the clerk's actions against a whole server (apptest.Start).

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/seira-queue/seira/app/apptest"
	"github.com/seira-queue/seira/auth"
	"github.com/seira-queue/seira/demo"
)

// ---------------------------------------------------------------------------
// Counter

func TestCounterAccess(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t)
	apptest.CreateOtherBranch(t, env)
	otherClerk := env.User("other.clerk", auth.RoleClerk, "other")
	demoClerk := env.User("demo.clerk", auth.RoleClerk, "demo")
	admin := env.Admin()

	whos := []struct {
		name   string
		c      *apptest.Client
		status int
		code   string
	}{
		{"anonymous", env.Client(), http.StatusUnauthorized, "unauthenticated"},
		{"kiosk of demo", env.Kiosk("demo"), http.StatusForbidden, "forbidden"},
		{"display of demo", apptest.Device(t, env, "demo", auth.DeviceDisplay), http.StatusForbidden, "forbidden"},
		{"clerk of another branch", otherClerk, http.StatusForbidden, "forbidden"},
	}
	seq0 := apptest.GetState(t, env.Client(), "demo").Seq
	for _, a := range apptest.CounterActions() {
		for _, who := range whos {
			t.Run(a.Name+"/"+who.name, func(t *testing.T) {
				apptest.WantError(t, who.c.Do("POST", apptest.CounterPath("demo", "1", a.Name), a.Body), who.status, who.code)
			})
		}
		t.Run(a.Name+"/unknown counter", func(t *testing.T) {
			apptest.WantError(t, demoClerk.Do("POST", apptest.CounterPath("demo", "9", a.Name), a.Body), http.StatusNotFound, "not_found")
		})
		t.Run(a.Name+"/unknown branch (admin)", func(t *testing.T) {
			apptest.WantError(t, admin.Do("POST", apptest.CounterPath("nope", "1", a.Name), a.Body), http.StatusNotFound, "not_found")
		})
	}
	t.Run("refused actions changed nothing", func(t *testing.T) {
		st := apptest.GetState(t, env.Client(), "demo")
		if st.Seq != seq0 {
			t.Errorf("seq %d → %d", seq0, st.Seq)
		}
		for _, c := range st.Counters {
			if c.Status != "closed" {
				t.Errorf("counter %s is %s", c.ID, c.Status)
			}
		}
	})
	t.Run("the other branch's clerk works there", func(t *testing.T) {
		res := otherClerk.Do("POST", apptest.CounterPath("other", "1", "open"), nil)
		apptest.MustStatus(t, res, http.StatusOK)
		if r := apptest.Decode[apptest.CounterResultJSON](t, res); r.Counter.Status != "open" {
			t.Errorf("counter is %s after open", r.Counter.Status)
		}
	})
}

func TestCounterFlow(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t)
	clerk := env.User("flow.clerk", auth.RoleClerk, "demo")
	kiosk, anon := env.Kiosk("demo"), env.Client()
	var tickets []apptest.TicketJSON

	act := func(action string, body any) func(*testing.T) apptest.Response {
		return func(*testing.T) apptest.Response {
			return clerk.Do("POST", apptest.CounterPath("demo", "1", action), body)
		}
	}
	called := func(number string) func(*testing.T, apptest.Response) {
		return func(t *testing.T, res apptest.Response) {
			tk := apptest.Decode[apptest.TicketJSON](t, res)
			if tk.Number != number || tk.State != "called" || tk.Counter == nil || *tk.Counter != "1" {
				t.Errorf("next gave %s %s at %v, want %s called at counter 1", tk.Number, tk.State, apptest.Ptr(tk.Counter), number)
			}
			if tk.Position != 0 || tk.CalledAt == nil || tk.CounterName["en"] != "Counter 1" {
				t.Errorf("called ticket %+v: want position 0, a call time and the counter's name", tk)
			}
			if tk.Token != "" || tk.TrackURL != "" || strings.Contains(string(res.Body), "token") {
				t.Errorf("the clerk sees the citizen's token: %s", res.Body)
			}
		}
	}
	result := func(status, current, ticketState string) func(*testing.T, apptest.Response) {
		return func(t *testing.T, res apptest.Response) {
			r := apptest.Decode[apptest.CounterResultJSON](t, res)
			if r.Counter.ID != "1" || r.Counter.Status != status {
				t.Errorf("counter %s is %s, want 1 %s", r.Counter.ID, r.Counter.Status, status)
			}
			if cur := apptest.CurrentNumber(r.Counter); cur != current {
				t.Errorf("the answer shows current ticket %q, want %q", cur, current)
			}
			switch {
			case ticketState == "" && r.Ticket != nil:
				t.Errorf("answer carries ticket %+v, want none", r.Ticket)
			case ticketState != "" && (r.Ticket == nil || r.Ticket.State != ticketState):
				t.Errorf("answer ticket %+v, want state %s", r.Ticket, ticketState)
			}
			if strings.Contains(string(res.Body), `"token"`) {
				t.Errorf("counter answer carries a token: %s", res.Body)
			}
		}
	}
	stateOf := func(i int, state string) func(*testing.T, apptest.Response) {
		return func(t *testing.T, _ apptest.Response) {
			if got := apptest.GetTicket(t, anon, tickets[i].Token); got.State != state {
				t.Errorf("%s is %s, want %s", tickets[i].Number, got.State, state)
			}
		}
	}

	steps := []struct {
		name   string
		do     func(*testing.T) apptest.Response
		status int
		code   string
		check  func(*testing.T, apptest.Response)
	}{
		{name: "next on a closed counter", do: act("next", nil), status: 409, code: "invalid_transition"},
		{name: "pause a closed counter", do: act("pause", nil), status: 409, code: "invalid_transition"},
		{name: "open", do: act("open", nil), status: 200, check: func(t *testing.T, res apptest.Response) {
			result("open", "", "")(t, res)
			if r := apptest.Decode[apptest.CounterResultJSON](t, res); r.Counter.Clerk != "flow.clerk" {
				t.Errorf("counter clerk %q, want flow.clerk", r.Counter.Clerk)
			}
		}},
		{name: "next with nobody waiting", do: act("next", nil), status: 204, check: func(t *testing.T, res apptest.Response) {
			if len(res.Body) != 0 {
				t.Errorf("204 with body %q", res.Body)
			}
		}},
		{name: "recall without a ticket", do: act("recall", nil), status: 409, code: "invalid_transition"},
		{name: "start without a ticket", do: act("start", nil), status: 409, code: "invalid_transition"},
		{name: "done without a ticket", do: act("done", nil), status: 409, code: "invalid_transition"},
		{name: "no-show without a ticket", do: act("no-show", nil), status: 409, code: "invalid_transition"},
		{name: "transfer without a ticket", do: act("transfer", map[string]string{"service": "applications"}), status: 409, code: "invalid_transition"},
		{name: "three citizens take tickets", status: 201, do: func(t *testing.T) apptest.Response {
			var res apptest.Response
			for range 3 {
				res = kiosk.Do("POST", apptest.TicketsPath, map[string]string{"service": "certificates"})
				if res.Status == http.StatusCreated {
					tickets = append(tickets, apptest.Decode[apptest.TicketJSON](t, res))
				}
			}
			return res
		}},
		{name: "next calls A001", do: act("next", nil), status: 200, check: called("A001")},
		{name: "recall", do: act("recall", nil), status: 200, check: func(t *testing.T, res apptest.Response) {
			result("open", "A001", "called")(t, res)
			if r := apptest.Decode[apptest.CounterResultJSON](t, res); r.Ticket != nil && r.Ticket.Recalls != 1 {
				t.Errorf("recalls %d, want 1", r.Ticket.Recalls)
			}
		}},
		{name: "start", do: act("start", nil), status: 200, check: result("open", "A001", "serving")},
		{name: "no-show while serving", do: act("no-show", nil), status: 409, code: "invalid_transition"},
		{name: "recall while serving", do: act("recall", nil), status: 409, code: "invalid_transition"},
		{name: "done", do: act("done", nil), status: 200, check: func(t *testing.T, res apptest.Response) {
			result("open", "", "done")(t, res)
			stateOf(0, "done")(t, res)
		}},
		{name: "done again", do: act("done", nil), status: 409, code: "invalid_transition"},
		{name: "next calls A002", do: act("next", nil), status: 200, check: called("A002")},
		{name: "no-show", do: act("no-show", nil), status: 200, check: func(t *testing.T, res apptest.Response) {
			result("open", "", "no_show")(t, res)
			stateOf(1, "no_show")(t, res)
		}},
		{name: "next calls A003", do: act("next", nil), status: 200, check: called("A003")},
		{name: "next finishes A003 and finds nobody", do: act("next", nil), status: 204, check: stateOf(2, "done")},
		{name: "pause", do: act("pause", nil), status: 200, check: result("paused", "", "")},
		{name: "next while paused", do: act("next", nil), status: 409, code: "invalid_transition"},
		{name: "open resumes", do: act("open", nil), status: 200, check: result("open", "", "")},
		{name: "a fourth citizen", status: 201, do: func(t *testing.T) apptest.Response {
			res := kiosk.Do("POST", apptest.TicketsPath, map[string]string{"service": "signatures"})
			if res.Status == http.StatusCreated {
				tickets = append(tickets, apptest.Decode[apptest.TicketJSON](t, res))
			}
			return res
		}},
		{name: "next calls B001", do: act("next", nil), status: 200, check: called("B001")},
		{name: "pause keeps the current ticket", do: act("pause", nil), status: 200, check: func(t *testing.T, res apptest.Response) {
			if c := apptest.CounterOf(t, apptest.GetState(t, clerk, "demo"), "1"); c.Status != "paused" || apptest.CurrentNumber(c) != "B001" {
				t.Errorf("state: counter 1 %s with %q, want paused with B001", c.Status, apptest.CurrentNumber(c))
			}
			result("paused", "B001", "")(t, res) // the answer shows the counter as it is
		}},
		{name: "open again", do: act("open", nil), status: 200, check: result("open", "B001", "")},
		{name: "close finishes the current ticket", do: act("close", nil), status: 200, check: func(t *testing.T, res apptest.Response) {
			result("closed", "", "done")(t, res)
			stateOf(3, "done")(t, res)
			if r := apptest.Decode[apptest.CounterResultJSON](t, res); r.Counter.Clerk != "" {
				t.Errorf("closed counter still held by %q", r.Counter.Clerk)
			}
		}},
		{name: "next after close", do: act("next", nil), status: 409, code: "invalid_transition"},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			res := s.do(t)
			if s.code != "" {
				apptest.WantError(t, res, s.status, s.code)
				return
			}
			apptest.MustStatus(t, res, s.status)
			if s.check != nil {
				s.check(t, res)
			}
		})
	}
}

func TestCounterTransfer(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t)
	clerk := env.User("transfer.clerk", auth.RoleClerk, "demo")
	anon := env.Client()
	tk := apptest.IssueTicket(t, env.Kiosk("demo"), "demo", "certificates")
	apptest.MustStatus(t, clerk.Do("POST", apptest.CounterPath("demo", "1", "open"), nil), http.StatusOK)
	apptest.MustStatus(t, clerk.Do("POST", apptest.CounterPath("demo", "1", "next"), nil), http.StatusOK)
	_, services, _ := demo.Office()
	closedSigs := services[1]
	closedSigs.Open = false
	if _, err := env.App.Engine.PutService(context.Background(), "test", "demo", closedSigs); err != nil {
		t.Fatal(err)
	}
	transfer := apptest.CounterPath("demo", "1", "transfer")

	refused := []struct {
		name   string
		body   any
		status int
		code   string
	}{
		{"no body", nil, 400, "validation_failed"},
		{"no service", map[string]string{}, 400, "validation_failed"},
		{"malformed JSON", `{"service": `, 400, "bad_request"},
		{"unknown field", `{"service": "applications", "reason": "x"}`, 400, "bad_request"},
		{"unknown service", map[string]string{"service": "passports"}, 404, "not_found"},
		{"the same service", map[string]string{"service": "certificates"}, 400, "validation_failed"},
		{"a closed service", map[string]string{"service": "signatures"}, 422, "service_closed"},
	}
	for _, r := range refused {
		t.Run(r.name, func(t *testing.T) {
			apptest.WantError(t, clerk.Do("POST", transfer, r.body), r.status, r.code)
			if got := apptest.GetTicket(t, anon, tk.Token); got.State != "called" || got.Service != "certificates" {
				t.Errorf("after a refused transfer the ticket is %s in %s", got.State, got.Service)
			}
		})
	}

	t.Run("transfer keeps the number", func(t *testing.T) {
		res := clerk.Do("POST", transfer, map[string]string{"service": "applications"})
		apptest.MustStatus(t, res, http.StatusOK)
		r := apptest.Decode[apptest.CounterResultJSON](t, res)
		if r.Ticket == nil || r.Ticket.Number != tk.Number || r.Ticket.Service != "applications" || r.Ticket.State != "waiting" {
			t.Errorf("transfer answered %+v, want %s waiting for applications", r.Ticket, tk.Number)
		}
		if cur := apptest.CurrentNumber(r.Counter); cur != "" {
			t.Errorf("counter still has %s after the transfer", cur)
		}
		got := apptest.GetTicket(t, anon, tk.Token)
		if got.Number != tk.Number || got.Service != "applications" || got.State != "waiting" || got.Position != 1 || got.Counter != nil {
			t.Errorf("ticket reads %s %s %s position %d counter %v, want %s waiting for applications at 1",
				got.Number, got.Service, got.State, got.Position, apptest.Ptr(got.Counter), tk.Number)
		}
		if !got.IssuedAt.Equal(tk.IssuedAt) {
			t.Errorf("issue time %v, want the original %v", got.IssuedAt, tk.IssuedAt)
		}
		st := apptest.GetState(t, anon, "demo")
		if apptest.WaitingOf(t, st, "applications") != 1 || apptest.WaitingOf(t, st, "certificates") != 0 {
			t.Errorf("waiting: %+v, want one for applications", st.Services)
		}
	})
	t.Run("counter 3 calls it with its number", func(t *testing.T) {
		apptest.MustStatus(t, clerk.Do("POST", apptest.CounterPath("demo", "3", "open"), nil), http.StatusOK)
		res := clerk.Do("POST", apptest.CounterPath("demo", "3", "next"), nil)
		apptest.MustStatus(t, res, http.StatusOK)
		if got := apptest.Decode[apptest.TicketJSON](t, res); got.Number != tk.Number || got.Service != "applications" || apptest.Ptr(got.Counter) != "3" {
			t.Errorf("counter 3 called %s (%s) at %s, want %s (applications) at 3", got.Number, got.Service, apptest.Ptr(got.Counter), tk.Number)
		}
	})
}

func TestCounterHeldByAnotherClerk(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t)
	owner := env.User("owner.clerk", auth.RoleClerk, "demo")
	intruder := env.User("intruder.clerk", auth.RoleClerk, "demo")
	admin := env.Admin()
	kiosk := env.Kiosk("demo")
	first := apptest.IssueTicket(t, kiosk, "demo", "certificates")
	second := apptest.IssueTicket(t, kiosk, "demo", "certificates")
	apptest.MustStatus(t, owner.Do("POST", apptest.CounterPath("demo", "1", "open"), nil), http.StatusOK)
	apptest.MustStatus(t, owner.Do("POST", apptest.CounterPath("demo", "1", "next"), nil), http.StatusOK)
	seq := apptest.GetState(t, env.Client(), "demo").Seq

	for _, a := range apptest.CounterActions() {
		t.Run("intruder/"+a.Name, func(t *testing.T) {
			apptest.WantError(t, intruder.Do("POST", apptest.CounterPath("demo", "1", a.Name), a.Body), http.StatusConflict, "conflict")
		})
	}
	t.Run("intruder changed nothing", func(t *testing.T) {
		st := apptest.GetState(t, owner, "demo")
		c := apptest.CounterOf(t, st, "1")
		if st.Seq != seq || c.Status != "open" || c.Clerk != "owner.clerk" || apptest.CurrentNumber(c) != first.Number {
			t.Errorf("counter 1 %s held by %q with %q (seq %d → %d), want open, owner.clerk, %s",
				c.Status, c.Clerk, apptest.CurrentNumber(c), seq, st.Seq, first.Number)
		}
	})

	// An administrator may act on any counter, to help out or tidy up.
	adminSteps := []struct {
		action, body string
		status       int
		check        func(*testing.T, apptest.Response)
	}{
		{"recall", "", 200, nil},
		{"start", "", 200, nil},
		{"done", "", 200, nil},
		{"next", "", 200, func(t *testing.T, res apptest.Response) {
			if got := apptest.Decode[apptest.TicketJSON](t, res); got.Number != second.Number || apptest.Ptr(got.Counter) != "1" {
				t.Errorf("admin's next called %s at %s, want %s at 1", got.Number, apptest.Ptr(got.Counter), second.Number)
			}
		}},
		{"transfer", `{"service": "applications"}`, 200, nil},
		{"pause", "", 200, nil},
		{"close", "", 200, func(t *testing.T, res apptest.Response) {
			if r := apptest.Decode[apptest.CounterResultJSON](t, res); r.Counter.Status != "closed" || r.Counter.Clerk != "" {
				t.Errorf("counter %s held by %q after admin's close", r.Counter.Status, r.Counter.Clerk)
			}
		}},
	}
	for _, s := range adminSteps {
		t.Run("admin/"+s.action, func(t *testing.T) {
			var body any
			if s.body != "" {
				body = s.body
			}
			res := admin.Do("POST", apptest.CounterPath("demo", "1", s.action), body)
			apptest.MustStatus(t, res, s.status)
			if s.check != nil {
				s.check(t, res)
			}
		})
	}
	t.Run("freed counter opens for another clerk", func(t *testing.T) {
		res := intruder.Do("POST", apptest.CounterPath("demo", "1", "open"), nil)
		apptest.MustStatus(t, res, http.StatusOK)
		if r := apptest.Decode[apptest.CounterResultJSON](t, res); r.Counter.Clerk != "intruder.clerk" {
			t.Errorf("counter held by %q, want intruder.clerk", r.Counter.Clerk)
		}
		apptest.WantError(t, owner.Do("POST", apptest.CounterPath("demo", "1", "next"), nil), http.StatusConflict, "conflict")
	})
}
