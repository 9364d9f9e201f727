package auth_test

import (
	"testing"

	"github.com/seira-queue/seira/auth"
)

// TestPrincipalRoles: what each role may do, in its branches and others.
func TestPrincipalRoles(t *testing.T) {
	admin := auth.Principal{User: &auth.User{Username: "root", Role: auth.RoleAdmin}}
	mgr := auth.Principal{User: &auth.User{Username: "eleni", Role: auth.RoleManager, Branches: []string{"demo"}}}
	clerk := auth.Principal{User: &auth.User{Username: "maria", Role: auth.RoleClerk, Branches: []string{"demo"}}}
	kiosk := auth.Principal{Device: &auth.Device{ID: "k1", Branch: "demo", Kind: auth.DeviceKiosk}}
	token := auth.Principal{Token: &auth.APIToken{ID: "t1", Name: "platform", Scopes: []auth.Scope{auth.ScopeTicketsWrite}}}
	for _, c := range []struct {
		name                         string
		p                            auth.Principal
		staffDemo, staffOther, admin bool
		managesDemo, managesOther    bool
		want                         string
	}{
		{"admin", admin, true, true, true, true, true, "root"},
		{"manager", mgr, true, false, false, true, false, "eleni"},
		{"clerk", clerk, true, false, false, false, false, "maria"},
		{"kiosk", kiosk, false, false, false, false, false, "device:k1"},
		{"API token of every branch", token, false, false, false, false, false, "token:platform"},
		{"nobody", auth.Principal{}, false, false, false, false, false, ""},
	} {
		if c.p.Staff("demo") != c.staffDemo || c.p.Staff("other") != c.staffOther || c.p.Admin() != c.admin ||
			c.p.Manages("demo") != c.managesDemo || c.p.Manages("other") != c.managesOther || c.p.Name() != c.want {
			t.Errorf("%s: staff %v/%v admin %v manages %v/%v name %q", c.name, c.p.Staff("demo"), c.p.Staff("other"),
				c.p.Admin(), c.p.Manages("demo"), c.p.Manages("other"), c.p.Name())
		}
	}
	for _, r := range []auth.Role{auth.RoleAdmin, auth.RoleManager, auth.RoleClerk} {
		if !r.Valid() {
			t.Errorf("%s is not valid", r)
		}
	}
	if !token.Can(auth.ScopeTicketsWrite, "other") || token.Can(auth.ScopeStatsRead, "demo") || kiosk.Can(auth.ScopeTicketsWrite, "demo") {
		t.Error("Can: a token holds its scopes in every branch, and only tokens hold scopes")
	}
	if token.Anonymous() || kiosk.Anonymous() || !(auth.Principal{}).Anonymous() {
		t.Error("Anonymous")
	}
	if auth.Role("root").Valid() {
		t.Error("an unknown role is valid")
	}
}
