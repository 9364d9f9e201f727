package publicurl

import (
	"crypto/tls"
	"net"
	"net/http/httptest"
	"testing"
)

func ipnet(s string) net.Addr {
	ip, n, err := net.ParseCIDR(s)
	if err != nil {
		panic(err)
	}
	n.IP = ip
	return n
}

// TestChoose picks the address phones reach from fake interface lists.
func TestChoose(t *testing.T) {
	all := &net.TCPAddr{IP: net.IPv6unspecified, Port: 8080}     // ":8080"
	all4 := &net.TCPAddr{IP: net.IPv4zero, Port: 8080}           // "0.0.0.0:8080"
	loop := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8080} // "127.0.0.1:8080"
	lo, lo6 := ipnet("127.0.0.1/8"), ipnet("::1/128")
	link4, link6 := ipnet("169.254.3.4/16"), ipnet("fe80::1/64")
	lan, lan2, v6 := ipnet("192.168.1.20/24"), ipnet("10.0.0.5/8"), ipnet("2001:db8::20/64")
	for _, c := range []struct {
		name   string
		listen net.Addr
		addrs  []net.Addr
		want   Choice
	}{
		{"first network IPv4", all, []net.Addr{lo, lo6, link6, lan, lan2}, Choice{URL: "http://192.168.1.20:8080", LAN: true}},
		{"IPv4 before IPv6", all, []net.Addr{lo, v6, lan2}, Choice{URL: "http://10.0.0.5:8080", LAN: true}},
		{"IPv6 when there is no IPv4", all, []net.Addr{lo, lo6, link4, v6}, Choice{URL: "http://[2001:db8::20]:8080", LAN: true}},
		{"no IPv6 on an IPv4 listener", all4, []net.Addr{lo, v6}, Choice{URL: "http://localhost:8080", Reason: OnlyLoopback}},
		{"only loopback and link-local", all, []net.Addr{lo, lo6, link4, link6}, Choice{URL: "http://localhost:8080", Reason: OnlyLoopback}},
		{"no addresses at all", all, nil, Choice{URL: "http://localhost:8080", Reason: OnlyLoopback}},
		{"listening on loopback", loop, []net.Addr{lo, lan}, Choice{URL: "http://127.0.0.1:8080", Reason: ListenLoopback}},
		{"listening on one address", &net.TCPAddr{IP: net.IPv4(10, 0, 0, 5), Port: 9000}, []net.Addr{lan, lan2}, Choice{URL: "http://10.0.0.5:9000", LAN: true}},
	} {
		if got := Choose(c.listen, c.addrs); got != c.want {
			t.Errorf("%s: %+v, want %+v", c.name, got, c.want)
		}
	}
}

func TestFor(t *testing.T) {
	pub, err := Parse("https://kep.example.gr/")
	if err != nil {
		t.Fatal(err)
	}
	lan := Base{}.WithLAN("http://192.168.1.20:8080")
	for _, c := range []struct {
		name string
		b    Base
		host string
		tls  bool
		want string
	}{
		{"public URL wins", pub.WithLAN("http://192.168.1.20:8080"), "localhost:8080", false, "https://kep.example.gr"},
		{"127.0.0.1", lan, "127.0.0.1:8080", false, "http://192.168.1.20:8080"},
		{"localhost", lan, "localhost:8080", false, "http://192.168.1.20:8080"},
		{"::1", lan, "[::1]:8080", false, "http://192.168.1.20:8080"},
		{"a name keeps its host", lan, "kep.local:8080", false, "http://kep.local:8080"},
		{"an address keeps its host", lan, "192.168.1.30:8080", false, "http://192.168.1.30:8080"},
		{"TLS keeps https", Base{}, "kep.local", true, "https://kep.local"},
		{"no LAN: loopback stays", Base{}, "localhost:8080", false, "http://localhost:8080"},
	} {
		r := httptest.NewRequest("GET", "/", nil)
		r.Host = c.host
		if c.tls {
			r.TLS = &tls.ConnectionState{}
		}
		if got := c.b.For(r); got != c.want {
			t.Errorf("%s: %s, want %s", c.name, got, c.want)
		}
	}
	for _, bad := range []string{"kep.example.gr", "ftp://kep", "https://", "https://kep/?q=1", "http://%zz"} {
		if _, err := Parse(bad); err == nil {
			t.Errorf("Parse(%q) took it", bad)
		}
	}
	if pub.Host() != "kep.example.gr" || !pub.Secure() {
		t.Errorf("Host %q Secure %v", pub.Host(), pub.Secure())
	}
}
