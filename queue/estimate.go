package queue

import (
	"cmp"
	"math"
	"slices"
	"time"
)

// Before reports whether waiting ticket a will be called before b by a counter
// that serves both: priority first, then the longer wait, then the number.
// (The cap on priority streaks and a counter's service order only reorder
// tickets briefly; the estimate ignores them.)
func Before(a, b Candidate) bool {
	if a.Priority != b.Priority {
		return a.Priority
	}
	return cmp.Or(
		cmp.Compare(a.IssuedAt, b.IssuedAt),
		cmp.Compare(a.Seq, b.Seq),
		cmp.Compare(a.ID, b.ID),
	) < 0
}

// Staffed reports whether a counter serving svc is open or paused now: a
// clerk is there, or back from a pause. Without one there is no honest
// estimate of the wait (a closed counter, or one only planned to open
// later, may never come), and the pages say that nobody serves the service
// right now rather than give a figure.
func Staffed(counters []Counter, svc string) bool {
	return slices.ContainsFunc(counters, func(c Counter) bool {
		return (c.Status == CounterOpen || c.Status == CounterPaused) && slices.Contains(c.Serves, svc)
	})
}

// ServingCounters returns the counters that will call tickets of service svc:
// the open ones, or, while none is open (before opening, say), every counter
// that is not closed and serves it, or failing that every counter serving it,
// so that an estimate exists before the first clerk signs in.
func ServingCounters(counters []Counter, svc string) []Counter {
	// Counters are big and this runs for every ticket issued: a first pass
	// finds the best class there is (open, else paused, else any), so that
	// only its counters are copied, once.
	best, n := -1, 0
	for i := range counters {
		c := &counters[i]
		if !slices.Contains(c.Serves, svc) {
			continue
		}
		switch k := servingClass(c.Status); {
		case k > best:
			best, n = k, 1
		case k == best:
			n++
		}
	}
	if n == 0 {
		return nil
	}
	out := make([]Counter, 0, n)
	for i := range counters {
		c := &counters[i]
		if slices.Contains(c.Serves, svc) && servingClass(c.Status) == best {
			out = append(out, *c)
		}
	}
	return out
}

// servingClass ranks a counter's status for ServingCounters.
func servingClass(s CounterStatus) int {
	switch s {
	case CounterOpen:
		return 2
	case CounterPaused:
		return 1
	}
	return 0
}

// Reach returns the set of services that the given counters serve: the
// queues that compete with a ticket for those counters.
func Reach(counters []Counter) map[string]bool {
	r := map[string]bool{}
	for _, c := range counters {
		for _, s := range c.Serves {
			r[s] = true
		}
	}
	return r
}

// Ahead counts, by service, the waiting tickets that the counters serving t's
// service will call before t. Position is the sum plus one.
func Ahead(t Candidate, waiting []Candidate, counters []Counter) map[string]int {
	reach := Reach(ServingCounters(counters, t.Service))
	ahead := map[string]int{}
	for _, w := range waiting {
		if w.ID != t.ID && reach[w.Service] && Before(w, t) {
			ahead[w.Service]++
		}
	}
	return ahead
}

// WaitInput is what the wait estimate depends on.
type WaitInput struct {
	// Ahead counts the waiting tickets called before this one, by service.
	Ahead map[string]int
	// ServiceTime is the expected time a ticket of each service takes at a
	// counter, from the call to the next call.
	ServiceTime func(service string) time.Duration
	// Counters is how many counters will serve the ticket.
	Counters int
	// Busy is the expected remaining work of the tickets now at those
	// counters.
	Busy time.Duration
}

// EstimateWait is the expected time until a waiting ticket is called: the
// work ahead of it (the tickets before it, each at its service's expected
// time, and what the counters are busy with) shared among the counters that
// will serve it.
func EstimateWait(in WaitInput) time.Duration {
	n := max(in.Counters, 1)
	work := in.Busy
	for svc, k := range in.Ahead {
		work += time.Duration(k) * in.ServiceTime(svc)
	}
	return work / time.Duration(n)
}

