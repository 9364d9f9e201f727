package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/seira-queue/seira/app"
	"github.com/seira-queue/seira/app/apptest"
)

func getenv(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

// testSys is the program's surroundings in a test: the environment m, the
// outputs, and a machine on the office network at 192.168.1.20.
func testSys(getenv func(string) string, stdout, stderr io.Writer) sys {
	return sys{getenv: getenv, stdout: stdout, stderr: stderr, interfaceAddrs: func() ([]net.Addr, error) {
		return []net.Addr{&net.IPNet{IP: net.IPv4(127, 0, 0, 1), Mask: net.CIDRMask(8, 32)},
			&net.IPNet{IP: net.IPv4(192, 168, 1, 20), Mask: net.CIDRMask(24, 32)}}, nil
	}}
}

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
		testSys(getenv(map[string]string{"SEIRA_PASSWORD": apptest.AdminPassword}), &stdout, &stderr))
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
		testSys(getenv(map[string]string{"SEIRA_PASSWORD": "wrong-password"}), &stdout, &stderr))
	if err == nil || !strings.Contains(err.Error(), "401") {
		t.Fatalf("backup with a wrong password: %v", err)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Fatal("a failed backup left a file")
	}
}

func TestVersionAndUnknownCommand(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), []string{"version"}, testSys(getenv(nil), &out, &out)); err != nil || !strings.HasPrefix(out.String(), "seira ") {
		t.Fatalf("version: %v %q", err, out.String())
	}
	if err := run(context.Background(), []string{"frobnicate"}, testSys(getenv(nil), &out, &out)); err == nil {
		t.Fatal("an unknown command ran")
	}
}

// TestServeStartsTheDemoOffice runs the README's start command in-process
// on a fresh data directory: it prints working links to a ready demo
// office, serves them, and stops cleanly on a signal (context).
func TestServeStartsTheDemoOffice(t *testing.T) {
	data := t.TempDir()
	var stdout, stderr apptest.SyncBuffer
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-addr", "127.0.0.1:0", "-data", data, "-log-format", "text"},
			testSys(getenv(map[string]string{}), &stdout, &stderr))
	}()
	var kiosk, password string
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) && (kiosk == "" || password == "") {
		for _, line := range strings.Split(stdout.String(), "\n") {
			f := strings.Fields(line)
			switch {
			case len(f) == 2 && f[0] == "kiosk:":
				kiosk = f[1]
			case strings.HasPrefix(line, "admin user: admin, password: ") && len(f) >= 5:
				password = f[4]
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	if kiosk == "" || password == "" {
		cancel()
		t.Fatalf("no kiosk link or admin password printed:\n%s\n%s", stdout.String(), stderr.String())
	}
	if !strings.Contains(kiosk, "/kiosk/demo?pair=") {
		t.Fatalf("kiosk link %q carries no pairing code", kiosk)
	}
	// Listening on loopback only: the banner warns that phones cannot
	// reach the links, though the machine has a network address.
	if !strings.Contains(stdout.String(), "listens on loopback only") || strings.Contains(kiosk, "192.168.1.20") {
		t.Errorf("banner on a loopback listener:\n%s", stdout.String())
	}
	for _, want := range []string{"/display/demo?pair=", "/counter/demo", "/admin"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("the links lack %s", want)
		}
	}
	// The printed kiosk link pairs a browser, which may then issue.
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Get(kiosk)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("pairing link: %d", resp.StatusCode)
	}
	base := kiosk[:strings.Index(kiosk, "/kiosk/")]
	resp, err = client.Get(base + "/api/v1/me")
	if err != nil {
		t.Fatal(err)
	}
	var me struct {
		Device struct{ Kind string } `json:"device"`
		CSRF   string                `json:"csrf_token"`
	}
	json.NewDecoder(resp.Body).Decode(&me)
	resp.Body.Close()
	if me.Device.Kind != "kiosk" {
		t.Fatalf("after pairing, /me says %+v", me)
	}
	req, _ := http.NewRequest("POST", base+"/api/v1/branches/demo/tickets", strings.NewReader(`{"service":"certificates"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-CSRF-Token", me.CSRF)
	resp, err = client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("the paired kiosk could not issue: %d", resp.StatusCode)
	}
	// The printed password signs the admin in.
	resp, err = http.Post(base+"/api/v1/login", "application/json", strings.NewReader(`{"username":"admin","password":"`+password+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("the printed admin password does not sign in: %d", resp.StatusCode)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve ended with %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not stop")
	}
	if !strings.Contains(stderr.String(), "shutting down") {
		t.Errorf("no shutdown in the log:\n%s", stderr.String())
	}
}

// TestSimSeeds plays two seeds of a short day, each on a fresh in-process
// server: two tables, then their means; -seeds does not go with a
// running server.
func TestSimSeeds(t *testing.T) {
	day := filepath.Join("..", "..", "sim", "testdata", "short-day.json")
	var out, errs bytes.Buffer
	err := run(context.Background(), []string{"sim", "-day", day, "-speed", "1200", "-seed", "4", "-seeds", "2", "-log-level", "warn"}, testSys(getenv(nil), &out, &errs))
	if err != nil {
		t.Fatalf("sim: %v\n%s", err, errs.String())
	}
	s := out.String()
	if strings.Count(s, "seira sim: branch demo") != 2 || !strings.Contains(s, "seed 4,") || !strings.Contains(s, "seed 5,") {
		t.Errorf("want the tables of seeds 4 and 5:\n%s", s)
	}
	if !strings.Contains(s, "means over 2 seeds") || !strings.Contains(s, "median |err| by seed: 4: ") {
		t.Errorf("no means at the end:\n%s", s)
	}
	err = run(context.Background(), []string{"sim", "-url", "http://127.0.0.1:1", "-password", "x", "-seeds", "2"}, testSys(getenv(nil), &out, &errs))
	if err == nil || !strings.Contains(err.Error(), "does not go with -url") {
		t.Errorf("-seeds with -url: %v", err)
	}
}
