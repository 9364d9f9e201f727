package admin_test

// HTTP tests of the administration API (API.md "Sign-in and
// administration") against a whole server: apptest.Start runs seira on
// 127.0.0.1 with a real bbolt file. Every test starts its own server, so
// tests run in parallel and never see each other's changes.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	bolt "go.etcd.io/bbolt"

	"github.com/seira-queue/seira/app"
	"github.com/seira-queue/seira/app/apptest"
	"github.com/seira-queue/seira/auth"
	"github.com/seira-queue/seira/engine"
	"github.com/seira-queue/seira/internal/clocktest"
	"github.com/seira-queue/seira/queue"
)

const (
	demoPath    = "/api/v1/branches/demo"
	ticketsPath = demoPath + "/tickets"
	eventsPath  = demoPath + "/events?limit=5000"
)

// fixture is a server with branch "other" (made through the API) and a
// clerk and a manager of demo and a manager of other.
type fixture struct {
	env                               *apptest.Env
	anon, clerk, otherMgr, mgr, admin *apptest.Client
}

func newFixture(t *testing.T, change ...func(*app.Config)) *fixture {
	t.Helper()
	env := apptest.Start(t, change...)
	f := &fixture{env: env, anon: env.Client(), admin: env.Admin()}
	createOther(t, f.admin)
	f.clerk = env.User("demo.clerk", auth.RoleClerk, "demo")
	f.mgr = env.User("demo.mgr", auth.RoleManager, "demo")
	f.otherMgr = env.User("other.mgr", auth.RoleManager, "other")
	return f
}

// otherBranch is the body that creates branch "other".
func otherBranch() map[string]any {
	return map[string]any{
		"id":   "other",
		"name": map[string]string{"el": "Άλλο ΚΕΠ", "en": "Other office"},
		"services": []map[string]any{{"id": "certificates", "prefix": "A", "order": 1, "open": true,
			"name": map[string]string{"el": "Πιστοποιητικά", "en": "Certificates"}}},
		"counters": []map[string]any{{"id": "1", "serves": []string{"certificates"}}},
	}
}

// createOther creates branch "other" through POST /api/v1/branches.
func createOther(t *testing.T, admin *apptest.Client) {
	t.Helper()
	res := apptest.MustStatus(t, admin.Do("POST", "/api/v1/branches", otherBranch()), http.StatusCreated)
	s := apptest.Decode[settingsJSON](t, res)
	if s.Branch.ID != "other" || s.Branch.Name["el"] != "Άλλο ΚΕΠ" || s.Branch.TimeZone != "Europe/Athens" ||
		len(s.Services) != 1 || s.Services[0].ID != "certificates" || len(s.Counters) != 1 || s.Counters[0].ID != "1" {
		t.Fatalf("created branch: %s", apptest.Short(res.Body))
	}
	if s.Counters[0].Status != "closed" || s.Counters[0].Name["el"] == "" {
		t.Errorf("a new counter should be closed with a default name: %+v", s.Counters[0])
	}
}

// ---------------------------------------------------------------------------
// 1. Who may do what

