package apptest

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/seira-queue/seira/internal/publicurl"
)

// Short returns b as a string cut to 300 bytes, for failure messages.
func Short(b []byte) string {
	if len(b) > 300 {
		return string(b[:300]) + "…"
	}
	return string(b)
}

// MustStatus fails the test unless res has status want, and returns res.
func MustStatus(t testing.TB, res Response, want int) Response {
	t.Helper()
	if res.Status != want {
		t.Fatalf("status %d, want %d: %s", res.Status, want, Short(res.Body))
	}
	return res
}

// Decode decodes the JSON body of res, failing the test if it cannot.
func Decode[T any](t testing.TB, res Response) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(res.Body, &v); err != nil {
		t.Fatalf("decode %s: %v", Short(res.Body), err)
	}
	return v
}

// JSONKeys returns every object key anywhere in a JSON document.
func JSONKeys(t testing.TB, body []byte) map[string]bool {
	t.Helper()
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatalf("decode %s: %v", Short(body), err)
	}
	keys := map[string]bool{}
	var walk func(any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				keys[k] = true
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(v)
	return keys
}

// WantError checks that res is an error answer with status and code, in
// the shape CheckErrorBody checks.
func WantError(t testing.TB, res Response, status int, code string) {
	t.Helper()
	if res.Status != status {
		t.Errorf("status %d, want %d: %s", res.Status, status, Short(res.Body))
	}
	if got := ErrorCode(res.Body); got != code {
		t.Errorf("error code %q, want %q: %s", got, code, Short(res.Body))
	}
	CheckErrorBody(t, res)
}

// CheckErrorBody checks that an error answer is not a server error and is
// exactly {"error": {"code", "message"}} in JSON, with a message that
// shows nothing of the server's insides.
func CheckErrorBody(t testing.TB, res Response) {
	t.Helper()
	if res.Status >= 500 {
		t.Errorf("server error %d: %s", res.Status, Short(res.Body))
	}
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("error Content-Type %q, want application/json", ct)
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(res.Body, &top); err != nil {
		t.Errorf("error body is not a JSON object: %v: %s", err, Short(res.Body))
		return
	}
	if len(top) != 1 || top["error"] == nil {
		t.Errorf("error body %s: want only an \"error\" member", Short(res.Body))
	}
	var e struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	}
	if err := json.Unmarshal(top["error"], &e); err != nil || e.Code == "" || e.Message == "" {
		t.Errorf("error body %s: want error.code and error.message", Short(res.Body))
	}
	for _, bad := range []string{"goroutine ", ".go:", "panic"} {
		if strings.Contains(e.Message, bad) {
			t.Errorf("error message leaks internals: %q", e.Message)
		}
	}
}

// Ticket is what most tests need of an issued ticket.
type Ticket struct {
	Number   string `json:"number"`
	Token    string `json:"token"`
	TrackURL string `json:"track_url"`
}

// Issue takes a ticket for service in branch as c, failing the test unless
// the answer is 201 Created, and decodes the ticket into a T.
func Issue[T any](t testing.TB, c *Client, branch, service string) T {
	t.Helper()
	res := c.Do("POST", "/api/v1/branches/"+branch+"/tickets", map[string]string{"service": service})
	if res.Status != http.StatusCreated {
		t.Fatalf("issue %s in %s: status %d, want 201: %s", service, branch, res.Status, Short(res.Body))
	}
	return Decode[T](t, res)
}

// Public parses a public URL for a test's configuration, with the network
// address lan (may be "") for requests through a loopback host.
func Public(t testing.TB, public, lan string) publicurl.Base {
	t.Helper()
	b, err := publicurl.Parse(public)
	if err != nil {
		t.Fatal(err)
	}
	return b.WithLAN(lan)
}
