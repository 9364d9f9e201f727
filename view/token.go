package view

import (
	"time"

	"github.com/seira-queue/seira/auth"
)

// Token is an API token as the API shows it: never its secret or hash.
type Token struct {
	ID         string     `json:"id"`
	Name       string     `json:"name"`
	Branch     string     `json:"branch"` // "" for every branch
	Scopes     []string   `json:"scopes"`
	CreatedAt  time.Time  `json:"created_at"`
	CreatedBy  string     `json:"created_by"`
	LastUsedAt *time.Time `json:"last_used_at"`
	RevokedAt  *time.Time `json:"revoked_at"`
}

// TokenOf returns the view of t.
func TokenOf(t auth.APIToken) Token {
	v := Token{ID: t.ID, Name: t.Name, Branch: t.Branch, Scopes: make([]string, 0, len(t.Scopes)),
		CreatedAt: t.Created, CreatedBy: t.CreatedBy}
	for _, s := range t.Scopes {
		v.Scopes = append(v.Scopes, string(s))
	}
	if !t.LastUsed.IsZero() {
		at := t.LastUsed
		v.LastUsedAt = &at
	}
	if t.IsRevoked() {
		at := t.Revoked
		v.RevokedAt = &at
	}
	return v
}
