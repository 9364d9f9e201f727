package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/seira-queue/seira/app"
	"github.com/seira-queue/seira/app/apptest"
)

func getenv(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

// TestBackupAndRestore backs up a running server with `seira backup`,
// restores the copy into a fresh data directory as the README says (the
// file becomes seira.db), starts seira on it and finds the same tickets,
// with numbering going on after them.
func TestBackupAndRestore(t *testing.T) {
	env := apptest.Start(t)
	admin := env.Admin()
	var tickets []struct{ Number, Token string }
	for _, svc := range []string{"certificates", "certificates", "signatures"} {
		var tk struct{ Number, Token string }
		if st := admin.Call("POST", "/api/v1/branches/demo/tickets", map[string]string{"service": svc}, &tk); st != 201 {
			t.Fatalf("issue: %d", st)
		}
		tickets = append(tickets, tk)
	}
	out := filepath.Join(t.TempDir(), "copy.db")
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), []string{"backup", "-url", env.URL, "-o", out},
		getenv(map[string]string{"SEIRA_PASSWORD": apptest.AdminPassword}), &stdout, &stderr)
	if err != nil {
		t.Fatalf("backup: %v %s", err, stderr.String())
	}
	if !strings.Contains(stdout.String(), "checked") {
		t.Fatalf("backup said %q", stdout.String())
	}
	// Restore: the copy is the store of a new data directory.
	data := t.TempDir()
	raw, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(data, "seira.db"), raw, 0o600); err != nil {
		t.Fatal(err)
	}
	restored := apptest.Start(t, func(c *app.Config) { c.Data = data })
	c := restored.Client()
	for _, tk := range tickets {
		var got struct{ Number, State string }
		if st := c.Call("GET", "/api/v1/tickets/"+tk.Token, nil, &got); st != 200 || got.Number != tk.Number {
			t.Fatalf("restored ticket %s: %d %+v", tk.Number, st, got)
		}
	}
	var next struct{ Number string }
	restored.Admin().Call("POST", "/api/v1/branches/demo/tickets", map[string]string{"service": "certificates"}, &next)
	if next.Number != "A003" {
		t.Fatalf("numbering after restore: %s, want A003", next.Number)
	}
}

func TestBackupRefusesWrongPassword(t *testing.T) {
	env := apptest.Start(t)
	var stdout, stderr bytes.Buffer
	out := filepath.Join(t.TempDir(), "copy.db")
	err := run(context.Background(), []string{"backup", "-url", env.URL, "-o", out},
		getenv(map[string]string{"SEIRA_PASSWORD": "wrong-password"}), &stdout, &stderr)
	if err == nil || !strings.Contains(err.Error(), "401") {
		t.Fatalf("backup with a wrong password: %v", err)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Fatal("a failed backup left a file")
	}
}

func TestVersionAndUnknownCommand(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), []string{"version"}, getenv(nil), &out, &out); err != nil || !strings.HasPrefix(out.String(), "seira ") {
		t.Fatalf("version: %v %q", err, out.String())
	}
	if err := run(context.Background(), []string{"frobnicate"}, getenv(nil), &out, &out); err == nil {
		t.Fatal("an unknown command ran")
	}
}
