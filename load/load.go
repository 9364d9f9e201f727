// Package load drives a running seira with a realistic mix of traffic and
// measures it: kiosks issuing tickets (on an open-loop schedule, or as fast
// as N workers can), clerks calling next, wall displays and phones
// following live channels, and a /healthz baseline; it reports durable
// issue throughput, call → last subscriber latency for an office-sized
// branch (200 subscribers) and a big one, the server's memory per idle
// live connection, slow-client disconnects and every error by kind.
//
// The tool runs in its own process against a server on loopback (others
// only when allowed), signs in as an administrator (staff are not
// rate-limited, and an administrator may act on every counter) and sets up
// its own branches, load-1 … load-B, load-office and load-big, creating
// those that are missing. A run is bounded in time and in everything it
// opens.
//
// Phases, one after the other:
//
//  1. set-up: branches, counters opened, tickets for the phones to follow
//     and for the latency counters to call;
//  2. memory: the server's RSS is read, every subscriber connects and
//     gets its snapshot, and after a few idle seconds RSS is read twice;
//  3. traffic window (Duration): issuing, counters calling next, and the
//     latency probes (POST next, then recall, on counter 1 of each latency
//     branch, one sample at a time, until the window ends and there are at
//     least Samples per branch);
//  4. baseline: HealthzConc workers hammer GET /healthz for
//     HealthzDuration, half before the traffic window and half after,
//     with the subscribers connected; the
//     issue/healthz ratio compares the two phases;
//  5. drain, verify and report: the subscribers wait for every event the
//     server logged, and the tool counts ticket.issued events in the
//     server's event log to check its own count.
package load

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"

	"github.com/seira-queue/seira/internal/apiclient"
)

// Options configure a run. Start from DefaultOptions: zero values are
// taken literally (Office 0 means no office branch).
type Options struct {
	// URL is the running seira; it must be on loopback unless
	// AllowRemote.
	URL         string
	AllowRemote bool
	// LiveURL, if set, is another instance of the same seira (on etcd):
	// every subscriber follows it, so that the latency measured is from a
	// call on URL to the subscribers of LiveURL.
	LiveURL string
	// User and Password sign in; User must be an administrator.
	User     string
	Password string `json:"-"`

	// Branches is how many traffic branches (load-1 … load-B) share the
	// issuing, the counters and the subscribers.
	Branches int
	// Duration is the traffic window.
	Duration time.Duration
	// IssueRate is the open-loop issue rate over all branches, in
	// tickets per second; IssueConc > 0 replaces it with a closed loop of
	// that many workers issuing as fast as the server acknowledges.
	IssueRate float64
	IssueConc int
	// MaxInflight bounds open-loop requests in flight; a send due while
	// it is reached is skipped and counted, not delayed.
	MaxInflight int
	// CounterConc is how many clerks' requests may be in flight at once.
	CounterConc int

	// Subs is how many live subscribers follow the traffic branches; the
	// PhoneShare of them follow one ticket each, the rest the branch.
	Subs       int
	PhoneShare float64
	// Office and BigBranch are the subscribers of the two latency
	// branches (0: no such branch); Samples is the least number of
	// latency samples taken on each.
	Office    int
	BigBranch int
	Samples   int

	// HealthzConc workers run for HealthzDuration, half before the
	// traffic window and half after; 0 means as many as IssueConc (16 in
	// open-loop mode).
	HealthzConc     int
	HealthzDuration time.Duration

	// DialConc bounds concurrent WebSocket handshakes; IdleWait is how
	// long subscribers sit idle before memory is read.
	DialConc int
	IdleWait time.Duration
	// Verify counts ticket.issued events in the server's log afterwards.
	Verify bool

	Logger *slog.Logger `json:"-"`
}

// DefaultOptions returns the defaults of every option.
func DefaultOptions() Options {
	return Options{URL: "http://127.0.0.1:8080", User: "admin", Branches: 4, Duration: 30 * time.Second,
		IssueRate: 20, MaxInflight: 512, CounterConc: 8, PhoneShare: 0.5, Office: 200, Samples: 200,
		HealthzDuration: 10 * time.Second, DialConc: 64, IdleWait: 5 * time.Second, Verify: true}
}

// Limits that keep a run bounded whatever it is asked.
const (
	maxSubs        = 200_000
	maxBranches    = 2_000
	maxConc        = 4_096
	maxDuration    = 24 * time.Hour
	sampleTimeout  = 10 * time.Second // one latency sample
	probeOvertime  = 2 * time.Minute  // sampling after the window, to reach Samples
	readyTimeout   = 2 * time.Minute  // subscribers getting their snapshots
	drainTimeout   = 15 * time.Second // subscribers catching up at the end
	maxLatencyKept = 1 << 20          // issue latencies kept for percentiles
)

