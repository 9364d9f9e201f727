package display

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/seira-queue/seira/auth"
	"github.com/seira-queue/seira/engine"
	"github.com/seira-queue/seira/httpx"
	"github.com/seira-queue/seira/queue"
	"github.com/seira-queue/seira/view"
)

// Handler serves the state and live endpoints.
type Handler struct {
	eng *engine.Engine
	hub *Hub
}

// NewHandler returns the live API over eng and hub.
func NewHandler(eng *engine.Engine, hub *Hub) *Handler { return &Handler{eng: eng, hub: hub} }

// Register adds the routes to the API group (/api/v1).
func (h *Handler) Register(api *echo.Group) {
	api.GET("/branches/:branch/state", h.state)
	api.GET("/branches/:branch/live", h.live)
	api.GET("/tickets/:token/live", h.ticketLive)
}

// state is public, like the wall display itself; staff also see who
// holds each counter.
func (h *Handler) state(c echo.Context) error {
	branch := c.Param("branch")
	if err := httpx.ScopeIfToken(c, auth.ScopeEventsRead, branch); err != nil {
		return err
	}
	snap, err := h.eng.Snapshot(c.Request().Context(), branch)
	if err != nil {
		return err
	}
	staff := httpx.PrincipalOf(c).Staff(branch)
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, view.StateOf(snap, snap.Loc, h.eng.Now(), staff))
}

func (h *Handler) live(c echo.Context) error {
	var since uint64
	resume := false
	if s := c.QueryParam("since"); s != "" {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			return queue.Errorf(queue.CodeBadRequest, "since must be a sequence number")
		}
		since, resume = n, true
	}
	if err := httpx.ScopeIfToken(c, auth.ScopeEventsRead, c.Param("branch")); err != nil {
		return err
	}
	if !isUpgrade(c.Request()) {
		return queue.Errorf(queue.CodeBadRequest, "this is a WebSocket endpoint")
	}
	return h.hub.ServeBranch(c.Response(), c.Request(), c.Param("branch"), since, resume)
}

func (h *Handler) ticketLive(c echo.Context) error {
	branch, id, err := h.eng.TicketRef(c.Request().Context(), c.Param("token"))
	if err != nil {
		return err
	}
	if !isUpgrade(c.Request()) {
		return queue.Errorf(queue.CodeBadRequest, "this is a WebSocket endpoint")
	}
	return h.hub.ServeTicket(c.Response(), c.Request(), branch, id)
}

func isUpgrade(r *http.Request) bool {
	return r.Header.Get("Upgrade") != "" || r.Header.Get("Sec-WebSocket-Key") != ""
}

// Announcer renders the spoken announcement of a call.
type Announcer interface {
	WAV(number, counter string, langs []string) ([]byte, error)
}

// RegisterAnnouncements adds GET /branches/:branch/announce.wav?number=&counter=
// (public, like the display): one WAV with the chime and the call in Greek,
// then English.
func (h *Handler) RegisterAnnouncements(api *echo.Group, a Announcer) {
	api.GET("/branches/:branch/announce.wav", func(c echo.Context) error {
		branch, number, counter := c.Param("branch"), c.QueryParam("number"), c.QueryParam("counter")
		if _, err := h.eng.Counter(c.Request().Context(), branch, counter); err != nil {
			return err
		}
		var langs []string
		if l := c.QueryParam("langs"); l != "" {
			langs = strings.Split(l, ",")
		}
		wav, err := a.WAV(number, counter, langs)
		if err != nil {
			return queue.Errorf(queue.CodeValidation, "%v", err)
		}
		c.Response().Header().Set("Cache-Control", "public, max-age=86400")
		return c.Blob(http.StatusOK, "audio/wav", wav)
	})
}
