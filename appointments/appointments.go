// Package appointments is the HTTP API of booking: the free slots, booking
// (by citizens, staff and outside systems), the holder's own link to see,
// move or cancel, and the staff's day list and import.
package appointments

import (
	"fmt"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
	qrcode "github.com/skip2/go-qrcode"
	"golang.org/x/time/rate"

	"github.com/seira-queue/seira/auth"
	"github.com/seira-queue/seira/engine"
	"github.com/seira-queue/seira/httpx"
	"github.com/seira-queue/seira/internal/publicurl"
	"github.com/seira-queue/seira/queue"
	"github.com/seira-queue/seira/view"
)

// Options configure the booking API.
type Options struct {
	// Public decides the base of manage links.
	Public publicurl.Base
	// Rate and Burst limit public bookings per client address (defaults:
	// one every 30 s on average, bursts of 5), so that nobody books out a
	// day. Staff and tokens are not limited.
	Rate  rate.Limit
	Burst int
	// Shared, if set, keeps the limits in the store, shared by the
	// instances of a replicated one.
	Shared httpx.SharedTokens
}

// Handler serves the booking API.
type Handler struct {
	eng    *engine.Engine
	opts   Options
	public *httpx.Limiters // public bookings, per client address
}

// New returns the booking API over eng.
func New(eng *engine.Engine, opts Options) *Handler {
	if opts.Rate == 0 {
		opts.Rate = rate.Every(30 * time.Second)
	}
	if opts.Burst == 0 {
		opts.Burst = 5
	}
	h := &Handler{eng: eng, opts: opts, public: httpx.NewLimiters(opts.Rate, opts.Burst)}
	if opts.Shared != nil {
		h.public.Share("book", opts.Shared)
	}
	return h
}

// Register adds the routes to the API group (/api/v1).
func (h *Handler) Register(api *echo.Group) {
	api.GET("/branches/:branch/slots", h.slots)
	api.POST("/branches/:branch/appointments", h.book)
	api.GET("/branches/:branch/appointments", h.day)
	api.POST("/branches/:branch/appointments/import", h.importRows)
	api.GET("/branches/:branch/appointments/hours", h.hours)
	api.GET("/branches/:branch/appointments/:code", h.staffGet)
	api.PATCH("/branches/:branch/appointments/:code", h.staffMove)
	api.DELETE("/branches/:branch/appointments/:code", h.staffCancel)
	api.GET("/appointments/:token", h.holderGet)
	api.PATCH("/appointments/:token", h.holderMove)
	api.DELETE("/appointments/:token", h.holderCancel)
	api.GET("/appointments/:token/qr.png", h.qr)
}

func (h *Handler) slots(c echo.Context) error {
	q := c.QueryParams()
	days := 7
	if s := q.Get("days"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			return queue.Errorf(queue.CodeValidation, "days must be a number of days (1 to 31)")
		}
		days = n
	}
	if q.Get("service") == "" {
		return queue.Errorf(queue.CodeValidation, "service is required")
	}
	list, last, loc, err := h.eng.Slots(c.Request().Context(), c.Param("branch"), q.Get("service"), q.Get("from"), days)
	if err != nil {
		return err
	}
	out := view.Slots{Slots: make([]view.Slot, 0, len(list)), LastDay: last}
	for _, s := range list {
		out.Slots = append(out.Slots, view.Slot{Start: s.Start.In(loc), End: s.End.In(loc), Free: s.Free})
	}
	return c.JSON(http.StatusOK, out)
}

type bookRequest struct {
	Service string `json:"service"`
	Start   string `json:"start"`
	Lang    string `json:"lang"`
	Contact string `json:"contact"`
}

func parseStart(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return t, queue.Errorf(queue.CodeValidation, "start %q: use RFC 3339 with the offset, e.g. 2026-12-07T09:15:00+02:00", s)
	}
	return t, nil
}

func (h *Handler) book(c echo.Context) error {
	branch := c.Param("branch")
	p := httpx.PrincipalOf(c)
	actor := "citizen"
	switch {
	case p.User != nil:
		if _, err := httpx.RequireStaff(c, branch); err != nil {
			return err
		}
		actor = p.Name()
	case p.Device != nil:
		return queue.Errorf(queue.CodeForbidden, "devices do not book: citizens and staff do")
	case p.Token != nil:
		if _, err := httpx.RequireScope(c, auth.ScopeAppointmentsWrite, branch); err != nil {
			return err
		}
		actor = p.Name()
	default:
		ok, err := h.public.Take(c.Request().Context(), httpx.ClientAddr(c.Request()))
		if err != nil {
			return err
		}
		if !ok {
			c.Response().Header().Set("Retry-After", "30")
			return queue.Errorf(queue.CodeRateLimited, "too many bookings from this address: try again later")
		}
	}
	var req bookRequest
	if err := httpx.Bind(c, &req); err != nil {
		return err
	}
	start, err := parseStart(req.Start)
	if err != nil {
		return err
	}
	info, err := h.eng.Book(c.Request().Context(), branch, engine.BookRequest{Service: req.Service, Start: start,
		Lang: req.Lang, Contact: req.Contact, Actor: actor})
	return h.holderView(c, http.StatusCreated, info, err)
}

func (h *Handler) manageBase(c echo.Context) string { return h.opts.Public.For(c.Request()) + "/a/" }

