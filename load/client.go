package load

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"os"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"
)

// requestTimeout bounds one HTTP request. Requests are not cancelled when
// a traffic window ends, only by this and by the run's context: a ticket
// the server committed but whose answer the tool dropped would make the
// tool's count differ from the server's log.
const requestTimeout = 15 * time.Second

// maxErrorKinds bounds the error tally; further kinds are lumped together.
const maxErrorKinds = 64

// tally counts errors by kind ("POST tickets: 503 unavailable", "close
// 1006", …). Kinds are built from statuses, codes and error classes, never
// from tokens.
type tally struct {
	mu sync.Mutex
	m  map[string]int64
}

func newTally() *tally { return &tally{m: map[string]int64{}} }

func (t *tally) add(kind string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if _, ok := t.m[kind]; !ok && len(t.m) >= maxErrorKinds {
		kind = "other errors"
	}
	t.m[kind]++
}

// Count is how often one kind of error happened.
type Count struct {
	Kind  string `json:"kind"`
	Count int64  `json:"count"`
}

func (t *tally) list() []Count {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make([]Count, 0, len(t.m))
	for k, n := range t.m {
		out = append(out, Count{k, n})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Kind < out[j].Kind
	})
	return out
}

// errClass names an error of the network briefly: the errno ("connection
// refused", "too many open files"), "timeout", or "other".
func errClass(err error) string {
	var errno syscall.Errno
	var ne net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded):
		return "timeout"
	case errors.As(err, &errno):
		return errno.Error()
	case errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		return "unexpected EOF"
	case errors.Is(err, net.ErrClosed):
		return "connection closed"
	}
	return "other"
}

// api speaks seira's HTTP API as one signed-in user: one cookie session,
// shared by every goroutine (staff are not rate-limited, and an
// administrator may act on every counter).
type api struct {
	base string
	hc   *http.Client
	csrf string
	errs *tally
	log  *slog.Logger
}

func newAPI(base string, maxConns int, errs *tally, log *slog.Logger) *api {
	jar, _ := cookiejar.New(nil) // never fails without options
	tr := &http.Transport{
		Proxy:               nil, // loopback measurements must not detour
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        maxConns,
		MaxIdleConnsPerHost: maxConns,
		MaxConnsPerHost:     maxConns,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
	}
	return &api{base: strings.TrimRight(base, "/"), errs: errs, log: log,
		hc: &http.Client{Jar: jar, Transport: tr, Timeout: requestTimeout,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (a *api) close() { a.hc.CloseIdleConnections() }

// apiError is a non-2xx answer.
type apiError struct {
	Status int
	Code   string
	Msg    string
}

func (e *apiError) Error() string { return fmt.Sprintf("status %d %s: %s", e.Status, e.Code, e.Msg) }

func (a *api) login(ctx context.Context, user, password string) error {
	body, err := json.Marshal(map[string]string{"username": user, "password": password})
	if err != nil {
		return err
	}
	var me struct {
		CSRF string `json:"csrf_token"`
	}
	if _, err := a.do(ctx, http.MethodPost, "/api/v1/login", "POST login", body, &me); err != nil {
		return fmt.Errorf("sign in as %s: %w", user, err)
	}
	if me.CSRF == "" {
		return fmt.Errorf("sign in as %s: no csrf_token in the answer", user)
	}
	a.csrf = me.CSRF
	return nil
}

// do sends a request with a JSON body (if any) and decodes a 2xx JSON
// answer into out (if not nil). route names the endpoint in the error
// tally. A non-2xx status is an *apiError and is tallied; a transport
// error is tallied unless ctx ended.
func (a *api) do(ctx context.Context, method, path, route string, body []byte, out any) (int, error) {
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, a.base+path, r)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", route, err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if a.csrf != "" && method != http.MethodGet {
		req.Header.Set("X-CSRF-Token", a.csrf)
	}
	resp, err := a.hc.Do(req)
	if err != nil {
		if ctx.Err() == nil {
			a.errs.add(route + ": " + errClass(err))
			a.log.Debug("request failed", "route", route, "err", err)
		}
		return 0, fmt.Errorf("%s: %w", route, err)
	}
	defer resp.Body.Close()
	if out == nil && resp.StatusCode < 300 {
		// Drain so that the connection is reused; the body is not needed.
		_, err = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
		if err != nil {
			return resp.StatusCode, fmt.Errorf("%s: read the answer: %w", route, err)
		}
		return resp.StatusCode, nil
	}
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
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
		}
		a.errs.add(fmt.Sprintf("%s: %d %s", route, ae.Status, ae.Code))
		a.log.Debug("error answer", "route", route, "status", ae.Status, "code", ae.Code, "message", ae.Msg)
		return resp.StatusCode, fmt.Errorf("%s: %w", route, ae)
	}
	if out != nil && resp.StatusCode != http.StatusNoContent {
		if err := json.Unmarshal(raw, out); err != nil {
			return resp.StatusCode, fmt.Errorf("%s: decode the answer: %w", route, err)
		}
	}
	return resp.StatusCode, nil
}

// getJSON is do for GETs that must succeed.
func (a *api) getJSON(ctx context.Context, path, route string, out any) error {
	_, err := a.do(ctx, http.MethodGet, path, route, nil, out)
	return err
}

// statusOf returns the status of an apiError, 0 for other errors.
func statusOf(err error) int {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae.Status
	}
	return 0
}
