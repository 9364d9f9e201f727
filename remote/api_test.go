package remote_test

import (
	"crypto/sha256"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/seira-queue/seira/app"
	"github.com/seira-queue/seira/app/apptest"
	"github.com/seira-queue/seira/auth"
	"github.com/seira-queue/seira/internal/clocktest"
	"github.com/seira-queue/seira/remote"
)

const (
	challengePath = "/api/v1/branches/demo/remote-tickets/challenge"
	joinPath      = "/api/v1/branches/demo/remote-tickets"
	// difficulty is real work, small enough for -race.
	difficulty = 10
)

var athens, _ = time.LoadLocation("Europe/Athens")

// start runs seira at 09:00 on Monday 2026-12-07 in Athens, with change
// applied to its configuration.
func start(t *testing.T, change ...func(*app.Config)) (*apptest.Env, *clocktest.Clock) {
	clock := clocktest.New(time.Date(2026, 12, 7, 9, 0, 0, 0, athens))
	env := apptest.Start(t, append([]func(*app.Config){func(c *app.Config) {
		c.Now, c.RemoteDifficulty, c.RemotePerDay = clock.Now, difficulty, 1000
	}}, change...)...)
	return env, clock
}

type challengeJSON struct {
	Challenge  string    `json:"challenge"`
	Difficulty int       `json:"difficulty"`
	ExpiresAt  time.Time `json:"expires_at"`
}

func challenge(t *testing.T, c *apptest.Client) challengeJSON {
	t.Helper()
	res := apptest.MustStatus(t, c.Do("GET", challengePath, nil), http.StatusOK)
	if cc := res.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("challenge Cache-Control %q", cc)
	}
	return apptest.Decode[challengeJSON](t, res)
}

// join solves a fresh challenge and asks for a ticket of svc.
func join(t *testing.T, c *apptest.Client, svc string) apptest.Response {
	t.Helper()
	ch := challenge(t, c)
	return c.Do("POST", joinPath, map[string]string{"service": svc, "lang": "en", "challenge": ch.Challenge,
		"nonce": remote.Solve(ch.Challenge, ch.Difficulty)})
}

type remoteTicket struct {
	apptest.TicketJSON
	Source         string     `json:"source"`
	BeThereBy      *time.Time `json:"be_there_by"`
	EstimatedWaitS *int       `json:"estimated_wait_s"`
	Lang           string     `json:"lang"`
}

// wantRefused checks a 422 remote_closed answer for reason.
func wantRefused(t *testing.T, res apptest.Response, reason string) {
	t.Helper()
	apptest.WantError(t, res, http.StatusUnprocessableEntity, "remote_closed")
	var e struct {
		Error struct {
			Reason string `json:"reason"`
		} `json:"error"`
	}
	if err := json.Unmarshal(res.Body, &e); err != nil || e.Error.Reason != reason {
		t.Fatalf("reason %q, want %q: %s", e.Error.Reason, reason, res.Body)
	}
}

