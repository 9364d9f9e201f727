package load

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"sync"

	"github.com/seira-queue/seira/internal/apiclient"
)

// setupConc bounds the set-up's concurrent requests.
const setupConc = 16

// setup creates the missing branches, opens their counters, notes where
// each branch's log stands, and issues the tickets the phones follow and
// the latency counters call.
func (r *runner) setup(ctx context.Context) error {
	for i := 1; i <= r.opts.Branches; i++ {
		r.traffic = append(r.traffic, branchPrefix+strconv.Itoa(i))
	}
	all := append([]string(nil), r.traffic...)
	if r.opts.Office > 0 {
		r.latency = append(r.latency, &latencyTarget{name: "office", kind: KindOffice, branch: officeBranch, probe: &probe{t0: r.t0}})
		all = append(all, officeBranch)
	}
	if r.opts.BigBranch > 0 {
		r.latency = append(r.latency, &latencyTarget{name: "big", kind: KindBig, branch: bigBranch, probe: &probe{t0: r.t0}})
		all = append(all, bigBranch)
	}
	if err := r.ensureBranches(ctx, all); err != nil {
		return err
	}
	type counterRef struct{ branch, id string }
	var counters []counterRef
	for _, b := range all {
		for _, c := range counterIDs() {
			counters = append(counters, counterRef{b, c})
		}
	}
	if err := each(ctx, counters, setupConc, func(ctx context.Context, c counterRef) error {
		// Opening an open counter is a no-op, so re-runs are fine.
		_, err := r.api.Do(ctx, http.MethodPost, "/api/v1/branches/"+c.branch+"/counters/"+c.id+"/open", "POST open", nil, nil)
		if err != nil {
			return fmt.Errorf("open counter %s of %s: %w", c.id, c.branch, err)
		}
		return nil
	}); err != nil {
		return err
	}
	var mu sync.Mutex
	if err := each(ctx, all, setupConc, func(ctx context.Context, b string) error {
		seq, err := r.seqOf(ctx, b)
		mu.Lock()
		r.startSeq[b] = seq
		mu.Unlock()
		return err
	}); err != nil {
		return err
	}
	for _, t := range r.latency {
		t.lastSeq = r.startSeq[t.branch]
		if err := r.latencyTickets(ctx, t.branch, r.opts.Samples/10+2); err != nil {
			return err
		}
	}
	return r.phoneTickets(ctx)
}

// ensureBranches creates those of names that do not exist yet.
func (r *runner) ensureBranches(ctx context.Context, names []string) error {
	var list struct {
		Branches []struct {
			ID string `json:"id"`
		} `json:"branches"`
	}
	if _, err := r.api.Do(ctx, http.MethodGet, "/api/v1/branches", "GET branches", nil, &list); err != nil {
		return fmt.Errorf("list branches: %w", err)
	}
	have := map[string]bool{}
	for _, b := range list.Branches {
		have[b.ID] = true
	}
	var missing []string
	for _, n := range names {
		if !have[n] {
			missing = append(missing, n)
		}
	}
	r.log.Info("creating branches", "missing", len(missing), "of", len(names))
	return each(ctx, missing, setupConc, func(ctx context.Context, id string) error {
		_, err := r.api.Do(ctx, http.MethodPost, "/api/v1/branches", "POST branches", branchBody(id), nil)
		if apiclient.StatusOf(err) == http.StatusConflict {
			return nil // created meanwhile, by another run
		}
		if err != nil {
			return fmt.Errorf("create branch %s: %w", id, err)
		}
		return nil
	})
}

