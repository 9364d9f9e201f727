package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/seira-queue/seira/internal/apiclient"
)

const backupSummary = "copy a running server's store to a file (-o FILE), checked, while it serves"

type backupOpts struct{ url, user, out *string }

func backupFlags(getenv func(string) string) (*cmdFlags, backupOpts) {
	f := newCmdFlags("backup", backupSummary, "SEIRA_", getenv)
	o := backupOpts{
		url:  f.String("url", "http://127.0.0.1:8080", "the running seira"),
		user: f.String("user", "admin", "an administrator's username"),
		out:  f.String("o", "", "the file to write (required)", "SEIRA_BACKUP_FILE"),
	}
	notePassword(f)
	return f, o
}

// backupCmd copies a running server's store to a file through the API:
// the server goes on serving, and the copy is one consistent moment.
func backupCmd(ctx context.Context, args []string, s sys) error {
	f, o := backupFlags(s.getenv)
	if err := f.parse(args, s.stdout); err != nil {
		return err
	}
	url, user, out := o.url, o.user, o.out
	password := adminPassword(s.getenv)
	switch {
	case *out == "":
		return usageError{"backup: -o FILE is required (see: seira backup -h)"}
	case password == "":
		return usageError{"backup: set the administrator's password in SEIRA_PASSWORD (see: seira backup -h)"}
	}
	// The timeout bounds the whole copy, which streams a store of any size.
	c := apiclient.New(*url, apiclient.Options{Timeout: 30 * time.Minute})
	if err := c.Login(ctx, *user, password); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	resp, err := c.Open(ctx, "/api/v1/backup", "GET /backup")
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer resp.Body.Close()
	// Write beside the target and rename once whole and checked, so that a
	// failed copy never replaces a good one.
	tmp, err := os.CreateTemp(filepath.Dir(*out), ".seira-backup-*")
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer os.Remove(tmp.Name())
	n, err := io.Copy(tmp, resp.Body)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("backup: writing %s after %d bytes: %w", tmp.Name(), n, err)
	}
	if err := checkStore(tmp.Name()); err != nil {
		return fmt.Errorf("backup: the copy does not check out: %w", err)
	}
	if err := os.Rename(tmp.Name(), *out); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	fmt.Fprintf(s.stdout, "backup: %d bytes written to %s and checked\n", n, *out)
	return nil
}

// checkStore opens a store file read-only and runs bbolt's consistency
// check over it.
func checkStore(path string) error {
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		return err
	}
	defer db.Close()
	return db.View(func(tx *bolt.Tx) error {
		var errs []error
		for err := range tx.Check() {
			errs = append(errs, err)
		}
		return errors.Join(errs...)
	})
}
