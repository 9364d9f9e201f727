package sim

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
	"unicode/utf8"
)

// Ticket is what the simulator learnt of one ticket it issued.
type Ticket struct {
	Number   string
	Service  string
	Priority string
	IssuedAt time.Time
	// EstimateS is estimated_wait_s of the answer that issued the ticket,
	// and AfterClosing its after_closing: that answer warned the citizen
	// that the counters close before their turn.
	EstimateS    int
	AfterClosing bool
	// NoEstimate: the answer had none (estimated_wait_s null), as no
	// counter serving the service was open or paused; EstimateS is 0.
	NoEstimate bool
	// State is the last state known: done, no_show, waiting, cancelled…
	State string
	// CalledAt is zero for a ticket never called.
	CalledAt time.Time
	Counter  string
	// Planned is the arrival time the kiosk aimed at.
	Planned time.Time
	// Source is the ticket's: walk_in, or appointment for a check-in in
	// its window. Booked: the citizen came with an appointment (a late one
	// taken as a walk-in ticket too, LateWalkIn) for the slot starting at
	// SlotStart. For a check-in, IssuedAt and EstimateS are the check-in's.
	Source     string
	Booked     bool
	LateWalkIn bool
	SlotStart  time.Time

	token   string
	citizen Citizen
}

// Called reports whether the ticket was called (no-shows were).
func (t Ticket) Called() bool { return !t.CalledAt.IsZero() }

// RealWait is the time from issue to call.
func (t Ticket) RealWait() time.Duration { return t.CalledAt.Sub(t.IssuedAt) }

// Row is the figures of one group of tickets: a service, the priority
// tickets, or all.
type Row struct {
	Name string
	Figures
}

// Summarize returns a row per service (in the order given), one for the
// priority tickets (when there are any) and one for all: the figures of the
// called tickets that were given an estimate.
func Summarize(tickets []Ticket, services []string) []Row {
	by := map[string][]Sample{}
	var prio, all []Sample
	for _, t := range tickets {
		if !t.Called() || t.NoEstimate {
			continue
		}
		s := Sample{EstimateS: float64(t.EstimateS), RealS: t.RealWait().Seconds()}
		by[t.Service] = append(by[t.Service], s)
		all = append(all, s)
		if t.Priority != "" && t.Priority != "none" {
			prio = append(prio, s)
		}
	}
	rows := make([]Row, 0, len(services)+2)
	for _, svc := range services {
		rows = append(rows, Row{Name: svc, Figures: Compute(by[svc])})
	}
	if len(prio) > 0 {
		rows = append(rows, Row{Name: "(priority)", Figures: Compute(prio)})
	}
	return append(rows, Row{Name: "all", Figures: Compute(all)})
}

// Appointment reports whether the ticket is an appointment's (checked in
// within its window).
func (t Ticket) Appointment() bool { return t.Source == "appointment" }

// Split is the day's walk-ins and appointments apart: the estimate's
// figures of each (for an appointment ticket, the estimate given at
// check-in against the time from check-in to call), and how long after
// their slot's start the appointments were called.
type Split struct {
	// Booked citizens were planned, ApptNoShows of them never came;
	// CheckedIn tickets are appointments', LateWalkIns were booked
	// citizens who came too late and took the walk-in ticket offered.
	Booked, ApptNoShows, CheckedIn, LateWalkIns int
	WalkIns, Appointments                       Figures
	// FromSlot is the minutes (as seconds) from the slot's start to the
	// call, over the called appointment tickets: negative when called
	// before the slot began.
	FromSlot Spread
}

// Spread is the median and 90th percentile of a set of seconds.
type Spread struct {
	N        int
	P50, P90 float64
}

