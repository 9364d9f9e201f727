package admin

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/seira-queue/seira/auth"
	"github.com/seira-queue/seira/httpx"
	"github.com/seira-queue/seira/queue"
	"github.com/seira-queue/seira/view"
)

// API tokens of integrations. Administrators manage every token; a
// manager those of the branches they manage (never one for all
// branches). Tokens themselves never reach these endpoints: RequireAdmin
// refuses them.

type tokenBody struct {
	Name   string       `json:"name"`
	Branch string       `json:"branch"`
	Scopes []auth.Scope `json:"scopes"`
}

// NewToken is the answer to creating a token: its secret, shown only now,
// and its record.
type NewToken struct {
	Token  string     `json:"token"`
	Record view.Token `json:"record"`
}

func (h *Handler) createToken(c echo.Context) error {
	p, err := tokenAdmin(c)
	if err != nil {
		return err
	}
	var body tokenBody
	if err := httpx.Bind(c, &body); err != nil {
		return err
	}
	t := auth.APIToken{Name: body.Name, Branch: body.Branch, Scopes: body.Scopes}
	if !mayManageToken(p, t) {
		return queue.Errorf(queue.CodeForbidden, "only an administrator makes a token for a branch they do not manage, or for every branch")
	}
	t, secret, err := h.auth.CreateToken(c.Request().Context(), p.Name(), t)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusCreated, NewToken{Token: secret, Record: view.TokenOf(t)})
}

// mayManageToken reports whether p administers t's branch (every branch
// for a token of all).
func mayManageToken(p auth.Principal, t auth.APIToken) bool {
	if t.Branch == "" {
		return p.Admin()
	}
	return p.Manages(t.Branch)
}

// tokenAdmin returns the caller if they administer some branch: 401 for
// nobody, 403 for clerks, devices and tokens.
func tokenAdmin(c echo.Context) (auth.Principal, error) {
	p, err := signedInUser(c)
	if err != nil {
		return p, err
	}
	if p.User.Role != auth.RoleAdmin && p.User.Role != auth.RoleManager {
		return p, queue.Errorf(queue.CodeForbidden, "this needs an administrator")
	}
	return p, nil
}

func (h *Handler) listTokens(c echo.Context) error {
	p, err := tokenAdmin(c)
	if err != nil {
		return err
	}
	branch := c.QueryParam("branch")
	list, err := h.auth.Tokens(c.Request().Context(), func(t auth.APIToken) bool {
		return mayManageToken(p, t) && (branch == "" || t.Branch == branch)
	})
	if err != nil {
		return err
	}
	out := make([]view.Token, 0, len(list))
	for _, t := range list {
		out = append(out, view.TokenOf(t))
	}
	return c.JSON(http.StatusOK, map[string]any{"tokens": out})
}

func (h *Handler) revokeToken(c echo.Context) error {
	p, err := tokenAdmin(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	t, err := h.auth.Token(ctx, c.Param("id"))
	if err != nil {
		return err
	}
	if !mayManageToken(p, t) {
		return queue.Errorf(queue.CodeForbidden, "this token is not of a branch you administer")
	}
	if _, err := h.auth.RevokeToken(ctx, p.Name(), t.ID); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
