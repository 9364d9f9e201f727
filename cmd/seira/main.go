// Command seira is the queue-ticketing server: kiosk, counters, displays,
// ticket pages and administration in one binary.
//
//	seira [serve] [-addr :8080] [-data ./seira-data] [-public-url URL]
//	seira sim [-url URL] [-speed N]
//	seira backup -o FILE [-url URL] [-user admin]   (password in SEIRA_PASSWORD)
//	seira version
//
// Every flag can also be set in the environment as SEIRA_<FLAG>, with
// dashes as underscores (SEIRA_PUBLIC_URL); a flag on the command line wins.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	_ "time/tzdata" // Europe/Athens and friends on machines without zoneinfo
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	if err != nil && !errors.Is(err, errUsage) {
		fmt.Fprintln(os.Stderr, "seira:", err)
	}
	if err != nil {
		os.Exit(1)
	}
}

// errUsage is returned after the flag package has already said what is
// wrong.
var errUsage = errors.New("usage")

// run is the whole program, with its surroundings passed in so that tests
// run it in-process.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cmd := "serve"
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		return serve(ctx, args, getenv, stdout, stderr)
	case "sim":
		return simCmd(ctx, args, getenv, stdout, stderr)
	case "backup":
		return backupCmd(ctx, args, getenv, stdout, stderr)
	case "load":
		return loadCmd(ctx, args, getenv, stdout, stderr)
	case "version":
		fmt.Fprintf(stdout, "seira %s\n", version)
		return nil
	case "help":
		fmt.Fprintln(stdout, `usage: seira [command] [flags]
  serve    run the server (the default); seira serve -h lists its flags
  sim      play a simulated office day and measure the wait estimate
  backup   copy a running server's store to a file (-o FILE)
  load     drive a running seira with kiosks, counters and live subscribers and report
  version  print the version`)
		return nil
	}
	return fmt.Errorf("unknown command %q (try: seira help)", cmd)
}
