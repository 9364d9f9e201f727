package faults

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"

	"github.com/seira-queue/seira/internal/apiclient"
	"github.com/seira-queue/seira/internal/linearize"
)

const (
	branch  = "demo"
	service = "certificates"
)

// fleet is the seira instances as the clients see them: one signed-in
// session, sent to whichever instance is alive, as behind a load balancer.
type fleet struct {
	mu      sync.Mutex
	clients []*apiclient.Client
	urls    []string
	alive   []bool
}

func newFleet(session *apiclient.Client, urls []string) *fleet {
	f := &fleet{urls: urls, alive: make([]bool, len(urls))}
	for i, u := range urls {
		f.clients = append(f.clients, session.WithBase(u))
		f.alive[i] = true
	}
	return f
}

// pick returns the client of the n-th live instance (round robin).
func (f *fleet) pick(n int) (*apiclient.Client, int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var live []int
	for i, ok := range f.alive {
		if ok {
			live = append(live, i)
		}
	}
	i := live[((n%len(live))+len(live))%len(live)]
	return f.clients[i], i
}

func (f *fleet) down(i int) {
	f.mu.Lock()
	f.alive[i] = false
	f.mu.Unlock()
}

// recorder collects the client history and what was acknowledged.
type recorder struct {
	mu     sync.Mutex
	ops    []linearize.Op
	acked  map[int]bool // issued numbers a kiosk was told of
	called map[int]int  // numbers a clerk was told it called, how often
	writes []time.Time  // when each successful write returned
}

func newRecorder() *recorder { return &recorder{acked: map[int]bool{}, called: map[int]int{}} }

func (r *recorder) add(op linearize.Op) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ops = append(r.ops, op)
	if op.Ambiguous {
		return
	}
	r.writes = append(r.writes, op.Return)
	switch op.Kind {
	case linearize.Issue:
		r.acked[op.Number] = true
	case linearize.Call:
		if op.Ticket != 0 {
			r.called[int(op.Ticket)]++
		}
	}
}

type ticketAnswer struct {
	Number string `json:"number"`
}

// numberOf reads the daily number out of a ticket number ("A017" → 17).
func numberOf(s string) (int, error) {
	i := strings.IndexFunc(s, func(r rune) bool { return r >= '0' && r <= '9' })
	if i < 0 {
		return 0, fmt.Errorf("no number in %q", s)
	}
	return strconv.Atoi(s[i:])
}

