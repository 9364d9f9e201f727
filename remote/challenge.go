package remote

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"math/bits"
	"strconv"
	"strings"
	"time"

	"github.com/seira-queue/seira/queue"
)

// A proof of work with no third party: the server hands out a challenge
// that it signed and that names the branch, its expiry and the work asked;
// the phone finds a nonce such that SHA-256(challenge ":" nonce) starts
// with that many zero bits, which costs it a second or two and a script
// that joins by the thousand as much each time. The server keeps nothing
// until a challenge is used: the signature says it made it.

// ChallengeKey derives the challenges' signing key from the store's token
// key, so that every instance of a store signs alike and nothing new is
// kept.
func ChallengeKey(tokenKey []byte) []byte {
	m := hmac.New(sha256.New, tokenKey)
	m.Write([]byte("seira remote-ticket challenge v1"))
	return m.Sum(nil)
}

// Challenger makes and checks challenges.
type Challenger struct {
	key        []byte
	difficulty int
	ttl        time.Duration
	now        func() time.Time
}

// MaxDifficulty bounds the work asked: past it a phone would take minutes.
const MaxDifficulty = 28

// NewChallenger returns challenges signed with key asking difficulty zero
// bits, valid for ttl by the clock now.
func NewChallenger(key []byte, difficulty int, ttl time.Duration, now func() time.Time) *Challenger {
	return &Challenger{key: key, difficulty: min(max(difficulty, 0), MaxDifficulty), ttl: ttl, now: now}
}

// Challenge is what GET …/remote-tickets/challenge answers.
type Challenge struct {
	Challenge  string    `json:"challenge"`
	Difficulty int       `json:"difficulty"`
	ExpiresAt  time.Time `json:"expires_at"`
}

// New returns a fresh challenge for branch.
func (c *Challenger) New(branch string) Challenge {
	var r [12]byte
	_, _ = rand.Read(r[:]) // crypto/rand does not fail
	exp := c.now().Add(c.ttl).Truncate(time.Second)
	payload := strings.Join([]string{branch, strconv.FormatInt(exp.Unix(), 10), strconv.Itoa(c.difficulty),
		base64.RawURLEncoding.EncodeToString(r[:])}, "|")
	ch := base64.RawURLEncoding.EncodeToString([]byte(payload)) + "." + base64.RawURLEncoding.EncodeToString(c.sign(payload))
	return Challenge{Challenge: ch, Difficulty: c.difficulty, ExpiresAt: exp}
}

func (c *Challenger) sign(payload string) []byte {
	m := hmac.New(sha256.New, c.key)
	m.Write([]byte(payload))
	return m.Sum(nil)
}

// maxNonce bounds the nonce a client sends.
const maxNonce = 64

func badChallenge(format string, args ...any) error {
	return queue.Errorf(queue.CodeChallenge, format, args...)
}

// Verify checks that challenge was made here for branch, has not expired
// and that nonce does its work. It returns a key that names the challenge
// (for the one ticket it may yield).
func (c *Challenger) Verify(branch, challenge, nonce string) (string, error) {
	if challenge == "" || nonce == "" {
		return "", badChallenge("send the challenge of GET …/remote-tickets/challenge and a nonce that solves it")
	}
	if len(nonce) > maxNonce || len(challenge) > 512 {
		return "", badChallenge("the challenge or the nonce is too long")
	}
	enc, sig, ok := strings.Cut(challenge, ".")
	payload, err1 := base64.RawURLEncoding.DecodeString(enc)
	mac, err2 := base64.RawURLEncoding.DecodeString(sig)
	if !ok || err1 != nil || err2 != nil || !hmac.Equal(mac, c.sign(string(payload))) {
		return "", badChallenge("this challenge was not made here")
	}
	f := strings.Split(string(payload), "|")
	if len(f) != 4 {
		return "", badChallenge("this challenge was not made here")
	}
	exp, err1 := strconv.ParseInt(f[1], 10, 64)
	diff, err2 := strconv.Atoi(f[2])
	if err1 != nil || err2 != nil {
		return "", badChallenge("this challenge was not made here")
	}
	switch {
	case f[0] != branch:
		return "", badChallenge("this challenge is for another office")
	case !c.now().Before(time.Unix(exp, 0)):
		return "", badChallenge("this challenge has expired: ask for a new one")
	case LeadingZeroBits(sha256.Sum256([]byte(challenge+":"+nonce))) < diff:
		return "", badChallenge("the nonce does not solve the challenge")
	}
	sum := sha256.Sum256([]byte(challenge))
	return "remote/" + hex.EncodeToString(sum[:16]), nil
}

// LeadingZeroBits counts the zero bits at the start of h.
func LeadingZeroBits(h [sha256.Size]byte) int {
	n := 0
	for _, b := range h {
		if b != 0 {
			return n + bits.LeadingZeros8(b)
		}
		n += 8
	}
	return n
}

// Solve finds a nonce for challenge by brute force, as a phone does: for
// tests and command-line clients.
func Solve(challenge string, difficulty int) string {
	for i := 0; ; i++ {
		nonce := strconv.Itoa(i)
		if LeadingZeroBits(sha256.Sum256([]byte(challenge+":"+nonce))) >= difficulty {
			return nonce
		}
	}
}
