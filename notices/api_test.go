package notices_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/seira-queue/seira/app"
	"github.com/seira-queue/seira/app/apptest"
	"github.com/seira-queue/seira/auth"
	"github.com/seira-queue/seira/internal/clocktest"
)

const path = "/api/v1/branches/demo/announcements"

type announcementJSON struct {
	ID        uint64            `json:"id"`
	Text      map[string]string `json:"text"`
	To        string            `json:"to"`
	At        time.Time         `json:"at"`
	ExpiresAt time.Time         `json:"expires_at"`
	By        string            `json:"by"`
}

type eventJSON struct {
	Seq     uint64 `json:"seq"`
	Type    string `json:"type"`
	Actor   string `json:"actor"`
	Subject string `json:"subject"`
	Detail  struct {
		Text map[string]string `json:"text"`
	} `json:"detail"`
}

// TestPostListWithdraw: a manager posts (201 with the announcement),
// staff list it, the public state carries it without who posted it, the
// audit trail records posting and withdrawal with who did them, and it
// leaves the state at its expiry by the server's clock.
func TestPostListWithdraw(t *testing.T) {
	clk := clocktest.New(time.Date(2026, 12, 7, 8, 0, 0, 0, time.UTC)) // 10:00 in Athens
	env := apptest.Start(t, func(c *app.Config) { c.Now = clk.Now })
	mgr := env.User("notice.mgr", auth.RoleManager, "demo")
	clerk := env.User("notice.clerk", auth.RoleClerk, "demo")

	res := apptest.MustStatus(t, mgr.Do("POST", path, map[string]any{
		"text": map[string]string{"el": "Το σύστημα της εφορίας δεν λειτουργεί", "en": "The tax system is down"},
		"to":   "waiting", "minutes": 30}), http.StatusCreated)
	keys := apptest.JSONKeys(t, res.Body)
	for _, k := range []string{"id", "text", "to", "at", "expires_at", "by"} {
		if !keys[k] {
			t.Errorf("the answer has no %q: %s", k, res.Body)
		}
	}
	a := apptest.Decode[announcementJSON](t, res)
	if a.ID == 0 || a.To != "waiting" || a.By != "notice.mgr" || a.Text["en"] != "The tax system is down" ||
		!a.At.Equal(clk.Now()) || !a.ExpiresAt.Equal(clk.Now().Add(30*time.Minute)) {
		t.Fatalf("posted: %+v", a)
	}
	if !strings.Contains(string(res.Body), `"expires_at":"2026-12-07T10:30:00+02:00"`) {
		t.Errorf("expires_at is not in the branch's time zone: %s", res.Body)
	}
	// An expiry given as a time.
	b := apptest.Decode[announcementJSON](t, apptest.MustStatus(t, mgr.Do("POST", path, map[string]any{
		"text": map[string]string{"el": "Κλείνουμε στις 13:00"}, "expires_at": "2026-12-07T13:00:00+02:00"}), http.StatusCreated))
	if !b.ExpiresAt.Equal(time.Date(2026, 12, 7, 11, 0, 0, 0, time.UTC)) || b.To != "waiting" {
		t.Fatalf("with expires_at: %+v", b)
	}

	// Staff list the active ones, with who posted them.
	var list struct {
		Announcements []announcementJSON `json:"announcements"`
	}
	if st := clerk.Call("GET", path, nil, &list); st != http.StatusOK || len(list.Announcements) != 2 ||
		list.Announcements[0].ID != a.ID || list.Announcements[0].By != "notice.mgr" {
		t.Fatalf("list: %d %+v", st, list)
	}
	// The public state carries them, without who posted them.
	res = apptest.MustStatus(t, env.Client().Do("GET", "/api/v1/branches/demo/state", nil), http.StatusOK)
	if !strings.Contains(string(res.Body), "The tax system is down") || strings.Contains(string(res.Body), "notice.mgr") {
		t.Fatalf("public state: %s", apptest.Short(res.Body))
	}

	// Withdrawn: gone from the list; a second withdrawal is a 404.
	apptest.MustStatus(t, mgr.Do("DELETE", path+"/"+strconv.FormatUint(a.ID, 10), nil), http.StatusNoContent)
	apptest.WantError(t, mgr.Do("DELETE", path+"/"+strconv.FormatUint(a.ID, 10), nil), http.StatusNotFound, "not_found")
	apptest.WantError(t, mgr.Do("DELETE", path+"/x1", nil), http.StatusNotFound, "not_found")
	if clerk.Call("GET", path, nil, &list); len(list.Announcements) != 1 || list.Announcements[0].ID != b.ID {
		t.Fatalf("after the withdrawal: %+v", list)
	}

	// The audit trail: who posted what, who withdrew it.
	var evs struct {
		Events []eventJSON `json:"events"`
	}
	if st := mgr.Call("GET", "/api/v1/branches/demo/events?limit=5000", nil, &evs); st != http.StatusOK {
		t.Fatalf("events: %d", st)
	}
	var posted, withdrawn bool
	for _, ev := range evs.Events {
		switch {
		case ev.Type == "announcement.posted" && ev.Subject == strconv.FormatUint(a.ID, 10):
			posted = ev.Actor == "notice.mgr" && ev.Detail.Text["el"] == "Το σύστημα της εφορίας δεν λειτουργεί"
		case ev.Type == "announcement.withdrawn" && ev.Subject == strconv.FormatUint(a.ID, 10):
			withdrawn = ev.Actor == "notice.mgr"
		}
	}
	if !posted || !withdrawn {
		t.Fatalf("audit trail: posted %v, withdrawn %v: %+v", posted, withdrawn, evs.Events)
	}

	// At its expiry (13:00 Athens) the other one leaves the state.
	clk.Set(time.Date(2026, 12, 7, 11, 0, 0, 0, time.UTC))
	res = apptest.MustStatus(t, env.Client().Do("GET", "/api/v1/branches/demo/state", nil), http.StatusOK)
	if !strings.Contains(string(res.Body), `"announcements":[]`) {
		t.Fatalf("the state after the expiry: %s", apptest.Short(res.Body))
	}
	if clerk.Call("GET", path, nil, &list); len(list.Announcements) != 0 {
		t.Fatalf("listed after the expiry: %+v", list)
	}
}

