package view

import (
	"encoding/json"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/seira-queue/seira/queue"
)

func TestTicketAppendJSONMatchesEncodingJSON(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	strs := []string{"", "A012", "Πιστοποιητικά", `q"u\o<t>e&`, "line\nbreak", "bad\xffutf8", "\u2028"}
	str := func() string { return strs[rng.IntN(len(strs))] }
	text := func() queue.Text {
		switch rng.IntN(3) {
		case 0:
			return nil
		case 1:
			return queue.Text{}
		}
		return queue.Text{"en": str(), "el": str(), "de": str()}
	}
	for i := range 1000 {
		v := Ticket{Number: str(), Service: str(), ServiceName: text(), Branch: str(), State: str(), Priority: str(),
			Lang: str(), IssuedAt: time.Unix(1_700_000_000+rng.Int64N(1e8), rng.Int64N(1e9)).In(time.FixedZone("", 7200)),
			CounterName: text(), Recalls: rng.IntN(3), Position: rng.IntN(100), EstimatedWaitS: estimateOf(rng.IntN(9001) - 1), AfterClosing: rng.IntN(2) == 0,
			Token: str(), TrackURL: str(), Source: str()}
		if rng.IntN(3) == 0 {
			v.Appointment = &TicketAppt{Code: str(), Start: time.Unix(1_700_000_000+rng.Int64N(1e8), 0).In(time.FixedZone("", 7200)), Reference: str()}
		}
		if rng.IntN(3) == 0 {
			at := time.Unix(1_700_000_000+rng.Int64N(1e8), 0).In(time.FixedZone("", 7200))
			v.BeThereBy = &at
		}
		if rng.IntN(2) == 0 {
			at := time.Unix(1_700_000_000, 5).UTC()
			v.CalledAt = &at
			c := str()
			v.Counter = &c
		}
		want, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		if got := v.AppendJSON(nil); string(got) != string(want) {
			t.Fatalf("ticket %d:\n got %s\nwant %s", i, got, want)
		}
	}
}

// estimateOf is a random estimate: -1 stands for none (null).
func estimateOf(s int) *int {
	if s < 0 {
		return nil
	}
	return &s
}
