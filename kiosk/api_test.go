package kiosk_test

// HTTP tests of the kiosk's endpoints and the citizen's ticket against a
// whole server (apptest.Start).

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/seira-queue/seira/app"
	"github.com/seira-queue/seira/app/apptest"
	"github.com/seira-queue/seira/auth"
	"github.com/seira-queue/seira/demo"
	"github.com/seira-queue/seira/internal/nettest"
)

// ---------------------------------------------------------------------------
// Kiosk

func TestServices(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t)
	anon := env.Client()

	res := anon.Do("GET", apptest.ServicesPath, nil)
	apptest.MustStatus(t, res, http.StatusOK)
	list := apptest.Decode[struct {
		Services []apptest.ServiceJSON `json:"services"`
	}](t, res).Services
	var ids, prefixes []string
	for _, s := range list {
		ids, prefixes = append(ids, s.ID), append(prefixes, s.Prefix)
		if !s.Open || s.Waiting != 0 || s.EstimatedWaitS < 0 || s.Name["el"] == "" || s.Name["en"] == "" {
			t.Errorf("service %+v: want open, nobody waiting, names in el and en", s)
		}
	}
	if want := []string{"certificates", "signatures", "applications"}; !slices.Equal(ids, want) {
		t.Errorf("services %v, want %v", ids, want)
	}
	if want := []string{"A", "B", "C"}; !slices.Equal(prefixes, want) {
		t.Errorf("prefixes %v, want %v", prefixes, want)
	}

	apptest.IssueTicket(t, env.Kiosk("demo"), "demo", "signatures")
	for _, s := range apptest.Decode[struct {
		Services []apptest.ServiceJSON `json:"services"`
	}](t, anon.Do("GET", apptest.ServicesPath, nil)).Services {
		if want := map[bool]int{true: 1, false: 0}[s.ID == "signatures"]; s.Waiting != want {
			t.Errorf("after one signatures ticket, %s has %d waiting, want %d", s.ID, s.Waiting, want)
		}
	}
	apptest.WantError(t, anon.Do("GET", "/api/v1/branches/nope/services", nil), http.StatusNotFound, "not_found")
}

func TestIssueByWhom(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t)
	apptest.CreateOtherBranch(t, env)
	display := apptest.Device(t, env, "demo", auth.DeviceDisplay)

	cases := []struct {
		name   string
		c      *apptest.Client
		status int
		code   string
	}{
		{"anonymous", env.Client(), http.StatusUnauthorized, "unauthenticated"},
		{"kiosk of demo", env.Kiosk("demo"), http.StatusCreated, ""},
		{"display of demo", display, http.StatusForbidden, "forbidden"},
		{"kiosk of another branch", env.Kiosk("other"), http.StatusForbidden, "forbidden"},
		{"clerk of demo", env.User("demo.clerk", auth.RoleClerk, "demo"), http.StatusCreated, ""},
		{"manager of demo", env.User("demo.manager", auth.RoleManager, "demo"), http.StatusCreated, ""},
		{"admin", env.Admin(), http.StatusCreated, ""},
		{"clerk of another branch", env.User("other.clerk", auth.RoleClerk, "other"), http.StatusForbidden, "forbidden"},
	}
	issued := 0
	tokens := map[string]bool{}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := tc.c.Do("POST", apptest.TicketsPath, map[string]string{"service": "certificates"})
			if tc.status != http.StatusCreated {
				apptest.WantError(t, res, tc.status, tc.code)
				return
			}
			apptest.MustStatus(t, res, http.StatusCreated)
			issued++
			tk := apptest.Decode[apptest.TicketJSON](t, res)
			if want := fmt.Sprintf("A%03d", issued); tk.Number != want {
				t.Errorf("number %q, want %q", tk.Number, want)
			}
			apptest.CheckHolderTicket(t, env, tk)
			if tk.State != "waiting" || tk.Service != "certificates" || tk.Branch != "demo" || tk.Priority != "none" {
				t.Errorf("ticket %+v: want a waiting regular certificates ticket of demo", tk)
			}
			if tk.Position != issued {
				t.Errorf("position %d, want %d", tk.Position, issued)
			}
			if tk.ServiceName["el"] == "" || tk.IssuedAt.IsZero() || tk.CalledAt != nil || tk.Counter != nil {
				t.Errorf("ticket %+v: want a service name, an issue time, no call", tk)
			}
			if tokens[tk.Token] {
				t.Errorf("token %s issued twice", tk.Token)
			}
			tokens[tk.Token] = true
		})
	}
	if got := apptest.WaitingOf(t, apptest.GetState(t, env.Client(), "demo"), "certificates"); got != issued {
		t.Errorf("%d waiting, want %d: refused requests must issue nothing", got, issued)
	}
}

