// Package app wires seira's parts into one server: the store, the engine,
// the live hub, sign-in and the HTTP server. The command and the end-to-end
// tests build the same thing through it.
package app

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/time/rate"

	"github.com/seira-queue/seira/announce"
	"github.com/seira-queue/seira/auth"
	"github.com/seira-queue/seira/display"
	"github.com/seira-queue/seira/engine"
	"github.com/seira-queue/seira/i18n"
	"github.com/seira-queue/seira/internal/publicurl"
	"github.com/seira-queue/seira/metrics"
	"github.com/seira-queue/seira/queue"
	"github.com/seira-queue/seira/server"
	"github.com/seira-queue/seira/static"
	"github.com/seira-queue/seira/storage"
	"github.com/seira-queue/seira/webhook"
)

// Config is everything the server is configured with.
type Config struct {
	// Data is the data directory; the store is seira.db inside (on etcd,
	// the local mirror of the cluster).
	Data string
	// Etcd, if set, puts the store on an etcd cluster instead of bbolt.
	Etcd *storage.EtcdOptions
	// Public decides the base URL citizens reach (QR and pairing links);
	// its host is an allowed WebSocket origin.
	Public publicurl.Base
	// KioskRate and KioskBurst limit ticket issue per kiosk device.
	KioskRate  float64
	KioskBurst int
	// BookingRate (per second) and BookingBurst limit public bookings per
	// client address; zero takes the booking API's defaults.
	BookingRate  float64
	BookingBurst int
	Version      string
	Logger       *slog.Logger
	// Now and BcryptCost are for tests.
	Now        func() time.Time
	BcryptCost int
	// Hub tunes the live hub.
	Hub display.Options

	// RemotePerDay limits tickets from home per client address and day;
	// RemoteDifficulty is their proof of work in zero bits (negative:
	// none). Zero takes the defaults.
	RemotePerDay     int
	RemoteDifficulty int
	// Webhooks tunes the webhook worker; Webhooks.Guard.AllowPrivate is
	// the operator's -webhooks-allow-private.
	Webhooks webhook.Options
}

// App is a running seira.
type App struct {
	cfg     Config
	Store   *storage.Store
	Engine  *engine.Engine
	Hub     *display.Hub
	Auth    *auth.Service
	Server  *server.Server
	Metrics *metrics.Metrics
	log     *slog.Logger

	// Webhooks sends the outboxes of webhook subscriptions.
	Webhooks *webhook.Worker
}

// Open opens the store and builds every part.
func Open(cfg Config) (*App, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	cat, err := i18n.Load(static.FS())
	if err != nil {
		return nil, err
	}
	ann, err := announce.New()
	if err != nil {
		return nil, err
	}
	a := &App{cfg: cfg, log: cfg.Logger}
	// The parts refer to each other (the engine publishes to the hub and
	// the metrics, which read from the engine); each is in place before
	// anything is written.
	store, err := openStore(cfg, storage.Options{Logger: cfg.Logger,
		ObserveCommit: func(d time.Duration, n int) { a.Metrics.ObserveCommit(d, n) }})
	if err != nil {
		return nil, err
	}
	a.Store = store
	whOpts := cfg.Webhooks
	whOpts.Version, whOpts.Logger = cfg.Version, cfg.Logger
	if cfg.Now != nil && whOpts.Now == nil {
		// The deliveries' times are the engine's (a simulated day's too);
		// the signatures keep real time (Options.Wall).
		whOpts.Now = cfg.Now
	}
	a.Webhooks = webhook.New(store, whOpts)
	a.Engine = engine.New(store, engine.Options{Logger: cfg.Logger, Now: cfg.Now,
		Publisher: engine.PublisherFunc(func(evs []queue.Event) {
			a.Hub.Publish(evs)
			a.Metrics.Publish(evs)
			// A commit may have filled an outbox (never blocks).
			a.Webhooks.Notify()
		})})
	hubOpts := cfg.Hub
	hubOpts.Logger = cfg.Logger
	if cfg.Etcd != nil && hubOpts.ResumeWait == 0 {
		hubOpts.ResumeWait = 2 * time.Second
	}
	hubOpts.ObserveFanOut = func(n int, d time.Duration) { a.Metrics.ObserveFanOut(n, d) }
	if host := cfg.Public.Host(); host != "" {
		hubOpts.AllowedOrigins = append(hubOpts.AllowedOrigins, host)
	}
	a.Hub = display.New(a.Engine, hubOpts)
	a.Metrics = metrics.New(a.Engine, a.Hub)
	// Sign-in keeps real time even when the engine runs a simulated clock.
	a.Auth = auth.New(store, auth.Options{Logger: cfg.Logger, BcryptCost: cfg.BcryptCost, Record: a.Engine.Record})
	a.Server, err = server.New(server.Config{Public: cfg.Public, Version: cfg.Version, Logger: cfg.Logger,
		KioskRate: rate.Limit(cfg.KioskRate), KioskBurst: cfg.KioskBurst, Catalogues: cat,
		BookingRate: rate.Limit(cfg.BookingRate), BookingBurst: cfg.BookingBurst,
		RemotePerDay: cfg.RemotePerDay, RemoteDifficulty: cfg.RemoteDifficulty, WebhookGuard: cfg.Webhooks.Guard},
		server.Deps{Store: store, Engine: a.Engine, Auth: a.Auth, Hub: a.Hub, Announcer: ann, Metrics: a.Metrics})
	if err != nil {
		a.Close()
		return nil, err
	}
	return a, nil
}

