// Package admin is the administration API: branches, services, counters,
// users, devices and integrations' API tokens, the live overview, statistics and the audit log.
// Administrators manage everything; managers their own branches; every
// change is validated and recorded in the branch's event log with who
// made it.
package admin

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/seira-queue/seira/auth"
	"github.com/seira-queue/seira/engine"
	"github.com/seira-queue/seira/httpx"
	"github.com/seira-queue/seira/internal/publicurl"
	"github.com/seira-queue/seira/queue"
	"github.com/seira-queue/seira/storage"
	"github.com/seira-queue/seira/view"
)

// Handler serves the administration API.
type Handler struct {
	eng   *engine.Engine
	auth  *auth.Service
	store *storage.Store
	// public decides the base URL of pairing links.
	public publicurl.Base
}

// New returns the administration API.
func New(eng *engine.Engine, a *auth.Service, store *storage.Store, public publicurl.Base) *Handler {
	return &Handler{eng: eng, auth: a, store: store, public: public}
}

// Register adds the routes to the API group (/api/v1).
func (h *Handler) Register(api *echo.Group) {
	api.GET("/rules", h.rules)
	api.GET("/branches", h.listBranches)
	api.POST("/branches", h.createBranch)
	api.GET("/branches/:branch/settings", h.settings)
	api.PUT("/branches/:branch", h.updateBranch)
	api.PATCH("/branches/:branch", h.patchBranch)
	api.DELETE("/branches/:branch", h.deleteBranch)

	api.POST("/branches/:branch/services", h.putService(true))
	api.PUT("/branches/:branch/services/:service", h.putService(false))
	api.PATCH("/branches/:branch/services/:service", h.patchService)
	api.DELETE("/branches/:branch/services/:service", h.deleteService)

	api.GET("/branches/:branch/counters", h.listCounters)
	api.POST("/branches/:branch/counters", h.putCounter(true))
	api.PUT("/branches/:branch/counters/:counter", h.putCounter(false))
	api.DELETE("/branches/:branch/counters/:counter", h.deleteCounter)

	api.GET("/users", h.listAllUsers)
	api.GET("/branches/:branch/users", h.listUsers)
	api.POST("/branches/:branch/users", h.createUser)
	api.PUT("/users/:username", h.updateUser)
	api.DELETE("/users/:username", h.deleteUser)

	api.GET("/branches/:branch/devices", h.listDevices)
	api.POST("/branches/:branch/devices", h.createDevice)
	api.PUT("/branches/:branch/devices/:device", h.updateDevice)
	api.DELETE("/branches/:branch/devices/:device", h.revokeDevice)
	api.POST("/branches/:branch/devices/:device/pairing", h.pairing)

	api.GET("/tokens", h.listTokens)
	api.POST("/tokens", h.createToken)
	api.DELETE("/tokens/:id", h.revokeToken)

	api.GET("/branches/:branch/overview", h.overview)
	api.GET("/branches/:branch/stats", h.stats)
	api.GET("/branches/:branch/events", h.events)
	api.GET("/backup", h.backup)
}

// manager checks that the caller administers the path's branch.
func manager(c echo.Context) (auth.Principal, string, error) {
	branch := c.Param("branch")
	p, err := httpx.RequireAdmin(c, branch)
	return p, branch, err
}

func (h *Handler) listBranches(c echo.Context) error {
	p, err := signedInUser(c)
	if err != nil {
		return err
	}
	all, err := h.eng.Branches(c.Request().Context())
	if err != nil {
		return err
	}
	out := []queue.Branch{}
	for _, b := range all {
		if p.User.InBranch(b.ID) {
			out = append(out, b)
		}
	}
	return c.JSON(http.StatusOK, map[string]any{"branches": out})
}

type newBranch struct {
	queue.Branch
	Services []queue.Service `json:"services"`
	Counters []counterBody   `json:"counters"`
}

func (h *Handler) createBranch(c echo.Context) error {
	p, err := httpx.RequireAdmin(c, "")
	if err != nil {
		return err
	}
	var req newBranch
	if err := httpx.Bind(c, &req); err != nil {
		return err
	}
	counters := make([]queue.Counter, 0, len(req.Counters))
	for _, cb := range req.Counters {
		counters = append(counters, cb.counter(cb.ID))
	}
	if err := h.eng.CreateBranch(c.Request().Context(), p.Name(), req.Branch, req.Services, counters); err != nil {
		return err
	}
	return h.settingsOf(c, req.ID, http.StatusCreated)
}