func TestIssueBadInput(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t)
	kiosk := env.Kiosk("demo")
	admin := env.Admin()
	_, services, _ := demo.Office()
	closed := services[1] // signatures
	closed.Open = false
	if _, err := env.App.Engine.PutService(context.Background(), "test", "demo", closed); err != nil {
		t.Fatal(err)
	}
	before := apptest.GetState(t, env.Client(), "demo")
	big := `{"service": "certificates", "lang": "` + strings.Repeat("x", 70<<10) + `"}`

	cases := []struct {
		name   string
		c      *apptest.Client
		path   string
		body   any
		header []string
		status int
		code   string
	}{
		{name: "unknown service", body: map[string]string{"service": "passports"}, status: 404, code: "not_found"},
		{name: "closed service", body: map[string]string{"service": "signatures"}, status: 422, code: "service_closed"},
		{name: "bad priority", body: map[string]string{"service": "certificates", "priority": "vip"}, status: 400, code: "validation_failed"},
		{name: "bad language", body: map[string]string{"service": "certificates", "lang": "ελληνικά"}, status: 400, code: "validation_failed"},
		{name: "no service", body: map[string]string{}, status: 400, code: "validation_failed"},
		{name: "empty body", body: "", status: 400, code: "validation_failed"},
		{name: "null body", body: "null", status: 400, code: "validation_failed"},
		{name: "malformed JSON", body: `{"service": "certificates"`, status: 400, code: "bad_request"},
		{name: "JSON array", body: `["certificates"]`, status: 400, code: "bad_request"},
		{name: "service is a number", body: `{"service": 1}`, status: 400, code: "bad_request"},
		{name: "trailing data", body: `{"service": "certificates"} {"service": "certificates"}`, status: 400, code: "bad_request"},
		{name: "unknown field", body: `{"service": "certificates", "name": "Γιώργος"}`, status: 400, code: "bad_request"},
		{name: "body over 64 KiB", body: big, status: 413, code: "too_large"},
		{name: "wrong Content-Type", body: `{"service": "certificates"}`, header: []string{"Content-Type", "text/plain"}, status: 400, code: "bad_request"},
		{name: "form Content-Type", body: "service=certificates", header: []string{"Content-Type", "application/x-www-form-urlencoded"}, status: 400, code: "bad_request"},
		{name: "idempotency key too long", body: map[string]string{"service": "certificates"},
			header: []string{"Idempotency-Key", strings.Repeat("k", 300)}, status: 400, code: "validation_failed"},
		{name: "unknown branch (admin)", c: admin, path: "/api/v1/branches/nope/tickets", body: map[string]string{"service": "certificates"}, status: 404, code: "not_found"},
		{name: "unknown branch (kiosk of demo)", path: "/api/v1/branches/nope/tickets", body: map[string]string{"service": "certificates"}, status: 403, code: "forbidden"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, path := tc.c, tc.path
			if c == nil {
				c = kiosk
			}
			if path == "" {
				path = apptest.TicketsPath
			}
			apptest.WantError(t, c.Do("POST", path, tc.body, tc.header...), tc.status, tc.code)
		})
	}
	t.Run("chunked body over 64 KiB", func(t *testing.T) {
		res := doChunked(t, env, kiosk, "POST", apptest.TicketsPath, big)
		apptest.WantError(t, res, http.StatusRequestEntityTooLarge, "too_large")
	})
	t.Run("the closed service shows closed", func(t *testing.T) {
		for _, s := range apptest.Decode[struct {
			Services []apptest.ServiceJSON `json:"services"`
		}](t, kiosk.Do("GET", apptest.ServicesPath, nil)).Services {
			if s.Open != (s.ID != "signatures") {
				t.Errorf("service %s open = %v", s.ID, s.Open)
			}
		}
	})
	t.Run("nothing was issued", func(t *testing.T) {
		after := apptest.GetState(t, env.Client(), "demo")
		if after.Seq != before.Seq {
			t.Errorf("seq %d → %d after refused requests", before.Seq, after.Seq)
		}
		for _, s := range after.Services {
			if s.Waiting != 0 {
				t.Errorf("%s has %d waiting", s.ID, s.Waiting)
			}
		}
	})
	t.Run("priority ticket", func(t *testing.T) {
		res := kiosk.Do("POST", apptest.TicketsPath, map[string]string{"service": "certificates", "priority": "disability", "lang": "en"})
		apptest.MustStatus(t, res, http.StatusCreated)
		if tk := apptest.Decode[apptest.TicketJSON](t, res); tk.Priority != "disability" || tk.Number != "A001" {
			t.Errorf("ticket %s priority %q, want A001 disability", tk.Number, tk.Priority)
		}
	})
}

