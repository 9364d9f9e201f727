package engine

import (
	"encoding/base64"
	"encoding/binary"
	"testing"
	"time"

	"github.com/seira-queue/seira/queue"
	"github.com/seira-queue/seira/storage"
)

// A token does not carry its store-wide reference in clear: the prefixes of
// consecutive tickets' tokens are neither their references nor in order.
func TestTokensHideTheirReference(t *testing.T) {
	f := newFixture(t)
	var prev uint64
	rising := 0
	for i := range 40 {
		info := f.issue(t, "certificates", "")
		b, err := base64.RawURLEncoding.DecodeString(info.Ticket.Token)
		if err != nil {
			t.Fatal(err)
		}
		prefix := binary.BigEndian.Uint64(b)
		masked, _, _ := f.e.tokenRefs(info.Ticket.Token)
		if prefix == masked || masked != uint64(i+1) {
			t.Fatalf("ticket %d: token prefix %d, reference %d (want %d, masked)", i+1, prefix, masked, i+1)
		}
		if prefix > prev {
			rising++
		}
		prev = prefix
	}
	if rising > 30 {
		t.Errorf("%d of 40 token prefixes rise: they follow the issue order", rising)
	}
}

// Tokens made before references were masked (the reference in clear) still
// find their ticket, and retention removes the references of both kinds.
func TestTokensOfEitherKindAreFoundAndPurged(t *testing.T) {
	f := newFixture(t)
	setRetention(t, f, 1)
	f.open(t, "1")
	masked := f.issue(t, "certificates", "")
	legacy := f.issue(t, "certificates", "")
	// Turn the second ticket's token into the old form, as a store written
	// by an earlier version holds it.
	b, _ := base64.RawURLEncoding.DecodeString(legacy.Ticket.Token)
	ref, _, _ := f.e.tokenRefs(legacy.Ticket.Token)
	binary.BigEndian.PutUint64(b, ref)
	oldTok := base64.RawURLEncoding.EncodeToString(b)
	err := f.store.Update(ctx, func(tx *storage.Tx) error {
		br, err := tx.Branch("demo")
		if err != nil {
			return err
		}
		tk, err := br.Ticket(legacy.Ticket.ID)
		if err != nil {
			return err
		}
		tk.Token = oldTok
		return br.PutTicket(tk)
	})
	if err != nil {
		t.Fatal(err)
	}
	for name, tok := range map[string]string{"masked": masked.Ticket.Token, "in clear": oldTok} {
		if _, err := f.e.TicketByToken(ctx, tok); err != nil {
			t.Errorf("%s token: %v", name, err)
		}
	}
	if _, err := f.e.TicketByToken(ctx, legacy.Ticket.Token); queue.ErrorCode(err) != queue.CodeNotFound {
		t.Errorf("the replaced token still finds the ticket: %v", err)
	}

	// Both done, then past retention: both references go.
	f.next(t, "1")
	f.next(t, "1")
	if _, err := f.e.Done(ctx, "demo", "1", "clerk1"); err != nil {
		t.Fatal(err)
	}
	f.clock.Add(3 * 24 * time.Hour)
	if n, err := f.e.PurgeTokens(ctx, "demo"); err != nil || n != 2 {
		t.Fatalf("purged %d, %v; want 2", n, err)
	}
	maskedRef, _, _ := f.e.tokenRefs(masked.Ticket.Token)
	err = f.store.View(ctx, func(tx *storage.Tx) error {
		for _, r := range []uint64{maskedRef, ref} {
			if _, _, err := tx.Ref(r); queue.ErrorCode(err) != queue.CodeNotFound {
				t.Errorf("reference %d kept after the purge: %v", r, err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
