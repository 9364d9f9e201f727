package engine

import (
	"context"
	"maps"
	"slices"
	"time"

	"github.com/seira-queue/seira/queue"
	"github.com/seira-queue/seira/storage"
)

// TicketInfo is a ticket with what its holder wants to know: its service,
// its place in the queue and the expected wait.
type TicketInfo struct {
	Ticket  queue.Ticket
	Service queue.Service
	// Counter is the counter the ticket was called to, if any.
	Counter queue.Counter
	// Position is 1 for the next to be called, 0 once called.
	Position int
	Wait     time.Duration
	// AfterClosing says the forecast reaches the ticket only after every
	// counter that serves it has closed for the day (by the counters'
	// plans): Wait is then as if the clerks stayed, which they may not.
	AfterClosing bool
	// Unstaffed says no counter serving the waiting ticket's service is
	// open or paused (queue.Staffed): there is no estimate, and Wait is 0.
	Unstaffed bool
	// Loc is the branch's time zone.
	Loc *time.Location
	// Seq is the branch's last event when TicketInfos read the ticket:
	// the info includes every event up to it.
	Seq uint64
}

// TicketByToken returns the ticket with token tok, with live position and
// estimate.
func (e *Engine) TicketByToken(ctx context.Context, tok string) (TicketInfo, error) {
	var info TicketInfo
	err := e.store.View(ctx, func(tx *storage.Tx) error {
		b, t, err := e.ticketByToken(tx, tok)
		if err != nil {
			return err
		}
		info, err = e.infoIn(b, t)
		return err
	})
	return info, err
}

// TicketRef resolves a token to its branch and ticket id.
func (e *Engine) TicketRef(ctx context.Context, tok string) (branch string, id uint64, err error) {
	err = e.store.View(ctx, func(tx *storage.Tx) error {
		b, t, err := e.ticketByToken(tx, tok)
		if err == nil {
			branch, id = b.ID(), t.ID
		}
		return err
	})
	return branch, id, err
}

// info reads the position and estimate of a ticket just written. The write
// has succeeded, so a failure here degrades the answer rather than fail it.
func (e *Engine) info(ctx context.Context, t queue.Ticket) (TicketInfo, error) {
	var info TicketInfo
	err := e.store.View(ctx, func(tx *storage.Tx) error {
		b, err := tx.Branch(t.Branch)
		if err != nil {
			return err
		}
		info, err = e.infoIn(b, t)
		return err
	})
	if err != nil {
		e.log.Warn("engine: ticket position unavailable", "branch", t.Branch, "err", err)
		return TicketInfo{Ticket: t}, nil
	}
	return info, nil
}

func (e *Engine) infoIn(b *storage.BranchTx, t queue.Ticket) (TicketInfo, error) {
	return e.infoWith(b, t, nil)
}

// infoWith is infoIn with the branch's load already read (nil: read it).
func (e *Engine) infoWith(b *storage.BranchTx, t queue.Ticket, l *load) (TicketInfo, error) {
	info := TicketInfo{Ticket: t, Loc: time.UTC}
	cfg, err := b.Config()
	if err != nil {
		return info, err
	}
	if info.Loc, err = e.Location(cfg); err != nil {
		return info, err
	}
	if info.Service, err = b.Service(t.Service); err != nil {
		return info, err
	}
	if t.Counter != "" {
		// A counter deleted since keeps its id as its name.
		if info.Counter, err = b.Counter(t.Counter); err != nil {
			info.Counter = queue.Counter{ID: t.Counter}
		}
	}
	if t.State != queue.StateWaiting {
		return info, nil
	}
	if l == nil {
		counters, err := b.Counters()
		if err != nil {
			return info, err
		}
		l = e.load(b, counters)
	}
	info.Position, info.Wait, info.AfterClosing, info.Unstaffed = l.place(t.Candidate())
	return info, nil
}

// TicketInfos returns the tickets ids of branch with their positions, read
// at one moment: the live hub refreshes every followed ticket of a branch
// with one call. Tickets that are gone are left out.
func (e *Engine) TicketInfos(ctx context.Context, branch string, ids []uint64) (map[uint64]TicketInfo, error) {
	out := make(map[uint64]TicketInfo, len(ids))
	err := e.store.View(ctx, func(tx *storage.Tx) error {
		b, err := tx.Branch(branch)
		if err != nil {
			return err
		}
		counters, err := b.Counters()
		if err != nil {
			return err
		}
		l := e.load(b, counters)
		seq := b.LastSeq()
		for _, id := range ids {
			t, err := b.Ticket(id)
			if err != nil {
				continue
			}
			info, err := e.infoWith(b, t, l)
			if err != nil {
				return err
			}
			info.Seq = seq
			out[id] = info
		}
		return nil
	})
	return out, err
}

