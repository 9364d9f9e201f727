package remote

import (
	"crypto/sha256"
	"testing"
	"time"
)

func TestChallengeVerify(t *testing.T) {
	now := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	c := NewChallenger([]byte("key"), 8, 5*time.Minute, clock)
	ch := c.New("demo")
	if ch.Difficulty != 8 || !ch.ExpiresAt.Equal(now.Add(5*time.Minute)) {
		t.Fatalf("challenge %+v", ch)
	}
	nonce := Solve(ch.Challenge, 8)
	once, err := c.Verify("demo", ch.Challenge, nonce)
	if err != nil || len(once) != len("remote/")+32 {
		t.Fatalf("verify: %q %v", once, err)
	}
	// The same challenge names the same ticket; another one another.
	if again, _ := c.Verify("demo", ch.Challenge, nonce); again != once {
		t.Fatal("a challenge's key changes")
	}
	other := c.New("demo")
	if k, _ := c.Verify("demo", other.Challenge, Solve(other.Challenge, 8)); k == once {
		t.Fatal("two challenges share a key")
	}
	for name, f := range map[string]func() error{
		"another key": func() error {
			_, err := NewChallenger([]byte("other"), 8, 5*time.Minute, clock).Verify("demo", ch.Challenge, nonce)
			return err
		},
		"another branch": func() error { _, err := c.Verify("other", ch.Challenge, nonce); return err },
		"expired": func() error {
			_, err := NewChallenger([]byte("key"), 8, 5*time.Minute, func() time.Time { return now.Add(5 * time.Minute) }).Verify("demo", ch.Challenge, nonce)
			return err
		},
		"no nonce":     func() error { _, err := c.Verify("demo", ch.Challenge, ""); return err },
		"not base64":   func() error { _, err := c.Verify("demo", "!!!.???", "1"); return err },
		"no signature": func() error { _, err := c.Verify("demo", "ZGVtbw", "1"); return err },
	} {
		if err := f(); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	// The work asked is the one signed into the challenge (the client
	// cannot lower it: the signature covers it).
	easy := NewChallenger([]byte("key"), 0, 5*time.Minute, clock).New("demo")
	if _, err := c.Verify("demo", easy.Challenge, "x"); err != nil {
		t.Errorf("a challenge made with no work asks none: %v", err)
	}
	bad := "0"
	for LeadingZeroBits(sha256.Sum256([]byte(ch.Challenge+":"+bad))) >= 8 {
		bad += "0"
	}
	if _, err := c.Verify("demo", ch.Challenge, bad); err == nil {
		t.Error("a nonce without the work is accepted")
	}
}

func TestLeadingZeroBits(t *testing.T) {
	var h [32]byte
	if LeadingZeroBits(h) != 256 {
		t.Error("all zero")
	}
	h[2] = 0x10 // 0000 0000 0000 0000 0001 …
	if got := LeadingZeroBits(h); got != 19 {
		t.Errorf("got %d, want 19", got)
	}
}

func TestClientKey(t *testing.T) {
	for addr, want := range map[string]string{
		"192.0.2.7":                  "192.0.2.7",
		"2001:db8:1:2:aaaa:bbbb:c:d": "2001:db8:1:2::/64",
		"2001:db8:1:2::99":           "2001:db8:1:2::/64",
		"::ffff:192.0.2.7":           "::ffff:192.0.2.7",
		"not an address":             "not an address",
	} {
		if got := ClientKey(addr); got != want {
			t.Errorf("%s: %s, want %s", addr, got, want)
		}
	}
}
