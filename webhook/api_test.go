package webhook_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/seira-queue/seira/app"
	"github.com/seira-queue/seira/app/apptest"
	"github.com/seira-queue/seira/auth"
)

const hooksPath = "/api/v1/branches/demo/webhooks"

type subJSON struct {
	ID      string   `json:"id"`
	URL     string   `json:"url"`
	Events  []string `json:"events"`
	Secret  string   `json:"secret"`
	Pending int      `json:"pending"`
}

type deliveryJSON struct {
	ID         string `json:"id"`
	Seq        uint64 `json:"seq"`
	Event      string `json:"event"`
	State      string `json:"state"`
	Attempts   int    `json:"attempts"`
	LastStatus int    `json:"last_status"`
	LastError  string `json:"last_error"`
}

func deliveriesOf(t *testing.T, c *apptest.Client, id string) []deliveryJSON {
	t.Helper()
	var out struct {
		Deliveries []deliveryJSON `json:"deliveries"`
	}
	if st := c.Call("GET", hooksPath+"/"+id+"/deliveries", nil, &out); st != 200 {
		t.Fatalf("deliveries: %d", st)
	}
	return out.Deliveries
}

// TestWebhookAPI: an administrator subscribes (the secret is shown once),
// lists, reads the deliveries, replays a failed one and deletes; bad input
// is a JSON error of the right status; others may not; each change is in
// the branch's audit log.
func TestWebhookAPI(t *testing.T) {
	env := apptest.Start(t, func(c *app.Config) {
		c.Webhooks.Guard.AllowPrivate = true
		c.Webhooks.MaxAge = time.Nanosecond // a failed try fails the delivery: for the replay
	})
	admin := env.Admin()
	var mu sync.Mutex
	down := false
	rec := newReceiver(t, func(hit) int {
		mu.Lock()
		defer mu.Unlock()
		if down {
			return 502
		}
		return 200
	})
	for _, tc := range []struct {
		body   any
		status int
		code   string
	}{
		{map[string]any{"url": rec.URL, "events": []string{"ticket.bogus"}}, 400, "validation_failed"},
		{map[string]any{"url": rec.URL, "events": []string{}}, 400, "validation_failed"},
		{map[string]any{"url": rec.URL, "events": []string{"user.created"}}, 400, "validation_failed"},
		{map[string]any{"url": rec.URL, "events": []string{"ticket.called"}, "secret": "short"}, 400, "validation_failed"},
		{map[string]any{"url": "ftp://example.com/", "events": []string{"ticket.called"}}, 400, "validation_failed"},
		{map[string]any{"url": 7, "events": []string{"ticket.called"}}, 400, "bad_request"},
		{`{"url":`, 400, "bad_request"},
	} {
		res := admin.Do("POST", hooksPath, tc.body)
		if res.Status != tc.status || apptest.ErrorCode(res.Body) != tc.code {
			t.Errorf("%v: %d %s, want %d %s", tc.body, res.Status, res.Body, tc.status, tc.code)
		}
	}
	res := admin.Do("POST", hooksPath, map[string]any{"url": rec.URL + "/in", "events": []string{"ticket.issued", "ticket.called", "ticket.issued"}})
	if res.Status != 201 {
		t.Fatalf("create: %d %s", res.Status, res.Body)
	}
	var sub subJSON
	if err := json.Unmarshal(res.Body, &sub); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(sub.ID, "wh_") || !strings.HasPrefix(sub.Secret, "whsec_") || len(sub.Secret) < 26 ||
		sub.URL != rec.URL+"/in" || strings.Join(sub.Events, ",") != "ticket.called,ticket.issued" {
		t.Fatalf("created %+v", sub)
	}
	// Given secret: kept, and never shown again either.
	res = admin.Do("POST", hooksPath, map[string]any{"url": rec.URL + "/two", "events": []string{"counter.opened"}, "secret": "my-own-secret-0123456789"})
	var sub2 subJSON
	_ = json.Unmarshal(res.Body, &sub2)
	if res.Status != 201 || sub2.Secret != "my-own-secret-0123456789" {
		t.Fatalf("create with a secret: %d %s", res.Status, res.Body)
	}
	res = admin.Do("GET", hooksPath, nil)
	if res.Status != 200 || bytes.Contains(res.Body, []byte(sub.Secret)) || bytes.Contains(res.Body, []byte("my-own-secret")) ||
		bytes.Contains(res.Body, []byte(`"secret"`)) || !bytes.Contains(res.Body, []byte(sub.ID)) {
		t.Fatalf("list: %d %s", res.Status, res.Body)
	}

	// Others may not.
	clerk := env.User("clerk1", auth.RoleClerk, "demo")
	apptest.CreateOtherBranch(t, env)
	other := env.User("manager2", auth.RoleManager, "other")
	manager := env.User("manager1", auth.RoleManager, "demo")
	for _, c := range []struct {
		who    *apptest.Client
		status int
	}{{env.Client(), 401}, {clerk, 403}, {other, 403}} {
		for _, req := range [][2]string{{"GET", hooksPath}, {"POST", hooksPath}, {"DELETE", hooksPath + "/" + sub.ID},
			{"GET", hooksPath + "/" + sub.ID + "/deliveries"}, {"POST", hooksPath + "/" + sub.ID + "/deliveries/1/replay"}} {
			var body any
			if req[0] == "POST" {
				body = map[string]any{"url": rec.URL, "events": []string{"ticket.called"}}
			}
			if res := c.who.Do(req[0], req[1], body); res.Status != c.status {
				t.Errorf("%s %s: %d, want %d", req[0], req[1], res.Status, c.status)
			}
		}
	}
	if st := manager.Call("GET", hooksPath, nil, nil); st != 200 {
		t.Errorf("the branch's manager lists: %d", st)
	}

	// A ticket: delivered, signed with the secret shown once.
	kiosk := env.Kiosk("demo")
	tk := apptest.IssueTicket(t, kiosk, "demo", "certificates")
	h := rec.next(t)
	if _, err := verify(sub.Secret, h.header.Get("Seira-Signature"), h.body, time.Now(), time.Minute); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(h.body), `"number":"`+tk.Number+`"`) || strings.Contains(string(h.body), tk.Token) {
		t.Errorf("body %s for ticket %s", h.body, tk.Number)
	}
	waitFor(t, "delivered", func() bool {
		ds := deliveriesOf(t, admin, sub.ID)
		return len(ds) == 1 && ds[0].State == "delivered" && ds[0].ID == h.header.Get("Seira-Delivery")
	})
	if res := admin.Do("POST", hooksPath+"/"+sub.ID+"/deliveries/"+h.header.Get("Seira-Delivery")+"/replay", nil); res.Status != 409 {
		t.Errorf("replay of a delivered one: %d %s", res.Status, res.Body)
	}
	for _, bad := range []string{"x", "0", sub2.ID + "-1", "999999"} {
		if res := admin.Do("POST", hooksPath+"/"+sub.ID+"/deliveries/"+bad+"/replay", nil); res.Status != 404 {
			t.Errorf("replay %s: %d %s", bad, res.Status, res.Body)
		}
	}

	// The receiver fails: the delivery fails (at once here), a replay
	// sends it again with its id.
	mu.Lock()
	down = true
	mu.Unlock()
	apptest.IssueTicket(t, kiosk, "demo", "signatures")
	failed := rec.next(t)
	var ds []deliveryJSON
	waitFor(t, "failed", func() bool {
		ds = deliveriesOf(t, admin, sub.ID)
		return len(ds) == 2 && ds[0].State == "failed"
	})
	if ds[0].Attempts != 1 || ds[0].LastStatus != 502 || ds[0].ID != failed.header.Get("Seira-Delivery") {
		t.Errorf("failed delivery %+v", ds[0])
	}
	mu.Lock()
	down = false
	mu.Unlock()
	if res := admin.Do("POST", hooksPath+"/"+sub.ID+"/deliveries/"+ds[0].ID+"/replay", nil); res.Status != 202 {
		t.Fatalf("replay: %d %s", res.Status, res.Body)
	}
	again := rec.next(t)
	if again.header.Get("Seira-Delivery") != ds[0].ID || !bytes.Equal(again.body, failed.body) {
		t.Errorf("replayed %s %s, want %s %s", again.header.Get("Seira-Delivery"), again.body, ds[0].ID, failed.body)
	}
	waitFor(t, "replayed delivered", func() bool {
		ds = deliveriesOf(t, admin, sub.ID)
		return ds[0].State == "delivered"
	})

	// Delete: gone, with its deliveries.
	if res := admin.Do("DELETE", hooksPath+"/"+sub.ID, nil); res.Status != 204 {
		t.Fatalf("delete: %d %s", res.Status, res.Body)
	}
	for _, req := range [][2]string{{"DELETE", hooksPath + "/" + sub.ID}, {"GET", hooksPath + "/" + sub.ID + "/deliveries"}} {
		if res := admin.Do(req[0], req[1], nil); res.Status != 404 || apptest.ErrorCode(res.Body) != "not_found" {
			t.Errorf("%s %s after delete: %d %s", req[0], req[1], res.Status, res.Body)
		}
	}
	if res := admin.Do("GET", "/api/v1/branches/nowhere/webhooks", nil); res.Status != 404 {
		t.Errorf("another branch: %d", res.Status)
	}

	// The audit log.
	var log struct {
		Events []struct {
			Type    string `json:"type"`
			Actor   string `json:"actor"`
			Subject string `json:"subject"`
			Detail  string `json:"detail"`
		} `json:"events"`
	}
	raw := admin.Do("GET", "/api/v1/branches/demo/events?limit=5000", nil)
	if err := json.Unmarshal(bytes.ReplaceAll(raw.Body, []byte(`"detail":{`), []byte(`"detail_":{`)), &log); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range log.Events {
		if strings.HasPrefix(e.Type, "webhook.") {
			got = append(got, fmt.Sprintf("%s %s %s", e.Type, e.Actor, e.Subject))
		}
	}
	want := []string{"webhook.created admin " + sub.ID, "webhook.created admin " + sub2.ID,
		"webhook.replayed admin " + ds[0].ID, "webhook.deleted admin " + sub.ID}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("audit log:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if bytes.Contains(raw.Body, []byte(sub.Secret)) || bytes.Contains(raw.Body, []byte("my-own-secret")) {
		t.Error("a secret is in the audit log")
	}
}

