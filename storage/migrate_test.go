package storage

import (
	"path/filepath"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// migrationNamed is the index of the migration called name.
func migrationNamed(t *testing.T, list []migration, name string) int {
	t.Helper()
	for i, m := range list {
		if m.name == name {
			return i
		}
	}
	t.Fatalf("no migration %q", name)
	return 0
}

// checkMigrationAddsBranchBuckets migrates a new file up to the migration
// called name, makes a branch there as an older seira did, runs that
// migration, and checks that the branch has each of buckets.
func checkMigrationAddsBranchBuckets(t *testing.T, name string, buckets ...[]byte) {
	t.Helper()
	db, err := bolt.Open(filepath.Join(t.TempDir(), "m.db"), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	list := migrations()
	n := migrationNamed(t, list, name)
	if err := migrate(db, list[:n]); err != nil {
		t.Fatal(err)
	}
	if err := db.Update(func(tx *bolt.Tx) error {
		_, err := tx.Bucket(bktBranches).CreateBucket([]byte("old"))
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if err := migrate(db, list[:n+1]); err != nil {
		t.Fatal(err)
	}
	_ = db.View(func(tx *bolt.Tx) error {
		for _, b := range buckets {
			if tx.Bucket(bktBranches).Bucket([]byte("old")).Bucket(b) == nil {
				t.Errorf("after %q the branch has no %s bucket", name, b)
			}
		}
		return nil
	})
}
