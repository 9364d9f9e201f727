package sim

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"slices"
	"time"

	"github.com/seira-queue/seira/app"
	"github.com/seira-queue/seira/engine"
	"github.com/seira-queue/seira/queue"
)

// local is a seira served by this process for one run (mode b).
type local struct {
	url      string
	user     string
	password string
	clock    *fastClock
	stop     func() error
}

// startLocal opens a store in opts.Data (or a temporary directory), gives
// it the demo office, fits the day's branch, services and counters, and
// serves on 127.0.0.1. Its clock stands at the day's opening on the next
// weekday until clock.start.
func startLocal(ctx context.Context, d Day, opts Options, log *slog.Logger) (*local, error) {
	loc, err := d.Location()
	if err != nil {
		return nil, fmt.Errorf("time zone: %w", err)
	}
	dir, cleanup := opts.Data, func() {}
	if dir == "" {
		if dir, err = os.MkdirTemp("", "seira-sim-"); err != nil {
			return nil, fmt.Errorf("data directory: %w", err)
		}
		cleanup = func() { _ = os.RemoveAll(dir) }
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("data directory: %w", err)
	}
	opening := atTime(nextWeekday(time.Now(), loc), d.Open)
	l := &local{user: "admin", password: opts.Password, clock: &fastClock{base: opening, speed: opts.Speed}}
	if opts.Warm > 0 {
		// The office is set up on the first earlier day.
		days, err := warmDays(d, opening, opts.Warm)
		if err != nil {
			cleanup()
			return nil, err
		}
		l.clock.set(days[0])
	}
	if l.password == "" {
		l.password = randomHex(12)
	}
	a, err := app.Open(app.Config{Data: dir, Now: l.clock.Now, BcryptCost: 4, Version: "sim",
		KioskRate: 1000, KioskBurst: 1000, Logger: slog.New(minLevel{log.Handler(), slog.LevelWarn})})
	if err != nil {
		cleanup()
		return nil, fmt.Errorf("open the store: %w", err)
	}
	fail := func(err error) (*local, error) {
		_ = a.Close()
		cleanup()
		return nil, err
	}
	demo, err := a.SetUp(ctx, l.password)
	if err != nil {
		return fail(fmt.Errorf("set up: %w", err))
	}
	if !demo.Created && opts.Password == "" {
		return fail(errors.New("the data directory is not empty: give the admin's password (-password) or a new directory"))
	}
	if err := fitBranch(ctx, a.Engine, d); err != nil {
		return fail(err)
	}
	if opts.Warm > 0 {
		if !demo.Created {
			return fail(errors.New("warm: the earlier days need a fresh store: give a new or empty data directory"))
		}
		w0 := time.Now()
		if err := warmUp(ctx, a.Engine, l.clock, d, opts, opening); err != nil {
			return fail(err)
		}
		log.Info("warmed up", "days", opts.Warm, "wall", time.Since(w0).Round(time.Millisecond))
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fail(fmt.Errorf("listen: %w", err))
	}
	l.url = "http://" + ln.Addr().String()
	sctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	served := make(chan error, 1)
	go func() { served <- a.Serve(sctx, ln) }()
	l.stop = func() error {
		cancel()
		err := <-served
		cleanup()
		if err != nil {
			return fmt.Errorf("in-process server: %w", err)
		}
		return nil
	}
	log.Debug("in-process seira", "url", l.url, "data", dir, "opening", l.clock.base)
	return l, nil
}

// fitBranch makes the store's branch match the day: it creates the branch
// if missing, adds or fixes services, and sets counters whose services
// differ. Existing services keep their configured default service time
// (the estimate is measured, not tuned); new ones get the day's mean.
func fitBranch(ctx context.Context, eng *engine.Engine, d Day) error {
	services := make([]queue.Service, len(d.Services))
	for i, s := range d.Services {
		services[i] = queue.Service{ID: s.ID, Prefix: s.Prefix, Name: queue.Text(s.Name), Order: i + 1, Open: true,
			DefaultServiceS: s.defaultServiceS()}
	}
	counters := make([]queue.Counter, len(d.Counters))
	for i, c := range d.Counters {
		counters[i] = queue.Counter{ID: c.ID, Serves: c.Serves, Status: queue.CounterClosed,
			Name: queue.Text{"el": "Γκισέ " + c.ID, "en": "Counter " + c.ID}}
	}
	if !eng.HasBranch(ctx, d.Branch) {
		br := queue.Branch{ID: d.Branch, Name: queue.Text{"el": d.Branch, "en": d.Branch}, TimeZone: d.tz()}
		if err := eng.CreateBranch(ctx, "sim", br, services, counters); err != nil {
			return fmt.Errorf("create branch %s: %w", d.Branch, err)
		}
		return nil
	}
	snap, err := eng.Snapshot(ctx, d.Branch)
	if err != nil {
		return fmt.Errorf("branch %s: %w", d.Branch, err)
	}
	if snap.Branch.TimeZone != d.tz() {
		return fmt.Errorf("branch %s is in time zone %s, the day in %s", d.Branch, snap.Branch.TimeZone, d.tz())
	}
	have := map[string]queue.Service{}
	for _, s := range snap.Services {
		have[s.Service.ID] = s.Service
	}
	for _, s := range services {
		old, ok := have[s.ID]
		if ok && old.Prefix == s.Prefix && old.Open {
			continue
		}
		if ok {
			s.DefaultServiceS, s.TargetWaitS, s.Order = old.DefaultServiceS, old.TargetWaitS, old.Order
		}
		if _, err := eng.PutService(ctx, "sim", d.Branch, s); err != nil {
			return fmt.Errorf("service %s: %w", s.ID, err)
		}
	}
	haveC := map[string]queue.Counter{}
	for _, c := range snap.Counters {
		haveC[c.Counter.ID] = c.Counter
	}
	for _, c := range counters {
		old, ok := haveC[c.ID]
		if ok && slices.Equal(old.Serves, c.Serves) {
			continue
		}
		if ok {
			c.Name = old.Name
		}
		if _, err := eng.PutCounter(ctx, "sim", d.Branch, c); err != nil {
			return fmt.Errorf("counter %s: %w", c.ID, err)
		}
	}
	return nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	return hex.EncodeToString(b)
}

// minLevel drops records below its level, to keep the in-process server's
// routine logs out of the simulator's output.
type minLevel struct {
	slog.Handler
	min slog.Level
}

func (h minLevel) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.min && h.Handler.Enabled(ctx, l)
}

func (h minLevel) WithAttrs(as []slog.Attr) slog.Handler {
	return minLevel{h.Handler.WithAttrs(as), h.min}
}

func (h minLevel) WithGroup(name string) slog.Handler {
	return minLevel{h.Handler.WithGroup(name), h.min}
}
