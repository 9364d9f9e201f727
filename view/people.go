package view

import (
	"encoding/json"
	"time"

	"github.com/seira-queue/seira/auth"
)

// User is a user as the API shows it: never the password hash.
type User struct {
	Username string   `json:"username"`
	Name     string   `json:"name"`
	Role     string   `json:"role"`
	Branches []string `json:"branches"`
	Disabled bool     `json:"disabled,omitempty"`
}

// UserOf returns the view of u.
func UserOf(u auth.User) User {
	b := u.Branches
	if b == nil {
		b = []string{}
	}
	return User{Username: u.Username, Name: u.Name, Role: string(u.Role), Branches: b, Disabled: u.Disabled}
}

// Device is a device as the API shows it: never its token.
type Device struct {
	ID       string          `json:"id"`
	Kind     string          `json:"kind"`
	Branch   string          `json:"branch"`
	Name     string          `json:"name"`
	Created  time.Time       `json:"created"`
	Revoked  bool            `json:"revoked,omitempty"`
	Settings json.RawMessage `json:"settings,omitempty"`
}

// DeviceOf returns the view of d.
func DeviceOf(d auth.Device) Device {
	return Device{ID: d.ID, Kind: string(d.Kind), Branch: d.Branch, Name: d.Name, Created: d.Created,
		Revoked: d.Revoked, Settings: d.Settings}
}
