package server_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/seira-queue/seira/app/apptest"
	"github.com/seira-queue/seira/static"
)

type meJSON struct {
	User *struct {
		Username string   `json:"username"`
		Role     string   `json:"role"`
		Branches []string `json:"branches"`
	} `json:"user"`
	Device *struct {
		ID     string `json:"id"`
		Kind   string `json:"kind"`
		Branch string `json:"branch"`
	} `json:"device"`
	CSRF string `json:"csrf_token"`
}

func errorMessage(body []byte) string {
	var e struct {
		Error struct {
			Message string `json:"message"`
		} `json:"error"`
	}
	_ = json.Unmarshal(body, &e)
	return e.Error.Message
}

func checkHTML(t *testing.T, res apptest.Response) {
	t.Helper()
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Errorf("Content-Type %q, want text/html", ct)
	}
	if !bytes.Contains(bytes.ToLower(res.Body[:min(len(res.Body), 512)]), []byte("<!doctype html")) {
		t.Errorf("body does not start as an HTML document: %s", apptest.Short(res.Body))
	}
	if got := res.Header.Get("Referrer-Policy"); got != "no-referrer" {
		t.Errorf("Referrer-Policy %q, want no-referrer", got)
	}
}

// jarSession returns the session cookie a client holds.
func jarSession(t *testing.T, env *apptest.Env, c *apptest.Client) string {
	t.Helper()
	u, err := url.Parse(env.URL)
	if err != nil {
		t.Fatal(err)
	}
	for _, ck := range c.HTTP.Jar.Cookies(u) {
		if ck.Name == "seira_session" {
			return ck.Value
		}
	}
	t.Fatal("client has no session cookie")
	return ""
}

// anyStatic returns the first embedded file matching glob.
func anyStatic(t *testing.T, glob string) string {
	t.Helper()
	names, err := fs.Glob(static.FS(), glob)
	if err != nil || len(names) == 0 {
		t.Fatalf("no static file matches %s (%v)", glob, err)
	}
	return names[0]
}

// rawRequest writes request as is and returns the answer's status.
func rawRequest(t *testing.T, addr, request string) (int, []byte) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(conn, request); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no HTTP answer: %v", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, body
}

const (
	logoutPath = "/api/v1/logout"
	mePath     = "/api/v1/me"
)
