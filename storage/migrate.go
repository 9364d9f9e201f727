package storage

import (
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/seira-queue/seira/queue"
)

// migration is one step of the schema. The schema version is the number of
// migrations applied; append new ones, never edit or reorder old ones.
type migration struct {
	name string
	fn   func(*bolt.Tx) error
}

func migrations() []migration {
	return []migration{
		{"create the root buckets", func(tx *bolt.Tx) error {
			for _, name := range [][]byte{bktMeta, bktBranches, bktRefs} {
				if _, err := tx.CreateBucketIfNotExists(name); err != nil {
					return err
				}
			}
			return nil
		}},
		{"create the buckets of users, sessions and devices", func(tx *bolt.Tx) error {
			for _, k := range recordKinds() {
				if _, err := tx.CreateBucketIfNotExists([]byte(k)); err != nil {
					return err
				}
			}
			return nil
		}},
		{"derive ticket outcomes from the event log", buildOutcomes},
		{"create the buckets of priority arrival rates", func(tx *bolt.Tx) error {
			return tx.Bucket(bktBranches).ForEachBucket(func(id []byte) error {
				_, err := tx.Bucket(bktBranches).Bucket(id).CreateBucketIfNotExists(bktArrivals)
				return err
			})
		}},
		{"create the key that masks ticket references in tokens", func(tx *bolt.Tx) error {
			if len(tx.Bucket(bktMeta).Get(keyTokenKey)) == TokenKeyLen {
				return nil
			}
			key := make([]byte, TokenKeyLen)
			if _, err := rand.Read(key); err != nil {
				return err
			}
			return tx.Bucket(bktMeta).Put(keyTokenKey, key)
		}},
		{"create the buckets of appointments", func(tx *bolt.Tx) error {
			if _, err := tx.CreateBucketIfNotExists(bktApptTokens); err != nil {
				return err
			}
			return tx.Bucket(bktBranches).ForEachBucket(func(id []byte) error {
				for _, name := range apptBuckets() {
					if _, err := tx.Bucket(bktBranches).Bucket(id).CreateBucketIfNotExists(name); err != nil {
						return err
					}
				}
				return nil
			})
		}},
		{"create the bucket of rate limits shared by instances", func(tx *bolt.Tx) error {
			_, err := tx.CreateBucketIfNotExists(bktLimits)
			return err
		}},
		{"create the buckets of API tokens", func(tx *bolt.Tx) error {
			for _, k := range tokenKinds() {
				if _, err := tx.CreateBucketIfNotExists([]byte(k)); err != nil {
					return err
				}
			}
			return nil
		}},
		{"create the buckets of announcements", func(tx *bolt.Tx) error {
			return tx.Bucket(bktBranches).ForEachBucket(func(id []byte) error {
				_, err := tx.Bucket(bktBranches).Bucket(id).CreateBucketIfNotExists(bktNotices)
				return err
			})
		}},
		{migrationRemote, func(tx *bolt.Tx) error {
			return tx.Bucket(bktBranches).ForEachBucket(func(id []byte) error {
				_, err := tx.Bucket(bktBranches).Bucket(id).CreateBucketIfNotExists(bktRemote)
				return err
			})
		}},
		{"create the buckets of webhooks and their outbox", func(tx *bolt.Tx) error {
			return tx.Bucket(bktBranches).ForEachBucket(func(id []byte) error {
				for _, name := range webhookBuckets() {
					if _, err := tx.Bucket(bktBranches).Bucket(id).CreateBucketIfNotExists(name); err != nil {
						return err
					}
				}
				return nil
			})
		}},
	}
}

// migrationRemote names the migration of remote ticket counts (its tests
// find it by name, whatever its place).
const migrationRemote = "create the buckets of remote ticket counts"

// TokenKeyLen is the length of the token key.
const TokenKeyLen = 32

// buildOutcomes gives every branch an outcomes bucket filled by replaying
// its event log.
func buildOutcomes(tx *bolt.Tx) error {
	return tx.Bucket(bktBranches).ForEachBucket(func(id []byte) error {
		b := tx.Bucket(bktBranches).Bucket(id)
		if b.Bucket(bktOutcomes) != nil {
			return nil
		}
		ob, err := b.CreateBucket(bktOutcomes)
		if err != nil {
			return err
		}
		var cfg queue.Branch
		if err := decodeRecord(b.Get(keyConfig), &cfg); err != nil {
			return fmt.Errorf("branch %s config: %w", id, err)
		}
		loc, err := time.LoadLocation(cfg.Zone())
		if err != nil {
			return err
		}
		r := queue.NewReplay(loc)
		return b.Bucket(bktEvents).ForEach(func(_, v []byte) error {
			var ev queue.Event
			if err := decodeRecord(v, &ev); err != nil {
				return err
			}
			if o, ok := r.Add(ev); ok {
				return putOutcome(&bucket{bb: ob}, o)
			}
			return nil
		})
	})
}

// SchemaVersion is the schema this binary writes.
func SchemaVersion() int { return len(migrations()) }

// migrate brings db up to the end of list, each migration in its own
// transaction together with the new version number, so a crash leaves the
// file at a version it can resume from.
func migrate(db *bolt.DB, list []migration) error {
	for {
		done, err := schemaVersion(db)
		if err != nil {
			return err
		}
		if done > len(list) {
			return fmt.Errorf("storage: the file has schema %d, newer than this seira (%d): upgrade seira", done, len(list))
		}
		if done == len(list) {
			return nil
		}
		m := list[done]
		err = db.Update(func(tx *bolt.Tx) error {
			if err := m.fn(tx); err != nil {
				return err
			}
			meta, err := tx.CreateBucketIfNotExists(bktMeta)
			if err != nil {
				return err
			}
			return meta.Put(keySchema, u64(uint64(done+1)))
		})
		if err != nil {
			return fmt.Errorf("storage: migration %d (%s): %w", done+1, m.name, err)
		}
	}
}

func schemaVersion(db *bolt.DB) (int, error) {
	var v int
	err := db.View(func(tx *bolt.Tx) error {
		if meta := tx.Bucket(bktMeta); meta != nil {
			if b := meta.Get(keySchema); len(b) == 8 {
				v = int(binary.BigEndian.Uint64(b))
			}
		}
		return nil
	})
	return v, err
}
