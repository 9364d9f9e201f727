package webhook_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/seira-queue/seira/webhook"
)

// verify checks a Seira-Signature as a receiver would, written from the
// contract alone ("t=UNIX,v1=HEX(HMAC-SHA256(secret, "t.body"))"), not
// from seira's code: it returns the signed time.
func verify(secret, header string, body []byte, now time.Time, tolerance time.Duration) (time.Time, error) {
	var ts, sig string
	for _, part := range strings.Split(header, ",") {
		k, v, _ := strings.Cut(part, "=")
		switch k {
		case "t":
			ts = v
		case "v1":
			sig = v
		}
	}
	unix, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || sig == "" {
		return time.Time{}, fmt.Errorf("malformed signature %q", header)
	}
	at := time.Unix(unix, 0)
	if d := now.Sub(at); d > tolerance || d < -tolerance {
		return at, fmt.Errorf("signed at %v, %v away from now", at, d)
	}
	got, err := hex.DecodeString(sig)
	if err != nil {
		return at, err
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts + "." + string(body)))
	if !hmac.Equal(got, mac.Sum(nil)) {
		return at, errors.New("signature mismatch")
	}
	return at, nil
}

// opensslHMAC is HEX(HMAC-SHA256(secret, msg)) by the openssl command, or
// "" when it is missing (never on CI: there the Go verifier is the
// required one and this check is skipped only locally).
func opensslHMAC(t *testing.T, secret string, msg []byte) string {
	t.Helper()
	path, err := exec.LookPath("openssl")
	if err != nil {
		if os.Getenv("CI") == "" {
			t.Log("openssl is missing: its check is skipped")
		}
		return ""
	}
	cmd := exec.Command(path, "dgst", "-sha256", "-hmac", secret)
	cmd.Stdin = strings.NewReader(string(msg))
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("openssl: %v", err)
	}
	f := strings.Fields(string(out))
	return f[len(f)-1]
}

// TestSignatureMatchesTheContract: the signature verifies with the
// independent verifier and with openssl, and fails with another secret,
// another body, another time or too old a time.
func TestSignatureMatchesTheContract(t *testing.T) {
	at := time.Date(2026, 12, 7, 9, 30, 0, 0, time.UTC)
	body := []byte(`{"branch":"demo","type":"ticket.called","seq":7,"at":"2026-12-07T11:30:00+02:00","call":{"number":"A001","service":"certificates","counter":"2","recall":false}}`)
	secret := "whsec_TESTSECRET0123456789"
	h := webhook.Signature(secret, at, body)
	if !strings.HasPrefix(h, "t=1796635800,v1=") {
		t.Fatalf("header %q", h)
	}
	if got, err := verify(secret, h, body, at.Add(time.Minute), 5*time.Minute); err != nil || !got.Equal(at) {
		t.Fatalf("verify: %v %v", got, err)
	}
	for name, bad := range map[string]func() error{
		"other secret": func() error { _, err := verify("whsec_other", h, body, at, time.Minute); return err },
		"other body": func() error {
			_, err := verify(secret, h, append([]byte(nil), append(body[:len(body)-1], ' ', '}')...), at, time.Minute)
			return err
		},
		"other time": func() error {
			_, err := verify(secret, strings.Replace(h, "t=1796635800", "t=1796635801", 1), body, at, time.Minute)
			return err
		},
		"too old": func() error { _, err := verify(secret, h, body, at.Add(10*time.Minute), 5*time.Minute); return err },
	} {
		if bad() == nil {
			t.Errorf("%s: verified", name)
		}
	}
	if hexsig := opensslHMAC(t, secret, append([]byte("1796635800."), body...)); hexsig != "" {
		if want := "t=1796635800,v1=" + hexsig; h != want {
			t.Errorf("openssl says %s, seira %s", want, h)
		}
	}
}
