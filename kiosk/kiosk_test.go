package kiosk_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/seira-queue/seira/app"
	"github.com/seira-queue/seira/app/apptest"
	"github.com/seira-queue/seira/auth"
	"github.com/seira-queue/seira/internal/clocktest"
	"github.com/seira-queue/seira/kiosk"
	"github.com/seira-queue/seira/printer"
)

type issued struct {
	Number   string             `json:"number"`
	Token    string             `json:"token"`
	TrackURL string             `json:"track_url"`
	Print    *kiosk.PrintResult `json:"print"`
}

// TestQRCodeDecodesToTheTrackURL decodes the QR image with an independent
// decoder and gets the exact tracking URL back.
//
// Without a public URL, a kiosk reached through a loopback host (a browser
// on the server itself, opened from the banner) gets the machine's network
// address in its links, so that phones can open them; one reached through
// a real host name keeps it.
func TestQRCodeDecodesToTheTrackURL(t *testing.T) {
	const lan = "http://192.168.1.20:8080"
	for _, c := range []struct {
		name, public, lan, host, want string
	}{
		{name: "request's host", want: "{env}"},
		{name: "public URL", public: "https://kep-ilioupoli.example.gr", lan: lan, want: "https://kep-ilioupoli.example.gr"},
		{name: "loopback host gets the network address", lan: lan, want: lan},
		{name: "localhost gets the network address", lan: lan, host: "localhost:8080", want: lan},
		{name: "a real name keeps its host", lan: lan, host: "kep.example.gr", want: "http://kep.example.gr"},
	} {
		env := apptest.Start(t, func(cfg *app.Config) { cfg.Public = apptest.Public(t, c.public, c.lan) })
		k := env.Kiosk("demo")
		var header []string
		if c.host != "" {
			header = []string{"Host", c.host}
		}
		var tk issued
		if res := k.Do("POST", "/api/v1/branches/demo/tickets", map[string]string{"service": "applications"}, header...); res.Status != 201 {
			t.Fatalf("%s: issue: %d", c.name, res.Status)
		} else if err := json.Unmarshal(res.Body, &tk); err != nil {
			t.Fatal(err)
		}
		want := strings.Replace(c.want, "{env}", env.URL, 1) + "/t/" + tk.Token
		if tk.TrackURL != want {
			t.Fatalf("%s: track_url %s, want %s", c.name, tk.TrackURL, want)
		}
		res := env.Client().Do("GET", "/api/v1/tickets/"+tk.Token+"/qr.png", nil, header...)
		if res.Status != 200 || res.Header.Get("Content-Type") != "image/png" {
			t.Fatalf("qr: %d %s", res.Status, res.Header.Get("Content-Type"))
		}
		if got := apptest.DecodeQR(t, res.Body); got != want {
			t.Fatalf("%s: QR says %q, want %q", c.name, got, want)
		}
	}
}

// fakePrinter accepts one job on 127.0.0.1 and hands its bytes over.
func fakePrinter(t *testing.T) (addr string, job <-chan []byte) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	ch := make(chan []byte, 1)
	go func() {
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		defer conn.Close()
		conn.SetReadDeadline(time.Now().Add(10 * time.Second))
		b, _ := io.ReadAll(conn)
		ch <- b
	}()
	return ln.Addr().String(), ch
}

func kioskWithPrinter(t *testing.T, env *apptest.Env, cfg printer.Config) *apptest.Client {
	t.Helper()
	ctx := context.Background()
	d, tok, err := env.App.Auth.CreateDevice(ctx, "test", auth.Device{Branch: "demo", Kind: auth.DeviceKiosk, Name: "kiosk with printer"})
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(kiosk.DeviceSettings{Printer: &cfg})
	if _, err := env.App.Auth.UpdateDevice(ctx, "test", d.ID, func(d *auth.Device) error { d.Settings = raw; return nil }); err != nil {
		t.Fatal(err)
	}
	c := env.Client()
	c.Token = tok
	return c
}

