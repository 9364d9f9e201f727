package server_test

// HTTP tests of the kiosk, counter, state and sign-in parts of API.md,
// against a whole server (apptest.Start: real bbolt store, real listener).
// Every test starts its own server, so tests run in parallel and never see
// each other's tickets.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/seira-queue/seira/app"
	"github.com/seira-queue/seira/app/apptest"
	"github.com/seira-queue/seira/auth"
	"github.com/seira-queue/seira/demo"
	"github.com/seira-queue/seira/internal/nettest"
	"github.com/seira-queue/seira/queue"
	"github.com/seira-queue/seira/static"
)

const (
	loginPath    = "/api/v1/login"
	logoutPath   = "/api/v1/logout"
	mePath       = "/api/v1/me"
	servicesPath = "/api/v1/branches/demo/services"
	ticketsPath  = "/api/v1/branches/demo/tickets"
	statePath    = "/api/v1/branches/demo/state"
)

// counterActions are every counter action, with a body that would be
// valid if the counter had a current ticket.
var counterActions = []struct {
	name string
	body any
}{
	{"open", nil}, {"pause", nil}, {"close", nil}, {"next", nil}, {"recall", nil},
	{"start", nil}, {"done", nil}, {"no-show", nil}, {"transfer", map[string]string{"service": "applications"}},
}

// ---------------------------------------------------------------------------
// Sign-in

func TestLoginSuccess(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t)

	cases := []struct {
		name, username, password, role string
		branches                       []string
		setup                          func()
	}{
		{name: "admin", username: "admin", password: apptest.AdminPassword, role: "admin", branches: []string{}},
		{name: "clerk", username: "login.clerk", password: "clerk-password-1", role: "clerk", branches: []string{"demo"},
			setup: func() {
				if _, err := env.App.Auth.PutUser(context.Background(), "test",
					auth.User{Username: "login.clerk", Role: auth.RoleClerk, Branches: []string{"demo"}}, "clerk-password-1"); err != nil {
					t.Fatal(err)
				}
			}},
		{name: "username is case-insensitive", username: "ADMIN", password: apptest.AdminPassword, role: "admin", branches: []string{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.setup != nil {
				tc.setup()
			}
			c := env.Client()
			res := c.Do("POST", loginPath, map[string]string{"username": tc.username, "password": tc.password})
			apptest.MustStatus(t, res, http.StatusOK)

			ck := sessionCookie(res)
			if ck == nil {
				t.Fatalf("no %s cookie set; Set-Cookie: %q", "seira_session", res.Header.Values("Set-Cookie"))
			}
			if !ck.HttpOnly {
				t.Error("session cookie is not HttpOnly")
			}
			if ck.SameSite != http.SameSiteStrictMode {
				t.Errorf("session cookie SameSite = %v, want Strict (Set-Cookie %q)", ck.SameSite, res.Header.Values("Set-Cookie"))
			}
			if ck.Path != "/" {
				t.Errorf("session cookie path %q, want /", ck.Path)
			}
			if ck.Value == "" || ck.MaxAge <= 0 {
				t.Errorf("session cookie value %q max-age %d: want a live session", ck.Value, ck.MaxAge)
			}

			me := apptest.Decode[meJSON](t, res)
			if me.CSRF == "" {
				t.Error("login answer has no csrf_token")
			}
			if me.CSRF == ck.Value {
				t.Error("csrf_token equals the session cookie")
			}
			if me.User == nil || me.User.Username != strings.ToLower(tc.username) || me.User.Role != tc.role {
				t.Errorf("user = %+v, want %s with role %s", me.User, strings.ToLower(tc.username), tc.role)
			} else if !slices.Equal(me.User.Branches, tc.branches) {
				t.Errorf("branches = %v, want %v", me.User.Branches, tc.branches)
			}
			if me.Device != nil {
				t.Errorf("a user sign-in shows a device: %+v", me.Device)
			}
			body := strings.ToLower(string(res.Body))
			for _, bad := range []string{"password", "hash", "$2a$", "$2b$", strings.ToLower(ck.Value)} {
				if strings.Contains(body, bad) {
					t.Errorf("login JSON contains %q: %s", bad, res.Body)
				}
			}

			// The cookie signs the client in.
			meRes := c.Do("GET", mePath, nil)
			apptest.MustStatus(t, meRes, http.StatusOK)
			if strings.Contains(strings.ToLower(string(meRes.Body)), "password") {
				t.Errorf("/me JSON mentions a password: %s", meRes.Body)
			}
		})
	}
}

func TestLoginRefused(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t)

	cases := []struct {
		name   string
		body   any
		header []string
		status int
		code   string
	}{
		{name: "wrong password", body: map[string]string{"username": "admin", "password": "wrong-password-1"},
			status: http.StatusUnauthorized, code: "unauthenticated"},
		{name: "unknown user", body: map[string]string{"username": "nobody", "password": apptest.AdminPassword},
			status: http.StatusUnauthorized, code: "unauthenticated"},
		{name: "empty password", body: map[string]string{"username": "admin", "password": ""},
			status: http.StatusBadRequest, code: "validation_failed"},
		{name: "no username", body: map[string]string{"password": apptest.AdminPassword},
			status: http.StatusBadRequest, code: "validation_failed"},
		{name: "malformed JSON", body: `{"username": "admin", `, status: http.StatusBadRequest, code: "bad_request"},
		{name: "unknown field", body: `{"username": "admin", "password": "x", "remember": true}`,
			status: http.StatusBadRequest, code: "bad_request"},
		{name: "form post", body: "username=admin&password=" + apptest.AdminPassword,
			header: []string{"Content-Type", "application/x-www-form-urlencoded"}, status: http.StatusBadRequest, code: "bad_request"},
	}
	messages := map[string]string{}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := env.Client()
			res := c.Do("POST", loginPath, tc.body, tc.header...)
			apptest.WantError(t, res, tc.status, tc.code)
			if ck := sessionCookie(res); ck != nil && ck.Value != "" && ck.MaxAge >= 0 {
				t.Errorf("a refused sign-in set a session cookie")
			}
			if tc.status == http.StatusUnauthorized {
				messages[tc.name] = errorMessage(res.Body)
			}
			apptest.MustStatus(t, c.Do("GET", mePath, nil), http.StatusUnauthorized)
		})
	}
	if messages["wrong password"] == "" || messages["wrong password"] != messages["unknown user"] {
		t.Errorf("wrong password says %q, unknown user says %q: want the same message",
			messages["wrong password"], messages["unknown user"])
	}

	t.Run("disabled user", func(t *testing.T) {
		c := env.User("leaving.clerk", auth.RoleClerk, "demo")
		apptest.MustStatus(t, c.Do("GET", mePath, nil), http.StatusOK)
		u, err := env.App.Auth.User(context.Background(), "leaving.clerk")
		if err != nil {
			t.Fatal(err)
		}
		u.Disabled = true
		if _, err := env.App.Auth.PutUser(context.Background(), "test", u, ""); err != nil {
			t.Fatal(err)
		}
		apptest.WantError(t, c.Do("GET", mePath, nil), http.StatusUnauthorized, "unauthenticated")
		apptest.WantError(t, c.Do("POST", counterPath("demo", "1", "open"), nil), http.StatusUnauthorized, "unauthenticated")
		res := env.Client().Do("POST", loginPath, map[string]string{"username": "leaving.clerk", "password": "password-of-leaving.clerk"})
		apptest.WantError(t, res, http.StatusUnauthorized, "unauthenticated")
		if msg := errorMessage(res.Body); msg != messages["wrong password"] {
			t.Errorf("disabled user is told %q, want the wrong-password message %q", msg, messages["wrong password"])
		}
	})
}

func TestUserChangesApplyAtOnce(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t)
	createOtherBranch(t, env)
	ctx := context.Background()
	change := func(t *testing.T, username string, f func(*auth.User), password string) {
		t.Helper()
		u, err := env.App.Auth.User(ctx, username)
		if err != nil {
			t.Fatal(err)
		}
		f(&u)
		if _, err := env.App.Auth.PutUser(ctx, "test", u, password); err != nil {
			t.Fatal(err)
		}
	}
	t.Run("moved to another branch", func(t *testing.T) {
		c := env.User("moving.clerk", auth.RoleClerk, "demo")
		change(t, "moving.clerk", func(u *auth.User) { u.Branches = []string{"other"} }, "")
		apptest.WantError(t, c.Do("POST", counterPath("demo", "1", "open"), nil), http.StatusForbidden, "forbidden")
		apptest.MustStatus(t, c.Do("POST", counterPath("other", "1", "open"), nil), http.StatusOK)
	})
	t.Run("password reset ends sessions", func(t *testing.T) {
		c := env.User("forgetful.clerk", auth.RoleClerk, "demo")
		change(t, "forgetful.clerk", func(*auth.User) {}, "a-new-password-2")
		apptest.WantError(t, c.Do("GET", mePath, nil), http.StatusUnauthorized, "unauthenticated")
		apptest.WantError(t, env.Client().Do("POST", loginPath, map[string]string{"username": "forgetful.clerk", "password": "password-of-forgetful.clerk"}),
			http.StatusUnauthorized, "unauthenticated")
		apptest.MustStatus(t, env.Client().Do("POST", loginPath, map[string]string{"username": "forgetful.clerk", "password": "a-new-password-2"}), http.StatusOK)
	})
	t.Run("deleted user", func(t *testing.T) {
		c := env.User("gone.clerk", auth.RoleClerk, "demo")
		if err := env.App.Auth.DeleteUser(ctx, "test", "gone.clerk"); err != nil {
			t.Fatal(err)
		}
		apptest.WantError(t, c.Do("GET", mePath, nil), http.StatusUnauthorized, "unauthenticated")
		apptest.WantError(t, c.Do("POST", counterPath("demo", "1", "open"), nil), http.StatusUnauthorized, "unauthenticated")
	})
}

