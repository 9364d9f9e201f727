package sim

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"sort"
	"strings"
	"sync"
	"time"
)

// requestTimeout bounds one HTTP request in real time.
const requestTimeout = 10 * time.Second

// client speaks seira's HTTP API as one signed-in user and counts what it
// gets back.
type client struct {
	base  string
	hc    *http.Client
	log   *slog.Logger
	csrf  string
	tally *tally
}

func newClient(base string, log *slog.Logger) *client {
	jar, _ := cookiejar.New(nil) // never fails without options
	return &client{base: strings.TrimRight(base, "/"), log: log, tally: newTally(),
		hc: &http.Client{Jar: jar, Timeout: requestTimeout,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// apiError is a non-2xx answer.
type apiError struct {
	Status int
	Code   string
	Msg    string
}

func (e *apiError) Error() string {
	return fmt.Sprintf("status %d %s: %s", e.Status, e.Code, e.Msg)
}

// statusOf returns the HTTP status of an apiError, 0 for other errors.
func statusOf(err error) int {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae.Status
	}
	return 0
}

// login signs in and keeps the CSRF token for the writes.
func (c *client) login(ctx context.Context, user, password string) error {
	var me struct {
		CSRF string `json:"csrf_token"`
	}
	if _, err := c.do(ctx, http.MethodPost, "/api/v1/login", "POST /login",
		map[string]string{"username": user, "password": password}, nil, &me); err != nil {
		return fmt.Errorf("sign in as %s: %w", user, err)
	}
	if me.CSRF == "" {
		return fmt.Errorf("sign in as %s: no csrf_token in the answer", user)
	}
	c.csrf = me.CSRF
	return nil
}

// do sends a request with a JSON body (if body is not nil) and decodes a
// 2xx JSON answer into out (if not nil). route names the endpoint in the
// tally, never with a ticket's token. It returns the status; a non-2xx
// status is an *apiError.
func (c *client) do(ctx context.Context, method, path, route string, body any, header map[string]string, out any) (int, error) {
	var r io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			return 0, fmt.Errorf("%s: %w", route, err)
		}
		r = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, r)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", route, err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.csrf != "" {
		req.Header.Set("X-CSRF-Token", c.csrf)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		if ctx.Err() == nil {
			c.tally.add(route, 0)
			c.log.Warn("request failed", "route", route, "err", err)
		}
		return 0, fmt.Errorf("%s: %w", route, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	c.tally.add(route, resp.StatusCode)
	if err != nil {
		return resp.StatusCode, fmt.Errorf("%s: read the answer: %w", route, err)
	}
	if resp.StatusCode >= 300 {
		ae := &apiError{Status: resp.StatusCode}
		var e struct {
			Error struct{ Code, Message string } `json:"error"`
		}
		if json.Unmarshal(raw, &e) == nil {
			ae.Code, ae.Msg = e.Error.Code, e.Error.Message
		} else {
			ae.Msg = strings.TrimSpace(string(raw[:min(len(raw), 200)]))
		}
		if resp.StatusCode >= 500 {
			c.log.Error("SERVER ERROR: a 5xx is a bug in seira", "route", route, "status", resp.StatusCode,
				"code", ae.Code, "message", ae.Msg)
		} else {
			c.log.Info("client error", "route", route, "status", resp.StatusCode, "code", ae.Code, "message", ae.Msg)
		}
		return resp.StatusCode, fmt.Errorf("%s: %w", route, ae)
	}
	if out != nil && resp.StatusCode != http.StatusNoContent {
		if err := json.Unmarshal(raw, out); err != nil {
			return resp.StatusCode, fmt.Errorf("%s: decode the answer: %w", route, err)
		}
	}
	return resp.StatusCode, nil
}

// tally counts requests by route and status (0: no answer).
type tally struct {
	mu     sync.Mutex
	counts map[tallyKey]int
}

type tallyKey struct {
	Route  string
	Status int
}

func newTally() *tally { return &tally{counts: map[tallyKey]int{}} }

func (t *tally) add(route string, status int) {
	t.mu.Lock()
	t.counts[tallyKey{route, status}]++
	t.mu.Unlock()
}

// HTTPCount is how many requests to one route got one status (0 for no
// answer: a transport error or timeout).
type HTTPCount struct {
	Route  string
	Status int
	Count  int
}

// summary returns the totals and the non-2xx counts, sorted.
func (t *tally) summary() (requests int, failures []HTTPCount) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for k, n := range t.counts {
		requests += n
		if k.Status < 200 || k.Status >= 300 {
			failures = append(failures, HTTPCount{Route: k.Route, Status: k.Status, Count: n})
		}
	}
	sort.Slice(failures, func(i, j int) bool {
		a, b := failures[i], failures[j]
		if a.Status != b.Status {
			return a.Status > b.Status
		}
		return a.Route < b.Route
	})
	return requests, failures
}