// load is what estimates need of a branch at one moment.
type load struct {
	b        *storage.BranchTx
	counters []queue.Counter
	services map[string]queue.Service
	now      time.Time
	busy     map[string]time.Duration // per counter: remaining work
	times    map[string]time.Duration // per service: expected service time
	k        int                      // the branch's priority cap
	cfg      queue.Branch
	loc      *time.Location

	e *Engine
	// The forecast, made on first use (or shared: age is how old it is).
	forecastRead, forecastOK bool
	age                      time.Duration
	waiting                  []queue.Candidate
	desks                    []queue.Desk
	calls                    map[uint64]time.Duration
	callsOpenEnd             map[uint64]time.Duration // openEnded's
}

func (e *Engine) load(b *storage.BranchTx, counters []queue.Counter) *load {
	l := &load{e: e, b: b, counters: counters, services: map[string]queue.Service{}, now: e.now(), busy: map[string]time.Duration{},
		times: map[string]time.Duration{}, k: queue.DefaultPriorityCap}
	l.loc = time.UTC
	if cfg, err := b.Config(); err == nil {
		l.k, l.cfg = cfg.Cap(), cfg
		if loc, err := e.Location(cfg); err == nil {
			l.loc = loc
		}
	}
	if svcs, err := b.Services(); err == nil {
		for _, s := range svcs {
			l.services[s.ID] = s
		}
	}
	pause := b.PauseTime()
	if pause == 0 {
		pause = queue.DefaultPause
	}
	for _, c := range counters {
		if c.Status == queue.CounterPaused && !c.PausedAt.IsZero() {
			if length, ok := queue.PlannedPause(c, c.PausedAt, l.loc); ok {
				// On a planned break: back at its end.
				l.busy[c.ID] = max(length-l.now.Sub(c.PausedAt), 0)
			} else {
				// A paused counter comes back, in a typical pause's time.
				l.busy[c.ID] = max(pause-l.now.Sub(c.PausedAt), pause/4)
			}
		}
		if c.Current == 0 || c.CalledAt.IsZero() {
			continue
		}
		// A ticket past its expected time still has some way to go.
		st := l.serviceTime(c.CurrentService)
		l.busy[c.ID] += max(st-l.now.Sub(c.CalledAt), st/4)
	}
	return l
}

// serviceTime is the moving estimate for svc, or its configured default
// until it has history.
func (l *load) serviceTime(svc string) time.Duration {
	// A forecast asks for every ticket it plays: read each service once.
	if d, ok := l.times[svc]; ok {
		return d
	}
	d := queue.DefaultServiceTime
	if est, n := l.b.ServiceTime(svc); n > 0 {
		d = est
	} else if s, ok := l.services[svc]; ok {
		d = s.ServiceTime()
	}
	l.times[svc] = d
	return d
}

// place returns the position and the expected wait of waiting candidate t
// (which may be a ticket not issued yet: the estimate shown before taking
// one), whether it is reached only after the counters' closing, and
// whether no counter serving it is open or paused, so that there is no
// estimate (the wait is then 0).
func (l *load) place(t queue.Candidate) (pos int, wait time.Duration, afterClosing, unstaffed bool) {
	serving := queue.ServingCounters(l.counters, t.Service)
	ahead := map[string]int{}
	pos = 1
	for svc := range queue.Reach(serving) {
		n := l.b.CountBefore(svc, t)
		ahead[svc] = n
		pos += n
	}
	if !queue.Staffed(l.counters, t.Service) {
		return pos, 0, false, true
	}
	if wait, late, ok := l.forecastWait(t); ok {
		return pos, wait, late, false
	}
	var busy time.Duration
	for _, c := range serving {
		busy += l.busy[c.ID]
	}
	wait = queue.EstimateWait(queue.WaitInput{Ahead: ahead, ServiceTime: l.serviceTime, Counters: len(serving), Busy: busy})
	return pos, wait, false, false
}

// totalWaiting counts everyone waiting at the branch.
func (l *load) totalWaiting() int {
	total := 0
	for svc := range l.services {
		pri, reg := l.b.WaitingCount(svc)
		total += pri + reg
	}
	return total
}

// forecastHorizon is how far ahead the forecast expects priority arrivals.
const forecastHorizon = 4 * time.Hour

// placeNewest is place for the newest ticket of its class, in the
// transaction that added it: everyone waiting in its class is ahead of
// it, so the stored counts give the position without walking the lists.
func (l *load) placeNewest(t queue.Candidate) (int, time.Duration) {
	serving := queue.ServingCounters(l.counters, t.Service)
	ahead := map[string]int{}
	pos := 1
	for svc := range queue.Reach(serving) {
		pri, reg := l.b.WaitingCount(svc)
		n := pri
		if !t.Priority {
			n += reg
		}
		if svc == t.Service {
			n-- // itself
		}
		ahead[svc] = n
		pos += n
	}
	var busy time.Duration
	for _, c := range serving {
		busy += l.busy[c.ID]
	}
	return pos, queue.EstimateWait(queue.WaitInput{Ahead: ahead, ServiceTime: l.serviceTime, Counters: len(serving), Busy: busy})
}

// forecastWait is the wait of t by queue.Forecast, when the queue is short
// enough to play through, and whether the plan reaches t only after every
// desk's closing. The forecast of the waiting tickets is made once per
// load and shared.
func (l *load) forecastWait(t queue.Candidate) (wait time.Duration, afterClosing, ok bool) {
	if !l.forecastRead {
		l.forecastRead = true
		if l.useCachedForecast() {
			return l.forecastWait(t)
		}
		if l.totalWaiting() > queue.ForecastLimit {
			return 0, false, false
		}
		for svc := range l.services {
			l.b.Waiting(svc, func(c queue.Candidate) bool { l.waiting = append(l.waiting, c); return true })
		}
		// Priority tickets still to come will go ahead of those waiting,
		// while the office issues tickets.
		horizon, open := forecastHorizon, func(time.Duration) bool { return true }
		if closing, ok := l.cfg.Hours.ClosingIn(l.now, l.loc); ok {
			horizon = min(horizon, closing)
			open = func(at time.Duration) bool { return l.cfg.Hours.OpenAt(l.now.Add(at), l.loc) }
		}
		base := uint64(1) << 62
		for svc := range l.services {
			last, rate := l.b.PriorityRate(svc)
			if rate = queue.DecayRate(rate, last, l.now); rate > 0.01 {
				gap := time.Duration(float64(time.Hour) / rate)
				l.waiting = append(l.waiting, queue.ExpectedArrivals(svc, gap, horizon, open, base)...)
				base += 1 << 32
			}
		}
		l.desks = queue.ForecastDesks(l.counters, l.now, l.loc, func(c queue.Counter) time.Duration { return l.busy[c.ID] })
		l.calls = queue.Forecast(l.waiting, l.desks, l.k, l.serviceTime)
		l.forecastOK = true
		l.keepForecast()
	}
	if !l.forecastOK {
		return 0, false, false
	}
	if w, ok := l.calls[t.ID]; ok && t.ID != 0 {
		return max(w-l.age, 0), false, true
	}
	if slices.ContainsFunc(l.waiting, func(c queue.Candidate) bool { return c.ID == t.ID && c.Arrive == 0 }) {
		// Past every planned closing: clerks finish the queue more often
		// than not, so the wait is the forecast without the closings;
		// else no desk would call it: fall back.
		if w, ok := l.openEnded()[t.ID]; ok {
			return max(w-l.age, 0), true, true
		}
		return 0, false, false
	}
	// A ticket not in the queue yet: play the queue with it at the end.
	if w, ok := queue.Forecast(append(slices.Clip(l.waiting), t), l.desks, l.k, l.serviceTime)[t.ID]; ok {
		return max(w-l.age, 0), false, true
	}
	w, ok := queue.Forecast(append(slices.Clip(l.waiting), t), openEnded(l.desks), l.k, l.serviceTime)[t.ID]
	return max(w-l.age, 0), ok, ok
}