// holderView answers with an appointment as its holder sees it, or err.
func (h *Handler) holderView(c echo.Context, status int, info engine.ApptInfo, err error) error {
	if err != nil {
		return err
	}
	a := info.Appointment
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(status, view.AppointmentOf(a, info.Service, info.Loc).ForHolder(a, h.manageBase(c)))
}

func (h *Handler) holderGet(c echo.Context) error {
	info, err := h.eng.AppointmentByToken(c.Request().Context(), c.Param("token"))
	return h.holderView(c, http.StatusOK, info, err)
}

type moveRequest struct {
	Start string `json:"start"`
}

func (h *Handler) move(c echo.Context, ref engine.ApptRef, actor string) (engine.ApptInfo, error) {
	var req moveRequest
	if err := httpx.Bind(c, &req); err != nil {
		return engine.ApptInfo{}, err
	}
	start, err := parseStart(req.Start)
	if err != nil {
		return engine.ApptInfo{}, err
	}
	return h.eng.MoveAppointment(c.Request().Context(), ref, start, actor)
}

func (h *Handler) holderMove(c echo.Context) error {
	info, err := h.move(c, engine.ApptRef{Token: c.Param("token")}, "citizen")
	return h.holderView(c, http.StatusOK, info, err)
}

func (h *Handler) holderCancel(c echo.Context) error {
	info, err := h.eng.CancelAppointment(c.Request().Context(), engine.ApptRef{Token: c.Param("token")}, "citizen")
	return h.holderView(c, http.StatusOK, info, err)
}

// qr is the QR code of the appointment's code, which the kiosk's camera
// reads at check-in.
func (h *Handler) qr(c echo.Context) error {
	info, err := h.eng.AppointmentByToken(c.Request().Context(), c.Param("token"))
	if err != nil {
		return err
	}
	png, err := qrcode.Encode(info.Appointment.Code, qrcode.Medium, 320)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "private, max-age=86400")
	return c.Blob(http.StatusOK, "image/png", png)
}

// staffView answers with an appointment as staff see it, or err.
func (h *Handler) staffView(c echo.Context, status int, info engine.ApptInfo, err error) error {
	if err != nil {
		return err
	}
	a := info.Appointment
	return c.JSON(status, view.AppointmentOf(a, info.Service, info.Loc).WithContact(a))
}

func (h *Handler) staffRef(c echo.Context) (engine.ApptRef, string, error) {
	p, err := httpx.RequireStaffOrScope(c, c.Param("branch"), auth.ScopeAppointmentsWrite)
	if err != nil {
		return engine.ApptRef{}, "", err
	}
	return engine.ApptRef{Branch: c.Param("branch"), Code: c.Param("code")}, p.Name(), nil
}

func (h *Handler) staffGet(c echo.Context) error {
	ref, _, err := h.staffRef(c)
	if err != nil {
		return err
	}
	info, err := h.eng.AppointmentByCode(c.Request().Context(), ref.Branch, ref.Code)
	return h.staffView(c, http.StatusOK, info, err)
}

func (h *Handler) staffMove(c echo.Context) error {
	ref, actor, err := h.staffRef(c)
	if err != nil {
		return err
	}
	info, err := h.move(c, ref, actor)
	return h.staffView(c, http.StatusOK, info, err)
}

func (h *Handler) staffCancel(c echo.Context) error {
	ref, actor, err := h.staffRef(c)
	if err != nil {
		return err
	}
	info, err := h.eng.CancelAppointment(c.Request().Context(), ref, actor)
	return h.staffView(c, http.StatusOK, info, err)
}

// day lists a day's appointments for staff (contact data only as a mark).
func (h *Handler) day(c echo.Context) error {
	branch := c.Param("branch")
	if _, err := httpx.RequireStaff(c, branch); err != nil {
		return err
	}
	d, err := h.eng.AppointmentDay(c.Request().Context(), branch, c.QueryParam("date"))
	if err != nil {
		return err
	}
	out := make([]view.Appointment, 0, len(d.List))
	for _, a := range d.List {
		out = append(out, view.AppointmentOf(a, d.Services[a.Service], d.Loc))
	}
	return c.JSON(http.StatusOK, map[string]any{"date": d.Date, "appointments": out})
}

// hourView is an hour of a day's load (engine.DayLoad).
type hourView struct {
	Hour       string  `json:"hour"`
	CounterMin float64 `json:"counter_min"`
	BookedMin  float64 `json:"booked_min"`
	WalkInMin  float64 `json:"walk_in_min"`
	// WalkInShare is the share of the hour left for walk-ins (null with
	// no counter time).
	WalkInShare *float64 `json:"walk_in_share"`
}

// hours shows staff how much of each hour of a day the appointments take
// and how much is left for walk-ins.
func (h *Handler) hours(c echo.Context) error {
	branch := c.Param("branch")
	if _, err := httpx.RequireStaff(c, branch); err != nil {
		return err
	}
	date, list, err := h.eng.DayLoad(c.Request().Context(), branch, c.QueryParam("date"))
	if err != nil {
		return err
	}
	out := make([]hourView, 0, len(list))
	for _, l := range list {
		v := hourView{Hour: fmt.Sprintf("%02d", l.Hour), CounterMin: l.CounterMin, BookedMin: math.Round(l.BookedMin*10) / 10}
		v.WalkInMin = max(l.CounterMin-v.BookedMin, 0)
		if l.CounterMin > 0 {
			share := math.Round(v.WalkInMin/l.CounterMin*1000) / 1000
			v.WalkInShare = &share
		}
		out = append(out, v)
	}
	return c.JSON(http.StatusOK, map[string]any{"date": date, "hours": out})
}
