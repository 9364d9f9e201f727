package e2e

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/seira-queue/seira/app/apptest"
	bt "github.com/seira-queue/seira/internal/browsertest"
)

// adminSignIn opens the admin pages in ctx and signs in as the
// administrator; atLogin, if given, runs on the sign-in form first.
func adminSignIn(t *testing.T, ctx context.Context, base string, atLogin func()) {
	t.Helper()
	bt.Do(t, ctx, long, chromedp.Navigate(base+"/admin"))
	bt.WaitTrue(t, ctx, long, `window.seiraAdmin && seiraAdmin.view === "login"`)
	if atLogin != nil {
		atLogin()
	}
	bt.Do(t, ctx, long,
		chromedp.SendKeys(chromedp.ID("login-username"), "admin"),
		chromedp.SendKeys(chromedp.ID("login-password"), apptest.AdminPassword),
		chromedp.Click(chromedp.ID("btn-login")),
	)
	bt.WaitTrue(t, ctx, long, `seiraAdmin.view === "overview" && seiraAdmin.ready`)
}

// TestManagerRunsTheOfficeFromTheAdminPages signs in as the administrator,
// watches the day live, writes the display's message line and sees it
// appear on the wall display at once, and draws the statistics.
func TestManagerRunsTheOfficeFromTheAdminPages(t *testing.T) {
	env := apptest.Start(t)
	api := env.Admin()
	for _, svc := range []string{"certificates", "certificates", "signatures"} {
		issue(t, api, svc)
	}
	api.Call("POST", "/api/v1/branches/demo/counters/1/open", nil, nil)
	call(t, api, "1")
	call(t, api, "1")

	browser := bt.Browser(t, 1920, 1080)
	display := browser
	bt.Do(t, display, long, chromedp.Navigate(env.URL+"/display/demo"))
	bt.WaitTrue(t, display, long, `window.seiraDisplay && seiraDisplay.connected && document.getElementById("message-line").hidden`)

	admin := bt.Browser(t, 1920, 1080)
	adminSignIn(t, admin, env.URL, func() { checkAxe(t, admin, "admin sign-in") })
	bt.WaitTrue(t, admin, long, `document.getElementById("ov-issued").textContent.includes("3")`)
	checkAxe(t, admin, "admin overview")
	bt.Screenshot(t, admin, "admin-overview-el")

	// The message line, from the settings form to the wall.
	bt.Do(t, admin, long, chromedp.Navigate(env.URL+"/admin/settings?branch=demo"))
	bt.WaitTrue(t, admin, long, `seiraAdmin.view === "settings" && seiraAdmin.ready`)
	checkAxe(t, admin, "admin settings")
	bt.Do(t, admin, long,
		chromedp.SendKeys(chromedp.ID("br-msg-el"), "Το γραφείο κλείνει στις 14:00 σήμερα"),
		chromedp.SendKeys(chromedp.ID("br-msg-en"), "The office closes at 14:00 today"),
		chromedp.Click(chromedp.ID("btn-branch-save")),
	)
	bt.WaitTrue(t, display, long, `!document.getElementById("message-line").hidden && document.getElementById("message-primary").textContent.includes("14:00")`)
	bt.Screenshot(t, display, "display-message")
	// The audit trail names who did it.
	var log struct {
		Events []struct {
			Type, Actor string
		}
	}
	api.Call("GET", "/api/v1/branches/demo/events?since=0&limit=5000", nil, &log)
	found := false
	for _, ev := range log.Events {
		found = found || ev.Type == "branch.updated" && ev.Actor == "admin"
	}
	if !found {
		t.Error("the message change is not in the event log as admin's")
	}

	// Statistics with their charts, in English.
	bt.Do(t, admin, long, chromedp.Navigate(env.URL+"/admin/stats?branch=demo"))
	bt.WaitTrue(t, admin, long, `seiraAdmin.view === "stats"`)
	bt.Do(t, admin, long, chromedp.Click(chromedp.CSS(`#lang-switch button[data-lang="en"]`)), chromedp.Click(chromedp.ID("btn-stats")))
	bt.WaitTrue(t, admin, long, `seiraAdmin.ready && seiraAdmin.statsRows > 0 && document.querySelector("#svg-counts rect") !== null`)
	if href := bt.Eval[string](t, admin, `document.getElementById("stats-csv").href`); !strings.Contains(href, "format=csv") {
		t.Errorf("the CSV link is %q", href)
	}
	checkAxe(t, admin, "admin statistics")
	bt.Screenshot(t, admin, "admin-stats-en")

	// By source: the rows are named as a manager says them.
	bt.Do(t, admin, long, chromedp.SetValue(chromedp.ID("stats-by"), "source"), chromedp.Click(chromedp.ID("btn-stats")))
	bt.WaitTrue(t, admin, long, `seiraAdmin.ready && document.getElementById("stats-key-head").textContent === "Source"`)
	if rows := bt.Eval[string](t, admin, `[...document.querySelectorAll("#stats-body th[scope=row]")].map((th) => th.textContent).join("|")`); !strings.Contains(rows, "Walk-in") || strings.Contains(rows, "walk_in") {
		t.Errorf("rows by source: %q", rows)
	}
}
