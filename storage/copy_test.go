package storage

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/seira-queue/seira/internal/etcdtest"
	"github.com/seira-queue/seira/queue"
)

// copyCounts is what fillBolt writes.
var copyCounts = CopyCounts{Branches: 2, Tickets: 20, Events: 30, Appointments: 4, Users: 3}

// fillBolt makes a store at path with two branches, tickets (waiting, with
// refs), events, appointments and users, in many transactions, closes it
// and returns it in flat form with its token key.
func fillBolt(t *testing.T, path string) (map[string][]byte, []byte) {
	t.Helper()
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	at := time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)
	update := func(fn func(*Tx) error) {
		t.Helper()
		if err := s.Update(ctx, fn); err != nil {
			t.Fatal(err)
		}
	}
	for _, id := range []string{"demo", "north"} {
		update(func(tx *Tx) error {
			b, err := tx.CreateBranch(queue.Branch{ID: id, Name: queue.Text{"en": "Branch " + id}})
			if err != nil {
				return err
			}
			return b.PutService(queue.Service{ID: "certificates", Name: queue.Text{"en": "Certificates"}, Prefix: "A", Open: true})
		})
	}
	for i := range copyCounts.Tickets {
		update(func(tx *Tx) error {
			b, err := tx.Branch([]string{"demo", "north"}[i%2])
			if err != nil {
				return err
			}
			id, err := b.NewTicketID()
			if err != nil {
				return err
			}
			if _, err := tx.NewRef(b.ID(), id); err != nil {
				return err
			}
			issued := at.Add(time.Duration(i) * time.Minute)
			if err := b.PutTicket(queue.Ticket{ID: id, Branch: b.ID(), Service: "certificates", Number: fmt.Sprintf("A%03d", id),
				Day: "2026-12-04", Seq: int(id), State: queue.StateWaiting, IssuedAt: issued}); err != nil {
				return err
			}
			return b.AddWaiting(queue.Candidate{ID: id, Service: "certificates", IssuedAt: issued.UnixNano(), Seq: int(id)})
		})
	}
	for i := range copyCounts.Events {
		update(func(tx *Tx) error {
			b, err := tx.Branch("demo")
			if err != nil {
				return err
			}
			return b.AppendEvent(&queue.Event{Type: queue.EvIssued, At: at.Add(time.Duration(i) * time.Second)}, "2026-12-04")
		})
	}
	update(func(tx *Tx) error {
		b, err := tx.Branch("north")
		if err != nil {
			return err
		}
		for i, code := range []string{"ACDEFG", "HJKMNP", "RTUVWX", "YZ2345"} {
			id, err := b.NewAppointmentID()
			if err != nil {
				return err
			}
			a := queue.Appointment{ID: id, Code: code, Token: "tok" + code, Branch: "north", Service: "certificates",
				Start: at.Add(time.Duration(i) * 15 * time.Minute), State: queue.ApptBooked}
			if err := b.PutAppointment(a, nil); err != nil {
				return err
			}
			if err := tx.PutApptToken(a.Token, "north", id); err != nil {
				return err
			}
		}
		return nil
	})
	// Names with bytes the flat layout escapes.
	for _, name := range []string{"anna", "Γιώργος", "ops/night shift"} {
		update(func(tx *Tx) error { return tx.Put(KindUsers, name, []byte(`{"name":"`+name+`"}`)) })
	}
	update(func(tx *Tx) error { return tx.Put(KindSessions, "s1", []byte(`{}`)) })
	key := bytes.Clone(s.TokenKey())
	m := mirrorFlat(t, s)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	return m, key
}

func etcdClient(t *testing.T, c *etcdtest.Cluster) *clientv3.Client {
	t.Helper()
	cli, err := clientv3.New(clientv3.Config{Endpoints: c.Endpoints(), DialTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cli.Close() })
	return cli
}

