package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"
)

// usageError is a mistake on the command line: main says it in one line,
// points to -h, and exits with status 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// errHelp says a command printed its help as asked: the program exits 0.
var errHelp = errors.New("help printed")

// envNote is an environment variable a command reads besides its flags'
// twins (a password, say), for its help.
type envNote struct{ name, what string }

// cmdFlags is one command's flags. Every flag has a twin in the
// environment (SEIRA_ and the flag's name in capitals, dashes as
// underscores, unless the command names another), read before the command
// line so that a flag given there wins.
type cmdFlags struct {
	fs      *flag.FlagSet
	name    string
	summary string
	prefix  string            // of the twins' names: "SEIRA_" or "SEIRA_SIM_"…
	env     map[string]string // flag name → its variable
	notes   []envNote
	getenv  func(string) string
}

func newCmdFlags(name, summary, prefix string, getenv func(string) string) *cmdFlags {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	// The flag package would print the whole usage on any mistake: this
	// file says the mistake in one line, and the usage on -h only.
	fs.SetOutput(io.Discard)
	return &cmdFlags{fs: fs, name: name, summary: summary, prefix: prefix, env: map[string]string{}, getenv: getenv}
}

// twin records flag name's variable: the prefix's, or envName when given.
func (f *cmdFlags) twin(name string, envName ...string) {
	v := f.prefix + strings.ToUpper(strings.ReplaceAll(name, "-", "_"))
	if len(envName) > 0 {
		v = envName[0]
	}
	f.env[name] = v
}

// define adds a flag of any kind, by the FlagSet's method for it
// (f.fs.String, f.fs.Int…), and records its twin.
func define[T any](f *cmdFlags, add func(name string, value T, usage string) *T, name string, def T, usage string, envName ...string) *T {
	f.twin(name, envName...)
	return add(name, def, usage)
}

func (f *cmdFlags) String(name, def, usage string, envName ...string) *string {
	return define(f, f.fs.String, name, def, usage, envName...)
}

func (f *cmdFlags) Int(name string, def int, usage string, envName ...string) *int {
	return define(f, f.fs.Int, name, def, usage, envName...)
}

func (f *cmdFlags) Uint64(name string, def uint64, usage string, envName ...string) *uint64 {
	return define(f, f.fs.Uint64, name, def, usage, envName...)
}

func (f *cmdFlags) Float64(name string, def float64, usage string, envName ...string) *float64 {
	return define(f, f.fs.Float64, name, def, usage, envName...)
}

func (f *cmdFlags) Bool(name string, def bool, usage string, envName ...string) *bool {
	return define(f, f.fs.Bool, name, def, usage, envName...)
}

func (f *cmdFlags) Duration(name string, def time.Duration, usage string, envName ...string) *time.Duration {
	return define(f, f.fs.Duration, name, def, usage, envName...)
}

// note adds a variable the command reads besides the flags' twins.
func (f *cmdFlags) note(name, what string) { f.notes = append(f.notes, envNote{name, what}) }

// parse reads the flags' twins from the environment, then the command
// line. -h prints the help on stdout and returns errHelp; a mistake is a
// usageError.
func (f *cmdFlags) parse(args []string, stdout io.Writer) error {
	var bad error
	f.fs.VisitAll(func(fl *flag.Flag) {
		v := f.getenv(f.env[fl.Name])
		if v == "" || bad != nil {
			return
		}
		if err := f.fs.Set(fl.Name, v); err != nil {
			bad = usageError{fmt.Sprintf("%s=%q: %v (see: seira %s -h)", f.env[fl.Name], v, err, f.name)}
		}
	})
	if bad != nil {
		return bad
	}
	err := f.fs.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		f.usage(stdout)
		return errHelp
	case err != nil:
		return usageError{fmt.Sprintf("%s: %v (see: seira %s -h)", f.name, err, f.name)}
	case f.fs.NArg() > 0:
		return usageError{fmt.Sprintf("%s: unexpected arguments %q (see: seira %s -h)", f.name, f.fs.Args(), f.name)}
	}
	return nil
}

// point adds the pointer to the command's help to a usage error found
// after parsing (a value out of range): a mistake always says where to look.
func (f *cmdFlags) point(err error) error {
	var ue usageError
	if errors.As(err, &ue) && !strings.Contains(ue.msg, " -h)") {
		return usageError{fmt.Sprintf("%s: %s (see: seira %s -h)", f.name, ue.msg, f.name)}
	}
	return err
}

// usage writes the command's help: what it does, each flag with its
// default and its variable, and the other variables it reads.
func (f *cmdFlags) usage(w io.Writer) {
	fmt.Fprintf(w, "usage: seira %s [flags]\n\n%s\n\nflags (each also read from the environment variable in brackets; the command line wins):\n", f.name, f.summary)
	f.fs.VisitAll(func(fl *flag.Flag) {
		kind, usage := flag.UnquoteUsage(fl)
		line := "  -" + fl.Name
		if kind != "" {
			line += " " + kind
		}
		fmt.Fprintf(w, "%s   [%s]\n      %s", line, f.env[fl.Name], usage)
		if fl.DefValue != "" && fl.DefValue != "0" && fl.DefValue != "false" {
			fmt.Fprintf(w, " (default %s)", fl.DefValue)
		}
		fmt.Fprintln(w)
	})
	if len(f.notes) > 0 {
		fmt.Fprintln(w, "\nenvironment:")
		for _, n := range f.notes {
			fmt.Fprintf(w, "  %s\n      %s\n", n.name, n.what)
		}
	}
}

// envVars lists every variable the command reads, twins and notes.
func (f *cmdFlags) envVars() []string {
	var out []string
	f.fs.VisitAll(func(fl *flag.Flag) { out = append(out, f.env[fl.Name]) })
	for _, n := range f.notes {
		out = append(out, n.name)
	}
	return out
}
