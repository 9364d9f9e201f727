// Command floor measures what a wait forecast can reach on a simulated
// day, without a server: it plays the day's citizens (sim.Plan) with the
// simulator's clerks' rules in-process and, at each ticket's issue,
// forecasts its wait with queue.Forecast from what the chosen estimator
// knows. Compared with the wait the ticket then has, that gives the error
// figures of seira sim in a fraction of a second per day, so that many
// seeds can be played:
//
//	go run ./sim/floor -seeds 40
//
// prints, for the reference day, the floor (true mean service times,
// exact remaining times, true priority arrival rates: only chance is
// unknown) and estimators in between, down to one like the server's (the
// moving service time, expected remaining times, the decaying priority
// rate), with and without the counters' plan, and on how many seeds each
// meets the goal of a median error under 3 minutes. With -mc N it also
// forecasts, with the floor's knowledge, the median of N plays of the rest
// of the day drawn from the true distributions: what minimises each
// ticket's expected absolute error, and slow.
package main

import (
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/seira-queue/seira/queue"
	"github.com/seira-queue/seira/sim"
)

// knows is what an estimator knows.
type knows struct {
	// ewma > 0 learns service times as the server does, with this weight;
	// 0 knows the true means.
	ewma float64
	// warmDays of earlier samples (300 a service a day) taught the moving
	// estimate before the day, as on a server running for a while.
	warmDays int
	// expectedRemaining knows a called ticket's expected remaining time,
	// as the server does, rather than the exact one.
	expectedRemaining bool
	// learnedPriority expects priority arrivals at the server's decaying
	// rate per service rather than the day's true rate.
	learnedPriority bool
	// lastHour keeps, with earlier days learned, the decaying rate of
	// the last hour's priority tickets (the server before issue 17):
	// otherwise the server expects them, once a service has an earlier
	// day, at the learned share of priority tickets among its walk-ins
	// times its walk-ins by hour of the earlier days (queue.ArrivalHistory).
	lastHour bool
	// longRun learns service times as the server does
	// (queue.ServiceEstimate: the long-run mean unless the moving average
	// has left it), rather than by the moving average of weight ewma
	// alone (the server before issue 17).
	longRun bool
	// noPlan forecasts as before counter schedules: a counter is counted
	// on once open, a pause lasts the learned pause length, nobody closes,
	// and priority arrivals are expected for four hours.
	noPlan bool
	// monteCarlo > 0 forecasts the median wait of that many plays of the
	// rest of the day drawn from the true distributions.
	monteCarlo int
	// restDist takes the rest of a ticket at its counter from the
	// log-normal of its service's mean and variance (queue.ServiceDist,
	// as the server does): its expected rest, or its restQ-quantile when
	// restQ > 0; otherwise max(mean − elapsed, mean/4), the server before.
	restDist bool
	restQ    float64
	// plays > 0 forecasts the median of that many plays of the forecast,
	// each drawing the service times and the rests of the tickets at the
	// counters from the log-normals of the means and variances known
	// (queue.ForecastMedian, as the server does).
	plays int
	// playsTrue draws the plays' services and rests from the day's true
	// distributions (the walk, the log-normal, the no-shows) instead.
	playsTrue bool
	// playsBudget > 0 bounds the tickets waiting times plays: past it the
	// forecast is played once, by the means (as the server does).
	playsBudget int
	// apptShows is how the forecast expects the booked appointments not
	// checked in yet: apptAll as if everyone came, apptTrue thinned by
	// the day's true no-show rate, apptLearned by the rate learned (the
	// appointments whose check-in window has passed, shown or not).
	apptShows int
}

// The forecasts' expectations of the booked citizens (knows.apptShows).
const (
	apptAll = iota
	apptTrue
	apptLearned
)

// result is one ticket's forecast at issue and its real wait (-1: never
// called by the hard stop, or no forecast).
type result struct {
	issued   time.Duration // since opening
	priority bool
	appt     bool // checked in for an appointment, in its window
	estimate time.Duration
	wait     time.Duration
}

