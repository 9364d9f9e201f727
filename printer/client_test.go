package printer

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/seira-queue/seira/internal/nettest"
)

// fakePrinter is a raw-TCP printer on 127.0.0.1 that takes one connection
// and records every byte until the client closes. With a status reply, it
// first reads the status query and answers it.
type fakePrinter struct {
	addr string
	got  chan []byte
}

func newFakePrinter(t *testing.T, reply []byte) *fakePrinter {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	p := &fakePrinter{addr: ln.Addr().String(), got: make(chan []byte, 1)}
	go func() {
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		defer conn.Close()
		conn.SetDeadline(time.Now().Add(10 * time.Second)) // a broken test must not hang
		var all []byte
		if reply != nil {
			q := make([]byte, len(statusQuery))
			if _, err := io.ReadFull(conn, q); err != nil {
				p.got <- nil
				return
			}
			all = append(all, q...)
			conn.Write(reply)
		}
		rest, _ := io.ReadAll(conn)
		p.got <- append(all, rest...)
	}()
	return p
}

// received returns what the printer received, failing after a while.
func (p *fakePrinter) received(t *testing.T) []byte {
	t.Helper()
	select {
	case b := <-p.got:
		return b
	case <-time.After(15 * time.Second):
		t.Fatal("fake printer received nothing")
		return nil
	}
}

func TestPrintTicket(t *testing.T) {
	for _, tt := range []struct {
		codePage string
		escT     byte
		service  []byte // "Πιστοποιητικά" in the code page
	}{
		{CodePage1253, 0x2f, []byte{0xd0, 0xe9, 0xf3, 0xf4, 0xef, 0xf0, 0xef, 0xe9, 0xe7, 0xf4, 0xe9, 0xea, 0xdc}},
		{CodePage737, 0x0e, []byte{0x8f, 0xa0, 0xa9, 0xab, 0xa6, 0xa7, 0xa6, 0xa0, 0x9e, 0xab, 0xa0, 0xa1, 0xe1}},
	} {
		t.Run(tt.codePage, func(t *testing.T) {
			p := newFakePrinter(t, nil)
			cfg := Config{Addr: p.addr, CodePage: tt.codePage}
			if err := cfg.Validate(); err != nil {
				t.Fatal(err)
			}
			tk := testTicket()
			job, err := Encode(cfg, tk)
			if err != nil {
				t.Fatal(err)
			}
			if err := (Client{}).Print(context.Background(), cfg.Addr, job); err != nil {
				t.Fatal(err)
			}
			got := p.received(t)
			if !bytes.Equal(got, job) {
				t.Fatalf("printer received %d bytes, want the %d of the job", len(got), len(job))
			}
			checkTicketBytes(t, got, tt.escT, tt.service, tk.URL)
		})
	}
}

func TestPrintUnreachable(t *testing.T) {
	addr := nettest.ClosedAddr(t)
	err := Client{DialTimeout: time.Second}.Print(context.Background(), addr, []byte("x"))
	if err == nil || !strings.Contains(err.Error(), "printer "+addr+" unreachable") {
		t.Fatalf("error %v, want printer %s unreachable", err, addr)
	}
	if !errors.Is(err, syscall.ECONNREFUSED) {
		t.Errorf("error %v does not wrap ECONNREFUSED", err)
	}
}

func TestPrintBadAddress(t *testing.T) {
	err := Client{}.Print(context.Background(), "http://10.0.0.5:9100", []byte("x"))
	if err == nil || !strings.Contains(err.Error(), "URL") {
		t.Fatalf("error %v, want a URL complaint", err)
	}
}

// stalledPrinter accepts a connection and never reads from it.
func stalledPrinter(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	accepted := make(chan net.Conn, 1)
	go func() {
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		accepted <- conn
		<-done
	}()
	t.Cleanup(func() {
		close(done)
		ln.Close()
		select {
		case c := <-accepted:
			c.Close()
		default:
		}
	})
	return ln.Addr().String()
}

// bigJob is more than loopback's socket buffers can hold, so writing it
// blocks on a printer that does not read.
func bigJob() []byte { return make([]byte, 64<<20) }

func TestPrintWriteDeadline(t *testing.T) {
	addr := stalledPrinter(t)
	err := Client{WriteTimeout: 200 * time.Millisecond}.Print(context.Background(), addr, bigJob())
	if !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("error %v, want a deadline exceeded", err)
	}
	if !strings.Contains(err.Error(), "did not take the ticket within 200ms") {
		t.Errorf("error %q does not say what happened", err)
	}
}

func TestPrintContextCancelled(t *testing.T) {
	addr := stalledPrinter(t)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, cancel)
	err := Client{WriteTimeout: time.Hour}.Print(ctx, addr, bigJob())
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want context.Canceled", err)
	}
}

func TestPrintContextDeadline(t *testing.T) {
	addr := stalledPrinter(t)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	err := Client{WriteTimeout: time.Hour}.Print(ctx, addr, bigJob())
	if !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("error %v, want a deadline", err)
	}
}

func TestPrintStatus(t *testing.T) {
	job := []byte("\x1b@ticket\x1dVB\x00")
	tests := []struct {
		name  string
		reply []byte
		want  *StatusError // nil: printed
	}{
		{"ready", []byte{0x12, 0x12}, nil},
		{"paper near end only", []byte{0x12, 0x1e}, nil},
		{"paper out", []byte{0x1a, 0x72}, &StatusError{Offline: true, PaperOut: true}},
		{"cover open", []byte{0x1a, 0x12}, &StatusError{Offline: true}},
		{"offline, no paper answer", []byte{0x1a}, &StatusError{Offline: true}},
		{"silent", []byte{}, nil},
		{"not status bytes", []byte("OK"), nil},
		{"automatic status back", []byte{0x10, 0x00, 0x00, 0x00}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newFakePrinter(t, tt.reply)
			err := Client{StatusTimeout: 300 * time.Millisecond}.Print(context.Background(), p.addr, job)
			got := p.received(t)
			if !bytes.HasPrefix(got, []byte(statusQuery)) {
				t.Fatalf("printer received % x, want the status query first", got)
			}
			if tt.want == nil {
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got[len(statusQuery):], job) {
					t.Errorf("printer received % x after the query, want the job", got[len(statusQuery):])
				}
				return
			}
			var st *StatusError
			if !errors.As(err, &st) {
				t.Fatalf("error %v, want a *StatusError", err)
			}
			if st.Offline != tt.want.Offline || st.PaperOut != tt.want.PaperOut || st.Addr != p.addr {
				t.Errorf("status %+v, want %+v at %s", st, tt.want, p.addr)
			}
			if len(got) != len(statusQuery) {
				t.Errorf("job sent to a printer that cannot print: % x", got)
			}
		})
	}
}

func TestStatusErrorMessage(t *testing.T) {
	err := &StatusError{Addr: "10.0.0.5:9100", Offline: true, PaperOut: true}
	if got, want := err.Error(), "printer 10.0.0.5:9100 is out of paper and offline"; got != want {
		t.Errorf("%q, want %q", got, want)
	}
}
