package sim

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"sort"
	"strconv"
	"time"

	"github.com/seira-queue/seira/queue"
)

//go:embed reference-day.json
var referenceDay []byte

// Day is a day of an office to play, in the form of the design's
// reference-day.json.
type Day struct {
	About    string    `json:"about,omitempty"`
	Branch   string    `json:"branch"`
	TimeZone string    `json:"time_zone"`
	Open     TimeOfDay `json:"open"`
	Close    TimeOfDay `json:"close"`
	// ArrivalsPerHour is the mean number of arrivals in each hour of the
	// clock ("09" is 09:00–10:00), a Poisson process within the hour.
	ArrivalsPerHour map[string]float64 `json:"arrivals_per_hour"`
	Services        []DayService       `json:"services"`
	Counters        []DayCounter       `json:"counters"`
	NoShowRate      float64            `json:"no_show_rate"`
	PriorityRate    float64            `json:"priority_rate"`
	WalkToCounterS  float64            `json:"walk_to_counter_s"`
	// Appointments is how the booked citizens keep their appointments;
	// needed when a service has a booked_share. A day without it (and
	// without booked shares) plays as it did before appointments.
	Appointments *DayAppointments `json:"appointments,omitempty"`
}

// DayAppointments is how the day's booked citizens come.
//
//	"appointments": {
//	  "punctuality": {"mean_min": -5, "sd_min": 6, "min_min": -25, "max_min": 20},
//	  "no_show_rate": 0.1
//	}
//
// Punctuality is the arrival at the kiosk relative to the slot's start, in
// minutes (negative: early), a normal draw clipped to [min_min, max_min].
// NoShowRate is the share of the booked citizens who never come (their
// appointment stays booked); the day's no_show_rate is apart: it is the
// share of those who took a ticket and are not there when called.
type DayAppointments struct {
	Punctuality Punctuality `json:"punctuality"`
	NoShowRate  float64     `json:"no_show_rate"`
}

// Punctuality is a normal distribution of minutes early (−) or late (+),
// clipped to [MinMin, MaxMin].
type Punctuality struct {
	MeanMin float64 `json:"mean_min"`
	SDMin   float64 `json:"sd_min"`
	MinMin  float64 `json:"min_min"`
	MaxMin  float64 `json:"max_min"`
}

// Draw returns the minutes early or late for the standard normal z.
func (p Punctuality) Draw(z float64) float64 {
	return min(max(p.MeanMin+p.SDMin*z, p.MinMin), p.MaxMin)
}

// maxPunctualityMin bounds punctuality's minutes either way.
const maxPunctualityMin = 240

// DefaultSlotMin is a booked service's slot length when the day gives none.
const DefaultSlotMin = 15

// DayService is a service of the day and how long it takes.
type DayService struct {
	ID     string            `json:"id"`
	Prefix string            `json:"prefix"`
	Name   map[string]string `json:"name"`
	// Share is the fraction of arrivals that come for this service.
	Share float64 `json:"share"`
	// ServiceMinMean is the mean service time in minutes; ServiceSigma the
	// standard deviation of its logarithm (service times are log-normal).
	ServiceMinMean float64 `json:"service_min_mean"`
	ServiceSigma   float64 `json:"service_sigma"`
	// BookedShare is the share (0 to 1) of this service's citizens who
	// come with an appointment, booked in the slot of SlotMin minutes
	// (default DefaultSlotMin; it must divide a day) nearest the time
	// they would have come. The others walk in.
	BookedShare float64 `json:"booked_share,omitempty"`
	SlotMin     int     `json:"slot_min,omitempty"`
}

// Slot is the service's slot length.
func (s DayService) Slot() time.Duration {
	if s.SlotMin <= 0 {
		return DefaultSlotMin * time.Minute
	}
	return time.Duration(s.SlotMin) * time.Minute
}

// Booked reports whether the day books some of its citizens.
func (d Day) Booked() bool {
	for _, s := range d.Services {
		if s.BookedShare > 0 {
			return true
		}
	}
	return false
}

// DayCounter is a counter, the services it serves in preference order,
// when it opens (the day's opening if zero) and its pauses.
type DayCounter struct {
	ID     string     `json:"id"`
	Serves []string   `json:"serves"`
	Opens  *TimeOfDay `json:"opens,omitempty"`
	Pauses []Pause    `json:"pauses,omitempty"`
}

