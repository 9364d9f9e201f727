package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"time"

	"github.com/seira-queue/seira/app"
	"github.com/seira-queue/seira/internal/publicurl"
)

const serveSummary = "run the server (the default command): kiosks, counters, displays, phones and administration"

// serveOpts are serve's flags.
type serveOpts struct {
	addr, data, publicURL, logFormat, logLevel, debugAddr, clockStart *string
	kioskRate, clockSpeed, bookingPerHour                             *float64
	kioskBurst, bookingBurst                                          *int
	remotePerDay, remoteDifficulty                                    *int
	store                                                             storeOpts

	// webhooksAllowPrivate lets webhooks reach private addresses.
	webhooksAllowPrivate *bool
}

func serveFlags(getenv func(string) string) (*cmdFlags, serveOpts) {
	f := newCmdFlags("serve", serveSummary, "SEIRA_", getenv)
	o := serveOpts{
		addr:           f.String("addr", ":8080", "listen address"),
		data:           f.String("data", "./seira-data", "data directory (the store is seira.db inside)"),
		publicURL:      f.String("public-url", "", "base URL that phones reach, for QR codes and pairing links, e.g. https://kep.example.gr (default: this machine's network address)"),
		logFormat:      f.String("log-format", "json", "log format: json or text"),
		logLevel:       f.String("log-level", "info", "log level: debug, info, warn or error"),
		kioskRate:      f.Float64("kiosk-rate", 1, "tickets per second a kiosk may issue on average"),
		kioskBurst:     f.Int("kiosk-burst", 10, "tickets a kiosk may issue at once"),
		bookingPerHour: f.Float64("booking-per-hour", 120, "appointments one client address may book an hour on average, without signing in"),
		bookingBurst:   f.Int("booking-burst", 5, "appointments one client address may book at once, without signing in"),
		clockStart:     f.String("clock-start", "", "for simulations only: start the server's clock at this RFC 3339 time"),
		clockSpeed:     f.Float64("clock-speed", 1, "for simulations only: how many times faster than real time the server's clock runs"),
		debugAddr:      f.String("debug-addr", "", "serve Go's profiler (net/http/pprof) on this address, e.g. 127.0.0.1:6060 (never expose it)"),
		store:          storeFlags(f),
	}
	o.remotePerDay = f.Int("remote-per-day", 10, "tickets one client address may take from home (/b/{branch}) a day")
	o.remoteDifficulty = f.Int("remote-difficulty", 16, "the proof of work of a ticket from home, in leading zero bits of SHA-256 (16: a second or two on a phone)")
	o.webhooksAllowPrivate = f.Bool("webhooks-allow-private", false, "let webhooks reach loopback, link-local and private addresses (a receiver on the office's own network)")
	f.note("SEIRA_ADMIN_PASSWORD", "the admin user's password, set at the first start (default: one is generated and printed once)")
	return f, o
}

// serveConfig is serve's configuration: resolved once from the flags and
// their variables, and checked, before anything starts.
type serveConfig struct {
	addr, debugAddr string
	log             *slog.Logger
	app             app.Config
}

// resolve checks serve's flags and turns them into its configuration;
// each mistake is a usageError that names the flag.
func (o serveOpts) resolve(stderr io.Writer) (serveConfig, error) {
	c := serveConfig{addr: *o.addr, debugAddr: *o.debugAddr}
	now, err := simClock(*o.clockStart, *o.clockSpeed)
	if err != nil {
		return c, err
	}
	switch {
	case *o.kioskRate <= 0:
		return c, usageError{fmt.Sprintf("-kiosk-rate %v: want a positive number", *o.kioskRate)}
	case *o.kioskBurst <= 0:
		return c, usageError{fmt.Sprintf("-kiosk-burst %d: want a positive whole number", *o.kioskBurst)}
	case *o.bookingPerHour <= 0:
		return c, usageError{fmt.Sprintf("-booking-per-hour %v: want a positive number", *o.bookingPerHour)}
	case *o.bookingBurst <= 0:
		return c, usageError{fmt.Sprintf("-booking-burst %d: want a positive whole number", *o.bookingBurst)}
	case *o.remotePerDay <= 0:
		return c, usageError{fmt.Sprintf("-remote-per-day %d: want a positive whole number", *o.remotePerDay)}
	case *o.remoteDifficulty < 0 || *o.remoteDifficulty > 28:
		return c, usageError{fmt.Sprintf("-remote-difficulty %d: want 0 to 28 bits", *o.remoteDifficulty)}
	case *o.data == "":
		return c, usageError{"-data: want a directory"}
	}
	public, err := publicurl.Parse(*o.publicURL)
	if err != nil {
		return c, usageError{"-public-url: " + err.Error()}
	}
	if c.log, err = newLogger(*o.logFormat, *o.logLevel, stderr); err != nil {
		return c, err
	}
	etcd, err := o.store.resolve()
	if err != nil {
		return c, err
	}
	difficulty := *o.remoteDifficulty
	if difficulty == 0 {
		difficulty = -1 // no work: the app's zero is the default
	}
	c.app = app.Config{Data: *o.data, Etcd: etcd, Public: public, KioskRate: *o.kioskRate, KioskBurst: *o.kioskBurst,
		BookingRate: *o.bookingPerHour / 3600, BookingBurst: *o.bookingBurst,
		RemotePerDay: *o.remotePerDay, RemoteDifficulty: difficulty,
		Version: version, Logger: c.log, Now: now}
	c.app.Webhooks.Guard.AllowPrivate = *o.webhooksAllowPrivate
	return c, nil
}

