package apptest

// What the API tests of several packages share: the JSON shapes they read
// and the requests they make often.

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/seira-queue/seira/auth"
	"github.com/seira-queue/seira/queue"
)

const (
	LoginPath    = "/api/v1/login"
	ServicesPath = "/api/v1/branches/demo/services"
	TicketsPath  = "/api/v1/branches/demo/tickets"
	StatePath    = "/api/v1/branches/demo/state"
)

// CounterAction is a counter action and a body for it.
type CounterAction struct {
	Name string
	Body any
}

// CounterActions are every counter action, with a body that would be
// valid if the counter had a current ticket.
func CounterActions() []CounterAction {
	return []CounterAction{
		{"open", nil}, {"pause", nil}, {"close", nil}, {"next", nil}, {"recall", nil},
		{"start", nil}, {"done", nil}, {"no-show", nil}, {"transfer", map[string]string{"service": "applications"}},
	}
}

// ---------------------------------------------------------------------------
// JSON shapes

// TicketJSON is a Ticket of the API as tests read it.
type TicketJSON struct {
	Number         string            `json:"number"`
	Service        string            `json:"service"`
	ServiceName    map[string]string `json:"service_name"`
	Branch         string            `json:"branch"`
	State          string            `json:"state"`
	Priority       string            `json:"priority"`
	IssuedAt       time.Time         `json:"issued_at"`
	CalledAt       *time.Time        `json:"called_at"`
	Counter        *string           `json:"counter"`
	CounterName    map[string]string `json:"counter_name"`
	Recalls        int               `json:"recalls"`
	Position       int               `json:"position"`
	EstimatedWaitS int               `json:"estimated_wait_s"`
	Token          string            `json:"token"`
	TrackURL       string            `json:"track_url"`
}

// ServiceJSON is a service of the services list or the state.
type ServiceJSON struct {
	ID             string            `json:"id"`
	Name           map[string]string `json:"name"`
	Prefix         string            `json:"prefix"`
	Open           bool              `json:"open"`
	Waiting        int               `json:"waiting"`
	EstimatedWaitS int               `json:"estimated_wait_s"`
}

// CounterJSON is a counter of the state.
type CounterJSON struct {
	ID      string `json:"id"`
	Status  string `json:"status"`
	Clerk   string `json:"clerk"`
	Current *struct {
		Number string `json:"number"`
		State  string `json:"state"`
	} `json:"current"`
}

// CounterResultJSON is a counter action's answer.
type CounterResultJSON struct {
	Counter CounterJSON `json:"counter"`
	Ticket  *TicketJSON `json:"ticket"`
}

// CallJSON is a recent call of the state.
type CallJSON struct {
	Number      string            `json:"number"`
	Service     string            `json:"service"`
	Counter     string            `json:"counter"`
	CounterName map[string]string `json:"counter_name"`
	At          time.Time         `json:"at"`
	Recall      bool              `json:"recall"`
}

// StateJSON is a branch's state (GET …/state).
type StateJSON struct {
	Seq         uint64        `json:"seq"`
	Services    []ServiceJSON `json:"services"`
	Counters    []CounterJSON `json:"counters"`
	RecentCalls []CallJSON    `json:"recent_calls"`
}

// ---------------------------------------------------------------------------
// Helpers

// CounterPath is the path of a counter action.
func CounterPath(branch, counter, action string) string {
	return "/api/v1/branches/" + branch + "/counters/" + counter + "/" + action
}

// IssueTicket takes a ticket for service in branch as c.
func IssueTicket(t *testing.T, c *Client, branch, service string) TicketJSON {
	t.Helper()
	return Issue[TicketJSON](t, c, branch, service)
}

