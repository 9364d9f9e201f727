package webhook

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"syscall"
	"time"

	"github.com/seira-queue/seira/queue"
)

// The SSRF guard: a webhook may not reach the machine seira runs on or its
// private networks, unless the operator allows it
// (-webhooks-allow-private). The URL is checked when it is subscribed, and
// every connection's address again when it is dialled, so that a name
// that resolves elsewhere later (DNS rebinding) reaches nothing private.

// blockedNets are ranges netip's predicates do not name.
var blockedNets = [...]netip.Prefix{
	netip.MustParsePrefix("100.64.0.0/10"),   // carrier-grade NAT
	netip.MustParsePrefix("0.0.0.0/8"),       // "this network"
	netip.MustParsePrefix("192.0.0.0/24"),    // IETF protocol assignments
	netip.MustParsePrefix("198.18.0.0/15"),   // benchmarking
	netip.MustParsePrefix("240.0.0.0/4"),     // reserved, and broadcast
	netip.MustParsePrefix("64:ff9b::/96"),    // NAT64: an IPv4 address inside
	netip.MustParsePrefix("64:ff9b:1::/48"),  // local-use NAT64
	netip.MustParsePrefix("2002::/16"),       // 6to4: an IPv4 address inside
	netip.MustParsePrefix("fec0::/10"),       // deprecated site-local
	netip.MustParsePrefix("100::/64"),        // discard-only
	netip.MustParsePrefix("2001:db8::/32"),   // documentation
	netip.MustParsePrefix("2001::/32"),       // Teredo: an IPv4 address inside
	netip.MustParsePrefix("2001:10::/28"),    // ORCHID
	netip.MustParsePrefix("2001:20::/28"),    // ORCHIDv2
	netip.MustParsePrefix("::/96"),           // IPv4-compatible (deprecated)
	netip.MustParsePrefix("192.0.2.0/24"),    // documentation
	netip.MustParsePrefix("198.51.100.0/24"), // documentation
	netip.MustParsePrefix("203.0.113.0/24"),  // documentation
}

// Blocked reports whether ip is loopback, link-local, private, unspecified,
// multicast, carrier-grade NAT or another range that is not the public
// internet.
func Blocked(ip netip.Addr) bool {
	ip = ip.Unmap()
	if !ip.IsValid() || ip.IsLoopback() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsInterfaceLocalMulticast() || ip.IsMulticast() || ip.IsPrivate() || ip.IsUnspecified() {
		return true
	}
	for _, p := range blockedNets {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// Guard checks webhook URLs and makes the HTTP client that sends them.
type Guard struct {
	// AllowPrivate lets URLs reach private and loopback addresses (an
	// operator's flag, for a receiver on the office's own network).
	AllowPrivate bool
	// Resolver resolves names (nil: net.DefaultResolver).
	Resolver *net.Resolver
}

// CheckURL returns the URL, normalised, or an error for the client: not
// http(s), no host, or (without AllowPrivate) a host that resolves to an
// address Blocked refuses.
func (g Guard) CheckURL(ctx context.Context, raw string) (string, error) {
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return "", queue.Errorf(queue.CodeValidation, "url: %v", err)
	case u.Scheme != "http" && u.Scheme != "https":
		return "", queue.Errorf(queue.CodeValidation, "url: want http or https, not %q", u.Scheme)
	case u.Hostname() == "":
		return "", queue.Errorf(queue.CodeValidation, "url: no host")
	case u.User != nil:
		return "", queue.Errorf(queue.CodeValidation, "url: no user or password in it, please: sign with the secret")
	case len(raw) > 2000:
		return "", queue.Errorf(queue.CodeValidation, "url: longer than 2000 characters")
	}
	u.Fragment = ""
	if g.AllowPrivate {
		return u.String(), nil
	}
	host := u.Hostname()
	var ips []netip.Addr
	if ip, err := netip.ParseAddr(host); err == nil {
		ips = []netip.Addr{ip}
	} else {
		r := g.Resolver
		if r == nil {
			r = net.DefaultResolver
		}
		rctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		if ips, err = r.LookupNetIP(rctx, "ip", host); err != nil || len(ips) == 0 {
			return "", queue.Errorf(queue.CodeValidation, "url: cannot resolve %s", host)
		}
	}
	for _, ip := range ips {
		if Blocked(ip) {
			return "", queue.Errorf(queue.CodeURLRefused,
				"url: %s resolves to %s, a loopback, link-local or private address; the operator can allow such addresses with -webhooks-allow-private", host, ip.Unmap())
		}
	}
	return u.String(), nil
}

// errBlocked is a dial to an address the guard refuses.
type errBlocked struct{ addr string }

func (e errBlocked) Error() string {
	return fmt.Sprintf("refused to connect to %s: a loopback, link-local or private address", e.addr)
}

// control refuses, at connect time, an address the guard refuses.
func (g Guard) control(_, address string, _ syscall.RawConn) error {
	if g.AllowPrivate {
		return nil
	}
	ap, err := netip.ParseAddrPort(address)
	if err != nil || Blocked(ap.Addr()) {
		return errBlocked{address}
	}
	return nil
}

// Client returns the HTTP client deliveries are sent with: no proxy from
// the environment (the guard checks the receiver's own address), redirects
// not followed (a 3xx is an answer, not 2xx), each request bounded by
// timeout.
func (g Guard) Client(timeout time.Duration) *http.Client {
	d := &net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second, Control: g.control, Resolver: g.Resolver}
	tr := &http.Transport{
		DialContext:           d.DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          64,
		MaxIdleConnsPerHost:   2,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   timeout,
		ResponseHeaderTimeout: timeout,
	}
	return &http.Client{Transport: tr, Timeout: timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}
