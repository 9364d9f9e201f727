package server_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/seira-queue/seira/app/apptest"
)

// TestWidgetMayBeFramed: the wait widget is the one page other sites may
// frame; its script is served to any site; every other page still forbids
// framing.
func TestWidgetMayBeFramed(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t)
	anon := env.Client()

	res := anon.Do("GET", "/b/demo/widget", nil)
	apptest.MustStatus(t, res, http.StatusOK)
	checkHTML(t, res)
	if got := res.Header.Get("X-Frame-Options"); got != "" {
		t.Errorf("widget: X-Frame-Options %q, want none", got)
	}
	csp := res.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "frame-ancestors *") || strings.Contains(csp, "frame-ancestors 'none'") {
		t.Errorf("widget: Content-Security-Policy %q, want frame-ancestors *", csp)
	}
	// The rest of the policy is as strict as elsewhere.
	for _, want := range []string{"default-src 'self'", "connect-src 'self'", "base-uri 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("widget: Content-Security-Policy %q lacks %q", csp, want)
		}
	}

	res = anon.Do("GET", "/b/demo/widget.js", nil)
	apptest.MustStatus(t, res, http.StatusOK)
	if ct := res.Header.Get("Content-Type"); !strings.Contains(ct, "javascript") {
		t.Errorf("widget.js: Content-Type %q", ct)
	}
	if !strings.Contains(string(res.Body), "/widget") {
		t.Errorf("widget.js does not insert the widget: %s", apptest.Short(res.Body))
	}

	// An unknown branch: the not-found page.
	apptest.MustStatus(t, anon.Do("GET", "/b/nowhere/widget", nil), http.StatusNotFound)

	for _, p := range []string{"/waits", "/kiosk/demo", "/display/demo", "/admin", "/static/js/widget-embed.js", "/api/v1/waits"} {
		h := anon.Do("GET", p, nil).Header
		if got := h.Get("X-Frame-Options"); got != "DENY" {
			t.Errorf("%s: X-Frame-Options %q, want DENY", p, got)
		}
		if csp := h.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") {
			t.Errorf("%s: Content-Security-Policy %q, want frame-ancestors 'none'", p, csp)
		}
	}
	res = anon.Do("GET", "/waits", nil)
	apptest.MustStatus(t, res, http.StatusOK)
	checkHTML(t, res)
}
