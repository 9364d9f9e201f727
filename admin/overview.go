package admin

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/seira-queue/seira/auth"
	"github.com/seira-queue/seira/httpx"
	"github.com/seira-queue/seira/queue"
	"github.com/seira-queue/seira/stats"
	"github.com/seira-queue/seira/view"
)

// ServiceNow is a service in the live overview.
type ServiceNow struct {
	view.Service
	// LongestWaitS is how long the ticket waiting longest has waited.
	LongestWaitS int `json:"longest_wait_s"`
}

// Overview is a branch today, live.
type Overview struct {
	At       time.Time      `json:"at"`
	Day      string         `json:"day"`
	Services []ServiceNow   `json:"services"`
	Counters []view.Counter `json:"counters"`
	Today    stats.Row      `json:"today"`
}

func (h *Handler) overview(c echo.Context) error {
	_, branch, err := manager(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	snap, err := h.eng.Snapshot(ctx, branch)
	if err != nil {
		return err
	}
	now := h.eng.Now()
	day := queue.ServiceDay(now, snap.Loc)
	rep, err := stats.Compute(ctx, h.store, branch, day, day, stats.ByService, now)
	if err != nil {
		return err
	}
	o := Overview{At: now.In(snap.Loc), Day: day, Services: []ServiceNow{}, Counters: []view.Counter{}, Today: rep.Total}
	for _, s := range snap.Services {
		sn := ServiceNow{Service: view.ServiceOf(s)}
		if !s.Oldest.IsZero() {
			sn.LongestWaitS = int(now.Sub(s.Oldest) / time.Second)
		}
		o.Services = append(o.Services, sn)
	}
	for _, cs := range snap.Counters {
		o.Counters = append(o.Counters, view.CounterOf(cs.Counter, cs.Ticket, snap.Loc, true))
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, o)
}

func (h *Handler) stats(c echo.Context) error {
	branch := c.Param("branch")
	_, err := httpx.RequireAdminOrScope(c, branch, auth.ScopeStatsRead)
	if err != nil {
		return err
	}
	by, err := stats.ParseBy(c.QueryParam("by"))
	if err != nil {
		return err
	}
	from, to := c.QueryParam("from"), c.QueryParam("to")
	if from == "" || to == "" {
		return queue.Errorf(queue.CodeValidation, "from and to are required (YYYY-MM-DD)")
	}
	rep, err := stats.Compute(c.Request().Context(), h.store, branch, from, to, by, h.eng.Now())
	if err != nil {
		return err
	}
	switch c.QueryParam("format") {
	case "", "json":
		return c.JSON(http.StatusOK, rep)
	case "csv":
		raw, err := rep.CSV()
		if err != nil {
			return err
		}
		c.Response().Header().Set("Content-Disposition", `attachment; filename="seira-`+branch+"-"+from+"-"+to+"-"+string(by)+`.csv"`)
		return c.Blob(http.StatusOK, "text/csv; charset=utf-8", raw)
	}
	return queue.Errorf(queue.CodeValidation, "format must be json or csv")
}
