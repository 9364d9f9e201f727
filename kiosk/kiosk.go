// Package kiosk is the citizen's side of the HTTP API: the services on
// offer, taking a ticket, and the ticket's own endpoints (its page, QR code
// and cancellation), reached only by the ticket's token.
package kiosk

import (
	"net/http"

	"log/slog"

	"github.com/labstack/echo/v4"
	qrcode "github.com/skip2/go-qrcode"
	"golang.org/x/time/rate"

	"github.com/seira-queue/seira/auth"
	"github.com/seira-queue/seira/engine"
	"github.com/seira-queue/seira/httpx"
	"github.com/seira-queue/seira/i18n"
	"github.com/seira-queue/seira/internal/publicurl"
	"github.com/seira-queue/seira/printer"
	"github.com/seira-queue/seira/queue"
	"github.com/seira-queue/seira/view"
)

// Options configure the kiosk API.
type Options struct {
	// Public decides the base of the links in QR codes.
	Public publicurl.Base
	// Rate and Burst limit ticket issue per kiosk device (defaults: one
	// ticket a second on average, bursts of 10). Staff are not limited.
	Rate  rate.Limit
	Burst int
	// Catalogues give the printed ticket its words.
	Catalogues *i18n.Catalogues
	// Printer sends jobs to kiosks' network printers.
	Printer printer.Client
	Logger  *slog.Logger
	// Shared, if set, keeps the per-kiosk limits in the store, shared by
	// the instances of a replicated one.
	Shared httpx.SharedTokens
}

// Handler serves the kiosk API.
type Handler struct {
	eng    *engine.Engine
	opts   Options
	issues *httpx.Limiters // per kiosk device
}