// openStore opens the bbolt file in the data directory, or connects to
// etcd with the local mirror there.
func openStore(cfg Config, opts storage.Options) (*storage.Store, error) {
	if cfg.Etcd == nil {
		return storage.Open(filepath.Join(cfg.Data, "seira.db"), opts)
	}
	eo := *cfg.Etcd
	if eo.Dir == "" {
		eo.Dir = cfg.Data
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return storage.OpenEtcd(ctx, eo, opts)
}

// Serve serves on ln until ctx is done, then shuts down gracefully: stop
// accepting, finish requests, close WebSockets with 1001, close the store.
func (a *App) Serve(ctx context.Context, ln net.Listener) error {
	// ReadTimeout bounds a slow body too; WebSockets set their own
	// deadlines once upgraded, and responses (a backup) may take long.
	hs := &http.Server{Handler: a.Server, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second, IdleTimeout: 2 * time.Minute,
		ErrorLog: slog.NewLogLogger(a.log.Handler(), slog.LevelWarn)}
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	store := "bolt"
	if a.cfg.Etcd != nil {
		store = "etcd " + strings.Join(a.cfg.Etcd.Endpoints, ",") + " " + a.cfg.Etcd.Prefix
	}
	a.log.Info("seira serving", "addr", ln.Addr().String(), "data", a.cfg.Data, "store", store, "version", a.cfg.Version, "schema", storage.SchemaVersion())
	stopTicks := a.tickBranches()
	stopWebhooks := a.sendWebhooks()
	var err error
	select {
	case err = <-served:
	case <-ctx.Done():
	}
	stopTicks()
	stopWebhooks()
	a.log.Info("seira shutting down")
	a.Server.Drain()
	shutCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if serr := hs.Shutdown(shutCtx); serr != nil {
		a.log.Warn("http shutdown", "err", serr)
	}
	// Shutdown leaves hijacked WebSocket connections open: the hub closes
	// them with 1001 so that clients reconnect to the next server.
	if herr := a.Hub.Close(shutCtx); herr != nil {
		a.log.Warn("live shutdown", "err", herr)
	}
	// The last uses of API tokens noted by the requests just finished.
	if aerr := a.Auth.Close(shutCtx); aerr != nil {
		a.log.Warn("auth shutdown", "err", aerr)
	}
	if cerr := a.Store.Close(); cerr != nil && err == nil {
		err = cerr
	}
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

// Close releases an App that was opened but never served.
func (a *App) Close() error {
	_ = a.Hub.Close(context.Background())
	if a.Auth != nil {
		_ = a.Auth.Close(context.Background())
	}
	return a.Store.Close()
}

// tickBranches closes service days at midnight even when nobody acts, and
// sends appointment reminders. With several instances on etcd, one of them
// at a time does it.
func (a *App) tickBranches() (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		a.Store.RunElected(ctx, "ticks", a.tick)
	}()
	return func() { cancel(); <-done }
}

// sendWebhooks runs the webhook worker; with several instances on etcd,
// one of them at a time sends.
func (a *App) sendWebhooks() (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		a.Store.RunElected(ctx, "webhooks", a.Webhooks.Run)
	}()
	return func() { cancel(); <-done }
}

// tick is the background jobs' loop, until ctx ends.
func (a *App) tick(ctx context.Context) {
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			branches, err := a.Engine.Branches(ctx)
			if err != nil {
				a.log.Warn("midnight check", "err", err)
				continue
			}
			for _, b := range branches {
				if err := a.Engine.Tick(ctx, b.ID); err != nil && ctx.Err() == nil {
					a.log.Warn("midnight check", "branch", b.ID, "err", err)
				}
				if _, err := a.Engine.Reminders(ctx, b.ID); err != nil && ctx.Err() == nil {
					a.log.Warn("appointment reminders", "branch", b.ID, "err", err)
				}
			}
			// Rate-limit buckets idle for a day are full: forget them.
			if _, err := a.Store.PruneTokens(ctx, time.Now().Add(-24*time.Hour)); err != nil && ctx.Err() == nil {
				a.log.Warn("prune rate limits", "err", err)
			}
		}
	}
}
