package server

import (
	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/seira-queue/seira/waits"
)

// registerWaits adds the open-data waits to the API, with the count of
// its builds (each one read of the store) among the metrics.
func (s *Server) registerWaits(api *echo.Group) {
	w := waits.New(s.d.Engine, waits.Options{Now: s.d.Engine.Now, Logger: s.log})
	w.Register(api)
	if s.d.Metrics != nil {
		s.d.Metrics.Registry.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "seira_waits_builds_total",
			Help: "Builds of the open-data waits (GET /api/v1/waits): each reads the store once; the requests between two builds do not.",
		}, func() float64 { return float64(w.Builds()) }))
	}
}

// widget serves a branch's wait widget: the one page any site may frame,
// since a municipality embeds it in its own pages. Everything else keeps
// X-Frame-Options DENY and frame-ancestors 'none'.
func (s *Server) widget(c echo.Context) error {
	h := c.Response().Header()
	h.Del("X-Frame-Options")
	h.Set("Content-Security-Policy", csp("*"))
	return s.page("widget.html", true)(c)
}

// widgetScript is the one-line embed: a script that puts the widget's
// iframe where it is placed. It reads the branch from its own address.
func (s *Server) widgetScript(c echo.Context) error {
	return s.assets.serve(c, "js/widget-embed.js")
}
