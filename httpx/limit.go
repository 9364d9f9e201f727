package httpx

import (
	"net"
	"net/http"
	"sync"

	"golang.org/x/time/rate"
)

// Limiters keeps a token bucket per key (a kiosk device, a client
// address), made on first use.
type Limiters struct {
	rate  rate.Limit
	burst int

	mu sync.Mutex
	m  map[string]*rate.Limiter
}

// maxKeys bounds the keys remembered; past it they start over, which
// forgives everyone at once rather than grow without end.
const maxKeys = 50_000

// NewLimiters returns buckets of r tokens a second, burst at once.
func NewLimiters(r rate.Limit, burst int) *Limiters {
	return &Limiters{rate: r, burst: burst, m: map[string]*rate.Limiter{}}
}

// Allow takes a token from key's bucket.
func (l *Limiters) Allow(key string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.m[key]
	if !ok {
		if len(l.m) >= maxKeys {
			clear(l.m)
		}
		b = rate.NewLimiter(l.rate, l.burst)
		l.m[key] = b
	}
	return b.Allow()
}

// ClientAddr is the address of the connection a request came on: a
// forwarded header could name anyone.
func ClientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
