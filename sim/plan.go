package sim

import (
	"math"
	"math/rand/v2"
	"sort"
	"time"
)

// Citizen is one planned arrival: when, for what, and how the visit goes.
// Everything is drawn up front from the seed, so the same seed plays the
// same citizens whatever the order in which the actors run.
type Citizen struct {
	// At is the arrival time since the day's opening.
	At       time.Duration
	Service  string
	Priority bool
	NoShow   bool
	// ServiceTime is the time at the counter once the citizen is there
	// (after the walk).
	ServiceTime time.Duration

	// Booked: the citizen comes with an appointment in the slot of their
	// service starting at Slot (since the day's opening), and checks it in
	// at At, the slot's start plus the punctuality draw (clipped to the
	// opening hours). ApptNoShow: booked but never comes.
	Booked     bool
	Slot       time.Duration
	ApptNoShow bool
}

// Plan draws the day's citizens in arrival order: a Poisson process at
// each hour's rate (within the opening hours), a service by share,
// priority and no-show by their rates, and a log-normal service time.
func Plan(d Day, seed uint64) []Citizen {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	hours := make([]string, 0, len(d.ArrivalsPerHour))
	for h := range d.ArrivalsPerHour {
		hours = append(hours, h)
	}
	sort.Strings(hours) // map order must not change the draws
	total := 0.0
	for _, s := range d.Services {
		total += s.Share
	}
	var out []Citizen
	for _, h := range hours {
		perHour := d.ArrivalsPerHour[h]
		start, err := hourStart(h)
		if err != nil || perHour <= 0 {
			continue
		}
		from := max(start, d.Open)
		to := min(start+TimeOfDay(time.Hour), d.Close)
		perSecond := perHour / 3600
		// Exponential gaps; the process is memoryless, so each hour can
		// start afresh at its boundary.
		t := time.Duration(from).Seconds()
		for {
			t += rng.ExpFloat64() / perSecond
			if t >= time.Duration(to).Seconds() {
				break
			}
			c := Citizen{At: time.Duration(t*float64(time.Second)) - time.Duration(d.Open)}
			svc := pickService(d.Services, total, rng.Float64())
			c.Service = svc.ID
			c.Priority = rng.Float64() < d.PriorityRate
			c.NoShow = rng.Float64() < d.NoShowRate
			c.ServiceTime = LogNormal(svc.ServiceMinMean*60, svc.ServiceSigma, rng.NormFloat64())
			out = append(out, c)
		}
	}
	if d.Booked() {
		book(d, out, seed)
		sort.SliceStable(out, func(i, j int) bool { return out[i].At < out[j].At })
	}
	return out
}

// book draws which citizens come with an appointment, their slot (the one
// of their service starting nearest the time they would have come), when
// they arrive for it and whether they come at all. Its draws are from a
// stream of their own, so that the walk-ins' draws are the same as on a
// day without appointments.
func book(d Day, cits []Citizen, seed uint64) {
	rng := rand.New(rand.NewPCG(seed^0x5851f42d4c957f2d, seed+0x14057b7ef767814f))
	var pu Punctuality
	var noShow float64
	if d.Appointments != nil {
		pu, noShow = d.Appointments.Punctuality, d.Appointments.NoShowRate
	}
	open, closing := time.Duration(d.Open), time.Duration(d.Close)
	for i := range cits {
		c := &cits[i]
		svc, _ := d.service(c.Service)
		// Every citizen takes the same draws, so that one service's share
		// does not move another's.
		u, z, v := rng.Float64(), rng.NormFloat64(), rng.Float64()
		if u >= svc.BookedShare {
			continue
		}
		slot := svc.Slot()
		first := (open + slot - 1) / slot * slot // the first slot start in the hours
		last := (closing - slot) / slot * slot
		if last < first {
			continue // Validate keeps a slot within the hours
		}
		start := min(max((open+c.At+slot/2)/slot*slot, first), last)
		c.Booked = true
		c.Slot = start - open
		c.ApptNoShow = v < noShow
		late := time.Duration(pu.Draw(z) * float64(time.Minute)).Round(time.Second)
		c.At = min(max(c.Slot+late, 0), closing-open-time.Second)
	}
}

// pickService returns the service whose cumulative share interval holds
// u·total.
func pickService(services []DayService, total, u float64) DayService {
	x := u * total
	for _, s := range services {
		if x < s.Share {
			return s
		}
		x -= s.Share
	}
	return services[len(services)-1]
}

// LogNormal returns the log-normal service time with the given mean (in
// seconds) and sigma of the log, for a standard normal draw z. The mean of a
// log-normal is exp(mu + sigma²/2), so mu = ln(mean) - sigma²/2.
func LogNormal(meanS, sigma, z float64) time.Duration {
	mu := math.Log(meanS) - sigma*sigma/2
	s := math.Exp(mu + sigma*z)
	return time.Duration(s * float64(time.Second)).Round(time.Millisecond)
}
