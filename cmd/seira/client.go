package main

import (
	"flag"
	"io"
	"log/slog"
)

// What the commands that drive a running server from outside (load, sim,
// backup) share.

// parseLogged adds -log-level to fs, parses args, and returns a text
// logger for stderr at that level: the tools log alike, quietly (warn) by
// default, as their output is the report on stdout.
func parseLogged(fs *flag.FlagSet, env func(flagName, def string) string, args []string, stderr io.Writer) (*slog.Logger, error) {
	level := fs.String("log-level", env("log-level", "warn"), "log level: debug, info, warn or error")
	if err := parse(fs, args); err != nil {
		return nil, err
	}
	return newLogger("text", *level, stderr)
}

// adminPassword is the administrator's password the tools sign in with:
// SEIRA_PASSWORD, or the SEIRA_ADMIN_PASSWORD the server was set up with.
func adminPassword(getenv func(string) string) string {
	if pw := getenv("SEIRA_PASSWORD"); pw != "" {
		return pw
	}
	return getenv("SEIRA_ADMIN_PASSWORD")
}
