package server_test

// HTTP tests of the server's own parts against a whole server (apptest.Start:
// real bbolt store, real listener): sign-in and sessions, CSRF, errors,
// methods, pages, static files, health, security headers and logs. The
// kiosk's, counter's and live endpoints are tested beside their packages.

import (
	"bytes"
	"context"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/seira-queue/seira/app"
	"github.com/seira-queue/seira/app/apptest"
	"github.com/seira-queue/seira/auth"
	"github.com/seira-queue/seira/internal/nettest"
	"github.com/seira-queue/seira/static"
)

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
			res := c.Do("POST", apptest.LoginPath, map[string]string{"username": tc.username, "password": tc.password})
			apptest.MustStatus(t, res, http.StatusOK)

			ck := apptest.SessionCookie(res)
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
			res := c.Do("POST", apptest.LoginPath, tc.body, tc.header...)
			apptest.WantError(t, res, tc.status, tc.code)
			if ck := apptest.SessionCookie(res); ck != nil && ck.Value != "" && ck.MaxAge >= 0 {
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
		apptest.WantError(t, c.Do("POST", apptest.CounterPath("demo", "1", "open"), nil), http.StatusUnauthorized, "unauthenticated")
		res := env.Client().Do("POST", apptest.LoginPath, map[string]string{"username": "leaving.clerk", "password": "password-of-leaving.clerk"})
		apptest.WantError(t, res, http.StatusUnauthorized, "unauthenticated")
		if msg := errorMessage(res.Body); msg != messages["wrong password"] {
			t.Errorf("disabled user is told %q, want the wrong-password message %q", msg, messages["wrong password"])
		}
	})
}

func TestUserChangesApplyAtOnce(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t)
	apptest.CreateOtherBranch(t, env)
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
		apptest.WantError(t, c.Do("POST", apptest.CounterPath("demo", "1", "open"), nil), http.StatusForbidden, "forbidden")
		apptest.MustStatus(t, c.Do("POST", apptest.CounterPath("other", "1", "open"), nil), http.StatusOK)
	})
	t.Run("password reset ends sessions", func(t *testing.T) {
		c := env.User("forgetful.clerk", auth.RoleClerk, "demo")
		change(t, "forgetful.clerk", func(*auth.User) {}, "a-new-password-2")
		apptest.WantError(t, c.Do("GET", mePath, nil), http.StatusUnauthorized, "unauthenticated")
		apptest.WantError(t, env.Client().Do("POST", apptest.LoginPath, map[string]string{"username": "forgetful.clerk", "password": "password-of-forgetful.clerk"}),
			http.StatusUnauthorized, "unauthenticated")
		apptest.MustStatus(t, env.Client().Do("POST", apptest.LoginPath, map[string]string{"username": "forgetful.clerk", "password": "a-new-password-2"}), http.StatusOK)
	})
	t.Run("deleted user", func(t *testing.T) {
		c := env.User("gone.clerk", auth.RoleClerk, "demo")
		if err := env.App.Auth.DeleteUser(ctx, "test", "gone.clerk"); err != nil {
			t.Fatal(err)
		}
		apptest.WantError(t, c.Do("GET", mePath, nil), http.StatusUnauthorized, "unauthenticated")
		apptest.WantError(t, c.Do("POST", apptest.CounterPath("demo", "1", "open"), nil), http.StatusUnauthorized, "unauthenticated")
	})
}