// Pause takes a counter away from At for Minutes.
type Pause struct {
	At      TimeOfDay `json:"at"`
	Minutes float64   `json:"minutes"`
}

// TimeOfDay is a wall-clock time of the day, "HH:MM" in JSON, as the time
// since midnight.
type TimeOfDay time.Duration

// ParseTimeOfDay parses "HH:MM".
func ParseTimeOfDay(s string) (TimeOfDay, error) {
	bad := fmt.Errorf("time %q: want HH:MM (00:00 to 23:59)", s)
	if len(s) != 5 || s[2] != ':' {
		return 0, bad
	}
	h, err1 := strconv.Atoi(s[:2])
	m, err2 := strconv.Atoi(s[3:])
	if err1 != nil || err2 != nil || h < 0 || h > 23 || m < 0 || m > 59 {
		return 0, bad
	}
	return TimeOfDay(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute), nil
}

func (t TimeOfDay) String() string {
	d := time.Duration(t)
	return fmt.Sprintf("%02d:%02d", int(d/time.Hour), int(d%time.Hour/time.Minute))
}

// MarshalJSON writes "HH:MM".
func (t TimeOfDay) MarshalJSON() ([]byte, error) { return json.Marshal(t.String()) }

// UnmarshalJSON reads "HH:MM".
func (t *TimeOfDay) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("time %s: want a string HH:MM", b)
	}
	v, err := ParseTimeOfDay(s)
	if err != nil {
		return err
	}
	*t = v
	return nil
}

// ReferenceDay returns the design's reference day, embedded in the binary.
func ReferenceDay() Day {
	d, err := ParseDay(bytes.NewReader(referenceDay))
	if err != nil {
		panic("sim: the embedded reference day is invalid: " + err.Error())
	}
	return d
}

// LoadDay reads and validates a day file.
func LoadDay(path string) (Day, error) {
	f, err := os.Open(path)
	if err != nil {
		return Day{}, fmt.Errorf("day file: %w", err)
	}
	defer f.Close()
	d, err := ParseDay(f)
	if err != nil {
		return Day{}, fmt.Errorf("%s: %w", path, err)
	}
	return d, nil
}

// ParseDay decodes a day and validates it. Unknown fields are errors: a
// misspelt field would otherwise silently play a different day.
func ParseDay(r io.Reader) (Day, error) {
	var d Day
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&d); err != nil {
		return Day{}, fmt.Errorf("day: bad JSON: %w", err)
	}
	if dec.More() {
		return Day{}, errors.New("day: bad JSON: more than one object")
	}
	if err := d.Validate(); err != nil {
		return Day{}, err
	}
	return d, nil
}

// shareTolerance is how far the services' shares may sum from 1.
const shareTolerance = 0.01

