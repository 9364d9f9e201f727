package faults

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/seira-queue/seira/app"
	"github.com/seira-queue/seira/internal/childproc"
	"github.com/seira-queue/seira/storage"
)

// envInstance carries a seira instance's configuration to a child process.
const envInstance = "FAULTS_SEIRA_INSTANCE"

type instanceSpec struct {
	Endpoints []string
	Data      string
	Password  string
}

// runIfInstance makes this process a seira instance on etcd, as `seira
// serve -store etcd://…` is, and never returns, when the test started it
// as one. It prints its address, then serves until killed.
func runIfInstance() {
	raw := os.Getenv(envInstance)
	if raw == "" {
		return
	}
	var s instanceSpec
	if err := json.Unmarshal([]byte(raw), &s); err != nil {
		fmt.Fprintln(os.Stderr, "instance:", err)
		os.Exit(2)
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	a, err := app.Open(app.Config{Data: s.Data, Logger: log, Version: "faults",
		Etcd: &storage.EtcdOptions{Endpoints: s.Endpoints, RequestTimeout: 2 * time.Second}})
	if err != nil {
		fmt.Fprintln(os.Stderr, "instance:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	if _, err := a.SetUp(ctx, s.Password); err != nil {
		fmt.Fprintln(os.Stderr, "instance set-up:", err)
		os.Exit(2)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, "instance:", err)
		os.Exit(2)
	}
	fmt.Println("http://" + ln.Addr().String())
	if err := a.Serve(ctx, ln); err != nil {
		fmt.Fprintln(os.Stderr, "instance:", err)
		os.Exit(1)
	}
	os.Exit(0)
}

// instance is a seira child process.
type instance struct {
	URL  string
	cmd  *exec.Cmd
	dead bool
}

// startInstance starts a seira instance on the cluster and waits for its
// address.
func startInstance(t testing.TB, endpoints []string, password string) *instance {
	t.Helper()
	raw, _ := json.Marshal(instanceSpec{Endpoints: endpoints, Data: t.TempDir(), Password: password})
	cmd, line, err := childproc.Start(envInstance, string(raw), 60*time.Second)
	if err != nil {
		t.Fatalf("instance: %v", err)
	}
	in := &instance{cmd: cmd}
	t.Cleanup(in.kill)
	if !strings.HasPrefix(line, "http://") {
		t.Fatalf("instance: %q", line)
	}
	in.URL = line
	return in
}

// kill sends SIGKILL and waits for the process to end.
func (in *instance) kill() {
	if in.dead {
		return
	}
	_ = in.cmd.Process.Signal(syscall.SIGKILL)
	_ = in.cmd.Wait()
	in.dead = true
}
