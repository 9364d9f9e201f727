// Package storetest lets a package's tests run on either store: on bbolt
// by default, and on an embedded etcd cluster when EnvEtcd is set. RunOnEtcd
// runs a test binary's whole suite again on etcd, which makes that suite a
// conformance test of the etcd store.
package storetest

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/seira-queue/seira/internal/etcdtest"
	"github.com/seira-queue/seira/storage"
)

// EnvEtcd holds the comma-separated client URLs of the cluster that tests'
// stores use; empty: bbolt files.
const EnvEtcd = "SEIRA_TEST_ETCD"

// OnEtcd reports whether this test binary's stores are on etcd.
func OnEtcd() bool { return os.Getenv(EnvEtcd) != "" }

// Open opens the store a test names by a file path: that bbolt file, or on
// etcd a prefix made from the path, so that opening the same path again
// reaches the same data, as it would on bbolt.
func Open(path string, opts storage.Options) (*storage.Store, error) {
	eps := os.Getenv(EnvEtcd)
	if eps == "" {
		return storage.Open(path, opts)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp(filepath.Dir(path), "mirror-")
	if err != nil {
		return nil, err
	}
	return storage.OpenEtcd(context.Background(), storage.EtcdOptions{
		Endpoints: strings.Split(eps, ","),
		Prefix:    "/t" + filepath.ToSlash(path) + "/",
		Dir:       dir,
	}, opts)
}

// RunOnEtcd runs the test binary's tests again, except those matching
// skip, with every store that Open opens on one embedded etcd member, and
// fails if any of them fails. Inside that run it does nothing.
func RunOnEtcd(t *testing.T, skip string) {
	t.Helper()
	if OnEtcd() {
		return
	}
	c := etcdtest.Start(t, etcdtest.Options{MaxTxnOps: 4096})
	args := []string{"-test.count=1", "-test.timeout=30m"}
	if skip != "" {
		args = append(args, "-test.skip="+skip)
	}
	if testing.Verbose() {
		args = append(args, "-test.v")
	}
	cmd := exec.CommandContext(t.Context(), os.Args[0], args...)
	cmd.Env = append(os.Environ(), EnvEtcd+"="+strings.Join(c.Endpoints(), ","))
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the suite on etcd failed: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "PASS") {
		t.Fatalf("the suite on etcd ran no tests:\n%s", out)
	}
	if testing.Verbose() {
		t.Logf("the suite on etcd:\n%s", out)
	}
}