func TestIssueIdempotency(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t)
	kiosk, kiosk2 := env.Kiosk("demo"), env.Kiosk("demo")
	closeIdleAtEnd(t, kiosk)
	body := map[string]string{"service": "certificates"}
	seq0 := apptest.GetState(t, env.Client(), "demo").Seq

	post := func(c *apptest.Client, key string, body any) apptest.Response {
		return c.Do("POST", apptest.TicketsPath, body, "Idempotency-Key", key)
	}
	first := post(kiosk, "key-1", body)
	apptest.MustStatus(t, first, http.StatusCreated)
	a := apptest.Decode[apptest.TicketJSON](t, first)

	retry := post(kiosk, "key-1", body)
	apptest.MustStatus(t, retry, http.StatusCreated)
	b := apptest.Decode[apptest.TicketJSON](t, retry)
	if b.Number != a.Number || b.Token != a.Token || b.TrackURL != a.TrackURL {
		t.Errorf("retry gave %s %s, want %s %s", b.Number, b.Token, a.Number, a.Token)
	}
	st := apptest.GetState(t, env.Client(), "demo")
	if n := apptest.WaitingOf(t, st, "certificates"); n != 1 {
		t.Errorf("%d waiting after a retry, want 1", n)
	}
	if st.Seq != seq0+1 {
		t.Errorf("seq %d → %d: a retry must add no event", seq0, st.Seq)
	}

	other := apptest.Decode[apptest.TicketJSON](t, apptest.MustStatus(t, post(kiosk, "key-2", body), http.StatusCreated))
	if other.Number != "A002" {
		t.Errorf("another key gave %s, want A002", other.Number)
	}
	// Keys are per issuer: another kiosk may use the same one.
	third := apptest.Decode[apptest.TicketJSON](t, apptest.MustStatus(t, post(kiosk2, "key-1", body), http.StatusCreated))
	if third.Number != "A003" || third.Token == a.Token {
		t.Errorf("another kiosk's key-1 gave %s, want a new ticket A003", third.Number)
	}
	apptest.WantError(t, post(kiosk, "key-1", map[string]string{"service": "signatures"}), http.StatusConflict, "conflict")
	if n := apptest.WaitingOf(t, apptest.GetState(t, env.Client(), "demo"), "certificates"); n != 3 {
		t.Errorf("%d waiting, want 3", n)
	}

	t.Run("retry after the ticket was transferred", func(t *testing.T) {
		clerk := env.User("idem.clerk", auth.RoleClerk, "demo")
		apptest.MustStatus(t, clerk.Do("POST", apptest.CounterPath("demo", "1", "open"), nil), http.StatusOK)
		apptest.MustStatus(t, clerk.Do("POST", apptest.CounterPath("demo", "1", "next"), nil), http.StatusOK) // A001, key-1
		apptest.MustStatus(t, clerk.Do("POST", apptest.CounterPath("demo", "1", "transfer"), map[string]string{"service": "applications"}), http.StatusOK)
		late := apptest.Decode[apptest.TicketJSON](t, apptest.MustStatus(t, post(kiosk, "key-1", body), http.StatusCreated))
		if late.Token != a.Token || late.Service != "applications" {
			t.Errorf("late retry gave %s (%s), want %s now in applications", late.Number, late.Service, a.Number)
		}
	})
	t.Run("concurrent retries issue one ticket", func(t *testing.T) {
		before := apptest.WaitingOf(t, apptest.GetState(t, env.Client(), "demo"), "signatures")
		tokens := parallel(12, func(int) apptest.Response {
			return post(kiosk, "key-burst", map[string]string{"service": "signatures"})
		})
		seen := map[string]bool{}
		for _, res := range tokens {
			if res.Status != http.StatusCreated {
				t.Fatalf("status %d: %s", res.Status, apptest.Short(res.Body))
			}
			seen[apptest.Decode[apptest.TicketJSON](t, res).Token] = true
		}
		if len(seen) != 1 {
			t.Errorf("12 concurrent tries with one key gave %d tickets", len(seen))
		}
		if after := apptest.WaitingOf(t, apptest.GetState(t, env.Client(), "demo"), "signatures"); after != before+1 {
			t.Errorf("signatures waiting %d → %d, want +1", before, after)
		}
	})
}

