package webhook

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/seira-queue/seira/auth"
	"github.com/seira-queue/seira/engine"
	"github.com/seira-queue/seira/httpx"
	"github.com/seira-queue/seira/queue"
	"github.com/seira-queue/seira/storage"
)

// Audit events of subscriptions, in the branch's log with who made them.
const (
	EvCreated  queue.EventType = "webhook.created"
	EvDeleted  queue.EventType = "webhook.deleted"
	EvReplayed queue.EventType = "webhook.replayed"
)

// maxPerBranch bounds a branch's subscriptions, and so the worker's
// senders.
const maxPerBranch = 20

// Handler serves the webhooks API.
type Handler struct {
	eng   *engine.Engine
	store *storage.Store
	guard Guard
}

// NewHandler returns the webhooks API.
func NewHandler(eng *engine.Engine, store *storage.Store, guard Guard) *Handler {
	return &Handler{eng: eng, store: store, guard: guard}
}

// Register adds the routes to the API group (/api/v1).
func (h *Handler) Register(api *echo.Group) {
	api.POST("/branches/:branch/webhooks", h.create)
	api.GET("/branches/:branch/webhooks", h.list)
	api.DELETE("/branches/:branch/webhooks/:id", h.delete)
	api.GET("/branches/:branch/webhooks/:id/deliveries", h.deliveries)
	api.POST("/branches/:branch/webhooks/:id/deliveries/:delivery/replay", h.replay)
}

// Subscription is a subscription as the API shows it: never its secret,
// but once, in the answer that creates it.
type Subscription struct {
	ID        string    `json:"id"`
	URL       string    `json:"url"`
	Events    []string  `json:"events"`
	CreatedAt time.Time `json:"created_at"`
	CreatedBy string    `json:"created_by,omitempty"`
	// Pending is how many deliveries are still to send.
	Pending int    `json:"pending"`
	Secret  string `json:"secret,omitempty"`
}

// DeliveryView is a delivery as the API shows it.
type DeliveryView struct {
	ID         string    `json:"id"`
	Seq        uint64    `json:"seq"`
	Event      string    `json:"event"`
	State      string    `json:"state"`
	Attempts   int       `json:"attempts"`
	Since      time.Time `json:"since"`
	NextAt     time.Time `json:"next_at,omitzero"`
	LastAt     time.Time `json:"last_at,omitzero"`
	LastStatus int       `json:"last_status,omitempty"`
	LastError  string    `json:"last_error,omitempty"`
	DoneAt     time.Time `json:"done_at,omitzero"`
}

func viewOf(sub string, d storage.Delivery) DeliveryView {
	return DeliveryView{ID: DeliveryID(sub, d.Seq), Seq: d.Seq, Event: d.Type, State: d.State, Attempts: d.Attempts,
		Since: d.Since, NextAt: d.NextAt, LastAt: d.LastAt, LastStatus: d.LastStatus, LastError: d.LastError, DoneAt: d.DoneAt}
}

type createBody struct {
	URL    string   `json:"url"`
	Events []string `json:"events"`
	Secret string   `json:"secret"`
}

func (h *Handler) create(c echo.Context) error {
	branch := c.Param("branch")
	p, err := httpx.RequireAdminOrScope(c, branch, auth.ScopeWebhooksWrite)
	if err != nil {
		return err
	}
	var req createBody
	if err := httpx.Bind(c, &req); err != nil {
		return err
	}
	if len(req.Events) == 0 {
		return queue.Errorf(queue.CodeValidation, "events: name at least one event type")
	}
	events := slices.Clone(req.Events)
	slices.Sort(events)
	events = slices.Compact(events)
	for _, ev := range events {
		if !subscribable(ev) {
			return queue.Errorf(queue.CodeValidation, "events: %q is not an event a webhook can take", ev)
		}
	}
	secret := req.Secret
	switch {
	case secret == "":
		secret = "whsec_" + rand.Text()
	case len(secret) < 16 || len(secret) > 200:
		return queue.Errorf(queue.CodeValidation, "secret: want 16 to 200 characters")
	}
	ctx := c.Request().Context()
	url, err := h.guard.CheckURL(ctx, strings.TrimSpace(req.URL))
	if err != nil {
		return err
	}
	id := make([]byte, 8)
	_, _ = rand.Read(id) // crypto/rand never fails
	w := storage.Webhook{ID: "wh_" + hex.EncodeToString(id), URL: url, Events: events, Secret: secret,
		CreatedAt: h.eng.Now().UTC(), CreatedBy: p.Name()}
	err = h.store.Update(ctx, func(tx *storage.Tx) error {
		b, err := tx.Branch(branch)
		if err != nil {
			return err
		}
		list, err := b.Webhooks()
		if err != nil {
			return err
		}
		if len(list) >= maxPerBranch {
			return queue.Errorf(queue.CodeConflict, "the branch has %d webhooks, the most it may have", len(list))
		}
		if err := b.PutWebhook(w); err != nil {
			return err
		}
		return h.eng.Record(tx, branch, p.Name(), queue.Event{Type: EvCreated, Subject: w.ID,
			Detail: jsonDetail(map[string]any{"id": w.ID, "url": w.URL, "events": w.Events})})
	})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, Subscription{ID: w.ID, URL: w.URL, Events: w.Events, CreatedAt: w.CreatedAt,
		CreatedBy: w.CreatedBy, Secret: w.Secret})
}

