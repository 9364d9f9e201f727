package metrics_test

// /metrics of a whole server (apptest.Start): the counters follow the
// tickets issued and called, the gauges are read at scrape time.

import (
	"bufio"
	"bytes"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/seira-queue/seira/app/apptest"
	"github.com/seira-queue/seira/auth"
)

func TestMetrics(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t)
	kiosk := env.Kiosk("demo")
	clerk := env.User("metrics.clerk", auth.RoleClerk, "demo")
	anon := env.Client()

	for range 3 {
		issue(t, kiosk, "certificates")
	}
	issue(t, kiosk, "signatures")
	mustStatus(t, clerk.Do("POST", "/api/v1/branches/demo/counters/1/open", nil), http.StatusOK)
	mustStatus(t, clerk.Do("POST", "/api/v1/branches/demo/counters/1/next", nil), http.StatusOK)
	mustStatus(t, clerk.Do("POST", "/api/v1/branches/demo/counters/1/done", nil), http.StatusOK)

	ws, err := env.Dial("/api/v1/branches/demo/live", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	if err := ws.SetReadDeadline(time.Now().Add(5 * time.Second)); err != nil {
		t.Fatal(err)
	}
	if _, _, err := ws.ReadMessage(); err != nil { // the snapshot: the client is in
		t.Fatal(err)
	}

	cert := `{branch="demo",service="certificates"}`
	sig := `{branch="demo",service="signatures"}`
	want := map[string]float64{
		"seira_tickets_issued_total" + cert:                   3,
		"seira_tickets_issued_total" + sig:                    1,
		"seira_tickets_called_total" + cert:                   1,
		"seira_tickets_served_total" + cert:                   1,
		"seira_wait_seconds_count" + cert:                     1,
		"seira_waiting" + cert:                                2,
		"seira_waiting" + sig:                                 1,
		`seira_waiting{branch="demo",service="applications"}`: 0,
		"seira_live_connections":                              1,
	}
	// Events reach the metrics after their commit: poll briefly.
	var got map[string]float64
	deadline := time.Now().Add(5 * time.Second)
	for {
		res := anon.Do("GET", "/metrics", nil)
		mustStatus(t, res, http.StatusOK)
		if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
			t.Errorf("/metrics Content-Type %q", ct)
		}
		got = parse(t, res.Body)
		if matches(got, want) || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	for k, v := range want {
		if g, ok := got[k]; !ok || g != v {
			t.Errorf("%s = %v (present %v), want %v", k, g, ok, v)
		}
	}
	if n := got["seira_store_commit_seconds_count"]; n <= 0 {
		t.Errorf("seira_store_commit_seconds_count = %v, want > 0", n)
	}
	if got["seira_store_commit_seconds_sum"] <= 0 {
		t.Errorf("seira_store_commit_seconds_sum = %v, want > 0", got["seira_store_commit_seconds_sum"])
	}
	for k := range got {
		if strings.Contains(k, "token") || strings.Contains(k, "metrics.clerk") {
			t.Errorf("a metric names a secret or a person: %s", k)
		}
	}

	// Closing the WebSocket takes the gauge back to 0.
	ws.Close()
	deadline = time.Now().Add(5 * time.Second)
	for {
		got = parse(t, mustStatus(t, anon.Do("GET", "/metrics", nil), http.StatusOK).Body)
		if got["seira_live_connections"] == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if got["seira_live_connections"] != 0 {
		t.Errorf("seira_live_connections = %v after the client left, want 0", got["seira_live_connections"])
	}
}

func matches(got, want map[string]float64) bool {
	for k, v := range want {
		if g, ok := got[k]; !ok || g != v {
			return false
		}
	}
	return true
}

// parse reads the Prometheus text format into "name{labels}" → value.
func parse(t *testing.T, body []byte) map[string]float64 {
	t.Helper()
	out := map[string]float64{}
	sc := bufio.NewScanner(bytes.NewReader(body))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		if i < 0 {
			t.Fatalf("metrics line %q", line)
		}
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			t.Fatalf("metrics line %q: %v", line, err)
		}
		out[line[:i]] = v
	}
	return out
}

func issue(t *testing.T, c *apptest.Client, service string) {
	t.Helper()
	if res := c.Do("POST", "/api/v1/branches/demo/tickets", map[string]string{"service": service}); res.Status != http.StatusCreated {
		t.Fatalf("issue %s: status %d %s", service, res.Status, res.Body)
	}
}

func mustStatus(t *testing.T, res apptest.Response, want int) apptest.Response {
	t.Helper()
	if res.Status != want {
		t.Fatalf("status %d, want %d: %s", res.Status, want, res.Body)
	}
	return res
}