func TestJoinFromHomeOverHTTP(t *testing.T) {
	env, _ := start(t)
	clerk := env.User("maria", auth.RoleClerk, "demo")
	apptest.MustStatus(t, clerk.Do("POST", apptest.CounterPath("demo", "1", "open"), nil), http.StatusOK)
	kiosk := env.Kiosk("demo")
	for range 5 { // 20 minutes of work for one counter
		apptest.IssueTicket(t, kiosk, "demo", "certificates")
	}
	citizen := env.Client()
	// The branch page learns where joining from home is offered.
	var svcs struct {
		Services []struct {
			ID         string `json:"id"`
			RemoteJoin *bool  `json:"remote_join"`
		} `json:"services"`
	}
	apptest.MustStatus(t, citizen.Do("GET", apptest.ServicesPath, nil), http.StatusOK)
	citizen.Call("GET", apptest.ServicesPath, nil, &svcs)
	offered := map[string]bool{}
	for _, s := range svcs.Services {
		if s.RemoteJoin == nil {
			t.Fatalf("service %s without remote_join", s.ID)
		}
		offered[s.ID] = *s.RemoteJoin
	}
	if !offered["certificates"] || offered["signatures"] || offered["applications"] {
		t.Fatalf("remote joining offered: %v", offered)
	}

	ch := challenge(t, citizen)
	if ch.Difficulty != difficulty || !ch.ExpiresAt.After(time.Now()) || ch.ExpiresAt.After(time.Now().Add(10*time.Minute)) {
		t.Fatalf("challenge %+v", ch)
	}
	res := citizen.Do("POST", joinPath, map[string]string{"service": "certificates", "lang": "en",
		"challenge": ch.Challenge, "nonce": remote.Solve(ch.Challenge, ch.Difficulty)})
	apptest.MustStatus(t, res, http.StatusCreated)
	if cc := res.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control %q", cc)
	}
	tk := apptest.Decode[remoteTicket](t, res)
	apptest.CheckHolderTicket(t, env, tk.TicketJSON)
	if tk.Source != "remote" || tk.Number != "A006" || tk.Position != 6 || tk.State != "waiting" || tk.Lang != "en" {
		t.Fatalf("remote ticket %s", res.Body)
	}
	if tk.EstimatedWaitS == nil || *tk.EstimatedWaitS <= 0 || tk.BeThereBy == nil {
		t.Fatalf("no estimate or be-there-by: %s", res.Body)
	}
	// In the branch's time, on the minute, margin (10 min) before the call.
	wait := time.Duration(*tk.EstimatedWaitS) * time.Second
	if _, off := tk.BeThereBy.Zone(); off != 2*3600 || tk.BeThereBy.Second() != 0 {
		t.Errorf("be_there_by %v: want Athens time on the minute", tk.BeThereBy)
	}
	want := tk.IssuedAt.Add(wait - 10*time.Minute)
	if wait < 15*time.Minute || !tk.BeThereBy.After(tk.IssuedAt) || tk.BeThereBy.After(want) || want.Sub(*tk.BeThereBy) >= time.Minute {
		t.Errorf("be_there_by %v, issued %v, wait %v", tk.BeThereBy, tk.IssuedAt, wait)
	}
	// The holder's page reads the same.
	var again remoteTicket
	if st := citizen.Call("GET", "/api/v1/tickets/"+tk.Token, nil, &again); st != http.StatusOK ||
		again.Source != "remote" || again.BeThereBy == nil || !again.BeThereBy.Equal(*tk.BeThereBy) {
		t.Fatalf("GET the ticket: %d %+v", st, again)
	}
	// Called like any other: the sixth call, and the counter shows it is
	// remote.
	for range 5 {
		apptest.MustStatus(t, clerk.Do("POST", apptest.CounterPath("demo", "1", "next"), nil), http.StatusOK)
	}
	res = apptest.MustStatus(t, clerk.Do("POST", apptest.CounterPath("demo", "1", "next"), nil), http.StatusOK)
	if !strings.Contains(string(res.Body), `"number":"A006"`) || !strings.Contains(string(res.Body), `"source":"remote"`) {
		t.Fatalf("sixth call: %s", res.Body)
	}
}

func TestJoinRefusalsOverHTTP(t *testing.T) {
	env, clock := start(t)
	admin := env.Admin()
	clerk := env.User("maria", auth.RoleClerk, "demo")
	citizen := env.Client()
	patch := func(path string, body string) {
		t.Helper()
		apptest.MustStatus(t, admin.Do("PATCH", path, body, "Content-Type", "application/merge-patch+json"), http.StatusOK)
	}
	const svc = "/api/v1/branches/demo/services/certificates"

	wantRefused(t, join(t, citizen, "signatures"), "not_allowed")
	wantRefused(t, join(t, citizen, "certificates"), "unstaffed") // no counter open yet
	apptest.MustStatus(t, clerk.Do("POST", apptest.CounterPath("demo", "1", "open"), nil), http.StatusOK)

	patch(svc, `{"open": false}`)
	wantRefused(t, join(t, citizen, "certificates"), "closed")
	patch(svc, `{"open": true}`)

	patch("/api/v1/branches/demo", `{"hours": {"mon": [{"from": "08:00", "to": "09:20"}]}}`)
	wantRefused(t, join(t, citizen, "certificates"), "closing_soon") // 20 minutes left, window 30
	patch("/api/v1/branches/demo", `{"hours": {"mon": [{"from": "09:30", "to": "15:00"}]}}`)
	wantRefused(t, join(t, citizen, "certificates"), "closed")
	clock.Add(45 * time.Minute) // 09:45

	patch(svc, `{"remote_join": {"daily_cap": 1}}`)
	apptest.MustStatus(t, join(t, citizen, "certificates"), http.StatusCreated)
	wantRefused(t, join(t, citizen, "certificates"), "cap_reached")
	patch(svc, `{"remote_join": {"enabled": false}}`)
	wantRefused(t, join(t, citizen, "certificates"), "not_allowed")

	// Unknown service and branch: 404, as for any ticket.
	apptest.WantError(t, join(t, citizen, "nosuch"), http.StatusNotFound, "not_found")
	apptest.WantError(t, citizen.Do("GET", "/api/v1/branches/nosuch/remote-tickets/challenge", nil), http.StatusNotFound, "not_found")
}

