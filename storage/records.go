package storage

import (
	"bytes"

	"github.com/seira-queue/seira/queue"
)

// Kind names a store-wide bucket of records whose format belongs to another
// package (auth keeps users, sessions and devices here as JSON).
type Kind string

// Record kinds.
const (
	KindUsers        Kind = "users"
	KindSessions     Kind = "sessions"
	KindDevices      Kind = "devices"
	KindDeviceTokens Kind = "devicetokens"
	KindPairings     Kind = "pairings"
	// API tokens of integrations: the records, and their hashes' index.
	KindTokens      Kind = "tokens"
	KindTokenHashes Kind = "tokenhashes"
	// KindTokenUses holds when each API token was last used. It is apart
	// from the records so that noting a use, which changes no one's
	// rights, does not empty the other instances' caches of principals.
	KindTokenUses Kind = "tokenuses"
)

// recordKinds are the buckets of sign-in data: a change to any of them
// tells every instance to look principals up again.
func recordKinds() []Kind {
	return []Kind{KindUsers, KindSessions, KindDevices, KindDeviceTokens, KindPairings, KindTokens, KindTokenHashes}
}

// tokenKinds are the buckets of API tokens (migration 8).
func tokenKinds() []Kind { return []Kind{KindTokens, KindTokenHashes, KindTokenUses} }

// Get returns a copy of the record stored under key, or not_found.
func (t *Tx) Get(kind Kind, key string) ([]byte, error) {
	b := t.root([]byte(kind))
	if b == nil {
		return nil, queue.Errorf(queue.CodeUnavailable, "no bucket %s", kind)
	}
	v := b.Get([]byte(key))
	if v == nil {
		return nil, queue.Errorf(queue.CodeNotFound, "no %s %q", kind, key)
	}
	return bytes.Clone(v), nil
}

// Put stores a record.
func (t *Tx) Put(kind Kind, key string, value []byte) error {
	b := t.root([]byte(kind))
	if b == nil {
		return queue.Errorf(queue.CodeUnavailable, "no bucket %s", kind)
	}
	return wrap("put "+string(kind), b.Put([]byte(key), value))
}

// Delete removes a record; a missing one is no error.
func (t *Tx) Delete(kind Kind, key string) error {
	b := t.root([]byte(kind))
	if b == nil {
		return queue.Errorf(queue.CodeUnavailable, "no bucket %s", kind)
	}
	return wrap("delete "+string(kind), b.Delete([]byte(key)))
}

// ForEach calls f with each record of kind in key order until f returns
// false. Values are valid only during the call.
func (t *Tx) ForEach(kind Kind, f func(key string, value []byte) bool) {
	b := t.root([]byte(kind))
	if b == nil {
		return
	}
	c := b.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if !f(string(k), v) {
			return
		}
	}
}
