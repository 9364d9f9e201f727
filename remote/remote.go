// Package remote is the HTTP API of joining the queue from home: a
// challenge to solve, then a ticket, under a limit per client address and
// per day, the service's daily cap, and a proof of work with no third
// party (challenge.go).
package remote

import (
	"errors"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
	"golang.org/x/time/rate"

	"github.com/seira-queue/seira/engine"
	"github.com/seira-queue/seira/httpx"
	"github.com/seira-queue/seira/internal/publicurl"
	"github.com/seira-queue/seira/queue"
	"github.com/seira-queue/seira/view"
)

// Options configure the API.
type Options struct {
	// Public decides the base of ticket links.
	Public publicurl.Base
	// Key signs the challenges (ChallengeKey of the store's token key).
	Key []byte
	// PerDay is how many remote tickets one client address may take a
	// day (default 10; they come back one by one over the day).
	PerDay int
	// Difficulty is the zero bits a challenge asks (default 16: a second
	// or two on a phone); negative asks none (tests).
	Difficulty int
	// ChallengeTTL is how long a challenge lasts (default 5 minutes).
	ChallengeTTL time.Duration
	// Shared, if set, keeps the per-address limits in the store, shared by
	// the instances of a replicated one.
	Shared httpx.SharedTokens
	// Now is the clock of challenges (default time.Now): real time, also
	// when the engine runs a simulated day.
	Now func() time.Time
}

// DefaultDifficulty is the work a challenge asks unless told otherwise.
const DefaultDifficulty = 16

// Handler serves the API.
type Handler struct {
	eng    *engine.Engine
	opts   Options
	ch     *Challenger
	public *httpx.Limiters // per client address
	// retryAfter is how long until an address has a ticket again.
	retryAfter time.Duration
}

// New returns the API over eng.
func New(eng *engine.Engine, opts Options) *Handler {
	if opts.PerDay <= 0 {
		opts.PerDay = 10
	}
	if opts.Difficulty == 0 {
		opts.Difficulty = DefaultDifficulty
	}
	if opts.ChallengeTTL <= 0 {
		opts.ChallengeTTL = 5 * time.Minute
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	every := 24 * time.Hour / time.Duration(opts.PerDay)
	h := &Handler{eng: eng, opts: opts, ch: NewChallenger(opts.Key, opts.Difficulty, opts.ChallengeTTL, opts.Now),
		public: httpx.NewLimiters(rate.Every(every), opts.PerDay), retryAfter: every}
	if opts.Shared != nil {
		h.public.Share("remote", opts.Shared)
	}
	return h
}

// Register adds the routes to the API group (/api/v1).
func (h *Handler) Register(api *echo.Group) {
	api.GET("/branches/:branch/remote-tickets/challenge", h.challenge)
	api.POST("/branches/:branch/remote-tickets", h.issue)
}

// ClientKey is what the per-address limit counts by: an IPv4 address, or
// the /64 of an IPv6 one (a phone has a whole /64 to pick addresses from).
func ClientKey(addr string) string {
	ip := net.ParseIP(addr)
	if ip == nil || ip.To4() != nil {
		return addr
	}
	return ip.Mask(net.CIDRMask(64, 128)).String() + "/64"
}

func (h *Handler) challenge(c echo.Context) error {
	branch := c.Param("branch")
	if !h.eng.HasBranch(c.Request().Context(), branch) {
		return queue.Errorf(queue.CodeNotFound, "no branch %s", branch)
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, h.ch.New(branch))
}

type issueRequest struct {
	Service   string `json:"service"`
	Lang      string `json:"lang"`
	Challenge string `json:"challenge"`
	Nonce     string `json:"nonce"`
}

func (h *Handler) issue(c echo.Context) error {
	branch := c.Param("branch")
	var req issueRequest
	if err := httpx.Bind(c, &req); err != nil {
		return err
	}
	// The work is checked first: it costs the server a hash, and a
	// request without it takes nothing from the address's day.
	once, err := h.ch.Verify(branch, req.Challenge, req.Nonce)
	if err != nil {
		return err
	}
	// A challenge yields one ticket: a retry with it (the answer was lost
	// on the way) gets that ticket again, never a second one, and takes no
	// place from the address's day: it may have used the last one.
	ctx := c.Request().Context()
	used, err := h.eng.RemoteUsed(ctx, branch, once)
	if err != nil {
		return err
	}
	if !used {
		ok, err := h.public.Take(ctx, ClientKey(httpx.ClientAddr(c.Request())))
		if err != nil {
			return err
		}
		if !ok {
			c.Response().Header().Set("Retry-After", strconv.Itoa(int(h.retryAfter.Seconds())))
			return queue.Errorf(queue.CodeRateLimited, "too many tickets from this address today: try again later")
		}
	}
	info, err := h.eng.IssueRemote(ctx, branch, engine.RemoteRequest{Service: req.Service, Lang: req.Lang, Once: once})
	if errors.Is(err, &queue.Error{Code: queue.CodeConflict}) {
		return badChallenge("this challenge has been used already: ask for a new one")
	}
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	v := view.TicketOf(info, info.Loc, h.opts.Public.For(c.Request())+"/t/")
	return c.JSONBlob(http.StatusCreated, v.AppendJSON(make([]byte, 0, 512)))
}
