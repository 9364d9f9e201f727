// Package auth signs people and devices in. Records live in the store as
// JSON; secrets are stored only as SHA-256 hashes.
//
//	auth.go       the Service: its store, clock and cache of principals
//	principal.go  who makes a request, and what each role may do
//	users.go      users with roles and bcrypt passwords
//	sessions.go   sign-in, cookie sessions with CSRF tokens, throttling
//	devices.go    kiosk and display devices with bearer tokens
//	pairing.go    pairing links that make a browser a device
//	scopes.go     what an integration's API token may do
//	tokens.go     API tokens: created, resolved, revoked
//	uses.go       tokens' last uses, written in the background
package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/seira-queue/seira/queue"
	"github.com/seira-queue/seira/storage"
)

// Options configure the service.
type Options struct {
	Now    func() time.Time
	Logger *slog.Logger
	// BcryptCost defaults to bcrypt.DefaultCost; tests lower it.
	BcryptCost int
	// Record appends an event about a user or device to a branch's log
	// within the same transaction (the engine's Record); nil records
	// nothing.
	Record func(tx *storage.Tx, branch, actor string, ev queue.Event) error
}

// Service signs principals in and out.
type Service struct {
	store  *storage.Store
	now    func() time.Time
	log    *slog.Logger
	cost   int
	record func(tx *storage.Tx, branch, actor string, ev queue.Event) error

	// failures counts recent failed logins per username, to slow down
	// guessing beyond what bcrypt already does.
	mu       sync.Mutex
	failures map[string][]time.Time

	// dummy is a real hash to compare against for unknown users, so that
	// timing does not tell which usernames exist.
	dummyOnce sync.Once
	dummy     []byte

	// cache holds principals already resolved from a session or a bearer
	// token: every request carries one, and decoding the session and the
	// user on each would cost more than the request's own work. Any write
	// of sign-in data empties it, before the writer hears of success.
	cacheMu  sync.Mutex
	cacheGen uint64
	cache    map[string]cachedPrincipal

	// uses are the last uses of API tokens on their way to the store.
	uses uses
}

type cachedPrincipal struct {
	p       Principal
	expires time.Time
}

// update runs fn as a write and empties the principal cache once it is
// durable.
func (s *Service) update(ctx context.Context, fn func(*storage.Tx) error) error {
	return s.store.Update(ctx, func(tx *storage.Tx) error {
		if err := fn(tx); err != nil {
			return err
		}
		tx.AfterCommit(s.invalidate)
		return nil
	})
}

// fresh runs a lookup of a session or a device token, and when it finds
// nobody on a replicated store, runs it again once the store holds every
// commit made before: the session may have been opened on another
// instance a moment ago (a clerk behind a load balancer).
func (s *Service) fresh(ctx context.Context, look func() (Principal, error)) (Principal, error) {
	p, err := look()
	if !errors.Is(err, errNoPrincipal) || !s.store.Replicated() {
		return p, err
	}
	if serr := s.store.Sync(ctx); serr != nil {
		return p, err
	}
	return look()
}

func (s *Service) invalidate() {
	s.cacheMu.Lock()
	s.cacheGen++
	clear(s.cache)
	s.cacheMu.Unlock()
}

// cached returns a resolved principal for key, and the generation a new
// lookup must present to be cached.
func (s *Service) cached(key string) (Principal, bool, uint64) {
	s.cacheMu.Lock()
	defer s.cacheMu.Unlock()
	c, ok := s.cache[key]
	if ok && s.now().Before(c.expires) {
		return c.p.copy(), true, s.cacheGen
	}
	return Principal{}, false, s.cacheGen
}

// remember caches p unless sign-in data changed since gen (a lookup that
// raced a write must not put back what the write replaced).
func (s *Service) remember(key string, p Principal, expires time.Time, gen uint64) {
	s.cacheMu.Lock()
	defer s.cacheMu.Unlock()
	if gen != s.cacheGen {
		return
	}
	if s.cache == nil || len(s.cache) > 100_000 {
		s.cache = map[string]cachedPrincipal{}
	}
	s.cache[key] = cachedPrincipal{p: p.copy(), expires: expires}
}

// principalCacheTTL bounds how long a resolved principal is reused even
// without writes, so that the clock (session expiry) is looked at.
const principalCacheTTL = time.Minute

// New returns the service over store.
func New(store *storage.Store, opts Options) *Service {
	s := &Service{store: store, now: opts.Now, log: opts.Logger, cost: opts.BcryptCost, record: opts.Record,
		failures: map[string][]time.Time{}}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.cost == 0 {
		s.cost = bcrypt.DefaultCost
	}
	// Another instance's sign-in writes empty this one's cache too.
	store.OnRemote(func(c storage.Change) {
		if c.Records {
			s.invalidate()
		}
	})
	return s
}

// NewSecret returns n random bytes, base64url-encoded.
func NewSecret(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("auth: random: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

func hash(secret string) string {
	h := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(h[:])
}

func getJSON[T any](tx *storage.Tx, kind storage.Kind, key string) (T, error) {
	var v T
	raw, err := tx.Get(kind, key)
	if err != nil {
		return v, err
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		return v, fmt.Errorf("auth: decode %s: %w", kind, err)
	}
	return v, nil
}

func putJSON(tx *storage.Tx, kind storage.Kind, key string, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("auth: encode %s: %w", kind, err)
	}
	return tx.Put(kind, key, raw)
}

// audit records an event about subject in each of branches (every branch
// when none is named: an administrator's change concerns all).
func (s *Service) audit(tx *storage.Tx, actor string, branches []string, typ queue.EventType, subject string, detail any) error {
	if s.record == nil {
		return nil
	}
	raw, err := json.Marshal(detail)
	if err != nil {
		return fmt.Errorf("auth: %w", err)
	}
	if len(branches) == 0 {
		branches = tx.BranchIDs()
	}
	slices.Sort(branches)
	for _, b := range slices.Compact(branches) {
		if _, err := tx.Branch(b); err != nil {
			continue // a branch deleted since
		}
		if err := s.record(tx, b, actor, queue.Event{Type: typ, Subject: subject, Detail: raw}); err != nil {
			return err
		}
	}
	return nil
}

// IsUnauthenticated reports whether err means "no valid credentials".
func IsUnauthenticated(err error) bool {
	return errors.Is(err, &queue.Error{Code: queue.CodeUnauthenticated})
}

// SameSecret compares two secrets in constant time.
func SameSecret(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }
