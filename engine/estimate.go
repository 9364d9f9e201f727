package engine

import (
	"hash/fnv"
	"maps"
	"slices"
	"time"

	"github.com/seira-queue/seira/queue"
	"github.com/seira-queue/seira/storage"
)

// What the estimates of a branch read at one moment, and the forecast
// shared between readers of the same moment.

// load is what estimates need of a branch at one moment.
type load struct {
	b        *storage.BranchTx
	counters []queue.Counter
	services map[string]queue.Service
	now      time.Time
	busy     map[string]time.Duration     // per counter: remaining work
	dists    map[string]queue.ServiceDist // per service: learned service time and spread
	held     map[string]held              // per counter: its ticket under way
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
		dists: map[string]queue.ServiceDist{}, held: map[string]held{}}
	l.loc = time.UTC
	// An estimate is made of what can be read: a branch whose settings or
	// services cannot be read gets the defaults, and the log says why.
	if cfg, loc, err := e.settingsOf(b); err != nil {
		e.log.Warn("engine: estimate without the branch's settings", "branch", b.ID(), "err", err)
	} else {
		l.cfg, l.loc = cfg, loc
	}
	if svcs, err := b.Services(); err != nil {
		e.log.Warn("engine: estimate without the branch's services", "branch", b.ID(), "err", err)
	} else {
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
		elapsed := l.now.Sub(c.CalledAt)
		r := l.rest(c.CurrentService, elapsed)
		l.busy[c.ID] += r
		l.held[c.ID] = held{id: c.Current, svc: c.CurrentService, elapsed: elapsed, rest: r}
	}
	return l
}

// held is the ticket at a counter as the sampled forecast draws its rest.
type held struct {
	id      uint64
	svc     string
	elapsed time.Duration
	rest    time.Duration // the median rest, in the counter's busy time
}

// serviceTime is the learned service time of svc, or its configured
// default until it has history.
func (l *load) serviceTime(svc string) time.Duration { return l.dist(svc).Mean }

// dist is svc's learned service time with the samples' spread (none
// until it has history).
func (l *load) dist(svc string) queue.ServiceDist {
	// A forecast asks for every ticket it plays: read each service once.
	if d, ok := l.dists[svc]; ok {
		return d
	}
	s, ok := l.services[svc]
	if !ok {
		s = queue.Service{ID: svc} // deleted since: its history or the default
	}
	d := learnedServiceDist(l.b, s)
	l.dists[svc] = d
	return d
}

// rest is how long a ticket of svc, at its counter for elapsed, is
// expected to keep it: the median of the rest of its service's learned
// log-normal, which a forecast judged by its absolute error should aim
// at (queue.ServiceDist.RestQuantile). A ticket past its expected time
// still has some way to go, the more the longer it has run.
func (l *load) rest(svc string, elapsed time.Duration) time.Duration {
	return l.dist(svc).RestQuantile(elapsed, 0.5)
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
		pooled := l.b.ArrivalHistory("").Priority
		day, _ := queue.DayHour(l.now, l.loc)
		for svc := range l.services {
			if expected, ok := l.expectedPriority(svc, pooled, day, horizon, open, base); ok {
				l.waiting = append(l.waiting, expected...)
				base += 1 << 32
				continue
			}
			last, rate := l.b.PriorityRate(svc)
			if rate = queue.DecayRate(rate, last, l.now); rate > 0.01 {
				gap := time.Duration(float64(time.Hour) / rate)
				l.waiting = append(l.waiting, queue.ExpectedArrivals(svc, gap, horizon, open, base)...)
				base += 1 << 32
			}
		}
		l.waiting = append(l.waiting, l.expectedAppointments(horizon, base)...)
		l.desks = queue.ForecastDesks(l.counters, l.now, l.loc, func(c queue.Counter) time.Duration { return l.busy[c.ID] })
		l.calls = l.sampledForecast()
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
	if w, ok := queue.ForecastAt(append(slices.Clip(l.waiting), t), l.desks, l.policy(), l.serviceTime)[t.ID]; ok {
		return max(w-l.age, 0), false, true
	}
	w, ok := queue.ForecastAt(append(slices.Clip(l.waiting), t), openEnded(l.desks), l.policy(), l.serviceTime)[t.ID]
	return max(w-l.age, 0), ok, ok
}

