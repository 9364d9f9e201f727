package server

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/seira-queue/seira/auth"
	"github.com/seira-queue/seira/httpx"
	"github.com/seira-queue/seira/queue"
)

// UserView is a user as the API shows it: never the password hash.
type UserView struct {
	Username string   `json:"username"`
	Name     string   `json:"name"`
	Role     string   `json:"role"`
	Branches []string `json:"branches"`
	Disabled bool     `json:"disabled,omitempty"`
}

// UserViewOf returns the view of u.
func UserViewOf(u auth.User) UserView {
	b := u.Branches
	if b == nil {
		b = []string{}
	}
	return UserView{Username: u.Username, Name: u.Name, Role: string(u.Role), Branches: b, Disabled: u.Disabled}
}

// DeviceView is a device as the API shows it: never its token.
type DeviceView struct {
	ID     string `json:"id"`
	Kind   string `json:"kind"`
	Branch string `json:"branch"`
	Name   string `json:"name"`
}

type meView struct {
	User      *UserView   `json:"user,omitempty"`
	Device    *DeviceView `json:"device,omitempty"`
	CSRFToken string      `json:"csrf_token,omitempty"`
}

func meOf(p auth.Principal) meView {
	var v meView
	if p.User != nil {
		u := UserViewOf(*p.User)
		v.User = &u
	}
	if p.Device != nil {
		v.Device = &DeviceView{ID: p.Device.ID, Kind: string(p.Device.Kind), Branch: p.Device.Branch, Name: p.Device.Name}
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
	if p.User == nil && p.Device == nil {
		return queue.Errorf(queue.CodeUnauthenticated, "nobody is signed in")
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, meOf(p))
}
