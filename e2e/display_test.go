package e2e

import (
	"context"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/seira-queue/seira/app"
	"github.com/seira-queue/seira/app/apptest"
	bt "github.com/seira-queue/seira/internal/browsertest"
)

// serverClock is the server's clock in these tests: real time from a fixed
// Monday morning, which the test moves forward by minutes at a time. The
// display learns it from the snapshot and from events, never from the
// browser's clock.
type serverClock struct {
	mu    sync.Mutex
	start time.Time
	base  time.Time
}

func newServerClock(t *testing.T) *serverClock {
	loc, err := time.LoadLocation("Europe/Athens")
	if err != nil {
		t.Fatal(err)
	}
	return &serverClock{start: time.Now(), base: time.Date(2026, 12, 7, 10, 0, 0, 0, loc)}
}

func (c *serverClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.base.Add(time.Since(c.start))
}

func (c *serverClock) forward(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.base = c.base.Add(d)
}

// displayOn opens the wall display of the demo office.
func displayOn(t *testing.T, env *apptest.Env) context.Context {
	t.Helper()
	display := bt.Browser(t, 1920, 1080)
	bt.Do(t, display, long, chromedp.Navigate(env.URL+"/display/demo"))
	bt.WaitTrue(t, display, long, `window.seiraDisplay && seiraDisplay.ready && seiraDisplay.connected`)
	return display
}

// shows is a JavaScript test that the display shows number in the big
// panel or the list of calls.
func shows(number string) string {
	q := strconv.Quote(number)
	return `(document.getElementById("latest-number").textContent.trim() === ` + q +
		` || [...document.querySelectorAll("#recent-list li")].some(li => li.dataset.number === ` + q + `))`
}

// moveClock moves the server's clock forward and lets the display know, as
// the next event of a real office would: a ticket issued now. It returns
// once the display reckons the new time.
func moveClock(t *testing.T, display context.Context, clk *serverClock, admin *apptest.Client, d time.Duration) {
	t.Helper()
	clk.forward(d)
	issue(t, admin, "signatures")
	at := clk.Now().Add(-5 * time.Second).UnixMilli()
	bt.WaitTrue(t, display, long, `seiraDisplay.now() >= `+strconv.FormatInt(at, 10))
}

// TestOldCallsLeaveTheDisplay: a call older than the branch's call_shown
// age (30 minutes by default) leaves the big panel and the list, on the
// running display, after the display reloads, and after the server
// restarts; a younger one stays.
func TestOldCallsLeaveTheDisplay(t *testing.T) {
	clk := newServerClock(t)
	env := apptest.Start(t, func(c *app.Config) { c.Now = clk.Now })
	admin := env.Admin()
	first := issue(t, admin, "certificates")
	second := issue(t, admin, "certificates")
	admin.Call("POST", "/api/v1/branches/demo/counters/1/open", nil, nil)
	display := displayOn(t, env)
	call(t, admin, "1")
	bt.WaitTrue(t, display, long, shows(first.Number))
	bt.WaitTrue(t, display, 40*time.Second, `seiraDisplay.announced === 1 && !seiraDisplay.playing`)

	// 29 minutes on: still on the wall.
	moveClock(t, display, clk, admin, 29*time.Minute)
	if !bt.Eval[bool](t, display, shows(first.Number)) {
		t.Fatalf("%s left the display after 29 minutes", first.Number)
	}
	// Two more: gone, and the panel says nothing rather than an old number.
	moveClock(t, display, clk, admin, 2*time.Minute)
	bt.WaitTrue(t, display, long, `!(`+shows(first.Number)+`) && document.getElementById("latest").dataset.empty === "true"`)
	bt.Screenshot(t, display, "display-old-call-gone")

	// A new call shows as ever, and the old one does not come back.
	call(t, admin, "1")
	bt.WaitTrue(t, display, long, shows(second.Number)+` && !(`+shows(first.Number)+`)`)

	// A reload, and a server restart, do not bring the old call back.
	bt.Do(t, display, long, chromedp.Reload())
	bt.WaitTrue(t, display, long, `window.seiraDisplay && seiraDisplay.ready && seiraDisplay.connected`)
	bt.WaitTrue(t, display, long, shows(second.Number))
	if bt.Eval[bool](t, display, shows(first.Number)) {
		t.Fatalf("%s, called 31 minutes ago, is back after a reload", first.Number)
	}
	env.Restart()
	bt.WaitTrue(t, display, 30*time.Second, `seiraDisplay.connected`)
	moveClock(t, display, clk, env.Admin(), 31*time.Minute)
	bt.WaitTrue(t, display, long, `!(`+shows(second.Number)+`) && document.getElementById("latest").dataset.empty === "true"`)
}