func TestRoleMatrix(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	eng, au := f.env.App.Engine, f.env.App.Auth
	today := athensToday()

	n := 0
	fresh := func(prefix string) string { n++; return fmt.Sprintf("%s%d", prefix, n) }
	freshPrefix := func() string { n++; return "Q" + string(rune('A'+n/26%26)) + string(rune('A'+n%26)) }
	freshService := func(t *testing.T) string {
		id := fresh("svc")
		if _, err := eng.PutService(ctx, "test", "demo", queue.Service{ID: id, Prefix: freshPrefix(), Open: true,
			Name: queue.Text{"el": "Υπηρεσία " + id}}); err != nil {
			t.Fatal(err)
		}
		return id
	}
	freshCounter := func(t *testing.T) string {
		id := fresh("c")
		if _, err := eng.PutCounter(ctx, "test", "demo", queue.Counter{ID: id, Serves: []string{"certificates"}}); err != nil {
			t.Fatal(err)
		}
		return id
	}
	freshUser := func(t *testing.T) string {
		name := fresh("matrix.user")
		if _, err := au.PutUser(ctx, "test", auth.User{Username: name, Role: auth.RoleClerk, Branches: []string{"demo"}}, "password-of-"+name); err != nil {
			t.Fatal(err)
		}
		return name
	}
	freshDevice := func(t *testing.T) string {
		d, _, err := au.CreateDevice(ctx, "test", auth.Device{Branch: "demo", Kind: auth.DeviceKiosk, Name: "matrix kiosk"})
		if err != nil {
			t.Fatal(err)
		}
		return d.ID
	}
	// Deleting demo itself would end the test: the administrator deletes
	// a branch made for the purpose, everyone else tries demo.
	if err := eng.CreateBranch(ctx, "test", queue.Branch{ID: "doomed", Name: queue.Text{"el": "Προς διαγραφή"}}, nil, nil); err != nil {
		t.Fatal(err)
	}

	type request struct {
		method, path string
		body         any
	}
	fixed := func(method, path string, body any) func(*testing.T, string) request {
		return func(*testing.T, string) request { return request{method, path, body} }
	}
	demoBranch := map[string]any{"name": map[string]string{"el": "ΚΕΠ Επίδειξης", "en": "Demo KEP office"}}
	certificates := map[string]any{"name": map[string]string{"el": "Πιστοποιητικά - Βεβαιώσεις", "en": "Certificates"},
		"prefix": "A", "order": 1, "open": true, "default_service_s": 240, "target_wait_s": 900}
	counter1 := map[string]any{"name": map[string]string{"el": "Γκισέ 1", "en": "Counter 1"}, "serves": []string{"certificates", "signatures"}}

	const (
		anon     = "anonymous"
		clerk    = "clerk of demo"
		otherMgr = "manager of other"
		mgr      = "manager of demo"
		admin    = "admin"
	)
	roles := []struct {
		name string
		c    *apptest.Client
	}{{anon, f.anon}, {clerk, f.clerk}, {otherMgr, f.otherMgr}, {mgr, f.mgr}, {admin, f.admin}}

	// Integrations' API tokens: each scope alone in demo, scopes that let
	// in nowhere here, every scope in the wrong branch, every scope in all
	// branches, and a revoked one. A token passes a row only with the
	// row's scope in demo; it never reaches people's, devices' or tokens'
	// administration.
	type tokenRole struct {
		branch  string
		scopes  []auth.Scope
		revoked bool
	}
	tokenRoles := map[string]tokenRole{
		"token tickets:write of demo":       {"demo", []auth.Scope{auth.ScopeTicketsWrite}, false},
		"token appointments:write of demo":  {"demo", []auth.Scope{auth.ScopeAppointmentsWrite}, false},
		"token events:read of demo":         {"demo", []auth.Scope{auth.ScopeEventsRead}, false},
		"token stats:read of demo":          {"demo", []auth.Scope{auth.ScopeStatsRead}, false},
		"token waits, webhooks of all":      {"", []auth.Scope{auth.ScopeWaitsRead, auth.ScopeWebhooksWrite}, false},
		"token every scope of other":        {"other", auth.AllScopes(), false},
		"token every scope of all":          {"", auth.AllScopes(), false},
		"revoked token every scope of demo": {"demo", auth.AllScopes(), true},
	}
	for _, name := range slices.Sorted(maps.Keys(tokenRoles)) {
		tr := tokenRoles[name]
		tok, secret, err := au.CreateToken(ctx, "test", auth.APIToken{Name: name, Branch: tr.branch, Scopes: tr.scopes})
		if err != nil {
			t.Fatal(err)
		}
		if tr.revoked {
			if _, err := au.RevokeToken(ctx, "test", tok.ID); err != nil {
				t.Fatal(err)
			}
		}
		c := f.env.Client()
		c.Token = secret
		roles = append(roles, struct {
			name string
			c    *apptest.Client
		}{name, c})
	}
	// The branch shows at most 10 announcements: every role's try
	// starts from none, whoever was refused before.
	clearAnnouncements := func(t *testing.T) {
		t.Helper()
		list, _, err := eng.Announcements(ctx, "demo")
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range list {
			if err := eng.WithdrawAnnouncement(ctx, "demo", "test", a.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	freshToken := func(t *testing.T, branch string) string {
		tok, _, err := au.CreateToken(ctx, "test", auth.APIToken{Name: fresh("matrix token "), Branch: branch, Scopes: []auth.Scope{auth.ScopeStatsRead}})
		if err != nil {
			t.Fatal(err)
		}
		return tok.ID
	}
	// Everyone may read a branch's state and open its live channel: the
	// request without an upgrade is a 400 for whoever passes.
	public := map[string]int{anon: 200, clerk: 200, otherMgr: 200}
	wsOnly := map[string]int{anon: 400, clerk: 400, otherMgr: 400}

	rows := []struct {
		name      string
		ok        int  // the status of a permitted call
		adminOnly bool // managers of the branch may not
		make      func(t *testing.T, role string) request
		want      map[string]int // exceptions to the rule
		scope     auth.Scope     // the scope that lets a token of demo in ("" none)
	}{
		// Every signed-in user lists the branches they work in (see TestBranchList).
		{name: "GET /branches", ok: 200, make: fixed("GET", "/api/v1/branches", nil), want: map[string]int{clerk: 200, otherMgr: 200}},
		{name: "POST /branches", ok: 201, adminOnly: true, make: func(*testing.T, string) request {
			id := fresh("new-")
			return request{"POST", "/api/v1/branches", map[string]any{"id": id, "name": map[string]string{"el": "Νέο " + id}}}
		}},
		{name: "GET settings", ok: 200, make: fixed("GET", demoPath+"/settings", nil)},
		{name: "PUT branch", ok: 200, make: fixed("PUT", demoPath, demoBranch)},
		{name: "POST service", ok: 201, make: func(*testing.T, string) request {
			id := fresh("svc")
			return request{"POST", demoPath + "/services", map[string]any{"id": id, "prefix": freshPrefix(), "open": true,
				"name": map[string]string{"el": "Υπηρεσία " + id}}}
		}},
		{name: "PUT service", ok: 200, make: fixed("PUT", demoPath+"/services/certificates", certificates)},
		{name: "DELETE service", ok: 204, make: func(t *testing.T, _ string) request {
			return request{"DELETE", demoPath + "/services/" + freshService(t), nil}
		}},
		{name: "GET counters", ok: 200, make: fixed("GET", demoPath+"/counters", nil)},
		{name: "POST counter", ok: 201, make: func(*testing.T, string) request {
			return request{"POST", demoPath + "/counters", map[string]any{"id": fresh("c"), "serves": []string{"certificates"}}}
		}},
		{name: "PUT counter", ok: 200, make: fixed("PUT", demoPath+"/counters/1", counter1)},
		{name: "DELETE counter", ok: 204, make: func(t *testing.T, _ string) request {
			return request{"DELETE", demoPath + "/counters/" + freshCounter(t), nil}
		}},
		{name: "GET /users", ok: 200, adminOnly: true, make: fixed("GET", "/api/v1/users", nil)},
		{name: "GET branch users", ok: 200, make: fixed("GET", demoPath+"/users", nil)},
		{name: "POST branch user", ok: 201, make: func(*testing.T, string) request {
			name := fresh("new.user")
			return request{"POST", demoPath + "/users", map[string]any{"username": name, "role": "clerk", "password": "password-of-" + name}}
		}},
		{name: "PUT user", ok: 200, make: func(t *testing.T, _ string) request {
			return request{"PUT", "/api/v1/users/" + freshUser(t), map[string]any{"name": "Renamed"}}
		}},
		{name: "DELETE user", ok: 204, make: func(t *testing.T, _ string) request {
			return request{"DELETE", "/api/v1/users/" + freshUser(t), nil}
		}},
		{name: "GET devices", ok: 200, make: fixed("GET", demoPath+"/devices", nil)},
		{name: "POST device", ok: 201, make: fixed("POST", demoPath+"/devices", map[string]any{"kind": "kiosk", "name": "Kiosk"})},
		{name: "PUT device", ok: 200, make: func(t *testing.T, _ string) request {
			return request{"PUT", demoPath + "/devices/" + freshDevice(t), map[string]any{"name": "Renamed kiosk"}}
		}},
		{name: "DELETE device", ok: 204, make: func(t *testing.T, _ string) request {
			return request{"DELETE", demoPath + "/devices/" + freshDevice(t), nil}
		}},
		{name: "POST device pairing", ok: 200, make: func(t *testing.T, _ string) request {
			return request{"POST", demoPath + "/devices/" + freshDevice(t) + "/pairing", nil}
		}},
		{name: "GET overview", ok: 200, make: fixed("GET", demoPath+"/overview", nil)},
		{name: "GET stats", ok: 200, make: fixed("GET", demoPath+"/stats?from="+today+"&to="+today, nil), scope: auth.ScopeStatsRead},
		{name: "GET stats CSV", ok: 200, make: fixed("GET", demoPath+"/stats?format=csv&from="+today+"&to="+today, nil), scope: auth.ScopeStatsRead},
		{name: "GET events", ok: 200, make: fixed("GET", demoPath+"/events", nil), scope: auth.ScopeEventsRead},

		// The faces integrations use.
		{name: "POST ticket", ok: 201, make: fixed("POST", ticketsPath, map[string]any{"service": "certificates"}),
			want: map[string]int{clerk: 201}, scope: auth.ScopeTicketsWrite},
		{name: "GET state", ok: 200, make: fixed("GET", demoPath+"/state", nil), want: public, scope: auth.ScopeEventsRead},
		{name: "GET live", ok: 400, make: fixed("GET", demoPath+"/live", nil), want: wsOnly, scope: auth.ScopeEventsRead},
		{name: "POST appointments import", ok: 200, make: fixed("POST", demoPath+"/appointments/import", []any{}),
			scope: auth.ScopeAppointmentsWrite},
		// Whoever may look an appointment up learns that this one does not exist.
		{name: "GET appointment", ok: 404, make: fixed("GET", demoPath+"/appointments/NOSUCH", nil),
			want: map[string]int{clerk: 404}, scope: auth.ScopeAppointmentsWrite},
		{name: "DELETE appointment", ok: 404, make: fixed("DELETE", demoPath+"/appointments/NOSUCH", nil),
			want: map[string]int{clerk: 404}, scope: auth.ScopeAppointmentsWrite},
		{name: "GET appointments of a day", ok: 200, make: fixed("GET", demoPath+"/appointments?date="+today, nil),
			want: map[string]int{clerk: 200}},

		// Who is signed in, and the rules of the forms: people only.
		{name: "GET /me", ok: 200, make: fixed("GET", "/api/v1/me", nil), want: map[string]int{clerk: 200, otherMgr: 200}},
		{name: "GET /rules", ok: 200, make: fixed("GET", "/api/v1/rules", nil), want: map[string]int{clerk: 200, otherMgr: 200}},

		// API tokens: managers for their branches, administrators for all.
		{name: "GET /tokens", ok: 200, make: fixed("GET", "/api/v1/tokens", nil), want: map[string]int{otherMgr: 200}},
		{name: "POST token of demo", ok: 201, make: func(*testing.T, string) request {
			return request{"POST", "/api/v1/tokens", map[string]any{"name": fresh("integration "), "branch": "demo", "scopes": []string{"tickets:write"}}}
		}},
		{name: "POST token of all branches", ok: 201, adminOnly: true, make: func(*testing.T, string) request {
			return request{"POST", "/api/v1/tokens", map[string]any{"name": fresh("integration "), "scopes": []string{"stats:read"}}}
		}},
		{name: "DELETE token of demo", ok: 204, make: func(t *testing.T, _ string) request {
			return request{"DELETE", "/api/v1/tokens/" + freshToken(t, "demo"), nil}
		}},
		{name: "DELETE token of all branches", ok: 204, adminOnly: true, make: func(t *testing.T, _ string) request {
			return request{"DELETE", "/api/v1/tokens/" + freshToken(t, ""), nil}
		}},
		// Webhooks: managers of the branch, and tokens with webhooks:write.
		{name: "GET webhooks", ok: 200, scope: auth.ScopeWebhooksWrite, make: fixed("GET", demoPath+"/webhooks", nil)},
		{name: "POST webhook", ok: 201, scope: auth.ScopeWebhooksWrite, make: fixed("POST", demoPath+"/webhooks",
			map[string]any{"url": "https://93.184.215.14/seira", "events": []string{"ticket.called"}})},
		{name: "DELETE webhook", ok: 204, scope: auth.ScopeWebhooksWrite, make: func(t *testing.T, _ string) request {
			w := apptest.Decode[struct {
				ID string `json:"id"`
			}](t, apptest.MustStatus(t, f.admin.Do("POST", demoPath+"/webhooks",
				map[string]any{"url": "https://93.184.215.14/gone", "events": []string{"ticket.issued"}}), http.StatusCreated))
			return request{"DELETE", demoPath + "/webhooks/" + w.ID, nil}
		}},
		{name: "GET /backup", ok: 200, adminOnly: true, make: fixed("GET", "/api/v1/backup", nil)},
		// Announcements to the waiting: managers post and withdraw, staff read.
		{name: "POST announcement", ok: 201, make: func(t *testing.T, _ string) request {
			clearAnnouncements(t)
			return request{"POST", demoPath + "/announcements", map[string]any{"text": map[string]string{"en": "Matrix"}}}
		}},
		{name: "GET announcements", ok: 200, make: fixed("GET", demoPath+"/announcements", nil), want: map[string]int{clerk: 200}},
		{name: "DELETE announcement", ok: 204, make: func(t *testing.T, _ string) request {
			clearAnnouncements(t)
			a, err := eng.PostAnnouncement(ctx, "demo", "test", engine.AnnouncementRequest{Text: queue.Text{"en": "Matrix"}})
			if err != nil {
				t.Fatal(err)
			}
			return request{"DELETE", demoPath + "/announcements/" + strconv.FormatUint(a.ID, 10), nil}
		}},
		// Last: the administrator really deletes a branch.
		{name: "DELETE branch", ok: 204, adminOnly: true, make: func(_ *testing.T, role string) request {
			if role == admin {
				return request{"DELETE", "/api/v1/branches/doomed?confirm=doomed", nil}
			}
			return request{"DELETE", demoPath + "?confirm=demo", nil}
		}},
	}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			for _, role := range roles {
				want := row.ok
				switch {
				case role.name == anon:
					want = http.StatusUnauthorized
				case role.name == clerk || role.name == otherMgr:
					want = http.StatusForbidden
				case role.name == mgr && row.adminOnly:
					want = http.StatusForbidden
				}
				if w, ok := row.want[role.name]; ok {
					want = w
				}
				if tr, ok := tokenRoles[role.name]; ok {
					switch {
					case tr.revoked:
						want = http.StatusUnauthorized
					case row.scope != "" && slices.Contains(tr.scopes, row.scope) && (tr.branch == "" || tr.branch == "demo"):
						want = row.ok
					default:
						want = http.StatusForbidden
					}
				}
				r := row.make(t, role.name)
				res := role.c.Do(r.method, r.path, r.body)
				switch {
				case res.Status != want:
					t.Errorf("%s: %s %s: status %d, want %d: %s", role.name, r.method, r.path, res.Status, want, apptest.Short(res.Body))
				case want == http.StatusUnauthorized:
					apptest.WantError(t, res, want, "unauthenticated")
				case want == http.StatusForbidden:
					apptest.WantError(t, res, want, "forbidden")
				}
			}
		})
	}
	// The live channel itself, over a real WebSocket: a token needs
	// events:read in the branch to open it.
	for _, r := range roles {
		tr, ok := tokenRoles[r.name]
		if !ok {
			continue
		}
		ws, err := f.env.Dial(demoPath+"/live", http.Header{"Authorization": {"Bearer " + r.c.Token}})
		may := !tr.revoked && slices.Contains(tr.scopes, auth.ScopeEventsRead) && tr.branch != "other"
		switch {
		case may && err != nil:
			t.Errorf("%s: live: %v", r.name, err)
		case may:
			if msg := readLive(t, ws); msg.Type != "snapshot" {
				t.Errorf("%s: live sent %q first", r.name, msg.Type)
			}
			ws.Close()
		case err == nil:
			ws.Close()
			t.Errorf("%s: opened the live channel", r.name)
		}
	}

	// The permitted calls did what they said.
	var list struct {
		Tokens []struct {
			Name, Branch string
			LastUsedAt   *time.Time `json:"last_used_at"`
			RevokedAt    *time.Time `json:"revoked_at"`
		}
	}
	// The tokens' uses are on the admin list, the revoked one's none.
	if err := au.FlushUses(ctx); err != nil {
		t.Fatal(err)
	}
	f.admin.Call("GET", "/api/v1/tokens", nil, &list)
	seen := 0
	for _, tk := range list.Tokens {
		tr, ok := tokenRoles[tk.Name]
		if !ok {
			continue
		}
		seen++
		if tr.revoked != (tk.RevokedAt != nil) || tr.revoked != (tk.LastUsedAt == nil) {
			t.Errorf("%s on the list: last used %v, revoked %v", tk.Name, tk.LastUsedAt, tk.RevokedAt)
		}
	}
	if seen != len(tokenRoles) {
		t.Errorf("the administrator's list holds %d of the %d tokens", seen, len(tokenRoles))
	}
	for _, m := range []struct {
		c      *apptest.Client
		branch string
	}{{f.otherMgr, "other"}, {f.mgr, "demo"}} {
		list.Tokens = nil
		m.c.Call("GET", "/api/v1/tokens", nil, &list)
		if len(list.Tokens) == 0 {
			t.Errorf("the manager of %s sees no tokens", m.branch)
		}
		for _, tk := range list.Tokens {
			if tk.Branch != m.branch {
				t.Errorf("the manager of %s sees a token of %q: %+v", m.branch, tk.Branch, tk)
			}
		}
	}
	if f.env.App.Engine.HasBranch(ctx, "doomed") {
		t.Error("the administrator's DELETE left branch doomed in place")
	}
	if !f.env.App.Engine.HasBranch(ctx, "demo") {
		t.Fatal("branch demo was deleted by someone other than an administrator")
	}
}

