package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/seira-queue/seira/app"
)

// newFlags returns a flag set whose defaults come from SEIRA_* variables.
func newFlags(name string, getenv func(string) string, stderr io.Writer) (*flag.FlagSet, func(flagName, def string) string) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	env := func(flagName, def string) string {
		if v := getenv("SEIRA_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))); v != "" {
			return v
		}
		return def
	}
	return fs, env
}

func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		return errUsage // the flag package has printed why
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	return nil
}

func serve(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs, env := newFlags("serve", getenv, stderr)
	addr := fs.String("addr", env("addr", ":8080"), "listen address")
	data := fs.String("data", env("data", "./seira-data"), "data directory (the store is seira.db inside)")
	publicURL := fs.String("public-url", env("public-url", ""), "base URL citizens reach, for QR links (default: the request's host)")
	logFormat := fs.String("log-format", env("log-format", "json"), "log format: json or text")
	logLevel := fs.String("log-level", env("log-level", "info"), "log level: debug, info, warn or error")
	kioskRate := fs.String("kiosk-rate", env("kiosk-rate", "1"), "tickets per second a kiosk may issue on average")
	kioskBurst := fs.String("kiosk-burst", env("kiosk-burst", "10"), "tickets a kiosk may issue at once")
	clockStart := fs.String("clock-start", env("clock-start", ""), "for simulations only: start the server's clock at this RFC 3339 time")
	clockSpeed := fs.Float64("clock-speed", 1, "for simulations only: how many times faster than real time the server's clock runs")
	debugAddr := fs.String("debug-addr", env("debug-addr", ""), "serve Go's profiler (net/http/pprof) on this address, e.g. 127.0.0.1:6060 (off when empty; never expose it)")
	if err := parse(fs, args); err != nil {
		return err
	}
	now, err := simClock(*clockStart, *clockSpeed)
	if err != nil {
		return err
	}
	rate, err := strconv.ParseFloat(*kioskRate, 64)
	if err != nil || rate <= 0 {
		return fmt.Errorf("-kiosk-rate %q: want a positive number", *kioskRate)
	}
	burst, err := strconv.Atoi(*kioskBurst)
	if err != nil || burst <= 0 {
		return fmt.Errorf("-kiosk-burst %q: want a positive whole number", *kioskBurst)
	}
	log, err := newLogger(*logFormat, *logLevel, stderr)
	if err != nil {
		return err
	}
	a, err := app.Open(app.Config{Data: *data, PublicURL: *publicURL, KioskRate: rate, KioskBurst: burst,
		Version: version, Logger: log, Now: now})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		a.Close()
		return fmt.Errorf("listen on %s: %w", *addr, err)
	}
	base := strings.TrimRight(*publicURL, "/")
	if base == "" {
		base = localURL(ln.Addr())
	}
	if *debugAddr != "" {
		stop, err := servePprof(*debugAddr, log)
		if err != nil {
			ln.Close()
			a.Close()
			return err
		}
		defer stop()
	}
	pw := getenv("SEIRA_ADMIN_PASSWORD")
	d, err := a.SetUp(ctx, pw)
	if err == nil {
		err = a.PrintLinks(ctx, stdout, base, d, pw != "")
	}
	if err != nil {
		ln.Close()
		a.Close()
		return err
	}
	return a.Serve(ctx, ln)
}

func newLogger(format, level string, w io.Writer) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("-log-level %q: want debug, info, warn or error", level)
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch format {
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("-log-format %q: want json or text", format)
}

// localURL is the URL to print for a listener when no public URL is set.
func localURL(a net.Addr) string {
	tcp, ok := a.(*net.TCPAddr)
	if !ok {
		return "http://" + a.String()
	}
	host := tcp.IP.String()
	if tcp.IP.IsUnspecified() {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, strconv.Itoa(tcp.Port))
}

// simClock returns a clock that starts at start and runs speed times
// faster than real time, for playing a day in minutes (seira sim); nil
// for the real clock.
func simClock(start string, speed float64) (func() time.Time, error) {
	if start == "" && speed == 1 {
		return nil, nil
	}
	if speed <= 0 || speed > 10000 {
		return nil, fmt.Errorf("-clock-speed %v: want a number from 0 to 10000", speed)
	}
	base := time.Now()
	if start != "" {
		var err error
		if base, err = time.Parse(time.RFC3339, start); err != nil {
			return nil, fmt.Errorf("-clock-start %q: want an RFC 3339 time: %w", start, err)
		}
	}
	real0 := time.Now()
	return func() time.Time {
		return base.Add(time.Duration(float64(time.Since(real0)) * speed))
	}, nil
}
