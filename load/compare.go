package load

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"text/tabwriter"
	"time"

	"github.com/seira-queue/seira/internal/apiclient"
)

// CompareOptions set up a fan-out comparison of seira with Centrifugo:
// the same light clients (light.go) subscribe to one channel of each
// server in turn, and each server broadcasts the same number of messages
// of the same size to them.
type CompareOptions struct {
	// Seira is the seira binary (the tool's own); Centrifugo a Centrifugo
	// v6 binary, "" to measure seira alone.
	Seira, Centrifugo string
	// Subs is the subscribers of each server; Events the broadcasts
	// measured.
	Subs, Events int
	// DialConc bounds the handshakes in flight.
	DialConc int
	Logger   *slog.Logger
}

// CompareResult is one server's figures.
type CompareResult struct {
	Server string
	Subs   int
	// Bytes is the size of the message broadcast (the WebSocket payload).
	Bytes int
	// Latencies are each broadcast's time from the request that causes it
	// to the last subscriber's receipt.
	Latencies []time.Duration
	// RSSPerConn is the server's resident memory per idle connection.
	RSSPerConn float64
	// ServerCPU and ClientCPU are the CPU time, user and system, that the
	// server and the light clients spent per broadcast: on a machine
	// whose cores both share, the time to the last receipt is bounded by
	// their sum over the cores.
	ServerCPU, ClientCPU time.Duration
}

// cpuMeter reads the server's and the clients' CPU time over a stretch.
type cpuMeter struct {
	srv            *child
	server, client time.Duration
}

func (c *child) meter() *cpuMeter {
	return &cpuMeter{srv: c, server: c.cpu(), client: selfCPU()}
}

// per sets the result's CPU figures for n broadcasts since the meter began.
func (m *cpuMeter) per(res *CompareResult, n int) {
	res.ServerCPU = (m.srv.cpu() - m.server) / time.Duration(n)
	res.ClientCPU = (selfCPU() - m.client) / time.Duration(n)
}

// Percentile returns the nearest-rank p-th percentile of the latencies.
func (r CompareResult) Percentile(p int) time.Duration {
	if len(r.Latencies) == 0 {
		return 0
	}
	s := slices.Sorted(slices.Values(r.Latencies))
	return s[max((p*len(s)+99)/100-1, 0)]
}

// Compare runs seira, then Centrifugo, each as a child process on
// loopback, and measures both.
func Compare(ctx context.Context, o CompareOptions) ([]CompareResult, error) {
	if o.Subs <= 0 || o.Events <= 0 {
		return nil, errors.New("compare: -subs and -events must be positive")
	}
	if o.DialConc <= 0 {
		o.DialConc = 64
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if _, err := raiseNoFile(); err != nil {
		o.Logger.Warn("compare: open files", "err", err)
	}
	s, err := compareSeira(ctx, o)
	if err != nil {
		return nil, fmt.Errorf("seira: %w", err)
	}
	out := []CompareResult{s}
	if o.Centrifugo != "" {
		c, err := compareCentrifugo(ctx, o, s.Bytes)
		if err != nil {
			return out, fmt.Errorf("centrifugo: %w", err)
		}
		out = append(out, c)
	}
	return out, nil
}

// child is a server process the comparison started.
type child struct {
	cmd    *exec.Cmd
	stdout *bufio.Reader
}

func startChild(ctx context.Context, bin string, args, env []string) (*child, error) {
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	return &child{cmd: cmd, stdout: bufio.NewReader(out)}, nil
}

// stop ends the process, and waits for it.
func (c *child) stop() {
	_ = c.cmd.Process.Signal(os.Interrupt)
	done := make(chan struct{})
	go func() { c.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = c.cmd.Process.Kill()
		<-done
	}
}

// rss is the process's resident memory, from /proc.
func (c *child) rss() (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", c.cmd.Process.Pid))
	if err != nil {
		return 0, err
	}
	m := regexp.MustCompile(`VmRSS:\s+(\d+) kB`).FindSubmatch(b)
	if m == nil {
		return 0, errors.New("no VmRSS")
	}
	kb, _ := strconv.ParseInt(string(m[1]), 10, 64)
	return kb << 10, nil
}

// cpu is the process's CPU time so far, from /proc (in the kernel's
// USER_HZ ticks, which Linux fixes at 100 a second for this file); 0 where
// there is no /proc.
func (c *child) cpu() time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", c.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	// The fields after the command's name, which is in parentheses.
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	if len(f) < 13 {
		return 0
	}
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(utime+stime) * 10 * time.Millisecond
}

