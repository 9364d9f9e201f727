package main

import (
	"bytes"
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/seira-queue/seira/internal/etcdtest"
	"github.com/seira-queue/seira/queue"
	"github.com/seira-queue/seira/storage"
)

// TestMigrateToEtcd runs `seira migrate` on a data directory and an
// embedded etcd: it prints the counts of both sides and "copied and
// checked", an instance on the prefix finds the branch, tickets and token
// key, and a second migrate into the same prefix fails.
func TestMigrateToEtcd(t *testing.T) {
	c := etcdtest.Start(t, etcdtest.Options{})
	data := t.TempDir()
	s, err := storage.Open(filepath.Join(data, "seira.db"), storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for i := range 5 {
		err := s.Update(ctx, func(tx *storage.Tx) error {
			b, err := tx.Branch("demo")
			if i == 0 {
				b, err = tx.CreateBranch(queue.Branch{ID: "demo", Name: queue.Text{"en": "Demo"}})
			}
			if err != nil {
				return err
			}
			id, err := b.NewTicketID()
			if err != nil {
				return err
			}
			if err := b.PutTicket(queue.Ticket{ID: id, Branch: "demo", Service: "certificates", State: queue.StateWaiting}); err != nil {
				return err
			}
			return b.AppendEvent(&queue.Event{Type: queue.EvIssued, At: time.Unix(1e9, 0).UTC()}, "2026-12-04")
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Update(ctx, func(tx *storage.Tx) error { return tx.Put(storage.KindUsers, "admin", []byte(`{}`)) }); err != nil {
		t.Fatal(err)
	}
	key := bytes.Clone(s.TokenKey())
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	to := "etcd://" + strings.TrimPrefix(c.Endpoints()[0], "http://")
	args := []string{"migrate", "-from", "bolt:" + data, "-to", to, "-etcd-prefix", "/office/"}
	var out, errs bytes.Buffer
	err = run(ctx, args, testSys(getenv(nil), &out, &errs))
	if code := exitCode(err, &errs); code != 0 {
		t.Fatalf("migrate: exit %d: %v\n%s", code, err, out.String())
	}
	t.Logf("migrate printed:\n%s", out.String())
	rows := map[string][]string{}
	for line := range strings.Lines(out.String()) {
		if f := strings.Fields(line); len(f) >= 3 {
			rows[strings.Join(f[:len(f)-2], " ")] = f[len(f)-2:]
		}
	}
	for name, n := range map[string]string{"branches": "1", "tickets": "5", "events": "5", "appointments": "0", "users": "1"} {
		if !slices.Equal(rows[name], []string{n, n}) {
			t.Errorf("%s: %v, want %s on both sides in\n%s", name, rows[name], n, out.String())
		}
	}
	if all := rows["keys in all"]; len(all) != 2 || all[0] != all[1] || !strings.Contains(out.String(), "copied and checked") {
		t.Errorf("the report:\n%s", out.String())
	}

	r, err := storage.OpenEtcd(ctx, storage.EtcdOptions{Endpoints: c.Endpoints(), Prefix: "/office/", Dir: t.TempDir()}, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if !bytes.Equal(r.TokenKey(), key) {
		t.Error("the token key changed in the copy")
	}
	if err := r.View(ctx, func(tx *storage.Tx) error {
		b, err := tx.Branch("demo")
		if err != nil {
			return err
		}
		if b.LastTicketID() != 5 || b.LastSeq() != 5 {
			t.Errorf("the copy's demo has %d tickets and %d events", b.LastTicketID(), b.LastSeq())
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}

	out.Reset()
	errs.Reset()
	err = run(ctx, args, testSys(getenv(nil), &out, &errs))
	if code := exitCode(err, &errs); code != 1 || !strings.Contains(errs.String(), "not empty") || strings.Count(errs.String(), "\n") != 1 {
		t.Errorf("a second migrate into the same prefix: exit %d, stderr %q", code, errs.String())
	}
	t.Logf("the second migrate said: %s", errs.String())
}

// TestMigrateMistakes: a missing or malformed flag is one line on stderr
// that points to -h, and exit status 2, before anything is read; -h lists
// the flags.
func TestMigrateMistakes(t *testing.T) {
	for _, c := range []struct {
		args []string
		env  map[string]string
	}{
		{args: []string{"migrate"}},
		{args: []string{"migrate", "-to", "etcd://127.0.0.1:1"}},
		{args: []string{"migrate", "-from", "/var/lib/seira", "-to", "etcd://127.0.0.1:1"}},
		{args: []string{"migrate", "-from", "bolt:", "-to", "etcd://127.0.0.1:1"}},
		{args: []string{"migrate", "-from", "bolt:data"}},
		{args: []string{"migrate", "-from", "bolt:data", "-to", "bolt"}},
		{args: []string{"migrate", "-from", "bolt:data", "-to", "etcd://"}},
		{args: []string{"migrate", "-from", "bolt:data", "-to", "etcd://127.0.0.1:1/x"}},
		{args: []string{"migrate", "-from", "bolt:data", "-to", "etcd://127.0.0.1:1", "-etcd-prefix", "seira"}},
		{args: []string{"migrate", "-from", "bolt:data", "-to", "etcd://127.0.0.1:1", "-etcd-cert", "client.pem"}},
		{args: []string{"migrate", "-from", "bolt:data", "-nope"}},
		{args: []string{"migrate", "-from", "bolt:data", "-to", "etcd://127.0.0.1:1", "stray"}},
		{args: []string{"migrate", "-to", "etcd://127.0.0.1:1"}, env: map[string]string{"SEIRA_MIGRATE_FROM": "data"}},
	} {
		var out, errs bytes.Buffer
		err := run(context.Background(), c.args, testSys(getenv(c.env), &out, &errs))
		code := exitCode(err, &errs)
		lines := strings.Split(strings.TrimSpace(errs.String()), "\n")
		if code != 2 || len(lines) != 1 || !strings.Contains(lines[0], "seira migrate -h") || out.Len() != 0 {
			t.Errorf("%v: exit %d, stderr %q, stdout %q; want status 2 and one line pointing to seira migrate -h", c.args, code, errs.String(), out.String())
		}
		if strings.Contains(errs.String(), "-store") {
			t.Errorf("%v: %q names serve's -store", c.args, errs.String())
		}
	}
	var out, errs bytes.Buffer
	err := run(context.Background(), []string{"migrate", "-h"}, testSys(getenv(nil), &out, &errs))
	if code := exitCode(err, &errs); code != 0 {
		t.Fatalf("migrate -h: exit %d", code)
	}
	for _, want := range []string{"-from", "-to", "-etcd-prefix", "-etcd-ca", "-etcd-cert", "-etcd-key", "SEIRA_MIGRATE_FROM", "SEIRA_ETCD_PREFIX"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("migrate -h does not list %s:\n%s", want, out.String())
		}
	}
}
