package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/seira-queue/seira/load"
)

// loadCmd drives a running seira with a realistic mix of kiosks, counters
// and live subscribers and reports throughput, latency and memory (see
// package load).
const loadSummary = "drive a running seira with kiosks, counters and live subscribers, and report"

// loadConfig is what load's flags ask for: the mixed run (opts), or the
// fan-out comparison (cmp), or the open-data run (waits).
type loadConfig struct {
	opts            load.Options
	level, jsonFile string
	cmp             *load.CompareOptions
	waits           *load.WaitsOptions
}

// loadFlags defines load's flags; run parses them and builds the options.
func loadFlags(getenv func(string) string) (*cmdFlags, func() loadConfig) {
	d := load.DefaultOptions()
	fs := newCmdFlags("load", loadSummary, "SEIRA_LOAD_", getenv)
	notePassword(fs)
	url := fs.String("url", d.URL, "the running seira (loopback only unless -allow-remote)")
	liveURL := fs.String("live-url", "", "another instance of the same seira (on etcd) that every live subscriber follows, to time calls across instances")
	allowRemote := fs.Bool("allow-remote", false, "allow a server that is not on loopback")
	user := fs.String("user", d.User, "administrator to sign in as")
	branches := fs.Int("branches", d.Branches, "traffic branches load-1 … load-N (created when missing)")
	duration := fs.Duration("duration", d.Duration, "traffic window")
	issueRate := fs.Float64("issue-rate", d.IssueRate, "open loop: tickets per second over all branches")
	issueConc := fs.Int("issue-conc", 0, "closed loop instead: this many workers issuing as fast as the server acknowledges")
	maxInflight := fs.Int("max-inflight", d.MaxInflight, "open loop: most issue requests in flight (sends beyond are skipped and counted)")
	counterConc := fs.Int("counter-conc", d.CounterConc, "counter requests in flight at most")
	subs := fs.Int("subs", 0, "live subscribers on the traffic branches (displays and phones)")
	phoneShare := fs.Float64("phone-share", d.PhoneShare, "share of -subs that follow a ticket (phones) rather than a branch")
	office := fs.Int("office", d.Office, "subscribers of the office-sized latency branch load-office (0: none)")
	big := fs.Int("big-branch", 0, "subscribers of the big latency branch load-big (0: none)")
	samples := fs.Int("samples", d.Samples, "least latency samples per latency branch")
	healthzConc := fs.Int("healthz-conc", 0, "GET /healthz workers of the baseline (default: -issue-conc, or 16)")
	healthzDur := fs.Duration("healthz-duration", d.HealthzDuration, "how long the /healthz baseline runs, half before the traffic window and half after")
	dialConc := fs.Int("dial-conc", d.DialConc, "WebSocket handshakes in flight at most")
	idleWait := fs.Duration("idle-wait", d.IdleWait, "how long subscribers sit idle before the server's memory is read")
	verify := fs.Bool("verify", d.Verify, "count ticket.issued events in the server's log afterwards")
	jsonFile := fs.String("json", "", "also write the report to this file as JSON")
	compare := fs.Bool("compare", false, "instead: the fan-out comparison; starts seira (and -centrifugo) itself, subscribes -subs light clients to each and times -events broadcasts")
	centrifugo := fs.String("centrifugo", "", "with -compare: a Centrifugo v6 binary to compare with (go install github.com/centrifugal/centrifugo/v6@v6.9.1)")
	events := fs.Int("events", 20, "with -compare: the broadcasts measured on each server")
	waits := fs.Bool("waits", false, "instead: hammer GET /api/v1/waits with -conns connections for -duration and report requests/s, p50/p99, errors and the server's builds")
	conns := fs.Int("conns", 64, "with -waits: keep-alive connections sending requests back to back")
	level := logLevel(fs)
	return fs, func() loadConfig {
		var cfg loadConfig
		if *compare {
			cfg.cmp = &load.CompareOptions{Centrifugo: *centrifugo, Subs: *subs, Events: *events, DialConc: *dialConc}
		}
		if *waits {
			cfg.waits = &load.WaitsOptions{URL: *url, AllowRemote: *allowRemote, Conns: *conns, Duration: *duration}
		}
		cfg.level, cfg.jsonFile = *level, *jsonFile
		cfg.opts = load.Options{URL: *url, LiveURL: *liveURL, AllowRemote: *allowRemote, User: *user, Password: adminPassword(getenv),
			Branches: *branches, Duration: *duration, IssueRate: *issueRate, IssueConc: *issueConc,
			MaxInflight: *maxInflight, CounterConc: *counterConc, Subs: *subs, PhoneShare: *phoneShare,
			Office: *office, BigBranch: *big, Samples: *samples, HealthzConc: *healthzConc,
			HealthzDuration: *healthzDur, DialConc: *dialConc, IdleWait: *idleWait, Verify: *verify}
		return cfg
	}
}

func loadCmd(ctx context.Context, args []string, s sys) error {
	f, options := loadFlags(s.getenv)
	if err := f.parse(args, s.stdout); err != nil {
		return err
	}
	cfg := options()
	opts, jsonFile, cmp := cfg.opts, cfg.jsonFile, cfg.cmp
	log, err := newLogger("text", cfg.level, s.stderr)
	if err != nil {
		return f.point(err)
	}
	opts.Logger = log
	stdout := s.stdout
	if cfg.waits != nil {
		cfg.waits.Logger = log
		res, err := load.RunWaits(ctx, *cfg.waits)
		if err != nil {
			return fmt.Errorf("load -waits: %w", err)
		}
		return load.WriteWaits(stdout, res)
	}
	if cmp != nil {
		self, err := os.Executable()
		if err != nil {
			return err
		}
		cmp.Seira, cmp.Logger = self, log
		res, err := load.Compare(ctx, *cmp)
		if err != nil {
			return fmt.Errorf("load -compare: %w", err)
		}
		return load.WriteCompare(stdout, res)
	}
	start := time.Now()
	rep, err := load.Run(ctx, opts)
	if err != nil {
		return fmt.Errorf("load: %w", err)
	}
	log.Info("load run over", "seconds", time.Since(start).Seconds())
	if err := rep.WriteTable(stdout); err != nil {
		return err
	}
	if jsonFile != "" {
		return rep.WriteJSON(jsonFile)
	}
	return nil
}
