package app_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"testing"

	"github.com/gorilla/websocket"

	"github.com/seira-queue/seira/app"
	"github.com/seira-queue/seira/app/apptest"
)

// The public URL's host may open live connections besides the server's
// own; other sites may not.
func TestPublicURLHostIsAnAllowedOrigin(t *testing.T) {
	a, err := app.Open(app.Config{Data: t.TempDir(), Public: apptest.Public(t, "https://kep.example:8443/", ""), BcryptCost: 4})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := a.SetUp(ctx, "public-url-pw"); err != nil {
		a.Close()
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		a.Close()
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(ctx)
	served := make(chan error, 1)
	go func() { served <- a.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-served; err != nil {
			t.Error(err)
		}
	})
	url := "ws://" + ln.Addr().String() + "/api/v1/branches/demo/live"
	dial := func(origin string) (int, error) {
		conn, resp, err := websocket.DefaultDialer.Dial(url, http.Header{"Origin": {origin}})
		if conn != nil {
			conn.Close()
		}
		if resp == nil {
			return 0, err
		}
		return resp.StatusCode, err
	}
	if status, err := dial("https://kep.example:8443"); err != nil || status != http.StatusSwitchingProtocols {
		t.Errorf("public origin: status %d, %v", status, err)
	}
	if status, err := dial("https://elsewhere.example"); !errors.Is(err, websocket.ErrBadHandshake) || status != http.StatusForbidden {
		t.Errorf("other origin: status %d, %v; want 403", status, err)
	}
}