func secret() string {
	b := make([]byte, 12)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func compareSeira(ctx context.Context, o CompareOptions) (CompareResult, error) {
	res := CompareResult{Server: "seira", Subs: o.Subs}
	dir, err := os.MkdirTemp("", "seira-compare-*")
	if err != nil {
		return res, err
	}
	defer os.RemoveAll(dir)
	pw := secret()
	srv, err := startChild(ctx, o.Seira, []string{"serve", "-addr", "127.0.0.1:0", "-data", dir, "-log-level", "warn"},
		[]string{"SEIRA_ADMIN_PASSWORD=" + pw})
	if err != nil {
		return res, err
	}
	defer srv.stop()
	// The banner's first line names where it listens.
	line, err := srv.stdout.ReadString('\n')
	if err != nil {
		return res, fmt.Errorf("no banner: %w", err)
	}
	go io.Copy(io.Discard, srv.stdout)
	m := regexp.MustCompile(`on (http://127\.0\.0\.1:\d+)`).FindStringSubmatch(line)
	if m == nil {
		return res, fmt.Errorf("banner %q names no address", line)
	}
	base := m[1]
	api := apiclient.New(base, apiclient.Options{Timeout: 30 * time.Second})
	defer api.Close()
	if err := api.Login(ctx, "admin", pw); err != nil {
		return res, err
	}
	for range o.Events + 1 {
		if _, err := api.Do(ctx, "POST", "/api/v1/branches/demo/tickets", "issue", map[string]string{"service": "certificates"}, nil); err != nil {
			return res, err
		}
	}
	if _, err := api.Do(ctx, "POST", "/api/v1/branches/demo/counters/1/open", "open", nil, nil); err != nil {
		return res, err
	}
	wsURL := "ws" + strings.TrimPrefix(base, "http") + "/api/v1/branches/demo/live"
	// The size of a call, as subscribers get it, for Centrifugo's padding.
	probe, err := dialLight(ctx, wsURL, false)
	if err != nil {
		return res, err
	}
	sizes := make(chan int, 1)
	go probe.sizeOfNext(sizes)
	if _, err := api.Do(ctx, "POST", "/api/v1/branches/demo/counters/1/next", "next", nil, nil); err != nil {
		return res, err
	}
	select {
	case res.Bytes = <-sizes:
	case <-time.After(10 * time.Second):
		return res, errors.New("no call reached the probe")
	}
	probe.conn.Close()
	if _, err := api.Do(ctx, "POST", "/api/v1/branches/demo/counters/1/done", "done", nil, nil); err != nil {
		return res, err
	}

	before, _ := srv.rss()
	clients, count, err := connectLight(ctx, o, wsURL, false, nil)
	if err != nil {
		return res, err
	}
	defer closeLight(clients)
	after, _ := srv.rss()
	res.RSSPerConn = float64(after-before) / float64(o.Subs)
	cpu := srv.meter()
	for i := range o.Events {
		d, err := measure(count, int64(o.Subs), func() error {
			_, err := api.Do(ctx, "POST", "/api/v1/branches/demo/counters/1/next", "next", nil, nil)
			return err
		})
		if err != nil {
			return res, fmt.Errorf("event %d: %w", i, err)
		}
		res.Latencies = append(res.Latencies, d)
		o.Logger.Debug("compare: broadcast", "server", res.Server, "i", i, "latency", d)
		// The call's "done", unmeasured, before the next call.
		if _, err := measure(count, int64(o.Subs), func() error {
			_, err := api.Do(ctx, "POST", "/api/v1/branches/demo/counters/1/done", "done", nil, nil)
			return err
		}); err != nil {
			return res, fmt.Errorf("done %d: %w", i, err)
		}
	}
	cpu.per(&res, 2*o.Events)
	return res, nil
}

// sizeOfNext reports the payload size of the first text message after the
// one that made the client ready (for the probe, which is not counted).
func (c *lightClient) sizeOfNext(out chan<- int) {
	r := bufio.NewReader(c.conn)
	seen := 0
	for {
		h := make([]byte, 2)
		if _, err := io.ReadFull(r, h); err != nil {
			return
		}
		size := int(h[1] & 0x7F)
		switch size {
		case 126:
			ext := make([]byte, 2)
			io.ReadFull(r, ext)
			size = int(ext[0])<<8 | int(ext[1])
		case 127:
			ext := make([]byte, 8)
			io.ReadFull(r, ext)
			size = 0
			for _, b := range ext {
				size = size<<8 | int(b)
			}
		}
		if _, err := io.CopyN(io.Discard, r, int64(size)); err != nil {
			return
		}
		if h[0]&0x0F == 0x1 {
			if seen++; seen == 2 {
				out <- size
				return
			}
		}
	}
}

func compareCentrifugo(ctx context.Context, o CompareOptions, size int) (CompareResult, error) {
	res := CompareResult{Server: "centrifugo", Subs: o.Subs}
	port, err := freePort()
	if err != nil {
		return res, err
	}
	key := secret()
	cfg := map[string]any{
		"http_server": map[string]any{"address": "127.0.0.1", "port": port},
		"log":         map[string]any{"level": "error"},
		"engine":      map[string]any{"type": "memory"},
		"client": map[string]any{"insecure": true, "allow_anonymous_connect_without_token": true,
			"allowed_origins": []string{"*"}},
		"channel":  map[string]any{"without_namespace": map[string]any{"allow_subscribe_for_anonymous": true}},
		"http_api": map[string]any{"key": key},
		"health":   map[string]any{"enabled": true},
	}
	dir, err := os.MkdirTemp("", "centrifugo-compare-*")
	if err != nil {
		return res, err
	}
	defer os.RemoveAll(dir)
	raw, _ := json.Marshal(cfg)
	path := filepath.Join(dir, "config.json")
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		return res, err
	}
	srv, err := startChild(ctx, o.Centrifugo, []string{"-c", path}, nil)
	if err != nil {
		return res, err
	}
	defer srv.stop()
	go io.Copy(io.Discard, srv.stdout)
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	if err := waitHealthy(ctx, base+"/health"); err != nil {
		return res, err
	}
	// The push a subscriber gets is {"push":{"channel":"demo","pub":
	// {"data":DATA}}}: DATA is padded until that is seira's size.
	shell := len(`{"push":{"channel":"demo","pub":{"data":{"p":""}}}}`)
	body, _ := json.Marshal(map[string]any{"channel": "demo", "data": map[string]string{"p": strings.Repeat("x", max(size-shell, 0))}})
	publish := func() error {
		req, _ := http.NewRequestWithContext(ctx, "POST", base+"/api/publish", bytes.NewReader(body))
		req.Header.Set("X-API-Key", key)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 || bytes.Contains(b, []byte(`"error"`)) {
			return fmt.Errorf("publish: %d %s", resp.StatusCode, b)
		}
		return nil
	}
	wsURL := fmt.Sprintf("ws://127.0.0.1:%d/connection/websocket", port)
	hello := []byte(`{"id":1,"connect":{}}` + "\n" + `{"id":2,"subscribe":{"channel":"demo"}}`)
	before, _ := srv.rss()
	clients, count, err := connectLight(ctx, o, wsURL, true, hello)
	if err != nil {
		return res, err
	}
	defer closeLight(clients)
	after, _ := srv.rss()
	res.RSSPerConn = float64(after-before) / float64(o.Subs)
	res.Bytes = shell + max(size-shell, 0)
	cpu := srv.meter()
	for i := range o.Events {
		d, err := measure(count, int64(o.Subs), publish)
		if err != nil {
			return res, fmt.Errorf("event %d: %w", i, err)
		}
		res.Latencies = append(res.Latencies, d)
		o.Logger.Debug("compare: broadcast", "server", res.Server, "i", i, "latency", d)
		// As for seira, a second message between two measured ones.
		if _, err := measure(count, int64(o.Subs), publish); err != nil {
			return res, err
		}
	}
	cpu.per(&res, 2*o.Events)
	return res, nil
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

func waitHealthy(ctx context.Context, url string) error {
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := http.Get(url); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
	return fmt.Errorf("%s did not answer in 30 s", url)
}

// connectLight connects n light clients, sending hello first if given, and
// returns once each is subscribed; counting begins then.
func connectLight(ctx context.Context, o CompareOptions, url string, centrifugo bool, hello []byte) ([]*lightClient, *lightCount, error) {
	count := &lightCount{}
	clients := make([]*lightClient, o.Subs)
	sem := make(chan struct{}, o.DialConc)
	var wg sync.WaitGroup
	var failed atomic.Int64
	var firstErr atomic.Value
	for i := range clients {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			c, err := dialLight(ctx, url, centrifugo)
			if err == nil && hello != nil {
				err = c.send(0x1, hello)
			}
			if err != nil {
				failed.Add(1)
				firstErr.CompareAndSwap(nil, err)
				return
			}
			clients[i] = c
			go c.read(count)
			select {
			case <-c.ready:
			case <-time.After(60 * time.Second):
				failed.Add(1)
				firstErr.CompareAndSwap(nil, errors.New("not subscribed in 60 s"))
			}
		})
	}
	wg.Wait()
	if n := failed.Load(); n > 0 {
		closeLight(clients)
		return nil, nil, fmt.Errorf("%d of %d clients failed: %v", n, o.Subs, firstErr.Load())
	}
	for _, c := range clients {
		c.counted.Store(true)
	}
	// Idle a moment, so that the memory read after is of idle connections.
	time.Sleep(2 * time.Second)
	return clients, count, nil
}