func TestLoginThrottle(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t)
	for i := range 10 {
		res := env.Client().Do("POST", apptest.LoginPath, map[string]string{"username": "admin", "password": "guess-number-" + strconv.Itoa(i)})
		apptest.WantError(t, res, http.StatusUnauthorized, "unauthenticated")
	}
	// Even the right password waits now; other users are not locked out.
	apptest.WantError(t, env.Client().Do("POST", apptest.LoginPath, map[string]string{"username": "admin", "password": apptest.AdminPassword}),
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
	if ck := apptest.SessionCookie(res); ck == nil || (ck.MaxAge >= 0 && ck.Value != "") {
		t.Errorf("logout does not clear the session cookie: %q", res.Header.Values("Set-Cookie"))
	}
	apptest.WantError(t, c.Do("GET", mePath, nil), http.StatusUnauthorized, "unauthenticated")

	// The session is gone on the server, not only from this browser.
	replay := env.Client()
	apptest.WantError(t, replay.Do("GET", mePath, nil, "Cookie", "seira_session="+old), http.StatusUnauthorized, "unauthenticated")
	apptest.WantError(t, replay.Do("POST", apptest.CounterPath("demo", "1", "open"), nil, "Cookie", "seira_session="+old),
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
	waitingTicket := apptest.IssueTicket(t, kiosk, "demo", "certificates")
	before := apptest.GetState(t, env.Client(), "demo")

	without, wrong, foreign := *clerk, *clerk, *clerk
	without.CSRF, wrong.CSRF, foreign.CSRF = "", "not-the-csrf-token", other.CSRF
	writes := []struct {
		name, method, path string
		body               any
	}{
		{"open counter", "POST", apptest.CounterPath("demo", "1", "open"), nil},
		{"issue ticket", "POST", apptest.TicketsPath, map[string]string{"service": "certificates"}},
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
		after := apptest.GetState(t, env.Client(), "demo")
		if after.Seq != before.Seq {
			t.Errorf("seq %d → %d after refused writes", before.Seq, after.Seq)
		}
		apptest.MustStatus(t, clerk.Do("GET", mePath, nil), http.StatusOK) // logout was refused
		if got := apptest.GetTicket(t, env.Client(), waitingTicket.Token); got.State != "waiting" {
			t.Errorf("ticket state %q after a refused cancel, want waiting", got.State)
		}
	})
	t.Run("reads need no token", func(t *testing.T) {
		apptest.MustStatus(t, without.Do("GET", apptest.StatePath, nil), http.StatusOK)
		apptest.MustStatus(t, without.Do("GET", mePath, nil), http.StatusOK)
	})
	t.Run("right token", func(t *testing.T) {
		apptest.MustStatus(t, clerk.Do("POST", apptest.CounterPath("demo", "1", "open"), nil), http.StatusOK)
		apptest.MustStatus(t, clerk.Do("POST", apptest.TicketsPath, map[string]string{"service": "certificates"}), http.StatusCreated)
	})
	t.Run("bearer needs no token", func(t *testing.T) {
		if kiosk.CSRF != "" {
			t.Fatal("kiosk client carries a CSRF token")
		}
		apptest.MustStatus(t, kiosk.Do("POST", apptest.TicketsPath, map[string]string{"service": "certificates"}), http.StatusCreated)
	})
	t.Run("login is exempt", func(t *testing.T) {
		res := without.Do("POST", apptest.LoginPath, map[string]string{"username": "admin", "password": apptest.AdminPassword})
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
			apptest.WantError(t, c.Do("GET", apptest.ServicesPath, nil, "Authorization", h.value), http.StatusUnauthorized, "unauthenticated")
			apptest.WantError(t, c.Do("POST", apptest.TicketsPath, map[string]string{"service": "certificates"}, "Authorization", h.value),
				http.StatusUnauthorized, "unauthenticated")
			apptest.WantError(t, c.Do("GET", mePath, nil, "Authorization", h.value), http.StatusUnauthorized, "unauthenticated")
		})
	}
	if st := apptest.GetState(t, env.Client(), "demo"); apptest.WaitingOf(t, st, "certificates") != 0 {
		t.Error("a refused bearer issued a ticket")
	}
}

// ---------------------------------------------------------------------------
// Errors