// forecastPlays is how many plays the sampled forecast takes the median
// of, and playsBudget how many tickets (waiting and expected) its plays
// may play through in all: a longer queue is forecast by one play of the
// means. A play costs about half a microsecond a ticket (2 vCPUs), so the
// plays of a forecast at the budget cost about half a millisecond, and an
// issue's estimate at most about as much again as the durable issue
// (BenchmarkIssueForecast). A median of fewer plays is too noisy to do
// better than the play of the means (sim/floor: 9 plays lose to it on the
// lighter day, 15 come near 21).
const (
	forecastPlays = 21
	playsBudget   = forecastPlays * 50
)

// sampledForecast is the forecast of the waiting tickets: each one's
// median call time over forecastPlays plays that draw the service times
// from the learned log-normals and the rests of the tickets at the
// counters from the log-normals past their time gone
// (queue.ForecastMedian). A play of the means forecasts about a ticket's
// mean wait, which the long services' tail pulls up; the estimate is
// judged by its absolute error, which the median minimises, and the first
// of several uncertain counters frees earlier than the least of their
// expected rests. Play j draws each ticket's service time, and the rest
// of a ticket at a counter, from a number of the branch, the ticket and j
// alone (queue.PlayDraw): the same state gives the same forecast, and a
// ticket's estimate moves with the clock and with what happens ahead of
// it, not with fresh draws at every event.
func (l *load) sampledForecast() map[uint64]time.Duration {
	if len(l.waiting)*forecastPlays > playsBudget {
		return queue.ForecastAt(l.waiting, l.desks, l.policy(), l.serviceTime)
	}
	seed := playSeed(l.b.ID())
	desks := slices.Clone(l.desks)
	return queue.ForecastMedian(l.waiting, l.policy(), forecastPlays, func(j int) ([]queue.Desk, func(queue.Candidate) time.Duration) {
		for i, d := range l.desks {
			desks[i].Busy = d.Busy
			if h, ok := l.held[d.Counter.ID]; ok {
				r := l.dist(h.svc).RestQuantile(h.elapsed, queue.PlayDraw(seed, h.id, j))
				desks[i].Busy = max(d.Busy-h.rest+r, 0)
			}
		}
		return desks, func(c queue.Candidate) time.Duration {
			return l.dist(c.Service).RestQuantile(0, queue.PlayDraw(seed, c.ID, j))
		}
	})
}

// playSeed is the branch's seed of its plays' draws (queue.PlayDraw).
func playSeed(branch string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(branch))
	return h.Sum64()
}

// expectedPriority are the priority tickets of service svc expected
// within horizon at the rate its earlier days say, hour by hour: the
// learned share of priority tickets among its walk-ins (drawn toward the
// branch's, pooled) times its mean walk-ins at that hour of the day. A
// day's last hour of priority tickets alone is a handful of arrivals, and
// says nothing of the hours to come. ok is false before the service has an
// earlier day, and the forecast then goes by the last hour's rate.
func (l *load) expectedPriority(svc string, pooled queue.ShareCount, day int64, horizon time.Duration,
	open func(time.Duration) bool, base uint64) ([]queue.Candidate, bool) {
	h := l.b.ArrivalHistory(svc)
	if _, ok := h.Profile.PerHour(day, 0); !ok {
		return nil, false
	}
	share := h.Priority.Share(pooled)
	until, rate := time.Duration(-1), 0.0 // the rate holds until the next hour
	return queue.ExpectedArrivalsBy(svc, func(at time.Duration) float64 {
		if !open(at) {
			return 0
		}
		if at >= until {
			t := l.now.Add(at).In(l.loc)
			d, hour := queue.DayHour(t, l.loc)
			r, _ := h.Profile.PerHour(d, hour)
			rate = share * r
			until = at + time.Hour - time.Duration(t.Minute())*time.Minute - time.Duration(t.Second())*time.Second -
				time.Duration(t.Nanosecond())
		}
		return rate
	}, horizon, base), true
}

