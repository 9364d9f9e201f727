package auth

import (
	"slices"

	"github.com/seira-queue/seira/queue"
)

// Scope is what an API token may do. The scopes are defined here and only
// here; a handler that lets tokens in names the one scope it needs
// (httpx.RequireScope and its kin).
type Scope string

// Scopes of API tokens.
const (
	// ScopeTicketsWrite issues tickets for citizens (POST …/tickets).
	ScopeTicketsWrite Scope = "tickets:write"
	// ScopeAppointmentsWrite books, imports, reads, moves and cancels
	// appointments as staff do.
	ScopeAppointmentsWrite Scope = "appointments:write"
	// ScopeEventsRead reads a branch's state, its live channel and its
	// event log.
	ScopeEventsRead Scope = "events:read"
	// ScopeStatsRead reads a branch's statistics.
	ScopeStatsRead Scope = "stats:read"
	// ScopeWaitsRead reads the live waits (public anyway: the scope says
	// what the integration is for).
	ScopeWaitsRead Scope = "waits:read"
	// ScopeWebhooksWrite manages a branch's webhooks.
	ScopeWebhooksWrite Scope = "webhooks:write"
)

// AllScopes lists every scope, in the order the admin page shows them.
func AllScopes() []Scope {
	return []Scope{ScopeTicketsWrite, ScopeAppointmentsWrite, ScopeEventsRead, ScopeStatsRead, ScopeWaitsRead, ScopeWebhooksWrite}
}

// Valid reports whether s is a known scope.
func (s Scope) Valid() bool { return slices.Contains(AllScopes(), s) }

// normScopes checks a token's scopes and returns them sorted, each once.
func normScopes(in []Scope) ([]Scope, error) {
	if len(in) == 0 {
		return nil, queue.Errorf(queue.CodeValidation, "a token needs at least one scope")
	}
	out := make([]Scope, 0, len(in))
	for _, s := range in {
		if !s.Valid() {
			return nil, queue.Errorf(queue.CodeUnknownScope, "unknown scope %q: the scopes are %v", s, AllScopes())
		}
		out = append(out, s)
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}
