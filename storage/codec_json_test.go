package storage

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/seira-queue/seira/queue"
)

func randString(rng *rand.Rand) string {
	parts := []string{"", "A012", "Πιστοποιητικά", `quo"te`, `back\slash`, "new\nline", "<b>&amp;", "\x01\x1f", "\u2028x\u2029", "bad\xffutf8", "γκισέ 3", "tab\tand\rcr\b\f"}
	return parts[rng.IntN(len(parts))] + parts[rng.IntN(len(parts))]
}

func randTime(rng *rand.Rand) time.Time {
	if rng.IntN(3) == 0 {
		return time.Time{}
	}
	loc := time.FixedZone("EET", 2*3600)
	if rng.IntN(2) == 0 {
		loc = time.UTC
	}
	return time.Unix(1_700_000_000+rng.Int64N(100_000_000), rng.Int64N(1e9)).In(loc)
}

// TestHandWrittenJSONMatchesEncodingJSON: the hand-written encoders write
// what encoding/json writes for the same values, strange strings and zero
// times included.
func TestHandWrittenJSONMatchesEncodingJSON(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range 2000 {
		tk := queue.Ticket{ID: rng.Uint64(), Token: randString(rng), Branch: randString(rng), Service: randString(rng),
			Number: randString(rng), Day: randString(rng), Seq: rng.IntN(5000) - 10, Priority: randString(rng),
			Lang: randString(rng), State: queue.State(randString(rng)), IssuedAt: randTime(rng), CalledAt: randTime(rng),
			StartedAt: randTime(rng), FinishedAt: randTime(rng), Counter: randString(rng), Clerk: randString(rng),
			Recalls: rng.IntN(3), Device: randString(rng), FirstCalledAt: randTime(rng)}
		for range rng.IntN(3) {
			tk.Transfers = append(tk.Transfers, queue.Transfer{From: randString(rng), To: randString(rng), At: randTime(rng),
				Counter: randString(rng), Clerk: randString(rng)})
		}
		got := appendTicket(nil, tk)
		want, _ := json.Marshal(tk)
		if !bytes.Equal(got, want) {
			t.Fatalf("ticket %d:\n got %s\nwant %s", i, got, want)
		}
		var back queue.Ticket
		if err := json.Unmarshal(got, &back); err != nil || back.ID != tk.ID || !back.IssuedAt.Equal(tk.IssuedAt) {
			t.Fatalf("ticket %d does not decode back: %v", i, err)
		}
		ev := queue.Event{Seq: rng.Uint64(), Type: queue.EventType(randString(rng)), At: randTime(rng), Branch: randString(rng),
			Ticket: rng.Uint64() % 3, Number: randString(rng), Service: randString(rng), Priority: randString(rng),
			From: randString(rng), IssuedAt: randTime(rng), Counter: randString(rng), Actor: randString(rng),
			Subject: randString(rng)}
		if rng.IntN(2) == 0 {
			ev.Detail = json.RawMessage(`{"name":{"el":"Α"},"n":[1,2]}`)
		}
		got = appendEvent(nil, ev)
		want, _ = json.Marshal(ev)
		if !bytes.Equal(got, want) {
			t.Fatalf("event %d:\n got %s\nwant %s", i, got, want)
		}
	}
}

func BenchmarkTicketJSON(b *testing.B) {
	tk := queue.Ticket{ID: 12, Token: "AAAAAAAAAAEPaLExx6HPdlIqyyDMUpe2", Branch: "demo", Service: "certificates", Number: "A012",
		Day: "2026-11-27", Seq: 12, Priority: "none", Lang: "el", State: queue.StateWaiting, IssuedAt: time.Now()}
	b.Run("hand", func(b *testing.B) {
		for b.Loop() {
			appendTicket(make([]byte, 0, 384), tk)
		}
	})
	b.Run("reflect", func(b *testing.B) {
		for b.Loop() {
			json.Marshal(tk)
		}
	})
}