// kiosk issues a ticket every interval until ctx ends. Each issue carries
// an Idempotency-Key and is retried on any instance until it is answered
// (or 30 s pass): the answer then says which ticket it was, wherever the
// first attempt went.
func kiosk(ctx context.Context, id int, f *fleet, rec *recorder, interval time.Duration, errs *errorLog) {
	for i := 0; ctx.Err() == nil; i++ {
		hdr := http.Header{"Idempotency-Key": {fmt.Sprintf("kiosk%d-%d", id, i)}}
		op := linearize.Op{Client: id, Queue: service, Kind: linearize.Issue, Call: time.Now()}
		deadline := op.Call.Add(30 * time.Second)
		op.Ambiguous = true
		for attempt := 0; time.Now().Before(deadline); attempt++ {
			c, _ := f.pick(id + attempt)
			var t ticketAnswer
			rctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			_, err := c.DoHeader(rctx, http.MethodPost, "/api/v1/branches/"+branch+"/tickets", "issue", hdr,
				map[string]string{"service": service}, &t)
			cancel()
			if err == nil {
				n, perr := numberOf(t.Number)
				if perr != nil {
					errs.add(perr)
					break
				}
				op.Number, op.Ticket, op.Ambiguous = n, uint64(n), false
				break
			}
			if st := apiclient.StatusOf(err); st >= 400 && st < 500 && st != http.StatusConflict && st != http.StatusTooManyRequests {
				errs.add(fmt.Errorf("issue: %w", err))
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
		op.Return = time.Now()
		rec.add(op)
		sleepCtx(ctx, interval)
	}
}

// clerk calls next at counter every interval until ctx ends. A call that
// got no answer, or 503, may have happened: it is recorded as ambiguous.
func clerk(ctx context.Context, id int, counter string, f *fleet, rec *recorder, interval time.Duration, errs *errorLog) {
	for i := 0; ctx.Err() == nil; i++ {
		c, _ := f.pick(id + i)
		op := linearize.Op{Client: id, Queue: service, Kind: linearize.Call, Call: time.Now()}
		var t ticketAnswer
		rctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		st, err := c.Do(rctx, http.MethodPost, "/api/v1/branches/"+branch+"/counters/"+counter+"/next", "next", nil, &t)
		cancel()
		op.Return = time.Now()
		switch {
		case err == nil && st == http.StatusNoContent:
		case err == nil:
			n, perr := numberOf(t.Number)
			if perr != nil {
				errs.add(perr)
				continue
			}
			op.Ticket, op.Number = uint64(n), n
		case apiclient.StatusOf(err) >= 400 && apiclient.StatusOf(err) < 500:
			errs.add(fmt.Errorf("call next at %s: %w", counter, err))
			continue
		default:
			op.Ambiguous = true
		}
		rec.add(op)
		sleepCtx(ctx, interval)
	}
}

// subscriber follows the branch's live channel and checks its stream: every
// event's seq is the last one plus one. When its instance goes away it
// resumes on another with ?since=, as a display does.
type subscriber struct {
	id       int
	last     atomic.Uint64
	gaps     atomic.Int64
	resumes  atomic.Int64
	firstGap atomic.Value // string
}

func (s *subscriber) follow(ctx context.Context, f *fleet, dialer *websocket.Dialer) {
	started := false
	for n := s.id; ctx.Err() == nil; n++ {
		_, i := f.pick(n)
		u := "ws" + strings.TrimPrefix(f.urls[i], "http") + "/api/v1/branches/" + branch + "/live"
		if started {
			u += "?since=" + strconv.FormatUint(s.last.Load(), 10)
		}
		dctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		ws, _, err := dialer.DialContext(dctx, u, nil)
		cancel()
		if err != nil {
			sleepCtx(ctx, 100*time.Millisecond)
			continue
		}
		if started {
			s.resumes.Add(1)
		}
		stop := context.AfterFunc(ctx, func() { ws.Close() })
		for {
			_, msg, err := ws.ReadMessage()
			if err != nil {
				break
			}
			typ, seq := peek(msg)
			switch {
			case !started && typ == "snapshot":
				s.last.Store(seq)
				started = true
			case typ == "snapshot":
				// After a resume the state comes last, at the seq of the
				// last event sent: anything else is a jump.
				if seq != s.last.Load() {
					s.gap(fmt.Sprintf("snapshot at %d after event %d", seq, s.last.Load()))
					s.last.Store(seq)
				}
			case seq != 0:
				if seq != s.last.Load()+1 {
					s.gap(fmt.Sprintf("event %d after %d", seq, s.last.Load()))
				}
				s.last.Store(seq)
			}
		}
		stop()
		ws.Close()
	}
}

func (s *subscriber) gap(what string) {
	if s.gaps.Add(1) == 1 {
		s.firstGap.Store(what)
	}
}

// peek reads a live message's type and seq without decoding it all: a
// thousand subscribers read every event.
func peek(msg []byte) (typ string, seq uint64) {
	if i := bytes.Index(msg, []byte(`"type":"`)); i >= 0 {
		rest := msg[i+8:]
		if j := bytes.IndexByte(rest, '"'); j >= 0 {
			typ = string(rest[:j])
		}
	}
	if i := bytes.Index(msg, []byte(`"seq":`)); i >= 0 {
		rest := msg[i+6:]
		j := 0
		for j < len(rest) && rest[j] >= '0' && rest[j] <= '9' {
			j++
		}
		seq, _ = strconv.ParseUint(string(rest[:j]), 10, 64)
	}
	return typ, seq
}

// errorLog keeps the unexpected errors of the clients.
type errorLog struct {
	mu   sync.Mutex
	errs []error
}

func (l *errorLog) add(err error) {
	l.mu.Lock()
	l.errs = append(l.errs, err)
	l.mu.Unlock()
}

func (l *errorLog) err() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return errors.Join(l.errs...)
}

func sleepCtx(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}
