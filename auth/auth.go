// Package auth signs people and devices in: users with roles and bcrypt
// passwords, cookie sessions with CSRF tokens, and kiosk/display devices
// with bearer tokens and pairing links. Records live in the store as JSON;
// secrets are stored only as SHA-256 hashes.
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
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"

	"github.com/seira-queue/seira/queue"
	"github.com/seira-queue/seira/storage"
)

// Role is what a user may do.
type Role string

// Roles.
const (
	RoleAdmin   Role = "admin"   // everything, every branch
	RoleManager Role = "manager" // administration of their branches
	RoleClerk   Role = "clerk"   // counter work in their branches
)

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return r == RoleAdmin || r == RoleManager || r == RoleClerk }

// User is a person who signs in.
type User struct {
	Username     string    `json:"username"`
	Name         string    `json:"name"`
	Role         Role      `json:"role"`
	Branches     []string  `json:"branches"`
	PasswordHash []byte    `json:"password_hash"`
	Disabled     bool      `json:"disabled,omitempty"`
	Created      time.Time `json:"created"`
}

// InBranch reports whether the user works in branch (admins work in all).
func (u User) InBranch(branch string) bool {
	return u.Role == RoleAdmin || slices.Contains(u.Branches, branch)
}

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

// session is a signed-in browser: a user's or a paired device's.
type session struct {
	Username string    `json:"username,omitempty"`
	Device   string    `json:"device,omitempty"`
	CSRF     string    `json:"csrf"`
	Created  time.Time `json:"created"`
	Expires  time.Time `json:"expires"`
}

// pairing is a code that turns a browser into a device.
type pairing struct {
	Device  string    `json:"device"`
	Expires time.Time `json:"expires"`
}

// Principal is who is making a request.
type Principal struct {
	User   *User
	Device *Device
	// CSRF is the session's CSRF token; empty for bearer tokens, which need
	// none because browsers do not send them by themselves.
	CSRF string
	// Cookie reports whether the request was authenticated by the session
	// cookie, and so must carry the CSRF token when it writes.
	Cookie bool
}

// Name identifies the principal in the audit trail.
func (p Principal) Name() string {
	switch {
	case p.User != nil:
		return p.User.Username
	case p.Device != nil:
		return "device:" + p.Device.ID
	}
	return ""
}

// Staff reports whether the principal is a user working in branch.
func (p Principal) Staff(branch string) bool { return p.User != nil && p.User.InBranch(branch) }

// Admin reports whether the principal is an administrator.
func (p Principal) Admin() bool { return p.User != nil && p.User.Role == RoleAdmin }

// Manages reports whether the principal may administer branch.
func (p Principal) Manages(branch string) bool {
	return p.User != nil && (p.User.Role == RoleAdmin || p.User.Role == RoleManager && p.User.InBranch(branch))
}