// Service times outside these bounds are mistakes (a forgotten "done", a
// double click) and would distort the moving estimate.
const (
	minServiceSample = 10 * time.Second
	maxServiceSample = 90 * time.Minute
	// A light weight: one service time says little (they vary by half and
	// more), and a forecast over dozens of tickets multiplies its error.
	// The estimate's own error is about cv·sqrt(w/2) of the mean (cv, the
	// services' coefficient of variation, is 0.5–0.7 at a ΚΕΠ), and a wait
	// is forecast as many services at that mean, so the error carries
	// whole into every long wait: 8–11 % at a weight of 0.05, 5–8 % at
	// 0.02, whose memory (about 1/w samples, a busy service's half day to
	// day) still follows a change of clerks or of cases within hours.
	ewmaWeight = 0.02
)

// priorWeight is how many samples the configured default counts for: the
// first few real ones move the estimate, none of them alone decides it.
const priorWeight = 3

// UpdateServiceTime folds one observed service time into the moving
// estimate prev, which n samples have made (prev is the service's
// configured default when n is 0). The first samples are averaged with the
// default as if it were priorWeight samples; once their weight falls below
// the moving average's, it is an exponentially weighted moving average.
// It returns the new estimate and sample count.
func UpdateServiceTime(prev time.Duration, n int, sample time.Duration) (time.Duration, int) {
	sample = min(max(sample, minServiceSample), maxServiceSample)
	w := max(1/float64(n+1+priorWeight), ewmaWeight)
	return time.Duration(float64(prev)*(1-w) + float64(sample)*w), n + 1
}

// DefaultPause is how long a pause is expected to last until pauses have
// been seen.
const DefaultPause = 15 * time.Minute

// UpdatePauseTime folds one pause's length into the moving mean (pauses
// over two hours are closures in all but name, and are left out).
func UpdatePauseTime(prev, sample time.Duration) time.Duration {
	if sample <= 0 || sample > 2*time.Hour {
		return prev
	}
	if prev <= 0 {
		return sample
	}
	return (prev*4 + sample) / 5
}

// arrivalMemory is the time constant of the arrival rate estimate: the
// last hour or so counts.
const arrivalMemory = time.Hour

// DecayRate returns an arrival rate estimated at last, as seen at now.
func DecayRate(perHour float64, last, now time.Time) float64 {
	if perHour <= 0 || now.Before(last) {
		return max(perHour, 0)
	}
	return perHour * math.Exp(-float64(now.Sub(last))/float64(arrivalMemory))
}

// AddArrival updates an exponentially decaying arrival rate (per hour) for
// one arrival at now: each arrival adds 1/τ, and the sum fades with time
// constant τ, so a steady stream of r per hour settles at r.
func AddArrival(perHour float64, last, now time.Time) float64 {
	return DecayRate(perHour, last, now) + float64(time.Hour)/float64(arrivalMemory)
}

// ShareCount is a share learned from counts of yes among all.
type ShareCount struct{ Yes, All float64 }

// shareMemory is how many arrivals a share remembers: a few weeks of a
// service's arrivals, so that it follows a change of season, not of hour.
const shareMemory = 2000

// Add counts one arrival (yes: it is one of the share's).
func (s ShareCount) Add(yes bool) ShareCount {
	if s.All >= shareMemory { // older arrivals fade
		f := (shareMemory - 1) / s.All
		s.Yes, s.All = s.Yes*f, s.All*f
	}
	s.All++
	if yes {
		s.Yes++
	}
	return s
}

// sharePrior is how many arrivals the branch's share counts for in a
// service's: a service's own count decides once it has many more.
const sharePrior = 20

// Share is s's share, drawn toward the branch-wide share of pooled (as
// sharePrior arrivals), so that a service's first few arrivals do not
// decide it alone.
func (s ShareCount) Share(pooled ShareCount) float64 {
	prior := 0.0
	if pooled.All > 0 {
		prior = pooled.Yes / pooled.All
	}
	return (s.Yes + sharePrior*prior) / (s.All + sharePrior)
}

// profileMemory is how many days an arrival profile remembers, about: a
// month of a service's days.
const profileMemory = 20

// ArrivalProfile learns a service's arrivals by hour of the day over the
// days before today: what a day's arrivals look like at this office, which
// one day's last hour does not say (the morning peak, the quiet
// afternoon).
type ArrivalProfile struct {
	// Day is the day of Today (days since 1970 in the branch's zone).
	Day int64
	// Days weighs the days before Day, each a fraction (1 − 1/profileMemory)
	// of the next; Past is their arrivals by hour, weighed the same.
	Days  float64
	Past  [24]float64
	Today [24]float64
}