func TestBranchList(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	for _, tc := range []struct {
		name string
		c    *apptest.Client
		want []string
	}{
		{"admin", f.admin, []string{"demo", "other"}},
		{"manager of demo", f.mgr, []string{"demo"}},
		{"manager of other", f.otherMgr, []string{"other"}},
		{"clerk of demo", f.clerk, []string{"demo"}},
	} {
		res := apptest.MustStatus(t, tc.c.Do("GET", "/api/v1/branches", nil), http.StatusOK)
		var got struct {
			Branches []struct {
				ID string `json:"id"`
			} `json:"branches"`
		}
		if err := json.Unmarshal(res.Body, &got); err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, b := range got.Branches {
			ids = append(ids, b.ID)
		}
		slices.Sort(ids)
		if !slices.Equal(ids, tc.want) {
			t.Errorf("%s sees branches %v, want %v", tc.name, ids, tc.want)
		}
	}
}

// ---------------------------------------------------------------------------
// 2. Validation

func TestValidation(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	kiosk := f.env.Kiosk("demo")

	// Someone waits for service "extra", which no counter serves; counter
	// 2 is open; someone waits in branch other, whose counters are closed.
	apptest.MustStatus(t, f.admin.Do("POST", demoPath+"/services", map[string]any{"id": "extra", "prefix": "E", "open": true,
		"name": map[string]string{"el": "Επιπλέον"}}), http.StatusCreated)
	issue(t, kiosk, "demo", "extra")
	apptest.MustStatus(t, f.clerk.Do("POST", demoPath+"/counters/2/open", nil), http.StatusOK)
	issue(t, f.otherMgr, "other", "certificates")
	// A device of branch other, which demo's manager must not reach.
	otherDev, _, err := f.env.App.Auth.CreateDevice(context.Background(), "test", auth.Device{Branch: "other", Kind: auth.DeviceKiosk, Name: "other kiosk"})
	if err != nil {
		t.Fatal(err)
	}

	name := func(el string) map[string]string { return map[string]string{"el": el} }
	svc := func(id, prefix string) map[string]any {
		return map[string]any{"id": id, "prefix": prefix, "open": true, "name": name("Υπηρεσία")}
	}
	branch := func(change func(map[string]any)) map[string]any {
		b := map[string]any{"name": map[string]string{"el": "ΚΕΠ Επίδειξης", "en": "Demo KEP office"}}
		change(b)
		return b
	}
	hours := func(day, from, to string) func(map[string]any) {
		return func(b map[string]any) {
			b["hours"] = map[string]any{day: []map[string]string{{"from": from, "to": to}}}
		}
	}
	user := func(username string, change ...func(map[string]any)) map[string]any {
		u := map[string]any{"username": username, "password": "password-of-" + username}
		for _, c := range change {
			c(u)
		}
		return u
	}
	set := func(k string, v any) func(map[string]any) { return func(m map[string]any) { m[k] = v } }

	const (
		bad      = http.StatusBadRequest
		conflict = http.StatusConflict
		notFound = http.StatusNotFound
		forbid   = http.StatusForbidden
	)
	cases := []struct {
		name   string
		c      *apptest.Client
		method string
		path   string
		body   any
		status int
		code   string
	}{
		// Services
		{"duplicate service prefix", f.mgr, "POST", demoPath + "/services", svc("more", "A"), bad, "validation_failed"},
		{"duplicate prefix on update", f.mgr, "PUT", demoPath + "/services/signatures", svc("signatures", "A"), bad, "validation_failed"},
		{"duplicate service id", f.mgr, "POST", demoPath + "/services", svc("certificates", "Z"), conflict, "conflict"},
		{"lowercase prefix", f.mgr, "POST", demoPath + "/services", svc("more", "z"), bad, "validation_failed"},
		{"four-letter prefix", f.mgr, "POST", demoPath + "/services", svc("more", "ABCD"), bad, "validation_failed"},
		{"empty prefix", f.mgr, "POST", demoPath + "/services", svc("more", ""), bad, "validation_failed"},
		{"bad service id", f.mgr, "POST", demoPath + "/services", svc("Bad Id!", "Z"), bad, "validation_failed"},
		{"empty service id", f.mgr, "POST", demoPath + "/services", svc("", "Z"), bad, "validation_failed"},
		{"service name without Greek", f.mgr, "POST", demoPath + "/services",
			map[string]any{"id": "more", "prefix": "Z", "name": map[string]string{"en": "More"}}, bad, "validation_failed"},
		{"service id changed by PUT", f.mgr, "PUT", demoPath + "/services/signatures", svc("renamed", "B"), bad, "validation_failed"},
		{"unknown field", f.mgr, "POST", demoPath + "/services", map[string]any{"id": "more", "prefix": "Z", "name": name("Χ"), "colour": "red"}, bad, "bad_request"},
		{"malformed JSON", f.mgr, "POST", demoPath + "/services", `{"id": "more",`, bad, "bad_request"},
		{"update unknown service", f.mgr, "PUT", demoPath + "/services/nope", svc("nope", "Z"), notFound, "not_found"},
		{"delete unknown service", f.mgr, "DELETE", demoPath + "/services/nope", nil, notFound, "not_found"},
		{"delete a service a counter serves", f.mgr, "DELETE", demoPath + "/services/certificates", nil, conflict, "conflict"},
		{"delete a service people wait for", f.mgr, "DELETE", demoPath + "/services/extra", nil, conflict, "conflict"},
		// Counters
		{"counter with no service", f.mgr, "POST", demoPath + "/counters", map[string]any{"id": "9", "serves": []string{}}, bad, "validation_failed"},
		{"counter without serves", f.mgr, "POST", demoPath + "/counters", map[string]any{"id": "9"}, bad, "validation_failed"},
		{"counter with an unknown service", f.mgr, "POST", demoPath + "/counters", map[string]any{"id": "9", "serves": []string{"nope"}}, bad, "validation_failed"},
		{"counter serving a service twice", f.mgr, "POST", demoPath + "/counters", map[string]any{"id": "9", "serves": []string{"certificates", "certificates"}}, bad, "validation_failed"},
		{"bad counter id", f.mgr, "POST", demoPath + "/counters", map[string]any{"id": "Γκισέ 9", "serves": []string{"certificates"}}, bad, "validation_failed"},
		{"duplicate counter id", f.mgr, "POST", demoPath + "/counters", map[string]any{"id": "1", "serves": []string{"certificates"}}, conflict, "conflict"},
		{"counter name without Greek", f.mgr, "PUT", demoPath + "/counters/1", map[string]any{"serves": []string{"certificates"}, "name": map[string]string{"en": "One"}}, bad, "validation_failed"},
		{"update unknown counter", f.mgr, "PUT", demoPath + "/counters/nope", map[string]any{"serves": []string{"certificates"}}, notFound, "not_found"},
		{"delete unknown counter", f.mgr, "DELETE", demoPath + "/counters/nope", nil, notFound, "not_found"},
		{"delete an open counter", f.mgr, "DELETE", demoPath + "/counters/2", nil, conflict, "conflict"},
		// Branches
		{"bad time zone", f.mgr, "PUT", demoPath, branch(set("time_zone", "Mars/Olympus_Mons")), bad, "validation_failed"},
		{"new branch with a bad time zone", f.admin, "POST", "/api/v1/branches",
			map[string]any{"id": "mars", "name": name("Άρης"), "time_zone": "Mars/Olympus_Mons"}, bad, "validation_failed"},
		{"hour 25:00", f.mgr, "PUT", demoPath, branch(hours("mon", "08:00", "25:00")), bad, "validation_failed"},
		{"hours from after to", f.mgr, "PUT", demoPath, branch(hours("tue", "15:00", "08:00")), bad, "validation_failed"},
		{"hours from equal to to", f.mgr, "PUT", demoPath, branch(hours("tue", "08:00", "08:00")), bad, "validation_failed"},
		{"hours of an unknown day", f.mgr, "PUT", demoPath, branch(hours("funday", "08:00", "15:00")), bad, "validation_failed"},
		{"hours not HH:MM", f.mgr, "PUT", demoPath, branch(hours("wed", "8am", "3pm")), bad, "validation_failed"},
		{"branch name without Greek", f.mgr, "PUT", demoPath, map[string]any{"name": map[string]string{"en": "Demo"}}, bad, "validation_failed"},
		{"branch name missing", f.mgr, "PUT", demoPath, map[string]any{"time_zone": "Europe/Athens"}, bad, "validation_failed"},
		{"new branch without a Greek name", f.admin, "POST", "/api/v1/branches", map[string]any{"id": "nameless", "name": map[string]string{"en": "X"}}, bad, "validation_failed"},
		{"bad branch id", f.admin, "POST", "/api/v1/branches", map[string]any{"id": "Κ Ε Π", "name": name("ΚΕΠ")}, bad, "validation_failed"},
		{"duplicate branch", f.admin, "POST", "/api/v1/branches", otherBranch(), conflict, "conflict"},
		{"branch id changed by PUT", f.mgr, "PUT", demoPath, branch(set("id", "other")), bad, "validation_failed"},
		{"negative retention", f.mgr, "PUT", demoPath, branch(set("retention_days", -1)), bad, "validation_failed"},
		{"recall mark of a day", f.mgr, "PUT", demoPath, branch(set("recall_badge_min", 24*60)), bad, "validation_failed"},
		{"negative call age", f.mgr, "PUT", demoPath, branch(set("call_shown_min", -5)), bad, "validation_failed"},
		{"update unknown branch", f.admin, "PUT", "/api/v1/branches/nope", branch(func(map[string]any) {}), notFound, "not_found"},
		{"settings of unknown branch", f.admin, "GET", "/api/v1/branches/nope/settings", nil, notFound, "not_found"},
		{"delete a branch without confirm", f.admin, "DELETE", "/api/v1/branches/other", nil, bad, "validation_failed"},
		{"delete a branch with a wrong confirm", f.admin, "DELETE", "/api/v1/branches/other?confirm=demo", nil, bad, "validation_failed"},
		{"delete a branch people wait in", f.admin, "DELETE", "/api/v1/branches/other?confirm=other", nil, conflict, "conflict"},
		{"delete a branch with an open counter", f.admin, "DELETE", demoPath + "?confirm=demo", nil, conflict, "conflict"},
		// Users
		{"unknown role", f.admin, "POST", demoPath + "/users", user("role.less", set("role", "superuser")), bad, "validation_failed"},
		{"unknown role by a manager", f.mgr, "POST", demoPath + "/users", user("role.less", set("role", "superuser")), bad, "validation_failed"},
		{"manager creates an admin", f.mgr, "POST", demoPath + "/users", user("new.admin", set("role", "admin")), forbid, "forbidden"},
		{"manager creates a user of a branch not theirs", f.mgr, "POST", demoPath + "/users",
			user("two.branches", set("branches", []string{"demo", "other"})), forbid, "forbidden"},
		{"manager gives a user a branch not theirs", f.mgr, "PUT", "/api/v1/users/demo.clerk", map[string]any{"branches": []string{"demo", "other"}}, forbid, "forbidden"},
		{"manager promotes a clerk to admin", f.mgr, "PUT", "/api/v1/users/demo.clerk", map[string]any{"role": "admin"}, forbid, "forbidden"},
		{"manager changes an admin", f.mgr, "PUT", "/api/v1/users/admin", map[string]any{"name": "Mallory"}, forbid, "forbidden"},
		{"manager deletes a user of another branch", f.mgr, "DELETE", "/api/v1/users/other.mgr", nil, forbid, "forbidden"},
		{"admin disables themselves", f.admin, "PUT", "/api/v1/users/admin", map[string]any{"disabled": true}, forbid, "forbidden"},
		{"admin changes their own role", f.admin, "PUT", "/api/v1/users/admin", map[string]any{"role": "clerk"}, forbid, "forbidden"},
		{"manager disables themselves", f.mgr, "PUT", "/api/v1/users/demo.mgr", map[string]any{"disabled": true}, forbid, "forbidden"},
		{"admin deletes themselves", f.admin, "DELETE", "/api/v1/users/admin", nil, forbid, "forbidden"},
		{"manager deletes themselves", f.mgr, "DELETE", "/api/v1/users/demo.mgr", nil, forbid, "forbidden"},
		{"duplicate username", f.mgr, "POST", demoPath + "/users", user("demo.clerk"), conflict, "conflict"},
		{"weak password", f.mgr, "POST", demoPath + "/users", user("weak.user", set("password", "short")), bad, "validation_failed"},
		{"no password", f.mgr, "POST", demoPath + "/users", user("no.password", set("password", "")), bad, "validation_failed"},
		{"weak password on update", f.mgr, "PUT", "/api/v1/users/demo.clerk", map[string]any{"password": "short"}, bad, "validation_failed"},
		{"bad username", f.mgr, "POST", demoPath + "/users", user("Bad User!"), bad, "validation_failed"},
		{"username changed by PUT", f.mgr, "PUT", "/api/v1/users/demo.clerk", map[string]any{"username": "someone.else"}, bad, "validation_failed"},
		{"update unknown user", f.admin, "PUT", "/api/v1/users/nobody", map[string]any{"name": "X"}, notFound, "not_found"},
		// Devices
		{"device kind toaster", f.mgr, "POST", demoPath + "/devices", map[string]any{"kind": "toaster", "name": "Toaster"}, bad, "validation_failed"},
		{"device without a name", f.mgr, "POST", demoPath + "/devices", map[string]any{"kind": "kiosk"}, bad, "validation_failed"},
		{"printer on a display", f.mgr, "POST", demoPath + "/devices",
			map[string]any{"kind": "display", "name": "Wall", "settings": map[string]any{"printer": map[string]any{"addr": "10.0.0.5:9100"}}}, bad, "validation_failed"},
		{"printer address is a URL", f.mgr, "POST", demoPath + "/devices",
			map[string]any{"kind": "kiosk", "name": "Kiosk", "settings": map[string]any{"printer": map[string]any{"addr": "http://10.0.0.5:9100/"}}}, bad, "validation_failed"},
		{"printer address with a bad port", f.mgr, "POST", demoPath + "/devices",
			map[string]any{"kind": "kiosk", "name": "Kiosk", "settings": map[string]any{"printer": map[string]any{"addr": "10.0.0.5:99999"}}}, bad, "validation_failed"},
		{"unknown device", f.mgr, "PUT", demoPath + "/devices/nope", map[string]any{"name": "X"}, notFound, "not_found"},
		{"device of another branch", f.mgr, "DELETE", demoPath + "/devices/" + otherDev.ID, nil, notFound, "not_found"},
		// Statistics and events
		{"events since not a number", f.mgr, "GET", demoPath + "/events?since=abc", nil, bad, "bad_request"},
		{"events limit 0", f.mgr, "GET", demoPath + "/events?limit=0", nil, bad, "bad_request"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			apptest.WantError(t, tc.c.Do(tc.method, tc.path, tc.body), tc.status, tc.code)
		})
	}

	// Nothing refused was changed.
	s := apptest.Decode[settingsJSON](t, apptest.MustStatus(t, f.admin.Do("GET", demoPath+"/settings", nil), http.StatusOK))
	if s.Branch.TimeZone != "Europe/Athens" || len(s.Branch.Hours) != 0 || s.Branch.Name["el"] != "ΚΕΠ Επίδειξης" {
		t.Errorf("refused changes changed the branch: %+v", s.Branch)
	}
	if len(s.Services) != 4 || len(s.Counters) != 4 {
		t.Errorf("after refused changes: %d services and %d counters, want 4 and 4", len(s.Services), len(s.Counters))
	}
	if !f.env.App.Engine.HasBranch(context.Background(), "other") {
		t.Error("branch other was deleted")
	}
	users := apptest.Decode[usersJSON](t, apptest.MustStatus(t, f.admin.Do("GET", "/api/v1/users", nil), http.StatusOK))
	for _, u := range users.Users {
		switch u.Username {
		case "admin":
			if u.Role != "admin" || u.Disabled {
				t.Errorf("refused changes changed the admin: %+v", u)
			}
		case "demo.clerk":
			if u.Role != "clerk" || !slices.Equal(u.Branches, []string{"demo"}) {
				t.Errorf("refused changes changed demo.clerk: %+v", u)
			}
		case "demo.mgr":
			if u.Disabled {
				t.Error("demo.mgr disabled themselves")
			}
		case "new.admin", "two.branches", "role.less", "weak.user", "no.password":
			t.Errorf("refused user %s exists", u.Username)
		}
	}
	// The administrator still signs in as an administrator with their own
	// password, and demo.clerk with theirs.
	me := apptest.Decode[meJSON](t, apptest.MustStatus(t, f.env.Admin().Do("GET", "/api/v1/me", nil), http.StatusOK))
	if me.User == nil || me.User.Role != "admin" {
		t.Errorf("admin after refused changes: %+v", me.User)
	}
	c := f.env.Client()
	c.Login("demo.clerk", "password-of-demo.clerk")
}