func closeLight(clients []*lightClient) {
	for _, c := range clients {
		if c != nil {
			c.conn.Close()
		}
	}
}

// measure causes one broadcast and returns the time from just before the
// request to the last of n receipts.
func measure(count *lightCount, n int64, cause func() error) (time.Duration, error) {
	count.got.Store(0)
	start := time.Now()
	if err := cause(); err != nil {
		return 0, err
	}
	deadline := time.Now().Add(30 * time.Second)
	for count.got.Load() < n {
		if time.Now().After(deadline) {
			return 0, fmt.Errorf("%d of %d subscribers received it in 30 s (%d connections ended; last: %v)",
				count.got.Load(), n, count.closed.Load(), count.reason.Load())
		}
		time.Sleep(200 * time.Microsecond)
	}
	if got := count.got.Load(); got != n {
		return 0, fmt.Errorf("%d receipts for %d subscribers", got, n)
	}
	d := time.Duration(count.lastAt.Load() - start.UnixNano())
	time.Sleep(100 * time.Millisecond) // the servers settle between two
	return d, nil
}

// WriteCompare prints the comparison as one table, with the ratios.
func WriteCompare(w io.Writer, res []CompareResult) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "server\tsubscribers\tmessage bytes\tbroadcasts\tp50\tp99\tmax\tmemory per connection\tserver CPU per broadcast\tclients' CPU per broadcast\t\n")
	for _, r := range res {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%s\t%s\t%s\t%.1f KB\t%s\t%s\t\n", r.Server, r.Subs, r.Bytes, len(r.Latencies),
			msText(r.Percentile(50)), msText(r.Percentile(99)), msText(r.Percentile(100)), r.RSSPerConn/1024,
			msText(r.ServerCPU), msText(r.ClientCPU))
	}
	if len(res) == 2 {
		a, b := res[0], res[1]
		ratio := func(x, y time.Duration) string { return fmt.Sprintf("%.2f", float64(x)/float64(y)) }
		fmt.Fprintf(tw, "%s ÷ %s\t\t\t\t%s\t%s\t%s\t%.2f\t%s\t%s\t\n", a.Server, b.Server, ratio(a.Percentile(50), b.Percentile(50)),
			ratio(a.Percentile(99), b.Percentile(99)), ratio(a.Percentile(100), b.Percentile(100)), a.RSSPerConn/b.RSSPerConn,
			ratio(a.ServerCPU, b.ServerCPU), ratio(a.ClientCPU, b.ClientCPU))
	}
	return tw.Flush()
}

func msText(d time.Duration) string { return fmt.Sprintf("%.1f ms", ms(d)) }
