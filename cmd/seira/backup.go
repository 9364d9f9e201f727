package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"os"
	"path/filepath"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
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
	password := getenv("SEIRA_PASSWORD")
	if password == "" {
		password = getenv("SEIRA_ADMIN_PASSWORD")
	}
	switch {
	case *out == "":
		return errors.New("backup: -o FILE is required")
	case password == "":
		return errors.New("backup: set the administrator's password in SEIRA_PASSWORD")
	}
	base := strings.TrimRight(*url, "/")
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, Timeout: 30 * time.Minute}

	body, _ := json.Marshal(map[string]string{"username": *user, "password": password})
	req, err := http.NewRequestWithContext(ctx, "POST", base+"/api/v1/login", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("backup: sign in: %w", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("backup: sign in as %s: %s", *user, resp.Status)
	}

	req, err = http.NewRequestWithContext(ctx, "GET", base+"/api/v1/backup", nil)
	if err != nil {
		return err
	}
	resp, err = client.Do(req)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
		return fmt.Errorf("backup: %s: %s", resp.Status, bytes.TrimSpace(msg))
	}
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
