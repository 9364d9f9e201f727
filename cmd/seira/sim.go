package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/seira-queue/seira/sim"
)

// simCmd plays a day of an office against seira and prints how far the wait
// estimates were from the real waits (see package sim).
const simSummary = "play a simulated office day and measure the wait estimate"

type simOpts struct {
	url, user, password, dayFile, csvFile, data, logLevel *string
	speed                                                 *float64
	seed                                                  *uint64
	seeds, warm                                           *int
	hardStop                                              *time.Duration
}

func simFlags(getenv func(string) string) (*cmdFlags, simOpts) {
	f := newCmdFlags("sim", simSummary, "SEIRA_SIM_", getenv)
	o := simOpts{
		url:      f.String("url", "", "a running seira to play against (default: start one in this process with a temporary store)"),
		speed:    f.Float64("speed", 300, "how many times faster than real time the server's clock runs (must match its -clock-speed)"),
		user:     f.String("user", "admin", "user the kiosk and the clerks sign in as (with -url)"),
		password: f.String("password", getenv("SEIRA_ADMIN_PASSWORD"), "that user's password (with -url; default SEIRA_ADMIN_PASSWORD)"),
		dayFile:  f.String("day", "", "day file in the form of reference-day.json (default: the embedded reference day)"),
		seed:     f.Uint64("seed", 1, "seed of the day's arrivals and service times"),
		seeds:    f.Int("seeds", 1, "without -url: play this many seeds from -seed on, each on a fresh in-process server, and end with their means"),
		csvFile:  f.String("csv", "", "write one row per ticket to this CSV file"),
		data:     f.String("data", "", "without -url: keep the in-process server's store in this directory"),
		warm:     f.Int("warm", 0, "without -url: start the in-process server as after this many earlier days of the office, played through its engine first (its service times and priority rates learned)"),
		hardStop: f.Duration("hard-stop", time.Hour, "how long after closing the clerks keep serving the tickets still waiting"),
		logLevel: logLevel(f),
	}
	f.note("SEIRA_ADMIN_PASSWORD", "the default of -password")
	return f, o
}

func simCmd(ctx context.Context, args []string, s sys) error {
	f, o := simFlags(s.getenv)
	if err := f.parse(args, s.stdout); err != nil {
		return err
	}
	url, speed, user, password, dayFile, seed, seeds, csvFile, data, hardStop := o.url, o.speed, o.user, o.password, o.dayFile, o.seed, o.seeds, o.csvFile, o.data, o.hardStop
	stdout := s.stdout
	log, err := newLogger("text", *o.logLevel, s.stderr)
	if err != nil {
		return f.point(err)
	}
	day := sim.ReferenceDay()
	if *dayFile != "" {
		if day, err = sim.LoadDay(*dayFile); err != nil {
			return err
		}
	}
	if *url != "" && *password == "" {
		return usageError{"sim: -url needs -password (or SEIRA_SIM_PASSWORD) (see: seira sim -h)"}
	}
	switch {
	case *o.warm < 0 || *o.warm > sim.MaxWarm:
		return usageError{fmt.Sprintf("sim: -warm must be 0 to %d earlier days (see: seira sim -h)", sim.MaxWarm)}
	case *o.warm > 0 && *url != "":
		return usageError{"sim: -warm warms the in-process server: it does not go with -url (see: seira sim -h)"}
	case *seeds < 1:
		return usageError{"sim: -seeds must be at least 1 (see: seira sim -h)"}
	case *seeds > 1 && (*url != "" || *data != "" || *csvFile != ""):
		// Each seed wants an office of its own, and one file each.
		return usageError{"sim: -seeds plays on fresh in-process servers: it does not go with -url, -data or -csv (see: seira sim -h)"}
	}
	var reps []*sim.Report
	for i := range *seeds {
		rep, err := sim.Run(ctx, day, sim.Options{URL: *url, Speed: *speed, User: *user, Password: *password,
			Seed: *seed + uint64(i), Data: *data, HardStop: *hardStop, Warm: *o.warm, Logger: log})
		if err != nil {
			return fmt.Errorf("sim: seed %d: %w", *seed+uint64(i), err)
		}
		if i > 0 {
			fmt.Fprintln(stdout)
		}
		if err := rep.WriteTable(stdout); err != nil {
			return err
		}
		reps = append(reps, rep)
	}
	if len(reps) > 1 {
		if err := sim.WriteSeedMeans(stdout, reps); err != nil {
			return err
		}
	}
	rep := reps[len(reps)-1]
	if *csvFile != "" {
		f, err := os.Create(*csvFile)
		if err != nil {
			return fmt.Errorf("csv: %w", err)
		}
		if err := rep.WriteCSV(f); err != nil {
			f.Close()
			return fmt.Errorf("csv %s: %w", *csvFile, err)
		}
		if err := f.Close(); err != nil {
			return fmt.Errorf("csv %s: %w", *csvFile, err)
		}
	}
	for _, rep := range reps {
		if n := rep.ServerErrors(); n > 0 {
			return fmt.Errorf("%d server errors (5xx) during the run of seed %d: each is a bug", n, rep.Seed)
		}
	}
	return nil
}
