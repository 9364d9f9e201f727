package auth

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/seira-queue/seira/queue"
	"github.com/seira-queue/seira/storage"
	"golang.org/x/crypto/bcrypt"
)

// session is a signed-in browser: a user's or a paired device's.
type session struct {
	Username string    `json:"username,omitempty"`
	Device   string    `json:"device,omitempty"`
	CSRF     string    `json:"csrf"`
	Created  time.Time `json:"created"`
	Expires  time.Time `json:"expires"`
}

// Lifetimes of sessions.
const (
	UserSessionTTL   = 12 * time.Hour
	DeviceSessionTTL = 400 * 24 * time.Hour
)

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
	if s.throttled(ctx, username) {
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
		s.fail(ctx, username)
		return "", Principal{}, errBadCredentials
	}
	token, csrf, err := s.openSession(ctx, session{Username: u.Username}, UserSessionTTL)
	if err != nil {
		return "", Principal{}, err
	}
	return token, Principal{User: &u, CSRF: csrf, Cookie: true}, nil
}

// failureRate refills a user's allowance of failed sign-ins: maxFailures
// per loginWindow, as a token bucket when instances share it.
const failureRate = float64(maxFailures) / float64(loginWindow/time.Second)

func (s *Service) throttled(ctx context.Context, username string) bool {
	if s.store.Replicated() {
		// Shared by every instance on etcd: a guesser cannot multiply
		// the allowance by spreading over them.
		left, err := s.store.Tokens(ctx, "signin:"+username, failureRate, maxFailures, s.now(), false)
		return err != nil || !left
	}
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

func (s *Service) fail(ctx context.Context, username string) {
	if s.store.Replicated() {
		if _, err := s.store.Tokens(ctx, "signin:"+username, failureRate, maxFailures, s.now(), true); err != nil {
			s.log.Warn("auth: count a failed sign-in", "err", err)
		}
		return
	}
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
	return s.fresh(ctx, func() (Principal, error) { return s.fromSession(ctx, token) })
}

func (s *Service) fromSession(ctx context.Context, token string) (Principal, error) {
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
