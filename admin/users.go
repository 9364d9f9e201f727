package admin

import (
	"net/http"
	"slices"

	"github.com/labstack/echo/v4"

	"github.com/seira-queue/seira/auth"
	"github.com/seira-queue/seira/httpx"
	"github.com/seira-queue/seira/queue"
	"github.com/seira-queue/seira/view"
)

// mayManageUser reports whether p may change u: administrators may change
// anyone; a manager only non-administrators all of whose branches they
// manage.
func mayManageUser(p auth.Principal, u auth.User) bool {
	if p.Admin() {
		return true
	}
	if p.User == nil || p.User.Role != auth.RoleManager || u.Role == auth.RoleAdmin || len(u.Branches) == 0 {
		return false
	}
	for _, b := range u.Branches {
		if !p.Manages(b) {
			return false
		}
	}
	return true
}

func (h *Handler) listAllUsers(c echo.Context) error {
	if _, err := httpx.RequireAdmin(c, ""); err != nil {
		return err
	}
	return h.usersWhere(c, func(auth.User) bool { return true })
}

func (h *Handler) listUsers(c echo.Context) error {
	_, branch, err := manager(c)
	if err != nil {
		return err
	}
	// Everyone who may work in the branch: its own users, and the
	// administrators of every branch (no branch list), so that the users
	// page of a fresh office lists its admin rather than nothing.
	return h.usersWhere(c, func(u auth.User) bool {
		return slices.Contains(u.Branches, branch) || (u.Role == auth.RoleAdmin && len(u.Branches) == 0)
	})
}

func (h *Handler) usersWhere(c echo.Context, keep func(auth.User) bool) error {
	users, err := h.auth.Users(c.Request().Context())
	if err != nil {
		return err
	}
	out := []view.User{}
	for _, u := range users {
		if keep(u) {
			out = append(out, view.UserOf(u))
		}
	}
	return c.JSON(http.StatusOK, map[string]any{"users": out})
}

type userBody struct {
	Username string    `json:"username"`
	Name     *string   `json:"name"`
	Role     *string   `json:"role"`
	Branches *[]string `json:"branches"`
	Disabled *bool     `json:"disabled"`
	Password string    `json:"password"`
}

// apply changes u by the fields the body sets.
func (b userBody) apply(u *auth.User) {
	if b.Name != nil {
		u.Name = *b.Name
	}
	if b.Role != nil {
		u.Role = auth.Role(*b.Role)
	}
	if b.Branches != nil {
		u.Branches = slices.Clone(*b.Branches)
	}
	if b.Disabled != nil {
		u.Disabled = *b.Disabled
	}
}

func (h *Handler) createUser(c echo.Context) error {
	p, branch, err := manager(c)
	if err != nil {
		return err
	}
	var body userBody
	if err := httpx.Bind(c, &body); err != nil {
		return err
	}
	ctx := c.Request().Context()
	if body.Password == "" {
		return queue.Errorf(queue.CodeValidation, "a new user needs a password")
	}
	u := auth.User{Username: body.Username, Role: auth.RoleClerk, Branches: []string{branch}}
	body.apply(&u)
	if !slices.Contains(u.Branches, branch) {
		u.Branches = append(u.Branches, branch)
	}
	if !mayManageUser(p, u) {
		return queue.Errorf(queue.CodeForbidden, "you may not create this user (role %s, branches %v)", u.Role, u.Branches)
	}
	// CreateUser refuses a taken name as it stores it (trimmed, lower
	// case): "ADMIN" must not overwrite admin.
	u, err = h.auth.CreateUser(ctx, p.Name(), u, body.Password)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, view.UserOf(u))
}

// managedUser returns the caller and the path's user, if the caller may
// manage that user.
func (h *Handler) managedUser(c echo.Context, verb string) (auth.Principal, auth.User, error) {
	p, err := signedInUser(c)
	if err != nil {
		return p, auth.User{}, err
	}
	u, err := h.auth.User(c.Request().Context(), c.Param("username"))
	if err != nil {
		return p, u, err
	}
	if !mayManageUser(p, u) {
		return p, u, queue.Errorf(queue.CodeForbidden, "you may not %s user %s", verb, u.Username)
	}
	return p, u, nil
}

func (h *Handler) updateUser(c echo.Context) error {
	p, u, err := h.managedUser(c, "change")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	var body userBody
	if err := httpx.Bind(c, &body); err != nil {
		return err
	}
	if body.Username != "" && auth.NormalizeUsername(body.Username) != u.Username {
		return queue.Errorf(queue.CodeValidation, "a username cannot change")
	}
	if u.Username == p.User.Username && (body.Disabled != nil && *body.Disabled || body.Role != nil && auth.Role(*body.Role) != u.Role) {
		return queue.Errorf(queue.CodeForbidden, "you cannot disable yourself or change your own role")
	}
	body.apply(&u)
	// The changed user must still be someone the caller may manage: a
	// manager cannot promote to admin or hand out others' branches.
	if !mayManageUser(p, u) {
		return queue.Errorf(queue.CodeForbidden, "you may not give user %s role %s in branches %v", u.Username, u.Role, u.Branches)
	}
	if u, err = h.auth.PutUser(ctx, p.Name(), u, body.Password); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, view.UserOf(u))
}

func (h *Handler) deleteUser(c echo.Context) error {
	p, u, err := h.managedUser(c, "delete")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	if u.Username == p.User.Username {
		return queue.Errorf(queue.CodeForbidden, "you cannot delete yourself")
	}
	if err := h.auth.DeleteUser(ctx, p.Name(), u.Username); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// signedInUser requires a person: 401 for nobody, 403 for a device.
func signedInUser(c echo.Context) (auth.Principal, error) {
	p := httpx.PrincipalOf(c)
	switch {
	case p.Anonymous():
		return p, queue.Errorf(queue.CodeUnauthenticated, "sign in first")
	case p.User == nil:
		return p, queue.Errorf(queue.CodeForbidden, "devices and API tokens do not administer")
	}
	return p, nil
}