func TestRemoteSettingsOverHTTP(t *testing.T) {
	env, _ := start(t)
	admin := env.Admin()
	const svc = "/api/v1/branches/demo/services/signatures"
	for _, body := range []string{
		`{"remote_join": {"enabled": true, "daily_cap": -1}}`,
		`{"remote_join": {"enabled": true, "close_before_min": -1}}`,
		`{"remote_join": {"enabled": true, "be_there_margin_min": -10}}`,
	} {
		apptest.WantError(t, admin.Do("PATCH", svc, body, "Content-Type", "application/merge-patch+json"), http.StatusBadRequest, "validation_failed")
	}
	res := apptest.MustStatus(t, admin.Do("PATCH", svc, `{"remote_join": {"enabled": true, "daily_cap": 20, "close_before_min": 45, "be_there_margin_min": 15}}`,
		"Content-Type", "application/merge-patch+json"), http.StatusOK)
	var got struct {
		RemoteJoin map[string]any `json:"remote_join"`
	}
	if err := json.Unmarshal(res.Body, &got); err != nil || got.RemoteJoin["daily_cap"] != 20.0 ||
		got.RemoteJoin["close_before_min"] != 45.0 || got.RemoteJoin["be_there_margin_min"] != 15.0 || got.RemoteJoin["enabled"] != true {
		t.Fatalf("patched: %s", res.Body)
	}
}

func TestChallengeFailures(t *testing.T) {
	env, _ := start(t)
	clerk := env.User("maria", auth.RoleClerk, "demo")
	apptest.MustStatus(t, clerk.Do("POST", apptest.CounterPath("demo", "1", "open"), nil), http.StatusOK)
	apptest.CreateOtherBranch(t, env)
	citizen := env.Client()
	post := func(ch, nonce, svc string) apptest.Response {
		return citizen.Do("POST", joinPath, map[string]string{"service": svc, "challenge": ch, "nonce": nonce})
	}
	wantChallenge := func(name string, res apptest.Response) {
		t.Helper()
		if res.Status != http.StatusUnprocessableEntity || apptest.ErrorCode(res.Body) != "challenge" {
			t.Errorf("%s: %d %s, want 422 challenge", name, res.Status, res.Body)
		}
		apptest.CheckErrorBody(t, res)
	}
	ch := challenge(t, citizen)
	good := remote.Solve(ch.Challenge, ch.Difficulty)
	bad := "x"
	for remote.LeadingZeroBits(sha256.Sum256([]byte(ch.Challenge+":"+bad))) >= ch.Difficulty {
		bad += "x"
	}
	wantChallenge("missing", citizen.Do("POST", joinPath, map[string]string{"service": "certificates"}))
	wantChallenge("missing nonce", post(ch.Challenge, "", "certificates"))
	wantChallenge("wrong work", post(ch.Challenge, bad, "certificates"))
	enc, sig, _ := strings.Cut(ch.Challenge, ".")
	forged := enc + "." + strings.Repeat("A", len(sig))
	wantChallenge("forged signature", post(forged, remote.Solve(forged, ch.Difficulty), "certificates"))
	wantChallenge("garbage", post("not-a-challenge", "1", "certificates"))
	wantChallenge("too long a nonce", post(ch.Challenge, strings.Repeat("1", 100), "certificates"))

	// Another office's challenge does not open this one.
	res := apptest.MustStatus(t, citizen.Do("GET", "/api/v1/branches/other/remote-tickets/challenge", nil), http.StatusOK)
	other := apptest.Decode[challengeJSON](t, res)
	wantChallenge("another branch's", post(other.Challenge, remote.Solve(other.Challenge, other.Difficulty), "certificates"))

	// Expired: made by the server's key five minutes and more ago.
	old := remote.NewChallenger(remote.ChallengeKey(env.App.Store.TokenKey()), difficulty, 5*time.Minute,
		func() time.Time { return time.Now().Add(-5*time.Minute - time.Second) }).New("demo")
	wantChallenge("expired", post(old.Challenge, remote.Solve(old.Challenge, old.Difficulty), "certificates"))
	// The same key a moment ago is fine: the expiry is what failed.
	fresh := remote.NewChallenger(remote.ChallengeKey(env.App.Store.TokenKey()), difficulty, 5*time.Minute,
		func() time.Time { return time.Now().Add(-4 * time.Minute) }).New("demo")
	first := apptest.Decode[remoteTicket](t, apptest.MustStatus(t, post(fresh.Challenge, remote.Solve(fresh.Challenge, fresh.Difficulty), "certificates"), http.StatusCreated))

	// A challenge yields one ticket: sent again (the answer was lost), the
	// same ticket; for another service, refused.
	res = apptest.MustStatus(t, post(ch.Challenge, good, "certificates"), http.StatusCreated)
	a := apptest.Decode[remoteTicket](t, res)
	res = apptest.MustStatus(t, post(ch.Challenge, good, "certificates"), http.StatusCreated)
	if b := apptest.Decode[remoteTicket](t, res); b.Token != a.Token || a.Token == first.Token {
		t.Fatalf("retry gave ticket %s, first %s", b.Number, a.Number)
	}
	patchCert := env.Admin()
	apptest.MustStatus(t, patchCert.Do("PATCH", "/api/v1/branches/demo/services/signatures", `{"remote_join": {"enabled": true}}`,
		"Content-Type", "application/merge-patch+json"), http.StatusOK)
	wantChallenge("reused for another service", post(ch.Challenge, good, "signatures"))

	// Bad JSON is a 400 as everywhere.
	apptest.WantError(t, citizen.Do("POST", joinPath, `{"service":`), http.StatusBadRequest, "bad_request")
	apptest.WantError(t, citizen.Do("POST", joinPath, `{"service":"certificates","extra":1}`), http.StatusBadRequest, "bad_request")
}

