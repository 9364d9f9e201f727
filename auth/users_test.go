package auth_test

import (
	"testing"

	"github.com/seira-queue/seira/auth"
	"github.com/seira-queue/seira/queue"
)

// TestUsers: a user is created with a normalised name and a hashed
// password, refused when the name is taken (in any case) or the input is
// bad, changed, listed and deleted.
func TestUsers(t *testing.T) {
	s, _ := newService(t)
	if has := must(s.HasUsers(ctx)); has {
		t.Fatal("a fresh store has users")
	}
	u := user(t, s, "maria", auth.RoleClerk, "demo")
	if string(u.PasswordHash) == password || len(u.PasswordHash) == 0 {
		t.Fatal("the password is stored as it is, or not at all")
	}
	for _, c := range []struct {
		name string
		u    auth.User
		pw   string
		code queue.Code
	}{
		{"taken, in capitals", auth.User{Username: "MARIA", Name: "x", Role: auth.RoleClerk, Branches: []string{"demo"}}, password, queue.CodeConflict},
		{"a clerk of no branch", auth.User{Username: "nikos", Name: "x", Role: auth.RoleClerk}, password, queue.CodeValidation},
		{"a branch that is not", auth.User{Username: "nikos", Name: "x", Role: auth.RoleClerk, Branches: []string{"nowhere"}}, password, queue.CodeValidation},
		{"short password", auth.User{Username: "nikos", Name: "x", Role: auth.RoleClerk}, "short", queue.CodeValidation},
		{"bad name", auth.User{Username: "νίκος κ", Name: "x", Role: auth.RoleClerk}, password, queue.CodeValidation},
		{"bad role", auth.User{Username: "nikos", Name: "x", Role: "root"}, password, queue.CodeValidation},
	} {
		if _, err := s.CreateUser(ctx, "test", c.u, c.pw); queue.ErrorCode(err) != c.code {
			t.Errorf("%s: %v, want %s", c.name, err, c.code)
		}
	}
	if got := auth.NormalizeUsername("  Maria "); got != "maria" {
		t.Errorf("NormalizeUsername: %q", got)
	}
	u.Name = "Μαρία Π."
	must(s.PutUser(ctx, "test", u, ""))
	if got := must(s.User(ctx, "maria")); got.Name != "Μαρία Π." || string(got.PasswordHash) != string(u.PasswordHash) {
		t.Errorf("after the change: %+v (the password must stay)", got)
	}
	user(t, s, "nikos", auth.RoleManager, "demo")
	if list := must(s.Users(ctx)); len(list) != 2 {
		t.Errorf("%d users, want 2", len(list))
	}
	if err := s.DeleteUser(ctx, "test", "nikos"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.User(ctx, "nikos"); queue.ErrorCode(err) != queue.CodeNotFound {
		t.Errorf("deleted user: %v", err)
	}
}
