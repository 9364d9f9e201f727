package auth_test

import (
	"testing"
	"time"

	"github.com/seira-queue/seira/auth"
)

// TestSessions: a login opens a session that names its user and carries a
// CSRF token; it ends at logout or when its time is up; a wrong password
// or a disabled user does not sign in; many failures throttle a name.
func TestSessions(t *testing.T) {
	s, clk := newService(t)
	u := user(t, s, "maria", auth.RoleClerk, "demo")
	tok, p, err := s.Login(ctx, " Maria ", password)
	if err != nil || p.User == nil || p.User.Username != "maria" || p.CSRF == "" {
		t.Fatalf("login: %v %+v", err, p)
	}
	got, err := s.FromSession(ctx, tok)
	if err != nil || got.User.Username != "maria" || got.CSRF != p.CSRF {
		t.Fatalf("the session: %v %+v", err, got)
	}
	clk.Add(auth.UserSessionTTL + time.Minute)
	if _, err := s.FromSession(ctx, tok); !auth.IsUnauthenticated(err) {
		t.Errorf("a session past its time: %v", err)
	}
	tok, _, _ = s.Login(ctx, "maria", password)
	if err := s.Logout(ctx, tok); err != nil {
		t.Fatal(err)
	}
	if _, err := s.FromSession(ctx, tok); !auth.IsUnauthenticated(err) {
		t.Errorf("a session after logout: %v", err)
	}
	if _, _, err := s.Login(ctx, "maria", "wrong password!"); !auth.IsUnauthenticated(err) {
		t.Errorf("wrong password: %v", err)
	}
	if _, _, err := s.Login(ctx, "nobody", password); !auth.IsUnauthenticated(err) {
		t.Errorf("unknown user: %v", err)
	}
	// A disabled user's open session ends with it.
	tok, _, _ = s.Login(ctx, "maria", password)
	u.Disabled = true
	must(s.PutUser(ctx, "test", u, ""))
	if _, err := s.FromSession(ctx, tok); !auth.IsUnauthenticated(err) {
		t.Errorf("a disabled user's session: %v", err)
	}
	if _, _, err := s.Login(ctx, "maria", password); !auth.IsUnauthenticated(err) {
		t.Errorf("a disabled user signs in: %v", err)
	}
	// Throttled after many failures, even with the right password, until
	// the window passes.
	user(t, s, "nikos", auth.RoleClerk, "demo")
	for range 12 {
		s.Login(ctx, "nikos", "guess guess guess")
	}
	if _, _, err := s.Login(ctx, "nikos", password); err == nil {
		t.Error("a throttled name signs in")
	}
	clk.Add(time.Hour)
	if _, _, err := s.Login(ctx, "nikos", password); err != nil {
		t.Errorf("after the window: %v", err)
	}
}
