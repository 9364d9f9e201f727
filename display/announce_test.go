package display_test

import (
	"bytes"
	"encoding/binary"
	"testing"
	"time"

	"github.com/seira-queue/seira/announce"
	"github.com/seira-queue/seira/app/apptest"
)

// TestAnnouncementEndpoint fetches a call's announcement over HTTP: a valid
// WAV whose length is that of its parts in order (the announce package
// checks the parts themselves), for any display, without signing in.
func TestAnnouncementEndpoint(t *testing.T) {
	env := apptest.Start(t)
	c := env.Client()
	res := c.Do("GET", "/api/v1/branches/demo/announce.wav?number=A012&counter=3", nil)
	if res.Status != 200 || res.Header.Get("Content-Type") != "audio/wav" {
		t.Fatalf("announce.wav: %d %s %s", res.Status, res.Header.Get("Content-Type"), res.Body)
	}
	b := res.Body
	if len(b) < 44 || string(b[:4]) != "RIFF" || string(b[8:12]) != "WAVE" || string(b[12:16]) != "fmt " {
		t.Fatal("not a RIFF/WAVE file")
	}
	if size := binary.LittleEndian.Uint32(b[4:]); int(size) != len(b)-8 {
		t.Fatalf("RIFF size %d for %d bytes", size, len(b))
	}
	rate := binary.LittleEndian.Uint32(b[24:])
	bytesPerSec := binary.LittleEndian.Uint32(b[28:])
	dataAt := bytes.Index(b, []byte("data"))
	dataLen := binary.LittleEndian.Uint32(b[dataAt+4:])
	if int(dataLen) != len(b)-dataAt-8 || rate == 0 {
		t.Fatalf("data chunk of %d bytes in a file of %d", dataLen, len(b))
	}
	got := time.Duration(float64(dataLen) / float64(bytesPerSec) * float64(time.Second))
	a, err := announce.New()
	if err != nil {
		t.Fatal(err)
	}
	want, err := a.Duration("A012", "3", nil)
	if err != nil {
		t.Fatal(err)
	}
	if d := got - want; d < -time.Millisecond || d > time.Millisecond {
		t.Fatalf("the WAV lasts %v, its parts %v", got, want)
	}
	direct, _ := a.WAV("A012", "3", nil)
	if !bytes.Equal(direct, b) {
		t.Fatal("the endpoint's WAV differs from the announcer's")
	}
	for path, status := range map[string]int{
		"/api/v1/branches/demo/announce.wav?number=12&counter=3":   400,
		"/api/v1/branches/demo/announce.wav?number=A012&counter=9": 404,
		"/api/v1/branches/nope/announce.wav?number=A012&counter=3": 404,
	} {
		if res := c.Do("GET", path, nil); res.Status != status || apptest.ErrorCode(res.Body) == "" {
			t.Errorf("%s: %d %s, want %d with a JSON error", path, res.Status, res.Body, status)
		}
	}
}
