package app

import (
	"context"
	"fmt"
	"io"

	"github.com/seira-queue/seira/auth"
	"github.com/seira-queue/seira/demo"
	"github.com/seira-queue/seira/queue"
)

// Demo is what SetUp created and where the pages are.
type Demo struct {
	// Created reports whether the store was empty and got the demo office.
	Created bool
	// AdminPassword is the new admin's password (empty unless Created).
	AdminPassword string
	// Pairing maps device kind to a fresh pairing code of branch demo.
	Pairing map[auth.DeviceKind]string
}

// SetUp gives an empty store a ready demo office: the demo branch, an admin
// whose password is adminPassword (generated when empty), and a kiosk and a
// display. Every call gives the demo devices fresh pairing codes, so the
// printed links always work.
func (a *App) SetUp(ctx context.Context, adminPassword string) (Demo, error) {
	var d Demo
	branches, err := a.Engine.Branches(ctx)
	if err != nil {
		return d, err
	}
	hasUsers, err := a.Auth.HasUsers(ctx)
	if err != nil {
		return d, err
	}
	if len(branches) == 0 && !hasUsers {
		br, services, counters := demo.Office()
		err := a.Engine.CreateBranch(ctx, "seira", br, services, counters)
		if queue.ErrorCode(err) == queue.CodeConflict {
			// Another instance on the same etcd started at the same moment
			// and is setting the office up.
			return a.pairings(ctx, d)
		}
		if err != nil {
			return d, fmt.Errorf("create the demo office: %w", err)
		}
		if adminPassword == "" {
			if adminPassword, err = auth.NewSecret(12); err != nil {
				return d, err
			}
		}
		if _, err := a.Auth.PutUser(ctx, "seira", auth.User{Username: "admin", Name: "Administrator", Role: auth.RoleAdmin}, adminPassword); err != nil {
			return d, fmt.Errorf("create the admin user: %w", err)
		}
		for _, dev := range []auth.Device{
			{Branch: demo.BranchID, Kind: auth.DeviceKiosk, Name: "Demo kiosk", Demo: true},
			{Branch: demo.BranchID, Kind: auth.DeviceDisplay, Name: "Demo display", Demo: true},
		} {
			if _, _, err := a.Auth.CreateDevice(ctx, "seira", dev); err != nil {
				return d, fmt.Errorf("create the demo devices: %w", err)
			}
		}
		d.Created, d.AdminPassword = true, adminPassword
	}
	return a.pairings(ctx, d)
}

// pairings gives d a pairing code for each demo device.
func (a *App) pairings(ctx context.Context, d Demo) (Demo, error) {
	devices, err := a.Auth.Devices(ctx, demo.BranchID)
	if err != nil {
		return d, err
	}
	d.Pairing = map[auth.DeviceKind]string{}
	for _, dev := range devices {
		if dev.Demo && !dev.Revoked && d.Pairing[dev.Kind] == "" {
			if d.Pairing[dev.Kind], err = a.Auth.PairingCode(ctx, dev.ID, auth.PairingTTL); err != nil {
				return d, err
			}
		}
	}
	return d, nil
}

// PrintLinks writes where the pages of every branch are, under base, with
// notes on that address (which it is, how to set another) after the first
// line.
func (a *App) PrintLinks(ctx context.Context, w io.Writer, base string, notes []string, d Demo, passwordFromEnv bool) error {
	branches, err := a.Engine.Branches(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "seira %s on %s\n", a.cfg.Version, base)
	for _, n := range notes {
		fmt.Fprintf(w, "  %s\n", n)
	}
	for _, b := range branches {
		pair := func(kind auth.DeviceKind) string {
			if code := d.Pairing[kind]; code != "" && b.ID == demo.BranchID {
				return "?pair=" + code
			}
			return ""
		}
		fmt.Fprintf(w, "\nbranch %s (%s)\n", b.ID, b.Name.In("el"))
		fmt.Fprintf(w, "  kiosk:    %s/kiosk/%s%s\n", base, b.ID, pair(auth.DeviceKiosk))
		fmt.Fprintf(w, "  display:  %s/display/%s%s\n", base, b.ID, pair(auth.DeviceDisplay))
		fmt.Fprintf(w, "  counter:  %s/counter/%s\n", base, b.ID)
	}
	fmt.Fprintf(w, "\nadmin:      %s/admin\n", base)
	switch {
	case d.Created && passwordFromEnv:
		fmt.Fprintf(w, "admin user: admin, password from SEIRA_ADMIN_PASSWORD\n")
	case d.Created:
		fmt.Fprintf(w, "admin user: admin, password: %s   (shown this once)\n", d.AdminPassword)
	}
	return nil
}
