package e2e

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/seira-queue/seira/app/apptest"
	bt "github.com/seira-queue/seira/internal/browsertest"
	"github.com/seira-queue/seira/queue"
)

// The offices of the waits tests, around the centre of Athens; "third"
// has given no coordinates.
var (
	omonia      = [2]float64{37.9838, 23.7275} // demo
	monastiraki = [2]float64{37.9760, 23.7258} // other
	syntagma    = [2]float64{37.9755, 23.7348} // the phone
)

// haversine is the great-circle distance in metres, as the page works it.
func haversine(a, b [2]float64) float64 {
	const r = 6371008.8
	rad := func(d float64) float64 { return d * math.Pi / 180 }
	dLat, dLon := rad(b[0]-a[0]), rad(b[1]-a[1])
	s := math.Pow(math.Sin(dLat/2), 2) + math.Cos(rad(a[0]))*math.Cos(rad(b[0]))*math.Pow(math.Sin(dLon/2), 2)
	return 2 * r * math.Asin(math.Min(1, math.Sqrt(s)))
}

// threeOffices gives the demo office two neighbours and makes the waits
// for certificates differ: "other" has a free counter and nobody waiting,
// demo one ticket at its open counter and three waiting, "third" no open counter (no
// estimate). Everything is set before the first read of the waits.
func threeOffices(t *testing.T) *apptest.Env {
	t.Helper()
	env := apptest.Start(t)
	admin := env.Admin()
	apptest.CreateOtherBranch(t, env)
	err := env.App.Engine.CreateBranch(context.Background(), "test",
		queue.Branch{ID: "third", Name: queue.Text{"el": "ΚΕΠ Τρίτο", "en": "Third office"}},
		[]queue.Service{{ID: "certificates", Prefix: "A", Order: 1, Open: true, Name: queue.Text{"el": "Πιστοποιητικά", "en": "Certificates"}}},
		[]queue.Counter{{ID: "1", Serves: []string{"certificates"}, Name: queue.Text{"el": "Γκισέ 1", "en": "Counter 1"}}})
	if err != nil {
		t.Fatal(err)
	}
	place := func(branch string, p [2]float64, addr string) {
		res := admin.Do("PATCH", "/api/v1/branches/"+branch, map[string]any{"lat": p[0], "lon": p[1], "address": map[string]string{"el": addr}})
		apptest.MustStatus(t, res, http.StatusOK)
	}
	place("demo", omonia, "Πλατεία Ομονοίας 1, Αθήνα")
	place("other", monastiraki, "Ερμού 120, Αθήνα")
	for _, b := range []string{"demo", "other"} {
		apptest.MustStatus(t, admin.Do("POST", apptest.CounterPath(b, "1", "open"), nil), http.StatusOK)
	}
	for range 4 {
		issue(t, admin, "certificates")
	}
	// One called: demo's curve of today has its first point.
	call(t, admin, "1")
	return env
}

