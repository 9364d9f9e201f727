package auth_test

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/seira-queue/seira/auth"
	"github.com/seira-queue/seira/engine"
	"github.com/seira-queue/seira/internal/storetest"
	"github.com/seira-queue/seira/queue"
	"github.com/seira-queue/seira/storage"
)

// TestTokens: a token is made with a name, a branch (or all) and known
// scopes; its secret, shown once, signs an integration in as a principal
// that holds exactly those scopes there; revoked, it stops.
func TestTokens(t *testing.T) {
	s, clock := newService(t)
	tok, secret, err := s.CreateToken(ctx, "admin", auth.APIToken{Name: " booking platform ", Branch: "demo",
		Scopes: []auth.Scope{auth.ScopeTicketsWrite, auth.ScopeEventsRead, auth.ScopeTicketsWrite}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(secret, auth.TokenPrefix) || len(secret) < len(auth.TokenPrefix)+43 {
		t.Errorf("secret %q: want the prefix and 256 random bits", secret)
	}
	if tok.ID == "" || tok.Name != "booking platform" || tok.CreatedBy != "admin" || tok.Hash == "" ||
		!slices.Equal(tok.Scopes, []auth.Scope{auth.ScopeEventsRead, auth.ScopeTicketsWrite}) {
		t.Errorf("record %+v", tok)
	}

	p, err := s.FromBearer(ctx, secret)
	if err != nil || p.Token == nil || p.Token.ID != tok.ID || p.User != nil || p.Device != nil || p.CSRF != "" {
		t.Fatalf("bearer: %v %+v", err, p)
	}
	if p.Name() != "token:booking platform" || p.Anonymous() {
		t.Errorf("name %q", p.Name())
	}
	for _, c := range []struct {
		scope  auth.Scope
		branch string
		want   bool
	}{
		{auth.ScopeTicketsWrite, "demo", true},
		{auth.ScopeEventsRead, "demo", true},
		{auth.ScopeStatsRead, "demo", false},
		{auth.ScopeTicketsWrite, "other", false},
	} {
		if got := p.Can(c.scope, c.branch); got != c.want {
			t.Errorf("Can(%s, %s) = %v, want %v", c.scope, c.branch, got, c.want)
		}
	}
	// A token is never staff, a manager, an administrator or a device.
	if p.Staff("demo") || p.Manages("demo") || p.Admin() {
		t.Error("a token passes for a person")
	}
	// A second lookup (from the cache) is the same principal, and the
	// caller's copy is its own.
	p.Token.Scopes[0] = "stats:read"
	if p2, err := s.FromBearer(ctx, secret); err != nil || !p2.Can(auth.ScopeEventsRead, "demo") || p2.Can(auth.ScopeStatsRead, "demo") {
		t.Errorf("cached: %v %+v", err, p2)
	}
	for _, wrong := range []string{secret + "x", secret[:len(secret)-1], auth.TokenPrefix, strings.TrimPrefix(secret, auth.TokenPrefix)} {
		if _, err := s.FromBearer(ctx, wrong); !auth.IsUnauthenticated(err) {
			t.Errorf("wrong secret %q: %v", wrong, err)
		}
	}

	clock.Add(time.Second)
	all, allSecret := must2(s.CreateToken(ctx, "admin", auth.APIToken{Name: "statistics office", Scopes: []auth.Scope{auth.ScopeStatsRead}}))
	if pa := must(s.FromBearer(ctx, allSecret)); !pa.Can(auth.ScopeStatsRead, "demo") || !pa.Can(auth.ScopeStatsRead, "other") || all.Branch != "" {
		t.Errorf("a token of every branch: %+v", pa.Token)
	}

	list := must(s.Tokens(ctx, func(auth.APIToken) bool { return true }))
	if len(list) != 2 || list[0].ID != all.ID || list[1].ID != tok.ID {
		t.Errorf("list, newest first: %+v", list)
	}

	revoked := must(s.RevokeToken(ctx, "admin", tok.ID))
	if !revoked.IsRevoked() || revoked.RevokedBy != "admin" {
		t.Errorf("revoked: %+v", revoked)
	}
	if _, err := s.FromBearer(ctx, secret); !auth.IsUnauthenticated(err) {
		t.Errorf("a revoked token: %v", err)
	}
	// Again: nothing changes, no error.
	if again := must(s.RevokeToken(ctx, "someone", tok.ID)); !again.Revoked.Equal(revoked.Revoked) || again.RevokedBy != "admin" {
		t.Errorf("revoked twice: %+v", again)
	}
	if got := must(s.Token(ctx, tok.ID)); !got.IsRevoked() {
		t.Errorf("the record after revoking: %+v", got)
	}
	if _, err := s.FromBearer(ctx, allSecret); err != nil {
		t.Errorf("revoking one token stopped another: %v", err)
	}
	if _, err := s.RevokeToken(ctx, "admin", "nope"); queue.ErrorCode(err) != queue.CodeNotFound {
		t.Errorf("revoke an unknown token: %v", err)
	}
	if _, err := s.Token(ctx, "nope"); queue.ErrorCode(err) != queue.CodeNotFound {
		t.Errorf("an unknown token: %v", err)
	}
}

// TestTokenValidation: bad names, branches and scopes are refused with
// their codes, and nothing is stored.
func TestTokenValidation(t *testing.T) {
	s, _ := newService(t)
	for _, c := range []struct {
		name string
		tok  auth.APIToken
		want queue.Code
	}{
		{"no name", auth.APIToken{Name: "  ", Scopes: []auth.Scope{auth.ScopeTicketsWrite}}, queue.CodeValidation},
		{"long name", auth.APIToken{Name: strings.Repeat("α", 101), Scopes: []auth.Scope{auth.ScopeTicketsWrite}}, queue.CodeValidation},
		{"no scopes", auth.APIToken{Name: "x"}, queue.CodeValidation},
		{"unknown scope", auth.APIToken{Name: "x", Scopes: []auth.Scope{auth.ScopeTicketsWrite, "tickets:delete"}}, queue.CodeUnknownScope},
		{"a role as scope", auth.APIToken{Name: "x", Scopes: []auth.Scope{"admin"}}, queue.CodeUnknownScope},
		{"unknown branch", auth.APIToken{Name: "x", Branch: "atlantis", Scopes: []auth.Scope{auth.ScopeStatsRead}}, queue.CodeValidation},
	} {
		if _, _, err := s.CreateToken(ctx, "admin", c.tok); queue.ErrorCode(err) != c.want {
			t.Errorf("%s: %v, want %s", c.name, err, c.want)
		}
	}
	if list := must(s.Tokens(ctx, func(auth.APIToken) bool { return true })); len(list) != 0 {
		t.Errorf("refused tokens were stored: %+v", list)
	}
	for _, sc := range auth.AllScopes() {
		if !sc.Valid() {
			t.Errorf("scope %s is not valid", sc)
		}
	}
}

// TestTokenStoredHashedOnly reads the whole store, byte by byte, after a
// token was made, used and revoked: its secret is nowhere, in the records,
// the index or the audit trail, which names the token by id and name.
func TestTokenStoredHashedOnly(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "seira.db")
	var store *storage.Store
	var eng *engine.Engine
	s, _, store := newServiceAt(t, path, auth.Options{Record: func(tx *storage.Tx, branch, actor string, ev queue.Event) error {
		return eng.Record(tx, branch, actor, ev)
	}})
	eng = engine.New(store, engine.Options{})
	tok, secret := must2(s.CreateToken(ctx, "admin", auth.APIToken{Name: "sms gateway", Branch: "demo", Scopes: []auth.Scope{auth.ScopeEventsRead}}))
	must(s.FromBearer(ctx, secret))
	if err := s.FlushUses(ctx); err != nil {
		t.Fatal(err)
	}
	must(s.RevokeToken(ctx, "admin", tok.ID))

	var raw bytes.Buffer
	if _, err := store.WriteTo(&raw); err != nil {
		t.Fatal(err)
	}
	random := strings.TrimPrefix(secret, auth.TokenPrefix)
	for _, part := range []string{secret, random, random[:20], random[len(random)-20:]} {
		if bytes.Contains(raw.Bytes(), []byte(part)) {
			t.Fatalf("the store holds the secret (or %q of it)", part)
		}
	}
	if !bytes.Contains(raw.Bytes(), []byte(tok.Hash)) {
		t.Error("the hash is not in the store: did the test read the store at all?")
	}

	// The audit trail: created and revoked, by admin, in the token's branch
	// only, with no hash either.
	evs, _, err := eng.EventsSince(ctx, "demo", 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	var types []queue.EventType
	for _, ev := range evs {
		if ev.Subject != tok.ID {
			continue
		}
		types = append(types, ev.Type)
		if ev.Actor != "admin" || bytes.Contains(ev.Detail, []byte(tok.Hash)) || !bytes.Contains(ev.Detail, []byte(`"sms gateway"`)) {
			t.Errorf("event %s: actor %q detail %s", ev.Type, ev.Actor, ev.Detail)
		}
		var d struct{ Scopes []string }
		if json.Unmarshal(ev.Detail, &d) != nil || !slices.Equal(d.Scopes, []string{"events:read"}) {
			t.Errorf("event %s: scopes in %s", ev.Type, ev.Detail)
		}
	}
	if !slices.Equal(types, []queue.EventType{queue.EvTokenCreated, queue.EvTokenRevoked}) {
		t.Errorf("audit trail of the token: %v", types)
	}
	if other, _, _ := eng.EventsSince(ctx, "other", 0, 100); slices.ContainsFunc(other, func(ev queue.Event) bool { return ev.Subject == tok.ID }) {
		t.Error("a token of demo was recorded in branch other")
	}
}

// TestTokenLastUse: a use is written in the background at most once a
// minute per token, and the list shows it.
func TestTokenLastUse(t *testing.T) {
	s, clock := newService(t)
	tok, secret := must2(s.CreateToken(ctx, "admin", auth.APIToken{Name: "platform", Scopes: []auth.Scope{auth.ScopeTicketsWrite}}))
	if got := must(s.Token(ctx, tok.ID)); !got.LastUsed.IsZero() {
		t.Fatalf("a new token was used at %v", got.LastUsed)
	}
	lastUse := func() time.Time {
		t.Helper()
		if err := s.FlushUses(ctx); err != nil {
			t.Fatal(err)
		}
		return must(s.Token(ctx, tok.ID)).LastUsed
	}
	first := clock.Now()
	must(s.FromBearer(ctx, secret))
	if got := lastUse(); !got.Equal(first) {
		t.Fatalf("last use %v, want %v", got, first)
	}
	// Within the minute: no write.
	clock.Add(30 * time.Second)
	for range 5 {
		must(s.FromBearer(ctx, secret))
	}
	if got := lastUse(); !got.Equal(first) {
		t.Errorf("a use 30 s later was written: %v", got)
	}
	// After it: written, and the list shows it.
	clock.Add(31 * time.Second)
	must(s.FromBearer(ctx, secret))
	want := clock.Now()
	if got := lastUse(); !got.Equal(want) {
		t.Errorf("last use %v, want %v", got, want)
	}
	if list := must(s.Tokens(ctx, func(auth.APIToken) bool { return true })); len(list) != 1 || !list[0].LastUsed.Equal(want) {
		t.Errorf("list: %+v", list)
	}
	// A failed lookup is no use.
	clock.Add(2 * time.Minute)
	_, _ = s.FromBearer(ctx, secret+"x")
	if got := lastUse(); !got.Equal(want) {
		t.Errorf("a wrong secret counted as a use: %v", got)
	}
}

// TestTokenRevokedOnAnotherInstance: on etcd, two instances share the
// store; a token revoked on one stops on the other as soon as the other
// has the commit, though it had the principal cached.
func TestTokenRevokedOnAnotherInstance(t *testing.T) {
	if !storetest.OnEtcd() {
		t.Skip("two instances share a store only on etcd: TestEtcdConformance runs this")
	}
	path := filepath.Join(t.TempDir(), "seira.db")
	a, _, _ := newServiceAt(t, path, auth.Options{})
	b, _, bstore := newServiceAt(t, path, auth.Options{})
	tok, secret := must2(a.CreateToken(ctx, "admin", auth.APIToken{Name: "platform", Scopes: []auth.Scope{auth.ScopeTicketsWrite}}))
	// Made a moment ago on a, it is found on b.
	if p, err := b.FromBearer(ctx, secret); err != nil || p.Token == nil || p.Token.ID != tok.ID {
		t.Fatalf("on b: %v %+v", err, p)
	}
	must(a.RevokeToken(ctx, "admin", tok.ID))
	if err := bstore.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := b.FromBearer(ctx, secret); !auth.IsUnauthenticated(err) {
		t.Errorf("revoked on a, b still lets it in: %v", err)
	}
}

// must2 is must for two results.
func must2[A, B any](a A, b B, err error) (A, B) {
	if err != nil {
		panic(err)
	}
	return a, b
}