// Validate reports every problem of the day, joined.
func (d Day) Validate() error {
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf("day: "+format, a...)) }
	if d.Branch == "" {
		bad("branch is missing")
	}
	if _, err := time.LoadLocation(d.tz()); err != nil {
		bad("time_zone %q: unknown", d.TimeZone)
	}
	if d.Close <= d.Open {
		bad("close %s is not after open %s", d.Close, d.Open)
	}
	arrivals := 0.0
	for h, n := range d.ArrivalsPerHour {
		start, err := hourStart(h)
		switch {
		case err != nil:
			bad("arrivals_per_hour: %v", err)
		case n < 0 || math.IsNaN(n) || math.IsInf(n, 0):
			bad("arrivals_per_hour %q: %v is not a rate", h, n)
		case n > 0 && (start+TimeOfDay(time.Hour) <= d.Open || start >= d.Close):
			bad("arrivals_per_hour %q: the hour is outside the opening hours %s–%s", h, d.Open, d.Close)
		}
		arrivals += n
	}
	if arrivals == 0 {
		bad("arrivals_per_hour: nobody arrives")
	}
	if !rate(d.NoShowRate) {
		bad("no_show_rate %v: want 0 to 1", d.NoShowRate)
	}
	if !rate(d.PriorityRate) {
		bad("priority_rate %v: want 0 to 1", d.PriorityRate)
	}
	if d.WalkToCounterS < 0 || d.WalkToCounterS > 3600 {
		bad("walk_to_counter_s %v: want 0 to 3600", d.WalkToCounterS)
	}
	if len(d.Services) == 0 {
		bad("no services")
	}
	services := map[string]bool{}
	shares := 0.0
	for i, s := range d.Services {
		name := s.ID
		if name == "" {
			name = fmt.Sprintf("#%d", i+1)
			bad("service %s: id is missing", name)
		}
		if services[s.ID] {
			bad("service %s: listed twice", name)
		}
		services[s.ID] = true
		if s.Share <= 0 || s.Share > 1 {
			bad("service %s: share %v: want more than 0, at most 1", name, s.Share)
		}
		shares += s.Share
		if !(s.ServiceMinMean > 0 && s.ServiceMinMean <= 600) {
			bad("service %s: service_min_mean %v: want more than 0 minutes, at most 600", name, s.ServiceMinMean)
		}
		if !(s.ServiceSigma >= 0 && s.ServiceSigma <= 3) {
			bad("service %s: service_sigma %v: want 0 to 3", name, s.ServiceSigma)
		}
		if !rate(s.BookedShare) {
			bad("service %s: booked_share %v: want 0 to 1", name, s.BookedShare)
		}
		switch {
		case s.SlotMin < 0 || s.SlotMin > 240 || s.SlotMin != 0 && s.SlotMin < 5:
			bad("service %s: slot_min %d: want 5 to 240 minutes", name, s.SlotMin)
		case s.SlotMin != 0 && 24*60%s.SlotMin != 0:
			bad("service %s: slot_min %d: want a length that divides a day (5, 10, 15, 20, 30, 60 …)", name, s.SlotMin)
		case s.SlotMin != 0 && s.BookedShare == 0:
			bad("service %s: slot_min without booked_share: nobody books it", name)
		case s.BookedShare > 0 && s.Slot() > time.Duration(d.Close-d.Open):
			bad("service %s: slot_min %d is longer than the opening hours", name, s.SlotMin)
		}
	}
	if len(d.Services) > 0 && math.Abs(shares-1) > shareTolerance {
		bad("the services' shares sum to %.3f, not 1", shares)
	}
	if len(d.Counters) == 0 {
		bad("no counters")
	}
	counters := map[string]bool{}
	served := map[string]bool{}
	for i, c := range d.Counters {
		name := c.ID
		if name == "" {
			name = fmt.Sprintf("#%d", i+1)
			bad("counter %s: id is missing", name)
		}
		if counters[c.ID] {
			bad("counter %s: listed twice", name)
		}
		counters[c.ID] = true
		if len(c.Serves) == 0 {
			bad("counter %s serves no service", name)
		}
		for j, s := range c.Serves {
			switch {
			case !services[s]:
				bad("counter %s serves unknown service %q", name, s)
			case slices.Index(c.Serves, s) != j:
				bad("counter %s lists service %s twice", name, s)
			}
			served[s] = true
		}
		opens := d.opens(c)
		if opens < d.Open || opens >= d.Close {
			bad("counter %s opens at %s, outside the opening hours %s–%s", name, opens, d.Open, d.Close)
		}
		for _, p := range c.Pauses {
			if p.At < opens || p.At >= d.Close {
				bad("counter %s: pause at %s is outside its hours %s–%s", name, p.At, opens, d.Close)
			}
			if !(p.Minutes > 0 && p.Minutes <= 600) {
				bad("counter %s: pause at %s: minutes %v: want more than 0", name, p.At, p.Minutes)
			}
		}
	}
	for _, s := range d.Services {
		if s.ID != "" && !served[s.ID] {
			bad("service %s: no counter serves it", s.ID)
		}
	}
	if a := d.Appointments; a != nil {
		pu := a.Punctuality
		finite := func(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }
		if !rate(a.NoShowRate) {
			bad("appointments: no_show_rate %v: want 0 to 1", a.NoShowRate)
		}
		if !(finite(pu.MeanMin) && math.Abs(pu.MeanMin) <= maxPunctualityMin) {
			bad("appointments: punctuality: mean_min %v: want −%d to %d minutes", pu.MeanMin, maxPunctualityMin, maxPunctualityMin)
		}
		if !(pu.SDMin >= 0 && pu.SDMin <= maxPunctualityMin) {
			bad("appointments: punctuality: sd_min %v: want 0 to %d minutes", pu.SDMin, maxPunctualityMin)
		}
		switch {
		case !(finite(pu.MinMin) && finite(pu.MaxMin) && math.Abs(pu.MinMin) <= maxPunctualityMin && math.Abs(pu.MaxMin) <= maxPunctualityMin):
			bad("appointments: punctuality: min_min %v, max_min %v: want −%d to %d minutes", pu.MinMin, pu.MaxMin, maxPunctualityMin, maxPunctualityMin)
		case pu.MinMin > pu.MaxMin:
			bad("appointments: punctuality: min_min %v is above max_min %v", pu.MinMin, pu.MaxMin)
		case !(pu.MinMin <= pu.MeanMin && pu.MeanMin <= pu.MaxMin):
			bad("appointments: punctuality: mean_min %v is outside min_min %v to max_min %v", pu.MeanMin, pu.MinMin, pu.MaxMin)
		}
		if !d.Booked() {
			bad("appointments: no service has a booked_share")
		}
	} else if d.Booked() {
		bad("appointments is missing: a service has a booked_share, so say how its citizens keep their appointments")
	}
	sort.Slice(errs, func(i, j int) bool { return errs[i].Error() < errs[j].Error() }) // map order
	return errors.Join(errs...)
}