// TestUsernameCaseIsNoTakeover: usernames are stored in lower case, so
// "ADMIN" is the user admin and creating it must be refused as a duplicate,
// not overwrite the existing account.
func TestUsernameCaseIsNoTakeover(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, username, victim, role string }{
		{"a clerk's username in capitals", "DEMO.CLERK", "demo.clerk", "clerk"},
		{"the admin's username in capitals", "ADMIN", "admin", "admin"},
		{"a manager's username with spaces", " other.mgr ", "other.mgr", "manager"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			res := f.mgr.Do("POST", demoPath+"/users", map[string]any{"username": tc.username, "password": "chosen-by-the-manager"})
			apptest.WantError(t, res, http.StatusConflict, "conflict")
			u, err := f.env.App.Auth.User(context.Background(), tc.victim)
			if err != nil || string(u.Role) != tc.role {
				t.Errorf("%s is now %s in %v (err %v), want role %s", tc.victim, u.Role, u.Branches, err, tc.role)
			}
			if res := f.env.Client().Do("POST", "/api/v1/login", map[string]string{"username": tc.victim, "password": "chosen-by-the-manager"}); res.Status == http.StatusOK {
				t.Errorf("the manager's password now signs in as %s", tc.victim)
			}
		})
	}
}

// ---------------------------------------------------------------------------
// 3. Changes take effect at once