func TestJoinRateLimitPerAddress(t *testing.T) {
	env, _ := start(t, func(c *app.Config) { c.RemotePerDay = 2 })
	clerk := env.User("maria", auth.RoleClerk, "demo")
	apptest.MustStatus(t, clerk.Do("POST", apptest.CounterPath("demo", "1", "open"), nil), http.StatusOK)
	citizen := env.Client()
	for range 2 {
		apptest.MustStatus(t, join(t, citizen, "certificates"), http.StatusCreated)
	}
	res := join(t, citizen, "certificates")
	apptest.WantError(t, res, http.StatusTooManyRequests, "rate_limited")
	if ra := res.Header.Get("Retry-After"); ra != "43200" {
		t.Errorf("Retry-After %q, want 43200 (a place comes back every 12 hours)", ra)
	}
	// Without the work it is refused before any place is counted.
	wantCode := apptest.ErrorCode(citizen.Do("POST", joinPath, map[string]string{"service": "certificates"}).Body)
	if wantCode != "challenge" {
		t.Errorf("without work: %s", wantCode)
	}
}

// TestRetryAtTheAddressLimitGetsItsTicket: a join whose answer was lost
// on the way, sent again with the same challenge, gets the ticket it took
// also when that ticket used the address's last place of the day (many
// phones share one address behind a carrier's NAT): the retry takes no
// place of its own, so it is never refused a ticket that is already
// queued in the holder's name.
func TestRetryAtTheAddressLimitGetsItsTicket(t *testing.T) {
	env, _ := start(t, func(c *app.Config) { c.RemotePerDay = 1 })
	clerk := env.User("maria", auth.RoleClerk, "demo")
	apptest.MustStatus(t, clerk.Do("POST", apptest.CounterPath("demo", "1", "open"), nil), http.StatusOK)
	citizen := env.Client()
	ch := challenge(t, citizen)
	body := map[string]string{"service": "certificates", "lang": "en", "challenge": ch.Challenge,
		"nonce": remote.Solve(ch.Challenge, ch.Difficulty)}
	first := apptest.Decode[remoteTicket](t, apptest.MustStatus(t, citizen.Do("POST", joinPath, body), http.StatusCreated))
	again := apptest.Decode[remoteTicket](t, apptest.MustStatus(t, citizen.Do("POST", joinPath, body), http.StatusCreated))
	if again.Token != first.Token {
		t.Fatalf("retry gave ticket %s, the first try %s", again.Number, first.Number)
	}
	// A new challenge is a new ticket, and the address's day is used up.
	apptest.WantError(t, join(t, citizen, "certificates"), http.StatusTooManyRequests, "rate_limited")
}