func TestConcurrentIssueAndCall(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t)
	kiosks := []*apptest.Client{env.Kiosk("demo"), env.Kiosk("demo"), env.Kiosk("demo")}
	closeIdleAtEnd(t, kiosks...)
	const n = 30
	issued := parallel(n, func(i int) apptest.Response {
		return kiosks[i%len(kiosks)].Do("POST", apptest.TicketsPath, map[string]string{"service": "certificates"})
	})
	numbers := map[string]bool{}
	for _, res := range issued {
		if res.Status != http.StatusCreated {
			t.Fatalf("issue: status %d %s", res.Status, apptest.Short(res.Body))
		}
		numbers[apptest.Decode[apptest.TicketJSON](t, res).Number] = true
	}
	for i := 1; i <= n; i++ {
		if !numbers[fmt.Sprintf("A%03d", i)] {
			t.Errorf("A%03d was not issued (got %d distinct numbers)", i, len(numbers))
		}
	}

	// Three counters serve certificates; their clerks call at once.
	counters := []string{"1", "2", "4"}
	clerks := map[string]*apptest.Client{}
	for _, ctr := range counters {
		clerks[ctr] = env.User("clerk-"+ctr, auth.RoleClerk, "demo")
		closeIdleAtEnd(t, clerks[ctr])
		apptest.MustStatus(t, clerks[ctr].Do("POST", apptest.CounterPath("demo", ctr, "open"), nil), http.StatusOK)
	}
	called := parallel(n, func(i int) apptest.Response {
		ctr := counters[i%len(counters)]
		return clerks[ctr].Do("POST", apptest.CounterPath("demo", ctr, "next"), nil)
	})
	got := map[string]int{}
	for _, res := range called {
		switch res.Status {
		case http.StatusOK:
			got[apptest.Decode[apptest.TicketJSON](t, res).Number]++
		case http.StatusNoContent:
		default:
			t.Fatalf("next: status %d %s", res.Status, apptest.Short(res.Body))
		}
	}
	for number, times := range got {
		if times != 1 {
			t.Errorf("%s was called %d times", number, times)
		}
	}
	if len(got) != n {
		t.Errorf("%d distinct tickets called by %d nexts, want %d", len(got), n, n)
	}
	if w := apptest.WaitingOf(t, apptest.GetState(t, env.Client(), "demo"), "certificates"); w != 0 {
		t.Errorf("%d still waiting", w)
	}
}