func TestServiceRenameIsLive(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ws, err := f.env.Dial("/api/v1/branches/demo/live", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	first := readLive(t, ws)
	if first.Type != "snapshot" || first.State == nil || serviceName(first.State.Services, "certificates") != "Πιστοποιητικά - Βεβαιώσεις" {
		t.Fatalf("first live message: %+v", first)
	}

	body := map[string]any{"name": map[string]string{"el": "Πιστοποιητικά (νέο)", "en": "Certificates (new)"},
		"prefix": "A", "order": 1, "open": true, "default_service_s": 240}
	res := apptest.MustStatus(t, f.mgr.Do("PUT", demoPath+"/services/certificates", body), http.StatusOK)
	if got := apptest.Decode[serviceJSON](t, res); got.ID != "certificates" || got.Name["el"] != "Πιστοποιητικά (νέο)" {
		t.Errorf("PUT answer %s", apptest.Short(res.Body))
	}
	st := apptest.Decode[stateJSON](t, apptest.MustStatus(t, f.anon.Do("GET", demoPath+"/state", nil), http.StatusOK))
	if got := serviceName(st.Services, "certificates"); got != "Πιστοποιητικά (νέο)" {
		t.Errorf("GET /state right after the change shows %q", got)
	}
	// The live client gets a snapshot with the new name.
	for {
		m := readLive(t, ws)
		if m.Seq <= first.Seq {
			t.Errorf("live message seq %d after snapshot seq %d", m.Seq, first.Seq)
		}
		if m.Type == "snapshot" && m.State != nil {
			if got := serviceName(m.State.Services, "certificates"); got != "Πιστοποιητικά (νέο)" {
				t.Errorf("snapshot after the change names certificates %q", got)
			}
			break
		}
	}
}

func TestClosedServiceRefusesTickets(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	kiosk := f.env.Kiosk("demo")
	issue(t, kiosk, "demo", "certificates")
	put := func(open bool) {
		apptest.MustStatus(t, f.mgr.Do("PUT", demoPath+"/services/certificates", map[string]any{
			"name": map[string]string{"el": "Πιστοποιητικά"}, "prefix": "A", "open": open}), http.StatusOK)
	}
	put(false)
	apptest.WantError(t, kiosk.Do("POST", ticketsPath, map[string]string{"service": "certificates"}), http.StatusUnprocessableEntity, "service_closed")
	apptest.WantError(t, f.clerk.Do("POST", ticketsPath, map[string]string{"service": "certificates"}), http.StatusUnprocessableEntity, "service_closed")
	st := apptest.Decode[stateJSON](t, apptest.MustStatus(t, f.anon.Do("GET", demoPath+"/state", nil), http.StatusOK))
	for _, s := range st.Services {
		if s.ID == "certificates" && (s.Open || s.Waiting != 1) {
			t.Errorf("closed service in state: %+v (want closed, the 1 ticket still waiting)", s)
		}
	}
	issue(t, kiosk, "demo", "signatures") // other services carry on
	put(true)
	issue(t, kiosk, "demo", "certificates")
}

func TestDisabledUserIsSignedOut(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	victim := f.env.User("soon.gone", auth.RoleClerk, "demo")
	apptest.MustStatus(t, victim.Do("GET", "/api/v1/me", nil), http.StatusOK)
	apptest.MustStatus(t, victim.Do("POST", demoPath+"/counters/1/open", nil), http.StatusOK)
	apptest.MustStatus(t, victim.Do("POST", demoPath+"/counters/1/pause", nil), http.StatusOK)

	res := apptest.MustStatus(t, f.mgr.Do("PUT", "/api/v1/users/soon.gone", map[string]any{"disabled": true}), http.StatusOK)
	if u := apptest.Decode[userJSON](t, res); !u.Disabled || u.Username != "soon.gone" {
		t.Errorf("PUT answer %s: want the user disabled", apptest.Short(res.Body))
	}
	apptest.WantError(t, victim.Do("GET", "/api/v1/me", nil), http.StatusUnauthorized, "unauthenticated")
	apptest.WantError(t, victim.Do("POST", demoPath+"/counters/1/open", nil), http.StatusUnauthorized, "unauthenticated")
	apptest.WantError(t, f.env.Client().Do("POST", "/api/v1/login", map[string]string{"username": "soon.gone", "password": "password-of-soon.gone"}),
		http.StatusUnauthorized, "unauthenticated")

	// Enabled again, they sign in afresh.
	apptest.MustStatus(t, f.mgr.Do("PUT", "/api/v1/users/soon.gone", map[string]any{"disabled": false}), http.StatusOK)
	c := f.env.Client()
	c.Login("soon.gone", "password-of-soon.gone")
	apptest.MustStatus(t, c.Do("GET", "/api/v1/me", nil), http.StatusOK)
}

func TestRevokedDeviceTokenStops(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	res := apptest.MustStatus(t, f.mgr.Do("POST", demoPath+"/devices", map[string]any{"kind": "kiosk", "name": "Entrance"}), http.StatusCreated)
	nd := apptest.Decode[newDeviceJSON](t, res)
	if nd.Token == "" || nd.Device.ID == "" || nd.Device.Kind != "kiosk" || nd.Device.Branch != "demo" || nd.Device.Name != "Entrance" {
		t.Fatalf("new device: %s", apptest.Short(res.Body))
	}
	k := f.env.Client()
	k.Token = nd.Token
	issue(t, k, "demo", "certificates")
	me := apptest.Decode[meJSON](t, apptest.MustStatus(t, k.Do("GET", "/api/v1/me", nil), http.StatusOK))
	if me.Device == nil || me.Device.ID != nd.Device.ID {
		t.Errorf("/me with the token: %+v", me)
	}

	apptest.MustStatus(t, f.mgr.Do("DELETE", demoPath+"/devices/"+nd.Device.ID, nil), http.StatusNoContent)
	apptest.WantError(t, k.Do("POST", ticketsPath, map[string]string{"service": "certificates"}), http.StatusUnauthorized, "unauthenticated")
	apptest.WantError(t, k.Do("GET", "/api/v1/me", nil), http.StatusUnauthorized, "unauthenticated")

	devs := apptest.Decode[devicesJSON](t, apptest.MustStatus(t, f.mgr.Do("GET", demoPath+"/devices", nil), http.StatusOK))
	found := false
	for _, d := range devs.Devices {
		if d.ID == nd.Device.ID {
			found = true
			if !d.Revoked {
				t.Errorf("revoked device listed as %+v", d)
			}
		}
	}
	if !found {
		t.Errorf("the revoked device is not listed: %+v", devs)
	}
	if strings.Contains(string(apptest.MustStatus(t, f.mgr.Do("GET", demoPath+"/devices", nil), http.StatusOK).Body), nd.Token) {
		t.Error("the device list shows a token")
	}
	// A revoked device gets no new pairing link and cannot be changed.
	apptest.WantError(t, f.mgr.Do("POST", demoPath+"/devices/"+nd.Device.ID+"/pairing", nil), http.StatusConflict, "conflict")
	apptest.WantError(t, f.mgr.Do("PUT", demoPath+"/devices/"+nd.Device.ID, map[string]any{"name": "Back"}), http.StatusConflict, "conflict")
}

func TestPairingURLPairsABrowser(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	res := apptest.MustStatus(t, f.mgr.Do("POST", demoPath+"/devices", map[string]any{"kind": "display", "name": "Wall"}), http.StatusCreated)
	nd := apptest.Decode[newDeviceJSON](t, res)
	if want := f.env.URL + "/display/demo?pair="; !strings.HasPrefix(nd.PairingURL, want) || len(nd.PairingURL) <= len(want) {
		t.Fatalf("pairing_url %q, want %s…", nd.PairingURL, want)
	}
	if nd.Expires.Before(time.Now().Add(time.Hour)) {
		t.Errorf("pairing_expires %v: want a day or so ahead", nd.Expires)
	}
	pair := func(link string) *apptest.Client {
		t.Helper()
		b := f.env.Client()
		res := b.Do("GET", strings.TrimPrefix(link, f.env.URL), nil)
		apptest.MustStatus(t, res, http.StatusSeeOther)
		if loc := res.Header.Get("Location"); loc != "/display/demo" {
			t.Errorf("pairing redirects to %q, want /display/demo", loc)
		}
		me := apptest.Decode[meJSON](t, apptest.MustStatus(t, b.Do("GET", "/api/v1/me", nil), http.StatusOK))
		if me.Device == nil || me.Device.ID != nd.Device.ID || me.Device.Kind != "display" || me.Device.Branch != "demo" || me.User != nil {
			t.Errorf("/me after pairing: %+v, want display %s", me, nd.Device.ID)
		}
		return b
	}
	b1 := pair(nd.PairingURL)

	// A fresh link pairs a second browser.
	var fresh struct {
		URL string `json:"pairing_url"`
	}
	if st := f.mgr.Call("POST", demoPath+"/devices/"+nd.Device.ID+"/pairing", nil, &fresh); st != http.StatusOK {
		t.Fatalf("new pairing link: status %d", st)
	}
	if fresh.URL == nd.PairingURL {
		t.Error("the new pairing link is the old one")
	}
	b2 := pair(fresh.URL)

	// Revoking the device signs its browsers out and kills its links.
	apptest.MustStatus(t, f.mgr.Do("DELETE", demoPath+"/devices/"+nd.Device.ID, nil), http.StatusNoContent)
	for _, b := range []*apptest.Client{b1, b2} {
		apptest.WantError(t, b.Do("GET", "/api/v1/me", nil), http.StatusUnauthorized, "unauthenticated")
	}
	if res := f.env.Client().Do("GET", strings.TrimPrefix(fresh.URL, f.env.URL), nil); res.Status != http.StatusNotFound {
		t.Errorf("pairing link of a revoked device: status %d, want 404", res.Status)
	}
}

// ---------------------------------------------------------------------------
// 4. The audit trail

func TestAuditTrail(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	mgr := f.env.User("audit.mgr", auth.RoleManager, "demo")
	const userPassword = "secret-password-of-audited"
	const newPassword = "another-secret-password"
	var deviceToken, deviceID string

	// The branch other was created by the admin through the API.
	checkEvent(t, f.admin, "/api/v1/branches/other", 0, "branch.created", "other", "admin", nil)

	steps := []struct {
		name    string
		c       *apptest.Client
		actor   string
		method  string
		path    func() string
		body    any
		status  int
		typ     string
		subject string
	}{
		{"branch updated", mgr, "audit.mgr", "PUT", fixedPath(demoPath), map[string]any{"name": map[string]string{"el": "ΚΕΠ Ελέγχου"}, "retention_days": 30}, 200, "branch.updated", "demo"},
		{"service created", mgr, "audit.mgr", "POST", fixedPath(demoPath + "/services"), map[string]any{"id": "audited", "prefix": "Q", "name": map[string]string{"el": "Έλεγχος"}}, 201, "service.created", "audited"},
		{"service updated", mgr, "audit.mgr", "PUT", fixedPath(demoPath + "/services/audited"), map[string]any{"prefix": "Q", "open": true, "name": map[string]string{"el": "Έλεγχος 2"}}, 200, "service.updated", "audited"},
		{"counter created", mgr, "audit.mgr", "POST", fixedPath(demoPath + "/counters"), map[string]any{"id": "9", "serves": []string{"audited"}}, 201, "counter.created", "9"},
		{"counter updated", mgr, "audit.mgr", "PUT", fixedPath(demoPath + "/counters/9"), map[string]any{"serves": []string{"audited", "certificates"}}, 200, "counter.updated", "9"},
		{"counter deleted", mgr, "audit.mgr", "DELETE", fixedPath(demoPath + "/counters/9"), nil, 204, "counter.deleted", "9"},
		{"service deleted", mgr, "audit.mgr", "DELETE", fixedPath(demoPath + "/services/audited"), nil, 204, "service.deleted", "audited"},
		{"user created", mgr, "audit.mgr", "POST", fixedPath(demoPath + "/users"), map[string]any{"username": "audited", "password": userPassword}, 201, "user.created", "audited"},
		{"user updated", mgr, "audit.mgr", "PUT", fixedPath("/api/v1/users/audited"), map[string]any{"name": "Audited", "password": newPassword}, 200, "user.updated", "audited"},
		{"user updated by the admin", f.admin, "admin", "PUT", fixedPath("/api/v1/users/audited"), map[string]any{"role": "manager"}, 200, "user.updated", "audited"},
		{"user deleted", mgr, "audit.mgr", "DELETE", fixedPath("/api/v1/users/audited"), nil, 204, "user.deleted", "audited"},
		{"device created", mgr, "audit.mgr", "POST", fixedPath(demoPath + "/devices"), map[string]any{"kind": "kiosk", "name": "Audited kiosk",
			"settings": map[string]any{"printer": map[string]any{"addr": "10.0.0.5:9100"}}}, 201, "device.created", ""},
		{"device updated", mgr, "audit.mgr", "PUT", func() string { return demoPath + "/devices/" + deviceID }, map[string]any{"name": "Renamed kiosk"}, 200, "device.updated", ""},
		{"device revoked", f.admin, "admin", "DELETE", func() string { return demoPath + "/devices/" + deviceID }, nil, 204, "device.revoked", ""},
		{"announcement posted", mgr, "audit.mgr", "POST", fixedPath(demoPath + "/announcements"), map[string]any{"text": map[string]string{"el": "Καθυστέρηση 20 λεπτών"}, "minutes": 30}, 201, "announcement.posted", "1"},
		{"announcement withdrawn", mgr, "audit.mgr", "DELETE", fixedPath(demoPath + "/announcements/1"), nil, 204, "announcement.withdrawn", "1"},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			since := lastSeq(t, f.admin, demoPath)
			res := s.c.Do(s.method, s.path(), s.body)
			apptest.MustStatus(t, res, s.status)
			if s.typ == "device.created" {
				nd := apptest.Decode[newDeviceJSON](t, res)
				deviceToken, deviceID = nd.Token, nd.Device.ID
			}
			subject := s.subject
			if subject == "" {
				subject = deviceID
			}
			secrets := []string{userPassword, newPassword, "password_hash", "$2a$", "$2b$", "token_hash"}
			if deviceToken != "" {
				sum := sha256.Sum256([]byte(deviceToken))
				secrets = append(secrets, deviceToken, hex.EncodeToString(sum[:]))
			}
			checkEvent(t, f.admin, demoPath, since, s.typ, subject, s.actor, secrets)
		})
	}
	// The manager reads their branch's trail too; the whole trail holds no
	// secret.
	body := apptest.MustStatus(t, mgr.Do("GET", eventsPath, nil), http.StatusOK).Body
	for _, bad := range []string{userPassword, newPassword, "password_hash", "$2a$", "token_hash", deviceToken, "password-of-"} {
		if bad != "" && bytes.Contains(body, []byte(bad)) {
			t.Errorf("the audit trail contains %q", bad)
		}
	}
}

