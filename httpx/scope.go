package httpx

import (
	"github.com/labstack/echo/v4"

	"github.com/seira-queue/seira/auth"
	"github.com/seira-queue/seira/queue"
)

// RequireScope returns the principal if it is an API token holding scope
// in branch: 401 for nobody, 403 for anyone else, with a message that
// says what is missing.
func RequireScope(c echo.Context, scope auth.Scope, branch string) (auth.Principal, error) {
	p := PrincipalOf(c)
	switch {
	case p.Anonymous():
		return p, queue.Errorf(queue.CodeUnauthenticated, "send an API token: Authorization: Bearer TOKEN")
	case p.Token == nil:
		return p, queue.Errorf(queue.CodeForbidden, "this needs an API token with scope %s", scope)
	case !p.Token.InBranch(branch):
		return p, queue.Errorf(queue.CodeForbidden, "this token is for branch %s, not %s", p.Token.Branch, branch)
	case !p.Token.Has(scope):
		return p, queue.Errorf(queue.CodeForbidden, "this token lacks scope %s", scope)
	}
	return p, nil
}

// ScopeIfToken checks an API token against scope in branch, and lets
// anyone else through: for public reads whose scope a token must still
// hold (a token is judged by its scopes everywhere they apply).
func ScopeIfToken(c echo.Context, scope auth.Scope, branch string) error {
	if PrincipalOf(c).Token == nil {
		return nil
	}
	_, err := RequireScope(c, scope, branch)
	return err
}

// orScope checks an API token against scope, and anyone else with check.
func orScope(c echo.Context, scope auth.Scope, branch string, check func() (auth.Principal, error)) (auth.Principal, error) {
	if PrincipalOf(c).Token != nil {
		return RequireScope(c, scope, branch)
	}
	return check()
}

// RequireAdminOrScope is RequireAdmin, or an API token with scope in
// branch.
func RequireAdminOrScope(c echo.Context, branch string, scope auth.Scope) (auth.Principal, error) {
	return orScope(c, scope, branch, func() (auth.Principal, error) { return RequireAdmin(c, branch) })
}

// RequireStaffOrScope is RequireStaff, or an API token with scope in
// branch.
func RequireStaffOrScope(c echo.Context, branch string, scope auth.Scope) (auth.Principal, error) {
	return orScope(c, scope, branch, func() (auth.Principal, error) { return RequireStaff(c, branch) })
}

// RequireDeviceOrStaffOrScope is RequireDeviceOrStaff, or an API token
// with scope in branch.
func RequireDeviceOrStaffOrScope(c echo.Context, kind auth.DeviceKind, branch string, scope auth.Scope) (auth.Principal, error) {
	return orScope(c, scope, branch, func() (auth.Principal, error) { return RequireDeviceOrStaff(c, kind, branch) })
}
