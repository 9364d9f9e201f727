package e2e

import (
	"context"
	"crypto/sha256"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/seira-queue/seira/app/apptest"
	bt "github.com/seira-queue/seira/internal/browsertest"
)

// TestJoinTheQueueFromHome: on a phone, the office's page shows each
// service's wait in honest words; "join the queue" solves the proof of
// work, takes a number and lands on its ticket page with the position, the
// estimate and "be there by"; the clerk's call of it shows it is remote.
func TestJoinTheQueueFromHome(t *testing.T) {
	env := apptest.Start(t)
	api := env.Admin()
	issue(t, api, "certificates")
	issue(t, api, "certificates")

	clerk := bt.Browser(t, 1366, 768)
	signIn(t, clerk, env.URL, "1") // counter 1 serves certificates and signatures

	phone := bt.Browser(t, 360, 740)
	bt.Do(t, phone, long, chromedp.Navigate(env.URL+"/b/demo"))
	bt.WaitTrue(t, phone, long, `window.seiraBranch && seiraBranch.ready && seiraBranch.view === "list"`)
	switchLang(t, phone, "en")
	bt.WaitTrue(t, phone, long, `seiraBranch.services.some(s => s.id === "certificates" && s.remote && s.waiting === 2)`)
	if got := bt.Eval[string](t, phone, `document.querySelector('[data-testid="waiting-certificates"]').textContent`); got != "2 people" {
		t.Errorf("certificates waiting: %q", got)
	}
	if got := bt.Eval[string](t, phone, `document.querySelector('[data-testid="wait-certificates"]').textContent`); !strings.HasPrefix(got, "≈") {
		t.Errorf("certificates wait: %q, want an estimate", got)
	}
	// Counters 3 and 4 are closed: applications has no estimate, in words,
	// and no join button.
	if got := bt.Eval[string](t, phone, `document.querySelector('[data-testid="wait-applications"]').textContent`); got != "No estimate: no counter is serving it now" {
		t.Errorf("applications wait: %q", got)
	}
	if bt.Eval[bool](t, phone, `document.querySelector('[data-join="applications"], [data-join="signatures"]') !== null`) {
		t.Error("a join button where remote joining is not allowed")
	}
	if bt.Eval[bool](t, phone, `document.body.innerText.includes("No wait")`) {
		t.Error(`the page says "No wait"`)
	}
	bt.NoHorizontalOverflow(t, phone, "branch page, en")
	atLeast(t, phone, "branch page, en", "main", 16)
	bt.Screenshot(t, phone, "remote-branch-en")
	switchLang(t, phone, "el")
	bt.NoHorizontalOverflow(t, phone, "branch page, el")
	bt.Screenshot(t, phone, "remote-branch-el")
	switchLang(t, phone, "en")

	for _, size := range [][2]int{{1366, 768}, {1920, 1080}} {
		desk := bt.Browser(t, size[0], size[1])
		bt.Do(t, desk, long, chromedp.Navigate(env.URL+"/b/demo"))
		bt.WaitTrue(t, desk, long, `window.seiraBranch && seiraBranch.ready && document.querySelector('[data-join="certificates"]') !== null`)
		what := fmt.Sprintf("branch page at %d×%d", size[0], size[1])
		bt.NoHorizontalOverflow(t, desk, what)
		bt.WithinViewport(t, desk, what, `[data-join="certificates"]`)
		bt.Screenshot(t, desk, fmt.Sprintf("remote-branch-%dx%d", size[0], size[1]))
	}

	// The work runs in a Web Worker, which the page's CSP allows.
	c, cancel := context.WithTimeout(phone, long)
	nonce, err := chromedp.Run(c, chromedp.Evaluate[string](`new Promise((ok, fail) => {
		const w = new Worker("/static/js/pow-worker.js", {type: "module"});
		w.onmessage = (e) => ok(String(e.data));
		w.onerror = (e) => fail(new Error("worker: " + e.message));
		w.postMessage({challenge: "abc", difficulty: 8});
	})`, chromedp.EvalAwaitPromise))
	cancel()
	if sum := sha256.Sum256([]byte("abc:" + nonce)); err != nil || sum[0] != 0 {
		t.Fatalf("the worker's nonce %q (%v) does not do the work", nonce, err)
	}

	// The click solves the work, takes the number and opens its page.
	c, cancel = context.WithTimeout(phone, long)
	res, err := chromedp.RunResponse(c, chromedp.Click(chromedp.CSS(`[data-join="certificates"]`)))
	cancel()
	if err != nil || res.Status != 200 || !strings.Contains(res.URL, "/t/") {
		t.Fatalf("joining did not open the ticket page: %v %+v", err, res)
	}
	bt.WaitTrue(t, phone, long, `location.pathname.startsWith("/t/") && window.seiraTicket && seiraTicket.ready && seiraTicket.connected`)
	token := strings.TrimPrefix(bt.Eval[string](t, phone, `location.pathname`), "/t/")
	tk := apptest.Decode[struct {
		Number    string    `json:"number"`
		Source    string    `json:"source"`
		BeThereBy time.Time `json:"be_there_by"`
	}](t, apptest.MustStatus(t, env.Client().Do("GET", "/api/v1/tickets/"+token, nil), 200))
	if tk.Source != "remote" || tk.Number != "A003" {
		t.Fatalf("the ticket joined: %+v", tk)
	}
	bt.WaitTrue(t, phone, long, `seiraTicket.position === 3 && seiraTicket.beThereBy !== null`)
	if got := bt.Eval[string](t, phone, text("ticket-wait")); !strings.HasPrefix(got, "≈") {
		t.Errorf("the ticket page's estimate: %q", got)
	}
	if got := bt.Eval[string](t, phone, text("ticket-ahead")); !strings.Contains(got, "2") {
		t.Errorf("the ticket page's people ahead: %q", got)
	}
	athens, _ := time.LoadLocation("Europe/Athens")
	want := tk.BeThereBy.In(athens).Format("15:04")
	shown := bt.Eval[string](t, phone, text("ticket-be-there"))
	if bt.Eval[string](t, phone, `seiraTicket.beThereBy`) != want || !strings.Contains(shown, want) ||
		!regexp.MustCompile(`\d\d:\d\d`).MatchString(shown) || bt.Eval[bool](t, phone, `document.getElementById("ticket-be-there").hidden`) {
		t.Errorf("be there by: shown %q, want %s", shown, want)
	}
	bt.NoHorizontalOverflow(t, phone, "remote ticket page")
	checkAxe(t, phone, "remote ticket page")
	bt.Screenshot(t, phone, "remote-ticket-en")

	// The clerk calls in turn; the third is the remote one, marked so.
	for _, number := range []string{"A001", "A002", "A003"} {
		bt.Do(t, clerk, long, chromedp.Click(chromedp.ID("btn-next")))
		bt.WaitTrue(t, clerk, long, `seiraCounter.current === "`+number+`" && !seiraCounter.busy`)
		remote := bt.Eval[bool](t, clerk, `seiraCounter.currentRemote && !document.getElementById("current-remote").hidden`)
		if remote != (number == "A003") {
			t.Errorf("%s marked remote: %v", number, remote)
		}
	}
	bt.Screenshot(t, clerk, "remote-console")
	bt.WaitTrue(t, phone, long, `seiraTicket.state === "called" && seiraTicket.calledView`)
	// After the page's reload the console still knows (from the state).
	bt.Do(t, clerk, long, chromedp.Reload())
	bt.WaitTrue(t, clerk, long, `window.seiraCounter && seiraCounter.view === "console" && seiraCounter.current === "A003" && seiraCounter.currentRemote`)
}