func fixedPath(p string) func() string { return func() string { return p } }

// lastSeq is the seq of the branch's last event.
func lastSeq(t *testing.T, c *apptest.Client, branchPath string) uint64 {
	t.Helper()
	evs := apptest.Decode[eventsJSON](t, apptest.MustStatus(t, c.Do("GET", branchPath+"/events?limit=5000", nil), http.StatusOK))
	if evs.More {
		t.Fatal("more than 5000 events")
	}
	if len(evs.Events) == 0 {
		return 0
	}
	return evs.Events[len(evs.Events)-1].Seq
}

// checkEvent requires an event of type typ about subject by actor among
// the events after since, and none of secrets in their JSON.
func checkEvent(t *testing.T, c *apptest.Client, branchPath string, since uint64, typ, subject, actor string, secrets []string) {
	t.Helper()
	res := apptest.MustStatus(t, c.Do("GET", branchPath+"/events?since="+strconv.FormatUint(since, 10), nil), http.StatusOK)
	evs := apptest.Decode[eventsJSON](t, res)
	found := false
	for _, ev := range evs.Events {
		if ev.Seq <= since {
			t.Errorf("events?since=%d returned seq %d", since, ev.Seq)
		}
		if ev.Type == typ && ev.Subject == subject {
			found = true
			if ev.Actor != actor {
				t.Errorf("%s event of %s: actor %q, want %q", typ, subject, ev.Actor, actor)
			}
			if ev.At.IsZero() {
				t.Errorf("%s event has no time", typ)
			}
		}
	}
	if !found {
		t.Errorf("no %s event about %q after seq %d: %s", typ, subject, since, apptest.Short(res.Body))
	}
	for _, s := range secrets {
		if bytes.Contains(res.Body, []byte(s)) {
			t.Errorf("the %s event JSON contains %q: %s", typ, s, apptest.Short(res.Body))
		}
	}
	if keys := apptest.JSONKeys(t, res.Body); keys["password"] || keys["password_hash"] || keys["token"] || keys["token_hash"] {
		t.Errorf("the events JSON has a secret's key: %v", keys)
	}
}