// policy is the call-next policy as the forecast plays it, from the time
// the forecast was made.
func (l *load) policy() queue.Policy {
	return policyOf(l.cfg, l.now.Add(-l.age), func(svc string) (queue.Service, bool) {
		s, ok := l.services[svc]
		return s, ok
	})
}

// expectedAppointments are the booked appointments of the coming hours,
// not checked in yet, as arrivals at their slot's start: they will go
// ahead of the walk-ins then. Not all of them come: of those, the forecast
// keeps the share that the branch's appointments of the last days and of
// today kept (apptNoShowRate), spread evenly (queue.ExpectedShows). Each
// has an id from base up (base is past the priority arrivals' ids).
func (l *load) expectedAppointments(horizon time.Duration, base uint64) []queue.Candidate {
	var out []queue.Candidate
	base += 1 << 40
	err := l.b.ForEachAppointment(l.now.Add(-time.Hour), l.now.Add(horizon), func(a queue.Appointment) (bool, error) {
		if a.State != queue.ApptBooked {
			return true, nil
		}
		if _, ok := l.services[a.Service]; !ok {
			return true, nil
		}
		// Late ones may still come, within their check-in window.
		_, late := l.services[a.Service].Booking().CheckinWindow()
		if l.now.After(a.Start.Add(late)) {
			return true, nil
		}
		arrive := max(a.Start.Sub(l.now), time.Nanosecond)
		out = append(out, queue.Candidate{ID: base + a.ID, Service: a.Service, IssuedAt: a.Start.UnixNano(),
			Seq: 1 << 30, Arrive: arrive, Due: a.Start.UnixNano()})
		return true, nil
	})
	if err != nil {
		l.e.log.Warn("engine: estimate without the booked appointments", "branch", l.b.ID(), "err", err)
		return nil
	}
	if len(out) == 0 {
		return nil
	}
	// In slot order (the store's is by start, then by id).
	return queue.ExpectedShows(out, l.apptNoShowRate())
}

// noShowMemory is how far back the appointments' no-show rate looks: a
// week of an office's appointments, a few hundred at a busy one.
const noShowMemory = 7 * 24 * time.Hour

// apptNoShowRate is the share of the branch's appointments of the last
// noShowMemory that were not checked in, of those whose check-in window
// has passed (queue.ApptNoShowRate): an appointment checked in came, even
// if its holder left before the call; a cancelled one is left out.
func (l *load) apptNoShowRate() float64 {
	noShows, shows := 0, 0
	err := l.b.ForEachAppointment(l.now.Add(-noShowMemory), l.now, func(a queue.Appointment) (bool, error) {
		if !a.CheckedInAt.IsZero() {
			shows++
			return true, nil
		}
		_, late := l.services[a.Service].Booking().CheckinWindow()
		if (a.State == queue.ApptBooked || a.State == queue.ApptNoShow) && l.now.After(a.Start.Add(late)) {
			noShows++
		}
		return true, nil
	})
	if err != nil {
		l.e.log.Warn("engine: estimate without the appointments' no-show rate", "branch", l.b.ID(), "err", err)
		return 0
	}
	return queue.ApptNoShowRate(noShows, shows)
}

// openEnded is the forecast of the waiting tickets with the desks' planned
// closings left out, made once per load: for the tickets the plan does not
// reach before every desk closes.
func (l *load) openEnded() map[uint64]time.Duration {
	if l.callsOpenEnd == nil {
		l.callsOpenEnd = queue.ForecastAt(l.waiting, openEnded(l.desks), l.policy(), l.serviceTime)
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
	dists   map[string]queue.ServiceDist
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
	for svc, d := range f.dists {
		if _, ok := l.dists[svc]; !ok {
			l.dists[svc] = d
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
		calls: l.calls, dists: maps.Clone(l.dists)}
	l.e.fcMu.Lock()
	defer l.e.fcMu.Unlock()
	if len(l.e.fcs) > 10_000 {
		clear(l.e.fcs)
	}
	l.e.fcs[l.b.ID()] = f
}
