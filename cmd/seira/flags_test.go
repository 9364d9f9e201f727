package main

import (
	"bytes"
	"context"
	"flag"
	"strings"
	"testing"
	"time"

	"github.com/seira-queue/seira/internal/publicurl"
)

// TestHelpListsTheCommands: every way of asking for help lists every
// command with a line each, on stdout, and succeeds.
func TestHelpListsTheCommands(t *testing.T) {
	for _, args := range [][]string{{"-h"}, {"-help"}, {"--help"}, {"help"}} {
		var out, errs bytes.Buffer
		err := run(context.Background(), args, testSys(getenv(nil), &out, &errs))
		if code := exitCode(err, &errs); code != 0 {
			t.Fatalf("%v: exit %d (%v)", args, code, err)
		}
		for _, c := range commands() {
			if !strings.Contains(out.String(), "\n  "+c.name+" ") {
				t.Errorf("%v: no line for %s in\n%s", args, c.name, out.String())
			}
		}
	}
}

// TestCommandHelpListsFlagsAndEnvironment: `seira CMD -h` (and `seira
// help CMD`) lists each flag with the variable it is also read from, and
// the other variables the command reads.
func TestCommandHelpListsFlagsAndEnvironment(t *testing.T) {
	for _, c := range commands() {
		if c.flags == nil {
			continue
		}
		f := c.flags(getenv(nil))
		for _, args := range [][]string{{c.name, "-h"}, {"help", c.name}} {
			var out, errs bytes.Buffer
			if err := run(context.Background(), args, testSys(getenv(nil), &out, &errs)); err != nil {
				t.Fatalf("%v: %v", args, err)
			}
			help := out.String()
			f.fs.VisitAll(func(fl *flag.Flag) {
				if !strings.Contains(help, "-"+fl.Name) {
					t.Errorf("%v: -%s is not listed", args, fl.Name)
				}
			})
			for _, v := range f.envVars() {
				if !strings.Contains(help, v) {
					t.Errorf("%v: %s is not listed", args, v)
				}
			}
		}
	}
	var out bytes.Buffer
	run(context.Background(), []string{"backup", "-h"}, testSys(getenv(nil), &out, &out))
	if !strings.Contains(out.String(), "SEIRA_PASSWORD") {
		t.Errorf("backup -h does not name SEIRA_PASSWORD:\n%s", out.String())
	}
}

// TestEveryFlagHasItsTwin: each flag of each command is read from its
// SEIRA_* variable, and the command line wins over it.
func TestEveryFlagHasItsTwin(t *testing.T) {
	n := 0
	for _, c := range commands() {
		if c.flags == nil {
			continue
		}
		c.flags(getenv(nil)).fs.VisitAll(func(fl *flag.Flag) {
			n++
			probe := probeFor(t, fl)
			env := c.flags(getenv(nil)).env[fl.Name]
			if !strings.HasPrefix(env, "SEIRA_") {
				t.Errorf("%s -%s: twin %q", c.name, fl.Name, env)
				return
			}
			f := c.flags(getenv(map[string]string{env: probe}))
			if err := f.parse(nil, &bytes.Buffer{}); err != nil {
				t.Fatalf("%s with %s=%s: %v", c.name, env, probe, err)
			}
			want := f.fs.Lookup(fl.Name).Value.String()
			if want == fl.DefValue {
				t.Errorf("%s: %s=%s left -%s at its default %q", c.name, env, probe, fl.Name, fl.DefValue)
			}
			// The command line wins.
			f = c.flags(getenv(map[string]string{env: probe}))
			if err := f.parse([]string{"-" + fl.Name + "=" + fl.DefValue}, &bytes.Buffer{}); err != nil {
				t.Fatalf("%s -%s=%s: %v", c.name, fl.Name, fl.DefValue, err)
			}
			if got := f.fs.Lookup(fl.Name).Value.String(); got != fl.DefValue {
				t.Errorf("%s: -%s=%s on the command line gave %q under %s=%s", c.name, fl.Name, fl.DefValue, got, env, probe)
			}
		})
	}
	if n < 40 {
		t.Fatalf("only %d flags looked at", n)
	}
}

