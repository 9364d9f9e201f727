package webhook_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"

	"github.com/seira-queue/seira/demo"
	"github.com/seira-queue/seira/engine"
	"github.com/seira-queue/seira/internal/storetest"
	"github.com/seira-queue/seira/queue"
	"github.com/seira-queue/seira/storage"
)

// flatKey is a key of the etcd layout: each level escaped, '/' between.
func flatKey(levels ...[]byte) string {
	var sb strings.Builder
	for i, l := range levels {
		if i > 0 {
			sb.WriteByte('/')
		}
		for _, c := range l {
			if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-' {
				sb.WriteByte(c)
			} else {
				fmt.Fprintf(&sb, "%%%02X", c)
			}
		}
	}
	return sb.String()
}

func seqKey(seq uint64) []byte {
	b := make([]byte, 8)
	for i := range 8 {
		b[7-i] = byte(seq >> (8 * i))
	}
	return b
}

// TestEtcdWritesTheOutboxWithTheEvent: on etcd, an event and its delivery
// are in the cluster with one revision: written by one etcd transaction.
// (It runs inside TestEtcdConformance.)
func TestEtcdWritesTheOutboxWithTheEvent(t *testing.T) {
	if !storetest.OnEtcd() {
		t.Skip("runs on etcd, inside TestEtcdConformance")
	}
	path := filepath.Join(t.TempDir(), "seira.db")
	store, err := storetest.Open(path, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	ctx := context.Background()
	eng := engine.New(store, engine.Options{})
	br, svcs, counters := demo.Office()
	if err := eng.CreateBranch(ctx, "test", br, svcs, counters); err != nil {
		t.Fatal(err)
	}
	if err := store.Update(ctx, func(tx *storage.Tx) error {
		b, err := tx.Branch(demo.BranchID)
		if err != nil {
			return err
		}
		return b.PutWebhook(storage.Webhook{ID: "wh_a", URL: "http://x.example", Secret: secret, Events: []string{"ticket.issued"}})
	}); err != nil {
		t.Fatal(err)
	}
	var seqs []uint64
	for range 3 {
		if _, err := eng.Issue(ctx, demo.BranchID, engine.IssueRequest{Service: "certificates"}); err != nil {
			t.Fatal(err)
		}
	}
	err = store.View(ctx, func(tx *storage.Tx) error {
		b, err := tx.Branch(demo.BranchID)
		if err != nil {
			return err
		}
		return b.Events(0, func(e queue.Event) bool {
			if e.Type == queue.EvIssued {
				seqs = append(seqs, e.Seq)
			}
			return true
		})
	})
	if err != nil || len(seqs) != 3 {
		t.Fatalf("events %v %v", seqs, err)
	}
	cli, err := clientv3.New(clientv3.Config{Endpoints: strings.Split(os.Getenv(storetest.EnvEtcd), ","), DialTimeout: 5 * time.Second, Logger: zap.NewNop()})
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	prefix := "/t" + filepath.ToSlash(path) + "/"
	for _, seq := range seqs {
		evKey := prefix + flatKey([]byte("branches"), []byte(demo.BranchID), []byte("events"), seqKey(seq))
		obKey := prefix + flatKey([]byte("branches"), []byte(demo.BranchID), []byte("outbox"), []byte("wh_a"), seqKey(seq))
		ev, err := cli.Get(ctx, evKey)
		if err != nil {
			t.Fatal(err)
		}
		ob, err := cli.Get(ctx, obKey)
		if err != nil {
			t.Fatal(err)
		}
		if len(ev.Kvs) != 1 || len(ob.Kvs) != 1 {
			t.Fatalf("event %d: %d event keys (%s), %d outbox keys (%s)", seq, len(ev.Kvs), evKey, len(ob.Kvs), obKey)
		}
		if ev.Kvs[0].ModRevision != ob.Kvs[0].ModRevision {
			t.Errorf("event %d at revision %d, its delivery at %d: not one transaction", seq, ev.Kvs[0].ModRevision, ob.Kvs[0].ModRevision)
		}
		if !strings.Contains(string(ob.Kvs[0].Value), `"state":"pending"`) {
			t.Errorf("delivery %s", ob.Kvs[0].Value)
		}
	}
}
