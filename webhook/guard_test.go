package webhook_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/seira-queue/seira/queue"
	"github.com/seira-queue/seira/webhook"
)

// TestGuardRefusesPrivateAddresses: URLs whose hosts are or resolve to
// loopback, link-local, private, unspecified, multicast or CGNAT addresses
// are refused with url_refused unless the operator allows them; other
// mistakes are validation errors; a public address passes.
func TestGuardRefusesPrivateAddresses(t *testing.T) {
	ctx := context.Background()
	refused := []string{
		"http://localhost/hook", "http://localhost:8080/hook", "http://127.0.0.1/", "http://127.8.9.10:9/",
		"http://10.1.2.3/", "http://172.16.0.1/", "http://172.31.255.255/", "http://192.168.1.1/",
		"http://169.254.169.254/latest/meta-data", "http://[::1]/", "http://[::ffff:127.0.0.1]/", "http://[::ffff:10.0.0.1]/",
		"http://0.0.0.0/", "http://[::]/", "http://224.0.0.1/", "http://[ff02::1]/", "http://100.64.0.1/", "http://100.127.255.254/",
		"http://[fc00::1]/", "http://[fd12:3456::1]/", "http://[fe80::1]/", "https://127.0.0.1:8443/",
		"http://[64:ff9b::7f00:1]/",
	}
	// Loopback spelt in ways Go does not parse as an address: as names
	// they do not resolve, or resolve to loopback; refused either way.
	for _, u := range []string{"http://0x7f000001/", "http://2130706433/", "http://127.1/"} {
		if _, err := (webhook.Guard{}).CheckURL(ctx, u); err == nil {
			t.Errorf("%s: accepted", u)
		}
	}
	for _, u := range refused {
		_, err := webhook.Guard{}.CheckURL(ctx, u)
		if code := queue.ErrorCode(err); code != queue.CodeURLRefused {
			t.Errorf("%s: %v (code %q), want url_refused", u, err, code)
		}
		if got, err := (webhook.Guard{AllowPrivate: true}).CheckURL(ctx, u); err != nil || got == "" {
			t.Errorf("%s with -webhooks-allow-private: %v", u, err)
		}
	}
	for _, u := range []string{"ftp://example.com/", "file:///etc/passwd", "http:///nohost", "https://user:pw@example.com/", "javascript:alert(1)", "::"} {
		if code := queue.ErrorCode(checkErr(webhook.Guard{AllowPrivate: true}, ctx, u)); code != queue.CodeValidation {
			t.Errorf("%s: code %q, want validation_failed", u, code)
		}
	}
	for _, u := range []string{"https://93.184.215.14/hook", "http://[2a00:1450:4001:82b::200e]/x", "https://8.8.8.8:8443/a?b=c"} {
		if got, err := (webhook.Guard{}).CheckURL(ctx, u); err != nil || got != u {
			t.Errorf("%s: %q %v", u, got, err)
		}
	}
	for _, ip := range []string{"100.63.255.255", "100.128.0.0", "172.32.0.1", "11.0.0.1", "2a00:1450::1"} {
		if webhook.Blocked(netip.MustParseAddr(ip)) {
			t.Errorf("%s is blocked", ip)
		}
	}
}

// TestGuardChecksAtDialTime: a URL that passed (or a name that now
// resolves elsewhere: DNS rebinding) still cannot reach a private address,
// because the dialer refuses it; with the flag, it can.
func TestGuardChecksAtDialTime(t *testing.T) {
	hits := make(chan struct{}, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits <- struct{}{} }))
	defer srv.Close()
	for _, u := range []string{srv.URL, strings.Replace(srv.URL, "127.0.0.1", "localhost", 1)} {
		_, err := webhook.Guard{}.Client(5*time.Second).Post(u, "application/json", strings.NewReader("{}"))
		if err == nil || !strings.Contains(err.Error(), "refused to connect") {
			t.Errorf("%s: %v, want a refused dial", u, err)
		}
	}
	select {
	case <-hits:
		t.Fatal("the receiver was reached")
	default:
	}
	res, err := webhook.Guard{AllowPrivate: true}.Client(5*time.Second).Post(srv.URL, "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	<-hits
}

func checkErr(g webhook.Guard, ctx context.Context, u string) error {
	_, err := g.CheckURL(ctx, u)
	return err
}