// CheckHolderTicket checks the token and track URL of an issuing answer.
func CheckHolderTicket(t *testing.T, env *Env, tk TicketJSON) {
	t.Helper()
	if len(tk.Token) != 32 {
		t.Errorf("token %q has %d characters, want 32", tk.Token, len(tk.Token))
	}
	if _, err := base64.RawURLEncoding.DecodeString(tk.Token); err != nil {
		t.Errorf("token %q is not base64url: %v", tk.Token, err)
	}
	if !strings.HasSuffix(tk.TrackURL, "/t/"+tk.Token) || !strings.HasPrefix(tk.TrackURL, env.URL+"/") {
		t.Errorf("track_url %q, want %s/t/%s", tk.TrackURL, env.URL, tk.Token)
	}
}

// GetTicket reads a ticket by its token.
func GetTicket(t *testing.T, c *Client, token string) TicketJSON {
	t.Helper()
	res := c.Do("GET", "/api/v1/tickets/"+token, nil)
	if res.Status != http.StatusOK {
		t.Fatalf("ticket: status %d %s", res.Status, Short(res.Body))
	}
	return Decode[TicketJSON](t, res)
}

// GetState reads a branch's state.
func GetState(t *testing.T, c *Client, branch string) StateJSON {
	t.Helper()
	res := c.Do("GET", "/api/v1/branches/"+branch+"/state", nil)
	if res.Status != http.StatusOK {
		t.Fatalf("state: status %d %s", res.Status, Short(res.Body))
	}
	return Decode[StateJSON](t, res)
}

// WaitingOf returns how many wait for service in st.
func WaitingOf(t *testing.T, st StateJSON, service string) int {
	t.Helper()
	for _, s := range st.Services {
		if s.ID == service {
			return s.Waiting
		}
	}
	t.Fatalf("no service %s in state", service)
	return 0
}

// CounterOf returns counter id of st.
func CounterOf(t *testing.T, st StateJSON, id string) CounterJSON {
	t.Helper()
	for _, c := range st.Counters {
		if c.ID == id {
			return c
		}
	}
	t.Fatalf("no counter %s in state", id)
	return CounterJSON{}
}

// CurrentNumber is the number at counter c, or "".
func CurrentNumber(c CounterJSON) string {
	if c.Current == nil {
		return ""
	}
	return c.Current.Number
}

// CreateOtherBranch adds branch "other" with one service and one counter.
func CreateOtherBranch(t *testing.T, env *Env) {
	t.Helper()
	err := env.App.Engine.CreateBranch(context.Background(), "test",
		queue.Branch{ID: "other", Name: queue.Text{"el": "Άλλο ΚΕΠ", "en": "Other office"}},
		[]queue.Service{{ID: "certificates", Prefix: "A", Order: 1, Open: true, Name: queue.Text{"el": "Πιστοποιητικά", "en": "Certificates"}}},
		[]queue.Counter{{ID: "1", Serves: []string{"certificates"}, Name: queue.Text{"el": "Γκισέ 1", "en": "Counter 1"}}})
	if err != nil {
		t.Fatal(err)
	}
}

// Device creates a device of branch and returns a client with its bearer
// token.
func Device(t *testing.T, env *Env, branch string, kind auth.DeviceKind, settings ...string) *Client {
	t.Helper()
	d := auth.Device{Branch: branch, Kind: kind, Name: "test " + string(kind)}
	if len(settings) > 0 {
		d.Settings = json.RawMessage(settings[0])
	}
	_, tok, err := env.App.Auth.CreateDevice(context.Background(), "test", d)
	if err != nil {
		t.Fatal(err)
	}
	c := env.Client()
	c.Token = tok
	return c
}

// SessionCookie returns the session cookie a response sets, or nil.
func SessionCookie(res Response) *http.Cookie {
	for _, ck := range (&http.Response{Header: res.Header}).Cookies() {
		if ck.Name == "seira_session" {
			return ck
		}
	}
	return nil
}

// Ptr reads an optional string.
func Ptr(s *string) string {
	if s == nil {
		return "<nil>"
	}
	return *s
}
