package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/seira-queue/seira/sim"
)

// simCmd plays a day of an office against seira and prints how far the wait
// estimates were from the real waits (see package sim).
func simCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs, env := newFlags("sim", getenv, stderr)
	url := fs.String("url", env("sim-url", ""), "a running seira to play against (default: start one in this process with a temporary store)")
	speed := fs.Float64("speed", 300, "how many times faster than real time the server's clock runs (must match its -clock-speed)")
	user := fs.String("user", env("sim-user", "admin"), "user the kiosk and the clerks sign in as (with -url)")
	password := fs.String("password", env("sim-password", getenv("SEIRA_ADMIN_PASSWORD")), "that user's password (with -url)")
	dayFile := fs.String("day", "", "day file in the form of reference-day.json (default: the embedded reference day)")
	seed := fs.Uint64("seed", 1, "seed of the day's arrivals and service times")
	seeds := fs.Int("seeds", 1, "without -url: play this many seeds from -seed on, each on a fresh in-process server, and end with their means")
	csvFile := fs.String("csv", "", "write one row per ticket to this CSV file")
	data := fs.String("data", "", "without -url: keep the in-process server's store in this directory")
	hardStop := fs.Duration("hard-stop", time.Hour, "how long after closing the clerks keep serving the tickets still waiting")
	log, err := parseLogged(fs, env, args, stderr)
	if err != nil {
		return err
	}
	day := sim.ReferenceDay()
	if *dayFile != "" {
		if day, err = sim.LoadDay(*dayFile); err != nil {
			return err
		}
	}
	if *url != "" && *password == "" {
		return errors.New("-url needs -password (or SEIRA_SIM_PASSWORD)")
	}
	switch {
	case *seeds < 1:
		return errors.New("-seeds must be at least 1")
	case *seeds > 1 && (*url != "" || *data != "" || *csvFile != ""):
		// Each seed wants an office of its own, and one file each.
		return errors.New("-seeds plays on fresh in-process servers: it does not go with -url, -data or -csv")
	}
	var reps []*sim.Report
	for i := range *seeds {
		rep, err := sim.Run(ctx, day, sim.Options{URL: *url, Speed: *speed, User: *user, Password: *password,
			Seed: *seed + uint64(i), Data: *data, HardStop: *hardStop, Logger: log})
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