// TestWaitsPageListsTheQuickestFirst: on a phone, for a chosen service, the
// offices are listed by their estimated wait, the one without an estimate
// last and saying so; the map has one point per office with coordinates;
// once the phone's (emulated) position is allowed, each office shows its
// distance; Greek and English pass axe; the page fits a phone, a laptop
// and a desktop.
func TestWaitsPageListsTheQuickestFirst(t *testing.T) {
	env := threeOffices(t)
	ctx := bt.Browser(t, 360, 740)
	lat, lon, acc := syntagma[0], syntagma[1], 10.0
	bt.Do(t, ctx, long, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		if _, err := cdp.Call(ctx, chromedp.FromContext(ctx).Browser, browser.SetPermission, browser.SetPermissionParams{
			Permission: &browser.PermissionDescriptor{Name: "geolocation"}, Setting: browser.PermissionSettingGranted, Origin: env.URL}); err != nil {
			return err
		}
		_, err := cdp.Call(ctx, tg, emulation.SetGeolocationOverride, emulation.SetGeolocationOverrideParams{Latitude: &lat, Longitude: &lon, Accuracy: &acc})
		return err
	}), chromedp.Navigate(env.URL+"/waits"))
	bt.WaitTrue(t, ctx, long, `window.seiraWaits && seiraWaits.ready`)
	// The service chooser groups the services of all offices by id.
	opts := bt.Eval[[]string](t, ctx, `[...document.querySelectorAll("#service option")].map(o => o.value)`)
	if strings.Join(opts, ",") != "certificates,signatures,applications" {
		t.Errorf("service options %v", opts)
	}
	choose := func(svc string) {
		t.Helper()
		bt.Eval[bool](t, ctx, `(() => { const s = document.getElementById("service"); s.value = "`+svc+`";
			s.dispatchEvent(new Event("change")); return true; })()`)
		bt.WaitTrue(t, ctx, long, `seiraWaits.service === "`+svc+`"`)
	}
	choose("certificates")
	order := bt.Eval[[]string](t, ctx, `seiraWaits.order`)
	if strings.Join(order, ",") != "other,demo,third" {
		t.Fatalf("offices for certificates in the order %v, want other, demo, third (by wait, no estimate last)", order)
	}
	if got := bt.Eval[[]string](t, ctx, `[...document.querySelectorAll("#offices > li")].map(li => li.dataset.branch)`); strings.Join(got, ",") != "other,demo,third" {
		t.Errorf("the list shows %v", got)
	}
	if !bt.Eval[bool](t, ctx, `document.querySelector('[data-branch="third"]').classList.contains("w-none")`) {
		t.Error("the office without an estimate is not marked so")
	}
	third := bt.Eval[string](t, ctx, `document.querySelector('[data-testid="office-third"] [data-testid="wait"]').textContent`)
	if !strings.Contains(third, "Κανένα γκισέ") && !strings.Contains(third, "καμία εκτίμηση") {
		t.Errorf("the office without an estimate says %q", third)
	}
	points := bt.Eval[[]string](t, ctx, `[...document.querySelectorAll("#map svg circle.office")].map(c => c.parentNode.dataset.branch)`)
	if strings.Join(points, ",") != "other,demo" {
		t.Errorf("map points %v, want one for each office with coordinates (other, demo)", points)
	}
	if bt.Eval[bool](t, ctx, `!!document.querySelector("#map circle.here") || !!document.querySelector('[data-testid="distance"]')`) {
		t.Error("a distance or the phone's point shows before the citizen asked")
	}
	if got := bt.Eval[string](t, ctx, `(document.querySelector('[data-testid="office-demo"] svg.spark') || {getAttribute: () => ""}).getAttribute("aria-label")`); !strings.Contains(got, "Μέση αναμονή σήμερα") {
		t.Errorf("demo's sparkline of today: label %q", got)
	}
	if bt.Eval[bool](t, ctx, `!!document.querySelector('[data-testid="office-other"] svg.spark')`) {
		t.Error("an office where nobody was called has a sparkline")
	}
	checkAxe(t, ctx, "waits el")
	bt.Screenshot(t, ctx, "waits-phone-el")

	// The position, on the button press only.
	bt.Do(t, ctx, long, chromedp.Click(chromedp.ID("btn-locate")))
	bt.WaitTrue(t, ctx, long, `seiraWaits.here && seiraWaits.distances.demo > 0 && seiraWaits.distances.other > 0`)
	for branch, p := range map[string][2]float64{"demo": omonia, "other": monastiraki} {
		got := bt.Eval[float64](t, ctx, `seiraWaits.distances.`+branch)
		if want := haversine(syntagma, p); math.Abs(got-want) > 2 {
			t.Errorf("distance to %s %.0f m, want %.0f m", branch, got, want)
		}
		text := bt.Eval[string](t, ctx, `document.querySelector('[data-testid="office-`+branch+`"] [data-testid="distance"]').textContent`)
		if !strings.Contains(text, "από εσάς") {
			t.Errorf("%s's distance reads %q", branch, text)
		}
	}
	if n := bt.Eval[int](t, ctx, `document.querySelectorAll("#map circle.here").length`); n != 1 {
		t.Errorf("the map shows the phone %d times, want once", n)
	}
	// The wait still decides the order, not the distance.
	if got := bt.Eval[[]string](t, ctx, `seiraWaits.order`); strings.Join(got, ",") != "other,demo,third" {
		t.Errorf("with the position the order is %v", got)
	}
	switchLang(t, ctx, "en")
	checkAxe(t, ctx, "waits en")
	bt.NoHorizontalOverflow(t, ctx, "waits on a phone")
	bt.Screenshot(t, ctx, "waits-phone-en")

	// A service only demo offers.
	choose("signatures")
	if got := bt.Eval[[]string](t, ctx, `seiraWaits.order`); strings.Join(got, ",") != "demo" {
		t.Errorf("offices for signatures %v, want demo only", got)
	}

	for _, size := range [][2]int{{1366, 768}, {1920, 1080}} {
		wide := bt.Browser(t, size[0], size[1])
		bt.Do(t, wide, long, chromedp.Navigate(env.URL+"/waits?service=certificates"))
		bt.WaitTrue(t, wide, long, `window.seiraWaits && seiraWaits.ready && seiraWaits.order.length === 3`)
		what := fmt.Sprintf("waits at %dx%d", size[0], size[1])
		bt.NoHorizontalOverflow(t, wide, what)
		bt.WithinViewport(t, wide, what, "#service", "#btn-locate", "#offices > li:first-child", "#map svg")
		bt.Screenshot(t, wide, fmt.Sprintf("waits-%dx%d", size[0], size[1]))
	}
}

