package e2e

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/seira-queue/seira/app"
	"github.com/seira-queue/seira/app/apptest"
	bt "github.com/seira-queue/seira/internal/browsertest"
)

// TestAdminSubscribesAWebhookAndReplaysAFailure: on the admin pages, an
// administrator subscribes a receiver (the secret shown once is the one
// that signs the deliveries), sees a delivery fail, replays it once the
// receiver is back, and deletes the subscription.
func TestAdminSubscribesAWebhookAndReplaysAFailure(t *testing.T) {
	env := apptest.Start(t, func(c *app.Config) {
		c.Webhooks.Guard.AllowPrivate = true
		c.Webhooks.MaxAge = time.Nanosecond // a failed try fails the delivery at once
	})
	var mu sync.Mutex
	up := false
	var sigs []string
	var bodies [][]byte
	rec := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		sigs, bodies = append(sigs, r.Header.Get("Seira-Signature")), append(bodies, body)
		if !up {
			w.WriteHeader(http.StatusBadGateway)
		}
	}))
	defer rec.Close()

	admin := bt.Browser(t, 1366, 768)
	adminSignIn(t, admin, env.URL, nil)
	bt.Do(t, admin, long, chromedp.Navigate(env.URL+"/admin/webhooks?branch=demo"))
	bt.WaitTrue(t, admin, long, `seiraAdmin.view === "webhooks" && seiraAdmin.ready && !document.getElementById("wh-none").hidden`)
	checkAxe(t, admin, "admin webhooks")
	if !bt.Eval[bool](t, admin, `document.getElementById("wh-ev-ticket-issued").checked && !document.getElementById("wh-ev-counter-opened").checked`) {
		t.Fatal("the default events are not ticket.issued and ticket.called")
	}
	bt.Type(t, admin, long, "wh-url", rec.URL+"/seira")
	bt.Do(t, admin, long, chromedp.Click(chromedp.ID("btn-wh-create")))
	bt.WaitTrue(t, admin, long, `!document.getElementById("wh-secret-panel").hidden && document.querySelector("#wh-body tr[data-webhook]") !== null`)
	secret := bt.Eval[string](t, admin, `document.getElementById("wh-secret-value").value`)
	if !strings.HasPrefix(secret, "whsec_") {
		t.Fatalf("secret %q", secret)
	}
	checkAxe(t, admin, "admin webhooks, secret shown")
	bt.Do(t, admin, long, chromedp.Click(chromedp.ID("btn-wh-secret-close")))
	if bt.Eval[string](t, admin, `document.getElementById("wh-secret-value").value`) != "" {
		t.Fatal("the secret stays in the page")
	}

	// A ticket: its delivery fails, shows as failed, and is replayed.
	issue(t, env.Admin(), "certificates")
	bt.Do(t, admin, long, chromedp.Click(chromedp.CSS(`#wh-body button[data-deliveries]`)))
	bt.WaitTrue(t, admin, long, `document.getElementById("btn-wh-refresh").click(), document.querySelector('#wh-del-body tr[data-state="failed"] button[data-replay]') !== null`)
	checkAxe(t, admin, "admin webhooks, deliveries")
	mu.Lock()
	up = true
	first := bodies[0]
	ts, mac, _ := strings.Cut(strings.TrimPrefix(sigs[0], "t="), ",v1=")
	mu.Unlock()
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(ts + "." + string(first)))
	if hex.EncodeToString(m.Sum(nil)) != mac {
		t.Errorf("the secret shown does not sign the delivery: %s", sigs[0])
	}
	bt.Do(t, admin, long, chromedp.Click(chromedp.CSS(`#wh-del-body button[data-replay]`)))
	bt.WaitTrue(t, admin, long, `document.getElementById("btn-wh-refresh").click(), document.querySelector('#wh-del-body tr[data-state="delivered"]') !== null`)
	mu.Lock()
	if n := len(bodies); n != 2 || string(bodies[1]) != string(first) {
		t.Errorf("%d requests, the replay's body %s", n, bodies[len(bodies)-1])
	}
	mu.Unlock()

	// Delete, after confirming.
	bt.Eval[chromedp.Void](t, admin, `window.confirm = () => true`)
	bt.Do(t, admin, long, chromedp.Click(chromedp.CSS(`#wh-body button[data-delete]`)))
	bt.WaitTrue(t, admin, long, `document.querySelector("#wh-body tr") === null && document.getElementById("wh-deliveries").hidden`)
	if res := env.Admin().Do("GET", "/api/v1/branches/demo/webhooks", nil); !strings.Contains(string(res.Body), `"webhooks":[]`) {
		t.Errorf("after delete: %s", res.Body)
	}

	// On a phone, nothing overflows.
	phone := bt.Browser(t, 360, 740)
	adminSignIn(t, phone, env.URL, nil)
	bt.Do(t, phone, long, chromedp.Navigate(env.URL+"/admin/webhooks?branch=demo"))
	bt.WaitTrue(t, phone, long, `seiraAdmin.view === "webhooks" && seiraAdmin.ready`)
	bt.NoHorizontalOverflow(t, phone, "admin webhooks on a phone")
}
