// Package publicurl decides the base URL of the links that phones open: the
// QR codes' ticket links and the devices' pairing links. It is decided in
// one place so that a kiosk opened from the start-up banner, on the server
// itself, still prints QR codes that a phone on the office's network can
// reach.
package publicurl

import (
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// Base is the operator's public URL, when set, and otherwise the machine's
// network address chosen at start for requests that came in through a
// loopback host. The zero Base follows each request's own host.
type Base struct {
	public string // -public-url, without a trailing slash; wins
	lan    string // http://ADDR:PORT, for requests through a loopback host
}

// Parse checks an operator's public URL ("" for none).
func Parse(public string) (Base, error) {
	public = strings.TrimRight(public, "/")
	if public == "" {
		return Base{}, nil
	}
	u, err := url.Parse(public)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return Base{}, fmt.Errorf("public URL %q: want http://host[:port][/path] or https://…", public)
	}
	return Base{public: public}, nil
}

// WithLAN returns b with the address that requests through a loopback host
// get in their links (see Choose); it does not override a public URL.
func (b Base) WithLAN(lan string) Base {
	b.lan = strings.TrimRight(lan, "/")
	return b
}

// Public returns the operator's public URL, or "".
func (b Base) Public() string { return b.public }

// Host returns the public URL's host[:port], or "": browsers on it may open
// WebSockets.
func (b Base) Host() string {
	if b.public == "" {
		return ""
	}
	u, _ := url.Parse(b.public)
	return u.Host
}

// Secure reports whether the public URL is https.
func (b Base) Secure() bool { return strings.HasPrefix(b.public, "https://") }

// For returns the base of links given in answer to r: the public URL; else,
// for a request through a loopback host, the chosen network address; else
// the request's own scheme and host.
func (b Base) For(r *http.Request) string {
	if b.public != "" {
		return b.public
	}
	if b.lan != "" && IsLoopbackHost(r.Host) {
		return b.lan
	}
	scheme := "http"
	if r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https" {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// IsLoopbackHost reports whether a Host header (host or host:port) names
// this machine only: localhost, 127.0.0.0/8 or ::1.
func IsLoopbackHost(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.Trim(host, "[]")
	if strings.EqualFold(host, "localhost") || strings.HasSuffix(strings.ToLower(host), ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Choice is what Choose decided for the links when no public URL is set.
type Choice struct {
	// URL is the base to print and to give loopback requests: the network
	// address with the listen port, or, when there is none, the loopback
	// one.
	URL string
	// LAN says URL is a network address phones can reach; otherwise
	// Reason says why not.
	LAN    bool
	Reason string
}

// Reasons a Choice is not on the network.
const (
	OnlyLoopback   = "only-loopback"   // the machine has no other address
	ListenLoopback = "listen-loopback" // seira listens on loopback only
)

// Choose picks the base URL for a server listening on listen, given the
// machine's interface addresses (net.InterfaceAddrs, injected so that tests
// can give a list of their own): the listen address itself when it is a
// network one; when it is unspecified (":8080"), the first address that is
// neither loopback nor link-local, IPv4 before IPv6.
func Choose(listen net.Addr, addrs []net.Addr) Choice {
	tcp, ok := listen.(*net.TCPAddr)
	if !ok {
		return Choice{URL: "http://" + listen.String(), Reason: ListenLoopback}
	}
	port := strconv.Itoa(tcp.Port)
	local := "http://" + net.JoinHostPort("localhost", port)
	switch {
	case tcp.IP.IsLoopback():
		return Choice{URL: "http://" + net.JoinHostPort(tcp.IP.String(), port), Reason: ListenLoopback}
	case !tcp.IP.IsUnspecified():
		return Choice{URL: "http://" + net.JoinHostPort(tcp.IP.String(), port), LAN: true}
	}
	var v6 net.IP
	for _, a := range addrs {
		ip := ipOf(a)
		if ip == nil || ip.IsLoopback() || ip.IsLinkLocalUnicast() || ip.IsMulticast() || ip.IsUnspecified() {
			continue
		}
		if ip4 := ip.To4(); ip4 != nil {
			return Choice{URL: "http://" + net.JoinHostPort(ip4.String(), port), LAN: true}
		}
		if v6 == nil && tcp.IP.To4() == nil {
			v6 = ip
		}
	}
	if v6 != nil {
		return Choice{URL: "http://" + net.JoinHostPort(v6.String(), port), LAN: true}
	}
	return Choice{URL: local, Reason: OnlyLoopback}
}

func ipOf(a net.Addr) net.IP {
	switch v := a.(type) {
	case *net.IPNet:
		return v.IP
	case *net.IPAddr:
		return v.IP
	case *net.TCPAddr:
		return v.IP
	}
	return nil
}
