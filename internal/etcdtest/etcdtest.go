// Package etcdtest runs real etcd members inside a test process, on
// 127.0.0.1 and a temporary folder, for the tests of seira's etcd store.
package etcdtest

import (
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"go.etcd.io/etcd/server/v3/embed"
)

// Cluster is a set of embedded etcd members.
type Cluster struct {
	t       testing.TB
	Members []*Member
}

// Member is one embedded etcd server.
type Member struct {
	Name      string
	Dir       string
	ClientURL string
	PeerURL   string
	Etcd      *embed.Etcd
	cfg       *embed.Config
}

// Options tune a cluster.
type Options struct {
	// Members is the cluster's size (default 1).
	Members int
	// MaxTxnOps is the members' --max-txn-ops (default 1024).
	MaxTxnOps uint
}

// Start starts a cluster and waits until it has a leader. The members stop
// when the test ends.
func Start(t testing.TB, opts Options) *Cluster {
	t.Helper()
	if opts.Members <= 0 {
		opts.Members = 1
	}
	if opts.MaxTxnOps == 0 {
		opts.MaxTxnOps = 1024
	}
	// A port picked free can be taken by someone else before etcd binds it:
	// the one place a bounded retry is the honest answer.
	var lastErr error
	for range 3 {
		c, err := start(t, opts)
		if err == nil {
			return c
		}
		lastErr = err
	}
	t.Fatalf("etcdtest: %v", lastErr)
	return nil
}

func start(t testing.TB, opts Options) (*Cluster, error) {
	c := &Cluster{t: t}
	var initial []string
	for i := range opts.Members {
		cport, err := freePort()
		if err != nil {
			return nil, err
		}
		pport, err := freePort()
		if err != nil {
			return nil, err
		}
		m := &Member{Name: fmt.Sprintf("m%d", i+1), Dir: t.TempDir(),
			ClientURL: fmt.Sprintf("http://127.0.0.1:%d", cport), PeerURL: fmt.Sprintf("http://127.0.0.1:%d", pport)}
		c.Members = append(c.Members, m)
		initial = append(initial, m.Name+"="+m.PeerURL)
	}
	for _, m := range c.Members {
		m.cfg = spec{Name: m.Name, Dir: m.Dir, ClientURL: m.ClientURL, PeerURL: m.PeerURL,
			InitialCluster: strings.Join(initial, ","), State: embed.ClusterStateFlagNew, MaxTxnOps: opts.MaxTxnOps}.config()
	}
	// Members of a new cluster wait for each other: start them together.
	errs := make(chan error, len(c.Members))
	for _, m := range c.Members {
		go func() {
			e, err := embed.StartEtcd(m.cfg)
			if err == nil {
				m.Etcd = e
			}
			errs <- err
		}()
	}
	var firstErr error
	for range c.Members {
		if err := <-errs; err != nil && firstErr == nil {
			firstErr = err
		}
	}
	if firstErr != nil {
		c.close()
		return nil, firstErr
	}
	for _, m := range c.Members {
		select {
		case <-m.Etcd.Server.ReadyNotify():
		case <-time.After(60 * time.Second):
			c.close()
			return nil, fmt.Errorf("member %s not ready in 60 s", m.Name)
		}
	}
	t.Cleanup(c.close)
	return c, nil
}

// Endpoints are the client URLs of the members that run.
func (c *Cluster) Endpoints() []string {
	var eps []string
	for _, m := range c.Members {
		eps = append(eps, m.ClientURL)
	}
	return eps
}

// Leader returns the member that is leader now, or nil.
func (c *Cluster) Leader() *Member {
	for _, m := range c.Members {
		if m.Etcd != nil && m.Etcd.Server.Leader() == m.Etcd.Server.MemberID() && m.Etcd.Server.Leader() != 0 {
			return m
		}
	}
	return nil
}

// Stop stops a member, as a crash would (its data stays on disk).
func (m *Member) Stop() {
	if m.Etcd != nil {
		m.Etcd.Close()
		m.Etcd = nil
	}
}

// Restart starts a stopped member again on its data.
func (m *Member) Restart() error {
	m.cfg.ClusterState = embed.ClusterStateFlagExisting
	e, err := embed.StartEtcd(m.cfg)
	if err != nil {
		return err
	}
	m.Etcd = e
	select {
	case <-e.Server.ReadyNotify():
		return nil
	case <-time.After(60 * time.Second):
		return fmt.Errorf("member %s not ready in 60 s", m.Name)
	}
}

func (c *Cluster) close() {
	for _, m := range c.Members {
		m.Stop()
	}
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
