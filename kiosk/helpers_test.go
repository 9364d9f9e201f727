package kiosk_test

import (
	"encoding/base64"
	"encoding/binary"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/seira-queue/seira/app/apptest"
)

// Tokens are base64url of an 8-byte (masked) reference and 16 random bytes.
func tokenBytes(t *testing.T, tok string) []byte {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil || len(b) != 24 {
		t.Fatalf("token %q: %d bytes, %v", tok, len(b), err)
	}
	return b
}

func flipLastByte(t *testing.T, tok string) string {
	b := tokenBytes(t, tok)
	b[len(b)-1] ^= 0x55
	return base64.RawURLEncoding.EncodeToString(b)
}

func refOf(t *testing.T, tok string) uint64 { return binary.BigEndian.Uint64(tokenBytes(t, tok)) }

func tokenWithRef(t *testing.T, tok string, ref uint64) string {
	b := tokenBytes(t, tok)
	binary.BigEndian.PutUint64(b, ref)
	return base64.RawURLEncoding.EncodeToString(b)
}

// doChunked sends body without a Content-Length.
func doChunked(t *testing.T, env *apptest.Env, c *apptest.Client, method, path, body string) apptest.Response {
	t.Helper()
	req, err := http.NewRequest(method, env.URL+path, io.MultiReader(strings.NewReader(body)))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return apptest.Response{Status: resp.StatusCode, Header: resp.Header, Body: raw}
}

// parallel runs n requests at once and returns their answers in order.
func parallel(n int, do func(i int) apptest.Response) []apptest.Response {
	out := make([]apptest.Response, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			out[i] = do(i)
		})
	}
	close(start)
	wg.Wait()
	return out
}

// closeIdleAtEnd closes the clients' idle connections before the server
// stops: concurrent requests leave spare connections that were never used,
// and a graceful shutdown waits seconds for those.
func closeIdleAtEnd(t *testing.T, clients ...*apptest.Client) {
	t.Cleanup(func() {
		for _, c := range clients {
			c.HTTP.CloseIdleConnections()
		}
	})
}