// TestWidgetEmbedsInAnotherSite: a page on another origin that holds the
// one-line script gets the widget's frame, which loads (framing is allowed
// for it) and sizes the frame to its content; the widget itself passes axe.
func TestWidgetEmbedsInAnotherSite(t *testing.T) {
	env := threeOffices(t)
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><html lang="el"><head><meta charset="utf-8"><title>Δήμος</title></head>
<body><main><h1>Δήμος Αθηναίων</h1><div id="here"><script src="%s/b/demo/widget.js"></script></div></main></body></html>`, env.URL)
	}))
	t.Cleanup(site.Close)

	ctx := bt.Browser(t, 1366, 768)
	bt.Do(t, ctx, long, chromedp.Navigate(site.URL))
	bt.WaitTrue(t, ctx, long, `document.querySelector("#here iframe") !== null`)
	src := bt.Eval[string](t, ctx, `document.querySelector("#here iframe").src`)
	if src != env.URL+"/b/demo/widget" {
		t.Errorf("the frame's src %q, want %s/b/demo/widget", src, env.URL)
	}
	// The frame reports its height once its page has run: it was allowed
	// to load inside another site.
	bt.WaitTrue(t, ctx, long, `document.querySelector("#here iframe").style.height !== "320px"`)

	w := bt.Browser(t, 360, 640)
	bt.Do(t, w, long, chromedp.Navigate(env.URL+"/b/demo/widget"))
	bt.WaitTrue(t, w, long, `window.seiraWidget && seiraWidget.ready`)
	if n := bt.Eval[int](t, w, `document.querySelectorAll("#wg-services li").length`); n != 3 {
		t.Errorf("the widget lists %d services, want 3", n)
	}
	name := bt.Eval[string](t, w, `document.querySelector('#wg-services li[data-service="applications"]').textContent`)
	if !strings.Contains(name, "Κανένα γκισέ") {
		t.Errorf("a service with no open counter reads %q", name)
	}
	checkAxe(t, w, "widget el")
	bt.Do(t, w, long, chromedp.Navigate(env.URL+"/b/demo/widget?lang=en"))
	bt.WaitTrue(t, w, long, `window.seiraWidget && seiraWidget.ready && document.documentElement.lang === "en"`)
	checkAxe(t, w, "widget en")
	bt.NoHorizontalOverflow(t, w, "widget")
	bt.Screenshot(t, w, "widget-en")
}

// TestAdminSetsTheOfficesPlace: the branch form shows the demo office's
// address and coordinates, refuses a latitude without a longitude (with
// the field marked and nothing saved), saves new ones, and the page's
// waits carry them.
func TestAdminSetsTheOfficesPlace(t *testing.T) {
	env := apptest.Start(t)
	admin := bt.Browser(t, 1366, 768)
	adminSignIn(t, admin, env.URL, nil)
	bt.Do(t, admin, long, chromedp.Navigate(env.URL+"/admin/settings?branch=demo"))
	bt.WaitTrue(t, admin, long, `seiraAdmin.view === "settings" && seiraAdmin.ready && document.getElementById("br-lat").value !== ""`)
	if got := bt.Eval[string](t, admin, `document.getElementById("br-addr-el").value`); !strings.Contains(got, "Αθηνάς") {
		t.Errorf("the demo office's address in the form: %q", got)
	}
	setVal := func(id, v string) {
		bt.Eval[chromedp.Void](t, admin, `document.getElementById("`+id+`").value = "`+v+`"`)
	}
	setVal("br-lat", "37,9755")
	setVal("br-lon", "")
	bt.Eval[chromedp.Void](t, admin, `document.getElementById("status").textContent = ""`)
	bt.Do(t, admin, long, chromedp.Click(chromedp.ID("btn-branch-save")))
	bt.WaitTrue(t, admin, long, `document.getElementById("branch-error").textContent !== ""`)
	if !bt.Eval[bool](t, admin, `document.getElementById("br-lon").getAttribute("aria-invalid") === "true"`) {
		t.Error("the missing longitude is not marked invalid")
	}
	var st struct {
		Branch struct{ Lat, Lon *float64 } `json:"branch"`
	}
	env.Admin().Call("GET", "/api/v1/branches/demo/settings", nil, &st)
	if st.Branch.Lat == nil || *st.Branch.Lat != 37.9793 {
		t.Fatalf("a refused form changed the place: %v", st.Branch.Lat)
	}
	setVal("br-lon", "23.7348")
	setVal("br-addr-el", "Σύνταγμα, Αθήνα")
	chkSave(t, admin)
	env.Admin().Call("GET", "/api/v1/branches/demo/settings", nil, &st)
	if st.Branch.Lat == nil || *st.Branch.Lat != 37.9755 || st.Branch.Lon == nil || *st.Branch.Lon != 23.7348 {
		t.Fatalf("saved place %v,%v, want 37.9755,23.7348", st.Branch.Lat, st.Branch.Lon)
	}
	// The first read of the waits in this server: it has the new place.
	var w struct {
		Branches []struct {
			Lat     *float64          `json:"lat"`
			Address map[string]string `json:"address"`
		} `json:"branches"`
	}
	env.Client().Call("GET", "/api/v1/waits", nil, &w)
	if len(w.Branches) != 1 || w.Branches[0].Lat == nil || *w.Branches[0].Lat != 37.9755 || w.Branches[0].Address["el"] != "Σύνταγμα, Αθήνα" {
		t.Errorf("the waits after the save: %+v", w)
	}
	checkAxe(t, admin, "admin settings with the place")
}
