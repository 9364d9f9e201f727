package waits_test

// The cache against a real engine on a real bbolt file, over real HTTP on
// 127.0.0.1, with a clock the test moves: requests inside one TTL read the
// store once, whatever their number.

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/seira-queue/seira/demo"
	"github.com/seira-queue/seira/engine"
	"github.com/seira-queue/seira/httpx"
	"github.com/seira-queue/seira/internal/clocktest"
	"github.com/seira-queue/seira/internal/storetest"
	"github.com/seira-queue/seira/queue"
	"github.com/seira-queue/seira/storage"
	"github.com/seira-queue/seira/waits"
)

// counting is the engine, counting the builds' reads of the branches; gate,
// when set, holds each read until it is closed.
type counting struct {
	*engine.Engine
	branches atomic.Int64
	gate     chan struct{}
}

func (c *counting) Branches(ctx context.Context) ([]queue.Branch, error) {
	c.branches.Add(1)
	if c.gate != nil {
		<-c.gate
	}
	return c.Engine.Branches(ctx)
}

type fixture struct {
	eng   *engine.Engine
	src   *counting
	clock *clocktest.Clock
	h     *waits.Handler
	url   string
}

// start is 09:00 in Athens on a Friday.
var start = time.Date(2026, 11, 27, 7, 0, 0, 0, time.UTC)

func newFixture(t *testing.T) *fixture {
	t.Helper()
	store, err := storetest.Open(filepath.Join(t.TempDir(), "seira.db"), storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	f := &fixture{clock: clocktest.New(start)}
	f.eng = engine.New(store, engine.Options{Now: f.clock.Now})
	br, svcs, counters := demo.Office()
	if err := f.eng.CreateBranch(context.Background(), "test", br, svcs, counters); err != nil {
		t.Fatal(err)
	}
	f.src = &counting{Engine: f.eng}
	f.h = waits.New(f.src, waits.Options{TTL: 10 * time.Second, Now: f.clock.Now})
	e := echo.New()
	e.HTTPErrorHandler = httpx.ErrorHandler(slog.New(slog.DiscardHandler))
	f.h.Register(e.Group("/api/v1"))
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	f.url = srv.URL
	return f
}

type answer struct {
	At       time.Time `json:"at"`
	Branches []struct {
		Branch   string `json:"branch"`
		OpenNow  bool   `json:"open_now"`
		Services []struct {
			ID             string `json:"id"`
			Waiting        int    `json:"waiting"`
			EstimatedWaitS *int   `json:"estimated_wait_s"`
		} `json:"services"`
		Today []struct {
			At    time.Time `json:"at"`
			WaitS int       `json:"wait_s"`
			Calls int       `json:"calls"`
		} `json:"today"`
	} `json:"branches"`
}

func get(t *testing.T, url string, header ...string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, b
}

func (f *fixture) answer(t *testing.T) answer {
	t.Helper()
	res, body := get(t, f.url+"/api/v1/waits")
	if res.StatusCode != 200 {
		t.Fatalf("GET /api/v1/waits: %d %s", res.StatusCode, body)
	}
	var a answer
	if err := json.Unmarshal(body, &a); err != nil {
		t.Fatal(err)
	}
	return a
}

func waiting(a answer, svc string) int {
	for _, s := range a.Branches[0].Services {
		if s.ID == svc {
			return s.Waiting
		}
	}
	return -1
}

// TestOneStoreReadPerTTL: a thousand requests inside one TTL, most of them
// arriving while the one build is held, read the branches once; the
// answer's figures and max-age follow the clock; after the TTL one more
// read brings the new figures.
func TestOneStoreReadPerTTL(t *testing.T) {
	f := newFixture(t)
	f.src.gate = make(chan struct{})
	const n = 1000
	var arrived sync.WaitGroup
	arrived.Add(n)
	var wg sync.WaitGroup
	bodies := make([][]byte, n)
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			arrived.Done()
			res, err := http.Get(f.url + "/api/v1/waits")
			if err != nil {
				errs <- err
				return
			}
			defer res.Body.Close()
			if res.StatusCode != 200 {
				errs <- &statusError{res.StatusCode}
				return
			}
			bodies[i], err = io.ReadAll(res.Body)
			if err != nil {
				errs <- err
			}
		}()
	}
	arrived.Wait()
	close(f.src.gate)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if got := f.src.branches.Load(); got != 1 {
		t.Fatalf("%d requests in one TTL read the branches %d times, want 1", n, got)
	}
	if got := f.h.Builds(); got != 1 {
		t.Fatalf("builds = %d, want 1", got)
	}
	for i := range bodies {
		if string(bodies[i]) != string(bodies[0]) {
			t.Fatalf("request %d got another answer:\n%s\n%s", i, bodies[i], bodies[0])
		}
	}

	// A ticket taken inside the TTL is not seen before the TTL ends.
	if _, err := f.eng.Issue(context.Background(), demo.BranchID, engine.IssueRequest{Service: "certificates"}); err != nil {
		t.Fatal(err)
	}
	f.clock.Add(3500 * time.Millisecond)
	res, _ := get(t, f.url+"/api/v1/waits")
	if got := res.Header.Get("Cache-Control"); got != "public, max-age=6" {
		t.Errorf("3.5 s into a 10 s TTL: Cache-Control %q, want public, max-age=6", got)
	}
	a := f.answer(t)
	if !a.At.Equal(start) || waiting(a, "certificates") != 0 {
		t.Errorf("inside the TTL: at %v, waiting %d; want the first build's (at %v, 0 waiting)", a.At, waiting(a, "certificates"), start)
	}
	if got := f.src.branches.Load(); got != 1 {
		t.Fatalf("inside the TTL the branches were read %d times, want 1", got)
	}

	// At the TTL's end the next request builds again, once.
	f.clock.Add(6500 * time.Millisecond)
	a = f.answer(t)
	if want := start.Add(10 * time.Second); !a.At.Equal(want) || waiting(a, "certificates") != 1 {
		t.Errorf("after the TTL: at %v, waiting %d; want at %v, 1 waiting", a.At, waiting(a, "certificates"), want)
	}
	f.answer(t)
	if got := f.src.branches.Load(); got != 2 {
		t.Fatalf("after one TTL the branches were read %d times, want 2", got)
	}
}

