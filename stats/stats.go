// Package stats computes the statistics of a branch from the outcomes of
// its tickets (which the engine derives from the event log in the same
// transaction as each ticket's last event): counts, waiting and service
// times, and the share served within a target wait, grouped by service,
// counter, clerk, hour or day.
package stats

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/seira-queue/seira/queue"
	"github.com/seira-queue/seira/storage"
)

// By is how rows are grouped.
type By string

// Groupings.
const (
	ByService By = "service"
	ByCounter By = "counter"
	ByClerk   By = "clerk"
	ByHour    By = "hour"
	ByDay     By = "day"
	// BySource splits walk-ins from appointments.
	BySource By = "source"
)

// ParseBy checks a grouping.
func ParseBy(s string) (By, error) {
	switch b := By(s); b {
	case ByService, ByCounter, ByClerk, ByHour, ByDay, BySource:
		return b, nil
	case "":
		return ByService, nil
	}
	return "", queue.Errorf(queue.CodeValidation, "by=%q: want service, counter, clerk, hour, day or source", s)
}

// Summary describes a set of durations in seconds. Percentiles are by the
// nearest-rank method: the p-th percentile is the smallest value with at
// least p% of the values at or below it.
type Summary struct {
	Count  int     `json:"count"`
	Mean   float64 `json:"mean"`
	Median float64 `json:"median"`
	P90    float64 `json:"p90"`
}

// Row is the statistics of one group.
type Row struct {
	Key       string  `json:"key"`
	Issued    int     `json:"issued"`
	Served    int     `json:"served"`
	NoShow    int     `json:"no_show"`
	Cancelled int     `json:"cancelled"`
	Expired   int     `json:"expired"`
	WaitS     Summary `json:"wait_s"`
	ServiceS  Summary `json:"service_s"`
	// WithinTarget is the share of tickets whose wait was within their
	// service's target, of those whose wait is known to be within or past
	// it: called tickets by their wait to the first call; tickets still
	// waiting past the target, and tickets that left uncalled (cancelled,
	// expired) after waiting past it, as misses. A ticket still waiting,
	// or gone, within the target is not judged. nil when none is judged.
	// An appointment's wait runs from its slot's start (Outcome.Wait).
	WithinTarget *float64 `json:"within_target"`
	// Appointments counts the tickets checked in from appointments;
	// OnTime is the share of those called that were called within 10
	// minutes of their slot's start (nil when none was called); and
	// ApptNoShow counts the appointments booked for the period that
	// nobody checked in (they have no ticket).
	Appointments int      `json:"appointments"`
	OnTime       *float64 `json:"on_time"`
	ApptNoShow   int      `json:"appointment_no_show"`
}

// Report is the answer to a statistics query.
type Report struct {
	Branch string `json:"branch"`
	From   string `json:"from"`
	To     string `json:"to"`
	By     By     `json:"by"`
	Rows   []Row  `json:"rows"`
	Total  Row    `json:"total"`
}

// acc accumulates one row.
type acc struct {
	row     Row
	waits   []int32
	service []int32
	// inTime of the judged tickets waited within their target (Row's
	// WithinTarget).
	inTime, judged int
	// onTime of the called appointment tickets were called on time.
	onTime, apptCalled int
}

// add counts o in, with its service's target wait; now is the moment of
// the query, for the tickets still waiting.
func (a *acc) add(o *queue.Outcome, target time.Duration, now time.Time) {
	a.row.Issued++
	if o.Appointment() {
		a.row.Appointments++
		if !o.FirstCalled.IsZero() {
			a.apptCalled++
			if o.FirstCalled.Sub(o.Slot) <= queue.OnTime {
				a.onTime++
			}
		}
	}
	switch o.State {
	case queue.StateDone:
		a.row.Served++
	case queue.StateNoShow:
		a.row.NoShow++
	case queue.StateCancelled:
		a.row.Cancelled++
	case queue.StateExpired:
		a.row.Expired++
	}
	if w, ok := o.Wait(); ok && w >= 0 {
		a.waits = append(a.waits, int32(w/time.Second))
		a.judged++
		if w <= target {
			a.inTime++
		}
	} else if !ok && uncalledWait(o, now) > target {
		a.judged++ // a miss: waiting, or gone, past the target
	}
	if s, ok := o.ServiceTime(); ok && s >= 0 {
		a.service = append(a.service, int32(s/time.Second))
	}
}