// TestCopyToEtcd copies a store in transactions of at most 16 operations
// (the cluster's --max-txn-ops, so a larger one would fail), the commit
// key in the last only; an instance then reads the same data and token
// key without writing anything, and a second copy into the prefix is
// refused, as is a copy into a prefix with a failed copy's keys.
func TestCopyToEtcd(t *testing.T) {
	const maxOps = 16
	c := etcdtest.Start(t, etcdtest.Options{MaxTxnOps: maxOps})
	cli := etcdClient(t, c)
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "seira.db")
	want, key := fillBolt(t, path)
	eo := EtcdOptions{Endpoints: c.Endpoints(), Prefix: "/copy/", RequestTimeout: 5 * time.Second, MaxTxnOps: maxOps}

	rep, err := CopyToEtcd(ctx, path, eo)
	if err != nil {
		t.Fatal(err)
	}
	wantCounts := copyCounts
	wantCounts.Keys = len(want)
	if rep.Source != wantCounts || rep.Target != wantCounts {
		t.Errorf("report %+v, want %+v on both sides", rep, wantCounts)
	}
	if n := (len(want) + maxOps - 2) / (maxOps - 1); rep.Txns != n || n <= 3 {
		t.Errorf("%d keys in %d transactions, want %d (of %d keys each), more than 3", len(want), rep.Txns, n, maxOps-1)
	}

	// Every transaction is one revision; the commit key was written once,
	// by the last.
	resp, err := cli.Get(ctx, eo.Prefix, clientv3.WithPrefix())
	if err != nil {
		t.Fatal(err)
	}
	revs := map[int64]int{}
	var commit, last int64
	for _, kv := range resp.Kvs {
		revs[kv.ModRevision]++
		last = max(last, kv.ModRevision)
		if string(kv.Key) == eo.Prefix+commitName {
			if kv.CreateRevision != kv.ModRevision || string(kv.Value) != "migrate" {
				t.Errorf("commit key: created %d, modified %d, value %q", kv.CreateRevision, kv.ModRevision, kv.Value)
			}
			commit = kv.ModRevision
		}
	}
	if len(resp.Kvs) != len(want)+1 || len(revs) != rep.Txns || commit == 0 || commit != last {
		t.Errorf("%d keys at %d revisions, commit key at %d of %d; want %d keys at %d revisions, the commit key at the last",
			len(resp.Kvs), len(revs), commit, last, len(want)+1, rep.Txns)
	}
	for rev, n := range revs {
		if n > maxOps {
			t.Errorf("revision %d wrote %d keys", rev, n)
		}
	}

	s := openEtcd(t, c, eo.Prefix)
	if got := mirrorFlat(t, s); !maps.EqualFunc(got, want, bytes.Equal) {
		t.Errorf("an instance reads %d keys, the source had %d", len(got), len(want))
	}
	if !bytes.Equal(s.TokenKey(), key) {
		t.Error("the token key changed in the copy: every ticket link would break")
	}
	if s.Revision() != commit {
		t.Errorf("the instance started at revision %d, not the copy's %d: it rewrote the schema", s.Revision(), commit)
	}
	if err := s.View(ctx, func(tx *Tx) error {
		b, err := tx.Branch("demo")
		if err != nil {
			return err
		}
		if tk, err := b.Ticket(1); err != nil || tk.Number != "A001" {
			return fmt.Errorf("ticket 1: %+v %v", tk, err)
		}
		if b.LastSeq() != uint64(copyCounts.Events) {
			return fmt.Errorf("last seq %d", b.LastSeq())
		}
		if u, err := tx.Get(KindUsers, "ops/night shift"); err != nil || !strings.Contains(string(u), "night") {
			return fmt.Errorf("user: %q %v", u, err)
		}
		return nil
	}); err != nil {
		t.Error(err)
	}

	before := s.Revision()
	if _, err := CopyToEtcd(ctx, path, eo); !errors.Is(err, ErrPrefixNotEmpty) || !strings.Contains(err.Error(), "a seira store") {
		t.Errorf("a second copy into the same prefix: %v", err)
	}
	if r, err := cli.Get(ctx, eo.Prefix+commitName); err != nil || r.Header.Revision != before {
		t.Errorf("a refused copy wrote: revision %d, was %d (%v)", r.Header.Revision, before, err)
	}

	// A failed copy's keys, without a commit key, are refused too.
	if _, err := cli.Put(ctx, "/half/branches/", string(seqValue(0))); err != nil {
		t.Fatal(err)
	}
	eo.Prefix = "/half/"
	if _, err := CopyToEtcd(ctx, path, eo); !errors.Is(err, ErrPrefixNotEmpty) || !strings.Contains(err.Error(), "etcdctl del --prefix /half/") {
		t.Errorf("a copy into a prefix with a failed copy's keys: %v", err)
	}
}