func TestIssueRateLimit(t *testing.T) {
	t.Parallel()
	// A ticket every 1,000 s after a burst of 2: the third comes long
	// before any refill, however slow the machine.
	env := apptest.Start(t, func(c *app.Config) { c.KioskRate, c.KioskBurst = 0.001, 2 })
	kiosk := env.Kiosk("demo")
	body := map[string]string{"service": "certificates"}

	apptest.MustStatus(t, kiosk.Do("POST", apptest.TicketsPath, body), http.StatusCreated)
	apptest.MustStatus(t, kiosk.Do("POST", apptest.TicketsPath, body), http.StatusCreated)
	res := kiosk.Do("POST", apptest.TicketsPath, body)
	apptest.WantError(t, res, http.StatusTooManyRequests, "rate_limited")
	if ra, err := strconv.Atoi(res.Header.Get("Retry-After")); err != nil || ra <= 0 {
		t.Errorf("Retry-After %q, want a positive number of seconds", res.Header.Get("Retry-After"))
	}
	if n := apptest.WaitingOf(t, apptest.GetState(t, env.Client(), "demo"), "certificates"); n != 2 {
		t.Errorf("%d waiting, want 2: the refused issue must not count", n)
	}

	t.Run("another kiosk has its own allowance", func(t *testing.T) {
		apptest.MustStatus(t, env.Kiosk("demo").Do("POST", apptest.TicketsPath, body), http.StatusCreated)
	})
	for _, who := range []struct {
		name string
		c    *apptest.Client
	}{{"admin", env.Admin()}, {"clerk", env.User("busy.clerk", auth.RoleClerk, "demo")}} {
		t.Run(who.name+" is not rate-limited", func(t *testing.T) {
			for i := range 6 {
				if res := who.c.Do("POST", apptest.TicketsPath, body); res.Status != http.StatusCreated {
					t.Fatalf("issue %d: status %d %s", i+1, res.Status, apptest.Short(res.Body))
				}
			}
		})
	}
}

// ---------------------------------------------------------------------------
// The citizen's ticket, by token

func TestTicketByToken(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t)
	kiosk, anon := env.Kiosk("demo"), env.Client()
	var tickets []apptest.TicketJSON
	for range 3 {
		tickets = append(tickets, apptest.IssueTicket(t, kiosk, "demo", "certificates"))
	}

	for i, tk := range tickets {
		t.Run(tk.Number, func(t *testing.T) {
			res := anon.Do("GET", "/api/v1/tickets/"+tk.Token, nil)
			apptest.MustStatus(t, res, http.StatusOK)
			got := apptest.Decode[apptest.TicketJSON](t, res)
			if got.Number != tk.Number || got.State != "waiting" || got.Position != i+1 || got.EstimatedWaitS < 0 {
				t.Errorf("got %s %s position %d wait %d, want %s waiting at %d", got.Number, got.State,
					got.Position, got.EstimatedWaitS, tk.Number, i+1)
			}
			if got.Token != tk.Token || got.TrackURL != tk.TrackURL {
				t.Errorf("holder's view token %q url %q, want %q %q", got.Token, got.TrackURL, tk.Token, tk.TrackURL)
			}
			if cc := res.Header.Get("Cache-Control"); !strings.Contains(cc, "no-store") {
				t.Errorf("Cache-Control %q, want no-store", cc)
			}
		})
	}

	bad := map[string]string{
		"short":                  "abc",
		"31 characters":          tickets[0].Token[:31],
		"33 characters":          tickets[0].Token + "A",
		"not base64url":          tickets[0].Token[:31] + ".",
		"padding":                tickets[0].Token[:30] + "==",
		"very long":              strings.Repeat("A", 4096),
		"random part changed":    flipLastByte(t, tickets[0].Token),
		"reference of no ticket": tokenWithRef(t, tickets[0].Token, 1<<40),
		"another ticket's ref":   tokenWithRef(t, tickets[0].Token, refOf(t, tickets[1].Token)),
	}
	for name, tok := range bad {
		t.Run("unknown token/"+name, func(t *testing.T) {
			p := "/api/v1/tickets/" + url.PathEscape(tok)
			apptest.WantError(t, anon.Do("GET", p, nil), http.StatusNotFound, "not_found")
			apptest.WantError(t, anon.Do("GET", p+"/qr.png", nil), http.StatusNotFound, "not_found")
			apptest.WantError(t, anon.Do("DELETE", p, nil), http.StatusNotFound, "not_found")
		})
	}
	t.Run("unknown tokens cancelled nothing", func(t *testing.T) {
		if n := apptest.WaitingOf(t, apptest.GetState(t, anon, "demo"), "certificates"); n != 3 {
			t.Errorf("%d waiting, want 3", n)
		}
	})
	t.Run("a priority ticket goes first", func(t *testing.T) {
		res := kiosk.Do("POST", apptest.TicketsPath, map[string]string{"service": "certificates", "priority": "senior"})
		apptest.MustStatus(t, res, http.StatusCreated)
		if p := apptest.Decode[apptest.TicketJSON](t, res); p.Position != 1 {
			t.Errorf("priority ticket at position %d, want 1", p.Position)
		}
		for i, tk := range tickets {
			if got := apptest.GetTicket(t, anon, tk.Token); got.Position != i+2 {
				t.Errorf("%s at position %d behind a priority ticket, want %d", tk.Number, got.Position, i+2)
			}
		}
	})
	t.Run("called ticket", func(t *testing.T) {
		clerk := env.User("token.clerk", auth.RoleClerk, "demo")
		apptest.MustStatus(t, clerk.Do("POST", apptest.CounterPath("demo", "2", "open"), nil), http.StatusOK)
		apptest.MustStatus(t, clerk.Do("POST", apptest.CounterPath("demo", "2", "next"), nil), http.StatusOK) // the priority ticket
		apptest.MustStatus(t, clerk.Do("POST", apptest.CounterPath("demo", "2", "next"), nil), http.StatusOK) // A001
		got := apptest.GetTicket(t, anon, tickets[0].Token)
		if got.State != "called" || got.Position != 0 || apptest.Ptr(got.Counter) != "2" || got.CalledAt == nil || got.CounterName["el"] != "Γκισέ 2" {
			t.Errorf("called ticket reads %+v: want called at counter 2 (Γκισέ 2), position 0", got)
		}
		if got := apptest.GetTicket(t, anon, tickets[1].Token); got.Position != 1 {
			t.Errorf("%s at position %d once the one ahead is called, want 1", tickets[1].Number, got.Position)
		}
	})
}