// uncalledWait is how long a ticket never called has waited: until now
// while it waits, until it left (cancelled, expired) otherwise.
func uncalledWait(o *queue.Outcome, now time.Time) time.Duration {
	if o.State == queue.StateWaiting {
		return now.Sub(o.Issued)
	}
	if o.Finished.IsZero() {
		return 0
	}
	return o.Finished.Sub(o.Issued)
}

func (a *acc) done() Row {
	r := a.row
	r.WaitS, r.ServiceS = summarise(a.waits), summarise(a.service)
	if a.judged > 0 {
		share := float64(a.inTime) / float64(a.judged)
		r.WithinTarget = &share
	}
	if a.apptCalled > 0 {
		share := float64(a.onTime) / float64(a.apptCalled)
		r.OnTime = &share
	}
	return r
}

func summarise(v []int32) Summary {
	if len(v) == 0 {
		return Summary{}
	}
	var sum int64
	hi := int32(0)
	for _, x := range v {
		sum += int64(x)
		hi = max(hi, x)
	}
	s := Summary{Count: len(v), Mean: float64(sum) / float64(len(v))}
	if len(v) < 1<<16 || hi > maxCounted {
		slices.Sort(v)
		s.Median, s.P90 = float64(v[rankIndex(len(v), 50)]), float64(v[rankIndex(len(v), 90)])
		return s
	}
	// Many values in whole seconds: a counting pass is linear where a sort
	// of millions is not.
	counts := make([]int32, hi+1)
	for _, x := range v {
		counts[x]++
	}
	s.Median, s.P90 = float64(countRank(counts, rankIndex(len(v), 50))), float64(countRank(counts, rankIndex(len(v), 90)))
	return s
}

// maxCounted bounds the values counted rather than sorted (a week).
const maxCounted = 7 * 24 * 3600

// rankIndex is the index of the nearest-rank p-th percentile of n sorted
// values.
func rankIndex(n, p int) int { return max((p*n+99)/100-1, 0) }

// countRank returns the i-th smallest value from counts of each value.
func countRank(counts []int32, i int) int {
	seen := 0
	for v, c := range counts {
		seen += int(c)
		if seen > i {
			return v
		}
	}
	return len(counts) - 1
}

// Compute builds the report of branch for service days from..to
// (inclusive, YYYY-MM-DD, in the branch's time zone). now decides which
// day is today: tickets of today that are not finished yet count as issued.
func Compute(ctx context.Context, store *storage.Store, branch, from, to string, by By, now time.Time) (Report, error) {
	rep := Report{Branch: branch, From: from, To: to, By: by, Rows: []Row{}}
	if _, err := time.Parse(queue.DayLayout, from); err != nil {
		return rep, queue.Errorf(queue.CodeValidation, "from=%q: want YYYY-MM-DD", from)
	}
	if _, err := time.Parse(queue.DayLayout, to); err != nil {
		return rep, queue.Errorf(queue.CodeValidation, "to=%q: want YYYY-MM-DD", to)
	}
	if to < from {
		return rep, queue.Errorf(queue.CodeValidation, "to is before from")
	}
	groups := map[string]*acc{}
	total := &acc{row: Row{Key: "total"}}
	err := store.View(ctx, func(tx *storage.Tx) error {
		b, err := tx.Branch(branch)
		if err != nil {
			return err
		}
		cfg, err := b.Config()
		if err != nil {
			return err
		}
		loc, err := time.LoadLocation(cfg.Zone())
		if err != nil {
			return err
		}
		svcs, err := b.Services()
		if err != nil {
			return err
		}
		targets := map[string]time.Duration{}
		for _, s := range svcs {
			if s.TargetWaitS > 0 {
				targets[s.ID] = time.Duration(s.TargetWaitS) * time.Second
			}
		}
		add := func(o *queue.Outcome) {
			target, ok := targets[o.Service]
			if !ok {
				target = queue.DefaultTargetWait
			}
			k := key(o, by, loc)
			g := groups[k]
			if g == nil {
				g = &acc{row: Row{Key: k}}
				groups[k] = g
			}
			g.add(o, target, now)
			total.add(o, target, now)
		}
		if err := b.Outcomes(from, to, func(o *queue.Outcome) bool { add(o); return true }); err != nil {
			return err
		}
		if err := apptNoShows(b, from, to, loc, by, func(k string) {
			g := groups[k]
			if g == nil {
				g = &acc{row: Row{Key: k}}
				groups[k] = g
			}
			g.row.ApptNoShow++
			total.row.ApptNoShow++
		}); err != nil {
			return err
		}
		// Today's tickets still in the queue or at a counter have no
		// outcome yet but were issued.
		today := queue.ServiceDay(now, loc)
		if today < from || today > to {
			return nil
		}
		return b.TicketsBackward(func(t queue.Ticket) (bool, error) {
			if t.Day < today {
				return false, nil
			}
			if !t.State.Final() && t.Day == today {
				o := queue.OutcomeOf(t)
				add(&o)
			}
			return true, nil
		})
	})
	if err != nil {
		return rep, err
	}
	for _, g := range groups {
		rep.Rows = append(rep.Rows, g.done())
	}
	slices.SortFunc(rep.Rows, func(a, b Row) int { return queue.CompareIDs(a.Key, b.Key) })
	rep.Total = total.done()
	return rep, nil
}