// TestWhoMayAnnounce: managers of the branch and administrators post and
// withdraw; clerks only read; others are refused.
func TestWhoMayAnnounce(t *testing.T) {
	env := apptest.Start(t)
	apptest.CreateOtherBranch(t, env)
	admin := env.Admin()
	clerk := env.User("who.clerk", auth.RoleClerk, "demo")
	other := env.User("who.other", auth.RoleManager, "other")
	anon := env.Client()
	body := map[string]any{"text": map[string]string{"en": "Hello"}}
	apptest.WantError(t, anon.Do("POST", path, body), http.StatusUnauthorized, "unauthenticated")
	apptest.WantError(t, clerk.Do("POST", path, body), http.StatusForbidden, "forbidden")
	apptest.WantError(t, other.Do("POST", path, body), http.StatusForbidden, "forbidden")
	apptest.WantError(t, anon.Do("GET", path, nil), http.StatusUnauthorized, "unauthenticated")
	apptest.WantError(t, other.Do("GET", path, nil), http.StatusForbidden, "forbidden")
	a := apptest.Decode[announcementJSON](t, apptest.MustStatus(t, admin.Do("POST", path, body), http.StatusCreated))
	id := path + "/" + strconv.FormatUint(a.ID, 10)
	apptest.WantError(t, clerk.Do("DELETE", id, nil), http.StatusForbidden, "forbidden")
	apptest.WantError(t, other.Do("DELETE", id, nil), http.StatusForbidden, "forbidden")
	apptest.MustStatus(t, clerk.Do("GET", path, nil), http.StatusOK)
	apptest.MustStatus(t, admin.Do("DELETE", id, nil), http.StatusNoContent)
	apptest.WantError(t, admin.Do("POST", "/api/v1/branches/nope/announcements", body), http.StatusNotFound, "not_found")
}

// TestBadAnnouncements: each bad posting is a JSON error with its status,
// never a 500, and none is stored.
func TestBadAnnouncements(t *testing.T) {
	env := apptest.Start(t)
	admin := env.Admin()
	text := map[string]string{"en": "Hello"}
	cases := []struct {
		name   string
		body   any
		status int
		code   string
	}{
		{"no text", map[string]any{"to": "waiting"}, 422, "invalid_announcement"},
		{"empty text", map[string]any{"text": map[string]string{"el": " "}}, 422, "invalid_announcement"},
		{"too long", map[string]any{"text": map[string]string{"el": strings.Repeat("ω", 281)}}, 422, "invalid_announcement"},
		{"another language", map[string]any{"text": map[string]string{"fr": "Bonjour"}}, 422, "invalid_announcement"},
		{"another audience", map[string]any{"text": text, "to": "counters"}, 422, "invalid_announcement"},
		{"in the past", map[string]any{"text": text, "expires_at": "2020-01-01T00:00:00Z"}, 422, "invalid_announcement"},
		{"next week", map[string]any{"text": text, "minutes": 7 * 24 * 60}, 422, "invalid_announcement"},
		{"no minutes", map[string]any{"text": text, "minutes": 0}, 422, "invalid_announcement"},
		{"both expiries", map[string]any{"text": text, "minutes": 5, "expires_at": "2099-01-01T00:00:00Z"}, 422, "invalid_announcement"},
		{"not a time", map[string]any{"text": text, "expires_at": "tomorrow"}, 422, "invalid_announcement"},
		{"text not an object", map[string]any{"text": "Hello"}, 400, "bad_request"},
		{"unknown field", map[string]any{"text": text, "colour": "red"}, 400, "bad_request"},
		{"not JSON", "{", 400, "bad_request"},
		{"too large", map[string]any{"text": map[string]string{"en": strings.Repeat("x", 70<<10)}}, 413, "too_large"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			apptest.WantError(t, admin.Do("POST", path, c.body), c.status, c.code)
		})
	}
	var list struct {
		Announcements []announcementJSON `json:"announcements"`
	}
	if admin.Call("GET", path, nil, &list); len(list.Announcements) != 0 {
		t.Fatalf("refused postings were stored: %+v", list)
	}
}