// SplitOf returns the walk-ins' and appointments' figures of tickets.
func SplitOf(tickets []Ticket, plan []Citizen) Split {
	var sp Split
	for _, c := range plan {
		if c.Booked {
			sp.Booked++
			if c.ApptNoShow {
				sp.ApptNoShows++
			}
		}
	}
	var walk, appt []Sample
	var from []float64
	for _, t := range tickets {
		if t.Appointment() {
			sp.CheckedIn++
		}
		if t.LateWalkIn {
			sp.LateWalkIns++
		}
		if !t.Called() {
			continue
		}
		if t.Appointment() && !t.SlotStart.IsZero() {
			from = append(from, t.CalledAt.Sub(t.SlotStart).Seconds())
		}
		if t.NoEstimate {
			continue
		}
		s := Sample{EstimateS: float64(t.EstimateS), RealS: t.RealWait().Seconds()}
		if t.Appointment() {
			appt = append(appt, s)
		} else {
			walk = append(walk, s)
		}
	}
	sp.WalkIns, sp.Appointments = Compute(walk), Compute(appt)
	sp.FromSlot = Spread{N: len(from), P50: Quantile(from, 0.5), P90: Quantile(from, 0.9)}
	return sp
}

// Unserved is what the estimates told the tickets left waiting (or
// expired) when the clerks stopped, whose real wait is unknown but at least
// the time from issue to the end; the error figures leave them out, so this
// says whether the estimates warned them.
type Unserved struct {
	// Count tickets were never called (cancelled ones aside).
	Count int
	// Warned of them were told at issue that the counters close first;
	// FalseAlarms called tickets were told so too.
	Warned, FalseAlarms int
	// Short of them had an estimate under the time they then waited
	// uncalled; ShortByMedian is the median of that shortfall, a lower
	// bound on their error (seconds).
	Short         int
	ShortByMedian float64
}

// UnservedOf sums up the never-called tickets of a day that ended at end.
func UnservedOf(tickets []Ticket, end time.Time) Unserved {
	var u Unserved
	var short []float64
	for _, t := range tickets {
		switch {
		case t.Called():
			if t.AfterClosing {
				u.FalseAlarms++
			}
			continue
		case t.State != "waiting" && t.State != "expired":
			continue
		}
		u.Count++
		if t.AfterClosing {
			u.Warned++
		}
		if t.NoEstimate {
			continue
		}
		if waited := end.Sub(t.IssuedAt).Seconds(); float64(t.EstimateS) < waited {
			u.Short++
			short = append(short, waited-float64(t.EstimateS))
		}
	}
	u.ShortByMedian = Quantile(short, 0.5)
	return u
}

// sentence says what the estimates told the never-called tickets, in words
// that are true whatever the counts: a figure that does not exist (the
// shortfall's median when nobody fell short) is not printed.
func (u Unserved) sentence() string {
	var b strings.Builder
	fmt.Fprintf(&b, "never called (left out above): %d, of them %d told at issue that the counters close first", u.Count, u.Warned)
	switch {
	case u.Count == 0:
	case u.Short == 0:
		b.WriteString("; none had an estimate under the time they waited uncalled")
	default:
		fmt.Fprintf(&b, "; %d had an estimate under the time they waited uncalled, by at least %s min (median)", u.Short, minutes(u.ShortByMedian, false))
	}
	fmt.Fprintf(&b, "; called though told so: %d\n", u.FalseAlarms)
	return b.String()
}

// Lag is how far behind schedule the simulator's actions reached the
// server, in simulated seconds: the kiosk's by the ticket's issued_at, the
// clerks' by when they sent the request.
type Lag struct {
	N    int
	Mean float64
	P50  float64
	P90  float64
	P99  float64
	Max  float64
}

// LagOf returns the lag figures of xs (simulated seconds).
func LagOf(xs []float64) Lag {
	return Lag{N: len(xs), Mean: Mean(xs), P50: Quantile(xs, 0.5), P90: Quantile(xs, 0.9), P99: Quantile(xs, 0.99), Max: Quantile(xs, 1)}
}

