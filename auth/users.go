package auth

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/seira-queue/seira/queue"
	"github.com/seira-queue/seira/storage"
	"golang.org/x/crypto/bcrypt"
)

// MinPasswordLen is the shortest password accepted.
const MinPasswordLen = 10

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

// UsernamePattern is what a username may be (validUsername), for forms
// that check before they send.
const UsernamePattern = "^[a-z0-9._-]{1,64}$"

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
