package remote_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/seira-queue/seira/app"
	"github.com/seira-queue/seira/app/apptest"
	"github.com/seira-queue/seira/auth"
	"github.com/seira-queue/seira/internal/etcdtest"
	"github.com/seira-queue/seira/remote"
	"github.com/seira-queue/seira/storage"
)

// TestJoinAcrossInstancesOnEtcd: two servers on one etcd cluster are one
// office to citizens at home. A challenge made by one is good on the
// other and yields one ticket between them; many citizens asking both at
// once for the last places get exactly the cap.
func TestJoinAcrossInstancesOnEtcd(t *testing.T) {
	c := etcdtest.Start(t, etcdtest.Options{})
	onEtcd := func(cfg *app.Config) {
		cfg.Etcd = &storage.EtcdOptions{Endpoints: c.Endpoints(), RequestTimeout: 5 * time.Second}
		cfg.RemoteDifficulty, cfg.RemotePerDay = difficulty, 1000
	}
	a := apptest.Start(t, onEtcd)
	b := apptest.Start(t, onEtcd)
	clerk := a.User("maria", auth.RoleClerk, "demo")
	apptest.MustStatus(t, clerk.Do("POST", apptest.CounterPath("demo", "1", "open"), nil), http.StatusOK)
	apptest.MustStatus(t, a.Admin().Do("PATCH", "/api/v1/branches/demo/services/certificates", `{"remote_join": {"daily_cap": 4}}`,
		"Content-Type", "application/merge-patch+json"), http.StatusOK)

	// Made on a, used on b; sent again to a, the same ticket.
	ch := challenge(t, a.Client())
	body := map[string]string{"service": "certificates", "challenge": ch.Challenge, "nonce": remote.Solve(ch.Challenge, ch.Difficulty)}
	first := apptest.Decode[remoteTicket](t, apptest.MustStatus(t, b.Client().Do("POST", joinPath, body), http.StatusCreated))
	again := apptest.Decode[remoteTicket](t, apptest.MustStatus(t, a.Client().Do("POST", joinPath, body), http.StatusCreated))
	if again.Token != first.Token || first.Source != "remote" {
		t.Fatalf("the challenge yielded %s on b and %s on a", first.Number, again.Number)
	}

	// Three places are left: twenty citizens ask both instances at once.
	const tries = 20
	type solved struct{ base, body string }
	var reqs []solved
	for i := range tries {
		env := []*apptest.Env{a, b}[i%2]
		ch := challenge(t, env.Client())
		raw, _ := json.Marshal(map[string]string{"service": "certificates", "challenge": ch.Challenge,
			"nonce": remote.Solve(ch.Challenge, ch.Difficulty)})
		reqs = append(reqs, solved{[]*apptest.Env{b, a}[i%2].URL, string(raw)})
	}
	var wg sync.WaitGroup
	start := make(chan struct{})
	statuses := make(chan int, tries)
	errs := make(chan error, tries)
	for _, r := range reqs {
		wg.Go(func() {
			<-start
			res, err := http.Post(r.base+joinPath, "application/json", bytes.NewReader([]byte(r.body)))
			if err != nil {
				errs <- err
				return
			}
			_, _ = io.Copy(io.Discard, res.Body)
			res.Body.Close()
			statuses <- res.StatusCode
		})
	}
	close(start)
	wg.Wait()
	close(statuses)
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	got := map[int]int{}
	for s := range statuses {
		got[s]++
	}
	if got[http.StatusCreated] != 3 || got[http.StatusUnprocessableEntity] != tries-3 || len(got) != 2 {
		t.Fatalf("answers %v, want 3 × 201 and %d × 422", got, tries-3)
	}
	wantRefused(t, join(t, b.Client(), "certificates"), "cap_reached")
}
