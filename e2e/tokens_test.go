package e2e

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/seira-queue/seira/app/apptest"
	bt "github.com/seira-queue/seira/internal/browsertest"
)

// TestAdminMakesAnAPITokenForAnIntegration: the administrator makes a
// token in the admin page, reads its secret, shown once; an outside
// system uses it over plain HTTP to issue a ticket, and is refused what its
// scope does not allow; the page shows the last use; revoked in the page
// (after a confirm dialog), the token gets 401 at once.
func TestAdminMakesAnAPITokenForAnIntegration(t *testing.T) {
	env := apptest.Start(t)
	admin := bt.Browser(t, 1366, 768)
	adminSignIn(t, admin, env.URL, nil)
	bt.Do(t, admin, long, chromedp.Navigate(env.URL+"/admin/tokens?branch=demo"))
	bt.WaitTrue(t, admin, long, `seiraAdmin.view === "tokens" && seiraAdmin.ready && seiraAdmin.tokenRows === 0`)
	checkAxe(t, admin, "admin tokens")

	// Create: a name, branch demo (the current one), one scope.
	if got := bt.Eval[string](t, admin, `document.getElementById("tok-branch").value`); got != "demo" {
		t.Errorf("the branch chosen at first is %q", got)
	}
	bt.Do(t, admin, long,
		chromedp.SendKeys(chromedp.ID("tok-name"), "Εθνική πλατφόρμα"),
		chromedp.Click(chromedp.ID("tok-scope-tickets-write")),
		chromedp.Click(chromedp.ID("btn-tok-create")),
	)
	bt.WaitTrue(t, admin, long, `!document.getElementById("tok-secret").hidden && seiraAdmin.tokenRows === 1`)
	secret := bt.Eval[string](t, admin, `document.getElementById("tok-secret-value").value`)
	if !strings.HasPrefix(secret, "seira_") {
		t.Fatalf("the secret shown is %q", secret)
	}
	checkAxe(t, admin, "admin tokens, secret shown")
	bt.Screenshot(t, admin, "admin-token-secret")

	// The integration issues a ticket with it, and nothing else.
	platform := env.Client()
	platform.Token = secret
	issueOnce := func() apptest.Ticket {
		t.Helper()
		res := apptest.MustStatus(t, platform.Do("POST", "/api/v1/branches/demo/tickets", map[string]string{"service": "certificates"},
			"Idempotency-Key", "platform-order-1"), http.StatusCreated)
		return apptest.Decode[apptest.Ticket](t, res)
	}
	tk := issueOnce()
	if tk.Number == "" || tk.Token == "" {
		t.Errorf("the ticket issued: %+v", tk)
	}
	// The platform retries: the same ticket, not a second one.
	if again := issueOnce(); again.Number != tk.Number || again.Token != tk.Token {
		t.Errorf("a retry with the same Idempotency-Key issued %s after %s", again.Number, tk.Number)
	}
	apptest.WantError(t, platform.Do("GET", "/api/v1/branches/demo/stats?from=2026-01-01&to=2026-01-01", nil), http.StatusForbidden, "forbidden")
	apptest.WantError(t, platform.Do("GET", "/api/v1/tokens", nil), http.StatusForbidden, "forbidden")

	// Once: closed, it is gone from the page, and a fresh load never shows it.
	bt.Do(t, admin, long, chromedp.Click(chromedp.ID("btn-tok-secret-done")))
	bt.WaitTrue(t, admin, long, `document.getElementById("tok-secret").hidden && document.getElementById("tok-secret-value").value === ""`)
	if err := env.App.Auth.FlushUses(context.Background()); err != nil {
		t.Fatal(err)
	}
	bt.Do(t, admin, long, chromedp.Reload())
	bt.WaitTrue(t, admin, long, `seiraAdmin.view === "tokens" && seiraAdmin.ready && seiraAdmin.tokenRows === 1`)
	if bt.Eval[bool](t, admin, `document.documentElement.outerHTML.includes(`+jsString(secret)+`)`) {
		t.Error("the secret is on the page after a reload")
	}
	// The list shows its last use.
	bt.WaitTrue(t, admin, long, `document.querySelector("#tok-body tr td[data-last-used]").dataset.lastUsed !== ""`)

	// Revoke: the dialog asks; keeping it changes nothing, confirming revokes.
	bt.Do(t, admin, long, chromedp.Click(chromedp.CSS(`#tok-body button[data-revoke]`)))
	bt.WaitTrue(t, admin, long, `document.getElementById("tok-revoke-dialog").open`)
	checkAxe(t, admin, "admin tokens, revoke dialog")
	bt.Do(t, admin, long, chromedp.Click(chromedp.ID("btn-tok-revoke-keep")))
	bt.WaitTrue(t, admin, long, `!document.getElementById("tok-revoke-dialog").open`)
	apptest.MustStatus(t, platform.Do("GET", "/api/v1/branches/demo/services", nil), http.StatusOK)
	apptest.MustStatus(t, platform.Do("POST", "/api/v1/branches/demo/tickets", map[string]string{"service": "certificates"}), http.StatusCreated)
	bt.Do(t, admin, long, chromedp.Click(chromedp.CSS(`#tok-body button[data-revoke]`)))
	bt.WaitTrue(t, admin, long, `document.getElementById("tok-revoke-dialog").open`)
	bt.Do(t, admin, long, chromedp.Click(chromedp.ID("btn-tok-revoke-confirm")))
	bt.WaitTrue(t, admin, long, `document.querySelector("#tok-body tr").dataset.revoked === "true" && !document.getElementById("tok-revoke-dialog").open`)
	bt.Screenshot(t, admin, "admin-token-revoked")

	apptest.WantError(t, platform.Do("POST", "/api/v1/branches/demo/tickets", map[string]string{"service": "certificates"}), http.StatusUnauthorized, "unauthenticated")

	// On a phone the view fits.
	phone := bt.Browser(t, 360, 740)
	adminSignIn(t, phone, env.URL, nil)
	bt.Do(t, phone, long, chromedp.Navigate(env.URL+"/admin/tokens?branch=demo"))
	bt.WaitTrue(t, phone, long, `seiraAdmin.view === "tokens" && seiraAdmin.ready && seiraAdmin.tokenRows === 1`)
	bt.NoHorizontalOverflow(t, phone, "admin tokens on a phone")
}

// jsString quotes s for a JavaScript expression.
func jsString(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}
