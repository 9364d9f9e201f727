package admin

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/seira-queue/seira/auth"
	"github.com/seira-queue/seira/httpx"
	"github.com/seira-queue/seira/kiosk"
	"github.com/seira-queue/seira/queue"
	"github.com/seira-queue/seira/view"
)

func (h *Handler) listDevices(c echo.Context) error {
	_, branch, err := manager(c)
	if err != nil {
		return err
	}
	devs, err := h.auth.Devices(c.Request().Context(), branch)
	if err != nil {
		return err
	}
	out := []view.Device{}
	for _, d := range devs {
		out = append(out, view.DeviceOf(d))
	}
	return c.JSON(http.StatusOK, map[string]any{"devices": out})
}

type deviceBody struct {
	Kind     string                `json:"kind"`
	Name     *string               `json:"name"`
	Settings *kiosk.DeviceSettings `json:"settings"`
}

// settingsJSON validates and encodes a kiosk's settings.
func settingsJSON(kind auth.DeviceKind, s *kiosk.DeviceSettings) (json.RawMessage, error) {
	if s == nil {
		return nil, nil
	}
	if s.Printer != nil {
		if kind != auth.DeviceKiosk {
			return nil, queue.Errorf(queue.CodeValidation, "only a kiosk has a printer")
		}
		if s.Printer.Addr == "" {
			s.Printer = nil
		} else if err := s.Printer.Validate(); err != nil {
			return nil, queue.Errorf(queue.CodeValidation, "printer: %v", err)
		}
	}
	raw, err := json.Marshal(s)
	return raw, err
}

// NewDevice is the answer to creating a device: its token, shown only
// now, and a pairing link.
type NewDevice struct {
	Device     view.Device `json:"device"`
	Token      string      `json:"token"`
	PairingURL string      `json:"pairing_url"`
	Expires    time.Time   `json:"pairing_expires"`
}

func (h *Handler) createDevice(c echo.Context) error {
	p, branch, err := manager(c)
	if err != nil {
		return err
	}
	var body deviceBody
	if err := httpx.Bind(c, &body); err != nil {
		return err
	}
	d := auth.Device{Branch: branch, Kind: auth.DeviceKind(body.Kind)}
	if body.Name != nil {
		d.Name = *body.Name
	}
	if d.Settings, err = settingsJSON(d.Kind, body.Settings); err != nil {
		return err
	}
	ctx := c.Request().Context()
	d, token, err := h.auth.CreateDevice(ctx, p.Name(), d)
	if err != nil {
		return err
	}
	link, expires, err := h.pairingLink(c, d)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, NewDevice{Device: view.DeviceOf(d), Token: token, PairingURL: link, Expires: expires})
}

// pairingLink makes a fresh pairing link for d: opened on the device, it
// pairs its browser.
func (h *Handler) pairingLink(c echo.Context, d auth.Device) (string, time.Time, error) {
	code, err := h.auth.PairingCode(c.Request().Context(), d.ID, auth.PairingTTL)
	if err != nil {
		return "", time.Time{}, err
	}
	return h.public.For(c.Request()) + "/" + string(d.Kind) + "/" + d.Branch + "?pair=" + code,
		time.Now().Add(auth.PairingTTL), nil
}

// device returns the caller, who must manage the path's branch, and the
// path's device of that branch.
func (h *Handler) device(c echo.Context) (auth.Principal, auth.Device, error) {
	p, branch, err := manager(c)
	if err != nil {
		return p, auth.Device{}, err
	}
	d, err := h.auth.Device(c.Request().Context(), c.Param("device"))
	if err != nil || d.Branch != branch {
		return p, auth.Device{}, queue.Errorf(queue.CodeNotFound, "no device %s in branch %s", c.Param("device"), branch)
	}
	return p, d, nil
}

func (h *Handler) updateDevice(c echo.Context) error {
	p, d, err := h.device(c)
	if err != nil {
		return err
	}
	var body deviceBody
	if err := httpx.Bind(c, &body); err != nil {
		return err
	}
	if body.Kind != "" && body.Kind != string(d.Kind) {
		return queue.Errorf(queue.CodeValidation, "a device's kind cannot change")
	}
	raw, err := settingsJSON(d.Kind, body.Settings)
	if err != nil {
		return err
	}
	d, err = h.auth.UpdateDevice(c.Request().Context(), p.Name(), d.ID, func(d *auth.Device) error {
		if d.Revoked {
			return queue.Errorf(queue.CodeConflict, "device %s is revoked", d.ID)
		}
		if body.Name != nil {
			d.Name = *body.Name
		}
		if raw != nil {
			d.Settings = raw
		}
		return nil
	})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, view.DeviceOf(d))
}

func (h *Handler) revokeDevice(c echo.Context) error {
	p, d, err := h.device(c)
	if err != nil {
		return err
	}
	if _, err := h.auth.UpdateDevice(c.Request().Context(), p.Name(), d.ID, func(d *auth.Device) error {
		d.Revoked = true
		return nil
	}); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (h *Handler) pairing(c echo.Context) error {
	_, d, err := h.device(c)
	if err != nil {
		return err
	}
	link, expires, err := h.pairingLink(c, d)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"pairing_url": link, "pairing_expires": expires})
}