func key(o *queue.Outcome, by By, loc *time.Location) string {
	switch by {
	case ByCounter:
		return o.Counter
	case ByClerk:
		return o.Clerk
	case ByHour:
		return fmt.Sprintf("%02d", o.Issued.In(loc).Hour())
	case ByDay:
		return o.Day
	case BySource:
		return o.Source()
	}
	return o.Service
}

// apptNoShows counts, by the grouping's key, the appointments of the days
// from … to that nobody checked in: keyed as their ticket would have been
// (by service, slot's hour, day, source); by counter or clerk they have
// none, and count under the empty key.
func apptNoShows(b *storage.BranchTx, from, to string, loc *time.Location, by By, count func(key string)) error {
	start, _, err := queue.DayBounds(from, loc)
	if err != nil {
		return err
	}
	_, end, err := queue.DayBounds(to, loc)
	if err != nil {
		return err
	}
	return b.ForEachAppointment(start, end, func(a queue.Appointment) (bool, error) {
		if a.State == queue.ApptNoShow && a.Ticket == 0 {
			count(key(&queue.Outcome{Service: a.Service, Day: a.Day(loc), Issued: a.Start, Slot: a.Start}, by, loc))
		}
		return true, nil
	})
}

// CSV writes the report as CSV, UTF-8 with a byte-order mark so that
// spreadsheet programs read Greek right: a header, one row per key, and the
// total last.
func (r Report) CSV() ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString("\ufeff")
	w := csv.NewWriter(&buf)
	w.Write([]string{string(r.By), "issued", "served", "no_show", "cancelled", "expired",
		"wait_mean_s", "wait_median_s", "wait_p90_s", "service_mean_s", "service_median_s", "service_p90_s", "within_target",
		"appointments", "on_time", "appointment_no_show"})
	for _, row := range append(slices.Clone(r.Rows), r.Total) {
		share := func(v *float64) string {
			if v == nil {
				return ""
			}
			return strconv.FormatFloat(*v, 'f', 3, 64)
		}
		f := func(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }
		w.Write([]string{row.Key, strconv.Itoa(row.Issued), strconv.Itoa(row.Served), strconv.Itoa(row.NoShow),
			strconv.Itoa(row.Cancelled), strconv.Itoa(row.Expired),
			f(row.WaitS.Mean), f(row.WaitS.Median), f(row.WaitS.P90),
			f(row.ServiceS.Mean), f(row.ServiceS.Median), f(row.ServiceS.P90), share(row.WithinTarget),
			strconv.Itoa(row.Appointments), share(row.OnTime), strconv.Itoa(row.ApptNoShow)})
	}
	w.Flush()
	return buf.Bytes(), w.Error()
}
