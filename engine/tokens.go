package engine

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"io"

	"github.com/seira-queue/seira/queue"
	"github.com/seira-queue/seira/storage"
)

// Tokens are the key of a citizen's page: a store-wide ticket reference (8
// bytes, so that a lookup needs no index of random keys) and 128 random
// bits, base64url-encoded. The reference is masked with a keyed hash of the
// random part, so that a token does not tell how many tickets the store
// has issued, or how fast; tokens made before the mask (the reference in
// clear) are still found. Only the random part is secret; a lookup
// compares the whole token in constant time.
const (
	tokenBytes = 8 + 16
	// TokenLen is the length of a ticket token.
	TokenLen = (tokenBytes*8 + 5) / 6
)

// newToken returns the token of the ticket with reference ref.
func (e *Engine) newToken(ref uint64) (string, error) {
	b := make([]byte, tokenBytes)
	if _, err := io.ReadFull(e.random, b[8:]); err != nil {
		return "", queue.Errorf(queue.CodeUnavailable, "no randomness for a token: %v", err)
	}
	binary.BigEndian.PutUint64(b, ref^e.refMask(b[8:]))
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// refMask is the mask of the reference of a token whose random part is r.
func (e *Engine) refMask(r []byte) uint64 {
	h := hmac.New(sha256.New, e.tokenKey)
	h.Write(r)
	return binary.BigEndian.Uint64(h.Sum(nil))
}

// tokenRefs returns the references a well-formed token may carry: masked,
// as tokens are made now, and in clear, as they were made before.
func (e *Engine) tokenRefs(tok string) (masked, clear uint64, ok bool) {
	b, ok := tokenRaw(tok)
	if !ok {
		return 0, 0, false
	}
	clear = binary.BigEndian.Uint64(b)
	return clear ^ e.refMask(b[8:]), clear, true
}

func tokenRaw(tok string) ([]byte, bool) {
	if len(tok) != TokenLen {
		return nil, false
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(tok)
	if err != nil || len(b) != tokenBytes {
		return nil, false
	}
	return b, true
}

// ValidToken reports whether s has the shape of a ticket token, so that
// malformed tokens are turned away before any lookup.
func ValidToken(s string) bool {
	_, ok := tokenRaw(s)
	return ok
}

// findToken finds the ticket holding token tok, and the reference that
// leads to it: the masked one, or for a token made before the mask the one
// in clear.
func (e *Engine) findToken(tx *storage.Tx, tok string) (ref uint64, b *storage.BranchTx, t queue.Ticket, ok bool) {
	masked, clear, ok := e.tokenRefs(tok)
	if !ok {
		return 0, nil, queue.Ticket{}, false
	}
	for _, ref := range []uint64{masked, clear} {
		branch, id, err := tx.Ref(ref)
		if err != nil {
			continue
		}
		if b, err = tx.Branch(branch); err != nil {
			continue
		}
		if t, err = b.Ticket(id); err == nil && sameToken(t.Token, tok) {
			return ref, b, t, true
		}
	}
	return 0, nil, queue.Ticket{}, false
}

// ticketByToken finds a ticket by its token within tx.
func (e *Engine) ticketByToken(tx *storage.Tx, tok string) (*storage.BranchTx, queue.Ticket, error) {
	_, b, t, ok := e.findToken(tx, tok)
	if !ok {
		return nil, queue.Ticket{}, queue.Errorf(queue.CodeNotFound, "no such ticket")
	}
	return b, t, nil
}

// sameToken compares tokens in constant time.
func sameToken(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}