func TestPublicURL(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, func(c *app.Config) { c.Public = apptest.Public(t, "https://kep.example/", "") })
	tk := apptest.IssueTicket(t, env.Kiosk("demo"), "demo", "certificates")
	if want := "https://kep.example/t/" + tk.Token; tk.TrackURL != want {
		t.Errorf("track_url %q, want %q", tk.TrackURL, want)
	}
	if got := apptest.GetTicket(t, env.Client(), tk.Token); got.TrackURL != tk.TrackURL {
		t.Errorf("holder's view track_url %q, want %q", got.TrackURL, tk.TrackURL)
	}
	res := env.Client().Do("POST", apptest.LoginPath, map[string]string{"username": "admin", "password": apptest.AdminPassword})
	apptest.MustStatus(t, res, http.StatusOK)
	if ck := apptest.SessionCookie(res); ck == nil || !ck.Secure || !ck.HttpOnly {
		t.Errorf("behind an https public URL the session cookie %+v must be Secure and HttpOnly", ck)
	}
}

func TestTicketQR(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t)
	tk := apptest.IssueTicket(t, env.Kiosk("demo"), "demo", "certificates")
	res := env.Client().Do("GET", "/api/v1/tickets/"+tk.Token+"/qr.png", nil)
	apptest.MustStatus(t, res, http.StatusOK)
	if ct := res.Header.Get("Content-Type"); ct != "image/png" {
		t.Errorf("Content-Type %q, want image/png", ct)
	}
	if !bytes.HasPrefix(res.Body, []byte("\x89PNG\r\n\x1a\n")) {
		t.Errorf("body does not start with the PNG signature: % x", res.Body[:min(len(res.Body), 8)])
	}
}

