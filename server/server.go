// Package server assembles seira's HTTP server: middleware, every route in
// one place, the pages and their static files, sign-in, and health checks.
package server

import (
	"log/slog"
	"net/http"
	"runtime/debug"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v4"
	"golang.org/x/time/rate"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/seira-queue/seira/admin"
	"github.com/seira-queue/seira/appointments"
	"github.com/seira-queue/seira/auth"
	"github.com/seira-queue/seira/counter"
	"github.com/seira-queue/seira/display"
	"github.com/seira-queue/seira/engine"
	"github.com/seira-queue/seira/httpx"
	"github.com/seira-queue/seira/i18n"
	"github.com/seira-queue/seira/internal/publicurl"
	"github.com/seira-queue/seira/kiosk"
	"github.com/seira-queue/seira/metrics"
	"github.com/seira-queue/seira/notices"
	"github.com/seira-queue/seira/queue"
	"github.com/seira-queue/seira/remote"
	"github.com/seira-queue/seira/storage"
	"github.com/seira-queue/seira/webhook"
)

// Config is what the server needs besides its parts.
type Config struct {
	// Public decides the base URL of the links phones open (QR codes,
	// pairing links).
	Public publicurl.Base
	// KioskRate and KioskBurst limit ticket issue per kiosk device.
	KioskRate  rate.Limit
	KioskBurst int
	// BookingRate and BookingBurst limit public bookings per client
	// address (zero: the booking API's defaults).
	BookingRate  rate.Limit
	BookingBurst int
	Version      string
	Logger       *slog.Logger
	// Catalogues are the message catalogues (for printed tickets).
	Catalogues *i18n.Catalogues

	// RemotePerDay limits tickets from home per client address and day;
	// RemoteDifficulty is the proof of work they ask (zero: defaults).
	RemotePerDay     int
	RemoteDifficulty int
	// WebhookGuard checks the URLs of webhook subscriptions.
	WebhookGuard webhook.Guard
}

// Deps are the parts the server serves.
type Deps struct {
	Store  *storage.Store
	Engine *engine.Engine
	Auth   *auth.Service
	Hub    *display.Hub
	// Announcer renders spoken calls for the displays.
	Announcer display.Announcer
	// Metrics is served at /metrics.
	Metrics *metrics.Metrics
}

// Server is seira's HTTP handler.
type Server struct {
	cfg      Config
	d        Deps
	e        *echo.Echo
	log      *slog.Logger
	draining atomic.Bool
	assets   *assets
}

// New builds the server.
func New(cfg Config, d Deps) (*Server, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	assets, err := loadAssets()
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, d: d, e: echo.New(), log: cfg.Logger, assets: assets}
	e := s.e
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = httpx.ErrorHandler(cfg.Logger)
	e.Use(s.recoverer, s.accessLog, securityHeaders, httpx.Authenticate(d.Auth))

	api := e.Group("/api/v1", bodyLimit, httpx.CSRF(func(c echo.Context) bool { return c.Path() == "/api/v1/login" }))
	// Alone, an instance keeps its rate limits in memory; on etcd they are
	// in the store, so that N instances do not grant N times the rate.
	var shared httpx.SharedTokens
	if d.Store.Replicated() {
		shared = d.Store.Tokens
	}
	kiosk.New(d.Engine, kiosk.Options{Public: cfg.Public, Rate: cfg.KioskRate, Burst: cfg.KioskBurst,
		Catalogues: cfg.Catalogues, Logger: cfg.Logger, Shared: shared}).Register(api)
	counter.New(d.Engine).Register(api)
	appointments.New(d.Engine, appointments.Options{Public: cfg.Public, Rate: cfg.BookingRate, Burst: cfg.BookingBurst,
		Shared: shared}).Register(api)
	remote.New(d.Engine, remote.Options{Public: cfg.Public, Key: remote.ChallengeKey(d.Store.TokenKey()),
		PerDay: cfg.RemotePerDay, Difficulty: cfg.RemoteDifficulty, Shared: shared}).Register(api)
	live := display.NewHandler(d.Engine, d.Hub)
	live.Register(api)
	if d.Announcer != nil {
		live.RegisterAnnouncements(api, d.Announcer)
	}
	admin.New(d.Engine, d.Auth, d.Store, cfg.Public).Register(api)
	s.registerWaits(api)
	notices.New(d.Engine).Register(api)
	webhook.NewHandler(d.Engine, d.Store, cfg.WebhookGuard).Register(api)
	api.POST("/login", s.login)
	api.POST("/logout", s.logout)
	api.GET("/me", s.me)
	api.Any("/*", func(echo.Context) error { return queue.Errorf(queue.CodeNotFound, "no such endpoint") })

	e.GET("/", s.index)
	e.GET("/kiosk/:branch", s.page("kiosk.html", true))
	e.GET("/counter/:branch", s.page("counter.html", true))
	e.GET("/display/:branch", s.page("display.html", true))
	e.GET("/t/:token", s.page("ticket.html", false))
	e.GET("/book/:branch", s.page("book.html", true))
	e.GET("/a/:token", s.page("appointment.html", false))
	e.GET("/b/:branch", s.page("branch.html", true))
	e.GET("/static/*", s.static)
	e.GET("/waits", s.page("waits.html", false))
	e.GET("/b/:branch/widget", s.widget)
	e.GET("/b/:branch/widget.js", s.widgetScript)
	e.GET("/admin", s.page("admin.html", false))
	e.GET("/admin/*", s.page("admin.html", false))
	if d.Metrics != nil {
		e.GET("/metrics", echo.WrapHandler(promhttp.HandlerFor(d.Metrics.Registry, promhttp.HandlerOpts{})))
	}
	e.GET("/healthz", s.healthz)
	e.GET("/readyz", s.readyz)
	return s, nil
}

