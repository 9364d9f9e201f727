package apiclient

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/seira-queue/seira/app/apptest"
)

// outcome is one call of Observe.
type outcome struct {
	route  string
	status int
	err    error
}

// recorder collects what Observe is told.
type recorder struct {
	mu  sync.Mutex
	got []outcome
}

func (r *recorder) observe(route string, status int, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, outcome{route, status, err})
}

func (r *recorder) last(t *testing.T) outcome {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.got) == 0 {
		t.Fatal("Observe was not called")
	}
	return r.got[len(r.got)-1]
}

func (r *recorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.got)
}

// TestAgainstSeira speaks to a whole seira: errors come decoded, sign-in
// keeps the session and its CSRF token (a cookie session's write without
// it is refused), headers and pre-encoded bodies go through, and Open
// streams an answer.
func TestAgainstSeira(t *testing.T) {
	env := apptest.Start(t)
	ctx := t.Context()
	var rec recorder
	c := New(env.URL+"/", Options{Observe: rec.observe})
	defer c.Close()
	issue := map[string]string{"service": "certificates"}

	_, err := c.Do(ctx, http.MethodPost, "/api/v1/branches/demo/tickets", "POST /tickets", issue, nil)
	var ae *Error
	if !errors.As(err, &ae) || ae.Status != http.StatusUnauthorized || ae.Code != "unauthenticated" || StatusOf(err) != 401 ||
		!strings.HasPrefix(err.Error(), "POST /tickets: status 401 unauthenticated") {
		t.Fatalf("issue before sign-in: %v", err)
	}
	if o := rec.last(t); o.route != "POST /tickets" || o.status != 401 || !errors.As(o.err, &ae) {
		t.Errorf("observed %+v", o)
	}

	if err := c.Login(ctx, "admin", "wrong-password"); err == nil || StatusOf(err) != 401 || !strings.Contains(err.Error(), "sign in as admin") {
		t.Fatalf("sign-in with a wrong password: %v", err)
	}
	if err := c.Login(ctx, "admin", apptest.AdminPassword); err != nil {
		t.Fatal(err)
	}

	// A write: the server refuses a cookie session's write without the
	// session's CSRF token.
	var tk struct{ Number, Token string }
	st, err := c.Do(ctx, http.MethodPost, "/api/v1/branches/demo/tickets", "POST /tickets", issue, &tk)
	if err != nil || st != http.StatusCreated || tk.Number == "" || tk.Token == "" {
		t.Fatalf("issue: %d %v %+v", st, err, tk)
	}
	if o := rec.last(t); o.route != "POST /tickets" || o.status != 201 || o.err != nil {
		t.Errorf("observed %+v", o)
	}
	var got struct{ Number string }
	if st, err := c.Do(ctx, http.MethodGet, "/api/v1/tickets/"+tk.Token, "GET /tickets/{token}", nil, &got); err != nil || st != 200 || got.Number != tk.Number {
		t.Fatalf("read back: %d %v %+v, want %s", st, err, got, tk.Number)
	}

	// A body already encoded goes as it is; one idempotency key gets one
	// ticket.
	h := http.Header{"Idempotency-Key": {"apiclient-test-1"}}
	body := []byte(`{"service":"signatures"}`)
	var first, again struct{ Number string }
	if _, err := c.DoHeader(ctx, http.MethodPost, "/api/v1/branches/demo/tickets", "POST /tickets", h, body, &first); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DoHeader(ctx, http.MethodPost, "/api/v1/branches/demo/tickets", "POST /tickets", h, body, &again); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(first.Number, "B") || again.Number != first.Number {
		t.Errorf("issued %s then %s with one idempotency key", first.Number, again.Number)
	}

	if _, err := c.Do(ctx, http.MethodGet, "/api/v1/tickets/no-such-token", "GET /tickets/{token}", nil, &got); StatusOf(err) != 404 ||
		!errors.As(err, &ae) || ae.Code != "not_found" {
		t.Errorf("unknown ticket: %v", err)
	}

	resp, err := c.Open(ctx, "/api/v1/backup", "GET /backup")
	if err != nil {
		t.Fatal(err)
	}
	n, err := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if err != nil || n == 0 {
		t.Errorf("backup: %d bytes, %v", n, err)
	}
	if _, err := c.Open(ctx, "/api/v1/no-such-thing", "GET nothing"); StatusOf(err) != 404 {
		t.Errorf("Open of a missing path: %v", err)
	}
}

// TestForeignAnswers covers what a server other than seira's API may
// answer, and no answer at all.
func TestForeignAnswers(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/gateway", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "  bad gateway "+strings.Repeat("x", 500), http.StatusBadGateway)
	})
	mux.HandleFunc("/moved", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/gateway", http.StatusFound)
	})
	mux.HandleFunc("/empty", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Content-Type") != "" || r.ContentLength > 0 {
			t.Errorf("a request with no body came with %q, %d bytes", r.Header.Get("Content-Type"), r.ContentLength)
		}
		w.WriteHeader(http.StatusNoContent)
	})
	srv := httptest.NewServer(mux)
	var rec recorder
	c := New(srv.URL, Options{Observe: rec.observe})
	defer c.Close()
	ctx := t.Context()

	// A page that is not the API's error body is kept, shortened, as the
	// message.
	_, err := c.Do(ctx, http.MethodGet, "/gateway", "GET gateway", nil, nil)
	var ae *Error
	if !errors.As(err, &ae) || ae.Status != 502 || ae.Code != "" || !strings.HasPrefix(ae.Message, "bad gateway xxx") || len(ae.Message) > maxMessage {
		t.Errorf("502 page: %#v", err)
	}
	// A redirect is reported, not followed.
	if st, err := c.Do(ctx, http.MethodGet, "/moved", "GET moved", nil, nil); st != http.StatusFound || StatusOf(err) != http.StatusFound {
		t.Errorf("redirect: %d %v", st, err)
	}
	var out struct{}
	if st, err := c.Do(ctx, http.MethodPost, "/empty", "POST empty", []byte(nil), &out); st != http.StatusNoContent || err != nil {
		t.Errorf("204: %d %v", st, err)
	}

	// No answer: observed with status 0, unless the caller ended ctx.
	srv.Close()
	if _, err := c.Do(ctx, http.MethodGet, "/empty", "GET empty", nil, nil); err == nil || !strings.HasPrefix(err.Error(), "GET empty: ") {
		t.Errorf("closed server: %v", err)
	}
	if o := rec.last(t); o.route != "GET empty" || o.status != 0 || o.err == nil {
		t.Errorf("observed %+v", o)
	}
	before := rec.count()
	ended, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := c.Do(ended, http.MethodGet, "/empty", "GET empty", nil, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("ended context: %v", err)
	}
	if rec.count() != before {
		t.Errorf("a request the caller cancelled was observed: %+v", rec.last(t))
	}
}
