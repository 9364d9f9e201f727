package auth_test

import (
	"testing"
	"time"

	"github.com/seira-queue/seira/auth"
)

// TestPairing: a pairing code turns browsers into its device (a kiosk and
// its spare) within its time only; a revoked device's code pairs nothing.
func TestPairing(t *testing.T) {
	s, clk := newService(t)
	d, _, err := s.CreateDevice(ctx, "test", auth.Device{Branch: "demo", Kind: auth.DeviceDisplay, Name: "hall"})
	if err != nil {
		t.Fatal(err)
	}
	code := must(s.PairingCode(ctx, d.ID, auth.PairingTTL))
	tok, p, err := s.Pair(ctx, code)
	if err != nil || p.Device == nil || p.Device.ID != d.ID || tok == "" {
		t.Fatalf("pair: %v %+v", err, p)
	}
	if got, err := s.FromSession(ctx, tok); err != nil || got.Device == nil || got.Device.ID != d.ID {
		t.Fatalf("the paired browser's session: %v %+v", err, got)
	}
	if _, spare, err := s.Pair(ctx, code); err != nil || spare.Device == nil || spare.Device.ID != d.ID {
		t.Errorf("the spare browser: %v %+v", err, spare)
	}
	if _, _, err := s.Pair(ctx, code+"x"); err == nil {
		t.Error("a wrong code paired")
	}
	late := must(s.PairingCode(ctx, d.ID, time.Hour))
	clk.Add(2 * time.Hour)
	if _, _, err := s.Pair(ctx, late); err == nil {
		t.Error("a code past its time paired")
	}
	fresh := must(s.PairingCode(ctx, d.ID, time.Hour))
	must(s.UpdateDevice(ctx, "test", d.ID, func(d *auth.Device) error { d.Revoked = true; return nil }))
	if _, _, err := s.Pair(ctx, fresh); err == nil {
		t.Error("a revoked device's code paired")
	}
}