func TestLoginThrottle(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t)
	for i := range 10 {
		res := env.Client().Do("POST", loginPath, map[string]string{"username": "admin", "password": "guess-number-" + strconv.Itoa(i)})
		apptest.WantError(t, res, http.StatusUnauthorized, "unauthenticated")
	}
	// Even the right password waits now; other users are not locked out.
	apptest.WantError(t, env.Client().Do("POST", loginPath, map[string]string{"username": "admin", "password": apptest.AdminPassword}),
		http.StatusTooManyRequests, "rate_limited")
	apptest.MustStatus(t, env.User("calm.clerk", auth.RoleClerk, "demo").Do("GET", mePath, nil), http.StatusOK)
}

func TestMe(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t)

	t.Run("anonymous", func(t *testing.T) {
		apptest.WantError(t, env.Client().Do("GET", mePath, nil), http.StatusUnauthorized, "unauthenticated")
	})
	t.Run("signed-in user", func(t *testing.T) {
		admin := env.Admin()
		res := admin.Do("GET", mePath, nil)
		apptest.MustStatus(t, res, http.StatusOK)
		me := apptest.Decode[meJSON](t, res)
		if me.CSRF == "" || me.CSRF != admin.CSRF {
			t.Errorf("/me csrf_token %q, want the one of the login answer %q", me.CSRF, admin.CSRF)
		}
		if me.User == nil || me.User.Username != "admin" {
			t.Errorf("/me user = %+v, want admin", me.User)
		}
		if cc := res.Header.Get("Cache-Control"); !strings.Contains(cc, "no-store") {
			t.Errorf("/me Cache-Control %q, want no-store", cc)
		}
	})
	t.Run("kiosk bearer", func(t *testing.T) {
		res := env.Kiosk("demo").Do("GET", mePath, nil)
		apptest.MustStatus(t, res, http.StatusOK)
		me := apptest.Decode[meJSON](t, res)
		if me.Device == nil || me.Device.Kind != "kiosk" || me.Device.Branch != "demo" {
			t.Errorf("/me device = %+v, want a kiosk of demo", me.Device)
		}
		if me.User != nil || me.CSRF != "" {
			t.Errorf("bearer /me: user %+v csrf %q, want neither", me.User, me.CSRF)
		}
		if strings.Contains(string(res.Body), "token_hash") {
			t.Errorf("/me shows the device's token hash: %s", res.Body)
		}
	})
}

func TestLogout(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t)
	c := env.Admin()
	old := jarSession(t, env, c)

	res := c.Do("POST", logoutPath, nil)
	apptest.MustStatus(t, res, http.StatusNoContent)
	if len(res.Body) != 0 {
		t.Errorf("logout body %q, want none", res.Body)
	}
	if ck := sessionCookie(res); ck == nil || (ck.MaxAge >= 0 && ck.Value != "") {
		t.Errorf("logout does not clear the session cookie: %q", res.Header.Values("Set-Cookie"))
	}
	apptest.WantError(t, c.Do("GET", mePath, nil), http.StatusUnauthorized, "unauthenticated")

	// The session is gone on the server, not only from this browser.
	replay := env.Client()
	apptest.WantError(t, replay.Do("GET", mePath, nil, "Cookie", "seira_session="+old), http.StatusUnauthorized, "unauthenticated")
	apptest.WantError(t, replay.Do("POST", counterPath("demo", "1", "open"), nil, "Cookie", "seira_session="+old),
		http.StatusUnauthorized, "unauthenticated")

	// Signing out when signed out is harmless.
	apptest.MustStatus(t, env.Client().Do("POST", logoutPath, nil), http.StatusNoContent)
}

func TestCSRF(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t)
	clerk := env.User("csrf.clerk", auth.RoleClerk, "demo")
	other := env.User("csrf.other", auth.RoleClerk, "demo")
	kiosk := env.Kiosk("demo")
	waitingTicket := issue(t, kiosk, "demo", "certificates")
	before := getState(t, env.Client(), "demo")

	without, wrong, foreign := *clerk, *clerk, *clerk
	without.CSRF, wrong.CSRF, foreign.CSRF = "", "not-the-csrf-token", other.CSRF
	writes := []struct {
		name, method, path string
		body               any
	}{
		{"open counter", "POST", counterPath("demo", "1", "open"), nil},
		{"issue ticket", "POST", ticketsPath, map[string]string{"service": "certificates"}},
		{"cancel ticket", "DELETE", "/api/v1/tickets/" + waitingTicket.Token, nil},
		{"logout", "POST", logoutPath, nil},
	}
	for _, who := range []struct {
		name string
		c    *apptest.Client
	}{{"no header", &without}, {"wrong token", &wrong}, {"another session's token", &foreign}} {
		for _, w := range writes {
			t.Run(who.name+"/"+w.name, func(t *testing.T) {
				apptest.WantError(t, who.c.Do(w.method, w.path, w.body), http.StatusForbidden, "forbidden")
			})
		}
	}

	t.Run("refused writes changed nothing", func(t *testing.T) {
		after := getState(t, env.Client(), "demo")
		if after.Seq != before.Seq {
			t.Errorf("seq %d → %d after refused writes", before.Seq, after.Seq)
		}
		apptest.MustStatus(t, clerk.Do("GET", mePath, nil), http.StatusOK) // logout was refused
		if got := getTicket(t, env.Client(), waitingTicket.Token); got.State != "waiting" {
			t.Errorf("ticket state %q after a refused cancel, want waiting", got.State)
		}
	})
	t.Run("reads need no token", func(t *testing.T) {
		apptest.MustStatus(t, without.Do("GET", statePath, nil), http.StatusOK)
		apptest.MustStatus(t, without.Do("GET", mePath, nil), http.StatusOK)
	})
	t.Run("right token", func(t *testing.T) {
		apptest.MustStatus(t, clerk.Do("POST", counterPath("demo", "1", "open"), nil), http.StatusOK)
		apptest.MustStatus(t, clerk.Do("POST", ticketsPath, map[string]string{"service": "certificates"}), http.StatusCreated)
	})
	t.Run("bearer needs no token", func(t *testing.T) {
		if kiosk.CSRF != "" {
			t.Fatal("kiosk client carries a CSRF token")
		}
		apptest.MustStatus(t, kiosk.Do("POST", ticketsPath, map[string]string{"service": "certificates"}), http.StatusCreated)
	})
	t.Run("login is exempt", func(t *testing.T) {
		res := without.Do("POST", loginPath, map[string]string{"username": "admin", "password": apptest.AdminPassword})
		apptest.MustStatus(t, res, http.StatusOK)
	})
}

