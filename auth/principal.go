package auth

import "slices"

// Role is what a user may do.
type Role string

// Roles.
const (
	RoleAdmin   Role = "admin"   // everything, every branch
	RoleManager Role = "manager" // administration of their branches
	RoleClerk   Role = "clerk"   // counter work in their branches
)

// Roles lists the roles, the least first.
func Roles() []Role { return []Role{RoleClerk, RoleManager, RoleAdmin} }

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return r == RoleAdmin || r == RoleManager || r == RoleClerk }

// Principal is who is making a request.
type Principal struct {
	User   *User
	Device *Device
	// Token is an integration's API token: it may do what its scopes
	// allow in its branch, and nothing a user or a device does.
	Token *APIToken
	// CSRF is the session's CSRF token; empty for bearer tokens, which need
	// none because browsers do not send them by themselves.
	CSRF string
	// Cookie reports whether the request was authenticated by the session
	// cookie, and so must carry the CSRF token when it writes.
	Cookie bool
}

// Name identifies the principal in the audit trail.
func (p Principal) Name() string {
	switch {
	case p.User != nil:
		return p.User.Username
	case p.Device != nil:
		return "device:" + p.Device.ID
	case p.Token != nil:
		return "token:" + p.Token.Name
	}
	return ""
}

// Anonymous reports whether nobody is signed in.
func (p Principal) Anonymous() bool { return p.User == nil && p.Device == nil && p.Token == nil }

// Can reports whether the principal is an API token that holds scope in
// branch.
func (p Principal) Can(scope Scope, branch string) bool {
	return p.Token != nil && !p.Token.IsRevoked() && p.Token.Has(scope) && p.Token.InBranch(branch)
}

// Staff reports whether the principal is a user working in branch.
func (p Principal) Staff(branch string) bool { return p.User != nil && p.User.InBranch(branch) }

// Admin reports whether the principal is an administrator.
func (p Principal) Admin() bool { return p.User != nil && p.User.Role == RoleAdmin }

// Manages reports whether the principal may administer branch.
func (p Principal) Manages(branch string) bool {
	return p.User != nil && (p.User.Role == RoleAdmin || p.User.Role == RoleManager && p.User.InBranch(branch))
}

// copy gives the caller its own User and Device structs.
func (p Principal) copy() Principal {
	if p.User != nil {
		u := *p.User
		p.User = &u
	}
	if p.Device != nil {
		d := *p.Device
		p.Device = &d
	}
	if p.Token != nil {
		t := *p.Token
		t.Scopes = slices.Clone(t.Scopes)
		p.Token = &t
	}
	return p
}