// openEnded is the forecast of the waiting tickets with the desks' planned
// closings left out, made once per load: for the tickets the plan does not
// reach before every desk closes.
func (l *load) openEnded() map[uint64]time.Duration {
	if l.callsOpenEnd == nil {
		l.callsOpenEnd = queue.Forecast(l.waiting, openEnded(l.desks), l.k, l.serviceTime)
	}
	return l.callsOpenEnd
}

func openEnded(desks []queue.Desk) []queue.Desk {
	out := slices.Clone(desks)
	for i := range out {
		out[i].HasClose = false
	}
	return out
}

// forecastTTL is how long a branch's forecast serves other readers at the
// same sequence number: the phones following a branch, or reconnecting
// together, then cost one forecast between them, not one each.
const forecastTTL = time.Second

// sharedForecast is a forecast kept for other readers.
type sharedForecast struct {
	seq     uint64
	made    time.Time // wall clock, for the TTL
	now     time.Time // the engine's clock when made
	waiting []queue.Candidate
	desks   []queue.Desk
	calls   map[uint64]time.Duration
	times   map[string]time.Duration
}

// useCachedForecast takes the branch's shared forecast if it is of this
// moment; forecasts made in a write are neither shared nor taken.
func (l *load) useCachedForecast() bool {
	if l.e == nil || l.b.Writable() {
		return false
	}
	l.e.fcMu.Lock()
	f := l.e.fcs[l.b.ID()]
	l.e.fcMu.Unlock()
	if f == nil || f.seq != l.b.LastSeq() || time.Since(f.made) > forecastTTL {
		return false
	}
	l.waiting, l.desks, l.calls, l.forecastOK = f.waiting, f.desks, f.calls, true
	l.age = max(l.now.Sub(f.now), 0)
	for svc, d := range f.times {
		if _, ok := l.times[svc]; !ok {
			l.times[svc] = d
		}
	}
	return true
}

// keepForecast shares the forecast just made.
func (l *load) keepForecast() {
	if l.e == nil || l.b.Writable() {
		return
	}
	f := &sharedForecast{seq: l.b.LastSeq(), made: time.Now(), now: l.now, waiting: l.waiting, desks: l.desks,
		calls: l.calls, times: maps.Clone(l.times)}
	l.e.fcMu.Lock()
	defer l.e.fcMu.Unlock()
	if len(l.e.fcs) > 10_000 {
		clear(l.e.fcs)
	}
	l.e.fcs[l.b.ID()] = f
}

// ServiceState is one service with its queue now.
type ServiceState struct {
	Service         queue.Service
	Waiting         int
	WaitingPriority int
	// Wait is the expected wait of a regular ticket issued now, and
	// AfterClosing whether the counters' plans reach it only after they
	// have all closed. Unstaffed says no counter serving it is open or
	// paused: there is no estimate (Wait is 0).
	Wait         time.Duration
	AfterClosing bool
	Unstaffed    bool
	// Oldest is the issue time of the ticket that has waited longest (zero
	// when nobody waits).
	Oldest time.Time
	// OpenNow is whether tickets can be taken now: the service is open and
	// so is the office (its opening hours).
	OpenNow bool
}

// CounterState is one counter with its current ticket (ID 0 for none).
type CounterState struct {
	Counter queue.Counter
	Ticket  queue.Ticket
}

// Snapshot is a branch at one sequence number.
type Snapshot struct {
	Seq         uint64
	Branch      queue.Branch
	Loc         *time.Location
	Services    []ServiceState
	Counters    []CounterState
	RecentCalls []queue.Event
}

// RecentCallsKept is how many recent calls a snapshot carries.
const RecentCallsKept = 10

// recentScan bounds how far back a snapshot looks for recent calls.
const recentScan = 5000

// Snapshot returns branch as of its latest event.
func (e *Engine) Snapshot(ctx context.Context, branch string) (Snapshot, error) {
	return e.snapshot(ctx, branch, true)
}

// Summary is Snapshot without the recent calls: the live hub needs the
// queues and counters after each batch of events, not the history.
func (e *Engine) Summary(ctx context.Context, branch string) (Snapshot, error) {
	return e.snapshot(ctx, branch, false)
}

func (e *Engine) snapshot(ctx context.Context, branch string, recent bool) (Snapshot, error) {
	var s Snapshot
	err := e.store.View(ctx, func(tx *storage.Tx) error {
		b, err := tx.Branch(branch)
		if err != nil {
			return err
		}
		s, err = e.snapshotIn(b, recent)
		return err
	})
	return s, err
}