// Lifetimes of sessions and pairing codes.
const (
	UserSessionTTL   = 12 * time.Hour
	DeviceSessionTTL = 400 * 24 * time.Hour
	PairingTTL       = 24 * time.Hour
	// MinPasswordLen is the shortest password accepted.
	MinPasswordLen = 10
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

// copy gives the caller its own User and Device structs.
func (p Principal) copy() Principal {
	if p.User != nil {
		u := *p.User
		p.User = &u
	}
	if p.Device != nil {
		d := *p.Device
		p.Device = &d
	}
	return p
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

// validUsername keeps usernames short and plain.
func validUsername(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, r := range s {
		ok := r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '.' || r == '-' || r == '_'
		if !ok {
			return false
		}
	}
	return true
}

// ValidatePassword checks a new password.
func ValidatePassword(p string) error {
	switch {
	case utf8.RuneCountInString(p) < MinPasswordLen:
		return queue.Errorf(queue.CodeValidation, "the password must have at least %d characters", MinPasswordLen)
	case len(p) > 72:
		return queue.Errorf(queue.CodeValidation, "the password must have at most 72 bytes")
	}
	return nil
}

// NormalizeUsername is the form usernames are kept in: trimmed, lower case.
func NormalizeUsername(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// CreateUser creates a user, or fails with conflict if the username (as
// normalised) is taken.
func (s *Service) CreateUser(ctx context.Context, actor string, u User, password string) (User, error) {
	return s.putUser(ctx, actor, u, password, true)
}

// PutUser creates or updates a user. A non-empty password replaces the
// stored hash; a new user needs one.
func (s *Service) PutUser(ctx context.Context, actor string, u User, password string) (User, error) {
	return s.putUser(ctx, actor, u, password, false)
}

func (s *Service) putUser(ctx context.Context, actor string, u User, password string, mustBeNew bool) (User, error) {
	u.Username = NormalizeUsername(u.Username)
	if !validUsername(u.Username) {
		return User{}, queue.Errorf(queue.CodeValidation, "username %q: use a-z, 0-9, '.', '-' and '_'", u.Username)
	}
	if !u.Role.Valid() {
		return User{}, queue.Errorf(queue.CodeValidation, "role %q: want admin, manager or clerk", u.Role)
	}
	if u.Role != RoleAdmin && len(u.Branches) == 0 {
		return User{}, queue.Errorf(queue.CodeValidation, "a %s works in at least one branch", u.Role)
	}
	if password != "" {
		if err := ValidatePassword(password); err != nil {
			return User{}, err
		}
		h, err := bcrypt.GenerateFromPassword([]byte(password), s.cost)
		if err != nil {
			return User{}, fmt.Errorf("auth: hash password: %w", err)
		}
		u.PasswordHash = h
	}
	err := s.update(ctx, func(tx *storage.Tx) error {
		old, err := getJSON[User](tx, storage.KindUsers, u.Username)
		created := queue.ErrorCode(err) == queue.CodeNotFound
		if mustBeNew && !created {
			return queue.Errorf(queue.CodeConflict, "user %s exists", u.Username)
		}
		switch {
		case err == nil:
			if u.PasswordHash == nil {
				u.PasswordHash = old.PasswordHash
			}
			u.Created = old.Created
		case queue.ErrorCode(err) != queue.CodeNotFound:
			return err
		case u.PasswordHash == nil:
			return queue.Errorf(queue.CodeValidation, "a new user needs a password")
		default:
			u.Created = s.now()
		}
		for _, b := range u.Branches {
			if _, err := tx.Branch(b); err != nil {
				return queue.Errorf(queue.CodeValidation, "no branch %q", b)
			}
		}
		if u.Disabled || password != "" && !created {
			// A disabled user, or a reset password, ends the sessions.
			dropSessions(tx, func(ss session) bool { return ss.Username == u.Username })
		}
		typ := queue.EvUserUpdated
		if created {
			typ = queue.EvUserCreated
		}
		if err := s.audit(tx, actor, slices.Concat(u.Branches, old.Branches), typ, u.Username, userDetail(u, password != "")); err != nil {
			return err
		}
		return putJSON(tx, storage.KindUsers, u.Username, u)
	})
	return u, err
}

// userDetail is what the log keeps of a user change: never the password.
func userDetail(u User, passwordSet bool) any {
	return map[string]any{"username": u.Username, "name": u.Name, "role": u.Role, "branches": u.Branches,
		"disabled": u.Disabled, "password_set": passwordSet}
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

// User returns a user.
func (s *Service) User(ctx context.Context, username string) (User, error) {
	username = NormalizeUsername(username)
	var u User
	err := s.store.View(ctx, func(tx *storage.Tx) error {
		var err error
		u, err = getJSON[User](tx, storage.KindUsers, username)
		return err
	})
	return u, err
}

// Users lists every user.
func (s *Service) Users(ctx context.Context) ([]User, error) {
	var list []User
	err := s.store.View(ctx, func(tx *storage.Tx) error {
		var err error
		tx.ForEach(storage.KindUsers, func(_ string, v []byte) bool {
			var u User
			if err = json.Unmarshal(v, &u); err != nil {
				return false
			}
			list = append(list, u)
			return true
		})
		return err
	})
	return list, err
}

// DeleteUser removes a user and their sessions.
func (s *Service) DeleteUser(ctx context.Context, actor, username string) error {
	return s.update(ctx, func(tx *storage.Tx) error {
		u, err := getJSON[User](tx, storage.KindUsers, username)
		if err != nil {
			return err
		}
		dropSessions(tx, func(ss session) bool { return ss.Username == username })
		if err := s.audit(tx, actor, u.Branches, queue.EvUserDeleted, username, userDetail(u, false)); err != nil {
			return err
		}
		return tx.Delete(storage.KindUsers, username)
	})
}

// HasUsers reports whether any user exists.
func (s *Service) HasUsers(ctx context.Context) (bool, error) {
	any := false
	err := s.store.View(ctx, func(tx *storage.Tx) error {
		tx.ForEach(storage.KindUsers, func(string, []byte) bool { any = true; return false })
		return nil
	})
	return any, err
}

// ErrBadCredentials is returned for a wrong username or password; it does
// not say which.
var errBadCredentials = queue.Errorf(queue.CodeUnauthenticated, "wrong username or password")

// Failed logins per username allowed within loginWindow.
const (
	maxFailures = 10
	loginWindow = 15 * time.Minute
)

// Login checks a username and password and opens a session. It returns the
// session token (the cookie's value) and the user.
func (s *Service) Login(ctx context.Context, username, password string) (token string, p Principal, err error) {
	username = strings.ToLower(strings.TrimSpace(username))
	if s.throttled(username) {
		return "", Principal{}, queue.Errorf(queue.CodeRateLimited, "too many failed sign-ins: wait a few minutes")
	}
	u, err := s.User(ctx, username)
	if err != nil && queue.ErrorCode(err) != queue.CodeNotFound {
		return "", Principal{}, err
	}
	h := u.PasswordHash
	if h == nil {
		s.dummyOnce.Do(func() { s.dummy, _ = bcrypt.GenerateFromPassword([]byte("not a password"), s.cost) })
		h = s.dummy
	}
	if bcrypt.CompareHashAndPassword(h, []byte(password)) != nil || err != nil || u.Disabled {
		s.fail(username)
		return "", Principal{}, errBadCredentials
	}
	token, csrf, err := s.openSession(ctx, session{Username: u.Username}, UserSessionTTL)
	if err != nil {
		return "", Principal{}, err
	}
	return token, Principal{User: &u, CSRF: csrf, Cookie: true}, nil
}

func (s *Service) throttled(username string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	cut := s.now().Add(-loginWindow)
	recent := slices.DeleteFunc(s.failures[username], func(t time.Time) bool { return t.Before(cut) })
	if len(recent) == 0 {
		delete(s.failures, username)
	} else {
		s.failures[username] = recent
	}
	return len(recent) >= maxFailures
}

func (s *Service) fail(username string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.failures) > 100_000 {
		clear(s.failures) // bound memory under a flood of made-up names
	}
	s.failures[username] = append(s.failures[username], s.now())
}

func (s *Service) openSession(ctx context.Context, ss session, ttl time.Duration) (token, csrf string, err error) {
	if token, err = NewSecret(32); err != nil {
		return "", "", err
	}
	if csrf, err = NewSecret(32); err != nil {
		return "", "", err
	}
	now := s.now()
	ss.CSRF, ss.Created, ss.Expires = csrf, now, now.Add(ttl)
	err = s.update(ctx, func(tx *storage.Tx) error {
		// Sweep expired sessions now and then, on the way.
		dropSessions(tx, func(o session) bool { return now.After(o.Expires) })
		return putJSON(tx, storage.KindSessions, hash(token), ss)
	})
	return token, csrf, err
}

// dropSessions deletes the sessions that match.
func dropSessions(tx *storage.Tx, match func(session) bool) {
	var drop []string
	tx.ForEach(storage.KindSessions, func(k string, v []byte) bool {
		var ss session
		if json.Unmarshal(v, &ss) != nil || match(ss) {
			drop = append(drop, k)
		}
		return true
	})
	for _, k := range drop {
		_ = tx.Delete(storage.KindSessions, k)
	}
}

// Logout ends the session with token.
func (s *Service) Logout(ctx context.Context, token string) error {
	return s.update(ctx, func(tx *storage.Tx) error {
		return tx.Delete(storage.KindSessions, hash(token))
	})
}

// errNoPrincipal is returned when a request carries no valid credentials.
var errNoPrincipal = queue.Errorf(queue.CodeUnauthenticated, "sign in first")

// FromSession returns the principal of a session cookie's value.
func (s *Service) FromSession(ctx context.Context, token string) (Principal, error) {
	key := "s" + hash(token)
	p, ok, gen := s.cached(key)
	if ok {
		return p, nil
	}
	expires := s.now().Add(principalCacheTTL)
	err := s.store.View(ctx, func(tx *storage.Tx) error {
		ss, err := getJSON[session](tx, storage.KindSessions, hash(token))
		if err != nil || s.now().After(ss.Expires) {
			return errNoPrincipal
		}
		expires = minTime(expires, ss.Expires)
		p.CSRF, p.Cookie = ss.CSRF, true
		switch {
		case ss.Username != "":
			u, err := getJSON[User](tx, storage.KindUsers, ss.Username)
			if err != nil || u.Disabled {
				return errNoPrincipal
			}
			p.User = &u
		case ss.Device != "":
			d, err := getJSON[Device](tx, storage.KindDevices, ss.Device)
			if err != nil || d.Revoked {
				return errNoPrincipal
			}
			p.Device = &d
		default:
			return errNoPrincipal
		}
		return nil
	})
	if err == nil {
		s.remember(key, p, expires, gen)
	}
	return p, err
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

// FromBearer returns the principal of a device token.
func (s *Service) FromBearer(ctx context.Context, token string) (Principal, error) {
	key := "b" + hash(token)
	p, ok, gen := s.cached(key)
	if ok {
		return p, nil
	}
	err := s.store.View(ctx, func(tx *storage.Tx) error {
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

// IsUnauthenticated reports whether err means "no valid credentials".
func IsUnauthenticated(err error) bool {
	return errors.Is(err, &queue.Error{Code: queue.CodeUnauthenticated})
}

// SameSecret compares two secrets in constant time.
func SameSecret(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }
