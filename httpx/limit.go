package httpx

import (
	"context"
	"net"
	"net/http"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Limiters keeps a token bucket per key (a kiosk device, a client
// address), made on first use.
type Limiters struct {
	rate  rate.Limit
	burst int
	// shared, when set, keeps the buckets in the store, under scope, so
	// that every instance on etcd draws from the same ones.
	shared SharedTokens
	scope  string

	mu sync.Mutex
	m  map[string]*rate.Limiter
}

// SharedTokens takes a token (or, without take, looks for one) from a
// bucket every instance shares: storage.Store.Tokens.
type SharedTokens func(ctx context.Context, key string, rate float64, burst int, now time.Time, take bool) (bool, error)

// Share moves the buckets into shared, under scope (a replicated store's
// instances must not each grant the whole rate).
func (l *Limiters) Share(scope string, shared SharedTokens) {
	l.scope, l.shared = scope, shared
}

// Take takes a token from key's bucket, wherever the buckets are.
func (l *Limiters) Take(ctx context.Context, key string) (bool, error) {
	if l.shared == nil {
		return l.Allow(key), nil
	}
	return l.shared(ctx, l.scope+":"+key, float64(l.rate), l.burst, time.Now(), true)
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
