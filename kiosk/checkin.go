package kiosk

import (
	"github.com/labstack/echo/v4"

	"github.com/seira-queue/seira/auth"
	"github.com/seira-queue/seira/engine"
	"github.com/seira-queue/seira/httpx"
)

type checkinRequest struct {
	Code string `json:"code"`
	// WalkIn accepts a too_late answer's offer of a walk-in ticket.
	WalkIn bool `json:"walk_in"`
}

// checkin turns an appointment's code into its ticket, at the kiosk (or by
// staff at a counter), printed as a ticket is.
func (h *Handler) checkin(c echo.Context) error {
	branch := c.Param("branch")
	p, err := httpx.RequireDeviceOrStaff(c, auth.DeviceKiosk, branch)
	if err != nil {
		return err
	}
	var req checkinRequest
	if err := httpx.Bind(c, &req); err != nil {
		return err
	}
	info, err := h.eng.Checkin(c.Request().Context(), branch, engine.CheckinRequest{Code: req.Code, WalkIn: req.WalkIn, Actor: p.Name()})
	if err != nil {
		return err
	}
	return h.issued(c, p, info)
}
