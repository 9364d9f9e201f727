// Package sim plays a day of a ΚΕΠ office against a running seira through
// its public HTTP API, and measures how far the wait estimates printed on
// tickets are from the waits citizens really had.
//
// A kiosk issues tickets at Poisson arrival times and notes each ticket's
// estimated_wait_s; one clerk per counter opens, calls, serves (walk plus a
// log-normal service time), records no-shows, pauses and closes. The real
// wait of a ticket is called_at − issued_at as the server stamped them.
// Everything is scheduled in the server's (fast) time, read from the
// branch's state.
//
// After closing, clerks keep calling until their services' queues are
// empty, or until the hard stop (one hour after closing by default): then
// they close their counters, which records a current ticket as done, and
// tickets still waiting are reported as such.
//
// A day may book a share of each service's citizens (Day.Appointments,
// DayService.BookedShare): before the day the simulator makes those
// services bookable and imports their appointments, each in the slot of
// its service nearest the time the citizen would have come; at their
// arrival (the slot's start plus a punctuality draw) the kiosk checks
// them in, taking the walk-in ticket offered when they are too late; the
// booked who never come do not arrive. The report then gives the
// walk-ins and the appointments apart (Split).
//
// With Options.Warm the in-process server starts as after that many
// earlier days of the office, played through its engine first (warmUp).
package sim

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/seira-queue/seira/internal/apiclient"
)

// Options configure a run.
type Options struct {
	// URL is a running seira (mode a); empty starts one in this process on
	// 127.0.0.1 with a temporary store (mode b).
	URL string
	// Speed is how many times faster than real time the server's clock
	// runs; in mode a it must match the server's -clock-speed.
	Speed float64
	// User and Password sign the kiosk and the clerks in (staff are not
	// rate-limited). In mode b the admin is created with Password
	// (random when empty) and User is ignored.
	User     string
	Password string
	// Seed makes the day's citizens reproducible.
	Seed uint64
	// Data is mode b's data directory, kept afterwards; empty uses a
	// temporary one, removed at the end.
	Data string
	// HardStop is how long after closing the clerks keep serving the
	// tickets still waiting (default one hour).
	HardStop time.Duration
	// Warm starts the in-process server (mode b, on a fresh store) as
	// after Warm earlier days of this office: they are played through its
	// engine before the measured day (see warmUp), so that it has learned
	// their service times and priority arrival rates. 0: a server that
	// has learned nothing.
	Warm   int
	Logger *slog.Logger
}

// NoShowWait is how long a clerk waits for a called citizen who does not
// come.
const NoShowWait = 60 * time.Second

// Timing of the clerks, in server time.
const (
	// retryAfter is how long a clerk waits after an empty queue or a
	// failed request before trying again.
	retryAfter = 15 * time.Second
	// awaitIssue bounds (in real time) how long a clerk waits for the kiosk
	// to have noted a ticket it called before the issue answer arrived.
	awaitIssue = 2 * time.Second
)