// ServeHTTP serves a request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.e.ServeHTTP(w, r) }

// Drain makes /readyz fail so that a load balancer stops sending traffic
// before shutdown.
func (s *Server) Drain() { s.draining.Store(true) }

func (s *Server) recoverer(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) (err error) {
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				s.log.Error("panic serving a request", "path", c.Path(), "panic", p, "stack", string(debug.Stack()))
				err = queue.Errorf(queue.CodeInternal, "internal error")
			}
		}()
		return next(c)
	}
}

// accessLog logs requests by route pattern, never by raw path: ticket
// tokens are in paths and must not reach the logs.
func (s *Server) accessLog(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		if err != nil {
			c.Error(err)
		}
		status := c.Response().Status
		level := slog.LevelDebug
		switch {
		case status >= 500:
			level = slog.LevelError
		case status >= 400:
			level = slog.LevelInfo
		}
		if !s.log.Enabled(c.Request().Context(), level) {
			return nil
		}
		route := c.Path()
		if route == "" {
			route = "(no route)"
		}
		s.log.Log(c.Request().Context(), level, "http", "method", c.Request().Method, "route", route,
			"status", status, "bytes", c.Response().Size, "ms", time.Since(start).Milliseconds())
		return nil
	}
}

func securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("X-Content-Type-Options", "nosniff")
		// Ticket pages carry their token in the URL: never send it on.
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Content-Security-Policy", csp("'none'"))
		return next(c)
	}
}

// csp is the pages' Content-Security-Policy, with the sites that may frame
// them: none, but for the wait widget (widget.go).
func csp(frameAncestors string) string {
	return "default-src 'self'; img-src 'self' data:; media-src 'self' blob: data:; " +
		"style-src 'self' 'unsafe-inline'; connect-src 'self'; frame-ancestors " + frameAncestors + "; base-uri 'none'; form-action 'self'"
}

// bodyLimit answers 413 for bodies over httpx.MaxBody, before reading them.
func bodyLimit(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		if r.ContentLength > httpx.MaxBody {
			return queue.Errorf(queue.CodeTooLarge, "the body is larger than %d bytes", httpx.MaxBody)
		}
		r.Body = http.MaxBytesReader(c.Response(), r.Body, httpx.MaxBody)
		return next(c)
	}
}

func (s *Server) healthz(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]string{"status": "ok", "version": s.cfg.Version})
}

// readyz checks that the store answers and can write.
func (s *Server) readyz(c echo.Context) error {
	if s.draining.Load() {
		return queue.Errorf(queue.CodeUnavailable, "shutting down")
	}
	if _, err := s.d.Engine.Branches(c.Request().Context()); err != nil {
		return queue.Errorf(queue.CodeUnavailable, "store: %v", err)
	}
	// On etcd, an instance that cannot reach a quorum cannot write.
	if err := s.d.Store.Ready(c.Request().Context()); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]string{"status": "ready"})
}