// Report is the outcome of a run.
type Report struct {
	Branch   string
	TimeZone string
	// Opening and Closing are the day's, in server time.
	Opening, Closing time.Time
	// End is when the last clerk finished, in server time.
	End   time.Time
	Seed  uint64
	Speed float64
	// Warm is how many earlier days the in-process server learned from
	// before the day (Options.Warm).
	Warm int
	// Load is the day's (Day.Load): its work over its counters' time.
	Load float64
	// Wall is the run's real duration, setting up included.
	Wall time.Duration

	// Planned arrivals; Issued tickets; IssueFailed arrivals that got none.
	Planned, Issued, IssueFailed int
	// Called tickets (no-shows included: they were called).
	Called, NoShows int
	// The tickets never called, by their state at the end.
	StillWaiting, Cancelled, Expired, OtherState int
	// ServerWaiting is the sum of the services' waiting counts in the
	// branch's state at the end.
	ServerWaiting int
	// Foreign counts tickets the clerks called that the kiosk did not issue.
	Foreign int
	// NoEstimate counts tickets issued while no counter serving their
	// service was open or paused: they were told so, not given a figure.
	NoEstimate int

	Rows []Row
	// Split is walk-ins and appointments apart, on a day with appointments.
	Split *Split
	// Unserved is what the estimates told the tickets never called.
	Unserved Unserved
	Lag      Lag

	Requests int
	// Failures are the non-2xx answers (and, as status 0, requests without
	// an answer) by route.
	Failures []HTTPCount
	Tickets  []Ticket
}

// ServerErrors counts 5xx answers: each is a bug in seira.
func (r *Report) ServerErrors() int {
	n := 0
	for _, f := range r.Failures {
		if f.Status >= 500 {
			n += f.Count
		}
	}
	return n
}

func (p *player) report(plan []Citizen, end time.Time, final stateView) *Report {
	r := &Report{Branch: p.day.Branch, TimeZone: p.day.tz(), Opening: p.base, Closing: p.closing, End: end,
		Seed: p.opts.Seed, Speed: p.opts.Speed, Warm: p.opts.Warm, Load: p.day.Load(), Planned: len(plan)}
	for _, t := range p.ledger.all() {
		r.Tickets = append(r.Tickets, *t)
	}
	r.Issued = len(r.Tickets)
	for _, t := range r.Tickets {
		if t.NoEstimate {
			r.NoEstimate++
		}
		switch {
		case t.Called():
			r.Called++
			if t.State == "no_show" {
				r.NoShows++
			}
		case t.State == "waiting":
			r.StillWaiting++
		case t.State == "cancelled":
			r.Cancelled++
		case t.State == "expired":
			r.Expired++
		default:
			r.OtherState++
		}
	}
	for _, s := range final.Services {
		r.ServerWaiting += s.Waiting
	}
	services := make([]string, len(p.day.Services))
	for i, s := range p.day.Services {
		services[i] = s.ID
	}
	r.Rows = Summarize(r.Tickets, services)
	if p.day.Booked() {
		sp := SplitOf(r.Tickets, plan)
		r.Split = &sp
	}
	r.Unserved = UnservedOf(r.Tickets, r.End)
	p.mu.Lock()
	r.Lag = LagOf(p.lags)
	r.IssueFailed, r.Foreign = p.issueFailed, p.foreign
	p.mu.Unlock()
	r.Requests, r.Failures = p.tally.summary()
	return r
}

