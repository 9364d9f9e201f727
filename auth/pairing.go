package auth

import (
	"context"
	"encoding/json"
	"time"

	"github.com/seira-queue/seira/queue"
	"github.com/seira-queue/seira/storage"
)

// PairingTTL is how long a pairing code works.
const PairingTTL = 24 * time.Hour

// pairing is a code that turns a browser into a device.
type pairing struct {
	Device  string    `json:"device"`
	Expires time.Time `json:"expires"`
}

// PairingCode returns a code that pairs a browser as device id until it
// expires; the code may be used by several browsers (a kiosk and its
// spare) while it lasts.
func (s *Service) PairingCode(ctx context.Context, id string, ttl time.Duration) (string, error) {
	code, err := NewSecret(18)
	if err != nil {
		return "", err
	}
	err = s.update(ctx, func(tx *storage.Tx) error {
		d, err := getJSON[Device](tx, storage.KindDevices, id)
		if err != nil {
			return err
		}
		if d.Revoked {
			return queue.Errorf(queue.CodeConflict, "device %s is revoked", id)
		}
		now := s.now()
		var stale []string
		tx.ForEach(storage.KindPairings, func(k string, v []byte) bool {
			var p pairing
			if json.Unmarshal(v, &p) != nil || now.After(p.Expires) {
				stale = append(stale, k)
			}
			return true
		})
		for _, k := range stale {
			_ = tx.Delete(storage.KindPairings, k)
		}
		return putJSON(tx, storage.KindPairings, hash(code), pairing{Device: id, Expires: now.Add(ttl)})
	})
	return code, err
}

// Pair turns a pairing code into a device session: the browser that opens
// the pairing link becomes that device.
func (s *Service) Pair(ctx context.Context, code string) (token string, p Principal, err error) {
	var d Device
	err = s.store.View(ctx, func(tx *storage.Tx) error {
		pr, err := getJSON[pairing](tx, storage.KindPairings, hash(code))
		if err != nil || s.now().After(pr.Expires) {
			return queue.Errorf(queue.CodeNotFound, "this pairing link is unknown or has expired")
		}
		d, err = getJSON[Device](tx, storage.KindDevices, pr.Device)
		if err != nil || d.Revoked {
			return queue.Errorf(queue.CodeNotFound, "the device of this pairing link is gone")
		}
		return nil
	})
	if err != nil {
		return "", Principal{}, err
	}
	token, csrf, err := s.openSession(ctx, session{Device: d.ID}, DeviceSessionTTL)
	if err != nil {
		return "", Principal{}, err
	}
	return token, Principal{Device: &d, CSRF: csrf, Cookie: true}, nil
}