func TestErrorsNeverServerErrors(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t)
	anon, kiosk, admin := env.Client(), env.Kiosk("demo"), env.Admin()
	clerk := env.User("err.clerk", auth.RoleClerk, "demo")
	tk := apptest.IssueTicket(t, kiosk, "demo", "certificates")
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
		{name: "trailing slash", method: "POST", c: clerk, path: apptest.CounterPath("demo", "1", "next") + "/", status: 404, code: "not_found"},
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
		{name: "long counter (admin)", method: "POST", c: admin, path: apptest.CounterPath("demo", long, "open"), status: 404, code: "not_found"},
		{name: "unicode service", method: "POST", c: kiosk, path: apptest.TicketsPath, body: map[string]string{"service": "πιστοποιητικά"}, status: 404, code: "not_found"},
		{name: "invalid UTF-8 service", method: "POST", c: kiosk, path: apptest.TicketsPath, body: "{\"service\": \"\xff\xfe\"}", status: 404, code: "not_found"},
		{name: "deep JSON", method: "POST", c: kiosk, path: apptest.TicketsPath, body: strings.Repeat("[", 10000), status: 400, code: "bad_request"},
		{name: "binary body", method: "POST", c: kiosk, path: apptest.TicketsPath, body: "\x00\x01\x02", status: 400, code: "bad_request"},
		{name: "live without upgrade", method: "GET", path: "/api/v1/branches/demo/live", status: 400, code: "bad_request"},
		{name: "live with bad since", method: "GET", path: "/api/v1/branches/demo/live?since=-1", status: 400, code: "bad_request"},
		{name: "live with huge since", method: "GET", path: "/api/v1/branches/demo/live?since=99999999999999999999999", status: 400, code: "bad_request"},
		{name: "ticket live of unknown token", method: "GET", path: "/api/v1/tickets/" + long + "/live", status: 404, code: "not_found"},
		{name: "login with huge username", method: "POST", path: apptest.LoginPath,
			body: map[string]string{"username": strings.Repeat("a", 40000), "password": "whatever-1234"}, status: 401, code: "unauthenticated"},
		{name: "login with long password", method: "POST", path: apptest.LoginPath,
			body: map[string]string{"username": "admin", "password": strings.Repeat("p", 1000)}, status: 401, code: "unauthenticated"},
		{name: "transfer with a JSON array", method: "POST", c: admin, path: apptest.CounterPath("demo", "1", "transfer"), body: "[1]", status: 400, code: "bad_request"},
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
	tk := apptest.IssueTicket(t, env.Kiosk("demo"), "demo", "certificates")

	for _, p := range []string{"/healthz", "/readyz", apptest.StatePath, apptest.ServicesPath, "/api/v1/xyz", mePath,
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
		{"PUT", "/healthz"}, {"POST", "/readyz"}, {"DELETE", apptest.StatePath}, {"PATCH", apptest.ServicesPath},
		{"GET", apptest.LoginPath}, {"PUT", mePath}, {"GET", apptest.TicketsPath}, {"PUT", "/api/v1/tickets/" + tk.Token},
		{"POST", "/api/v1/tickets/" + tk.Token + "/qr.png"}, {"GET", apptest.CounterPath("demo", "1", "next")},
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
	if got := apptest.GetTicket(t, anon, tk.Token); got.State != "waiting" {
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
		tk := apptest.IssueTicket(t, env.Kiosk("demo"), "demo", "certificates")
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
			ck := apptest.SessionCookie(res)
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
			apptest.WantError(t, c.Do("POST", apptest.TicketsPath, map[string]string{"service": "certificates"}), http.StatusForbidden, "forbidden")
			c.CSRF = me.CSRF
			res = c.Do("POST", apptest.TicketsPath, map[string]string{"service": "certificates"})
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
			if ck := apptest.SessionCookie(res); ck != nil && ck.Value != "" {
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
	for _, p := range []string{"/kiosk/demo", "/display/demo", apptest.StatePath, "/api/v1/xyz", mePath, "/healthz",
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
	if res := refused.Do("POST", apptest.LoginPath, map[string]string{"username": "log.clerk", "password": "wrong-password-9"}); res.Status != 401 {
		t.Fatalf("wrong password: status %d", res.Status)
	}
	paired := env.Client()
	pairCode := env.Demo.Pairing[auth.DeviceKiosk]
	apptest.MustStatus(t, paired.Do("GET", "/kiosk/demo?pair="+url.QueryEscape(pairCode), nil), http.StatusSeeOther)

	a := apptest.IssueTicket(t, kiosk, "demo", "certificates")
	b := apptest.IssueTicket(t, clerk, "demo", "signatures")
	printing := apptest.Device(t, env, "demo", auth.DeviceKiosk, `{"printer": {"addr": "`+nettest.ClosedAddr(t)+`"}}`)
	p := apptest.IssueTicket(t, printing, "demo", "applications")
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
	apptest.MustStatus(t, clerk.Do("POST", apptest.CounterPath("demo", "3", "open"), nil), http.StatusOK)
	apptest.MustStatus(t, clerk.Do("POST", apptest.CounterPath("demo", "3", "next"), nil), http.StatusOK)
	apptest.MustStatus(t, clerk.Do("POST", apptest.CounterPath("demo", "3", "done"), nil), http.StatusOK)
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