func TestTicketReprint(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t)
	apptest.CreateOtherBranch(t, env)
	kiosk := env.Kiosk("demo")
	tk := apptest.IssueTicket(t, kiosk, "demo", "certificates")
	printing := apptest.Device(t, env, "demo", auth.DeviceKiosk, `{"printer": {"addr": "`+nettest.ClosedAddr(t)+`"}}`)
	cases := []struct {
		name   string
		c      *apptest.Client
		token  string
		status int
		code   string
	}{
		{"anonymous", env.Client(), tk.Token, 401, "unauthenticated"},
		{"clerk", env.User("print.clerk", auth.RoleClerk, "demo"), tk.Token, 403, "forbidden"},
		{"display", apptest.Device(t, env, "demo", auth.DeviceDisplay), tk.Token, 403, "forbidden"},
		{"kiosk of another branch", env.Kiosk("other"), tk.Token, 403, "forbidden"},
		{"kiosk without a printer", kiosk, tk.Token, 409, "conflict"},
		{"unknown token", kiosk, flipLastByte(t, tk.Token), 404, "not_found"},
		{"malformed token", kiosk, "nope", 404, "not_found"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			apptest.WantError(t, tc.c.Do("POST", "/api/v1/tickets/"+tc.token+"/print", nil), tc.status, tc.code)
		})
	}
	t.Run("kiosk with a dead printer", func(t *testing.T) {
		res := printing.Do("POST", "/api/v1/tickets/"+tk.Token+"/print", nil)
		apptest.MustStatus(t, res, http.StatusOK)
		r := apptest.Decode[struct {
			OK    bool   `json:"ok"`
			Error string `json:"error"`
		}](t, res)
		if r.OK || r.Error == "" {
			t.Errorf("print result %+v: want a failure with its reason", r)
		}
		issued := printing.Do("POST", apptest.TicketsPath, map[string]string{"service": "certificates"})
		apptest.MustStatus(t, issued, http.StatusCreated)
		if !bytes.Contains(issued.Body, []byte(`"print":{`)) || !bytes.Contains(issued.Body, []byte(`"ok":false`)) {
			t.Errorf("issue on a kiosk with a dead printer: %s, want a failed print result", apptest.Short(issued.Body))
		}
	})
}

func TestTicketCancel(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t)
	kiosk, anon := env.Kiosk("demo"), env.Client()
	a := apptest.IssueTicket(t, kiosk, "demo", "certificates")
	b := apptest.IssueTicket(t, kiosk, "demo", "certificates")
	if n := apptest.WaitingOf(t, apptest.GetState(t, anon, "demo"), "certificates"); n != 2 {
		t.Fatalf("%d waiting, want 2", n)
	}

	res := anon.Do("DELETE", "/api/v1/tickets/"+a.Token, nil)
	apptest.MustStatus(t, res, http.StatusOK)
	if got := apptest.Decode[apptest.TicketJSON](t, res); got.State != "cancelled" || got.Number != a.Number || got.Position != 0 {
		t.Errorf("cancel answered %s %s position %d, want %s cancelled at 0", got.Number, got.State, got.Position, a.Number)
	}
	if n := apptest.WaitingOf(t, apptest.GetState(t, anon, "demo"), "certificates"); n != 1 {
		t.Errorf("%d waiting after a cancel, want 1", n)
	}
	if got := apptest.GetTicket(t, anon, b.Token); got.Position != 1 {
		t.Errorf("the next ticket is at position %d after the one ahead left, want 1", got.Position)
	}
	apptest.WantError(t, anon.Do("DELETE", "/api/v1/tickets/"+a.Token, nil), http.StatusConflict, "invalid_transition")
	if got := apptest.GetTicket(t, anon, a.Token); got.State != "cancelled" {
		t.Errorf("cancelled ticket reads as %s", got.State)
	}

	t.Run("called ticket", func(t *testing.T) {
		clerk := env.User("cancel.clerk", auth.RoleClerk, "demo")
		apptest.MustStatus(t, clerk.Do("POST", apptest.CounterPath("demo", "1", "open"), nil), http.StatusOK)
		apptest.MustStatus(t, clerk.Do("POST", apptest.CounterPath("demo", "1", "next"), nil), http.StatusOK)
		apptest.WantError(t, anon.Do("DELETE", "/api/v1/tickets/"+b.Token, nil), http.StatusConflict, "invalid_transition")
		if got := apptest.GetTicket(t, anon, b.Token); got.State != "called" {
			t.Errorf("called ticket is %s after a refused cancel", got.State)
		}
	})
}
