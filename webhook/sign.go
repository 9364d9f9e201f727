// Package webhook sends a branch's events to the URLs its administrators
// subscribe, signed, in order per subscription, from the durable outbox
// that the store writes in the transaction of each event: no event is lost
// across restarts, and a slow receiver never slows the office.
package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"time"
)

// Signature is the Seira-Signature header of body sent at t:
// "t=UNIX,v1=HEX(HMAC-SHA256(secret, "UNIX.body"))".
func Signature(secret string, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(ts))
	m.Write([]byte{'.'})
	m.Write(body)
	return "t=" + ts + ",v1=" + hex.EncodeToString(m.Sum(nil))
}

func uitoa(v uint64) string { return strconv.FormatUint(v, 10) }