// Settings is a branch with its services and counters, as administration
// sees them.
type Settings struct {
	Branch   queue.Branch    `json:"branch"`
	Services []queue.Service `json:"services"`
	Counters []Counter       `json:"counters"`
}

func (h *Handler) settings(c echo.Context) error {
	_, branch, err := manager(c)
	if err != nil {
		return err
	}
	return h.settingsOf(c, branch, http.StatusOK)
}

func (h *Handler) settingsOf(c echo.Context, branch string, status int) error {
	snap, err := h.eng.Snapshot(c.Request().Context(), branch)
	if err != nil {
		return err
	}
	s := Settings{Branch: snap.Branch, Services: []queue.Service{}, Counters: []Counter{}}
	for _, svc := range snap.Services {
		s.Services = append(s.Services, svc.Service)
	}
	for _, cs := range snap.Counters {
		s.Counters = append(s.Counters, counterOf(cs.Counter, cs.Ticket, snap.Loc))
	}
	return c.JSON(status, s)
}

func (h *Handler) updateBranch(c echo.Context) error {
	p, branch, err := manager(c)
	if err != nil {
		return err
	}
	var br queue.Branch
	if err := httpx.Bind(c, &br); err != nil {
		return err
	}
	if br.ID != "" && br.ID != branch {
		return queue.Errorf(queue.CodeValidation, "a branch's id cannot change")
	}
	br.ID = branch
	if _, err := h.eng.UpdateBranch(c.Request().Context(), p.Name(), br); err != nil {
		return err
	}
	return h.settingsOf(c, branch, http.StatusOK)
}

// patchBranch changes the settings a JSON merge patch names (RFC 7396).
func (h *Handler) patchBranch(c echo.Context) error {
	p, branch, err := manager(c)
	if err != nil {
		return err
	}
	patch, err := httpx.BindRaw(c)
	if err != nil {
		return err
	}
	if _, err := h.eng.PatchBranch(c.Request().Context(), p.Name(), branch, patch); err != nil {
		return err
	}
	return h.settingsOf(c, branch, http.StatusOK)
}

func (h *Handler) patchService(c echo.Context) error {
	p, branch, err := manager(c)
	if err != nil {
		return err
	}
	patch, err := httpx.BindRaw(c)
	if err != nil {
		return err
	}
	s, err := h.eng.PatchService(c.Request().Context(), p.Name(), branch, c.Param("service"), patch)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, s)
}

