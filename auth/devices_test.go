package auth_test

import (
	"testing"

	"github.com/seira-queue/seira/auth"
	"github.com/seira-queue/seira/queue"
)

// TestDevices: a device's token is shown once and stored hashed; it signs
// the device in until the device is revoked.
func TestDevices(t *testing.T) {
	s, _ := newService(t)
	d, tok, err := s.CreateDevice(ctx, "test", auth.Device{Branch: "demo", Kind: auth.DeviceKiosk, Name: "entrance"})
	if err != nil || tok == "" || d.ID == "" {
		t.Fatalf("create: %v %+v", err, d)
	}
	if d.TokenHash == tok || d.TokenHash == "" {
		t.Fatal("the token is stored as it is")
	}
	p, err := s.FromBearer(ctx, tok)
	if err != nil || p.Device == nil || p.Device.ID != d.ID || p.CSRF != "" {
		t.Fatalf("bearer: %v %+v", err, p)
	}
	if _, err := s.FromBearer(ctx, tok+"x"); !auth.IsUnauthenticated(err) {
		t.Errorf("a wrong token: %v", err)
	}
	if list := must(s.Devices(ctx, "demo")); len(list) != 1 || list[0].ID != d.ID {
		t.Errorf("devices of demo: %+v", list)
	}
	must(s.UpdateDevice(ctx, "test", d.ID, func(d *auth.Device) error { d.Revoked = true; return nil }))
	if _, err := s.FromBearer(ctx, tok); !auth.IsUnauthenticated(err) {
		t.Errorf("a revoked device's token: %v", err)
	}
	if _, err := s.Device(ctx, "nope"); queue.ErrorCode(err) != queue.CodeNotFound {
		t.Errorf("unknown device: %v", err)
	}
}
