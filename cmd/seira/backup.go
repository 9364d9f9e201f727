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

// backupCmd copies a running server's store to a file through the API:
// the server goes on serving, and the copy is one consistent moment.
func backupCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs, env := newFlags("backup", getenv, stderr)
	url := fs.String("url", env("url", "http://127.0.0.1:8080"), "the running seira")
	user := fs.String("user", env("user", "admin"), "an administrator's username")
	out := fs.String("o", "", "the file to write (required)")
	if err := parse(fs, args); err != nil {
		return err
	}
	password := adminPassword(getenv)
	switch {
	case *out == "":
		return errors.New("backup: -o FILE is required")
	case password == "":
		return errors.New("backup: set the administrator's password in SEIRA_PASSWORD")
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
	fmt.Fprintf(stdout, "backup: %d bytes written to %s and checked\n", n, *out)
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
