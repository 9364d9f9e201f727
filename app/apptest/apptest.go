// Package apptest starts a whole seira on 127.0.0.1 with a real store in a
// temporary directory, for tests that speak HTTP and WebSocket to it as any
// client would.
package apptest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/seira-queue/seira/app"
	"github.com/seira-queue/seira/auth"
)

// AdminPassword is the demo admin's password in tests.
const AdminPassword = "admin-password-1"

// Env is a running server.
type Env struct {
	t    testing.TB
	cfg  app.Config
	App  *app.App
	URL  string
	Addr string
	Demo app.Demo

	cancel context.CancelFunc
	done   chan error
}

// Start starts seira with the demo office. change, if given, adjusts the
// configuration first.
func Start(t testing.TB, change ...func(*app.Config)) *Env {
	t.Helper()
	cfg := app.Config{Data: t.TempDir(), BcryptCost: 4, KioskRate: 1000, KioskBurst: 1000, Version: "test"}
	for _, f := range change {
		f(&cfg)
	}
	e := &Env{t: t, cfg: cfg}
	e.start("127.0.0.1:0")
	t.Cleanup(e.Stop)
	return e
}

func (e *Env) start(addr string) {
	e.t.Helper()
	a, err := app.Open(e.cfg)
	if err != nil {
		e.t.Fatal(err)
	}
	var ln net.Listener
	// After a restart the old port may take a moment to be free.
	for try := 0; ; try++ {
		if ln, err = net.Listen("tcp", addr); err == nil || try == 50 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		a.Close()
		e.t.Fatal(err)
	}
	e.Addr = ln.Addr().String()
	e.URL = "http://" + e.Addr
	if e.Demo, err = a.SetUp(context.Background(), AdminPassword); err != nil {
		e.t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	e.App, e.cancel, e.done = a, cancel, make(chan error, 1)
	go func() { e.done <- a.Serve(ctx, ln) }()
}

// Stop shuts the server down gracefully; it is safe to call twice.
func (e *Env) Stop() {
	if e.cancel == nil {
		return
	}
	e.cancel()
	if err := <-e.done; err != nil {
		e.t.Errorf("serve: %v", err)
	}
	e.cancel = nil
}

// Restart stops the server and starts it again on the same address and
// data directory.
func (e *Env) Restart() {
	e.t.Helper()
	e.Stop()
	e.start(e.Addr)
}

// Client is an HTTP client with its own cookies, like one browser.
type Client struct {
	t     testing.TB
	base  string
	HTTP  *http.Client
	CSRF  string
	Token string // bearer token, if any
}

// Client returns a new anonymous client.
func (e *Env) Client() *Client {
	jar, _ := cookiejar.New(nil)
	return &Client{t: e.t, base: e.URL, HTTP: &http.Client{Jar: jar, Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// Admin returns a client signed in as the demo admin.
func (e *Env) Admin() *Client {
	c := e.Client()
	c.Login("admin", AdminPassword)
	return c
}

// User creates a user and returns a client signed in as them.
func (e *Env) User(username string, role auth.Role, branches ...string) *Client {
	e.t.Helper()
	pw := "password-of-" + username
	if _, err := e.App.Auth.PutUser(context.Background(), "test", auth.User{Username: username, Role: role, Branches: branches}, pw); err != nil {
		e.t.Fatal(err)
	}
	c := e.Client()
	c.Login(username, pw)
	return c
}

// Kiosk creates a kiosk device of branch and returns a client using its
// bearer token.
func (e *Env) Kiosk(branch string) *Client {
	e.t.Helper()
	_, tok, err := e.App.Auth.CreateDevice(context.Background(), "test", auth.Device{Branch: branch, Kind: auth.DeviceKiosk, Name: "test kiosk"})
	if err != nil {
		e.t.Fatal(err)
	}
	c := e.Client()
	c.Token = tok
	return c
}

// Login signs the client in and keeps the CSRF token.
func (c *Client) Login(username, password string) {
	c.t.Helper()
	var me struct {
		CSRF string `json:"csrf_token"`
	}
	if st := c.Call("POST", "/api/v1/login", map[string]string{"username": username, "password": password}, &me); st != 200 {
		c.t.Fatalf("login %s: status %d", username, st)
	}
	c.CSRF = me.CSRF
}

// Response is a raw answer.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// Do sends a request; body is JSON-encoded unless it is a string or []byte.
func (c *Client) Do(method, path string, body any, header ...string) Response {
	c.t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	case []byte:
		r = bytes.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			c.t.Fatal(err)
		}
		r = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, c.base+path, r)
	if err != nil {
		c.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.CSRF != "" {
		req.Header.Set("X-CSRF-Token", c.CSRF)
	}
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		if http.CanonicalHeaderKey(header[i]) == "Host" {
			req.Host = header[i+1] // Go sends req.Host, not a Host header
			continue
		}
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	return Response{Status: resp.StatusCode, Header: resp.Header, Body: raw}
}

// Call sends a request and decodes a JSON answer into out (if not nil),
// returning the status.
func (c *Client) Call(method, path string, body, out any, header ...string) int {
	c.t.Helper()
	res := c.Do(method, path, body, header...)
	if out != nil && len(res.Body) > 0 && res.Status < 300 {
		if err := json.Unmarshal(res.Body, out); err != nil {
			c.t.Fatalf("%s %s: decode %s: %v", method, path, res.Body, err)
		}
	}
	return res.Status
}

// ErrorCode returns the code of a JSON error answer, or "" if the body is
// not one.
func ErrorCode(body []byte) string {
	var e struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if json.Unmarshal(body, &e) != nil {
		return ""
	}
	return e.Error.Code
}

// Dial opens a WebSocket to path (with query) on the server.
func (e *Env) Dial(path string, header http.Header) (*websocket.Conn, error) {
	ws, resp, err := websocket.DefaultDialer.Dial("ws://"+e.Addr+path, header)
	if err != nil {
		if resp != nil {
			return nil, fmt.Errorf("dial %s: %w (status %d)", path, err, resp.StatusCode)
		}
		return nil, fmt.Errorf("dial %s: %w", path, err)
	}
	return ws, nil
}

// SyncBuffer collects what a running seira writes (its log, its output)
// while the test reads it.
type SyncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Write appends p to the buffer.
func (b *SyncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String returns what has been written so far.
func (b *SyncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