func TestKioskPrintsOnItsNetworkPrinter(t *testing.T) {
	env := apptest.Start(t)
	addr, job := fakePrinter(t)
	k := kioskWithPrinter(t, env, printer.Config{Addr: addr})
	var tk issued
	if st := k.Call("POST", "/api/v1/branches/demo/tickets", map[string]string{"service": "certificates", "lang": "el"}, &tk); st != 201 {
		t.Fatalf("issue: %d", st)
	}
	if tk.Print == nil || !tk.Print.OK || tk.Print.Printer != addr {
		t.Fatalf("print result: %+v", tk.Print)
	}
	var b []byte
	select {
	case b = <-job:
	case <-time.After(10 * time.Second):
		t.Fatal("the printer got nothing")
	}
	for what, want := range map[string][]byte{
		"initialise":           {0x1b, 0x40},
		"Windows-1253":         {0x1b, 0x74, 47},
		"number":               []byte("A001"),
		"Greek service name":   win1253(t, "Πιστοποιητικά"),
		"tracking URL payload": []byte(tk.TrackURL),
		"cut":                  {0x1d, 0x56},
	} {
		if !bytes.Contains(b, want) {
			t.Errorf("the job lacks the %s (% x)", what, want)
		}
	}
}

func win1253(t *testing.T, s string) []byte {
	t.Helper()
	// Independent of the printer package: the code points of the Greek
	// block map to 0xC1… in Windows-1253 at a fixed offset.
	var out []byte
	for _, r := range s {
		switch {
		case r >= 'Α' && r <= 'ω':
			out = append(out, byte(r-'Α'+0xC1))
		case r == 'ά':
			out = append(out, 0xDC)
		default:
			out = append(out, byte(r))
		}
	}
	return out
}

func TestAPrintFailureKeepsTheTicket(t *testing.T) {
	env := apptest.Start(t)
	// A port nobody listens on.
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	dead := ln.Addr().String()
	ln.Close()
	k := kioskWithPrinter(t, env, printer.Config{Addr: dead})
	var tk issued
	if st := k.Call("POST", "/api/v1/branches/demo/tickets", map[string]string{"service": "certificates"}, &tk); st != 201 {
		t.Fatalf("issue with a dead printer: %d", st)
	}
	if tk.Print == nil || tk.Print.OK || !strings.Contains(tk.Print.Error, "unreachable") {
		t.Fatalf("print result: %+v", tk.Print)
	}
	if st := env.Client().Call("GET", "/api/v1/tickets/"+tk.Token, nil, nil); st != 200 {
		t.Fatalf("the ticket is gone: %d", st)
	}
	// A reprint goes to a printer that works now.
	addr, job := fakePrinter(t)
	raw, _ := json.Marshal(kiosk.DeviceSettings{Printer: &printer.Config{Addr: addr}})
	devs, _ := env.App.Auth.Devices(context.Background(), "demo")
	for _, d := range devs {
		if d.Name == "kiosk with printer" {
			env.App.Auth.UpdateDevice(context.Background(), "test", d.ID, func(d *auth.Device) error { d.Settings = raw; return nil })
		}
	}
	var res kiosk.PrintResult
	if st := k.Call("POST", "/api/v1/tickets/"+tk.Token+"/print", nil, &res); st != 200 || !res.OK {
		t.Fatalf("reprint: %d %+v", st, res)
	}
	if b := <-job; !bytes.Contains(b, []byte(tk.Number)) {
		t.Fatal("the reprint lacks the number")
	}
	// Only a kiosk reprints.
	if st := env.Admin().Call("POST", "/api/v1/tickets/"+tk.Token+"/print", nil, nil); st != 403 {
		t.Fatalf("reprint by a user: %d", st)
	}
}

// TestCheckinPrintsTheSlot: a ticket checked in from an appointment is
// printed with the slot's time.
func TestCheckinPrintsTheSlot(t *testing.T) {
	clk := clocktest.New(time.Date(2026, 12, 7, 7, 40, 0, 0, time.UTC)) // 09:40 in Athens
	env := apptest.Start(t, func(c *app.Config) { c.Now = clk.Now })
	addr, job := fakePrinter(t)
	k := kioskWithPrinter(t, env, printer.Config{Addr: addr})
	var a struct{ Code string }
	if st := env.Admin().Call("POST", "/api/v1/branches/demo/appointments",
		map[string]string{"service": "certificates", "start": "2026-12-07T10:00:00+02:00", "lang": "en"}, &a); st != 201 {
		t.Fatalf("book: %d", st)
	}
	var tk issued
	if st := k.Call("POST", "/api/v1/branches/demo/checkin", map[string]string{"code": a.Code}, &tk); st != 201 || tk.Print == nil || !tk.Print.OK {
		t.Fatalf("check-in: %d %+v", st, tk.Print)
	}
	select {
	case b := <-job:
		if !bytes.Contains(b, []byte("Appointment at 10:00")) || !bytes.Contains(b, []byte(tk.Number)) {
			t.Fatalf("the slip lacks the slot or the number: %q", b)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the printer got nothing")
	}
}
