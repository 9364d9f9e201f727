package etcdtest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/seira-queue/seira/internal/childproc"
	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/server/v3/embed"
	"go.uber.org/zap"
)

// envMember carries a member's spec to a child process.
const envMember = "ETCDTEST_MEMBER"

// spec is what a member process needs to start.
type spec struct {
	Name, Dir, ClientURL, PeerURL, InitialCluster, State string
	MaxTxnOps                                            uint
}

func (s spec) config() *embed.Config {
	cfg := embed.NewConfig()
	cfg.Name = s.Name
	cfg.Dir = s.Dir
	cu, _ := url.Parse(s.ClientURL)
	pu, _ := url.Parse(s.PeerURL)
	cfg.ListenClientUrls, cfg.AdvertiseClientUrls = []url.URL{*cu}, []url.URL{*cu}
	cfg.ListenPeerUrls, cfg.AdvertisePeerUrls = []url.URL{*pu}, []url.URL{*pu}
	cfg.InitialCluster = s.InitialCluster
	cfg.InitialClusterToken = "seira-test"
	cfg.ClusterState = s.State
	cfg.LogLevel = "error"
	// Its shutdown logs errors that are not ours ("server closed").
	cfg.ZapLoggerBuilder = embed.NewZapLoggerBuilder(zap.NewNop())
	cfg.MaxTxnOps = s.MaxTxnOps
	// Short ticks make elections quick after a member is stopped.
	cfg.TickMs, cfg.ElectionMs = 50, 500
	return cfg
}

// RunIfMember makes this process an etcd member, and never returns, when
// StartProcs started it as one. Call it first in TestMain.
func RunIfMember() {
	raw := os.Getenv(envMember)
	if raw == "" {
		return
	}
	var s spec
	if err := json.Unmarshal([]byte(raw), &s); err != nil {
		fmt.Fprintln(os.Stderr, "etcdtest member:", err)
		os.Exit(2)
	}
	e, err := embed.StartEtcd(s.config())
	if err != nil {
		fmt.Fprintln(os.Stderr, "etcdtest member:", err)
		os.Exit(2)
	}
	<-e.Server.ReadyNotify()
	fmt.Println("ready")
	err = <-e.Err()
	fmt.Fprintln(os.Stderr, "etcdtest member stopped:", err)
	os.Exit(1)
}

// Procs is a cluster whose members are processes (this test binary,
// restarted as RunIfMember): they can be killed with SIGKILL and paused
// with SIGSTOP, as real servers can.
type Procs struct {
	t       testing.TB
	specs   []spec
	cmds    []*exec.Cmd
	stopped []bool
}

// StartProcs starts an n-member cluster of processes and waits until each
// is ready. They are killed when the test ends.
func StartProcs(t testing.TB, n int) *Procs {
	t.Helper()
	p := &Procs{t: t, cmds: make([]*exec.Cmd, n), stopped: make([]bool, n)}
	var initial []string
	for i := range n {
		cport, err := freePort()
		if err != nil {
			t.Fatal(err)
		}
		pport, err := freePort()
		if err != nil {
			t.Fatal(err)
		}
		s := spec{Name: fmt.Sprintf("m%d", i+1), Dir: t.TempDir(), ClientURL: fmt.Sprintf("http://127.0.0.1:%d", cport),
			PeerURL: fmt.Sprintf("http://127.0.0.1:%d", pport), State: embed.ClusterStateFlagNew, MaxTxnOps: 1024}
		p.specs = append(p.specs, s)
		initial = append(initial, s.Name+"="+s.PeerURL)
	}
	for i := range p.specs {
		p.specs[i].InitialCluster = strings.Join(initial, ",")
	}
	t.Cleanup(p.killAll)
	ready := make(chan error, n)
	for i := range n {
		go func() { ready <- p.start(i) }()
	}
	for range n {
		if err := <-ready; err != nil {
			t.Fatal(err)
		}
	}
	return p
}

func (p *Procs) start(i int) error {
	raw, _ := json.Marshal(p.specs[i])
	cmd, line, err := childproc.Start(envMember, string(raw), 60*time.Second)
	if err != nil {
		return fmt.Errorf("member %s: %w", p.specs[i].Name, err)
	}
	p.cmds[i] = cmd
	p.stopped[i] = false
	if line != "ready" {
		return fmt.Errorf("member %s: %q", p.specs[i].Name, line)
	}
	return nil
}

// Endpoints are the members' client URLs.
func (p *Procs) Endpoints() []string {
	var eps []string
	for _, s := range p.specs {
		eps = append(eps, s.ClientURL)
	}
	return eps
}

// Leader returns the index of the member that leads now, asking each
// running member, or -1.
func (p *Procs) Leader(ctx context.Context) int {
	cli, err := clientv3.New(clientv3.Config{Endpoints: p.Endpoints(), DialTimeout: 2 * time.Second, Logger: zap.NewNop()})
	if err != nil {
		return -1
	}
	defer cli.Close()
	for i, s := range p.specs {
		if p.stopped[i] {
			continue
		}
		sctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		st, err := cli.Status(sctx, s.ClientURL)
		cancel()
		if err == nil && st.Leader != 0 && st.Leader == st.Header.MemberId {
			return i
		}
	}
	return -1
}

// Kill sends SIGKILL to member i and waits for it to die.
func (p *Procs) Kill(i int) {
	if p.stopped[i] {
		return
	}
	_ = p.cmds[i].Process.Signal(syscall.SIGKILL)
	_ = p.cmds[i].Wait()
	p.stopped[i] = true
}

// Pause stops member i with SIGSTOP; Resume lets it go on.
func (p *Procs) Pause(i int)  { _ = p.cmds[i].Process.Signal(syscall.SIGSTOP) }
func (p *Procs) Resume(i int) { _ = p.cmds[i].Process.Signal(syscall.SIGCONT) }

// Restart starts a killed member again on its data.
func (p *Procs) Restart(i int) error {
	p.specs[i].State = embed.ClusterStateFlagExisting
	return p.start(i)
}

func (p *Procs) killAll() {
	for i, c := range p.cmds {
		if c != nil && !p.stopped[i] {
			_ = c.Process.Signal(syscall.SIGCONT)
			p.Kill(i)
		}
	}
}