// TestCopyDetectsMismatch changes the copy in etcd behind the store's back
// (a key changed, one deleted, one added): the check counts each.
func TestCopyDetectsMismatch(t *testing.T) {
	c := etcdtest.Start(t, etcdtest.Options{})
	cli := etcdClient(t, c)
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "seira.db")
	want, _ := fillBolt(t, path)
	eo := EtcdOptions{Endpoints: c.Endpoints(), Prefix: "/mis/", RequestTimeout: 5 * time.Second, MaxTxnOps: 16}
	if _, err := CopyToEtcd(ctx, path, eo); err != nil {
		t.Fatal(err)
	}
	if got, err := verifyCopy(ctx, eo, want); err != nil || got.Keys != len(want) {
		t.Fatalf("the untouched copy: %+v %v", got, err)
	}
	event := leafKey("branches/demo/events/", u64(7))
	if _, ok := want[event]; !ok {
		t.Fatalf("no key %s in the source", event)
	}
	for _, op := range []clientv3.Op{
		clientv3.OpPut(eo.Prefix+leafKey("users/", []byte("anna")), `{"name":"mallory"}`),
		clientv3.OpDelete(eo.Prefix + event),
		clientv3.OpPut(eo.Prefix+leafKey("users/", []byte("mallory")), `{}`),
	} {
		if _, err := cli.Do(ctx, op); err != nil {
			t.Fatal(err)
		}
	}
	got, err := verifyCopy(ctx, eo, want)
	if !errors.Is(err, ErrCopyDiffers) || !strings.Contains(err.Error(), "3 keys differ") ||
		!strings.Contains(err.Error(), "(1 missing, 1 extra, 1 changed") {
		t.Fatalf("a changed copy: %v", err)
	}
	if got.Users != copyCounts.Users+1 || got.Events != copyCounts.Events-1 {
		t.Errorf("counts of the changed copy: %+v", got)
	}
}

// TestCopyUpgradesAnOldFile copies a file of an older schema: the copy has
// the current schema, and an instance opens it without writing.
func TestCopyUpgradesAnOldFile(t *testing.T) {
	c := etcdtest.Start(t, etcdtest.Options{})
	path := filepath.Join(t.TempDir(), "seira.db")
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := migrate(db, migrations()[:3]); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	eo := EtcdOptions{Endpoints: c.Endpoints(), Prefix: "/old/", RequestTimeout: 5 * time.Second}
	if _, err := CopyToEtcd(context.Background(), path, eo); err != nil {
		t.Fatal(err)
	}
	r, err := etcdClient(t, c).Get(context.Background(), "/old/"+leafKey("meta/", keySchema))
	if err != nil || len(r.Kvs) != 1 || binary.BigEndian.Uint64(r.Kvs[0].Value) != uint64(SchemaVersion()) {
		t.Fatalf("schema in etcd: %v %v", r, err)
	}
	s := openEtcd(t, c, "/old/")
	if len(s.TokenKey()) != TokenKeyLen || s.Revision() != r.Header.Revision {
		t.Errorf("the instance found token key %x and wrote up to revision %d (copy at %d)", s.TokenKey(), s.Revision(), r.Header.Revision)
	}
}

// TestCopyRefusesAMissingFile: a copy of nothing is an error, and makes
// no file.
func TestCopyRefusesAMissingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "none", "seira.db")
	if _, err := CopyToEtcd(context.Background(), path, EtcdOptions{Endpoints: []string{"http://127.0.0.1:1"}}); err == nil {
		t.Fatal("copied a file that does not exist")
	}
	if _, err := os.Stat(filepath.Dir(path)); !os.IsNotExist(err) {
		t.Errorf("a refused copy made %s: %v", filepath.Dir(path), err)
	}
}