func (e *Engine) snapshotIn(b *storage.BranchTx, recent bool) (Snapshot, error) {
	var s Snapshot
	var err error
	s.Seq = b.LastSeq()
	if s.Branch, err = b.Config(); err != nil {
		return s, err
	}
	if s.Loc, err = e.Location(s.Branch); err != nil {
		return s, err
	}
	counters, err := b.Counters()
	if err != nil {
		return s, err
	}
	l := e.load(b, counters)
	svcs, err := b.Services()
	if err != nil {
		return s, err
	}
	// Outside opening hours every service shows closed: the kiosk then
	// offers none.
	openNow := s.Branch.Hours.OpenAt(l.now, s.Loc)
	for _, svc := range svcs {
		pri, reg := b.WaitingCount(svc.ID)
		st := ServiceState{Service: svc, Waiting: pri + reg, WaitingPriority: pri, OpenNow: svc.Open && openNow}
		for _, h := range b.Heads([]string{svc.ID}) {
			if at := time.Unix(0, h.IssuedAt); st.Oldest.IsZero() || at.Before(st.Oldest) {
				st.Oldest = at
			}
		}
		// A ticket issued now is behind everyone of its class.
		_, st.Wait, st.AfterClosing, st.Unstaffed = l.place(queue.Candidate{Service: svc.ID, IssuedAt: l.now.UnixNano() + 1, Seq: 1 << 30, ID: 1<<64 - 1})
		s.Services = append(s.Services, st)
	}
	for _, c := range counters {
		cs := CounterState{Counter: c}
		if c.Current != 0 {
			if t, err := b.Ticket(c.Current); err == nil {
				cs.Ticket = t
			}
		}
		s.Counters = append(s.Counters, cs)
	}
	if !recent {
		return s, nil
	}
	scanned := 0
	err = b.EventsBackward(func(ev queue.Event) bool {
		if ev.Type == queue.EvCalled || ev.Type == queue.EvRecalled {
			s.RecentCalls = append(s.RecentCalls, ev)
		}
		scanned++
		return len(s.RecentCalls) < RecentCallsKept && scanned < recentScan
	})
	return s, err
}

// EventsSince returns up to limit events of branch after sequence after, in
// order, and whether more follow.
func (e *Engine) EventsSince(ctx context.Context, branch string, after uint64, limit int) ([]queue.Event, bool, error) {
	var evs []queue.Event
	more := false
	err := e.store.View(ctx, func(tx *storage.Tx) error {
		b, err := tx.Branch(branch)
		if err != nil {
			return err
		}
		return b.Events(after, func(ev queue.Event) bool {
			if len(evs) == limit {
				more = true
				return false
			}
			evs = append(evs, ev)
			return true
		})
	})
	return evs, more, err
}

// Counter returns one counter of branch.
func (e *Engine) Counter(ctx context.Context, branch, id string) (queue.Counter, error) {
	var c queue.Counter
	err := e.store.View(ctx, func(tx *storage.Tx) error {
		b, err := tx.Branch(branch)
		if err != nil {
			return err
		}
		c, err = b.Counter(id)
		return err
	})
	return c, err
}

// Branches returns the settings of every branch.
func (e *Engine) Branches(ctx context.Context) ([]queue.Branch, error) {
	var list []queue.Branch
	err := e.store.View(ctx, func(tx *storage.Tx) error {
		for _, id := range tx.BranchIDs() {
			b, err := tx.Branch(id)
			if err != nil {
				return err
			}
			cfg, err := b.Config()
			if err != nil {
				return err
			}
			list = append(list, cfg)
		}
		return nil
	})
	return list, err
}

// HasBranch reports whether branch exists.
func (e *Engine) HasBranch(ctx context.Context, branch string) bool {
	return e.store.View(ctx, func(tx *storage.Tx) error {
		_, err := tx.Branch(branch)
		return err
	}) == nil
}

// LastSeq returns the sequence number of branch's latest event.
func (e *Engine) LastSeq(ctx context.Context, branch string) (uint64, error) {
	var seq uint64
	err := e.store.View(ctx, func(tx *storage.Tx) error {
		b, err := tx.Branch(branch)
		if err == nil {
			seq = b.LastSeq()
		}
		return err
	})
	return seq, err
}