func TestAuthorizationHeader(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t)
	ctx := context.Background()
	dev, revokedToken, err := env.App.Auth.CreateDevice(ctx, "test", auth.Device{Branch: "demo", Kind: auth.DeviceKiosk, Name: "revoked"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.App.Auth.UpdateDevice(ctx, "test", dev.ID, func(d *auth.Device) error { d.Revoked = true; return nil }); err != nil {
		t.Fatal(err)
	}
	headers := []struct{ name, value string }{
		{"basic scheme", "Basic YWRtaW46YWRtaW4tcGFzc3dvcmQtMQ=="},
		{"scheme only", "Bearer"},
		{"empty token", "Bearer "},
		{"unknown token", "Bearer AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"},
		{"other scheme", "Token abc"},
		{"non-ASCII token", "Bearer ☃☃☃"},
		{"revoked device", "Bearer " + revokedToken},
	}
	for _, h := range headers {
		t.Run(h.name, func(t *testing.T) {
			c := env.Client()
			apptest.WantError(t, c.Do("GET", servicesPath, nil, "Authorization", h.value), http.StatusUnauthorized, "unauthenticated")
			apptest.WantError(t, c.Do("POST", ticketsPath, map[string]string{"service": "certificates"}, "Authorization", h.value),
				http.StatusUnauthorized, "unauthenticated")
			apptest.WantError(t, c.Do("GET", mePath, nil, "Authorization", h.value), http.StatusUnauthorized, "unauthenticated")
		})
	}
	if st := getState(t, env.Client(), "demo"); waitingOf(t, st, "certificates") != 0 {
		t.Error("a refused bearer issued a ticket")
	}
}

// ---------------------------------------------------------------------------
// Kiosk

func TestServices(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t)
	anon := env.Client()

	res := anon.Do("GET", servicesPath, nil)
	apptest.MustStatus(t, res, http.StatusOK)
	list := apptest.Decode[struct {
		Services []serviceJSON `json:"services"`
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

	issue(t, env.Kiosk("demo"), "demo", "signatures")
	for _, s := range apptest.Decode[struct {
		Services []serviceJSON `json:"services"`
	}](t, anon.Do("GET", servicesPath, nil)).Services {
		if want := map[bool]int{true: 1, false: 0}[s.ID == "signatures"]; s.Waiting != want {
			t.Errorf("after one signatures ticket, %s has %d waiting, want %d", s.ID, s.Waiting, want)
		}
	}
	apptest.WantError(t, anon.Do("GET", "/api/v1/branches/nope/services", nil), http.StatusNotFound, "not_found")
}

func TestIssueByWhom(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t)
	createOtherBranch(t, env)
	display := device(t, env, "demo", auth.DeviceDisplay)

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
			res := tc.c.Do("POST", ticketsPath, map[string]string{"service": "certificates"})
			if tc.status != http.StatusCreated {
				apptest.WantError(t, res, tc.status, tc.code)
				return
			}
			apptest.MustStatus(t, res, http.StatusCreated)
			issued++
			tk := apptest.Decode[ticketJSON](t, res)
			if want := fmt.Sprintf("A%03d", issued); tk.Number != want {
				t.Errorf("number %q, want %q", tk.Number, want)
			}
			checkHolderTicket(t, env, tk)
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
	if got := waitingOf(t, getState(t, env.Client(), "demo"), "certificates"); got != issued {
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
	before := getState(t, env.Client(), "demo")
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
				path = ticketsPath
			}
			apptest.WantError(t, c.Do("POST", path, tc.body, tc.header...), tc.status, tc.code)
		})
	}
	t.Run("chunked body over 64 KiB", func(t *testing.T) {
		res := doChunked(t, env, kiosk, "POST", ticketsPath, big)
		apptest.WantError(t, res, http.StatusRequestEntityTooLarge, "too_large")
	})
	t.Run("the closed service shows closed", func(t *testing.T) {
		for _, s := range apptest.Decode[struct {
			Services []serviceJSON `json:"services"`
		}](t, kiosk.Do("GET", servicesPath, nil)).Services {
			if s.Open != (s.ID != "signatures") {
				t.Errorf("service %s open = %v", s.ID, s.Open)
			}
		}
	})
	t.Run("nothing was issued", func(t *testing.T) {
		after := getState(t, env.Client(), "demo")
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
		res := kiosk.Do("POST", ticketsPath, map[string]string{"service": "certificates", "priority": "disability", "lang": "en"})
		apptest.MustStatus(t, res, http.StatusCreated)
		if tk := apptest.Decode[ticketJSON](t, res); tk.Priority != "disability" || tk.Number != "A001" {
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
	seq0 := getState(t, env.Client(), "demo").Seq

	post := func(c *apptest.Client, key string, body any) apptest.Response {
		return c.Do("POST", ticketsPath, body, "Idempotency-Key", key)
	}
	first := post(kiosk, "key-1", body)
	apptest.MustStatus(t, first, http.StatusCreated)
	a := apptest.Decode[ticketJSON](t, first)

	retry := post(kiosk, "key-1", body)
	apptest.MustStatus(t, retry, http.StatusCreated)
	b := apptest.Decode[ticketJSON](t, retry)
	if b.Number != a.Number || b.Token != a.Token || b.TrackURL != a.TrackURL {
		t.Errorf("retry gave %s %s, want %s %s", b.Number, b.Token, a.Number, a.Token)
	}
	st := getState(t, env.Client(), "demo")
	if n := waitingOf(t, st, "certificates"); n != 1 {
		t.Errorf("%d waiting after a retry, want 1", n)
	}
	if st.Seq != seq0+1 {
		t.Errorf("seq %d → %d: a retry must add no event", seq0, st.Seq)
	}

	other := apptest.Decode[ticketJSON](t, apptest.MustStatus(t, post(kiosk, "key-2", body), http.StatusCreated))
	if other.Number != "A002" {
		t.Errorf("another key gave %s, want A002", other.Number)
	}
	// Keys are per issuer: another kiosk may use the same one.
	third := apptest.Decode[ticketJSON](t, apptest.MustStatus(t, post(kiosk2, "key-1", body), http.StatusCreated))
	if third.Number != "A003" || third.Token == a.Token {
		t.Errorf("another kiosk's key-1 gave %s, want a new ticket A003", third.Number)
	}
	apptest.WantError(t, post(kiosk, "key-1", map[string]string{"service": "signatures"}), http.StatusConflict, "conflict")
	if n := waitingOf(t, getState(t, env.Client(), "demo"), "certificates"); n != 3 {
		t.Errorf("%d waiting, want 3", n)
	}

	t.Run("retry after the ticket was transferred", func(t *testing.T) {
		clerk := env.User("idem.clerk", auth.RoleClerk, "demo")
		apptest.MustStatus(t, clerk.Do("POST", counterPath("demo", "1", "open"), nil), http.StatusOK)
		apptest.MustStatus(t, clerk.Do("POST", counterPath("demo", "1", "next"), nil), http.StatusOK) // A001, key-1
		apptest.MustStatus(t, clerk.Do("POST", counterPath("demo", "1", "transfer"), map[string]string{"service": "applications"}), http.StatusOK)
		late := apptest.Decode[ticketJSON](t, apptest.MustStatus(t, post(kiosk, "key-1", body), http.StatusCreated))
		if late.Token != a.Token || late.Service != "applications" {
			t.Errorf("late retry gave %s (%s), want %s now in applications", late.Number, late.Service, a.Number)
		}
	})
	t.Run("concurrent retries issue one ticket", func(t *testing.T) {
		before := waitingOf(t, getState(t, env.Client(), "demo"), "signatures")
		tokens := parallel(12, func(int) apptest.Response {
			return post(kiosk, "key-burst", map[string]string{"service": "signatures"})
		})
		seen := map[string]bool{}
		for _, res := range tokens {
			if res.Status != http.StatusCreated {
				t.Fatalf("status %d: %s", res.Status, apptest.Short(res.Body))
			}
			seen[apptest.Decode[ticketJSON](t, res).Token] = true
		}
		if len(seen) != 1 {
			t.Errorf("12 concurrent tries with one key gave %d tickets", len(seen))
		}
		if after := waitingOf(t, getState(t, env.Client(), "demo"), "signatures"); after != before+1 {
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
		return kiosks[i%len(kiosks)].Do("POST", ticketsPath, map[string]string{"service": "certificates"})
	})
	numbers := map[string]bool{}
	for _, res := range issued {
		if res.Status != http.StatusCreated {
			t.Fatalf("issue: status %d %s", res.Status, apptest.Short(res.Body))
		}
		numbers[apptest.Decode[ticketJSON](t, res).Number] = true
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
		apptest.MustStatus(t, clerks[ctr].Do("POST", counterPath("demo", ctr, "open"), nil), http.StatusOK)
	}
	called := parallel(n, func(i int) apptest.Response {
		ctr := counters[i%len(counters)]
		return clerks[ctr].Do("POST", counterPath("demo", ctr, "next"), nil)
	})
	got := map[string]int{}
	for _, res := range called {
		switch res.Status {
		case http.StatusOK:
			got[apptest.Decode[ticketJSON](t, res).Number]++
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
	if w := waitingOf(t, getState(t, env.Client(), "demo"), "certificates"); w != 0 {
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

	apptest.MustStatus(t, kiosk.Do("POST", ticketsPath, body), http.StatusCreated)
	apptest.MustStatus(t, kiosk.Do("POST", ticketsPath, body), http.StatusCreated)
	res := kiosk.Do("POST", ticketsPath, body)
	apptest.WantError(t, res, http.StatusTooManyRequests, "rate_limited")
	if ra, err := strconv.Atoi(res.Header.Get("Retry-After")); err != nil || ra <= 0 {
		t.Errorf("Retry-After %q, want a positive number of seconds", res.Header.Get("Retry-After"))
	}
	if n := waitingOf(t, getState(t, env.Client(), "demo"), "certificates"); n != 2 {
		t.Errorf("%d waiting, want 2: the refused issue must not count", n)
	}

	t.Run("another kiosk has its own allowance", func(t *testing.T) {
		apptest.MustStatus(t, env.Kiosk("demo").Do("POST", ticketsPath, body), http.StatusCreated)
	})
	for _, who := range []struct {
		name string
		c    *apptest.Client
	}{{"admin", env.Admin()}, {"clerk", env.User("busy.clerk", auth.RoleClerk, "demo")}} {
		t.Run(who.name+" is not rate-limited", func(t *testing.T) {
			for i := range 6 {
				if res := who.c.Do("POST", ticketsPath, body); res.Status != http.StatusCreated {
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
	var tickets []ticketJSON
	for range 3 {
		tickets = append(tickets, issue(t, kiosk, "demo", "certificates"))
	}

	for i, tk := range tickets {
		t.Run(tk.Number, func(t *testing.T) {
			res := anon.Do("GET", "/api/v1/tickets/"+tk.Token, nil)
			apptest.MustStatus(t, res, http.StatusOK)
			got := apptest.Decode[ticketJSON](t, res)
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
		if n := waitingOf(t, getState(t, anon, "demo"), "certificates"); n != 3 {
			t.Errorf("%d waiting, want 3", n)
		}
	})
	t.Run("a priority ticket goes first", func(t *testing.T) {
		res := kiosk.Do("POST", ticketsPath, map[string]string{"service": "certificates", "priority": "senior"})
		apptest.MustStatus(t, res, http.StatusCreated)
		if p := apptest.Decode[ticketJSON](t, res); p.Position != 1 {
			t.Errorf("priority ticket at position %d, want 1", p.Position)
		}
		for i, tk := range tickets {
			if got := getTicket(t, anon, tk.Token); got.Position != i+2 {
				t.Errorf("%s at position %d behind a priority ticket, want %d", tk.Number, got.Position, i+2)
			}
		}
	})
	t.Run("called ticket", func(t *testing.T) {
		clerk := env.User("token.clerk", auth.RoleClerk, "demo")
		apptest.MustStatus(t, clerk.Do("POST", counterPath("demo", "2", "open"), nil), http.StatusOK)
		apptest.MustStatus(t, clerk.Do("POST", counterPath("demo", "2", "next"), nil), http.StatusOK) // the priority ticket
		apptest.MustStatus(t, clerk.Do("POST", counterPath("demo", "2", "next"), nil), http.StatusOK) // A001
		got := getTicket(t, anon, tickets[0].Token)
		if got.State != "called" || got.Position != 0 || ptr(got.Counter) != "2" || got.CalledAt == nil || got.CounterName["el"] != "Γκισέ 2" {
			t.Errorf("called ticket reads %+v: want called at counter 2 (Γκισέ 2), position 0", got)
		}
		if got := getTicket(t, anon, tickets[1].Token); got.Position != 1 {
			t.Errorf("%s at position %d once the one ahead is called, want 1", tickets[1].Number, got.Position)
		}
	})
}

func TestPublicURL(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, func(c *app.Config) { c.Public = apptest.Public(t, "https://kep.example/", "") })
	tk := issue(t, env.Kiosk("demo"), "demo", "certificates")
	if want := "https://kep.example/t/" + tk.Token; tk.TrackURL != want {
		t.Errorf("track_url %q, want %q", tk.TrackURL, want)
	}
	if got := getTicket(t, env.Client(), tk.Token); got.TrackURL != tk.TrackURL {
		t.Errorf("holder's view track_url %q, want %q", got.TrackURL, tk.TrackURL)
	}
	res := env.Client().Do("POST", loginPath, map[string]string{"username": "admin", "password": apptest.AdminPassword})
	apptest.MustStatus(t, res, http.StatusOK)
	if ck := sessionCookie(res); ck == nil || !ck.Secure || !ck.HttpOnly {
		t.Errorf("behind an https public URL the session cookie %+v must be Secure and HttpOnly", ck)
	}
}

func TestTicketQR(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t)
	tk := issue(t, env.Kiosk("demo"), "demo", "certificates")
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
	createOtherBranch(t, env)
	kiosk := env.Kiosk("demo")
	tk := issue(t, kiosk, "demo", "certificates")
	printing := device(t, env, "demo", auth.DeviceKiosk, `{"printer": {"addr": "`+nettest.ClosedAddr(t)+`"}}`)
	cases := []struct {
		name   string
		c      *apptest.Client
		token  string
		status int
		code   string
	}{
		{"anonymous", env.Client(), tk.Token, 401, "unauthenticated"},
		{"clerk", env.User("print.clerk", auth.RoleClerk, "demo"), tk.Token, 403, "forbidden"},
		{"display", device(t, env, "demo", auth.DeviceDisplay), tk.Token, 403, "forbidden"},
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
		issued := printing.Do("POST", ticketsPath, map[string]string{"service": "certificates"})
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
	a := issue(t, kiosk, "demo", "certificates")
	b := issue(t, kiosk, "demo", "certificates")
	if n := waitingOf(t, getState(t, anon, "demo"), "certificates"); n != 2 {
		t.Fatalf("%d waiting, want 2", n)
	}

	res := anon.Do("DELETE", "/api/v1/tickets/"+a.Token, nil)
	apptest.MustStatus(t, res, http.StatusOK)
	if got := apptest.Decode[ticketJSON](t, res); got.State != "cancelled" || got.Number != a.Number || got.Position != 0 {
		t.Errorf("cancel answered %s %s position %d, want %s cancelled at 0", got.Number, got.State, got.Position, a.Number)
	}
	if n := waitingOf(t, getState(t, anon, "demo"), "certificates"); n != 1 {
		t.Errorf("%d waiting after a cancel, want 1", n)
	}
	if got := getTicket(t, anon, b.Token); got.Position != 1 {
		t.Errorf("the next ticket is at position %d after the one ahead left, want 1", got.Position)
	}
	apptest.WantError(t, anon.Do("DELETE", "/api/v1/tickets/"+a.Token, nil), http.StatusConflict, "invalid_transition")
	if got := getTicket(t, anon, a.Token); got.State != "cancelled" {
		t.Errorf("cancelled ticket reads as %s", got.State)
	}

	t.Run("called ticket", func(t *testing.T) {
		clerk := env.User("cancel.clerk", auth.RoleClerk, "demo")
		apptest.MustStatus(t, clerk.Do("POST", counterPath("demo", "1", "open"), nil), http.StatusOK)
		apptest.MustStatus(t, clerk.Do("POST", counterPath("demo", "1", "next"), nil), http.StatusOK)
		apptest.WantError(t, anon.Do("DELETE", "/api/v1/tickets/"+b.Token, nil), http.StatusConflict, "invalid_transition")
		if got := getTicket(t, anon, b.Token); got.State != "called" {
			t.Errorf("called ticket is %s after a refused cancel", got.State)
		}
	})
}

// ---------------------------------------------------------------------------
// Counter

func TestCounterAccess(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t)
	createOtherBranch(t, env)
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
		{"display of demo", device(t, env, "demo", auth.DeviceDisplay), http.StatusForbidden, "forbidden"},
		{"clerk of another branch", otherClerk, http.StatusForbidden, "forbidden"},
	}
	seq0 := getState(t, env.Client(), "demo").Seq
	for _, a := range counterActions {
		for _, who := range whos {
			t.Run(a.name+"/"+who.name, func(t *testing.T) {
				apptest.WantError(t, who.c.Do("POST", counterPath("demo", "1", a.name), a.body), who.status, who.code)
			})
		}
		t.Run(a.name+"/unknown counter", func(t *testing.T) {
			apptest.WantError(t, demoClerk.Do("POST", counterPath("demo", "9", a.name), a.body), http.StatusNotFound, "not_found")
		})
		t.Run(a.name+"/unknown branch (admin)", func(t *testing.T) {
			apptest.WantError(t, admin.Do("POST", counterPath("nope", "1", a.name), a.body), http.StatusNotFound, "not_found")
		})
	}
	t.Run("refused actions changed nothing", func(t *testing.T) {
		st := getState(t, env.Client(), "demo")
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
		res := otherClerk.Do("POST", counterPath("other", "1", "open"), nil)
		apptest.MustStatus(t, res, http.StatusOK)
		if r := apptest.Decode[counterResultJSON](t, res); r.Counter.Status != "open" {
			t.Errorf("counter is %s after open", r.Counter.Status)
		}
	})
}

func TestCounterFlow(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t)
	clerk := env.User("flow.clerk", auth.RoleClerk, "demo")
	kiosk, anon := env.Kiosk("demo"), env.Client()
	var tickets []ticketJSON

	act := func(action string, body any) func(*testing.T) apptest.Response {
		return func(*testing.T) apptest.Response { return clerk.Do("POST", counterPath("demo", "1", action), body) }
	}
	called := func(number string) func(*testing.T, apptest.Response) {
		return func(t *testing.T, res apptest.Response) {
			tk := apptest.Decode[ticketJSON](t, res)
			if tk.Number != number || tk.State != "called" || tk.Counter == nil || *tk.Counter != "1" {
				t.Errorf("next gave %s %s at %v, want %s called at counter 1", tk.Number, tk.State, ptr(tk.Counter), number)
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
			r := apptest.Decode[counterResultJSON](t, res)
			if r.Counter.ID != "1" || r.Counter.Status != status {
				t.Errorf("counter %s is %s, want 1 %s", r.Counter.ID, r.Counter.Status, status)
			}
			if cur := currentNumber(r.Counter); cur != current {
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
			if got := getTicket(t, anon, tickets[i].Token); got.State != state {
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
			if r := apptest.Decode[counterResultJSON](t, res); r.Counter.Clerk != "flow.clerk" {
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
				res = kiosk.Do("POST", ticketsPath, map[string]string{"service": "certificates"})
				if res.Status == http.StatusCreated {
					tickets = append(tickets, apptest.Decode[ticketJSON](t, res))
				}
			}
			return res
		}},
		{name: "next calls A001", do: act("next", nil), status: 200, check: called("A001")},
		{name: "recall", do: act("recall", nil), status: 200, check: func(t *testing.T, res apptest.Response) {
			result("open", "A001", "called")(t, res)
			if r := apptest.Decode[counterResultJSON](t, res); r.Ticket != nil && r.Ticket.Recalls != 1 {
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
			res := kiosk.Do("POST", ticketsPath, map[string]string{"service": "signatures"})
			if res.Status == http.StatusCreated {
				tickets = append(tickets, apptest.Decode[ticketJSON](t, res))
			}
			return res
		}},
		{name: "next calls B001", do: act("next", nil), status: 200, check: called("B001")},
		{name: "pause keeps the current ticket", do: act("pause", nil), status: 200, check: func(t *testing.T, res apptest.Response) {
			if c := counterOf(t, getState(t, clerk, "demo"), "1"); c.Status != "paused" || currentNumber(c) != "B001" {
				t.Errorf("state: counter 1 %s with %q, want paused with B001", c.Status, currentNumber(c))
			}
			result("paused", "B001", "")(t, res) // the answer shows the counter as it is
		}},
		{name: "open again", do: act("open", nil), status: 200, check: result("open", "B001", "")},
		{name: "close finishes the current ticket", do: act("close", nil), status: 200, check: func(t *testing.T, res apptest.Response) {
			result("closed", "", "done")(t, res)
			stateOf(3, "done")(t, res)
			if r := apptest.Decode[counterResultJSON](t, res); r.Counter.Clerk != "" {
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
	tk := issue(t, env.Kiosk("demo"), "demo", "certificates")
	apptest.MustStatus(t, clerk.Do("POST", counterPath("demo", "1", "open"), nil), http.StatusOK)
	apptest.MustStatus(t, clerk.Do("POST", counterPath("demo", "1", "next"), nil), http.StatusOK)
	_, services, _ := demo.Office()
	closedSigs := services[1]
	closedSigs.Open = false
	if _, err := env.App.Engine.PutService(context.Background(), "test", "demo", closedSigs); err != nil {
		t.Fatal(err)
	}
	transfer := counterPath("demo", "1", "transfer")

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
			if got := getTicket(t, anon, tk.Token); got.State != "called" || got.Service != "certificates" {
				t.Errorf("after a refused transfer the ticket is %s in %s", got.State, got.Service)
			}
		})
	}

	t.Run("transfer keeps the number", func(t *testing.T) {
		res := clerk.Do("POST", transfer, map[string]string{"service": "applications"})
		apptest.MustStatus(t, res, http.StatusOK)
		r := apptest.Decode[counterResultJSON](t, res)
		if r.Ticket == nil || r.Ticket.Number != tk.Number || r.Ticket.Service != "applications" || r.Ticket.State != "waiting" {
			t.Errorf("transfer answered %+v, want %s waiting for applications", r.Ticket, tk.Number)
		}
		if cur := currentNumber(r.Counter); cur != "" {
			t.Errorf("counter still has %s after the transfer", cur)
		}
		got := getTicket(t, anon, tk.Token)
		if got.Number != tk.Number || got.Service != "applications" || got.State != "waiting" || got.Position != 1 || got.Counter != nil {
			t.Errorf("ticket reads %s %s %s position %d counter %v, want %s waiting for applications at 1",
				got.Number, got.Service, got.State, got.Position, ptr(got.Counter), tk.Number)
		}
		if !got.IssuedAt.Equal(tk.IssuedAt) {
			t.Errorf("issue time %v, want the original %v", got.IssuedAt, tk.IssuedAt)
		}
		st := getState(t, anon, "demo")
		if waitingOf(t, st, "applications") != 1 || waitingOf(t, st, "certificates") != 0 {
			t.Errorf("waiting: %+v, want one for applications", st.Services)
		}
	})
	t.Run("counter 3 calls it with its number", func(t *testing.T) {
		apptest.MustStatus(t, clerk.Do("POST", counterPath("demo", "3", "open"), nil), http.StatusOK)
		res := clerk.Do("POST", counterPath("demo", "3", "next"), nil)
		apptest.MustStatus(t, res, http.StatusOK)
		if got := apptest.Decode[ticketJSON](t, res); got.Number != tk.Number || got.Service != "applications" || ptr(got.Counter) != "3" {
			t.Errorf("counter 3 called %s (%s) at %s, want %s (applications) at 3", got.Number, got.Service, ptr(got.Counter), tk.Number)
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
	first := issue(t, kiosk, "demo", "certificates")
	second := issue(t, kiosk, "demo", "certificates")
	apptest.MustStatus(t, owner.Do("POST", counterPath("demo", "1", "open"), nil), http.StatusOK)
	apptest.MustStatus(t, owner.Do("POST", counterPath("demo", "1", "next"), nil), http.StatusOK)
	seq := getState(t, env.Client(), "demo").Seq

	for _, a := range counterActions {
		t.Run("intruder/"+a.name, func(t *testing.T) {
			apptest.WantError(t, intruder.Do("POST", counterPath("demo", "1", a.name), a.body), http.StatusConflict, "conflict")
		})
	}
	t.Run("intruder changed nothing", func(t *testing.T) {
		st := getState(t, owner, "demo")
		c := counterOf(t, st, "1")
		if st.Seq != seq || c.Status != "open" || c.Clerk != "owner.clerk" || currentNumber(c) != first.Number {
			t.Errorf("counter 1 %s held by %q with %q (seq %d → %d), want open, owner.clerk, %s",
				c.Status, c.Clerk, currentNumber(c), seq, st.Seq, first.Number)
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
			if got := apptest.Decode[ticketJSON](t, res); got.Number != second.Number || ptr(got.Counter) != "1" {
				t.Errorf("admin's next called %s at %s, want %s at 1", got.Number, ptr(got.Counter), second.Number)
			}
		}},
		{"transfer", `{"service": "applications"}`, 200, nil},
		{"pause", "", 200, nil},
		{"close", "", 200, func(t *testing.T, res apptest.Response) {
			if r := apptest.Decode[counterResultJSON](t, res); r.Counter.Status != "closed" || r.Counter.Clerk != "" {
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
			res := admin.Do("POST", counterPath("demo", "1", s.action), body)
			apptest.MustStatus(t, res, s.status)
			if s.check != nil {
				s.check(t, res)
			}
		})
	}
	t.Run("freed counter opens for another clerk", func(t *testing.T) {
		res := intruder.Do("POST", counterPath("demo", "1", "open"), nil)
		apptest.MustStatus(t, res, http.StatusOK)
		if r := apptest.Decode[counterResultJSON](t, res); r.Counter.Clerk != "intruder.clerk" {
			t.Errorf("counter held by %q, want intruder.clerk", r.Counter.Clerk)
		}
		apptest.WantError(t, owner.Do("POST", counterPath("demo", "1", "next"), nil), http.StatusConflict, "conflict")
	})
}

// ---------------------------------------------------------------------------
// State

func TestStateVisibility(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t)
	createOtherBranch(t, env)
	clerk := env.User("zoe.clerk", auth.RoleClerk, "demo")
	kiosk := env.Kiosk("demo")
	a := issue(t, kiosk, "demo", "certificates")
	b := issue(t, kiosk, "demo", "signatures")
	c := issue(t, clerk, "demo", "applications")
	apptest.MustStatus(t, clerk.Do("POST", counterPath("demo", "1", "open"), nil), http.StatusOK)
	apptest.MustStatus(t, clerk.Do("POST", counterPath("demo", "1", "next"), nil), http.StatusOK)

	viewers := []struct {
		name  string
		c     *apptest.Client
		staff bool
	}{
		{"anonymous", env.Client(), false},
		{"kiosk device", kiosk, false},
		{"display device", device(t, env, "demo", auth.DeviceDisplay), false},
		{"clerk of another branch", env.User("other.clerk", auth.RoleClerk, "other"), false},
		{"clerk of demo", clerk, true},
		{"admin", env.Admin(), true},
	}
	for _, v := range viewers {
		t.Run(v.name, func(t *testing.T) {
			res := v.c.Do("GET", statePath, nil)
			apptest.MustStatus(t, res, http.StatusOK)
			keys := apptest.JSONKeys(t, res.Body)
			for _, k := range []string{"token", "track_url"} {
				if keys[k] {
					t.Errorf("state has a %q field", k)
				}
			}
			for _, tk := range []ticketJSON{a, b, c} {
				if strings.Contains(string(res.Body), tk.Token) {
					t.Errorf("state carries the token of %s", tk.Number)
				}
			}
			st := apptest.Decode[stateJSON](t, res)
			c1 := counterOf(t, st, "1")
			if c1.Status != "open" || currentNumber(c1) != a.Number {
				t.Errorf("counter 1 %s with %q, want open with %s", c1.Status, currentNumber(c1), a.Number)
			}
			if waitingOf(t, st, "signatures") != 1 || waitingOf(t, st, "applications") != 1 || waitingOf(t, st, "certificates") != 0 {
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
		return func(*testing.T) apptest.Response { return clerk.Do("POST", counterPath("demo", "1", action), body) }
	}
	issueReq := func(service string, header ...string) func(*testing.T) apptest.Response {
		return func(*testing.T) apptest.Response {
			return kiosk.Do("POST", ticketsPath, map[string]string{"service": service}, header...)
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
				cancelToken = apptest.Decode[ticketJSON](t, res).Token
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
	seq := getState(t, anon, "demo").Seq
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			res := s.do(t)
			if res.Status != s.status {
				t.Fatalf("status %d, want %d: %s", res.Status, s.status, apptest.Short(res.Body))
			}
			now := getState(t, anon, "demo").Seq
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
	if st := getState(t, anon, "demo"); len(st.RecentCalls) != 0 {
		t.Fatalf("fresh branch has recent calls %+v", st.RecentCalls)
	}
	issue(t, kiosk, "demo", "certificates")
	issue(t, kiosk, "demo", "signatures")
	issue(t, kiosk, "demo", "applications")
	for _, ctr := range []string{"1", "2", "3"} {
		apptest.MustStatus(t, clerk.Do("POST", counterPath("demo", ctr, "open"), nil), http.StatusOK)
		apptest.MustStatus(t, clerk.Do("POST", counterPath("demo", ctr, "next"), nil), http.StatusOK)
	}
	apptest.MustStatus(t, clerk.Do("POST", counterPath("demo", "1", "recall"), nil), http.StatusOK)

	calls := getState(t, anon, "demo").RecentCalls
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

// ---------------------------------------------------------------------------
// Errors

func TestErrorsNeverServerErrors(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t)
	anon, kiosk, admin := env.Client(), env.Kiosk("demo"), env.Admin()
	clerk := env.User("err.clerk", auth.RoleClerk, "demo")
	tk := issue(t, kiosk, "demo", "certificates")
	long := strings.Repeat("x", 8000)

	cases := []struct {
		name, method, path string
		c                  *apptest.Client
		body               any
		header             []string
		status             int
		code               string
	}{
		{name: "unknown endpoint", method: "GET", path: "/api/v1/xyz", status: 404, code: "not_found"},
		{name: "unknown endpoint POST", method: "POST", path: "/api/v1/xyz", body: map[string]string{}, status: 404, code: "not_found"},
		{name: "unknown nested endpoint", method: "GET", path: "/api/v1/branches/demo/xyz", status: 404, code: "not_found"},
		{name: "trailing slash", method: "POST", c: clerk, path: counterPath("demo", "1", "next") + "/", status: 404, code: "not_found"},
		{name: "no version", method: "GET", path: "/api/branches/demo/state", status: 404, code: "not_found"},
		{name: "escaped dot-dot token", method: "GET", path: "/api/v1/tickets/%2e%2e", status: 404, code: "not_found"},
		{name: "dot-dot token", method: "GET", path: "/api/v1/tickets/..", status: 404, code: "not_found"},
		{name: "escaped slash in token", method: "GET", path: "/api/v1/tickets/" + tk.Token[:16] + "%2F" + tk.Token[17:], status: 404, code: "not_found"},
		{name: "NUL token", method: "GET", path: "/api/v1/tickets/%00", status: 404, code: "not_found"},
		{name: "long token", method: "GET", path: "/api/v1/tickets/" + long, status: 404, code: "not_found"},
		{name: "long token QR", method: "GET", path: "/api/v1/tickets/" + long + "/qr.png", status: 404, code: "not_found"},
		{name: "long token cancel", method: "DELETE", path: "/api/v1/tickets/" + long, status: 404, code: "not_found"},
		{name: "unicode token", method: "GET", path: "/api/v1/tickets/" + strings.Repeat("τ", 16), status: 404, code: "not_found"},
		{name: "unicode branch state", method: "GET", path: "/api/v1/branches/δοκιμή/state", status: 404, code: "not_found"},
		{name: "unicode branch services", method: "GET", path: "/api/v1/branches/δοκιμή/services", status: 404, code: "not_found"},
		{name: "unicode branch issue (admin)", method: "POST", c: admin, path: "/api/v1/branches/δοκιμή/tickets",
			body: map[string]string{"service": "certificates"}, status: 404, code: "not_found"},
		{name: "unicode branch counter (admin)", method: "POST", c: admin, path: "/api/v1/branches/δοκιμή/counters/1/open", status: 404, code: "not_found"},
		{name: "unicode counter", method: "POST", c: clerk, path: "/api/v1/branches/demo/counters/γκισέ/next", status: 404, code: "not_found"},
		{name: "emoji branch", method: "GET", path: "/api/v1/branches/%F0%9F%98%80/state", status: 404, code: "not_found"},
		{name: "NUL branch", method: "GET", path: "/api/v1/branches/%00/state", status: 404, code: "not_found"},
		{name: "empty branch", method: "GET", path: "/api/v1/branches//state", status: 404, code: "not_found"},
		{name: "long branch", method: "GET", path: "/api/v1/branches/" + long + "/state", status: 404, code: "not_found"},
		{name: "empty counter", method: "POST", c: clerk, path: "/api/v1/branches/demo/counters//next", status: 404, code: "not_found"},
		{name: "long counter (admin)", method: "POST", c: admin, path: counterPath("demo", long, "open"), status: 404, code: "not_found"},
		{name: "unicode service", method: "POST", c: kiosk, path: ticketsPath, body: map[string]string{"service": "πιστοποιητικά"}, status: 404, code: "not_found"},
		{name: "invalid UTF-8 service", method: "POST", c: kiosk, path: ticketsPath, body: "{\"service\": \"\xff\xfe\"}", status: 404, code: "not_found"},
		{name: "deep JSON", method: "POST", c: kiosk, path: ticketsPath, body: strings.Repeat("[", 10000), status: 400, code: "bad_request"},
		{name: "binary body", method: "POST", c: kiosk, path: ticketsPath, body: "\x00\x01\x02", status: 400, code: "bad_request"},
		{name: "live without upgrade", method: "GET", path: "/api/v1/branches/demo/live", status: 400, code: "bad_request"},
		{name: "live with bad since", method: "GET", path: "/api/v1/branches/demo/live?since=-1", status: 400, code: "bad_request"},
		{name: "live with huge since", method: "GET", path: "/api/v1/branches/demo/live?since=99999999999999999999999", status: 400, code: "bad_request"},
		{name: "ticket live of unknown token", method: "GET", path: "/api/v1/tickets/" + long + "/live", status: 404, code: "not_found"},
		{name: "login with huge username", method: "POST", path: loginPath,
			body: map[string]string{"username": strings.Repeat("a", 40000), "password": "whatever-1234"}, status: 401, code: "unauthenticated"},
		{name: "login with long password", method: "POST", path: loginPath,
			body: map[string]string{"username": "admin", "password": strings.Repeat("p", 1000)}, status: 401, code: "unauthenticated"},
		{name: "transfer with a JSON array", method: "POST", c: admin, path: counterPath("demo", "1", "transfer"), body: "[1]", status: 400, code: "bad_request"},
		{name: "announcement of a bad number", method: "GET", path: "/api/v1/branches/demo/announce.wav?counter=1&number=" + url.QueryEscape("ΩΩΩΩ"+long), status: 400, code: "validation_failed"},
		{name: "announcement in a bad language", method: "GET", path: "/api/v1/branches/demo/announce.wav?counter=1&number=A001&langs=" + url.QueryEscape("el,,\x00"), status: 400, code: "validation_failed"},
		{name: "announcement at an unknown counter", method: "GET", path: "/api/v1/branches/demo/announce.wav?counter=%00&number=A001", status: 404, code: "not_found"},
		{name: "announcement of an unknown branch", method: "GET", path: "/api/v1/branches/δ/announce.wav?counter=1&number=A001", status: 404, code: "not_found"},
		{name: "static traversal", method: "GET", path: "/static/../../go.mod", status: 404, code: "not_found"},
		{name: "static escaped traversal", method: "GET", path: "/static/%2e%2e/%2e%2e/go.mod", status: 404, code: "not_found"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := tc.c
			if c == nil {
				c = anon
			}
			apptest.WantError(t, c.Do(tc.method, tc.path, tc.body, tc.header...), tc.status, tc.code)
		})
	}

	// Requests that Go's own client would not send.
	raw := []struct{ name, request string }{
		{"bad escape in path", "GET /api/v1/tickets/%zz HTTP/1.1\r\nHost: x\r\n\r\n"},
		{"bad escape in query", "GET /api/v1/branches/demo/state?x=%zz HTTP/1.1\r\nHost: x\r\n\r\n"},
		{"absolute URI", "GET http://evil.example/api/v1/me HTTP/1.1\r\nHost: x\r\n\r\n"},
		{"asterisk", "OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n"},
		{"bad JSON with Content-Length", "POST /api/v1/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 12\r\n\r\n{\"username\":"},
		{"huge Content-Length", "POST /api/v1/branches/demo/tickets HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 99999999999\r\n\r\n{}"},
		{"HTTP/1.0 without Host", "GET /api/v1/branches/demo/state HTTP/1.0\r\n\r\n"},
	}
	for _, r := range raw {
		t.Run("raw/"+r.name, func(t *testing.T) {
			status, body := rawRequest(t, env.Addr, r.request)
			if status >= 500 || status == 0 {
				t.Errorf("status %d: %s", status, apptest.Short(body))
			}
		})
	}
}

func TestMethodsAndHEAD(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t)
	anon := env.Client()
	tk := issue(t, env.Kiosk("demo"), "demo", "certificates")

	for _, p := range []string{"/healthz", "/readyz", statePath, servicesPath, "/api/v1/xyz", mePath,
		"/api/v1/tickets/" + tk.Token, "/kiosk/demo", "/display/demo", "/nope"} {
		t.Run("HEAD "+p, func(t *testing.T) {
			res := anon.Do("HEAD", p, nil)
			if res.Status >= 500 {
				t.Errorf("status %d", res.Status)
			}
			if len(res.Body) != 0 {
				t.Errorf("HEAD answered with a body: %s", apptest.Short(res.Body))
			}
		})
	}
	wrong := []struct{ method, path string }{
		{"PUT", "/healthz"}, {"POST", "/readyz"}, {"DELETE", statePath}, {"PATCH", servicesPath},
		{"GET", loginPath}, {"PUT", mePath}, {"GET", ticketsPath}, {"PUT", "/api/v1/tickets/" + tk.Token},
		{"POST", "/api/v1/tickets/" + tk.Token + "/qr.png"}, {"GET", counterPath("demo", "1", "next")},
		{"DELETE", "/kiosk/demo"}, {"POST", "/static/css/base.css"},
	}
	for _, w := range wrong {
		t.Run(w.method+" "+w.path, func(t *testing.T) {
			res := anon.Do(w.method, w.path, nil)
			if res.Status != http.StatusMethodNotAllowed && res.Status != http.StatusNotFound {
				t.Errorf("status %d, want 405 (or 404): %s", res.Status, apptest.Short(res.Body))
			}
			apptest.CheckErrorBody(t, res)
		})
	}
	if got := getTicket(t, anon, tk.Token); got.State != "waiting" {
		t.Errorf("ticket is %s after wrong methods", got.State)
	}
}

// ---------------------------------------------------------------------------
// Pages, static files, health

func TestPages(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t)
	anon := env.Client()

	for _, p := range []string{"/kiosk/demo", "/counter/demo", "/display/demo"} {
		t.Run(p, func(t *testing.T) {
			res := anon.Do("GET", p, nil)
			apptest.MustStatus(t, res, http.StatusOK)
			checkHTML(t, res)
		})
	}
	t.Run("ticket page", func(t *testing.T) {
		tk := issue(t, env.Kiosk("demo"), "demo", "certificates")
		res := anon.Do("GET", "/t/"+tk.Token, nil)
		apptest.MustStatus(t, res, http.StatusOK)
		checkHTML(t, res)
		if strings.Contains(string(res.Body), tk.Token) {
			t.Error("the ticket page embeds the token (it must read it from the URL)")
		}
	})
	for _, p := range []string{"/kiosk/nope", "/counter/nope", "/display/nope", "/kiosk/δοκιμή", "/display/" + strings.Repeat("x", 5000)} {
		t.Run("unknown branch "+apptest.Short([]byte(p)), func(t *testing.T) {
			res := anon.Do("GET", p, nil)
			apptest.MustStatus(t, res, http.StatusNotFound)
			if strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
				apptest.CheckErrorBody(t, res)
			}
		})
	}
	t.Run("index", func(t *testing.T) {
		res := anon.Do("GET", "/", nil)
		switch res.Status {
		case http.StatusOK:
			checkHTML(t, res)
		case http.StatusSeeOther, http.StatusFound:
			if loc := res.Header.Get("Location"); loc != "/display/demo" {
				t.Errorf("/ redirects to %q", loc)
			}
		default:
			t.Errorf("/ status %d", res.Status)
		}
	})
}

func TestPairing(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t)
	cases := []struct {
		kind      auth.DeviceKind
		page      string
		issueWant int
	}{
		{auth.DeviceKiosk, "/kiosk/demo", http.StatusCreated},
		{auth.DeviceDisplay, "/display/demo", http.StatusForbidden},
	}
	for _, tc := range cases {
		t.Run(string(tc.kind), func(t *testing.T) {
			code := env.Demo.Pairing[tc.kind]
			if code == "" {
				t.Fatalf("no pairing code for %s in %v", tc.kind, env.Demo.Pairing)
			}
			c := env.Client()
			res := c.Do("GET", tc.page+"?pair="+url.QueryEscape(code), nil)
			apptest.MustStatus(t, res, http.StatusSeeOther)
			if loc := res.Header.Get("Location"); loc != tc.page {
				t.Errorf("redirect to %q, want %q (without the code)", loc, tc.page)
			}
			ck := sessionCookie(res)
			if ck == nil || ck.Value == "" || !ck.HttpOnly || ck.SameSite != http.SameSiteStrictMode {
				t.Fatalf("pairing cookie %+v: want an HttpOnly SameSite=Strict session", ck)
			}
			meRes := c.Do("GET", mePath, nil)
			apptest.MustStatus(t, meRes, http.StatusOK)
			me := apptest.Decode[meJSON](t, meRes)
			if me.Device == nil || me.Device.Kind != string(tc.kind) || me.Device.Branch != "demo" || me.User != nil {
				t.Fatalf("/me after pairing = %+v, want a %s of demo", me, tc.kind)
			}
			if me.CSRF == "" {
				t.Error("a paired browser gets no csrf_token")
			}
			apptest.MustStatus(t, c.Do("GET", tc.page, nil), http.StatusOK)

			// A paired browser is cookie-authenticated: writes need the CSRF token.
			apptest.WantError(t, c.Do("POST", ticketsPath, map[string]string{"service": "certificates"}), http.StatusForbidden, "forbidden")
			c.CSRF = me.CSRF
			res = c.Do("POST", ticketsPath, map[string]string{"service": "certificates"})
			if tc.issueWant == http.StatusCreated {
				apptest.MustStatus(t, res, http.StatusCreated)
			} else {
				apptest.WantError(t, res, tc.issueWant, "forbidden")
			}
		})
	}
	for name, p := range map[string]string{
		"bad code":                "/kiosk/demo?pair=not-a-pairing-code",
		"empty-looking code":      "/kiosk/demo?pair=%20",
		"long code":               "/kiosk/demo?pair=" + strings.Repeat("z", 4000),
		"good code, unknown page": "/kiosk/nope?pair=" + url.QueryEscape(env.Demo.Pairing[auth.DeviceKiosk]),
	} {
		t.Run(name, func(t *testing.T) {
			c := env.Client()
			res := c.Do("GET", p, nil)
			apptest.MustStatus(t, res, http.StatusNotFound)
			if strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
				apptest.WantError(t, res, http.StatusNotFound, "not_found")
			}
			if ck := sessionCookie(res); ck != nil && ck.Value != "" {
				t.Error("a refused pairing set a session cookie")
			}
			apptest.WantError(t, c.Do("GET", mePath, nil), http.StatusUnauthorized, "unauthenticated")
		})
	}
}

func TestSecurityHeaders(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t)
	anon := env.Client()
	css := anyStatic(t, "css/*.css")
	for _, p := range []string{"/kiosk/demo", "/display/demo", statePath, "/api/v1/xyz", mePath, "/healthz",
		"/static/" + css, "/kiosk/nope", "/kiosk/demo?pair=bad"} {
		t.Run(p, func(t *testing.T) {
			h := anon.Do("GET", p, nil).Header
			if got := h.Get("X-Content-Type-Options"); got != "nosniff" {
				t.Errorf("X-Content-Type-Options %q", got)
			}
			if got := h.Get("Referrer-Policy"); got != "no-referrer" {
				t.Errorf("Referrer-Policy %q", got)
			}
			csp := h.Get("Content-Security-Policy")
			for _, want := range []string{"default-src 'self'", "frame-ancestors 'none'"} {
				if !strings.Contains(csp, want) {
					t.Errorf("Content-Security-Policy %q lacks %q", csp, want)
				}
			}
		})
	}
}

func TestHealth(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t)
	for p, want := range map[string]string{"/healthz": "ok", "/readyz": "ready"} {
		t.Run(p, func(t *testing.T) {
			res := env.Client().Do("GET", p, nil)
			apptest.MustStatus(t, res, http.StatusOK)
			if got := apptest.Decode[map[string]string](t, res)["status"]; got != want {
				t.Errorf("status field %q, want %q", got, want)
			}
		})
	}
}

func TestStaticFiles(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t)
	anon := env.Client()
	for _, tc := range []struct{ glob, ctype string }{{"css/*.css", "text/css"}, {"js/*.js", "javascript"}} {
		name := anyStatic(t, tc.glob)
		t.Run(name, func(t *testing.T) {
			want, err := fs.ReadFile(static.FS(), name)
			if err != nil {
				t.Fatal(err)
			}
			res := anon.Do("GET", "/static/"+name, nil)
			apptest.MustStatus(t, res, http.StatusOK)
			if !bytes.Equal(res.Body, want) {
				t.Error("served file differs from the embedded one")
			}
			if ct := res.Header.Get("Content-Type"); !strings.Contains(ct, tc.ctype) {
				t.Errorf("Content-Type %q, want %s", ct, tc.ctype)
			}
			etag := res.Header.Get("ETag")
			if etag == "" {
				t.Fatal("no ETag")
			}
			again := anon.Do("GET", "/static/"+name, nil, "If-None-Match", etag)
			apptest.MustStatus(t, again, http.StatusNotModified)
			if len(again.Body) != 0 {
				t.Errorf("304 with a body of %d bytes", len(again.Body))
			}
			apptest.MustStatus(t, anon.Do("GET", "/static/"+name, nil, "If-None-Match", `"stale"`), http.StatusOK)
		})
	}
	t.Run("missing file", func(t *testing.T) {
		apptest.WantError(t, anon.Do("GET", "/static/css/nope.css", nil), http.StatusNotFound, "not_found")
		apptest.WantError(t, anon.Do("GET", "/static/", nil), http.StatusNotFound, "not_found")
	})
	t.Run("pages are not served as static files", func(t *testing.T) {
		apptest.WantError(t, anon.Do("GET", "/static/kiosk.html", nil), http.StatusNotFound, "not_found")
	})
}

// ---------------------------------------------------------------------------
// Logs

func TestSecretsNeverLogged(t *testing.T) {
	t.Parallel()
	logs := &apptest.SyncBuffer{}
	env := apptest.Start(t, func(c *app.Config) {
		c.Logger = slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	})
	anon, kiosk := env.Client(), env.Kiosk("demo")
	clerk := env.User("log.clerk", auth.RoleClerk, "demo")
	refused := env.Client()
	if res := refused.Do("POST", loginPath, map[string]string{"username": "log.clerk", "password": "wrong-password-9"}); res.Status != 401 {
		t.Fatalf("wrong password: status %d", res.Status)
	}
	paired := env.Client()
	pairCode := env.Demo.Pairing[auth.DeviceKiosk]
	apptest.MustStatus(t, paired.Do("GET", "/kiosk/demo?pair="+url.QueryEscape(pairCode), nil), http.StatusSeeOther)

	a := issue(t, kiosk, "demo", "certificates")
	b := issue(t, clerk, "demo", "signatures")
	printing := device(t, env, "demo", auth.DeviceKiosk, `{"printer": {"addr": "`+nettest.ClosedAddr(t)+`"}}`)
	p := issue(t, printing, "demo", "applications")
	apptest.MustStatus(t, printing.Do("POST", "/api/v1/tickets/"+p.Token+"/print", nil), http.StatusOK)
	base := "/api/v1/tickets/" + a.Token
	for _, r := range []struct{ method, path string }{
		{"GET", "/t/" + a.Token}, {"GET", base}, {"GET", base + "/qr.png"}, {"GET", base + "/live"},
		{"HEAD", base}, {"PUT", base}, {"GET", base + "/nope"}, {"GET", "/t/" + a.Token + "/x"},
		{"GET", "/api/v1/tickets/" + a.Token[:31] + "."}, {"DELETE", base}, {"DELETE", base},
		{"GET", "/api/v1/tickets/" + b.Token},
	} {
		if res := anon.Do(r.method, r.path, nil); res.Status >= 500 {
			t.Errorf("%s %s: status %d", r.method, r.path, res.Status)
		}
	}
	ws, err := env.Dial("/api/v1/tickets/"+b.Token+"/live", nil)
	if err != nil {
		t.Fatal(err)
	}
	_ = ws.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, msg, err := ws.ReadMessage(); err != nil || !bytes.Contains(msg, []byte(b.Number)) {
		t.Errorf("ticket live: %v %s", err, msg)
	}
	ws.Close()
	apptest.MustStatus(t, clerk.Do("POST", counterPath("demo", "3", "open"), nil), http.StatusOK)
	apptest.MustStatus(t, clerk.Do("POST", counterPath("demo", "3", "next"), nil), http.StatusOK)
	apptest.MustStatus(t, clerk.Do("POST", counterPath("demo", "3", "done"), nil), http.StatusOK)
	apptest.MustStatus(t, anon.Do("GET", "/api/v1/tickets/"+b.Token, nil), http.StatusOK)

	env.Stop() // every request and the shutdown are logged once Stop returns
	out := logs.String()
	if !strings.Contains(out, `"route":"/api/v1/tickets/:token"`) || !strings.Contains(out, `"level":"DEBUG"`) ||
		!strings.Contains(out, "not printed") {
		t.Fatalf("the access log is missing, so this test proves nothing:\n%s", out)
	}
	secrets := map[string]string{
		"ticket token (kiosk)":   a.Token,
		"ticket token (staff)":   b.Token,
		"ticket token (printed)": p.Token,
		"kiosk bearer token":     kiosk.Token,
		"clerk session cookie":   jarSession(t, env, clerk),
		"paired session cookie":  jarSession(t, env, paired),
		"clerk CSRF token":       clerk.CSRF,
		"pairing code":           pairCode,
		"clerk password":         "password-of-log.clerk",
		"wrong password":         "wrong-password-9",
		"admin password":         apptest.AdminPassword,
		"random part of a token": a.Token[11:],
	}
	for name, s := range secrets {
		if s == "" {
			t.Errorf("%s: empty, cannot check", name)
			continue
		}
		if i := strings.Index(out, s); i >= 0 {
			line := out[strings.LastIndexByte(out[:i], '\n')+1:]
			if j := strings.IndexByte(line, '\n'); j >= 0 {
				line = line[:j]
			}
			t.Errorf("the %s appears in the logs: %s", name, line)
		}
	}
}

// ---------------------------------------------------------------------------
// JSON shapes

type ticketJSON struct {
	Number         string            `json:"number"`
	Service        string            `json:"service"`
	ServiceName    map[string]string `json:"service_name"`
	Branch         string            `json:"branch"`
	State          string            `json:"state"`
	Priority       string            `json:"priority"`
	IssuedAt       time.Time         `json:"issued_at"`
	CalledAt       *time.Time        `json:"called_at"`
	Counter        *string           `json:"counter"`
	CounterName    map[string]string `json:"counter_name"`
	Recalls        int               `json:"recalls"`
	Position       int               `json:"position"`
	EstimatedWaitS int               `json:"estimated_wait_s"`
	Token          string            `json:"token"`
	TrackURL       string            `json:"track_url"`
}

type serviceJSON struct {
	ID             string            `json:"id"`
	Name           map[string]string `json:"name"`
	Prefix         string            `json:"prefix"`
	Open           bool              `json:"open"`
	Waiting        int               `json:"waiting"`
	EstimatedWaitS int               `json:"estimated_wait_s"`
}

type counterJSON struct {
	ID      string `json:"id"`
	Status  string `json:"status"`
	Clerk   string `json:"clerk"`
	Current *struct {
		Number string `json:"number"`
		State  string `json:"state"`
	} `json:"current"`
}

type counterResultJSON struct {
	Counter counterJSON `json:"counter"`
	Ticket  *ticketJSON `json:"ticket"`
}

type callJSON struct {
	Number      string            `json:"number"`
	Service     string            `json:"service"`
	Counter     string            `json:"counter"`
	CounterName map[string]string `json:"counter_name"`
	At          time.Time         `json:"at"`
	Recall      bool              `json:"recall"`
}

type stateJSON struct {
	Seq         uint64        `json:"seq"`
	Services    []serviceJSON `json:"services"`
	Counters    []counterJSON `json:"counters"`
	RecentCalls []callJSON    `json:"recent_calls"`
}

type meJSON struct {
	User *struct {
		Username string   `json:"username"`
		Role     string   `json:"role"`
		Branches []string `json:"branches"`
	} `json:"user"`
	Device *struct {
		ID     string `json:"id"`
		Kind   string `json:"kind"`
		Branch string `json:"branch"`
	} `json:"device"`
	CSRF string `json:"csrf_token"`
}

// ---------------------------------------------------------------------------
// Helpers

func counterPath(branch, counter, action string) string {
	return "/api/v1/branches/" + branch + "/counters/" + counter + "/" + action
}

// issue takes a ticket for service in branch as c.
func issue(t *testing.T, c *apptest.Client, branch, service string) ticketJSON {
	t.Helper()
	return apptest.Issue[ticketJSON](t, c, branch, service)
}

// checkHolderTicket checks the token and track URL of an issuing answer.
func checkHolderTicket(t *testing.T, env *apptest.Env, tk ticketJSON) {
	t.Helper()
	if len(tk.Token) != 32 {
		t.Errorf("token %q has %d characters, want 32", tk.Token, len(tk.Token))
	}
	if _, err := base64.RawURLEncoding.DecodeString(tk.Token); err != nil {
		t.Errorf("token %q is not base64url: %v", tk.Token, err)
	}
	if !strings.HasSuffix(tk.TrackURL, "/t/"+tk.Token) || !strings.HasPrefix(tk.TrackURL, env.URL+"/") {
		t.Errorf("track_url %q, want %s/t/%s", tk.TrackURL, env.URL, tk.Token)
	}
}

func getTicket(t *testing.T, c *apptest.Client, token string) ticketJSON {
	t.Helper()
	res := c.Do("GET", "/api/v1/tickets/"+token, nil)
	if res.Status != http.StatusOK {
		t.Fatalf("ticket: status %d %s", res.Status, apptest.Short(res.Body))
	}
	return apptest.Decode[ticketJSON](t, res)
}

func getState(t *testing.T, c *apptest.Client, branch string) stateJSON {
	t.Helper()
	res := c.Do("GET", "/api/v1/branches/"+branch+"/state", nil)
	if res.Status != http.StatusOK {
		t.Fatalf("state: status %d %s", res.Status, apptest.Short(res.Body))
	}
	return apptest.Decode[stateJSON](t, res)
}

func waitingOf(t *testing.T, st stateJSON, service string) int {
	t.Helper()
	for _, s := range st.Services {
		if s.ID == service {
			return s.Waiting
		}
	}
	t.Fatalf("no service %s in state", service)
	return 0
}

func counterOf(t *testing.T, st stateJSON, id string) counterJSON {
	t.Helper()
	for _, c := range st.Counters {
		if c.ID == id {
			return c
		}
	}
	t.Fatalf("no counter %s in state", id)
	return counterJSON{}
}

func currentNumber(c counterJSON) string {
	if c.Current == nil {
		return ""
	}
	return c.Current.Number
}

// createOtherBranch adds branch "other" with one service and one counter.
func createOtherBranch(t *testing.T, env *apptest.Env) {
	t.Helper()
	err := env.App.Engine.CreateBranch(context.Background(), "test",
		queue.Branch{ID: "other", Name: queue.Text{"el": "Άλλο ΚΕΠ", "en": "Other office"}},
		[]queue.Service{{ID: "certificates", Prefix: "A", Order: 1, Open: true, Name: queue.Text{"el": "Πιστοποιητικά", "en": "Certificates"}}},
		[]queue.Counter{{ID: "1", Serves: []string{"certificates"}, Name: queue.Text{"el": "Γκισέ 1", "en": "Counter 1"}}})
	if err != nil {
		t.Fatal(err)
	}
}

// device creates a device of branch and returns a client with its bearer
// token.
func device(t *testing.T, env *apptest.Env, branch string, kind auth.DeviceKind, settings ...string) *apptest.Client {
	t.Helper()
	d := auth.Device{Branch: branch, Kind: kind, Name: "test " + string(kind)}
	if len(settings) > 0 {
		d.Settings = json.RawMessage(settings[0])
	}
	_, tok, err := env.App.Auth.CreateDevice(context.Background(), "test", d)
	if err != nil {
		t.Fatal(err)
	}
	c := env.Client()
	c.Token = tok
	return c
}

func errorMessage(body []byte) string {
	var e struct {
		Error struct {
			Message string `json:"message"`
		} `json:"error"`
	}
	_ = json.Unmarshal(body, &e)
	return e.Error.Message
}

func checkHTML(t *testing.T, res apptest.Response) {
	t.Helper()
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Errorf("Content-Type %q, want text/html", ct)
	}
	if !bytes.Contains(bytes.ToLower(res.Body[:min(len(res.Body), 512)]), []byte("<!doctype html")) {
		t.Errorf("body does not start as an HTML document: %s", apptest.Short(res.Body))
	}
	if got := res.Header.Get("Referrer-Policy"); got != "no-referrer" {
		t.Errorf("Referrer-Policy %q, want no-referrer", got)
	}
}

func sessionCookie(res apptest.Response) *http.Cookie {
	for _, ck := range (&http.Response{Header: res.Header}).Cookies() {
		if ck.Name == "seira_session" {
			return ck
		}
	}
	return nil
}

// jarSession returns the session cookie a client holds.
func jarSession(t *testing.T, env *apptest.Env, c *apptest.Client) string {
	t.Helper()
	u, err := url.Parse(env.URL)
	if err != nil {
		t.Fatal(err)
	}
	for _, ck := range c.HTTP.Jar.Cookies(u) {
		if ck.Name == "seira_session" {
			return ck.Value
		}
	}
	t.Fatal("client has no session cookie")
	return ""
}

// anyStatic returns the first embedded file matching glob.
func anyStatic(t *testing.T, glob string) string {
	t.Helper()
	names, err := fs.Glob(static.FS(), glob)
	if err != nil || len(names) == 0 {
		t.Fatalf("no static file matches %s (%v)", glob, err)
	}
	return names[0]
}

// Tokens are base64url of an 8-byte (masked) reference and 16 random bytes.
func tokenBytes(t *testing.T, tok string) []byte {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil || len(b) != 24 {
		t.Fatalf("token %q: %d bytes, %v", tok, len(b), err)
	}
	return b
}

func flipLastByte(t *testing.T, tok string) string {
	b := tokenBytes(t, tok)
	b[len(b)-1] ^= 0x55
	return base64.RawURLEncoding.EncodeToString(b)
}

func refOf(t *testing.T, tok string) uint64 { return binary.BigEndian.Uint64(tokenBytes(t, tok)) }

func tokenWithRef(t *testing.T, tok string, ref uint64) string {
	b := tokenBytes(t, tok)
	binary.BigEndian.PutUint64(b, ref)
	return base64.RawURLEncoding.EncodeToString(b)
}

// doChunked sends body without a Content-Length.
func doChunked(t *testing.T, env *apptest.Env, c *apptest.Client, method, path, body string) apptest.Response {
	t.Helper()
	req, err := http.NewRequest(method, env.URL+path, io.MultiReader(strings.NewReader(body)))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return apptest.Response{Status: resp.StatusCode, Header: resp.Header, Body: raw}
}

// rawRequest writes request as is and returns the answer's status.
func rawRequest(t *testing.T, addr, request string) (int, []byte) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(conn, request); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no HTTP answer: %v", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, body
}

// parallel runs n requests at once and returns their answers in order.
func parallel(n int, do func(i int) apptest.Response) []apptest.Response {
	out := make([]apptest.Response, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			out[i] = do(i)
		})
	}
	close(start)
	wg.Wait()
	return out
}

// closeIdleAtEnd closes the clients' idle connections before the server
// stops: concurrent requests leave spare connections that were never used,
// and a graceful shutdown waits seconds for those.
func closeIdleAtEnd(t *testing.T, clients ...*apptest.Client) {
	t.Cleanup(func() {
		for _, c := range clients {
			c.HTTP.CloseIdleConnections()
		}
	})
}

func ptr(s *string) string {
	if s == nil {
		return "<nil>"
	}
	return *s
}
