package load

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/seira-queue/seira/app/apptest"
)

// TestRunWaitsCountsAndReadsTheBuilds: a short run against a real server
// answers every request, measures them, and reads from /metrics that the
// whole run cost the store at most the builds of its TTLs (the run is
// shorter than one TTL, and nobody read the waits before it: one build,
// or two if the run straddles a TTL's end).
func TestRunWaitsCountsAndReadsTheBuilds(t *testing.T) {
	env := apptest.Start(t)
	res, err := RunWaits(t.Context(), WaitsOptions{URL: env.URL, Conns: 4, Duration: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if res.Requests == 0 || len(res.Errors) != 0 {
		t.Fatalf("requests %d, errors %v", res.Requests, res.Errors)
	}
	if res.Latency.N != int(res.Requests) || res.Latency.P50MS <= 0 || res.Latency.P99MS < res.Latency.P50MS {
		t.Errorf("latency %+v for %d requests", res.Latency, res.Requests)
	}
	if res.Builds < 1 || res.Builds > 2 {
		t.Errorf("builds during the run %v, want 1 (or 2)", res.Builds)
	}
	var out bytes.Buffer
	if err := WriteWaits(&out, res); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"GET /api/v1/waits", "p99", "builds (store reads)"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the table lacks %q:\n%s", want, out.String())
		}
	}
	if _, err := RunWaits(t.Context(), WaitsOptions{URL: "http://192.0.2.1:8080", Conns: 1, Duration: time.Second}); err == nil {
		t.Error("a server off loopback was accepted without AllowRemote")
	}
	if _, err := RunWaits(t.Context(), WaitsOptions{URL: env.URL, Conns: 0, Duration: time.Second}); err == nil {
		t.Error("zero connections were accepted")
	}
}