const (
	noShow   = sim.NoShowWait
	retry    = 15 * time.Second
	hardStop = time.Hour
	// epoch is added to the play's times (since opening) in the policy's
	// Unix-nanosecond fields, where 0 says "no slot".
	epoch = int64(24 * time.Hour)
	// lateWindow is how late an appointment can be checked in.
	lateWindow = queue.DefaultCheckinLate * time.Minute
)

// policy is the call-next policy of a call at t (since opening).
func policy(t time.Duration) queue.Policy {
	return queue.Policy{K: 3, N: queue.DefaultAppointmentCap, Now: epoch + int64(t)}
}

type desk struct {
	i        int // in the day's counter order, for ties
	c        queue.Counter
	free     time.Duration // when it next acts
	opens    time.Duration
	pauses   []queue.Away // from the opening
	cur      int          // the citizen at the counter, -1 for none
	pausedAt time.Duration
	pauseEnd time.Duration
}

// nextDesk returns the desk that acts next (ties in counter order).
func nextDesk(desks []*desk) *desk {
	return slices.MinFunc(desks, func(a, b *desk) int {
		if a.free != b.free {
			return int(a.free - b.free)
		}
		return a.i - b.i
	})
}

// takeBreak starts c's next planned break if it is due: a pause starts
// when the clerk is free and lasts its length, which it returns.
func (c *desk) takeBreak() (time.Duration, bool) {
	if len(c.pauses) == 0 || c.free < c.pauses[0].At {
		return 0, false
	}
	l := c.pauses[0].Len
	c.pausedAt, c.pauseEnd = c.free, c.free+l
	c.free = c.pauseEnd
	c.pauses = c.pauses[1:]
	return l, true
}

// call picks c's next ticket under the policy and takes it out of waiting.
func (c *desk) call(waiting *[]queue.Candidate) (queue.Candidate, bool) {
	pick, streaks, ok := queue.PickAt(c.c, policy(c.free), *waiting)
	if !ok {
		return pick, false
	}
	*waiting = slices.DeleteFunc(*waiting, func(w queue.Candidate) bool { return w.ID == pick.ID })
	c.c.PriorityStreak, c.c.ApptStreak = streaks.Priority, streaks.Appt
	return pick, true
}

