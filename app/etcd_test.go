package app_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/seira-queue/seira/app"
	"github.com/seira-queue/seira/app/apptest"
	"github.com/seira-queue/seira/internal/etcdtest"
	"github.com/seira-queue/seira/storage"
)

// TestTwoInstancesOnEtcd: two servers on one etcd cluster are one system
// to their clients. A ticket issued on one is called on the other; the
// backup refuses and points to etcd's own; /readyz follows the quorum.
func TestTwoInstancesOnEtcd(t *testing.T) {
	c := etcdtest.Start(t, etcdtest.Options{})
	onEtcd := func(cfg *app.Config) {
		cfg.Etcd = &storage.EtcdOptions{Endpoints: c.Endpoints(), RequestTimeout: time.Second}
		cfg.KioskRate, cfg.KioskBurst = 0.0001, 3
	}
	a := apptest.Start(t, onEtcd)
	b := apptest.Start(t, onEtcd)

	// Rate limits are the cluster's: a kiosk's burst of 3 spent over both
	// instances, and ten failed sign-ins spread over them, stop both.
	kioskA := a.Kiosk("demo")
	kioskB := b.Client()
	kioskB.Token = kioskA.Token
	for i, k := range []*apptest.Client{kioskA, kioskB, kioskA, kioskB, kioskA} {
		r := k.Do(http.MethodPost, "/api/v1/branches/demo/tickets", map[string]string{"service": "applications"})
		if want := map[bool]int{true: http.StatusCreated, false: http.StatusTooManyRequests}[i < 3]; r.Status != want {
			t.Fatalf("kiosk ticket %d: %d %s, want %d", i+1, r.Status, r.Body, want)
		}
	}
	for i := range 10 {
		env := []*apptest.Env{a, b}[i%2]
		if r := env.Client().Do(http.MethodPost, "/api/v1/login", map[string]string{"username": "guessed", "password": "wrong"}); r.Status != http.StatusUnauthorized {
			t.Fatalf("failed sign-in %d: %d %s", i+1, r.Status, r.Body)
		}
	}
	for _, env := range []*apptest.Env{a, b} {
		r := env.Client().Do(http.MethodPost, "/api/v1/login", map[string]string{"username": "guessed", "password": "wrong"})
		if r.Status != http.StatusTooManyRequests {
			t.Errorf("sign-in after ten failures over two instances: %d %s", r.Status, r.Body)
		}
	}

	tk := apptest.Issue[apptest.Ticket](t, a.Admin(), "demo", "certificates")
	clerk := b.Admin()
	if r := clerk.Do(http.MethodPost, "/api/v1/branches/demo/counters/1/open", nil); r.Status != http.StatusOK {
		t.Fatalf("open on the second instance: %d %s", r.Status, r.Body)
	}
	r := clerk.Do(http.MethodPost, "/api/v1/branches/demo/counters/1/next", nil)
	var called apptest.Ticket
	if r.Status != http.StatusOK || json.Unmarshal(r.Body, &called) != nil || called.Number != tk.Number {
		t.Fatalf("call next on the second instance: %d %s, want %s", r.Status, r.Body, tk.Number)
	}

	r = a.Admin().Do(http.MethodGet, "/api/v1/backup", nil)
	if r.Status != http.StatusConflict || !strings.Contains(string(r.Body), "etcdctl snapshot save") {
		t.Errorf("backup on etcd: %d %s", r.Status, r.Body)
	}

	if r := a.Client().Do(http.MethodGet, "/readyz", nil); r.Status != http.StatusOK {
		t.Errorf("readyz with the cluster up: %d %s", r.Status, r.Body)
	}
	admin := a.Admin() // signing in is a write: before the quorum goes
	c.Members[0].Stop()
	if r := a.Client().Do(http.MethodGet, "/readyz", nil); r.Status != http.StatusServiceUnavailable {
		t.Errorf("readyz without a quorum: %d %s", r.Status, r.Body)
	}
	r = admin.Do(http.MethodPost, "/api/v1/branches/demo/tickets", map[string]string{"service": "certificates"})
	if r.Status != http.StatusServiceUnavailable || !strings.Contains(string(r.Body), `"unavailable"`) {
		t.Errorf("a write without a quorum: %d %s", r.Status, r.Body)
	}
	if r := admin.Do(http.MethodGet, "/api/v1/branches/demo/state", nil); r.Status != http.StatusOK {
		t.Errorf("a read without a quorum, from the mirror: %d %s", r.Status, r.Body)
	}
}