// ---------------------------------------------------------------------------
// 5. Statistics

func TestStats(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	kiosk := f.env.Kiosk("demo")
	today := athensToday()
	counter := func(action string) apptest.Response {
		t.Helper()
		return f.clerk.Do("POST", demoPath+"/counters/1/"+action, nil)
	}
	apptest.MustStatus(t, counter("open"), http.StatusOK)
	var tickets []ticketJSON
	for range 4 {
		tickets = append(tickets, issue(t, kiosk, "demo", "certificates"))
	}
	next := func(want string) {
		t.Helper()
		res := apptest.MustStatus(t, counter("next"), http.StatusOK)
		if tk := apptest.Decode[ticketJSON](t, res); tk.Number != want {
			t.Fatalf("next called %s, want %s", tk.Number, want)
		}
	}
	next(tickets[0].Number)
	apptest.MustStatus(t, counter("start"), http.StatusOK)
	apptest.MustStatus(t, counter("done"), http.StatusOK)
	next(tickets[1].Number)
	apptest.MustStatus(t, counter("no-show"), http.StatusOK)
	if res := f.anon.Do("DELETE", "/api/v1/tickets/"+tickets[2].Token, nil); res.Status >= 300 {
		t.Fatalf("cancel: status %d %s", res.Status, apptest.Short(res.Body))
	}
	issue(t, kiosk, "demo", "signatures")

	type counts struct{ issued, served, noShow, cancelled int }
	want := map[string]counts{
		"certificates": {4, 1, 1, 1},
		"signatures":   {1, 0, 0, 0},
		"total":        {5, 1, 1, 1},
	}
	q := demoPath + "/stats?from=" + today + "&to=" + today
	for _, c := range []*apptest.Client{f.mgr, f.admin} {
		res := apptest.MustStatus(t, c.Do("GET", q+"&by=service", nil), http.StatusOK)
		if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			t.Errorf("stats Content-Type %q", ct)
		}
		rep := apptest.Decode[reportJSON](t, res)
		if rep.From != today || rep.To != today || rep.By != "service" {
			t.Errorf("report of %s..%s by %s, want %s..%s by service", rep.From, rep.To, rep.By, today, today)
		}
		var keys []string
		for _, r := range append(rep.Rows, rep.Total) {
			keys = append(keys, r.Key)
			w, ok := want[r.Key]
			if !ok {
				t.Errorf("unexpected row %+v", r)
				continue
			}
			if got := (counts{r.Issued, r.Served, r.NoShow, r.Cancelled}); got != w {
				t.Errorf("row %s: issued/served/no_show/cancelled %v, want %v", r.Key, got, w)
			}
		}
		if !slices.Equal(keys, []string{"certificates", "signatures", "total"}) {
			t.Errorf("rows %v, want certificates, signatures and the total", keys)
		}
		if rep.Total.WaitS.Count != 2 || rep.Total.ServiceS.Count != 1 {
			t.Errorf("total wait_s %+v service_s %+v: want 2 waits (two called) and 1 service time", rep.Total.WaitS, rep.Total.ServiceS)
		}
	}
	// Without by, by service.
	if rep := apptest.Decode[reportJSON](t, apptest.MustStatus(t, f.mgr.Do("GET", q, nil), http.StatusOK)); rep.By != "service" || len(rep.Rows) != 2 {
		t.Errorf("default grouping: by %q with %d rows", rep.By, len(rep.Rows))
	}
	// By counter: the two tickets called at counter 1.
	byCounter := apptest.Decode[reportJSON](t, apptest.MustStatus(t, f.mgr.Do("GET", q+"&by=counter", nil), http.StatusOK))
	for _, r := range byCounter.Rows {
		if r.Key == "1" && (r.Issued != 2 || r.Served != 1 || r.NoShow != 1) {
			t.Errorf("counter 1 row %+v: want 2 issued, 1 served, 1 no-show", r)
		}
	}
	// A day with nothing.
	empty := apptest.Decode[reportJSON](t, apptest.MustStatus(t, f.mgr.Do("GET", demoPath+"/stats?from=2020-01-01&to=2020-01-31", nil), http.StatusOK))
	if len(empty.Rows) != 0 || empty.Total.Issued != 0 {
		t.Errorf("January 2020: %+v, want nothing", empty)
	}

	// CSV
	res := apptest.MustStatus(t, f.mgr.Do("GET", q+"&by=service&format=csv", nil), http.StatusOK)
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") || !strings.Contains(ct, "utf-8") {
		t.Errorf("CSV Content-Type %q, want text/csv; charset=utf-8", ct)
	}
	if cd := res.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment") || !strings.Contains(cd, ".csv") {
		t.Errorf("CSV Content-Disposition %q, want an attachment named .csv", cd)
	}
	if !bytes.HasPrefix(res.Body, []byte("\xef\xbb\xbf")) {
		t.Fatalf("CSV does not start with the UTF-8 BOM: %q", res.Body[:min(len(res.Body), 8)])
	}
	records, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(res.Body, []byte("\xef\xbb\xbf")))).ReadAll()
	if err != nil {
		t.Fatalf("CSV: %v", err)
	}
	if len(records) != 4 {
		t.Fatalf("CSV has %d records, want a header and 3 rows: %q", len(records), records)
	}
	header := records[0]
	col := map[string]int{}
	for i, h := range header {
		col[h] = i
	}
	if header[0] != "service" {
		t.Errorf("CSV header starts with %q, want service", header[0])
	}
	for _, h := range []string{"issued", "served", "no_show", "cancelled"} {
		if _, ok := col[h]; !ok {
			t.Fatalf("CSV header %q has no %s column", header, h)
		}
	}
	for _, rec := range records[1:] {
		w, ok := want[rec[0]]
		if !ok {
			t.Errorf("CSV row %q", rec)
			continue
		}
		got := counts{atoi(t, rec[col["issued"]]), atoi(t, rec[col["served"]]), atoi(t, rec[col["no_show"]]), atoi(t, rec[col["cancelled"]])}
		if got != w {
			t.Errorf("CSV row %s: %v, want %v", rec[0], got, w)
		}
	}

	// Bad queries
	yesterday := athensNow().AddDate(0, 0, -1).Format("2006-01-02")
	for name, query := range map[string]string{
		"no from":          "?to=" + today,
		"no to":            "?from=" + today,
		"from not a date":  "?from=today&to=" + today,
		"to not a date":    "?from=" + today + "&to=31/12/2030",
		"day out of range": "?from=2025-02-30&to=2025-03-01",
		"to before from":   "?from=" + today + "&to=" + yesterday,
		"bad by":           "?from=" + today + "&to=" + today + "&by=week",
		"bad format":       "?from=" + today + "&to=" + today + "&format=xml",
	} {
		t.Run(name, func(t *testing.T) {
			apptest.WantError(t, f.mgr.Do("GET", demoPath+"/stats"+query, nil), http.StatusBadRequest, "validation_failed")
		})
	}
}

// ---------------------------------------------------------------------------
// 6. Overview