// Run plays day d and returns its report. A report with server errors
// (5xx) comes with a nil error: the caller decides how loudly to fail.
// Errors are for runs that could not be played.
func Run(ctx context.Context, d Day, opts Options) (*Report, error) {
	if err := d.Validate(); err != nil {
		return nil, err
	}
	if !(opts.Speed >= 1 && opts.Speed <= 10000) {
		return nil, fmt.Errorf("speed %v: want 1 to 10000", opts.Speed)
	}
	switch {
	case opts.Warm < 0 || opts.Warm > MaxWarm:
		return nil, fmt.Errorf("warm %d: want 0 to %d earlier days", opts.Warm, MaxWarm)
	case opts.Warm > 0 && opts.URL != "":
		return nil, errors.New("warm: only the in-process server can be warmed (its earlier days are played through its engine)")
	}
	if opts.HardStop <= 0 {
		opts.HardStop = time.Hour
	}
	if opts.User == "" {
		opts.User = "admin"
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	wall := time.Now()
	url := opts.URL
	var srv *local
	if url == "" {
		var err error
		if srv, err = startLocal(ctx, d, opts, log); err != nil {
			return nil, err
		}
		url, opts.User, opts.Password = srv.url, srv.user, srv.password
	}
	rep, err := play(ctx, d, opts, url, srv, log)
	if srv != nil {
		if serr := srv.stop(); serr != nil && err == nil {
			err = serr
		}
	}
	if rep != nil {
		rep.Wall = time.Since(wall)
	}
	return rep, err
}

// player is one run's shared state; actors run in their own goroutines.
type player struct {
	day      Day
	opts     Options
	c        *apiclient.Client
	tally    *tally // c's requests by route and status
	clock    serverClock
	log      *slog.Logger
	base     time.Time // the day's opening, server time
	closing  time.Time
	hardStop time.Time
	category string // priority category the kiosk declares
	runID    string // makes idempotency keys unique across runs
	ledger   *ledger
	kioskEnd chan struct{}

	mu          sync.Mutex
	lags        []float64 // simulated seconds behind schedule
	issueFailed int
	foreign     int
}

func play(ctx context.Context, d Day, opts Options, url string, srv *local, log *slog.Logger) (*Report, error) {
	tally := newTally()
	p := &player{day: d, opts: opts, c: newClient(url, tally, log), tally: tally, log: log, runID: randomHex(4),
		ledger: newLedger(), kioskEnd: make(chan struct{})}
	if err := p.c.Login(ctx, opts.User, opts.Password); err != nil {
		return nil, err
	}
	plan := Plan(d, opts.Seed)
	var codes map[int]string
	if srv != nil {
		// The in-process server's day is the day file's: its plan goes
		// in before its clock starts, opening hours, appointments and all.
		if err := p.announcePlan(ctx, 0, true); err != nil {
			return nil, err
		}
		p.base = srv.clock.base
		var err error
		if codes, err = p.bookAppointments(ctx, plan); err != nil {
			return nil, err
		}
		srv.clock.start()
	}
	st, err := p.sync(ctx)
	if err != nil {
		return nil, err
	}
	if srv == nil {
		if st, err = p.checkSpeed(ctx); err != nil {
			return nil, err
		}
	}
	if err := checkBranch(st, d, opts.User); err != nil {
		return nil, err
	}
	var opening time.Time
	if srv != nil {
		opening = srv.clock.base
	}
	if err := p.schedule(st, opening); err != nil {
		return nil, err
	}
	if srv == nil {
		// A server of its own: the counters' plan, moved with the day if it
		// is shifted; its opening hours are its operator's.
		loc, _ := d.Location() // checked by Validate
		y, m, dd := p.base.In(loc).Date()
		shift := p.base.Sub(atTime(time.Date(y, m, dd, 0, 0, 0, 0, loc), d.Open))
		if err := p.announcePlan(ctx, shift, false); err != nil {
			return nil, err
		}
		if codes, err = p.bookAppointments(ctx, plan); err != nil {
			return nil, err
		}
	}
	if d.PriorityRate > 0 {
		if p.category = priorityCategory(st.Branch.Priorities); p.category == "" {
			return nil, fmt.Errorf("branch %s accepts no priority category", d.Branch)
		}
	}
	waiting := 0
	for _, s := range st.Services {
		waiting += s.Waiting
	}
	if waiting > 0 {
		log.Warn("tickets are already waiting: the day starts with a queue", "waiting", waiting)
	}

	// The whole run is bounded in real time: the day to the hard stop, and
	// a margin for the last requests.
	actx, cancel := context.WithTimeout(ctx, p.clock.real(p.hardStop.Sub(p.clock.now()))+time.Minute)
	defer cancel()
	var wg sync.WaitGroup
	wg.Go(func() { p.kiosk(actx, plan, codes) })
	for _, dc := range d.Counters {
		wg.Go(func() { p.clerk(actx, dc) })
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	end := p.clock.now()
	if err := p.reconcile(ctx); err != nil {
		return nil, err
	}
	final, err := p.state(ctx)
	if err != nil {
		return nil, err
	}
	return p.report(plan, end, final), nil
}

// stateView is what the simulator reads of GET /state.
type stateView struct {
	At     time.Time `json:"at"`
	Branch struct {
		ID         string   `json:"id"`
		TimeZone   string   `json:"time_zone"`
		Priorities []string `json:"priorities"`
	} `json:"branch"`
	Services []stateService `json:"services"`
	Counters []stateCounter `json:"counters"`
}

type stateService struct {
	ID      string `json:"id"`
	Open    bool   `json:"open"`
	Waiting int    `json:"waiting"`
}

type stateCounter struct {
	ID     string   `json:"id"`
	Serves []string `json:"serves"`
	Status string   `json:"status"`
	Clerk  string   `json:"clerk"`
}

// ticketView is what the simulator reads of a Ticket.
type ticketView struct {
	Number         string     `json:"number"`
	Service        string     `json:"service"`
	State          string     `json:"state"`
	Priority       string     `json:"priority"`
	IssuedAt       time.Time  `json:"issued_at"`
	CalledAt       *time.Time `json:"called_at"`
	Counter        *string    `json:"counter"`
	EstimatedWaitS *int       `json:"estimated_wait_s"`
	AfterClosing   bool       `json:"after_closing"`
	Token          string     `json:"token"`
	// Source is walk_in or appointment.
	Source string `json:"source"`
}

func (p *player) branchPath() string { return "/api/v1/branches/" + p.day.Branch }

func (p *player) state(ctx context.Context) (stateView, error) {
	var st stateView
	_, err := p.c.Do(ctx, http.MethodGet, p.branchPath()+"/state", "GET /state", nil, &st)
	if err != nil {
		return st, fmt.Errorf("branch %s: %w", p.day.Branch, err)
	}
	return st, nil
}

// sync reads the server's time and pins the clock to it, taking the middle
// of the round trip as the moment the server read its clock.
func (p *player) sync(ctx context.Context) (stateView, error) {
	r0 := time.Now()
	st, err := p.state(ctx)
	if err != nil {
		return st, err
	}
	rtt := time.Since(r0)
	p.clock = serverClock{at0: st.At, real0: r0.Add(rtt / 2), speed: p.opts.Speed}
	return st, nil
}

// checkSpeed compares the server's clock rate with the speed the
// simulator schedules by: a mismatch would make every figure wrong.
// It returns the fresh state of the second reading.
func (p *player) checkSpeed(ctx context.Context) (stateView, error) {
	first := p.clock
	timer := time.NewTimer(500 * time.Millisecond)
	select {
	case <-ctx.Done():
		timer.Stop()
		return stateView{}, ctx.Err()
	case <-timer.C:
	}
	st, err := p.sync(ctx)
	if err != nil {
		return st, err
	}
	measured := float64(p.clock.at0.Sub(first.at0)) / float64(p.clock.real0.Sub(first.real0))
	if math.Abs(measured/p.opts.Speed-1) > 0.05 {
		return st, fmt.Errorf("-speed %v, but the server's clock runs at about %.0f× real time: start it with -clock-speed %v",
			p.opts.Speed, measured, p.opts.Speed)
	}
	return st, nil
}

// checkBranch checks that the server's branch has the day's services and
// counters, and that no one else holds them.
func checkBranch(st stateView, d Day, user string) error {
	var errs []error
	svcs := map[string]bool{}
	for _, s := range st.Services {
		svcs[s.ID] = s.Open
	}
	for _, s := range d.Services {
		open, ok := svcs[s.ID]
		switch {
		case !ok:
			errs = append(errs, fmt.Errorf("branch %s has no service %s", d.Branch, s.ID))
		case !open:
			errs = append(errs, fmt.Errorf("service %s is closed at branch %s", s.ID, d.Branch))
		}
	}
	for _, dc := range d.Counters {
		i := slices.IndexFunc(st.Counters, func(c stateCounter) bool { return c.ID == dc.ID })
		if i < 0 {
			errs = append(errs, fmt.Errorf("branch %s has no counter %s", d.Branch, dc.ID))
			continue
		}
		c := st.Counters[i]
		if !sameSet(c.Serves, dc.Serves) {
			errs = append(errs, fmt.Errorf("counter %s serves %v at the server, %v in the day", dc.ID, c.Serves, dc.Serves))
		}
		if c.Status != "closed" && c.Clerk != "" && c.Clerk != user {
			errs = append(errs, fmt.Errorf("counter %s is %s by %s: close it first", dc.ID, c.Status, c.Clerk))
		}
	}
	return errors.Join(errs...)
}

func sameSet(a, b []string) bool {
	x, y := slices.Clone(a), slices.Clone(b)
	slices.Sort(x)
	slices.Sort(y)
	return slices.Equal(x, y)
}

// priorityCategory is the category priority tickets declare: senior if the
// branch accepts it, else its first.
func priorityCategory(accepted []string) string {
	switch {
	case slices.Contains(accepted, "senior"):
		return "senior"
	case len(accepted) > 0:
		return accepted[0]
	}
	return ""
}

// setUpTime is the real time the requests between scheduling the day and
// its opening may take.
const setUpTime = 250 * time.Millisecond

// shiftAfter is how far past the opening a server's clock may be before
// the day is shifted rather than started with a burst of late arrivals.
const shiftAfter = 5 * time.Second

// schedule places the day on the server's date, or at opening if it is
// given (the in-process server's clock starts there). A server already past
// the opening (started a little before the simulator, at a fast clock) gets
// the whole day shifted to start at a whole minute soon after (setUpTime).
func (p *player) schedule(st stateView, opening time.Time) error {
	loc, err := p.day.Location()
	if err != nil {
		return err
	}
	now := st.At.In(loc)
	y, m, dd := now.Date()
	p.base = atTime(time.Date(y, m, dd, 0, 0, 0, 0, loc), p.day.Open)
	if !opening.IsZero() {
		p.base = opening
	} else if now.After(p.base.Add(shiftAfter)) {
		// At the first whole minute that leaves the plan's set-up requests
		// (announcePlan) time to be made before the opening.
		earliest := now.Add(time.Duration(float64(setUpTime) * p.opts.Speed))
		shifted := earliest.Truncate(time.Minute).Add(time.Minute)
		p.log.Warn("the server's clock is past the day's opening: playing the day shifted",
			"server_time", now.Format(time.RFC3339), "opening", p.base.Format(time.RFC3339), "shift", shifted.Sub(p.base))
		p.base = shifted
	}
	p.closing = p.base.Add(time.Duration(p.day.Close - p.day.Open))
	p.hardStop = p.closing.Add(p.opts.HardStop)
	ny, nm, nd := p.base.Date()
	if midnight := time.Date(ny, nm, nd+1, 0, 0, 0, 0, loc); p.hardStop.After(midnight) {
		return fmt.Errorf("the day would run past midnight (%s), when the server expires waiting tickets: start the server's clock earlier",
			p.hardStop.Format(time.RFC3339))
	}
	return nil
}

// at is the server time of an offset from the opening.
func (p *player) at(d time.Duration) time.Time { return p.base.Add(d) }

// lag records how far behind its schedule an action happened.
func (p *player) lag(what string, scheduled, actual time.Time) {
	l := actual.Sub(scheduled)
	if l > lagWarn {
		p.log.Debug("behind schedule", "action", what, "scheduled", scheduled.Format(time.TimeOnly), "lag", l.Round(time.Second))
	}
	p.mu.Lock()
	p.lags = append(p.lags, l.Seconds())
	p.mu.Unlock()
}

// lagWarn is the lag (in simulated time) worth a debug line.
const lagWarn = 10 * time.Second

// kiosk issues the planned tickets at their arrival times, and checks the
// booked citizens' appointments in (codes by the citizens' index in plan);
// booked citizens who do not come never arrive.
func (p *player) kiosk(ctx context.Context, plan []Citizen, codes map[int]string) {
	var late sync.WaitGroup // citizens who came too early and come back
	defer close(p.kioskEnd)
	defer late.Wait()
	for i, cit := range plan {
		if cit.ApptNoShow {
			continue
		}
		at := p.at(cit.At)
		if p.clock.sleepUntil(ctx, at) != nil {
			return
		}
		if cit.Booked {
			p.checkin(ctx, &late, i, cit, at, codes[i])
			continue
		}
		p.issue(ctx, i, cit, at)
	}
}

func (p *player) issue(ctx context.Context, i int, cit Citizen, at time.Time) {
	prio := "none"
	if cit.Priority {
		prio = p.category
	}
	body := map[string]string{"service": cit.Service, "priority": prio, "lang": "el"}
	// One key per ticket: a retry after a lost answer gets the same ticket.
	key := http.Header{"Idempotency-Key": {fmt.Sprintf("sim-%s-%d", p.runID, i)}}
	var tv ticketView
	var err error
	for try := 0; try < 3; try++ {
		_, err = p.c.DoHeader(ctx, http.MethodPost, p.branchPath()+"/tickets", "POST /tickets", key, body, &tv)
		if st := apiclient.StatusOf(err); err == nil || ctx.Err() != nil || (st >= 400 && st < 500) {
			break
		}
	}
	if err != nil {
		p.mu.Lock()
		p.issueFailed++
		p.mu.Unlock()
		return
	}
	p.lag("issue", at, tv.IssuedAt)
	p.ledger.issued(p.ticketOf(tv, at, cit, false))
}

// clerk works counter dc through the day.
func (p *player) clerk(ctx context.Context, dc DayCounter) {
	path := p.branchPath() + "/counters/" + dc.ID
	route := func(action string) string { return "POST /counters/{c}/" + action }
	act := func(action string, scheduled time.Time) error {
		p.lag(dc.ID+" "+action, scheduled, p.clock.now())
		_, err := p.c.Do(ctx, http.MethodPost, path+"/"+action, route(action), nil, nil)
		return err
	}
	type pause struct {
		at     time.Time
		length time.Duration
	}
	var pauses []pause
	for _, ps := range dc.Pauses {
		pauses = append(pauses, pause{p.at(time.Duration(ps.At - p.day.Open)), time.Duration(ps.Minutes * float64(time.Minute))})
	}
	sort.Slice(pauses, func(i, j int) bool { return pauses[i].at.Before(pauses[j].at) })
	// open retries until the counter opens or the day is over.
	open := func(at time.Time) bool {
		for {
			if p.clock.sleepUntil(ctx, at) != nil || !at.Before(p.hardStop) {
				return false
			}
			if act("open", at) == nil {
				return true
			}
			at = p.clock.now().Add(retryAfter)
		}
	}
	if !open(p.at(time.Duration(p.day.opens(dc) - p.day.Open))) {
		return
	}
	defer func() {
		// Closing records a current ticket as done (at the hard stop).
		if err := act("close", p.clock.now()); err != nil {
			p.log.Warn("close counter", "counter", dc.ID, "err", err)
		}
	}()
	due := p.clock.now() // when the next call is due
	for ctx.Err() == nil && p.clock.now().Before(p.hardStop) {
		if len(pauses) > 0 && !due.Before(pauses[0].at) {
			ps := pauses[0]
			pauses = pauses[1:]
			// A pause starts when the clerk is free and lasts its length.
			if err := act("pause", due); err != nil {
				p.log.Warn("pause skipped", "counter", dc.ID, "err", err)
				continue
			}
			if !open(due.Add(ps.length)) {
				return
			}
			due = p.clock.now()
			continue
		}
		var tv ticketView
		p.lag(dc.ID+" next", due, p.clock.now())
		status, err := p.c.Do(ctx, http.MethodPost, path+"/next", route("next"), nil, &tv)
		if err == nil && status == http.StatusOK && tv.CalledAt == nil {
			err = errors.New("a called ticket without called_at")
		}
		if err != nil || status == http.StatusNoContent {
			now := p.clock.now()
			if err == nil && !now.Before(p.closing) && p.kioskDone() {
				return // closing time and nobody waits: the clerk's day is over
			}
			due = now.Add(retryAfter)
			if len(pauses) > 0 && pauses[0].at.Before(due) {
				due = pauses[0].at
			}
			if p.clock.sleepUntil(ctx, earlier(due, p.hardStop)) != nil {
				return
			}
			continue
		}
		called := *tv.CalledAt
		t := p.ledger.await(ctx, tv.Number, awaitIssue)
		cit := Citizen{Service: tv.Service, ServiceTime: p.meanServiceTime(tv.Service)}
		if t == nil {
			// Issued by someone else (a real kiosk on a shared server):
			// serve it for the service's mean time, leave it out of the figures.
			p.mu.Lock()
			p.foreign++
			p.mu.Unlock()
		} else {
			cit = t.citizen
			p.ledger.update(func() { t.CalledAt, t.State, t.Counter = called, "called", dc.ID })
		}
		action, state := "done", "done"
		due = called.Add(time.Duration(p.day.WalkToCounterS*float64(time.Second)) + cit.ServiceTime)
		if cit.NoShow {
			action, state, due = "no-show", "no_show", called.Add(NoShowWait)
		}
		if p.clock.sleepUntil(ctx, earlier(due, p.hardStop)) != nil || !p.clock.now().Before(p.hardStop) {
			return
		}
		if err := act(action, due); err != nil {
			continue
		}
		if t != nil {
			p.ledger.update(func() { t.State = state })
		}
	}
}

func (p *player) kioskDone() bool {
	select {
	case <-p.kioskEnd:
		return true
	default:
		return false
	}
}

func (p *player) meanServiceTime(service string) time.Duration {
	if s, ok := p.day.service(service); ok {
		return time.Duration(s.ServiceMinMean * float64(time.Minute))
	}
	return time.Minute
}

// reconcile asks the server for every ticket whose end the simulator did
// not see (still waiting, or a lost answer), so the report counts what the
// server holds.
func (p *player) reconcile(ctx context.Context) error {
	for _, t := range p.ledger.all() {
		if t.State == "done" || t.State == "no_show" {
			continue
		}
		var tv ticketView
		if _, err := p.c.Do(ctx, http.MethodGet, "/api/v1/tickets/"+t.token, "GET /tickets/{token}", nil, &tv); err != nil {
			return fmt.Errorf("ticket %s: %w", t.Number, err)
		}
		t.State = tv.State
		if tv.CalledAt != nil && t.CalledAt.IsZero() {
			t.CalledAt = *tv.CalledAt
			if tv.Counter != nil {
				t.Counter = *tv.Counter
			}
		}
	}
	return nil
}

// ledger holds the issued tickets; clerks find a called ticket by number.
type ledger struct {
	mu       sync.Mutex
	list     []*Ticket
	byNumber map[string]*slot
}

// slot is filled by the kiosk; a clerk that called the ticket before the
// kiosk heard back waits on ready.
type slot struct {
	ready chan struct{}
	t     *Ticket
}

func newLedger() *ledger { return &ledger{byNumber: map[string]*slot{}} }

func (l *ledger) slot(number string) *slot {
	s, ok := l.byNumber[number]
	if !ok {
		s = &slot{ready: make(chan struct{})}
		l.byNumber[number] = s
	}
	return s
}

func (l *ledger) issued(t *Ticket) {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := l.slot(t.Number)
	if s.t != nil {
		return // an idempotent retry returned a ticket already noted
	}
	s.t = t
	l.list = append(l.list, t)
	close(s.ready)
}

func (l *ledger) await(ctx context.Context, number string, timeout time.Duration) *Ticket {
	l.mu.Lock()
	s := l.slot(number)
	l.mu.Unlock()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case <-s.ready:
		return s.t
	case <-timer.C:
	case <-ctx.Done():
	}
	return nil
}

func (l *ledger) update(fn func()) {
	l.mu.Lock()
	fn()
	l.mu.Unlock()
}

// all returns the tickets in issue order; call it once the actors are done.
func (l *ledger) all() []*Ticket {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.list)
}