type statusError struct{ code int }

func (e *statusError) Error() string { return http.StatusText(e.code) }

// TestConditionalRequests: the ETag answers 304 inside the TTL and, since
// it covers the figures and not "at", after a rebuild with the same
// figures too; new figures change it.
func TestConditionalRequests(t *testing.T) {
	f := newFixture(t)
	res, _ := get(t, f.url+"/api/v1/waits")
	etag := res.Header.Get("ETag")
	if etag == "" {
		t.Fatal("no ETag")
	}
	if res, body := get(t, f.url+"/api/v1/waits", "If-None-Match", etag); res.StatusCode != http.StatusNotModified || len(body) != 0 {
		t.Fatalf("If-None-Match with the ETag: %d %q, want 304 and no body", res.StatusCode, body)
	}
	if res, _ := get(t, f.url+"/api/v1/waits", "If-None-Match", `W/"other", `+etag); res.StatusCode != http.StatusNotModified {
		t.Fatalf("If-None-Match with a list holding the ETag: %d, want 304", res.StatusCode)
	}
	if res, _ := get(t, f.url+"/api/v1/waits", "If-None-Match", `W/"other"`); res.StatusCode != 200 {
		t.Fatalf("If-None-Match with another ETag: %d, want 200", res.StatusCode)
	}
	f.clock.Add(11 * time.Second)
	if res, _ := get(t, f.url+"/api/v1/waits", "If-None-Match", etag); res.StatusCode != http.StatusNotModified {
		t.Fatalf("rebuilt with the same figures: %d, want 304", res.StatusCode)
	}
	if _, err := f.eng.Issue(context.Background(), demo.BranchID, engine.IssueRequest{Service: "signatures"}); err != nil {
		t.Fatal(err)
	}
	f.clock.Add(11 * time.Second)
	res, _ = get(t, f.url+"/api/v1/waits", "If-None-Match", etag)
	if res.StatusCode != 200 || res.Header.Get("ETag") == etag {
		t.Fatalf("new figures: %d with ETag %q (was %q), want 200 and a new ETag", res.StatusCode, res.Header.Get("ETag"), etag)
	}
	if got := f.h.Builds(); got != 3 {
		t.Errorf("builds = %d, want 3 (one per TTL asked for)", got)
	}
}

// TestWaitOfTodayBySlot: the curve of today is the mean wait of the
// tickets first called in each half hour, in local time; a slot without
// calls has no point.
func TestWaitOfTodayBySlot(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	issue := func() {
		if _, err := f.eng.Issue(ctx, demo.BranchID, engine.IssueRequest{Service: "certificates"}); err != nil {
			t.Fatal(err)
		}
	}
	next := func() {
		if _, err := f.eng.CallNext(ctx, demo.BranchID, "1", "clerk"); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.eng.OpenCounter(ctx, demo.BranchID, "1", "clerk"); err != nil {
		t.Fatal(err)
	}
	// 09:00 two tickets; 09:10 the first called (waited 10 min), 09:20 the
	// second (20 min), which the next call finishes as done.
	issue()
	issue()
	f.clock.Add(10 * time.Minute)
	next()
	f.clock.Add(10 * time.Minute)
	next()
	// 10:05 one more, called at 10:09 (4 min); 09:30-10:00 has no call.
	f.clock.Set(start.Add(65 * time.Minute))
	issue()
	f.clock.Add(4 * time.Minute)
	next()
	a := f.answer(t)
	got := a.Branches[0].Today
	athens, _ := time.LoadLocation("Europe/Athens")
	want := []struct {
		at           string
		waitS, calls int
	}{{"09:00", 900, 2}, {"10:00", 240, 1}}
	if len(got) != len(want) {
		t.Fatalf("today = %+v, want %d points", got, len(want))
	}
	for i, w := range want {
		if at := got[i].At.In(athens).Format("15:04"); at != w.at || got[i].WaitS != w.waitS || got[i].Calls != w.calls {
			t.Errorf("point %d = %s %d s %d calls, want %s %d s %d calls", i, at, got[i].WaitS, got[i].Calls, w.at, w.waitS, w.calls)
		}
	}
}
