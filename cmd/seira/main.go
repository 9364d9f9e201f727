// Command seira is the queue-ticketing server: kiosk, counters, displays,
// ticket pages and administration in one binary.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "seira:", err)
		os.Exit(1)
	}
}

// run is the whole program, with its surroundings passed in so that tests
// can run it in-process.
func run(_ context.Context, _ []string, _ func(string) string, stdout io.Writer) error {
	fmt.Fprintf(stdout, "seira %s\n", version)
	return nil
}