func (h *Handler) list(c echo.Context) error {
	branch := c.Param("branch")
	if _, err := httpx.RequireAdminOrScope(c, branch, auth.ScopeWebhooksWrite); err != nil {
		return err
	}
	out := []Subscription{}
	err := h.store.View(c.Request().Context(), func(tx *storage.Tx) error {
		b, err := tx.Branch(branch)
		if err != nil {
			return err
		}
		list, err := b.Webhooks()
		for _, w := range list {
			out = append(out, Subscription{ID: w.ID, URL: w.URL, Events: w.Events, CreatedAt: w.CreatedAt,
				CreatedBy: w.CreatedBy, Pending: b.PendingCount(w.ID)})
		}
		return err
	})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"webhooks": out, "events": Events()})
}

func (h *Handler) delete(c echo.Context) error {
	branch, id := c.Param("branch"), c.Param("id")
	p, err := httpx.RequireAdminOrScope(c, branch, auth.ScopeWebhooksWrite)
	if err != nil {
		return err
	}
	err = h.store.Update(c.Request().Context(), func(tx *storage.Tx) error {
		b, err := tx.Branch(branch)
		if err != nil {
			return err
		}
		w, err := b.Webhook(id)
		if err != nil {
			return err
		}
		if err := b.DeleteWebhook(id); err != nil {
			return err
		}
		return h.eng.Record(tx, branch, p.Name(), queue.Event{Type: EvDeleted, Subject: id,
			Detail: jsonDetail(map[string]any{"id": id, "url": w.URL})})
	})
	if err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (h *Handler) deliveries(c echo.Context) error {
	branch, id := c.Param("branch"), c.Param("id")
	if _, err := httpx.RequireAdminOrScope(c, branch, auth.ScopeWebhooksWrite); err != nil {
		return err
	}
	limit := 50
	if s := c.QueryParam("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 200 {
			return queue.Errorf(queue.CodeBadRequest, "limit must be 1 to 200")
		}
		limit = n
	}
	out := []DeliveryView{}
	err := h.store.View(c.Request().Context(), func(tx *storage.Tx) error {
		b, err := tx.Branch(branch)
		if err != nil {
			return err
		}
		if _, err := b.Webhook(id); err != nil {
			return err
		}
		list, err := b.Deliveries(id, limit)
		for _, d := range list {
			out = append(out, viewOf(id, d))
		}
		return err
	})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"deliveries": out})
}

// replay sends a failed delivery again, with the same Seira-Delivery.
func (h *Handler) replay(c echo.Context) error {
	branch, id := c.Param("branch"), c.Param("id")
	p, err := httpx.RequireAdminOrScope(c, branch, auth.ScopeWebhooksWrite)
	if err != nil {
		return err
	}
	seq, ok := parseDelivery(id, c.Param("delivery"))
	if !ok {
		return queue.Errorf(queue.CodeNotFound, "no delivery %q of webhook %s", c.Param("delivery"), id)
	}
	var d storage.Delivery
	err = h.store.Update(c.Request().Context(), func(tx *storage.Tx) error {
		b, err := tx.Branch(branch)
		if err != nil {
			return err
		}
		if _, err := b.Webhook(id); err != nil {
			return err
		}
		if d, err = b.ReplayDelivery(id, seq, h.eng.Now()); err != nil {
			return err
		}
		return h.eng.Record(tx, branch, p.Name(), queue.Event{Type: EvReplayed, Subject: DeliveryID(id, seq),
			Detail: jsonDetail(map[string]any{"webhook": id, "delivery": DeliveryID(id, seq), "seq": seq})})
	})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusAccepted, viewOf(id, d))
}

// parseDelivery reads a delivery id of subscription sub ("<sub>-<seq>"),
// or a bare event sequence number.
func parseDelivery(sub, s string) (uint64, bool) {
	s = strings.TrimPrefix(s, sub+"-")
	seq, err := strconv.ParseUint(s, 10, 64)
	return seq, err == nil && seq > 0
}