func (h *Handler) deleteBranch(c echo.Context) error {
	p, err := httpx.RequireAdmin(c, "")
	if err != nil {
		return err
	}
	branch := c.Param("branch")
	if c.QueryParam("confirm") != branch {
		return queue.Errorf(queue.CodeValidation, "deleting a branch deletes its history: add ?confirm=%s", branch)
	}
	if err := h.eng.DeleteBranch(c.Request().Context(), p.Name(), branch); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (h *Handler) putService(create bool) echo.HandlerFunc {
	return func(c echo.Context) error {
		p, branch, err := manager(c)
		if err != nil {
			return err
		}
		var s queue.Service
		if err := httpx.Bind(c, &s); err != nil {
			return err
		}
		if !create {
			if s.ID != "" && s.ID != c.Param("service") {
				return queue.Errorf(queue.CodeValidation, "a service's id cannot change")
			}
			s.ID = c.Param("service")
		}
		put, status := h.eng.ReplaceService, http.StatusOK
		if create {
			put, status = h.eng.CreateService, http.StatusCreated
		}
		if err := put(c.Request().Context(), p.Name(), branch, s); err != nil {
			return err
		}
		return c.JSON(status, s)
	}
}

func (h *Handler) deleteService(c echo.Context) error {
	p, branch, err := manager(c)
	if err != nil {
		return err
	}
	if err := h.eng.DeleteService(c.Request().Context(), p.Name(), branch, c.Param("service")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (h *Handler) listCounters(c echo.Context) error {
	_, branch, err := manager(c)
	if err != nil {
		return err
	}
	snap, err := h.eng.Snapshot(c.Request().Context(), branch)
	if err != nil {
		return err
	}
	out := []Counter{}
	for _, cs := range snap.Counters {
		out = append(out, counterOf(cs.Counter, cs.Ticket, snap.Loc))
	}
	return c.JSON(http.StatusOK, map[string]any{"counters": out})
}

// counterBody is a counter's settings: what administration may change.
// A PUT replaces them all: a schedule left out is cleared. One plan comes
// as schedule, several (for different days) as schedules.
type counterBody struct {
	ID        string           `json:"id"`
	Name      queue.Text       `json:"name"`
	Serves    []string         `json:"serves"`
	Schedule  queue.Schedule   `json:"schedule,omitzero"`
	Schedules []queue.Schedule `json:"schedules,omitempty"`
}

func (b counterBody) counter(id string) queue.Counter {
	return queue.Counter{ID: id, Name: b.Name, Serves: b.Serves, Schedule: b.Schedule, Schedules: b.Schedules}
}

// Counter is a counter as administration sees it: its view with its
// plans, all in schedules and, when there is one, in schedule too (as
// before counters had several).
type Counter struct {
	view.Counter
	Schedule  queue.Schedule   `json:"schedule"`
	Schedules []queue.Schedule `json:"schedules"`
}

func counterOf(c queue.Counter, current queue.Ticket, loc *time.Location) Counter {
	plans := c.Plans()
	var one queue.Schedule
	if len(plans) == 1 {
		one = plans[0]
	}
	if plans == nil {
		plans = []queue.Schedule{} // a list, not null
	}
	return Counter{Counter: view.CounterOf(c, current, loc, true), Schedule: one, Schedules: plans}
}

func (h *Handler) putCounter(create bool) echo.HandlerFunc {
	return func(c echo.Context) error {
		p, branch, err := manager(c)
		if err != nil {
			return err
		}
		var body counterBody
		if err := httpx.Bind(c, &body); err != nil {
			return err
		}
		id := body.ID
		if !create {
			if id != "" && id != c.Param("counter") {
				return queue.Errorf(queue.CodeValidation, "a counter's id cannot change")
			}
			id = c.Param("counter")
		}
		put, status := h.eng.ReplaceCounter, http.StatusOK
		if create {
			put, status = h.eng.CreateCounter, http.StatusCreated
		}
		ctr, err := put(c.Request().Context(), p.Name(), branch, body.counter(id))
		if err != nil {
			return err
		}
		return c.JSON(status, counterOf(ctr, queue.Ticket{}, nil))
	}
}

func (h *Handler) deleteCounter(c echo.Context) error {
	p, branch, err := manager(c)
	if err != nil {
		return err
	}
	if err := h.eng.DeleteCounter(c.Request().Context(), p.Name(), branch, c.Param("counter")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (h *Handler) events(c echo.Context) error {
	branch := c.Param("branch")
	_, err := httpx.RequireAdminOrScope(c, branch, auth.ScopeEventsRead)
	if err != nil {
		return err
	}
	var since uint64
	if s := c.QueryParam("since"); s != "" {
		if since, err = strconv.ParseUint(s, 10, 64); err != nil {
			return queue.Errorf(queue.CodeBadRequest, "since must be a sequence number")
		}
	}
	limit := 200
	if s := c.QueryParam("limit"); s != "" {
		if limit, err = strconv.Atoi(s); err != nil || limit < 1 || limit > 5000 {
			return queue.Errorf(queue.CodeBadRequest, "limit must be 1 to 5000")
		}
	}
	evs, more, err := h.eng.EventsSince(c.Request().Context(), branch, since, limit)
	if err != nil {
		return err
	}
	if evs == nil {
		evs = []queue.Event{}
	}
	return c.JSON(http.StatusOK, map[string]any{"events": evs, "more": more})
}

// backup streams a consistent copy of the store while the server goes on
// serving (a bbolt read transaction sees one moment; writers carry on).
func (h *Handler) backup(c echo.Context) error {
	p, err := httpx.RequireAdmin(c, "")
	if err != nil {
		return err
	}
	if h.store.Replicated() {
		return queue.Errorf(queue.CodeConflict, "the store is an etcd cluster, which this server cannot copy alone: back it up with etcdctl snapshot save")
	}
	name := "seira-" + h.eng.Now().UTC().Format("20060102-150405") + ".db"
	hdr := c.Response().Header()
	hdr.Set("Content-Type", "application/octet-stream")
	hdr.Set("Content-Disposition", `attachment; filename="`+name+`"`)
	hdr.Set("Cache-Control", "no-store")
	c.Response().WriteHeader(http.StatusOK)
	n, err := h.store.WriteTo(c.Response())
	if err != nil {
		// The status is sent; cut the stream so the copy is seen to be
		// incomplete rather than end cleanly.
		return fmt.Errorf("backup after %d bytes for %s: %w", n, p.Name(), err)
	}
	return nil
}
