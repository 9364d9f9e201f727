package main

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/seira-queue/seira/internal/apiclient"
	"github.com/seira-queue/seira/internal/childproc"
	"github.com/seira-queue/seira/internal/nettest"
)

// envServeArgs makes this test binary run `seira` with the arguments in
// it (one per line), as the built binary would: the kill -9 tests start
// the real command in a child process they can kill.
const envServeArgs = "SEIRA_TEST_CHILD_ARGS"

func TestMain(m *testing.M) {
	if args := os.Getenv(envServeArgs); args != "" {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		err := run(ctx, strings.Split(args, "\n"), sys{getenv: os.Getenv, stdout: os.Stdout, stderr: os.Stderr, interfaceAddrs: net.InterfaceAddrs})
		stop()
		os.Exit(exitCode(err, os.Stderr))
	}
	os.Exit(m.Run())
}

// startSeira runs `seira serve` on data in a child process and returns its
// base URL once it has printed its banner.
func startSeira(t *testing.T, data, password string) (*exec.Cmd, string) {
	t.Helper()
	addr := nettest.ClosedAddr(t)
	t.Setenv("SEIRA_ADMIN_PASSWORD", password)
	args := []string{"serve", "-addr", addr, "-data", data, "-webhooks-allow-private", "-log-format", "text", "-log-level", "error",
		"-kiosk-rate", "100000", "-kiosk-burst", "100000"}
	cmd, _, err := childproc.Start(envServeArgs, strings.Join(args, "\n"), 60*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	return cmd, "http://" + addr
}

// killHit is one request the receiver took.
type killHit struct {
	id, event, sig string
	body           []byte
}

// TestWebhooksSurviveKill9: seira is killed with SIGKILL in the middle of a
// burst of issues and calls from several clients; once restarted on the
// same data, the receiver gets every subscribed event that was committed
// at least once, each delivery id is one event's, and after deduplication
// by Seira-Delivery each event is there exactly once. Every issue and call
// the clients were told succeeded is among them.
func TestWebhooksSurviveKill9(t *testing.T) {
	if testing.Short() {
		t.Skip("kills a child process; run without -short")
	}
	data := t.TempDir()
	const password = "kill-nine-password-1"
	var (
		mu   sync.Mutex
		hits []killHit
		n    atomic.Int64
	)
	rec := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		hits = append(hits, killHit{id: r.Header.Get("Seira-Delivery"), event: r.Header.Get("Seira-Event"), sig: r.Header.Get("Seira-Signature"), body: body})
		mu.Unlock()
		if k := n.Add(1); k > 30 && k <= 100 && k%7 == 0 { // some fail: retried with the same id
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer rec.Close()

	cmd, base := startSeira(t, data, password)
	ctx := context.Background()
	admin := apiclient.New(base, apiclient.Options{Timeout: 10 * time.Second})
	if err := admin.Login(ctx, "admin", password); err != nil {
		t.Fatal(err)
	}
	var sub struct{ ID, Secret string }
	if _, err := admin.Do(ctx, "POST", "/api/v1/branches/demo/webhooks", "subscribe",
		map[string]any{"url": rec.URL + "/seira", "events": []string{"ticket.issued", "ticket.called"}}, &sub); err != nil {
		t.Fatal(err)
	}
	for _, c := range []string{"1", "2"} {
		if _, err := admin.Do(ctx, "POST", "/api/v1/branches/demo/counters/"+c+"/open", "open", nil, nil); err != nil {
			t.Fatal(err)
		}
	}

	// The burst: four issuing clients and two calling, until the kill.
	type acked struct{ kind, service, number string }
	var (
		ackMu  sync.Mutex
		acks   []acked
		killed atomic.Bool
		wg     sync.WaitGroup
	)
	ack := func(a acked) int {
		ackMu.Lock()
		defer ackMu.Unlock()
		acks = append(acks, a)
		return len(acks)
	}
	enough := make(chan struct{})
	var once sync.Once
	services := []string{"certificates", "signatures", "applications"}
	for g := range 4 {
		wg.Go(func() {
			for i := 0; !killed.Load(); i++ {
				var tk struct{ Number, Service string }
				svc := services[(g+i)%3]
				st, err := admin.Do(ctx, "POST", "/api/v1/branches/demo/tickets", "issue", map[string]string{"service": svc}, &tk)
				if err != nil || st != http.StatusCreated {
					continue // refused or cut by the kill: not acknowledged
				}
				if ack(acked{"ticket.issued", tk.Service, tk.Number}) >= 150 {
					once.Do(func() { close(enough) })
				}
			}
		})
	}
	for _, c := range []string{"1", "2"} {
		wg.Go(func() {
			for !killed.Load() {
				var tk struct{ Number, Service string }
				st, err := admin.Do(ctx, "POST", "/api/v1/branches/demo/counters/"+c+"/next", "next", nil, &tk)
				if err == nil && st == http.StatusOK {
					ack(acked{"ticket.called", tk.Service, tk.Number})
				}
			}
		})
	}
	select {
	case <-enough:
	case <-time.After(120 * time.Second):
		t.Fatal("the burst did not reach 150 issues in 2 minutes")
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	killed.Store(true)
	_ = cmd.Wait()
	wg.Wait()
	ackMu.Lock()
	told := append([]acked(nil), acks...)
	ackMu.Unlock()
	mu.Lock()
	before := len(hits)
	mu.Unlock()
	calls := 0
	for _, a := range told {
		if a.kind == "ticket.called" {
			calls++
		}
	}
	if calls == 0 {
		t.Fatal("no call was acknowledged before the kill")
	}
	t.Logf("killed after %d acknowledged changes (%d calls), %d deliveries received", len(told), calls, before)

	// Restart on the same data; read back what was committed.
	_, base = startSeira(t, data, password)
	admin = apiclient.New(base, apiclient.Options{Timeout: 10 * time.Second})
	if err := admin.Login(ctx, "admin", password); err != nil {
		t.Fatal(err)
	}
	type event struct {
		Seq     uint64 `json:"seq"`
		Type    string `json:"type"`
		Number  string `json:"number"`
		Service string `json:"service"`
	}
	want := map[string]event{} // delivery id → event
	byTicket := map[acked]string{}
	var since uint64
	for {
		var page struct {
			Events []event `json:"events"`
			More   bool    `json:"more"`
		}
		if _, err := admin.Do(ctx, "GET", fmt.Sprintf("/api/v1/branches/demo/events?since=%d&limit=5000", since), "events", nil, &page); err != nil {
			t.Fatal(err)
		}
		for _, e := range page.Events {
			since = e.Seq
			if e.Type == "ticket.issued" || e.Type == "ticket.called" {
				id := fmt.Sprintf("%s-%d", sub.ID, e.Seq)
				want[id] = e
				byTicket[acked{e.Type, e.Service, e.Number}] = id
			}
		}
		if !page.More {
			break
		}
	}
	for _, a := range told {
		if _, ok := byTicket[a]; !ok {
			t.Errorf("%s %s %s was acknowledged but is not in the event log", a.kind, a.service, a.number)
		}
	}

	// Wait until every committed event has been received.
	missing := func() []string {
		mu.Lock()
		defer mu.Unlock()
		got := map[string]bool{}
		for _, h := range hits {
			got[h.id] = true
		}
		var out []string
		for id := range want {
			if !got[id] {
				out = append(out, id)
			}
		}
		return out
	}
	deadline := time.Now().Add(3 * time.Minute)
	for m := missing(); len(m) > 0; m = missing() {
		if time.Now().After(deadline) {
			t.Fatalf("after 3 minutes, %d of %d events never arrived, e.g. %v", len(m), len(want), m[:min(5, len(m))])
		}
		time.Sleep(50 * time.Millisecond)
	}

	mu.Lock()
	defer mu.Unlock()
	bodies := map[string][]byte{}
	for _, h := range hits {
		e, ok := want[h.id]
		if !ok {
			t.Fatalf("delivery %s reports no committed event of the subscription", h.id)
		}
		var body struct {
			Branch string `json:"branch"`
			Seq    uint64 `json:"seq"`
			Type   string `json:"type"`
		}
		if err := json.Unmarshal(h.body, &body); err != nil || body.Seq != e.Seq || body.Type != e.Type || h.event != e.Type || body.Branch != "demo" {
			t.Fatalf("delivery %s (%s) carries %s, want event %+v", h.id, h.event, h.body, e)
		}
		if prev, ok := bodies[h.id]; ok && string(prev) != string(h.body) {
			t.Fatalf("delivery %s came with two bodies:\n%s\n%s", h.id, prev, h.body)
		}
		bodies[h.id] = h.body
		ts, mac, _ := strings.Cut(strings.TrimPrefix(h.sig, "t="), ",v1=")
		m := hmac.New(sha256.New, []byte(sub.Secret))
		m.Write([]byte(ts + "." + string(h.body)))
		if hex.EncodeToString(m.Sum(nil)) != mac {
			t.Fatalf("delivery %s: bad signature %s", h.id, h.sig)
		}
	}
	// After deduplication by id: each event exactly once.
	if len(bodies) != len(want) {
		t.Fatalf("%d distinct deliveries for %d events", len(bodies), len(want))
	}
	for _, a := range told {
		if _, ok := bodies[byTicket[a]]; !ok {
			t.Errorf("acknowledged %s %s was not delivered", a.kind, a.number)
		}
	}
	t.Logf("%d events, %d requests received (%d repeats: retries and re-sends after the kill)", len(want), len(hits), len(hits)-len(want))
}

// TestWebhooksAllowPrivateFlag: -webhooks-allow-private (or its variable)
// reaches the webhooks' guard; without it, private addresses are refused.
func TestWebhooksAllowPrivateFlag(t *testing.T) {
	for _, tc := range []struct {
		args []string
		env  map[string]string
		want bool
	}{
		{nil, nil, false},
		{[]string{"-webhooks-allow-private"}, nil, true},
		{nil, map[string]string{"SEIRA_WEBHOOKS_ALLOW_PRIVATE": "true"}, true},
		{[]string{"-webhooks-allow-private=false"}, map[string]string{"SEIRA_WEBHOOKS_ALLOW_PRIVATE": "true"}, false},
	} {
		f, o := serveFlags(getenv(tc.env))
		if err := f.parse(tc.args, io.Discard); err != nil {
			t.Fatal(err)
		}
		c, err := o.resolve(io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		if got := c.app.Webhooks.Guard.AllowPrivate; got != tc.want {
			t.Errorf("%v %v: allow private %v, want %v", tc.args, tc.env, got, tc.want)
		}
	}
}