// play plays day d with the citizens of seed and forecasts each ticket's
// wait as k allows.
func play(d sim.Day, seed uint64, k knows) []result {
	plan := sim.Plan(d, seed)
	walkTime := time.Duration(d.WalkToCounterS * float64(time.Second))
	closing := time.Duration(d.Close - d.Open)
	hard := closing + hardStop
	mean := map[string]time.Duration{}
	learned := map[string]time.Duration{}
	samples := map[string]int{}
	share := map[string]float64{}
	for _, s := range d.Services {
		mean[s.ID] = d.MeanHold(s)
		learned[s.ID] = time.Duration(s.ServiceMinMean * float64(time.Minute)) // the configured default
		share[s.ID] = s.Share
	}
	ests := map[string]queue.ServiceEstimate{}
	trueVar := map[string]float64{}
	for _, s := range d.Services {
		ests[s.ID] = queue.NewServiceEstimate(learned[s.ID])
		trueVar[s.ID] = holdVar(d, s)
	}
	serviceTime := func(svc string) time.Duration {
		switch {
		case k.longRun:
			return ests[svc].Mean()
		case k.ewma > 0:
			return learned[svc]
		}
		return mean[svc]
	}
	learn := func(svc string, sample time.Duration) {
		ests[svc] = ests[svc].Add(sample) // the variance, for every learner
		if k.longRun {
			return
		}
		n := samples[svc]
		w := max(1/float64(n+4), k.ewma) // the default weighs three samples
		learned[svc] = time.Duration(float64(learned[svc])*(1-w) + float64(sample)*w)
		samples[svc] = n + 1
	}
	if (k.ewma > 0 || k.longRun) && k.warmDays > 0 {
		rng := rand.New(rand.NewPCG(seed+1000, 7))
		for _, s := range d.Services {
			for range 300 * k.warmDays {
				hold := walkTime + sim.LogNormal(s.ServiceMinMean*60, s.ServiceSigma, rng.NormFloat64())
				if rng.Float64() < d.NoShowRate {
					hold = noShow
				}
				learn(s.ID, hold)
			}
		}
	}
	// expectedRemaining is the rest the forecast expects of a ticket of
	// svc at its counter for elapsed.
	dist := func(svc string) queue.ServiceDist {
		d := queue.ServiceDist{Mean: serviceTime(svc), Var: trueVar[svc]}
		if k.ewma > 0 || k.longRun {
			d.Var = ests[svc].Var
		}
		return d
	}
	expectedRemaining := func(svc string, elapsed time.Duration) time.Duration {
		if !k.restDist {
			st := serviceTime(svc)
			return max(st-elapsed, st/4)
		}
		if k.restQ > 0 {
			return dist(svc).RestQuantile(elapsed, k.restQ)
		}
		return dist(svc).Rest(elapsed)
	}
	var desks []*desk
	for i, dc := range d.Counters {
		c := &desk{i: i, c: queue.Counter{ID: dc.ID, Serves: dc.Serves, Status: queue.CounterOpen}, cur: -1, pausedAt: -1, pauseEnd: -1}
		if dc.Opens != nil {
			c.opens = time.Duration(*dc.Opens - d.Open)
		}
		for _, p := range dc.Pauses {
			c.pauses = append(c.pauses, queue.Away{At: time.Duration(p.At - d.Open), Len: time.Duration(p.Minutes * float64(time.Minute))})
		}
		c.free = c.opens
		desks = append(desks, c)
	}

	// Priority arrivals: the server's decaying rate, or the day's true
	// one (an arrival where the expected count passes k + 1/2).
	day0 := time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC).Add(time.Duration(d.Open))
	lastPri, ratePri := map[string]time.Time{}, map[string]float64{}
	shares, pooled := map[string]queue.ShareCount{}, queue.ShareCount{}
	profiles := map[string]queue.ArrivalProfile{}
	const today = 100 // the day number of the day played
	hourOf := func(t time.Duration) int { return int((time.Duration(d.Open) + t) / time.Hour) }
	if k.warmDays > 0 {
		for w := range k.warmDays {
			for _, c := range sim.Plan(d, seed+uint64(1000*(w+1))) {
				if c.Booked {
					continue
				}
				shares[c.Service] = shares[c.Service].Add(c.Priority)
				pooled = pooled.Add(c.Priority)
				profiles[c.Service] = profiles[c.Service].Add(int64(today-k.warmDays+w), hourOf(c.At))
			}
		}
	}
	trueRate := func(t time.Duration) float64 { // per second, all services
		h := int((time.Duration(d.Open) + t) / time.Hour)
		return d.ArrivalsPerHour[fmt.Sprintf("%02d", h)] / 3600 * d.PriorityRate
	}
	expected := func(t time.Duration) []queue.Candidate {
		var out []queue.Candidate
		base := uint64(1) << 50
		horizon := max(closing-t, 0)
		if k.noPlan {
			horizon = 4 * time.Hour
		}
		for _, s := range d.Services {
			if k.learnedPriority {
				r := queue.DecayRate(ratePri[s.ID], lastPri[s.ID], day0.Add(t))
				if !k.lastHour {
					if _, ok := profiles[s.ID].PerHour(today, hourOf(t)); ok {
						sh, pr := shares[s.ID].Share(pooled), profiles[s.ID]
						out = append(out, queue.ExpectedArrivalsBy(s.ID, func(at time.Duration) float64 {
							if t+at >= closing {
								return 0
							}
							r, _ := pr.PerHour(today, hourOf(t+at))
							return sh * r
						}, horizon, base)...)
						base += 1 << 32
						continue
					}
				}
				if r > 0.01 {
					out = append(out, queue.ExpectedArrivals(s.ID, time.Duration(float64(time.Hour)/r), horizon, nil, base)...)
				}
			} else {
				acc, next, id := 0.0, 0.5, base
				for x := t; x < closing; x += 10 * time.Second {
					if acc += trueRate(x) * share[s.ID] * (1 - s.BookedShare) * 10; acc >= next { // booked citizens come without priority
						out = append(out, queue.Candidate{ID: id, Service: s.ID, Priority: true, IssuedAt: 1<<62 + int64(x-t), Arrive: x - t})
						id, next = id+1, next+1
					}
				}
			}
			base += 1 << 32
		}
		return out
	}

	out := make([]result, len(plan))
	for i, p := range plan {
		out[i] = result{issued: p.At, priority: p.Priority, estimate: -1, wait: -1}
	}
	var waiting []queue.Candidate
	var pauseMean time.Duration
	svcOf := map[string]sim.DayService{}
	for _, s := range d.Services {
		svcOf[s.ID] = s
	}
	mcRng := rand.New(rand.NewPCG(seed+77, 11))
	montecarlo := func(t time.Duration, id uint64) time.Duration {
		waits := make([]time.Duration, 0, k.monteCarlo)
		for range k.monteCarlo {
			ds := make([]*desk, len(desks))
			for j, c := range desks {
				cp := *c
				ds[j] = &cp
			}
			w := slices.Clone(waiting)
			var future []queue.Candidate
			nid := uint64(1) << 50
			for x := t; x < closing; x += 10 * time.Second {
				for _, sv := range d.Services {
					if mcRng.Float64() < trueRate(x)*share[sv.ID]*10 {
						future = append(future, queue.Candidate{ID: nid, Service: sv.ID, Priority: true, IssuedAt: epoch + int64(x), Arrive: x})
						nid++
					}
				}
			}
			wait := time.Duration(1 << 62)
			for {
				c := nextDesk(ds)
				if c.free >= hard {
					break
				}
				for len(future) > 0 && future[0].Arrive <= c.free {
					w = append(w, future[0])
					future = future[1:]
				}
				if _, ok := c.takeBreak(); ok {
					continue
				}
				pick, ok := c.call(&w)
				if !ok {
					c.free += retry
					continue
				}
				if pick.ID == id {
					wait = c.free - t
					break
				}
				sv := svcOf[pick.Service]
				hold := walkTime + sim.LogNormal(sv.ServiceMinMean*60, sv.ServiceSigma, mcRng.NormFloat64())
				if mcRng.Float64() < d.NoShowRate {
					hold = noShow
				}
				c.free += hold
			}
			waits = append(waits, wait)
		}
		slices.Sort(waits)
		m := waits[len(waits)/2]
		if m >= 1<<62 {
			return -1
		}
		return m
	}
	var expectedAppts func(t time.Duration) []queue.Candidate // below
	// plays forecasts id's wait at t as the median of k.plays plays of
	// the forecast, each drawing the service times and the rests of the
	// tickets at the counters (held) from the log-normals the estimator
	// knows, with a chance seeded by the seed and t.
	plays := func(t time.Duration, all []queue.Candidate, ds []queue.Desk, held []int) map[uint64]time.Duration {
		// Play j draws for ticket id from queue.PlayDraw(seed, id, j), as
		// the server does (the ticket at a counter by its id too).
		draw := func(c queue.Candidate, j int) time.Duration {
			return dist(c.Service).RestQuantile(0, queue.PlayDraw(seed, c.ID, j))
		}
		rest := func(h int, elapsed time.Duration, j int) time.Duration {
			return dist(plan[h].Service).RestQuantile(elapsed, queue.PlayDraw(seed, uint64(h+1), j))
		}
		if k.playsTrue {
			// The true hold: a no-show's wait, or the walk and the
			// log-normal service (a second draw decides which).
			trueLN := func(svc string) queue.ServiceDist {
				sv := svcOf[svc]
				m := sv.ServiceMinMean * 60 * 1e9
				return queue.ServiceDist{Mean: time.Duration(m), Var: m * m * math.Expm1(sv.ServiceSigma*sv.ServiceSigma)}
			}
			draw = func(c queue.Candidate, j int) time.Duration {
				if queue.PlayDraw(^seed, c.ID, j) < d.NoShowRate {
					return noShow
				}
				return walkTime + trueLN(c.Service).RestQuantile(0, queue.PlayDraw(seed, c.ID, j))
			}
			rest = func(h int, elapsed time.Duration, j int) time.Duration {
				sv := svcOf[plan[h].Service]
				ln := trueLN(plan[h].Service)
				u := queue.PlayDraw(seed, uint64(h+1), j)
				if elapsed < noShow {
					served := 1.0
					if e := elapsed - walkTime; e > 0 {
						m := float64(ln.Mean)
						mu, sg := math.Log(m)-sv.ServiceSigma*sv.ServiceSigma/2, sv.ServiceSigma
						served = math.Erfc((math.Log(float64(e))-mu)/sg/math.Sqrt2) / 2
					}
					p := d.NoShowRate
					if queue.PlayDraw(^seed, uint64(h+1), j) < p/(p+(1-p)*served) {
						return noShow - elapsed
					}
				}
				if elapsed <= walkTime {
					return walkTime - elapsed + ln.RestQuantile(0, u)
				}
				return ln.RestQuantile(elapsed-walkTime, u)
			}
		}
		pds := slices.Clone(ds)
		return queue.ForecastMedian(all, policy(t), k.plays, func(j int) ([]queue.Desk, func(queue.Candidate) time.Duration) {
			for i, h := range held {
				if h >= 0 {
					pds[i].Busy = rest(h, t-out[h].wait-plan[h].At, j)
				}
			}
			return pds, func(c queue.Candidate) time.Duration { return draw(c, j) }
		})
	}
	forecast := func(t time.Duration, id uint64) time.Duration {
		if k.monteCarlo > 0 {
			if w := montecarlo(t, id); w >= 0 {
				return w
			}
		}
		var ds []queue.Desk
		var held []int // per desk of ds, the citizen whose rest is a guess, or -1
		for _, c := range desks {
			busy := max(c.free-t, 0)
			h := -1
			if c.cur >= 0 && k.expectedRemaining {
				busy = expectedRemaining(plan[c.cur].Service, t-out[c.cur].wait-plan[c.cur].At)
				h = c.cur
			}
			if k.noPlan {
				if t < c.opens {
					continue
				}
				if t >= c.pausedAt && t < c.pauseEnd {
					p := cmpOr(pauseMean, queue.DefaultPause)
					busy = max(p-(t-c.pausedAt), p/4)
				}
				ds = append(ds, queue.Desk{Counter: c.c, Busy: busy})
				held = append(held, h)
				continue
			}
			dk := queue.Desk{Counter: c.c, Busy: busy, Closes: hard - t, HasClose: true}
			for _, p := range c.pauses {
				dk.Breaks = append(dk.Breaks, queue.Away{At: p.At - t, Len: p.Len})
			}
			ds = append(ds, dk)
			held = append(held, h)
		}
		all := append(slices.Clone(waiting), expected(t)...)
		all = append(all, expectedAppts(t)...)
		var w time.Duration
		ok := false
		if k.plays > 0 && (k.playsBudget == 0 || len(all)*k.plays <= k.playsBudget) {
			// Past every closing in half the plays or more: the server's
			// rule below, by the play of the means.
			w, ok = plays(t, all, ds, held)[id]
		} else {
			w, ok = queue.ForecastAt(all, ds, policy(t), serviceTime)[id]
		}
		if !ok { // past every closing: as if the clerks stayed (the server's rule)
			for j := range ds {
				ds[j].HasClose = false
			}
			w, ok = queue.ForecastAt(all, ds, policy(t), serviceTime)[id]
		}
		if !ok {
			return -1
		}
		return w
	}
	next := 0
	// The booked citizens' shows and no-shows whose check-in window has
	// passed, for the learned no-show rate.
	noShows, shows := 0, 0
	expectedAppts = func(t time.Duration) []queue.Candidate {
		rate := 0.0
		switch k.apptShows {
		case apptTrue:
			if d.Appointments != nil {
				rate = d.Appointments.NoShowRate
			}
		case apptLearned:
			rate = queue.ApptNoShowRate(noShows, shows)
		}
		var booked []queue.Candidate
		for j := next; j < len(plan); j++ {
			p := plan[j]
			if !p.Booked || t > p.Slot+lateWindow {
				continue
			}
			booked = append(booked, queue.Candidate{ID: 1<<55 + uint64(j), Service: p.Service, IssuedAt: epoch + int64(p.Slot),
				Seq: 1 << 30, Arrive: max(p.Slot-t, time.Nanosecond), Due: epoch + int64(p.Slot)})
		}
		slices.SortStableFunc(booked, func(a, b queue.Candidate) int { return int(a.Due - b.Due) })
		return queue.ExpectedShows(booked, rate)
	}
	for j := range plan {
		if plan[j].Booked && plan[j].ApptNoShow {
			out[j].appt = true
		}
	}
	var seen int // the booked citizens whose window has passed, in slot order
	bySlot := make([]int, 0, len(plan))
	for j, p := range plan {
		if p.Booked {
			bySlot = append(bySlot, j)
		}
	}
	slices.SortStableFunc(bySlot, func(a, b int) int { return int(plan[a].Slot - plan[b].Slot) })
	for {
		c := nextDesk(desks)
		if c.free >= hard {
			break
		}
		for seen < len(bySlot) && plan[bySlot[seen]].Slot+lateWindow < c.free {
			if p := plan[bySlot[seen]]; p.ApptNoShow {
				noShows++
			} else {
				shows++ // a late one too: they came, as a walk-in
			}
			seen++
		}
		for next < len(plan) && plan[next].At <= c.free {
			p := plan[next]
			if p.Booked && p.ApptNoShow {
				next++
				continue
			}
			cand := queue.Candidate{ID: uint64(next + 1), Service: p.Service, Priority: p.Priority && !p.Booked, IssuedAt: epoch + int64(p.At), Seq: next}
			if p.Booked && p.At <= p.Slot+lateWindow {
				cand.Due = epoch + int64(p.Slot)
				out[next].appt = true
			}
			waiting = append(waiting, cand)
			if !p.Booked {
				shares[p.Service] = shares[p.Service].Add(cand.Priority)
				profiles[p.Service] = profiles[p.Service].Add(today, hourOf(p.At))
				pooled = pooled.Add(cand.Priority)
			}
			if cand.Priority {
				now := day0.Add(p.At)
				ratePri[p.Service] = queue.AddArrival(ratePri[p.Service], lastPri[p.Service], now)
				lastPri[p.Service] = now
			}
			out[next].estimate = forecast(p.At, cand.ID)
			next++
		}
		if c.cur >= 0 {
			learn(plan[c.cur].Service, c.free-plan[c.cur].At-out[c.cur].wait)
			c.cur = -1
		}
		if l, ok := c.takeBreak(); ok {
			pauseMean = queue.UpdatePauseTime(pauseMean, l)
			continue
		}
		pick, ok := c.call(&waiting)
		if !ok {
			if next == len(plan) && c.free >= closing {
				c.free = hard // closing time and nobody waits: the clerk's day is over
			} else {
				c.free += retry
			}
			continue
		}
		i := int(pick.ID - 1)
		out[i].wait = c.free - plan[i].At
		c.cur = i
		hold := walkTime + plan[i].ServiceTime
		if plan[i].NoShow {
			hold = noShow
		}
		c.free += hold
	}
	return out
}

