// Package notices is the HTTP face of announcements to the waiting: a
// branch's manager tells every waiting citizen at once ("the tax system is
// down, expect 20 minutes more"); their ticket pages and the wall displays
// show it until it expires or is withdrawn (see engine.PostAnnouncement).
package notices

import (
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/seira-queue/seira/engine"
	"github.com/seira-queue/seira/httpx"
	"github.com/seira-queue/seira/queue"
	"github.com/seira-queue/seira/view"
)

// Handler serves the announcements API.
type Handler struct {
	eng *engine.Engine
}

// New returns the announcements API over eng.
func New(eng *engine.Engine) *Handler { return &Handler{eng: eng} }

// Register adds the routes to the API group (/api/v1).
func (h *Handler) Register(api *echo.Group) {
	api.POST("/branches/:branch/announcements", h.post)
	api.GET("/branches/:branch/announcements", h.list)
	api.DELETE("/branches/:branch/announcements/:id", h.withdraw)
}

// postBody is a posting: the text in el and/or en, the audience
// ("waiting", the default) and the expiry, as a time or in minutes.
type postBody struct {
	Text      queue.Text `json:"text"`
	To        string     `json:"to"`
	ExpiresAt *string    `json:"expires_at"`
	Minutes   *int       `json:"minutes"`
}

func (h *Handler) post(c echo.Context) error {
	branch := c.Param("branch")
	p, err := httpx.RequireAdmin(c, branch)
	if err != nil {
		return err
	}
	var body postBody
	if err := httpx.Bind(c, &body); err != nil {
		return err
	}
	req := engine.AnnouncementRequest{Text: body.Text, To: body.To, Minutes: body.Minutes}
	if body.ExpiresAt != nil {
		at, err := time.Parse(time.RFC3339, *body.ExpiresAt)
		if err != nil {
			return queue.Errorf(queue.CodeInvalidAnnouncement, "expires_at %q: want a time like 2026-12-07T13:00:00+02:00", *body.ExpiresAt)
		}
		req.ExpiresAt = &at
	}
	a, err := h.eng.PostAnnouncement(c.Request().Context(), branch, p.Name(), req)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, view.AnnouncementOf(a, nil, true))
}

// list shows the active announcements to the branch's staff, with who
// posted each.
func (h *Handler) list(c echo.Context) error {
	branch := c.Param("branch")
	if _, err := httpx.RequireStaff(c, branch); err != nil {
		return err
	}
	list, loc, err := h.eng.Announcements(c.Request().Context(), branch)
	if err != nil {
		return err
	}
	out := make([]view.Announcement, 0, len(list))
	for _, a := range list {
		out = append(out, view.AnnouncementOf(a, loc, true))
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, map[string]any{"announcements": out, "at": h.eng.Now().In(loc)})
}

func (h *Handler) withdraw(c echo.Context) error {
	branch := c.Param("branch")
	p, err := httpx.RequireAdmin(c, branch)
	if err != nil {
		return err
	}
	id, err := strconv.ParseUint(c.Param("id"), 10, 64)
	if err != nil {
		return queue.Errorf(queue.CodeNotFound, "no announcement %q", c.Param("id"))
	}
	if err := h.eng.WithdrawAnnouncement(c.Request().Context(), branch, p.Name(), id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
