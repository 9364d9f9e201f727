// Package apiclient speaks seira's JSON API over HTTP as one signed-in
// user, for the tools that drive a running server from outside (seira
// load, seira sim, seira backup). It keeps the session cookie, sends the
// session's CSRF token with every write, and turns the API's error body,
// {"error":{"code","message"}}, into an *Error.
package apiclient

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"time"

	"github.com/seira-queue/seira/httpx"
)

// Size bounds on what the client reads of an answer: a misbehaving server
// must not make a tool hold gigabytes.
const (
	maxAnswer  = 8 << 20 // an answer decoded, or an error body
	maxDiscard = 1 << 20 // an answer drained only so that its connection is reused
	maxMessage = 200     // bytes of a non-JSON error body kept as its message
)

// Options configure a Client. The zero value is usable.
type Options struct {
	// Timeout bounds one request, reading its answer included (0: none).
	Timeout time.Duration
	// Transport carries the requests; nil is Go's default transport. A
	// load test gives its own, sized for its concurrency.
	Transport http.RoundTripper
	// Observe, if not nil, is told how every request ended, for the
	// caller's tally and log. route is the name the request was sent
	// with. status is 0 when no answer came, and err the transport error
	// (Observe is not called when ctx ended first: that is the caller's
	// doing, not the server's); otherwise status is the answer's, and err
	// nil, an *Error for a non-2xx answer, or the error reading the
	// answer. Observe is called on the goroutine of the request.
	Observe func(route string, status int, err error)
}

// Client is one cookie session with a seira. Login before sharing it
// between goroutines; after that it is safe for concurrent use.
type Client struct {
	base    string
	hc      *http.Client
	observe func(route string, status int, err error)
	csrf    string // written by Login only
}