// holdVar is the variance (ns²) of how long a ticket of s holds its
// counter on day d: the walk and a log-normal service, or a no-show's wait.
func holdVar(d sim.Day, s sim.DayService) float64 {
	walk, m := d.WalkToCounterS, s.ServiceMinMean*60
	p, ns := d.NoShowRate, sim.NoShowWait.Seconds()
	served := walk*walk + 2*walk*m + m*m*math.Exp(s.ServiceSigma*s.ServiceSigma)
	mean := d.MeanHold(s).Seconds()
	return ((1-p)*served + p*ns*ns - mean*mean) * 1e18
}

func cmpOr(d, fallback time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return fallback
}

// samples are the forecast and real wait of each called ticket, for
// seira sim's figures (sim.Compute).
func samples(rs []result) []sim.Sample { return samplesOf(rs, func(result) bool { return true }) }

// samplesOf is samples of the tickets that keep says.
func samplesOf(rs []result, keep func(result) bool) []sim.Sample {
	var out []sim.Sample
	for _, r := range rs {
		if r.wait >= 0 && r.estimate >= 0 && keep(r) {
			out = append(out, sim.Sample{EstimateS: r.estimate.Seconds(), RealS: r.wait.Seconds()})
		}
	}
	return out
}

func main() {
	dayPath := flag.String("day", "", "day file in the form of reference-day.json (default: the reference day)")
	seeds := flag.Int("seeds", 40, "play seeds first to this")
	first := flag.Int("first", 1, "the first seed played")
	plays := flag.Int("mc", 0, "also forecast the median of this many plays of the rest of the day from the true distributions (slow)")
	only := flag.Bool("floor-only", false, "play only the floor rows")
	nPlays := flag.Int("plays", 21, "how many plays the server's sampled forecast plays")
	budget := flag.Int("budget", 21*50, "bound the tickets the server's plays play through in all (0: no bound; the engine's playsBudget)")
	pick := flag.String("rows", "", "play only the rows whose name matches this regular expression (and the floor)")
	flag.Parse()
	d := sim.ReferenceDay()
	if *dayPath != "" {
		var err error
		if d, err = sim.LoadDay(*dayPath); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
	// The server's weight is 0.02 (queue.UpdateServiceTime).
	server := knows{longRun: true, expectedRemaining: true, restDist: true, restQ: 0.5, learnedPriority: true, apptShows: apptLearned,
		plays: *nPlays, playsBudget: *budget}
	heavier := server
	heavier.ewma, heavier.longRun = 0.05, false
	noPlan := server
	noPlan.noPlan = true
	warm := server
	warm.warmDays = 5
	lastHour := warm
	lastHour.lastHour = true
	moving := warm
	moving.longRun, moving.ewma = false, 0.02
	before := moving
	before.lastHour, before.restDist, before.plays = true, false, 0
	warmOne := warm
	warmOne.plays = 0
	oldRest := warmOne
	oldRest.restDist = false
	warmRest := warmOne
	warmRest.restQ = 0
	warmPlays := warm
	warmPlays.playsBudget = 0
	rows := []struct {
		name string
		k    knows
	}{
		{"floor: true means, exact remaining, true priority rate", knows{apptShows: apptTrue}},
		{"true means, expected remaining", knows{expectedRemaining: true, apptShows: apptTrue}},
		{"true means, log-normal expected rest", knows{expectedRemaining: true, restDist: true, apptShows: apptTrue}},
		{"true means, log-normal median rest", knows{expectedRemaining: true, restDist: true, restQ: 0.5, apptShows: apptTrue}},
		{"true means, expected remaining, last hour's priority rate", knows{expectedRemaining: true, learnedPriority: true, apptShows: apptTrue}},
		{"true means, expected remaining, learned priority by hour", knows{expectedRemaining: true, learnedPriority: true, warmDays: 5, apptShows: apptTrue}},
		{"the server's (learned means; schedules)", server},
		{"… the moving mean alone, EWMA 0.05", heavier},
		{"… without the counters' schedules", noPlan},
		{"… with 5 earlier days learned", warm},
		{"… warm, priority at the last hour's rate", lastHour},
		{"… warm, service times by the moving mean alone (EWMA 0.02)", moving},
		{"… warm, both (the server before issue 17)", before},
		{"… warm, one play of the means (median rests)", warmOne},
		{"… warm, one play, rests max(mean − elapsed, mean/4)", oldRest},
		{"… warm, one play, log-normal expected rests", warmRest},
		{"true means, rests drawn, median of 21 plays", knows{expectedRemaining: true, plays: 21, apptShows: apptTrue}},
		{"… warm, the plays on any queue (no budget)", warmPlays},
		{"true distributions, rests drawn, median of 21 plays", knows{expectedRemaining: true, plays: 21, playsTrue: true, apptShows: apptTrue}},
		{"true distributions, exact rests, median of 21 plays", knows{plays: 21, playsTrue: true, apptShows: apptTrue}},
	}
	if *plays > 0 {
		rows = slices.Insert(rows, 1, struct {
			name string
			k    knows
		}{fmt.Sprintf("median of %d plays from the true distributions", *plays), knows{monteCarlo: *plays}})
	}
	if *only {
		rows = rows[:1+min(*plays, 1)]
	} else if d.Booked() {
		before := warm
		before.apptShows = apptAll
		rows = append(rows, struct {
			name string
			k    knows
		}{"… warm, expecting every booked citizen to come", before})
	}
	if *pick != "" {
		re, err := regexp.Compile(*pick)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		rows = slices.DeleteFunc(rows, func(r struct {
			name string
			k    knows
		}) bool {
			return !strings.HasPrefix(r.name, "floor") && !re.MatchString(r.name)
		})
	}
	fmt.Printf("the day's work is %.0f%% of its counters' hours\n", 100*d.Load())
	fmt.Printf("all tickets called by the hard stop, means over seeds %d–%d of each seed's figure, minutes:\n", *first, *seeds)
	for _, row := range rows {
		var m, walkIns, appts sim.Means
		for s := *first; s <= *seeds; s++ {
			rs := play(d, uint64(s), row.k)
			m.Add(sim.Compute(samples(rs)))
			if d.Booked() {
				walkIns.Add(sim.Compute(samplesOf(rs, func(r result) bool { return !r.appt })))
				appts.Add(sim.Compute(samplesOf(rs, func(r result) bool { return r.appt })))
			}
		}
		f, n, under := m.Mean()
		fmt.Printf("  %-56s median %4.2f  p90 %5.2f  within ±5 %3.0f%%  bias %+5.2f  mean wait %4.1f  seeds under %.0f min %d/%d\n", row.name,
			f.MedianAbsErr/60, f.P90AbsErr/60, 100*f.Within, f.Bias/60, f.MeanWait/60, sim.Goal.Minutes(), under, n)
		if d.Booked() {
			for _, part := range []struct {
				name string
				m    *sim.Means
			}{{"walk-ins", &walkIns}, {"appointments", &appts}} {
				f, _, _ := part.m.Mean()
				fmt.Printf("    %-54s median %4.2f  p90 %5.2f  within ±5 %3.0f%%  bias %+5.2f  mean wait %4.1f\n", part.name,
					f.MedianAbsErr/60, f.P90AbsErr/60, 100*f.Within, f.Bias/60, f.MeanWait/60)
			}
		}
	}
}