// New returns the kiosk API over eng.
func New(eng *engine.Engine, opts Options) *Handler {
	if opts.Rate == 0 {
		opts.Rate = 1
	}
	if opts.Burst == 0 {
		opts.Burst = 10
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	h := &Handler{eng: eng, opts: opts, issues: httpx.NewLimiters(opts.Rate, opts.Burst)}
	if opts.Shared != nil {
		h.issues.Share("kiosk", opts.Shared)
	}
	return h
}

// Register adds the kiosk's routes to the API group (/api/v1).
func (h *Handler) Register(api *echo.Group) {
	api.GET("/branches/:branch/services", h.services)
	api.POST("/branches/:branch/tickets", h.issue)
	api.POST("/branches/:branch/checkin", h.checkin)
	api.GET("/tickets/:token", h.ticket)
	api.DELETE("/tickets/:token", h.cancel)
	api.GET("/tickets/:token/qr.png", h.qr)
	api.POST("/tickets/:token/print", h.reprint)
}

// Issued is the answer to taking a ticket: the ticket, with how printing
// went when the kiosk has a network printer.
type Issued struct {
	view.Ticket
	Print *PrintResult `json:"print,omitempty"`
}

func (h *Handler) services(c echo.Context) error {
	snap, err := h.eng.Snapshot(c.Request().Context(), c.Param("branch"))
	if err != nil {
		return err
	}
	list := make([]view.Service, 0, len(snap.Services))
	for _, s := range snap.Services {
		list = append(list, view.ServiceOf(s))
	}
	return c.JSON(http.StatusOK, map[string]any{"services": list})
}

type issueRequest struct {
	Service  string `json:"service"`
	Priority string `json:"priority"`
	Lang     string `json:"lang"`
}

func (h *Handler) issue(c echo.Context) error {
	branch := c.Param("branch")
	// An integration's token with tickets:write issues for citizens too.
	p, err := httpx.RequireDeviceOrStaffOrScope(c, auth.DeviceKiosk, branch, auth.ScopeTicketsWrite)
	if err != nil {
		return err
	}
	if p.Device != nil {
		ok, err := h.issues.Take(c.Request().Context(), p.Device.ID)
		if err != nil {
			return err
		}
		if !ok {
			c.Response().Header().Set("Retry-After", "2")
			return queue.Errorf(queue.CodeRateLimited, "too many tickets from this kiosk: wait a moment")
		}
	}
	var req issueRequest
	if err := httpx.Bind(c, &req); err != nil {
		return err
	}
	key := c.Request().Header.Get("Idempotency-Key")
	if key != "" {
		// Keys are per issuer: two kiosks may pick the same one (and two
		// tokens the same name, so a token's key is its id).
		issuer := p.Name()
		if p.Token != nil {
			issuer = "token#" + p.Token.ID
		}
		key = issuer + "/" + key
	}
	info, err := h.eng.Issue(c.Request().Context(), branch, engine.IssueRequest{
		Service: req.Service, Priority: req.Priority, Lang: req.Lang, IdempotencyKey: key, Actor: p.Name()})
	if err != nil {
		return err
	}
	return h.issued(c, p, info)
}

// issued answers with a ticket just taken (or checked in), printed on
// the kiosk's network printer when it has one.
func (h *Handler) issued(c echo.Context, p auth.Principal, info engine.TicketInfo) error {
	out := Issued{Ticket: view.TicketOf(info, info.Loc, h.trackBase(c))}
	if p.Device != nil {
		out.Print = h.print(c, p.Device, info)
	}
	if out.Print == nil {
		return c.JSONBlob(http.StatusCreated, out.Ticket.AppendJSON(make([]byte, 0, 512)))
	}
	return c.JSON(http.StatusCreated, out)
}

// print prints on the kiosk's network printer, if it has one. Failures are
// logged (without the token) and reported; the ticket stays valid.
func (h *Handler) print(c echo.Context, d *auth.Device, info engine.TicketInfo) *PrintResult {
	settings, err := SettingsOf(d)
	if err != nil || settings.Printer == nil || settings.Printer.Addr == "" || h.opts.Catalogues == nil {
		return nil
	}
	name := info.Ticket.Branch
	if snap, err := h.eng.Snapshot(c.Request().Context(), info.Ticket.Branch); err == nil {
		name = snap.Branch.Name.In(info.Ticket.Lang)
	}
	res := printTicket(c.Request().Context(), h.opts.Catalogues, h.opts.Printer, *settings.Printer, name, info, h.trackBase(c)+info.Ticket.Token)
	if !res.OK {
		h.opts.Logger.Warn("ticket not printed", "device", d.ID, "printer", res.Printer, "number", info.Ticket.Number, "err", res.Error)
	}
	return &res
}

// reprint prints a ticket again on the kiosk's printer (after a paper
// jam, say). Only the kiosk of the ticket's branch may.
func (h *Handler) reprint(c echo.Context) error {
	p, err := httpx.RequireDevice(c, auth.DeviceKiosk, "")
	if err != nil {
		return err
	}
	info, err := h.eng.TicketByToken(c.Request().Context(), c.Param("token"))
	if err != nil {
		return err
	}
	if info.Ticket.Branch != p.Device.Branch {
		return queue.Errorf(queue.CodeForbidden, "this kiosk is not of the ticket's branch")
	}
	res := h.print(c, p.Device, info)
	if res == nil {
		return queue.Errorf(queue.CodeConflict, "this kiosk has no network printer")
	}
	return c.JSON(http.StatusOK, res)
}

// trackBase is the base of ticket page links.
func (h *Handler) trackBase(c echo.Context) string {
	return h.opts.Public.For(c.Request()) + "/t/"
}

func (h *Handler) ticket(c echo.Context) error {
	info, err := h.eng.TicketByToken(c.Request().Context(), c.Param("token"))
	if err != nil {
		return err
	}
	noStore(c)
	return c.JSONBlob(http.StatusOK, view.TicketOf(info, info.Loc, h.trackBase(c)).AppendJSON(make([]byte, 0, 512)))
}

func (h *Handler) cancel(c echo.Context) error {
	info, err := h.eng.Cancel(c.Request().Context(), c.Param("token"))
	if err != nil {
		return err
	}
	noStore(c)
	return c.JSON(http.StatusOK, view.TicketOf(info, info.Loc, h.trackBase(c)))
}

// QRSize is the side of the QR code image in pixels.
const QRSize = 320

func (h *Handler) qr(c echo.Context) error {
	info, err := h.eng.TicketByToken(c.Request().Context(), c.Param("token"))
	if err != nil {
		return err
	}
	png, err := qrcode.Encode(h.trackBase(c)+info.Ticket.Token, qrcode.Medium, QRSize)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "private, max-age=86400")
	return c.Blob(http.StatusOK, "image/png", png)
}

func noStore(c echo.Context) { c.Response().Header().Set("Cache-Control", "no-store") }
