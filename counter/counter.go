// Package counter is the clerk's side of the HTTP API: opening, pausing
// and closing a counter and moving its current ticket along.
package counter

import (
	"context"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/seira-queue/seira/auth"
	"github.com/seira-queue/seira/engine"
	"github.com/seira-queue/seira/httpx"
	"github.com/seira-queue/seira/queue"
	"github.com/seira-queue/seira/view"
)

// Handler serves the counter API.
type Handler struct {
	eng *engine.Engine
}

// New returns the counter API over eng.
func New(eng *engine.Engine) *Handler { return &Handler{eng: eng} }

type action func(ctx context.Context, branch, counter, actor string) (engine.CounterResult, error)

// Register adds the counter routes to the API group (/api/v1).
func (h *Handler) Register(api *echo.Group) {
	g := api.Group("/branches/:branch/counters/:counter")
	g.POST("/open", h.act(h.eng.OpenCounter, false))
	g.POST("/pause", h.act(h.eng.PauseCounter, true))
	g.POST("/close", h.act(h.eng.CloseCounter, true))
	g.POST("/next", h.next)
	g.POST("/recall", h.act(h.eng.Recall, true))
	g.POST("/start", h.act(h.eng.Start, true))
	g.POST("/done", h.act(h.eng.Done, true))
	g.POST("/no-show", h.act(h.eng.NoShow, true))
	g.POST("/transfer", h.transfer)
}

// Result is the answer to a counter action.
type Result struct {
	Counter view.Counter `json:"counter"`
	Ticket  *view.Ticket `json:"ticket"`
}

// authorise checks that the caller is a clerk of the branch and, for
// actions on a counter someone holds, that it is theirs (administrators may
// act on any counter, to help out or tidy up).
func (h *Handler) authorise(c echo.Context, held bool) (auth.Principal, error) {
	branch := c.Param("branch")
	p, err := httpx.RequireStaff(c, branch)
	if err != nil {
		return p, err
	}
	if held {
		ctr, err := h.eng.Counter(c.Request().Context(), branch, c.Param("counter"))
		if err != nil {
			return p, err
		}
		if ctr.Clerk != "" && ctr.Clerk != p.User.Username && !p.Admin() {
			return p, queue.Errorf(queue.CodeConflict, "counter %s is held by %s", ctr.ID, ctr.Clerk)
		}
	}
	return p, nil
}

func (h *Handler) act(do action, held bool) echo.HandlerFunc {
	return func(c echo.Context) error {
		p, err := h.authorise(c, held)
		if err != nil {
			return err
		}
		res, err := do(c.Request().Context(), c.Param("branch"), c.Param("counter"), p.User.Username)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, h.result(res))
	}
}

func (h *Handler) result(res engine.CounterResult) Result {
	out := Result{Counter: view.CounterOf(res.Counter, res.Current, res.Loc, true)}
	if res.Ticket.ID != 0 {
		t := view.TicketOf(res.Info(), res.Loc, "")
		out.Ticket = &t
	}
	return out
}

func (h *Handler) next(c echo.Context) error {
	p, err := h.authorise(c, true)
	if err != nil {
		return err
	}
	res, err := h.eng.CallNext(c.Request().Context(), c.Param("branch"), c.Param("counter"), p.User.Username)
	if err != nil {
		return err
	}
	if res.Ticket.ID == 0 {
		return c.NoContent(http.StatusNoContent)
	}
	return c.JSON(http.StatusOK, view.TicketOf(res.Info(), res.Loc, ""))
}

type transferRequest struct {
	Service string `json:"service"`
}

func (h *Handler) transfer(c echo.Context) error {
	p, err := h.authorise(c, true)
	if err != nil {
		return err
	}
	var req transferRequest
	if err := httpx.Bind(c, &req); err != nil {
		return err
	}
	if req.Service == "" {
		return queue.Errorf(queue.CodeValidation, "service is required")
	}
	res, err := h.eng.Transfer(c.Request().Context(), c.Param("branch"), c.Param("counter"), req.Service, p.User.Username)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, h.result(res))
}
