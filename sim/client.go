package sim

import (
	"errors"
	"log/slog"
	"sort"
	"sync"
	"time"

	"github.com/seira-queue/seira/internal/apiclient"
)

// requestTimeout bounds one HTTP request in real time.
const requestTimeout = 10 * time.Second

// newClient returns a client of seira's API that counts every request in
// t by route and status and logs the failures: a 5xx loudly, as each is a
// bug in seira.
func newClient(base string, t *tally, log *slog.Logger) *apiclient.Client {
	return apiclient.New(base, apiclient.Options{Timeout: requestTimeout,
		Observe: func(route string, status int, err error) {
			t.add(route, status)
			var ae *apiclient.Error
			switch {
			case status == 0:
				log.Warn("request failed", "route", route, "err", err)
			case !errors.As(err, &ae):
			case status >= 500:
				log.Error("SERVER ERROR: a 5xx is a bug in seira", "route", route, "status", status,
					"code", ae.Code, "message", ae.Message)
			default:
				log.Info("client error", "route", route, "status", status, "code", ae.Code, "message", ae.Message)
			}
		}})
}

// tally counts requests by route and status (0: no answer).
type tally struct {
	mu     sync.Mutex
	counts map[tallyKey]int
}

type tallyKey struct {
	Route  string
	Status int
}

func newTally() *tally { return &tally{counts: map[tallyKey]int{}} }

func (t *tally) add(route string, status int) {
	t.mu.Lock()
	t.counts[tallyKey{route, status}]++
	t.mu.Unlock()
}

// HTTPCount is how many requests to one route got one status (0 for no
// answer: a transport error or timeout).
type HTTPCount struct {
	Route  string
	Status int
	Count  int
}

// summary returns the totals and the non-2xx counts, sorted.
func (t *tally) summary() (requests int, failures []HTTPCount) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for k, n := range t.counts {
		requests += n
		if k.Status < 200 || k.Status >= 300 {
			failures = append(failures, HTTPCount{Route: k.Route, Status: k.Status, Count: n})
		}
	}
	sort.Slice(failures, func(i, j int) bool {
		a, b := failures[i], failures[j]
		if a.Status != b.Status {
			return a.Status > b.Status
		}
		return a.Route < b.Route
	})
	return requests, failures
}
