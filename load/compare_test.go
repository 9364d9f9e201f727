package load

import (
	"bytes"
	"encoding/binary"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// frame is one unmasked server frame.
func frame(op byte, payload []byte) []byte {
	f := []byte{0x80 | op}
	switch n := len(payload); {
	case n < 126:
		f = append(f, byte(n))
	case n < 1<<16:
		f = append(f, 126)
		f = binary.BigEndian.AppendUint16(f, uint16(n))
	default:
		f = append(f, 127)
		f = binary.BigEndian.AppendUint64(f, uint64(n))
	}
	return append(f, payload...)
}

// TestLightClientCountsFramesSplitAnyhow feeds the light client's reader
// frames cut at every byte and checks what it counts and answers.
func TestLightClientCountsFramesSplitAnyhow(t *testing.T) {
	server, client := net.Pipe()
	defer server.Close()
	c := &lightClient{conn: client, centrifugo: true, ready: make(chan struct{})}
	count := &lightCount{}
	done := make(chan struct{})
	go func() { c.read(count); close(done) }()

	var stream bytes.Buffer
	stream.Write(frame(0x1, []byte(`{"id":2,"subscribe":{}}`))) // makes it ready
	stream.Write(frame(0x9, []byte("hi")))                      // a ping: pong
	stream.Write(frame(0x1, []byte(`{}`)))                      // Centrifugo's ping: "{}" back
	stream.Write(frame(0x1, bytes.Repeat([]byte("x"), 300)))    // 16-bit length
	stream.Write(frame(0x1, bytes.Repeat([]byte("y"), 70000)))  // 64-bit length
	stream.Write(frame(0x1, []byte(`{"push":1}`)))
	stream.Write(frame(0x1, []byte("{}\n{\"push\":2}\n{\"push\":3}"))) // batched, with a ping

	// What the client sends back, read as it comes (net.Pipe is synchronous).
	answers := make(chan []byte, 4)
	go func() {
		for {
			h := make([]byte, 6) // 2 header bytes and the mask
			if _, err := io.ReadFull(server, h); err != nil {
				close(answers)
				return
			}
			p := make([]byte, h[1]&0x7F)
			io.ReadFull(server, p)
			for i := range p {
				p[i] ^= h[2+i%4]
			}
			answers <- append([]byte{h[0] & 0x0F}, p...)
		}
	}()
	go func() {
		b := stream.Bytes()
		for i := range b {
			server.Write(b[i : i+1])
			if i == len(frame(0x1, []byte(`{"id":2,"subscribe":{}}`)))-1 {
				<-c.ready
				c.counted.Store(true)
			}
		}
	}()
	pong := append([]byte{0x1}, "{}"...)
	want := [][]byte{append([]byte{0xA}, "hi"...), pong, pong}
	for _, w := range want {
		select {
		case got := <-answers:
			if !bytes.Equal(got, w) {
				t.Fatalf("answer %q, want %q", got, w)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("no answer %q", w)
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for count.got.Load() < 5 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if got := count.got.Load(); got != 5 {
		t.Fatalf("counted %d messages, want 5 (the ready message and the pings are not counted)", got)
	}
	if count.lastAt.Load() == 0 {
		t.Fatal("no time of the last receipt")
	}
	server.Close()
	<-done
}

// TestCompareRunsSeira builds the command and runs a small comparison of
// it (with Centrifugo too when SEIRA_CENTRIFUGO names its binary): every
// subscriber gets every broadcast, and the figures are of that run.
func TestCompareRunsSeira(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the command")
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command: %v", err)
	}
	bin := filepath.Join(t.TempDir(), "seira")
	build := exec.CommandContext(t.Context(), goTool, "build", "-o", bin, "../cmd/seira")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	o := CompareOptions{Seira: bin, Centrifugo: os.Getenv("SEIRA_CENTRIFUGO"), Subs: 40, Events: 3, DialConc: 8}
	res, err := Compare(t.Context(), o)
	if err != nil {
		t.Fatal(err)
	}
	want := 1
	if o.Centrifugo != "" {
		want = 2
	}
	if len(res) != want {
		t.Fatalf("%d results, want %d", len(res), want)
	}
	for _, r := range res {
		if len(r.Latencies) != o.Events || r.Subs != o.Subs {
			t.Errorf("%s: %d broadcasts to %d, want %d to %d", r.Server, len(r.Latencies), r.Subs, o.Events, o.Subs)
		}
		for _, d := range r.Latencies {
			if d <= 0 {
				t.Errorf("%s: latency %v", r.Server, d)
			}
		}
	}
	// A call event, as the live channel sends it, is a few hundred bytes
	// (display/size_test.go keeps it under 300).
	if b := res[0].Bytes; b < 50 || b > 300 {
		t.Errorf("seira's call is %d bytes", b)
	}
	if len(res) == 2 && res[1].Bytes != res[0].Bytes {
		t.Errorf("Centrifugo's message is %d bytes, seira's %d", res[1].Bytes, res[0].Bytes)
	}
	var out strings.Builder
	if err := WriteCompare(&out, res); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "seira") {
		t.Errorf("table:\n%s", out.String())
	}
	t.Logf("\n%s", out.String())
}
