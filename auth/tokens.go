package auth

import (
	"cmp"
	"context"
	"encoding/json"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/seira-queue/seira/queue"
	"github.com/seira-queue/seira/storage"
)

// TokenPrefix starts every API token, so that people and secret scanners
// tell one at a glance (and this service tells it from a device's).
const TokenPrefix = "seira_"

// APIToken is an integration's credential: a name, a branch (or all), and
// what it may do. Its secret is stored only as a SHA-256 hash: a random
// 256-bit secret needs no slow hash to resist guessing.
type APIToken struct {
	ID     string  `json:"id"`
	Name   string  `json:"name"`
	Branch string  `json:"branch"` // "" for every branch
	Scopes []Scope `json:"scopes"`
	Hash   string  `json:"hash"`

	Created   time.Time `json:"created_at"`
	CreatedBy string    `json:"created_by"`
	Revoked   time.Time `json:"revoked_at,omitzero"`
	RevokedBy string    `json:"revoked_by,omitempty"`

	// LastUsed is read from the uses bucket (uses.go), never stored here.
	LastUsed time.Time `json:"-"`
}

// IsRevoked reports whether the token was revoked.
func (t APIToken) IsRevoked() bool { return !t.Revoked.IsZero() }

// InBranch reports whether the token may act in branch.
func (t APIToken) InBranch(branch string) bool { return t.Branch == "" || t.Branch == branch }

// Has reports whether the token holds scope.
func (t APIToken) Has(scope Scope) bool { return slices.Contains(t.Scopes, scope) }

// auditBranches are the branches whose log records a change of the
// token (nil: every branch's, for a token of all branches).
func (t APIToken) auditBranches() []string {
	if t.Branch == "" {
		return nil
	}
	return []string{t.Branch}
}

// tokenDetail is what the log keeps of a token: never its hash.
func tokenDetail(t APIToken) any {
	return map[string]any{"id": t.ID, "name": t.Name, "branch": t.Branch, "scopes": t.Scopes}
}

// newID is a short random id of lowercase letters and digits.
func newID() (string, error) {
	id, err := NewSecret(9)
	if err != nil {
		return "", err
	}
	return strings.ToLower(strings.NewReplacer("-", "x", "_", "y").Replace(id)), nil
}

// CreateToken creates an API token and returns it with its secret, which
// is shown only now.
func (s *Service) CreateToken(ctx context.Context, actor string, t APIToken) (APIToken, string, error) {
	t.Name = strings.TrimSpace(t.Name)
	if t.Name == "" || utf8.RuneCountInString(t.Name) > 100 {
		return APIToken{}, "", queue.Errorf(queue.CodeValidation, "a token needs a name of at most 100 characters")
	}
	scopes, err := normScopes(t.Scopes)
	if err != nil {
		return APIToken{}, "", err
	}
	raw, err := NewSecret(32)
	if err != nil {
		return APIToken{}, "", err
	}
	secret := TokenPrefix + raw
	if t.ID, err = newID(); err != nil {
		return APIToken{}, "", err
	}
	t.Scopes, t.Hash, t.Created, t.CreatedBy = scopes, hash(secret), s.now().UTC(), actor
	t.Revoked, t.RevokedBy, t.LastUsed = time.Time{}, "", time.Time{}
	err = s.update(ctx, func(tx *storage.Tx) error {
		if t.Branch != "" {
			if _, err := tx.Branch(t.Branch); err != nil {
				return queue.Errorf(queue.CodeValidation, "no branch %q", t.Branch)
			}
		}
		if err := putJSON(tx, storage.KindTokens, t.ID, t); err != nil {
			return err
		}
		if err := tx.Put(storage.KindTokenHashes, t.Hash, []byte(t.ID)); err != nil {
			return err
		}
		return s.audit(tx, actor, t.auditBranches(), queue.EvTokenCreated, t.ID, tokenDetail(t))
	})
	if err != nil {
		return APIToken{}, "", err
	}
	return t, secret, nil
}

// Token returns a token's record with its last use.
func (s *Service) Token(ctx context.Context, id string) (APIToken, error) {
	var t APIToken
	err := s.store.View(ctx, func(tx *storage.Tx) error {
		var err error
		if t, err = getJSON[APIToken](tx, storage.KindTokens, id); err != nil {
			return queue.Errorf(queue.CodeNotFound, "no token %s", id)
		}
		t.LastUsed = lastUse(tx, id)
		return nil
	})
	return t, err
}

// Tokens lists the tokens keep accepts, with their last uses, the newest
// first.
func (s *Service) Tokens(ctx context.Context, keep func(APIToken) bool) ([]APIToken, error) {
	var list []APIToken
	err := s.store.View(ctx, func(tx *storage.Tx) error {
		var err error
		tx.ForEach(storage.KindTokens, func(_ string, v []byte) bool {
			var t APIToken
			if err = json.Unmarshal(v, &t); err != nil {
				return false
			}
			if keep(t) {
				list = append(list, t)
			}
			return true
		})
		for i := range list {
			list[i].LastUsed = lastUse(tx, list[i].ID)
		}
		return err
	})
	slices.SortFunc(list, func(a, b APIToken) int { return cmp.Or(b.Created.Compare(a.Created), strings.Compare(a.ID, b.ID)) })
	return list, err
}

// RevokeToken revokes a token at once: its hash leaves the index in the
// same transaction, and every instance's cache of principals is emptied
// when it commits. Revoking a revoked token changes nothing.
func (s *Service) RevokeToken(ctx context.Context, actor, id string) (APIToken, error) {
	var t APIToken
	err := s.update(ctx, func(tx *storage.Tx) error {
		var err error
		if t, err = getJSON[APIToken](tx, storage.KindTokens, id); err != nil {
			return queue.Errorf(queue.CodeNotFound, "no token %s", id)
		}
		if t.IsRevoked() {
			return nil
		}
		t.Revoked, t.RevokedBy = s.now().UTC(), actor
		if err := tx.Delete(storage.KindTokenHashes, t.Hash); err != nil {
			return err
		}
		if err := putJSON(tx, storage.KindTokens, t.ID, t); err != nil {
			return err
		}
		return s.audit(tx, actor, t.auditBranches(), queue.EvTokenRevoked, t.ID, tokenDetail(t))
	})
	return t, err
}

// fromAPIToken resolves an API token's secret (already known to carry the
// prefix) in tx.
func fromAPIToken(tx *storage.Tx, secret string) (Principal, error) {
	h := hash(secret)
	id, err := tx.Get(storage.KindTokenHashes, h)
	if err != nil {
		return Principal{}, errNoPrincipal
	}
	t, err := getJSON[APIToken](tx, storage.KindTokens, string(id))
	if err != nil || t.IsRevoked() || !SameSecret(t.Hash, h) {
		return Principal{}, errNoPrincipal
	}
	return Principal{Token: &t}, nil
}