// TestSubscribingRefusesPrivateURLs: without -webhooks-allow-private, URLs
// on loopback or private networks are refused with 422 url_refused.
func TestSubscribingRefusesPrivateURLs(t *testing.T) {
	env := apptest.Start(t)
	admin := env.Admin()
	for _, u := range []string{"http://127.0.0.1:9/x", "http://localhost/x", "http://10.0.0.7/x", "http://169.254.169.254/", "http://[::1]:80/", "http://[::ffff:127.0.0.1]/"} {
		res := admin.Do("POST", hooksPath, map[string]any{"url": u, "events": []string{"ticket.called"}})
		if res.Status != 422 || apptest.ErrorCode(res.Body) != "url_refused" {
			t.Errorf("%s: %d %s", u, res.Status, res.Body)
		}
	}
	if res := admin.Do("GET", hooksPath, nil); !bytes.Contains(res.Body, []byte(`"webhooks":[]`)) {
		t.Errorf("list: %s", res.Body)
	}
}

// TestSlowReceiverNeverSlowsTheOffice: with a receiver that takes a
// delivery and never answers, tickets are still issued from several
// clients at once; the deliveries wait, in order, and go once it answers.
func TestSlowReceiverNeverSlowsTheOffice(t *testing.T) {
	env := apptest.Start(t, func(c *app.Config) {
		c.Webhooks.Guard.AllowPrivate = true
		c.Webhooks.Timeout = time.Hour
	})
	admin := env.Admin()
	release, entered := make(chan struct{}), make(chan struct{}, 100)
	rec := newReceiver(t, func(h hit) int {
		entered <- struct{}{}
		<-release // the first request holds here
		return 200
	})
	var once sync.Once
	free := func() { once.Do(func() { close(release) }) }
	t.Cleanup(free) // before the receiver closes, should the test fail
	var sub subJSON
	if st := admin.Call("POST", hooksPath, map[string]any{"url": rec.URL, "events": []string{"ticket.issued"}}, &sub); st != 201 {
		t.Fatalf("subscribe: %d", st)
	}
	kiosk := env.Kiosk("demo")
	apptest.IssueTicket(t, kiosk, "demo", "certificates")
	// The worker is now stuck in the receiver, until release.
	select {
	case <-entered:
	case <-time.After(30 * time.Second):
		t.Fatal("the receiver got nothing")
	}
	const clients, each = 4, 10
	statuses := make(chan int, clients*each)
	for range clients {
		go func() {
			for range each {
				req, _ := http.NewRequest("POST", env.URL+"/api/v1/branches/demo/tickets", strings.NewReader(`{"service":"signatures"}`))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Authorization", "Bearer "+kiosk.Token)
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					statuses <- 0
					continue
				}
				res.Body.Close()
				statuses <- res.StatusCode
			}
		}()
	}
	deadline := time.After(60 * time.Second)
	for i := range clients * each {
		select {
		case st := <-statuses:
			if st != 201 {
				t.Fatalf("issue %d: status %d", i, st)
			}
		case <-deadline:
			t.Fatalf("only %d of %d issues completed while the receiver hangs", i, clients*each)
		}
	}
	if n := len(entered); n != 0 {
		t.Fatalf("%d more requests reached the receiver while the first hangs, want none (in order)", n)
	}
	free()
	waitFor(t, "every issue delivered", func() bool {
		rec.mu.Lock()
		defer rec.mu.Unlock()
		return len(rec.all) == 1+clients*each
	})
	var last uint64
	rec.mu.Lock()
	for _, h := range rec.all {
		if h.seq <= last {
			t.Errorf("event %d after %d", h.seq, last)
		}
		last = h.seq
	}
	rec.mu.Unlock()
}