// New returns a client of the seira at base (scheme://host[:port]).
func New(base string, opts Options) *Client {
	jar, _ := cookiejar.New(nil) // never fails without options
	observe := opts.Observe
	if observe == nil {
		observe = func(string, int, error) {}
	}
	return &Client{base: strings.TrimRight(base, "/"), observe: observe,
		hc: &http.Client{Jar: jar, Transport: opts.Transport, Timeout: opts.Timeout,
			// The API never redirects: a redirect is an answer to report,
			// not to follow with the session's cookie.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// WithBase returns a client of another seira instance that shares this
// one's session (cookies and CSRF token): a clerk whose load balancer sends
// each request to a different instance.
func (c *Client) WithBase(base string) *Client {
	o := *c
	o.base = strings.TrimRight(base, "/")
	return &o
}

// Close closes the idle connections of the client's transport: with no
// Options.Transport, those of Go's default one, which the whole process
// shares.
func (c *Client) Close() { c.hc.CloseIdleConnections() }

// Error is a non-2xx answer.
type Error struct {
	Status  int
	Code    string // the API's error code ("not_found"), if the body had one
	Message string
}

func (e *Error) Error() string { return fmt.Sprintf("status %d %s: %s", e.Status, e.Code, e.Message) }

// StatusOf returns the status of an *Error in err's chain, 0 for other
// errors and nil.
func StatusOf(err error) int {
	var ae *Error
	if errors.As(err, &ae) {
		return ae.Status
	}
	return 0
}

// Login signs in and keeps the session's CSRF token for the writes.
func (c *Client) Login(ctx context.Context, user, password string) error {
	var me struct {
		CSRF string `json:"csrf_token"`
	}
	body := map[string]string{"username": user, "password": password}
	if _, err := c.Do(ctx, http.MethodPost, "/api/v1/login", "POST /login", body, &me); err != nil {
		return fmt.Errorf("sign in as %s: %w", user, err)
	}
	if me.CSRF == "" {
		return fmt.Errorf("sign in as %s: no csrf_token in the answer", user)
	}
	c.csrf = me.CSRF
	return nil
}

// Do sends a request and decodes a 2xx JSON answer into out (if not nil).
// body, if not nil, is sent as JSON: a []byte as it is (already encoded,
// as a load test does once per body; a nil one is no body), anything else
// marshalled. route
// names the endpoint in errors and to Observe; it must not carry secrets
// such as a ticket's token. Do returns the answer's status (0 for none); a
// non-2xx status comes with an *Error.
func (c *Client) Do(ctx context.Context, method, path, route string, body, out any) (int, error) {
	return c.DoHeader(ctx, method, path, route, nil, body, out)
}

// DoHeader is Do with extra request headers (an Idempotency-Key).
func (c *Client) DoHeader(ctx context.Context, method, path, route string, header http.Header, body, out any) (int, error) {
	resp, err := c.send(ctx, method, path, route, header, body)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if out == nil && resp.StatusCode < 300 {
		// Drain so that the connection is reused; the body is not needed.
		if _, err := io.Copy(io.Discard, io.LimitReader(resp.Body, maxDiscard)); err != nil {
			return resp.StatusCode, c.answered(route, resp.StatusCode, fmt.Errorf("read the answer: %w", err))
		}
		return resp.StatusCode, c.answered(route, resp.StatusCode, nil)
	}
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return resp.StatusCode, c.answered(route, resp.StatusCode, fmt.Errorf("read the answer: %w", err))
	}
	if resp.StatusCode >= 300 {
		return resp.StatusCode, c.answered(route, resp.StatusCode, answerError(resp.StatusCode, raw))
	}
	c.observe(route, resp.StatusCode, nil)
	if out != nil && resp.StatusCode != http.StatusNoContent {
		if err := json.Unmarshal(raw, out); err != nil {
			return resp.StatusCode, fmt.Errorf("%s: decode the answer: %w", route, err)
		}
	}
	return resp.StatusCode, nil
}

// Open sends a GET and returns a 2xx answer unread, for a body too big to
// hold (a backup) or not JSON (metrics); the caller closes it. A non-2xx
// answer is an *Error.
func (c *Client) Open(ctx context.Context, path, route string) (*http.Response, error) {
	resp, err := c.send(ctx, http.MethodGet, path, route, nil, nil)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode < 300 {
		c.observe(route, resp.StatusCode, nil)
		return resp, nil
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return nil, c.answered(route, resp.StatusCode, fmt.Errorf("read the answer: %w", err))
	}
	return nil, c.answered(route, resp.StatusCode, answerError(resp.StatusCode, raw))
}

// send builds and sends a request; a transport error is observed unless
// ctx ended.
func (c *Client) send(ctx context.Context, method, path, route string, header http.Header, body any) (*http.Response, error) {
	var raw []byte
	switch b := body.(type) {
	case nil:
	case []byte:
		raw = b
	default:
		var err error
		if raw, err = json.Marshal(body); err != nil {
			return nil, fmt.Errorf("%s: %w", route, err)
		}
	}
	var r io.Reader
	if raw != nil {
		r = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, r)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", route, err)
	}
	if header != nil {
		req.Header = header.Clone()
	}
	if raw != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	// Only writes need the token (the server checks it on unsafe methods).
	if c.csrf != "" && method != http.MethodGet && method != http.MethodHead {
		req.Header.Set("X-CSRF-Token", c.csrf)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		if ctx.Err() == nil {
			c.observe(route, 0, err)
		}
		return nil, fmt.Errorf("%s: %w", route, err)
	}
	return resp, nil
}

// answered observes an answer and returns err, if any, prefixed with the
// route.
func (c *Client) answered(route string, status int, err error) error {
	c.observe(route, status, err)
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", route, err)
}

// answerError reads the API's error body; a body that is not one (a
// proxy's page) is kept, shortened, as the message.
func answerError(status int, raw []byte) *Error {
	ae := &Error{Status: status}
	var e httpx.ErrorBody
	if json.Unmarshal(raw, &e) == nil {
		ae.Code, ae.Message = e.Error.Code, e.Error.Message
	} else {
		ae.Message = strings.TrimSpace(string(raw[:min(len(raw), maxMessage)]))
	}
	return ae
}