func (o *Options) check() error {
	switch {
	case o.URL == "":
		return errors.New("no URL")
	case o.User == "" || o.Password == "":
		return errors.New("a user and a password are needed (SEIRA_PASSWORD or SEIRA_ADMIN_PASSWORD)")
	case o.Branches < 1 || o.Branches > maxBranches:
		return fmt.Errorf("branches %d: want 1 to %d", o.Branches, maxBranches)
	case o.Duration <= 0 || o.Duration > maxDuration:
		return fmt.Errorf("duration %v: want a positive duration up to %v", o.Duration, maxDuration)
	case o.IssueConc < 0 || o.IssueConc > maxConc:
		return fmt.Errorf("issue-conc %d: want 0 to %d", o.IssueConc, maxConc)
	case o.IssueConc == 0 && !(o.IssueRate >= 0 && o.IssueRate <= 1e6):
		return fmt.Errorf("issue-rate %v: want 0 to 1e6 tickets a second", o.IssueRate)
	case o.MaxInflight < 1 || o.MaxInflight > maxConc:
		return fmt.Errorf("max-inflight %d: want 1 to %d", o.MaxInflight, maxConc)
	case o.CounterConc < 1 || o.CounterConc > maxConc:
		return fmt.Errorf("counter-conc %d: want 1 to %d", o.CounterConc, maxConc)
	case o.Subs < 0 || o.Office < 0 || o.BigBranch < 0 || o.Subs+o.Office+o.BigBranch > maxSubs:
		return fmt.Errorf("subscribers: want 0 to %d in all", maxSubs)
	case !(o.PhoneShare >= 0 && o.PhoneShare <= 1):
		return fmt.Errorf("phone-share %v: want 0 to 1", o.PhoneShare)
	case o.Samples < 1 || o.Samples > 100_000:
		return fmt.Errorf("samples %d: want 1 to 100000", o.Samples)
	case o.HealthzConc < 0 || o.HealthzConc > maxConc:
		return fmt.Errorf("healthz-conc %d: want 0 to %d", o.HealthzConc, maxConc)
	case o.HealthzDuration < 0 || o.HealthzDuration > maxDuration:
		return fmt.Errorf("healthz-duration %v: want 0 to %v", o.HealthzDuration, maxDuration)
	case o.DialConc < 1 || o.DialConc > maxConc:
		return fmt.Errorf("dial-conc %d: want 1 to %d", o.DialConc, maxConc)
	case o.IdleWait < 0 || o.IdleWait > time.Hour:
		return fmt.Errorf("idle-wait %v: want 0 to 1h", o.IdleWait)
	}
	if o.HealthzConc == 0 {
		o.HealthzConc = o.IssueConc
		if o.HealthzConc == 0 {
			o.HealthzConc = 16
		}
	}
	return nil
}

// budget bounds the whole run: the phases' own durations and a generous
// margin for set-up and connecting.
func (o *Options) budget() time.Duration {
	conns := o.Subs + o.Office + o.BigBranch
	return o.Duration + probeOvertime + o.HealthzDuration + o.IdleWait + readyTimeout + drainTimeout +
		5*time.Minute + time.Duration(conns)*5*time.Millisecond
}

// CheckURL parses a server URL and refuses one that is not on loopback
// unless allowRemote: a load test aimed at a production server by mistake
// would be an attack.
func CheckURL(raw string, allowRemote bool) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("url %q: %w", raw, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return nil, fmt.Errorf("url %q: want http://host:port or https://…", raw)
	}
	if allowRemote {
		return u, nil
	}
	host := u.Hostname()
	if ip := net.ParseIP(host); strings.EqualFold(host, "localhost") || ip != nil && ip.IsLoopback() {
		return u, nil
	}
	return nil, fmt.Errorf("url %q is not on loopback (localhost, 127.0.0.0/8, ::1): pass -allow-remote to load another machine", raw)
}

// serviceIDs and counterIDs are those of every load branch, like the demo
// office's (arrays returned by value: nothing shared can change).
func serviceIDs() [3]string { return [3]string{"certificates", "signatures", "applications"} }
func counterIDs() [4]string { return [4]string{"1", "2", "3", "4"} }

const (
	branchPrefix = "load-"
	officeBranch = "load-office"
	bigBranch    = "load-big"
	// probeCounter is the counter the latency probes call at.
	probeCounter = "1"
)

// runner is one run's state; the phases are its methods.
type runner struct {
	opts   Options
	log    *slog.Logger
	base   string // http(s)://host
	wsBase string // ws(s)://host
	api    *apiclient.Client
	errs   *tally
	dialer *websocket.Dialer
	t0     time.Time // monotonic base of probe arrival times

	traffic  []string          // load-1 … load-B
	latency  []*latencyTarget  // office, big
	startSeq map[string]uint64 // each branch's seq before the run wrote
	phones   []phoneTicket

	issuedSetup, issuedTraffic atomic.Int64 // 201s
	skipped                    atomic.Int64 // open-loop sends over MaxInflight
	nextOK, nextEmpty          atomic.Int64 // counters: 200 and 204 to next
	issueLat                   *recorder

	subsMu    sync.Mutex
	subs      []*sub
	attempted [numKinds]int64
	readers   sync.WaitGroup
	closing   atomic.Bool
	slow1013  atomic.Int64
}