// WriteTable prints the report for people.
func (r *Report) WriteTable(w io.Writer) error {
	var b strings.Builder
	loc, err := time.LoadLocation(r.TimeZone)
	if err != nil {
		loc = time.UTC
	}
	fmt.Fprintf(&b, "seira sim: branch %s, %s %s–%s (%s), seed %d, speed %g×\n", r.Branch,
		r.Opening.In(loc).Format("Mon 2006-01-02"), r.Opening.In(loc).Format("15:04"), r.Closing.In(loc).Format("15:04"),
		r.TimeZone, r.Seed, r.Speed)
	if r.Warm > 0 {
		fmt.Fprintf(&b, "the server started warm: it had learned from %d earlier days of this office (their service times and priority arrivals)\n", r.Warm)
	}
	fmt.Fprintf(&b, "the day's work is %.0f%% of its counters' hours (above 100%%: more than they can serve by the closing)\n", 100*r.Load)
	fmt.Fprintf(&b, "tickets: planned %d, issued %d (failed %d), called %d (no-shows %d); never called: waiting %d, cancelled %d, expired %d, other %d\n",
		r.Planned, r.Issued, r.IssueFailed, r.Called, r.NoShows, r.StillWaiting, r.Cancelled, r.Expired, r.OtherState)
	fmt.Fprintf(&b, "server at the end: %d waiting; last counter closed at %s\n", r.ServerWaiting, r.End.In(loc).Format("15:04:05"))
	if r.Foreign > 0 {
		fmt.Fprintf(&b, "calls of tickets this run did not issue: %d (left out)\n", r.Foreign)
	}
	if r.NoEstimate > 0 {
		fmt.Fprintf(&b, "issued while no counter served their service, so told so instead of an estimate: %d (left out of the errors)\n", r.NoEstimate)
	}
	b.WriteString("\nestimated wait − real wait, called tickets, minutes:\n")
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', tabwriter.AlignRight)
	// Names padded to one width read left-aligned in right-aligned columns.
	width := len("service")
	for _, row := range r.Rows {
		width = max(width, utf8.RuneCountInString(row.Name))
	}
	fmt.Fprintf(tw, "%-*s\tcount\tmedian |err|\tp90 |err|\twithin ±5\tbias\tmean wait\t\n", width, "service")
	for _, row := range r.Rows {
		f := row.Figures
		fmt.Fprintf(tw, "%-*s\t%d\t%s\t%s\t%s\t%s\t%s\t\n", width, row.Name, f.Count, minutes(f.MedianAbsErr, false),
			minutes(f.P90AbsErr, false), percent(f.Within), minutes(f.Bias, true), minutes(f.MeanWait, false))
	}
	tw.Flush()
	b.WriteString("(median and p90 by linear interpolation between ranks; bias > 0: the estimate promised a longer wait)\n")
	if sp := r.Split; sp != nil {
		writeSplit(&b, *sp, width)
	}
	if u := r.Unserved; u.Count > 0 || u.FalseAlarms > 0 {
		b.WriteString(u.sentence())
	}
	fmt.Fprintf(&b, "\nlag behind schedule (simulated s, %d actions): mean %.1f, p90 %.1f, p99 %.1f, max %.1f\n",
		r.Lag.N, r.Lag.Mean, r.Lag.P90, r.Lag.P99, r.Lag.Max)
	errs4, none := 0, 0
	for _, f := range r.Failures {
		switch {
		case f.Status == 0:
			none += f.Count
		case f.Status < 500:
			errs4 += f.Count
		}
	}
	fmt.Fprintf(&b, "HTTP: %d requests, %d client errors (4xx), %d without an answer, %d server errors (5xx)\n",
		r.Requests, errs4, none, r.ServerErrors())
	for _, f := range r.Failures {
		status := strconv.Itoa(f.Status)
		if f.Status == 0 {
			status = "no answer"
		}
		fmt.Fprintf(&b, "  %-9s × %-5d %s\n", status, f.Count, f.Route)
	}
	if n := r.ServerErrors(); n > 0 {
		fmt.Fprintf(&b, "!!! %d SERVER ERRORS (5xx): each is a bug in seira — see the log above !!!\n", n)
	}
	fmt.Fprintf(&b, "wall time %s for %s simulated at %g×\n", r.Wall.Round(time.Millisecond),
		r.End.Sub(r.Opening).Round(time.Second), r.Speed)
	_, err = io.WriteString(w, b.String())
	return err
}

// writeSplit prints the walk-ins and the appointments apart.
func writeSplit(b *strings.Builder, sp Split, width int) {
	fmt.Fprintf(b, "\nappointments: booked %d, never came %d, checked in %d, came too late and took a walk-in ticket %d\n",
		sp.Booked, sp.ApptNoShows, sp.CheckedIn, sp.LateWalkIns)
	b.WriteString("walk-ins and appointments apart (appointments: the estimate at check-in against check-in to call), minutes:\n")
	tw := tabwriter.NewWriter(b, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "%-*s\tcount\tmedian |err|\tp90 |err|\twithin ±5\tbias\tmean wait\t\n", width, "tickets")
	for _, row := range []Row{{Name: "walk-ins", Figures: sp.WalkIns}, {Name: "appointments", Figures: sp.Appointments}} {
		f := row.Figures
		fmt.Fprintf(tw, "%-*s\t%d\t%s\t%s\t%s\t%s\t%s\t\n", width, row.Name, f.Count, minutes(f.MedianAbsErr, false),
			minutes(f.P90AbsErr, false), percent(f.Within), minutes(f.Bias, true), minutes(f.MeanWait, false))
	}
	tw.Flush()
	fmt.Fprintf(b, "walk-ins' mean wait %s min; appointments called after their slot's start (%d called): p50 %s min, p90 %s min\n",
		minutes(sp.WalkIns.MeanWait, false), sp.FromSlot.N, minutes(sp.FromSlot.P50, true), minutes(sp.FromSlot.P90, true))
}