// branchBody is a load branch: three services and four counters that
// serve two each, always open (no opening hours).
func branchBody(id string) map[string]any {
	type text map[string]string
	svcs := serviceIDs()
	services := []map[string]any{
		{"id": svcs[0], "prefix": "A", "order": 1, "open": true, "default_service_s": 240, "name": text{"el": "Πιστοποιητικά", "en": "Certificates"}},
		{"id": svcs[1], "prefix": "B", "order": 2, "open": true, "default_service_s": 180, "name": text{"el": "Εξουσιοδοτήσεις", "en": "Authorisations"}},
		{"id": svcs[2], "prefix": "C", "order": 3, "open": true, "default_service_s": 540, "name": text{"el": "Αιτήσεις", "en": "Applications"}},
	}
	serves := [4][]string{{svcs[0], svcs[1]}, {svcs[0], svcs[1]}, {svcs[1], svcs[2]}, {svcs[2], svcs[0]}}
	var counters []map[string]any
	for i, c := range counterIDs() {
		counters = append(counters, map[string]any{"id": c, "serves": serves[i], "name": text{"el": "Γκισέ " + c, "en": "Counter " + c}})
	}
	return map[string]any{"id": id, "name": text{"el": "Φόρτος " + id, "en": "Load " + id},
		"services": services, "counters": counters}
}

// seqOf reads the branch's last event sequence number.
func (r *runner) seqOf(ctx context.Context, branch string) (uint64, error) {
	var st struct {
		Seq uint64 `json:"seq"`
	}
	if _, err := r.api.Do(ctx, http.MethodGet, "/api/v1/branches/"+branch+"/state", "GET state", nil, &st); err != nil {
		return 0, fmt.Errorf("state of %s: %w", branch, err)
	}
	return st.Seq, nil
}

// issueBodies are the request bodies of a ticket per service, marshalled
// once.
func issueBodies() map[string][]byte {
	out := map[string][]byte{}
	for _, s := range serviceIDs() {
		out[s] = []byte(`{"service":"` + s + `","priority":"none","lang":"el"}`)
	}
	return out
}

// issue takes one ticket; created reports a 201, the server's word that
// the ticket is durable, which is all the tool counts. With wantToken it
// decodes the ticket's token ("" if the answer could not be read).
func (r *runner) issue(ctx context.Context, branch string, body []byte, wantToken bool) (token string, created bool) {
	var out struct {
		Token string `json:"token"`
	}
	var dst any
	if wantToken {
		dst = &out
	}
	st, err := r.api.Do(ctx, http.MethodPost, "/api/v1/branches/"+branch+"/tickets", "POST tickets", body, dst)
	if st != http.StatusCreated {
		if err == nil {
			r.errs.add(fmt.Sprintf("POST tickets: %d (want 201)", st))
		}
		return "", false
	}
	if err != nil {
		r.errs.add("POST tickets: 201 with an unreadable answer")
		r.log.Debug("issue answer", "err", err)
	}
	return out.Token, true
}

// latencyTickets issues n tickets for the latency counter to call.
func (r *runner) latencyTickets(ctx context.Context, branch string, n int) error {
	bodies := issueBodies()
	idx := make([]int, n)
	var ok int
	var mu sync.Mutex
	err := each(ctx, idx, setupConc, func(ctx context.Context, _ int) error {
		if _, good := r.issue(ctx, branch, bodies[serviceIDs()[0]], false); good {
			r.issuedSetup.Add(1)
			mu.Lock()
			ok++
			mu.Unlock()
		}
		return nil
	})
	if err != nil {
		return err
	}
	if ok == 0 && n > 0 {
		return fmt.Errorf("branch %s: no ticket could be issued (see the errors with -log-level debug)", branch)
	}
	return nil
}

// phoneTickets issues one ticket per phone subscriber, spread over the
// traffic branches and services, and keeps their tokens.
func (r *runner) phoneTickets(ctx context.Context) error {
	n := int(float64(r.opts.Subs)*r.opts.PhoneShare + 0.5)
	if n == 0 {
		return nil
	}
	bodies := issueBodies()
	svcs := serviceIDs()
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	var mu sync.Mutex
	err := each(ctx, idx, setupConc*2, func(ctx context.Context, i int) error {
		b := r.traffic[i%len(r.traffic)]
		tok, created := r.issue(ctx, b, bodies[svcs[(i/len(r.traffic))%len(svcs)]], true)
		if created {
			r.issuedSetup.Add(1)
		}
		if tok != "" {
			mu.Lock()
			r.phones = append(r.phones, phoneTicket{b, tok})
			mu.Unlock()
		}
		return nil
	})
	if err != nil {
		return err
	}
	if len(r.phones) == 0 {
		return errors.New("no ticket for the phones could be issued")
	}
	return nil
}