type phoneTicket struct{ branch, token string }

// Run performs a run and returns its report. Errors are for runs that
// could not be made (bad options, no server, set-up refused); what went
// wrong during the traffic is in the report.
func Run(ctx context.Context, opts Options) (*Report, error) {
	if err := opts.check(); err != nil {
		return nil, err
	}
	u, err := CheckURL(opts.URL, opts.AllowRemote)
	if err != nil {
		return nil, err
	}
	live := u
	if opts.LiveURL != "" {
		if live, err = CheckURL(opts.LiveURL, opts.AllowRemote); err != nil {
			return nil, fmt.Errorf("live %w", err)
		}
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	rep := &Report{URL: opts.URL, Started: time.Now(), Options: opts}
	rep.Options.Password = ""
	if rep.NoFile, err = raiseNoFile(); err != nil {
		return nil, fmt.Errorf("raise the open-file limit: %w", err)
	}
	conns := uint64(opts.Subs + opts.Office + opts.BigBranch)
	if need := conns + uint64(opts.MaxInflight+opts.HealthzConc+opts.CounterConc+64); rep.NoFile.Soft < need {
		log.Warn("the open-file limit is below what this run may open: expect dial errors",
			"limit", rep.NoFile.Soft, "may_open", need)
	}
	ctx, cancel := context.WithTimeout(ctx, opts.budget())
	defer cancel()
	r := newRunner(opts, u, live, log)
	defer r.api.Close()
	defer r.closeSubs()

	if err := r.api.Login(ctx, opts.User, opts.Password); err != nil {
		return nil, err
	}
	if err := r.setup(ctx); err != nil {
		return nil, err
	}
	log.Info("set up", "traffic_branches", len(r.traffic), "phone_tickets", len(r.phones))

	before, err := r.scrape(ctx)
	if err != nil {
		return nil, err
	}
	rep.Server.Before = before
	dialStart := time.Now()
	r.connect(ctx)
	rep.Connections.DialS = time.Since(dialStart).Seconds()
	r.awaitReady(ctx)
	rep.Connections.ReadyS = time.Since(dialStart).Seconds()
	log.Info("subscribers connected", "established", len(r.subs), "seconds", rep.Connections.ReadyS)
	if err := sleep(ctx, opts.IdleWait); err != nil {
		return nil, err
	}
	if rep.Server.Idle1, err = r.scrape(ctx); err != nil {
		return nil, err
	}
	if err := sleep(ctx, 2*time.Second); err != nil {
		return nil, err
	}
	if rep.Server.Idle2, err = r.scrape(ctx); err != nil {
		return nil, err
	}

	log.Info("healthz baseline, first half", "workers", opts.HealthzConc, "duration", opts.HealthzDuration/2)
	rep.Healthz.Workers = opts.HealthzConc
	rep.Healthz.BeforePerSecond = rep.Healthz.add(r.healthz(ctx, opts.HealthzDuration/2))

	log.Info("traffic window", "duration", opts.Duration)
	r.trafficWindow(ctx, rep)
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("traffic window: %w", err)
	}
	log.Info("healthz baseline, second half", "workers", opts.HealthzConc, "duration", opts.HealthzDuration-opts.HealthzDuration/2)
	rep.Healthz.AfterPerSecond = rep.Healthz.add(r.healthz(ctx, opts.HealthzDuration-opts.HealthzDuration/2))

	rep.Drain = r.drain(ctx)
	if rep.Server.After, err = r.scrape(ctx); err != nil {
		return nil, err
	}
	r.closeSubs()
	if opts.Verify {
		if err := r.verify(ctx, rep); err != nil {
			return nil, err
		}
	}
	r.fill(rep)
	return rep, nil
}

func newRunner(opts Options, u, live *url.URL, log *slog.Logger) *runner {
	errs := newTally()
	wsScheme := "ws"
	if live.Scheme == "https" {
		wsScheme = "wss"
	}
	base := u.Scheme + "://" + u.Host
	return &runner{opts: opts, log: log, base: base, wsBase: wsScheme + "://" + live.Host, errs: errs,
		api:    newAPI(base, max(opts.MaxInflight, opts.IssueConc)+opts.CounterConc+8, errs, log),
		dialer: newDialer(), t0: time.Now(), issueLat: newRecorder(maxLatencyKept), startSeq: map[string]uint64{}}
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// each runs f for every item with at most conc at once and returns the
// first error.
func each[T any](ctx context.Context, items []T, conc int, f func(context.Context, T) error) error {
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
	)
	work := make(chan T)
	for range min(conc, len(items)) {
		wg.Go(func() {
			for it := range work {
				if err := f(ctx, it); err != nil {
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
				}
			}
		})
	}
feed:
	for _, it := range items {
		select {
		case work <- it:
		case <-ctx.Done():
			break feed
		}
	}
	close(work)
	wg.Wait()
	if first == nil {
		first = ctx.Err()
	}
	return first
}
