package auth_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/seira-queue/seira/auth"
	"github.com/seira-queue/seira/internal/clocktest"
	"github.com/seira-queue/seira/internal/storetest"
	"github.com/seira-queue/seira/queue"
	"github.com/seira-queue/seira/storage"
)

var ctx = context.Background()

// newService is a sign-in service over a real store in a temporary file,
// with a clock of the test's.
func newService(t *testing.T) (*auth.Service, *clocktest.Clock) {
	t.Helper()
	s, c, _ := newServiceAt(t, filepath.Join(t.TempDir(), "seira.db"), auth.Options{})
	return s, c
}

// newServiceAt is newService over the store at path (on etcd, the same
// data for the same path: a second instance), with opts, and the store.
func newServiceAt(t *testing.T, path string, opts auth.Options) (*auth.Service, *clocktest.Clock, *storage.Store) {
	t.Helper()
	store, err := storetest.Open(path, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	// Users and devices belong to branches that exist.
	if err := store.Update(ctx, func(tx *storage.Tx) error {
		for _, b := range []string{"demo", "other"} {
			if _, err := tx.Branch(b); err == nil {
				continue // a second instance's store
			}
			if _, err := tx.CreateBranch(queue.Branch{ID: b, Name: queue.Text{"el": "ΚΕΠ " + b, "en": "KEP " + b}}); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	c := clocktest.New(time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC))
	opts.Now, opts.BcryptCost = c.Now, 4
	s := auth.New(store, opts)
	t.Cleanup(func() { _ = s.Close(ctx) })
	return s, c, store
}

const password = "correct horse battery"

// user creates a user with the test password.
func user(t *testing.T, s *auth.Service, name string, role auth.Role, branches ...string) auth.User {
	t.Helper()
	u, err := s.CreateUser(ctx, "test", auth.User{Username: name, Name: name, Role: role, Branches: branches}, password)
	if err != nil {
		t.Fatalf("create %s: %v", name, err)
	}
	return u
}

// must returns v, or stops the test (by a panic, which the test reports
// with its place) when err is not nil: for calls that should not fail.
func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