// TestDeliveredUnderASimulatedClock: with the engine on a simulated clock
// (-clock-start, seira sim) days ahead of real time, an event is sent at
// once, not when real time catches up with the event's, and its signature
// carries the real time a receiver checks against its own clock.
func TestDeliveredUnderASimulatedClock(t *testing.T) {
	env := apptest.Start(t, func(c *app.Config) {
		c.Webhooks.Guard.AllowPrivate = true
		c.Now = func() time.Time { return time.Now().Add(72 * time.Hour) }
	})
	admin := env.Admin()
	rec := newReceiver(t, func(hit) int { return 200 })
	res := apptest.MustStatus(t, admin.Do("POST", hooksPath, map[string]any{"url": rec.URL, "events": []string{"ticket.issued"}}), 201)
	sub := apptest.Decode[subJSON](t, res)
	apptest.IssueTicket(t, env.Kiosk("demo"), "demo", "certificates")
	h := rec.next(t)
	if _, err := verify(sub.Secret, h.header.Get("Seira-Signature"), h.body, time.Now(), 5*time.Minute); err != nil {
		t.Errorf("signature %q: %v", h.header.Get("Seira-Signature"), err)
	}
	waitFor(t, "delivered", func() bool {
		ds := deliveriesOf(t, admin, sub.ID)
		return len(ds) == 1 && ds[0].State == "delivered"
	})
}
