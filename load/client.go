package load

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"sort"
	"sync"
	"syscall"
	"time"

	"github.com/seira-queue/seira/internal/apiclient"
)

// requestTimeout bounds one HTTP request. Requests are not cancelled when
// a traffic window ends, only by this and by the run's context: a ticket
// the server committed but whose answer the tool dropped would make the
// tool's count differ from the server's log.
const requestTimeout = 15 * time.Second

// maxErrorKinds bounds the error tally; further kinds are lumped together.
const maxErrorKinds = 64

// tally counts errors by kind ("POST tickets: 503 unavailable", "close
// 1006", …). Kinds are built from statuses, codes and error classes, never
// from tokens.
type tally struct {
	mu sync.Mutex
	m  map[string]int64
}

func newTally() *tally { return &tally{m: map[string]int64{}} }

func (t *tally) add(kind string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if _, ok := t.m[kind]; !ok && len(t.m) >= maxErrorKinds {
		kind = "other errors"
	}
	t.m[kind]++
}

// Count is how often one kind of error happened.
type Count struct {
	Kind  string `json:"kind"`
	Count int64  `json:"count"`
}

func (t *tally) list() []Count {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make([]Count, 0, len(t.m))
	for k, n := range t.m {
		out = append(out, Count{k, n})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Kind < out[j].Kind
	})
	return out
}

// errClass names an error of the network briefly: the errno ("connection
// refused", "too many open files"), "timeout", or "other".
func errClass(err error) string {
	var errno syscall.Errno
	var ne net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded):
		return "timeout"
	case errors.As(err, &errno):
		return errno.Error()
	case errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		return "unexpected EOF"
	case errors.Is(err, net.ErrClosed):
		return "connection closed"
	}
	return "other"
}

// newAPI returns the client of the run's API requests: one cookie
// session shared by every goroutine (staff are not rate-limited, and an
// administrator may act on every counter), with a transport of its own
// sized for maxConns requests in flight. Errors are tallied in errs by
// route, status and code.
func newAPI(base string, maxConns int, errs *tally, log *slog.Logger) *apiclient.Client {
	tr := &http.Transport{
		Proxy:               nil, // loopback measurements must not detour
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        maxConns,
		MaxIdleConnsPerHost: maxConns,
		MaxConnsPerHost:     maxConns,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
	}
	return apiclient.New(base, apiclient.Options{Timeout: requestTimeout, Transport: tr,
		Observe: func(route string, status int, err error) {
			var ae *apiclient.Error
			switch {
			case status == 0:
				errs.add(route + ": " + errClass(err))
				log.Debug("request failed", "route", route, "err", err)
			case errors.As(err, &ae):
				errs.add(fmt.Sprintf("%s: %d %s", route, ae.Status, ae.Code))
				log.Debug("error answer", "route", route, "status", ae.Status, "code", ae.Code, "message", ae.Message)
			}
		}})
}