func serve(ctx context.Context, args []string, s sys) error {
	f, o := serveFlags(s.getenv)
	if err := f.parse(args, s.stdout); err != nil {
		return err
	}
	cfg, err := o.resolve(s.stderr)
	if err != nil {
		return f.point(err)
	}
	log := cfg.log
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.addr, err)
	}
	// Without a public URL, links go to this machine's network address, so
	// that phones reach the QR codes of a kiosk opened on the server itself.
	var choice publicurl.Choice
	if cfg.app.Public.Public() == "" {
		addrs, err := s.interfaceAddrs()
		if err != nil {
			log.Warn("cannot list the network addresses", "err", err)
		}
		if choice = publicurl.Choose(ln.Addr(), addrs); choice.LAN {
			cfg.app.Public = cfg.app.Public.WithLAN(choice.URL)
		}
	}
	a, err := app.Open(cfg.app)
	if err != nil {
		ln.Close()
		return err
	}
	if cfg.debugAddr != "" {
		stop, err := servePprof(cfg.debugAddr, log)
		if err != nil {
			ln.Close()
			a.Close()
			return err
		}
		defer stop()
	}
	pw := s.getenv("SEIRA_ADMIN_PASSWORD")
	d, err := a.SetUp(ctx, pw)
	if err == nil {
		base, notes := banner(cfg.app.Public, choice)
		err = a.PrintLinks(ctx, s.stdout, base, notes, d, pw != "")
	}
	if err != nil {
		ln.Close()
		a.Close()
		return err
	}
	return a.Serve(ctx, ln)
}

// banner returns the base of the start-up banner's links and what it says
// of the choice: which address, and how to set another; or why phones
// cannot reach it.
func banner(public publicurl.Base, c publicurl.Choice) (base string, notes []string) {
	switch {
	case public.Public() != "":
		return public.Public(), []string{"links and QR codes use -public-url (SEIRA_PUBLIC_URL)"}
	case c.LAN:
		return c.URL, []string{
			"links and QR codes use this machine's network address, so that phones on its network reach them;",
			"to use another (a name, or HTTPS in front of seira), set -public-url or SEIRA_PUBLIC_URL",
		}
	case c.Reason == publicurl.ListenLoopback:
		return c.URL, []string{
			"warning: seira listens on loopback only, so phones cannot reach the QR codes' links;",
			"listen on the network (-addr :8080) or set -public-url (SEIRA_PUBLIC_URL)",
		}
	}
	return c.URL, []string{
		"warning: this machine has no network address but loopback, so phones cannot reach the QR codes' links;",
		"connect it to the office's network, or set -public-url (SEIRA_PUBLIC_URL)",
	}
}

func newLogger(format, level string, w io.Writer) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, usageError{fmt.Sprintf("-log-level %q: want debug, info, warn or error", level)}
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch format {
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	}
	return nil, usageError{fmt.Sprintf("-log-format %q: want json or text", format)}
}

// simClock returns a clock that starts at start and runs speed times
// faster than real time, for playing a day in minutes (seira sim); nil
// for the real clock.
func simClock(start string, speed float64) (func() time.Time, error) {
	if start == "" && speed == 1 {
		return nil, nil
	}
	if speed <= 0 || speed > 10000 {
		return nil, usageError{fmt.Sprintf("-clock-speed %v: want a number above 0, at most 10000", speed)}
	}
	base := time.Now()
	if start != "" {
		var err error
		if base, err = time.Parse(time.RFC3339, start); err != nil {
			return nil, usageError{fmt.Sprintf("-clock-start %q: want an RFC 3339 time, e.g. 2026-12-07T08:00:00+02:00", start)}
		}
	}
	real0 := time.Now()
	return func() time.Time {
		return base.Add(time.Duration(float64(time.Since(real0)) * speed))
	}, nil
}