// Add counts an arrival at hour of day (the branch's day number day).
func (p ArrivalProfile) Add(day int64, hour int) ArrivalProfile {
	if day != p.Day {
		if p.Day != 0 && day > p.Day {
			const keep = 1 - 1.0/profileMemory
			p.Days = p.Days*keep + 1
			for h := range p.Past {
				p.Past[h] = p.Past[h]*keep + p.Today[h]
			}
		}
		p.Day, p.Today = day, [24]float64{}
	}
	if hour >= 0 && hour < 24 {
		p.Today[hour]++
	}
	return p
}

// PerHour is the mean arrivals per hour at hour of day of the days before
// day, and whether there were any such days.
func (p ArrivalProfile) PerHour(day int64, hour int) (float64, bool) {
	days, past := p.Days, 0.0
	if hour >= 0 && hour < 24 {
		past = p.Past[hour]
	}
	if day > p.Day && p.Day != 0 { // Today is a day before too: as Add rolls it
		const keep = 1 - 1.0/profileMemory
		days = days*keep + 1
		if hour >= 0 && hour < 24 {
			past = past*keep + p.Today[hour]
		}
	}
	if days <= 0 {
		return 0, false
	}
	return past / days, true
}

// ExpectedArrivalsBy is ExpectedArrivals at a rate that changes with time:
// perHour(at) for each minute from now; the k-th arrival is expected where
// the expected count passes k − ½.
func ExpectedArrivalsBy(svc string, perHour func(time.Duration) float64, horizon time.Duration, base uint64) []Candidate {
	var out []Candidate
	acc, next := 0.0, 0.5
	for at := time.Duration(0); at < horizon; at += time.Minute {
		if acc += perHour(at) / 60; acc >= next {
			out = append(out, Candidate{ID: base + uint64(len(out)), Service: svc, Priority: true, IssuedAt: 1<<62 + int64(at), Arrive: at})
			next++
		}
	}
	return out
}

// ArrivalHistory is what a service's walk-in arrivals of the days before
// teach the forecast: the share of priority tickets among them and their
// profile by hour of the day.
type ArrivalHistory struct {
	Priority ShareCount
	Profile  ArrivalProfile
}

// Add counts one walk-in arrival at hour of day day (the branch's).
func (h ArrivalHistory) Add(priority bool, day int64, hour int) ArrivalHistory {
	h.Priority = h.Priority.Add(priority)
	h.Profile = h.Profile.Add(day, hour)
	return h
}

// DayHour returns the day of t in loc (days since 1970-01-01 there) and
// its hour, for an ArrivalProfile.
func DayHour(t time.Time, loc *time.Location) (int64, int) {
	t = t.In(loc)
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400, t.Hour()
}

// longMemory is how many samples the long-run mean of a service's time
// remembers: weeks of a busy service.
const longMemory = 1000

// ServiceEstimate is a service's learned time at a counter: the moving
// average of UpdateServiceTime (Recent, of N samples), which follows a
// change within hours but wanders by its own noise, and a long-run mean
// with the samples' variance, which wanders much less. Mean takes the
// long-run mean unless the moving average has left it by more than its
// own noise explains.
type ServiceEstimate struct {
	Recent time.Duration
	N      int
	Long   time.Duration
	// Var is the samples' long-run variance, in ns².
	Var float64
}

// NewServiceEstimate is the estimate before any sample: the default d.
func NewServiceEstimate(d time.Duration) ServiceEstimate {
	return ServiceEstimate{Recent: d, Long: d}
}

// Add folds one observed service time in.
func (e ServiceEstimate) Add(sample time.Duration) ServiceEstimate {
	sample = min(max(sample, minServiceSample), maxServiceSample)
	w := max(1/float64(e.N+1+priorWeight), 1.0/longMemory)
	d := float64(sample - e.Long)
	e.Long += time.Duration(w * d)
	e.Var = (1 - w) * (e.Var + w*d*d)
	e.Recent, e.N = UpdateServiceTime(e.Recent, e.N, sample)
	return e
}

// Mean is the expected service time: the long-run mean, or the moving
// average where it differs from it by more than two of its standard
// errors (cv·sqrt(w/(2−w)) of a steady stream's mean): the service has
// changed, and the recent samples tell how.
func (e ServiceEstimate) Mean() time.Duration {
	w := max(1/float64(e.N+priorWeight), ewmaWeight)
	se := math.Sqrt(e.Var * w / (2 - w))
	if math.Abs(float64(e.Recent-e.Long)) > 2*se {
		return e.Recent
	}
	return e.Long
}
