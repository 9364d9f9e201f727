package auth

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/seira-queue/seira/queue"
	"github.com/seira-queue/seira/storage"
)

// DeviceKind is what a device is.
type DeviceKind string

// Device kinds.
const (
	DeviceKiosk   DeviceKind = "kiosk"
	DeviceDisplay DeviceKind = "display"
)

// Device is a kiosk or a display paired to a branch.
type Device struct {
	ID        string          `json:"id"`
	Branch    string          `json:"branch"`
	Kind      DeviceKind      `json:"kind"`
	Name      string          `json:"name"`
	TokenHash string          `json:"token_hash"`
	Created   time.Time       `json:"created"`
	Revoked   bool            `json:"revoked,omitempty"`
	Demo      bool            `json:"demo,omitempty"`
	Settings  json.RawMessage `json:"settings,omitempty"`
}

// FromBearer returns the principal of a bearer token: an integration's
// API token (TokenPrefix) or a device's.
func (s *Service) FromBearer(ctx context.Context, token string) (Principal, error) {
	p, err := s.fresh(ctx, func() (Principal, error) { return s.fromBearer(ctx, token) })
	if err == nil && p.Token != nil {
		s.noteUse(p.Token.ID)
	}
	return p, err
}

func (s *Service) fromBearer(ctx context.Context, token string) (Principal, error) {
	key := "b" + hash(token)
	p, ok, gen := s.cached(key)
	if ok {
		return p, nil
	}
	err := s.store.View(ctx, func(tx *storage.Tx) error {
		if strings.HasPrefix(token, TokenPrefix) {
			// A device token that happens to start so is still looked up.
			if tp, err := fromAPIToken(tx, token); err == nil {
				p = tp
				return nil
			}
		}
		id, err := tx.Get(storage.KindDeviceTokens, hash(token))
		if err != nil {
			return errNoPrincipal
		}
		d, err := getJSON[Device](tx, storage.KindDevices, string(id))
		if err != nil || d.Revoked || subtle.ConstantTimeCompare([]byte(d.TokenHash), []byte(hash(token))) != 1 {
			return errNoPrincipal
		}
		p.Device = &d
		return nil
	})
	if err == nil {
		s.remember(key, p, s.now().Add(principalCacheTTL), gen)
	}
	return p, err
}

// CreateDevice registers a kiosk or display of branch and returns it with
// its bearer token, which is shown only now.
func (s *Service) CreateDevice(ctx context.Context, actor string, d Device) (Device, string, error) {
	if d.Kind != DeviceKiosk && d.Kind != DeviceDisplay {
		return Device{}, "", queue.Errorf(queue.CodeValidation, "device kind %q: want kiosk or display", d.Kind)
	}
	if strings.TrimSpace(d.Name) == "" || utf8.RuneCountInString(d.Name) > 100 {
		return Device{}, "", queue.Errorf(queue.CodeValidation, "a device needs a name of at most 100 characters")
	}
	token, err := NewSecret(32)
	if err != nil {
		return Device{}, "", err
	}
	id, err := NewSecret(9)
	if err != nil {
		return Device{}, "", err
	}
	d.ID, d.TokenHash, d.Created, d.Revoked = strings.ToLower(strings.NewReplacer("-", "x", "_", "y").Replace(id)), hash(token), s.now(), false
	err = s.update(ctx, func(tx *storage.Tx) error {
		if _, err := tx.Branch(d.Branch); err != nil {
			return queue.Errorf(queue.CodeValidation, "no branch %q", d.Branch)
		}
		if err := putJSON(tx, storage.KindDevices, d.ID, d); err != nil {
			return err
		}
		if err := s.audit(tx, actor, []string{d.Branch}, queue.EvDeviceCreated, d.ID, deviceDetail(d)); err != nil {
			return err
		}
		return tx.Put(storage.KindDeviceTokens, d.TokenHash, []byte(d.ID))
	})
	if err != nil {
		return Device{}, "", err
	}
	return d, token, nil
}

// deviceDetail is what the log keeps of a device: never its token.
func deviceDetail(d Device) any {
	return map[string]any{"id": d.ID, "kind": d.Kind, "name": d.Name, "revoked": d.Revoked, "settings": d.Settings}
}

// Device returns a device.
func (s *Service) Device(ctx context.Context, id string) (Device, error) {
	var d Device
	err := s.store.View(ctx, func(tx *storage.Tx) error {
		var err error
		d, err = getJSON[Device](tx, storage.KindDevices, id)
		return err
	})
	return d, err
}

// Devices lists the devices of branch ("" for all).
func (s *Service) Devices(ctx context.Context, branch string) ([]Device, error) {
	var list []Device
	err := s.store.View(ctx, func(tx *storage.Tx) error {
		var err error
		tx.ForEach(storage.KindDevices, func(_ string, v []byte) bool {
			var d Device
			if err = json.Unmarshal(v, &d); err != nil {
				return false
			}
			if branch == "" || d.Branch == branch {
				list = append(list, d)
			}
			return true
		})
		return err
	})
	return list, err
}

// UpdateDevice changes a device's name or settings, or revokes it; its
// token stays.
func (s *Service) UpdateDevice(ctx context.Context, actor, id string, change func(*Device) error) (Device, error) {
	var d Device
	err := s.update(ctx, func(tx *storage.Tx) error {
		var err error
		if d, err = getJSON[Device](tx, storage.KindDevices, id); err != nil {
			return err
		}
		wasRevoked := d.Revoked
		if err := change(&d); err != nil {
			return err
		}
		typ := queue.EvDeviceUpdated
		if d.Revoked && !wasRevoked {
			typ = queue.EvDeviceRevoked
		}
		if err := s.audit(tx, actor, []string{d.Branch}, typ, d.ID, deviceDetail(d)); err != nil {
			return err
		}
		if d.Revoked {
			dropSessions(tx, func(ss session) bool { return ss.Device == id })
			if err := tx.Delete(storage.KindDeviceTokens, d.TokenHash); err != nil {
				return err
			}
		}
		return putJSON(tx, storage.KindDevices, d.ID, d)
	})
	return d, err
}
