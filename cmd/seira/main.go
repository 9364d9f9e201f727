// Command seira is the queue-ticketing server: kiosk, counters, displays,
// ticket pages and administration in one binary.
//
//	seira [serve] [-addr :8080] [-data ./seira-data] [-public-url URL]
//	seira sim [-url URL] [-speed N]
//	seira load -url URL …
//	seira backup -o FILE [-url URL] [-user admin]   (password in SEIRA_PASSWORD)
//	seira migrate -from bolt:DIR -to etcd://host:port[,host:port…] [-etcd-prefix /seira/]
//	seira version
//	seira help [command]
//
// Every flag can also be set in the environment (SEIRA_PUBLIC_URL for
// -public-url; `seira CMD -h` names each); a flag on the command line wins.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"syscall"
	_ "time/tzdata" // Europe/Athens and friends on machines without zoneinfo
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

// sys is what the program takes from its surroundings, passed in so that
// tests run it in-process with their own.
type sys struct {
	getenv         func(string) string
	stdout, stderr io.Writer
	// interfaceAddrs lists the machine's network addresses
	// (net.InterfaceAddrs): the start-up banner's links use one.
	interfaceAddrs func() ([]net.Addr, error)
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], sys{getenv: os.Getenv, stdout: os.Stdout, stderr: os.Stderr, interfaceAddrs: net.InterfaceAddrs})
	stop()
	os.Exit(exitCode(err, os.Stderr))
}

// exitCode says err in one line and returns the process's status: 0 for
// success, 2 for a mistake on the command line, 1 for anything else.
func exitCode(err error, stderr io.Writer) int {
	if err == nil {
		return 0
	}
	fmt.Fprintln(stderr, "seira:", err)
	if errors.As(err, new(usageError)) {
		return 2
	}
	return 1
}

// command is one of seira's commands.
type command struct {
	name, summary string
	run           func(ctx context.Context, args []string, s sys) error
	// flags builds the command's flags (for help and tests); nil for a
	// command without any.
	flags func(getenv func(string) string) *cmdFlags
}

// commands lists seira's commands in the order help shows them.
func commands() []command {
	return []command{
		{"serve", serveSummary, serve, func(g func(string) string) *cmdFlags { f, _ := serveFlags(g); return f }},
		{"sim", simSummary, simCmd, func(g func(string) string) *cmdFlags { f, _ := simFlags(g); return f }},
		{"load", loadSummary, loadCmd, func(g func(string) string) *cmdFlags { f, _ := loadFlags(g); return f }},
		{"backup", backupSummary, backupCmd, func(g func(string) string) *cmdFlags { f, _ := backupFlags(g); return f }},
		{"migrate", migrateSummary, migrateCmd, func(g func(string) string) *cmdFlags { f, _ := migrateFlags(g); return f }},
		{"version", "print the version", func(_ context.Context, _ []string, s sys) error {
			fmt.Fprintf(s.stdout, "seira %s\n", version)
			return nil
		}, nil},
		{"help", "list the commands, or show one command's flags: seira help serve", help, nil},
	}
}

// run is the whole program.
func run(ctx context.Context, args []string, s sys) error {
	name := "serve"
	if len(args) > 0 {
		switch a := args[0]; {
		case a == "-h" || a == "-help" || a == "--help":
			return help(ctx, nil, s)
		case a != "" && a[0] != '-':
			name, args = a, args[1:]
		}
	}
	for _, c := range commands() {
		if c.name == name {
			err := c.run(ctx, args, s)
			if errors.Is(err, errHelp) {
				return nil
			}
			return err
		}
	}
	return usageError{fmt.Sprintf("unknown command %q (see: seira -h)", name)}
}

// help lists the commands, or shows one command's help.
func help(_ context.Context, args []string, s sys) error {
	if len(args) > 0 {
		for _, c := range commands() {
			if c.name == args[0] && c.flags != nil {
				c.flags(s.getenv).usage(s.stdout)
				return nil
			}
			if c.name == args[0] {
				fmt.Fprintf(s.stdout, "usage: seira %s\n\n%s\n", c.name, c.summary)
				return nil
			}
		}
		return usageError{fmt.Sprintf("help: unknown command %q (see: seira -h)", args[0])}
	}
	fmt.Fprintln(s.stdout, "usage: seira [command] [flags]\n\ncommands:")
	for _, c := range commands() {
		fmt.Fprintf(s.stdout, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(s.stdout, "\nWithout a command, seira serves. `seira CMD -h` lists a command's flags and the environment variables it reads.")
	return nil
}
