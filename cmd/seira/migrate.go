package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/seira-queue/seira/storage"
)

const migrateSummary = "copy a stopped seira's store (-from bolt:DIR) into an empty etcd prefix (-to etcd://host:port) and check the copy"

type migrateOpts struct{ from, to, prefix, ca, cert, key *string }

func migrateFlags(getenv func(string) string) (*cmdFlags, migrateOpts) {
	f := newCmdFlags("migrate", migrateSummary, "SEIRA_", getenv)
	o := migrateOpts{
		from: f.String("from", "", "the store to copy: bolt:DIR, the data directory of a stopped seira (its seira.db) (required)", "SEIRA_MIGRATE_FROM"),
		to:   f.String("to", "", "the cluster to copy into: etcd://host1:2379,host2:2379,host3:2379 (required)", "SEIRA_MIGRATE_TO"),
		// The same flags, and variables, as serve's: the cluster serve
		// will then run on.
		prefix: f.String("etcd-prefix", "/seira/", "key prefix to copy into; it must hold no key"),
		ca:     f.String("etcd-ca", "", "CA certificate (PEM) that signed etcd's server certificates; turns on TLS"),
		cert:   f.String("etcd-cert", "", "client certificate (PEM) for etcd"),
		key:    f.String("etcd-key", "", "client certificate's key (PEM) for etcd"),
	}
	return f, o
}

// resolve checks migrate's flags: the bbolt file to read and the cluster to
// write.
func (o migrateOpts) resolve() (string, storage.EtcdOptions, error) {
	dir, ok := strings.CutPrefix(*o.from, "bolt:")
	switch {
	case *o.from == "":
		return "", storage.EtcdOptions{}, usageError{"-from bolt:DIR is required"}
	case !ok || dir == "":
		return "", storage.EtcdOptions{}, usageError{fmt.Sprintf("-from %q: want bolt:DIR, a data directory", *o.from)}
	case *o.to == "":
		return "", storage.EtcdOptions{}, usageError{"-to etcd://host:port[,host:port…] is required"}
	case !strings.HasPrefix(*o.to, "etcd://"):
		return "", storage.EtcdOptions{}, usageError{fmt.Sprintf("-to %q: want etcd://host:port[,host:port…]", *o.to)}
	}
	eo, err := parseStore(*o.to, *o.prefix, *o.ca, *o.cert, *o.key)
	if err != nil {
		// parseStore speaks of serve's -store, which is migrate's -to.
		var ue usageError
		if errors.As(err, &ue) {
			err = usageError{strings.Replace(ue.msg, "-store ", "-to ", 1)}
		}
		return "", storage.EtcdOptions{}, err
	}
	return filepath.Join(dir, "seira.db"), *eo, nil
}

// migrateCmd copies a bbolt store into etcd and checks that an instance
// reads back the same keys.
func migrateCmd(ctx context.Context, args []string, s sys) error {
	f, o := migrateFlags(s.getenv)
	if err := f.parse(args, s.stdout); err != nil {
		return err
	}
	path, eo, err := o.resolve()
	if err != nil {
		return f.point(err)
	}
	fmt.Fprintf(s.stdout, "migrate: copying %s into etcd %s, prefix %s\n", path, strings.Join(eo.Endpoints, ","), eo.Prefix)
	rep, err := storage.CopyToEtcd(ctx, path, eo)
	if err == nil || errors.Is(err, storage.ErrCopyDiffers) {
		printCopyReport(s.stdout, rep)
	}
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	txns := "transactions"
	if rep.Txns == 1 {
		txns = "transaction"
	}
	fmt.Fprintf(s.stdout, "migrate: %d keys in %d etcd %s, copied and checked\n", rep.Target.Keys, rep.Txns, txns)
	return nil
}

// printCopyReport writes the counts of the source and of the copy, side by
// side, and marks those that differ.
func printCopyReport(w io.Writer, rep storage.CopyReport) {
	rows := []struct {
		name     string
		src, dst int
	}{
		{"branches", rep.Source.Branches, rep.Target.Branches},
		{"tickets", rep.Source.Tickets, rep.Target.Tickets},
		{"events", rep.Source.Events, rep.Target.Events},
		{"appointments", rep.Source.Appointments, rep.Target.Appointments},
		{"users", rep.Source.Users, rep.Target.Users},
		{"keys in all", rep.Source.Keys, rep.Target.Keys},
	}
	fmt.Fprintf(w, "  %-13s %10s %10s\n", "", "bolt", "etcd")
	for _, r := range rows {
		mark := ""
		if r.src != r.dst {
			mark = "  ≠"
		}
		fmt.Fprintf(w, "  %-13s %10d %10d%s\n", r.name, r.src, r.dst, mark)
	}
}
