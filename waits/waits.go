// Package waits publishes every branch's live waits as open data: GET
// /api/v1/waits and /api/v1/branches/{branch}/waits, readable from any
// site (CORS *), with no personal data.
//
// The whole answer is built at most once per TTL, whatever the number of
// readers: the first request after the TTL builds it (those arriving
// meanwhile wait for that one build), it is serialised once, and every
// request inside the TTL is served from those bytes, with an ETag for
// conditional requests and a max-age for the rest of the TTL. Ten
// thousand requests a second thus cost the store one read per TTL.
package waits

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/seira-queue/seira/engine"
	"github.com/seira-queue/seira/queue"
)

// Source is what a build reads: the engine satisfies it.
type Source interface {
	Branches(ctx context.Context) ([]queue.Branch, error)
	Summary(ctx context.Context, branch string) (engine.Snapshot, error)
	CallsToday(ctx context.Context, branch string) ([]engine.FirstCall, *time.Location, error)
}

// MaxTTL is the longest the answer may be kept (API.md: cached ≤ 15 s).
const MaxTTL = 15 * time.Second

// DefaultTTL is how long an answer is served before the next build.
const DefaultTTL = 10 * time.Second

// buildTimeout bounds one build, which runs apart from the request that
// started it: the readers waiting for it must not fail because that one
// went away.
const buildTimeout = 10 * time.Second

// Options configure the handler.
type Options struct {
	// TTL is how long one build is served (default DefaultTTL, at most
	// MaxTTL).
	TTL time.Duration
	// Now is the clock (default time.Now); tests inject theirs.
	Now    func() time.Time
	Logger *slog.Logger
}

// Handler serves the waits.
type Handler struct {
	src   Source
	log   *slog.Logger
	cache *cache
}

// New returns the waits handler over src.
func New(src Source, opts Options) *Handler {
	if opts.TTL <= 0 {
		opts.TTL = DefaultTTL
	}
	opts.TTL = min(opts.TTL, MaxTTL)
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	h := &Handler{src: src, log: opts.Logger}
	h.cache = newCache(opts.TTL, opts.Now, func(ctx context.Context, at time.Time) (*entry, error) {
		a, err := build(ctx, src, at, h.log)
		if err != nil {
			return nil, err
		}
		return encode(a)
	})
	return h
}

// Builds is how many times the answer has been built: each build reads
// the store, the requests in between do not.
func (h *Handler) Builds() int64 { return h.cache.builds.Load() }

// Register adds the routes to the API group (/api/v1).
func (h *Handler) Register(api *echo.Group) {
	api.Match([]string{http.MethodGet, http.MethodHead}, "/waits", h.all)
	api.OPTIONS("/waits", preflight)
	api.Match([]string{http.MethodGet, http.MethodHead}, "/branches/:branch/waits", h.branch)
	api.OPTIONS("/branches/:branch/waits", preflight)
}

func (h *Handler) all(c echo.Context) error {
	cors(c)
	e, err := h.cache.get(c.Request().Context())
	if err != nil {
		return err
	}
	return h.serve(c, e, e.all)
}

func (h *Handler) branch(c echo.Context) error {
	cors(c)
	e, err := h.cache.get(c.Request().Context())
	if err != nil {
		return err
	}
	// Only what the last build saw: an unknown name costs no read.
	b, ok := e.branches[c.Param("branch")]
	if !ok {
		return queue.Errorf(queue.CodeNotFound, "no such branch")
	}
	return h.serve(c, e, b)
}

// serve writes one body of entry e: 304 when the client has it, with the
// rest of the TTL as max-age either way.
func (h *Handler) serve(c echo.Context, e *entry, b body) error {
	hd := c.Response().Header()
	left := max(e.expires.Sub(h.cache.now()), 0)
	hd.Set("Cache-Control", "public, max-age="+strconv.Itoa(int(left/time.Second)))
	hd.Set("ETag", b.etag)
	if etagMatch(c.Request().Header.Get("If-None-Match"), b.etag) {
		return c.NoContent(http.StatusNotModified)
	}
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, b.data)
}

// cors lets any site read the waits: they are public, and no credentials
// are involved.
func cors(c echo.Context) {
	h := c.Response().Header()
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("Access-Control-Expose-Headers", "ETag")
}

// preflight answers a browser's CORS preflight.
func preflight(c echo.Context) error {
	cors(c)
	h := c.Response().Header()
	h.Set("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS")
	h.Set("Access-Control-Allow-Headers", "Authorization, If-None-Match")
	h.Set("Access-Control-Max-Age", "86400")
	return c.NoContent(http.StatusNoContent)
}

// etagMatch is If-None-Match's weak comparison (RFC 9110 13.1.2).
func etagMatch(header, etag string) bool {
	if header == "" {
		return false
	}
	want := strings.TrimPrefix(etag, "W/")
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimSpace(t)
		if t == "*" || strings.TrimPrefix(t, "W/") == want {
			return true
		}
	}
	return false
}