// TestRecallMarkClears: a recalled number is marked "again" while its
// announcement waits and plays, and for the branch's recall badge time (2
// minutes by default) after; then the mark goes.
func TestRecallMarkClears(t *testing.T) {
	clk := newServerClock(t)
	env := apptest.Start(t, func(c *app.Config) { c.Now = clk.Now })
	admin := env.Admin()
	tk := issue(t, admin, "certificates")
	admin.Call("POST", "/api/v1/branches/demo/counters/1/open", nil, nil)
	display := displayOn(t, env)
	call(t, admin, "1")
	bt.WaitTrue(t, display, 40*time.Second, `seiraDisplay.announced === 1 && !seiraDisplay.playing && seiraDisplay.queued === 0`)
	if bt.Eval[bool](t, display, `!document.getElementById("latest-recall").hidden`) {
		t.Fatal(`a first call is marked "again"`)
	}
	if st := admin.Call("POST", "/api/v1/branches/demo/counters/1/recall", nil, nil); st != 200 {
		t.Fatalf("recall: %d", st)
	}
	bt.WaitTrue(t, display, long, `document.getElementById("latest-number").textContent.trim() === "`+tk.Number+`" && !document.getElementById("latest-recall").hidden`)
	bt.WaitTrue(t, display, 40*time.Second, `seiraDisplay.announced === 2 && !seiraDisplay.playing && seiraDisplay.queued === 0`)
	// Played, but its time has not passed: still marked.
	moveClock(t, display, clk, admin, time.Minute)
	if bt.Eval[bool](t, display, `document.getElementById("latest-recall").hidden`) {
		t.Fatal(`the "again" mark went a minute after the recall`)
	}
	// Past two minutes: the mark goes; the number stays (it is not old).
	moveClock(t, display, clk, admin, 90*time.Second)
	bt.WaitTrue(t, display, long, `document.getElementById("latest-recall").hidden && document.querySelectorAll("#recent-list .r-recall").length === 0`)
	if !bt.Eval[bool](t, display, shows(tk.Number)) {
		t.Fatalf("%s left the display with its mark", tk.Number)
	}
}

// TestNewCallShowsWithinASecond: calls that come while the announcements
// are busy (one playing, others waiting their turn) are on the screen
// within a second of their event reaching the display, without waiting
// for their announcement.
func TestNewCallShowsWithinASecond(t *testing.T) {
	env := apptest.Start(t)
	admin := env.Admin()
	var numbers []string
	for _, svc := range []string{"certificates", "certificates", "signatures", "applications"} {
		numbers = append(numbers, issue(t, admin, svc).Number)
	}
	for _, c := range []string{"1", "2", "3", "4"} {
		admin.Call("POST", "/api/v1/branches/demo/counters/"+c+"/open", nil, nil)
	}
	display := displayOn(t, env)
	// When each number first appears on the page, by the page's own clock.
	bt.Eval[bool](t, display, `(() => {
  window.__seen = {};
  const look = () => {
    const now = performance.now();
    const texts = [document.getElementById("latest-number").textContent.trim(),
      ...[...document.querySelectorAll("#recent-list li")].map(li => li.dataset.number)];
    for (const n of texts) if (n && !(n in window.__seen)) window.__seen[n] = now;
  };
  new MutationObserver(look).observe(document.body, {subtree: true, childList: true, characterData: true});
  return true;
})()`)
	for _, c := range []string{"1", "2", "3", "4"} {
		call(t, admin, c)
	}
	bt.WaitTrue(t, display, long, `seiraDisplay.playing && seiraDisplay.queued >= 1`)
	for _, n := range numbers {
		q := strconv.Quote(n)
		bt.WaitTrue(t, display, long, `(`+q+` in window.__seen) && (`+q+` in seiraDisplay.arrivals)`)
		lag := bt.Eval[float64](t, display, `window.__seen[`+q+`] - seiraDisplay.arrivals[`+q+`]`)
		if lag > 1000 {
			t.Errorf("%s showed %.0f ms after its call reached the display", n, lag)
		}
		t.Logf("%s on screen %.1f ms after its event", n, lag)
	}
}
