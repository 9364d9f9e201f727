package server

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/seira-queue/seira/auth"
	"github.com/seira-queue/seira/httpx"
	"github.com/seira-queue/seira/queue"
	"github.com/seira-queue/seira/view"
)

type meView struct {
	User      *view.User   `json:"user,omitempty"`
	Device    *view.Device `json:"device,omitempty"`
	CSRFToken string       `json:"csrf_token,omitempty"`
}

func meOf(p auth.Principal) meView {
	var v meView
	if p.User != nil {
		u := view.UserOf(*p.User)
		v.User = &u
	}
	if p.Device != nil {
		d := view.DeviceOf(*p.Device)
		v.Device = &d
	}
	v.CSRFToken = p.CSRF
	return v
}

type loginRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

func (s *Server) login(c echo.Context) error {
	var req loginRequest
	if err := httpx.Bind(c, &req); err != nil {
		return err
	}
	if req.Username == "" || req.Password == "" {
		return queue.Errorf(queue.CodeValidation, "username and password are required")
	}
	token, p, err := s.d.Auth.Login(c.Request().Context(), req.Username, req.Password)
	if err != nil {
		if auth.IsUnauthenticated(err) {
			s.log.Info("sign-in refused", "username", req.Username)
		}
		return err
	}
	s.log.Info("signed in", "username", p.User.Username)
	c.SetCookie(s.sessionCookie(c, token, auth.UserSessionTTL.Seconds()))
	return c.JSON(http.StatusOK, meOf(p))
}

func (s *Server) logout(c echo.Context) error {
	if ck, err := c.Cookie(httpx.SessionCookie); err == nil && ck.Value != "" {
		if err := s.d.Auth.Logout(c.Request().Context(), ck.Value); err != nil {
			return err
		}
	}
	c.SetCookie(s.sessionCookie(c, "", -1))
	return c.NoContent(http.StatusNoContent)
}

func (s *Server) me(c echo.Context) error {
	p := httpx.PrincipalOf(c)
	if p.Anonymous() {
		return queue.Errorf(queue.CodeUnauthenticated, "nobody is signed in")
	}
	if p.Token != nil {
		return queue.Errorf(queue.CodeForbidden, "an API token has no session")
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, meOf(p))
}