// TestAdminSetsRemoteJoining: the service form turns joining from home on
// with its cap, window and margin, refuses a negative number before
// sending it, and what it saves is what the API then holds.
func TestAdminSetsRemoteJoining(t *testing.T) {
	env := apptest.Start(t)
	api := env.Admin()
	admin := bt.Browser(t, 1366, 768)
	adminSignIn(t, admin, env.URL, nil)
	bt.Do(t, admin, long, chromedp.Navigate(env.URL+"/admin/settings?branch=demo"))
	bt.WaitTrue(t, admin, long, `seiraAdmin.view === "settings" && seiraAdmin.ready`)
	bt.Do(t, admin, long, chromedp.Click(chromedp.CSS(`#svc-body button[data-edit="signatures"]`)))
	bt.WaitTrue(t, admin, long, `!document.getElementById("svc-form").hidden && !document.getElementById("svc-remote-on").checked && document.getElementById("svc-remote-fields").hidden`)
	bt.Do(t, admin, long, chromedp.Click(chromedp.ID("svc-remote-on")))
	bt.WaitTrue(t, admin, long, `!document.getElementById("svc-remote-fields").hidden`)
	bt.Do(t, admin, long,
		chromedp.SetValue(chromedp.ID("svc-remote-cap"), "-3"),
		chromedp.Click(chromedp.ID("btn-svc-save")))
	bt.WaitTrue(t, admin, long, `seiraAdmin.lastError && seiraAdmin.lastError.code === "client_validation"`)
	bt.Do(t, admin, long,
		chromedp.SetValue(chromedp.ID("svc-remote-cap"), "25"),
		chromedp.SetValue(chromedp.ID("svc-remote-close"), "45"),
		chromedp.SetValue(chromedp.ID("svc-remote-margin"), "15"))
	checkAxe(t, admin, "admin service form with remote joining")
	bt.Screenshot(t, admin, "remote-admin-service")
	bt.Do(t, admin, long, chromedp.Click(chromedp.ID("btn-svc-save")))
	bt.WaitTrue(t, admin, long, `document.getElementById("svc-form").hidden && document.querySelector('#svc-body tr[data-service="signatures"] .pill[data-remote="on"]') !== null`)
	var settings struct {
		Services []struct {
			ID         string `json:"id"`
			Open       bool   `json:"open"`
			RemoteJoin *struct {
				Enabled          bool `json:"enabled"`
				DailyCap         int  `json:"daily_cap"`
				CloseBeforeMin   int  `json:"close_before_min"`
				BeThereMarginMin int  `json:"be_there_margin_min"`
			} `json:"remote_join"`
		} `json:"services"`
	}
	if st := api.Call("GET", "/api/v1/branches/demo/settings", nil, &settings); st != 200 {
		t.Fatalf("settings: %d", st)
	}
	for _, svc := range settings.Services {
		if svc.ID != "signatures" {
			continue
		}
		if rj := svc.RemoteJoin; rj == nil || !rj.Enabled || rj.DailyCap != 25 || rj.CloseBeforeMin != 45 || rj.BeThereMarginMin != 15 || !svc.Open {
			t.Fatalf("the API holds %+v", rj)
		}
		return
	}
	t.Fatal("no signatures service in the settings")
}