func TestOverview(t *testing.T) {
	t.Parallel()
	clock := clocktest.New(time.Now())
	f := newFixture(t, func(c *app.Config) { c.Now = clock.Now })
	kiosk := f.env.Kiosk("demo")
	clerk := f.env.User("ov.clerk", auth.RoleClerk, "demo")

	issue(t, kiosk, "demo", "certificates")
	issue(t, kiosk, "demo", "certificates")
	b := issue(t, kiosk, "demo", "signatures")
	clock.Add(time.Minute)
	apptest.MustStatus(t, clerk.Do("POST", demoPath+"/counters/3/open", nil), http.StatusOK)
	if tk := apptest.Decode[ticketJSON](t, apptest.MustStatus(t, clerk.Do("POST", demoPath+"/counters/3/next", nil), http.StatusOK)); tk.Number != b.Number {
		t.Fatalf("counter 3 called %s, want %s", tk.Number, b.Number)
	}
	clock.Add(time.Minute)

	for _, c := range []*apptest.Client{f.mgr, f.admin} {
		res := apptest.MustStatus(t, c.Do("GET", demoPath+"/overview", nil), http.StatusOK)
		if cc := res.Header.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("overview Cache-Control %q, want no-store", cc)
		}
		o := apptest.Decode[overviewJSON](t, res)
		if o.Day != athensNow().Format("2006-01-02") {
			t.Errorf("overview day %q", o.Day)
		}
		wantSvc := map[string][2]int{"certificates": {2, 120}, "signatures": {0, 0}, "applications": {0, 0}}
		for _, s := range o.Services {
			w, ok := wantSvc[s.ID]
			if !ok {
				t.Errorf("unexpected service %+v", s)
				continue
			}
			delete(wantSvc, s.ID)
			if s.Waiting != w[0] || s.LongestWaitS != w[1] {
				t.Errorf("service %s: waiting %d, longest_wait_s %d; want %d and %d", s.ID, s.Waiting, s.LongestWaitS, w[0], w[1])
			}
		}
		if len(wantSvc) > 0 {
			t.Errorf("services missing from the overview: %v", wantSvc)
		}
		for _, ctr := range o.Counters {
			switch ctr.ID {
			case "3":
				if ctr.Status != "open" || ctr.Clerk != "ov.clerk" || ctr.Current == nil || ctr.Current.Number != b.Number {
					t.Errorf("counter 3 in the overview: %+v, want open by ov.clerk with %s", ctr, b.Number)
				}
			default:
				if ctr.Status != "closed" || ctr.Clerk != "" || ctr.Current != nil {
					t.Errorf("counter %s in the overview: %+v, want closed", ctr.ID, ctr)
				}
			}
		}
		if len(o.Counters) != 4 {
			t.Errorf("overview has %d counters, want 4", len(o.Counters))
		}
		if o.Today.Issued != 3 || o.Today.Served != 0 || o.Today.WaitS.Count != 1 || o.Today.WaitS.Mean != 60 {
			t.Errorf("today %+v: want 3 issued, one wait of 60 s", o.Today)
		}
	}
}

// ---------------------------------------------------------------------------
// 7. Backup

func TestBackup(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	issue(t, f.env.Kiosk("demo"), "demo", "certificates")
	res := apptest.MustStatus(t, f.admin.Do("GET", "/api/v1/backup", nil), http.StatusOK)
	if ct := res.Header.Get("Content-Type"); ct != "application/octet-stream" {
		t.Errorf("backup Content-Type %q", ct)
	}
	if cd := res.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment") || !strings.Contains(cd, ".db") {
		t.Errorf("backup Content-Disposition %q", cd)
	}
	if len(res.Body) < 4096 {
		t.Fatalf("backup has %d bytes", len(res.Body))
	}
	path := filepath.Join(t.TempDir(), "backup.db")
	if err := os.WriteFile(path, res.Body, 0o600); err != nil {
		t.Fatal(err)
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatalf("the backup is not a bbolt file: %v", err)
	}
	defer db.Close()
	err = db.View(func(tx *bolt.Tx) error {
		for err := range tx.Check() {
			t.Errorf("bbolt check: %v", err)
		}
		branches := tx.Bucket([]byte("branches"))
		if branches == nil {
			return fmt.Errorf("no branches bucket")
		}
		for _, id := range []string{"demo", "other"} {
			if branches.Bucket([]byte(id)) == nil {
				t.Errorf("no bucket of branch %s under branches", id)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// The server carried on serving.
	issue(t, f.env.Kiosk("demo"), "demo", "certificates")
}

// ---------------------------------------------------------------------------
// 9. Retention

func TestRetentionSetting(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	res := apptest.MustStatus(t, f.mgr.Do("PUT", demoPath, map[string]any{
		"name": map[string]string{"el": "ΚΕΠ Επίδειξης", "en": "Demo KEP office"}, "retention_days": 1}), http.StatusOK)
	if s := apptest.Decode[settingsJSON](t, res); s.Branch.RetentionDays != 1 {
		t.Errorf("PUT answer retention_days %d, want 1", s.Branch.RetentionDays)
	}
	for _, c := range []*apptest.Client{f.mgr, f.admin} {
		s := apptest.Decode[settingsJSON](t, apptest.MustStatus(t, c.Do("GET", demoPath+"/settings", nil), http.StatusOK))
		if s.Branch.RetentionDays != 1 || s.Branch.Name["el"] != "ΚΕΠ Επίδειξης" || s.Branch.TimeZone != "Europe/Athens" {
			t.Errorf("settings after PUT: %+v", s.Branch)
		}
		if len(s.Services) != 3 || len(s.Counters) != 4 {
			t.Errorf("a branch PUT changed services or counters: %d and %d", len(s.Services), len(s.Counters))
		}
	}
}

// ---------------------------------------------------------------------------
// JSON shapes

type settingsJSON struct {
	Branch struct {
		ID            string                         `json:"id"`
		Name          map[string]string              `json:"name"`
		TimeZone      string                         `json:"time_zone"`
		Hours         map[string][]map[string]string `json:"hours"`
		RetentionDays int                            `json:"retention_days"`
	} `json:"branch"`
	Services []serviceJSON `json:"services"`
	Counters []counterJSON `json:"counters"`
}

type serviceJSON struct {
	ID      string            `json:"id"`
	Name    map[string]string `json:"name"`
	Prefix  string            `json:"prefix"`
	Open    bool              `json:"open"`
	Waiting int               `json:"waiting"`
}

type counterJSON struct {
	ID      string            `json:"id"`
	Name    map[string]string `json:"name"`
	Serves  []string          `json:"serves"`
	Status  string            `json:"status"`
	Clerk   string            `json:"clerk"`
	Current *struct {
		Number string `json:"number"`
	} `json:"current"`
}

type stateJSON struct {
	Seq      uint64        `json:"seq"`
	Services []serviceJSON `json:"services"`
}

type liveJSON struct {
	Type  string     `json:"type"`
	Seq   uint64     `json:"seq"`
	State *stateJSON `json:"state"`
}

type ticketJSON struct {
	Number string `json:"number"`
	State  string `json:"state"`
	Token  string `json:"token"`
}

type userJSON struct {
	Username string   `json:"username"`
	Role     string   `json:"role"`
	Branches []string `json:"branches"`
	Disabled bool     `json:"disabled"`
}

type usersJSON struct {
	Users []userJSON `json:"users"`
}

type deviceJSON struct {
	ID      string `json:"id"`
	Kind    string `json:"kind"`
	Branch  string `json:"branch"`
	Name    string `json:"name"`
	Revoked bool   `json:"revoked"`
}

type devicesJSON struct {
	Devices []deviceJSON `json:"devices"`
}

type newDeviceJSON struct {
	Device     deviceJSON `json:"device"`
	Token      string     `json:"token"`
	PairingURL string     `json:"pairing_url"`
	Expires    time.Time  `json:"pairing_expires"`
}

type meJSON struct {
	User *struct {
		Username string `json:"username"`
		Role     string `json:"role"`
	} `json:"user"`
	Device *deviceJSON `json:"device"`
}

type eventsJSON struct {
	Events []struct {
		Seq     uint64    `json:"seq"`
		Type    string    `json:"type"`
		At      time.Time `json:"at"`
		Actor   string    `json:"actor"`
		Subject string    `json:"subject"`
	} `json:"events"`
	More bool `json:"more"`
}

type summaryJSON struct {
	Count int     `json:"count"`
	Mean  float64 `json:"mean"`
}

type rowJSON struct {
	Key       string      `json:"key"`
	Issued    int         `json:"issued"`
	Served    int         `json:"served"`
	NoShow    int         `json:"no_show"`
	Cancelled int         `json:"cancelled"`
	WaitS     summaryJSON `json:"wait_s"`
	ServiceS  summaryJSON `json:"service_s"`
}

type reportJSON struct {
	From  string    `json:"from"`
	To    string    `json:"to"`
	By    string    `json:"by"`
	Rows  []rowJSON `json:"rows"`
	Total rowJSON   `json:"total"`
}

type overviewJSON struct {
	Day      string `json:"day"`
	Services []struct {
		ID           string `json:"id"`
		Waiting      int    `json:"waiting"`
		LongestWaitS int    `json:"longest_wait_s"`
	} `json:"services"`
	Counters []counterJSON `json:"counters"`
	Today    rowJSON       `json:"today"`
}

// ---------------------------------------------------------------------------
// Helpers

func athensNow() time.Time {
	loc, err := time.LoadLocation("Europe/Athens")
	if err != nil {
		panic(err)
	}
	return time.Now().In(loc)
}

func athensToday() string { return athensNow().Format("2006-01-02") }

// issue takes a ticket for service in branch as c.
func issue(t *testing.T, c *apptest.Client, branch, service string) ticketJSON {
	t.Helper()
	return apptest.Issue[ticketJSON](t, c, branch, service)
}

func serviceName(services []serviceJSON, id string) string {
	for _, s := range services {
		if s.ID == id {
			return s.Name["el"]
		}
	}
	return ""
}

// readLive reads one live message, failing after a few seconds.
func readLive(t *testing.T, ws *websocket.Conn) liveJSON {
	t.Helper()
	if err := ws.SetReadDeadline(time.Now().Add(5 * time.Second)); err != nil {
		t.Fatal(err)
	}
	_, raw, err := ws.ReadMessage()
	if err != nil {
		t.Fatalf("live: %v", err)
	}
	var m liveJSON
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("live message %s: %v", apptest.Short(raw), err)
	}
	return m
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Errorf("not a number: %q", s)
	}
	return n
}