// probeFor returns a value other than fl's default that fl takes.
func probeFor(t *testing.T, fl *flag.Flag) string {
	var v string
	switch fl.Value.(flag.Getter).Get().(type) {
	case bool:
		v = "true"
		if fl.DefValue == "true" {
			v = "false"
		}
	case time.Duration:
		v = "7s"
	default: // strings and numbers
		v = "7"
	}
	if v == fl.DefValue {
		t.Fatalf("no probe value for -%s", fl.Name)
	}
	return v
}

// TestMistakesAreOneLineAndStatusTwo: an unknown flag or command, a bad
// value, or a missing argument is one line on stderr that points to -h,
// and exit status 2.
func TestMistakesAreOneLineAndStatusTwo(t *testing.T) {
	for _, c := range []struct {
		args []string
		env  map[string]string
	}{
		{args: []string{"frobnicate"}},
		{args: []string{"-frobnicate"}},
		{args: []string{"serve", "-nope"}},
		{args: []string{"sim", "-seeds", "many"}},
		{args: []string{"load", "-frob"}},
		{args: []string{"backup", "-url", "http://127.0.0.1:1"}},
		{args: []string{"serve", "stray"}},
		{args: []string{"help", "frobnicate"}},
		{args: []string{"serve", "-addr", "127.0.0.1:0"}, env: map[string]string{"SEIRA_KIOSK_BURST": "many"}},
		{args: []string{"serve", "-addr", "127.0.0.1:0", "-public-url", "kep.example.gr"}},
		{args: []string{"serve", "-addr", "127.0.0.1:0", "-kiosk-rate", "0"}},
		{args: []string{"serve", "-addr", "127.0.0.1:0", "-clock-speed", "-2"}},
		{args: []string{"serve", "-addr", "127.0.0.1:0", "-log-format", "xml"}},
	} {
		var out, errs bytes.Buffer
		err := run(context.Background(), c.args, testSys(getenv(c.env), &out, &errs))
		code := exitCode(err, &errs)
		lines := strings.Split(strings.TrimSpace(errs.String()), "\n")
		if code != 2 || len(lines) != 1 || !strings.Contains(lines[0], "-h") || out.Len() != 0 {
			t.Errorf("%v: exit %d, stderr %q, stdout %q; want status 2 and one line pointing to -h", c.args, code, errs.String(), out.String())
		}
	}
}

// TestBannerSaysWhichAddress: the banner names the address its links use
// and how to set another, or warns that phones cannot reach them.
func TestBannerSaysWhichAddress(t *testing.T) {
	pub, _ := publicurl.Parse("https://kep.example.gr")
	for _, c := range []struct {
		name   string
		public publicurl.Base
		choice publicurl.Choice
		base   string
		says   []string
	}{
		{"network", publicurl.Base{}, publicurl.Choice{URL: "http://192.168.1.20:8080", LAN: true}, "http://192.168.1.20:8080", []string{"network address", "-public-url", "SEIRA_PUBLIC_URL"}},
		{"public", pub, publicurl.Choice{}, "https://kep.example.gr", []string{"-public-url"}},
		{"only loopback", publicurl.Base{}, publicurl.Choice{URL: "http://localhost:8080", Reason: publicurl.OnlyLoopback}, "http://localhost:8080", []string{"warning", "phones cannot reach", "-public-url"}},
		{"listening on loopback", publicurl.Base{}, publicurl.Choice{URL: "http://127.0.0.1:8080", Reason: publicurl.ListenLoopback}, "http://127.0.0.1:8080", []string{"warning", "loopback only", "-addr :8080"}},
	} {
		base, notes := banner(c.public, c.choice)
		text := strings.Join(notes, " ")
		if base != c.base {
			t.Errorf("%s: base %s, want %s", c.name, base, c.base)
		}
		for _, w := range c.says {
			if !strings.Contains(text, w) {
				t.Errorf("%s: %q does not say %q", c.name, text, w)
			}
		}
	}
}