func rate(r float64) bool { return r >= 0 && r <= 1 }

// hourStart parses an arrivals key "HH".
func hourStart(h string) (TimeOfDay, error) {
	if len(h) != 2 || h[0] < '0' || h[0] > '9' || h[1] < '0' || h[1] > '9' {
		return 0, fmt.Errorf("hour %q: want 00 to 23", h)
	}
	n, _ := strconv.Atoi(h)
	if n > 23 {
		return 0, fmt.Errorf("hour %q: want 00 to 23", h)
	}
	return TimeOfDay(time.Duration(n) * time.Hour), nil
}

func (d Day) tz() string {
	if d.TimeZone == "" {
		return "Europe/Athens"
	}
	return d.TimeZone
}

// Location returns the day's time zone.
func (d Day) Location() (*time.Location, error) { return time.LoadLocation(d.tz()) }

// opens is when counter c opens.
func (d Day) opens(c DayCounter) TimeOfDay {
	if c.Opens == nil {
		return d.Open
	}
	return *c.Opens
}

// service returns the day's service id.
// defaultServiceS is the service's mean time as the server's default
// service time, within the bounds the server takes.
func (s DayService) defaultServiceS() int {
	return min(max(int(math.Round(s.ServiceMinMean*60)), queue.MinDefaultServiceS), queue.MaxDefaultServiceS)
}

func (d Day) service(id string) (DayService, bool) {
	for _, s := range d.Services {
		if s.ID == id {
			return s, true
		}
	}
	return DayService{}, false
}

// MeanHold is how long a ticket of service s holds its counter on
// average: the walk and the service, or the wait for a no-show.
func (d Day) MeanHold(s DayService) time.Duration {
	service := time.Duration(d.WalkToCounterS*float64(time.Second)) + time.Duration(s.ServiceMinMean*float64(time.Minute))
	return time.Duration((1-d.NoShowRate)*float64(service) + d.NoShowRate*float64(NoShowWait))
}

// Load is the day's expected work over its counters' time: the arrivals
// (less the booked citizens who never come) times the mean time a ticket holds a counter (MeanHold), over each
// counter's hours from its opening to the closing less its pauses. Above 1 the day cannot be served in its
// opening hours: the queue grows from the morning and clerks stay on.
func (d Day) Load() float64 {
	var shares float64
	var hold time.Duration // the mean, weighted by share
	apptNoShow := 0.0
	if d.Appointments != nil {
		apptNoShow = d.Appointments.NoShowRate
	}
	for _, s := range d.Services {
		// Booked citizens who never come bring no work.
		hold += time.Duration(s.Share * (1 - s.BookedShare*apptNoShow) * float64(d.MeanHold(s)))
		shares += s.Share
	}
	if shares <= 0 {
		return 0
	}
	hold = time.Duration(float64(hold) / shares)
	var arrivals float64
	for h, n := range d.ArrivalsPerHour {
		start, err := hourStart(h)
		if err != nil {
			continue
		}
		from, to := max(start, d.Open), min(start+TimeOfDay(time.Hour), d.Close)
		if to > from {
			arrivals += n * time.Duration(to-from).Hours()
		}
	}
	var staffed time.Duration
	for _, c := range d.Counters {
		staffed += time.Duration(d.Close - d.opens(c))
		for _, p := range c.Pauses {
			staffed -= time.Duration(p.Minutes * float64(time.Minute))
		}
	}
	if staffed <= 0 {
		return math.Inf(1)
	}
	return arrivals * float64(hold) / float64(staffed)
}