func minutes(s float64, signed bool) string {
	if math.IsNaN(s) {
		return "–"
	}
	if signed {
		return fmt.Sprintf("%+.1f", s/60)
	}
	return fmt.Sprintf("%.1f", s/60)
}

func percent(x float64) string {
	if math.IsNaN(x) {
		return "–"
	}
	return fmt.Sprintf("%.0f%%", 100*x)
}

// csvHeader returns the header row of WriteCSV.
func csvHeader() []string {
	return []string{"number", "service", "priority", "issued_at", "estimate_s", "real_wait_s", "state", "counter", "after_closing", "source", "slot_start", "late_walk_in"}
}

// WriteCSV writes one row per issued ticket: number, service, priority,
// issued_at (RFC 3339), estimate_s (empty when there was none),
// real_wait_s (whole seconds; empty if
// never called), state, counter, after_closing (the issue answer warned
// that the counters close first), source (walk_in or appointment),
// slot_start (RFC 3339, for a booked citizen's ticket) and late_walk_in
// (a booked citizen too late for the check-in took a walk-in ticket). For
// a check-in, issued_at and estimate_s are the check-in's.
func (r *Report) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(csvHeader()); err != nil {
		return err
	}
	for _, t := range r.Tickets {
		wait := ""
		if t.Called() {
			wait = strconv.FormatInt(int64(t.RealWait().Round(time.Second)/time.Second), 10)
		}
		est := strconv.Itoa(t.EstimateS)
		if t.NoEstimate {
			est = ""
		}
		slot := ""
		if !t.SlotStart.IsZero() {
			slot = t.SlotStart.Format(time.RFC3339)
		}
		if err := cw.Write([]string{t.Number, t.Service, t.Priority, t.IssuedAt.Format(time.RFC3339),
			est, wait, t.State, t.Counter, strconv.FormatBool(t.AfterClosing), t.Source, slot, strconv.FormatBool(t.LateWalkIn)}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// Goal is the wait estimate's target: a median error under 3 minutes.
const Goal = 3 * time.Minute

// WriteSeedMeans writes, after the tables of several seeds' runs, the mean
// over them of each figure of their "all" rows, each seed's median, and
// on how many seeds the median meets Goal: one seed's figure is mostly
// chance.
func WriteSeedMeans(w io.Writer, reps []*Report) error {
	var m Means
	var medians []string
	for _, r := range reps {
		if len(r.Rows) == 0 || r.Rows[len(r.Rows)-1].Count == 0 {
			continue // nobody called: no figures
		}
		f := r.Rows[len(r.Rows)-1].Figures
		m.Add(f)
		medians = append(medians, fmt.Sprintf("%d: %.1f", r.Seed, f.MedianAbsErr/60))
	}
	mean, n, under := m.Mean()
	if n == 0 {
		_, err := fmt.Fprintf(w, "\nno seed called anybody: no means\n")
		return err
	}
	_, err := fmt.Fprintf(w, "\nmeans over %d seeds, all called tickets, minutes: median |err| %.1f, p90 |err| %.1f, within ±5 %.0f%%, bias %+.1f, mean wait %.1f\nmedian |err| by seed: %s; under %.0f minutes on %d of %d\n",
		n, mean.MedianAbsErr/60, mean.P90AbsErr/60, 100*mean.Within, mean.Bias/60, mean.MeanWait/60,
		strings.Join(medians, ", "), Goal.Minutes(), under, n)
	return err
}
