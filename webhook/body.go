package webhook

import (
	"encoding/json"
	"slices"

	"github.com/seira-queue/seira/queue"
	"github.com/seira-queue/seira/view"
)

// Events are the event types a subscription may take: what happens to
// tickets, counters and appointments. Administrative changes are not sent.
func Events() []queue.EventType {
	return []queue.EventType{
		queue.EvIssued, queue.EvCalled, queue.EvRecalled, queue.EvStarted, queue.EvDone, queue.EvNoShow,
		queue.EvTransferred, queue.EvCancelled, queue.EvExpired,
		queue.EvCounterOpened, queue.EvCounterPaused, queue.EvCounterClosed,
		queue.EvApptBooked, queue.EvApptMoved, queue.EvApptCheckedIn, queue.EvApptCancelled, queue.EvApptNoShow,
		queue.EvApptReminderDue,
	}
}

// subscribable reports whether t is one of Events.
func subscribable(t string) bool { return slices.Contains(Events(), queue.EventType(t)) }

// payload is a delivery's body: the event as the live channel sends it
// (ids, no tokens, no clerk), with its branch.
type payload struct {
	Branch string `json:"branch"`
	view.LiveEvent
}

// Body is the JSON body that reports ev. It depends on the stored event
// only, so every try of a delivery sends the same bytes.
func Body(ev queue.Event) ([]byte, error) {
	return json.Marshal(payload{Branch: ev.Branch, LiveEvent: view.LiveEventOf(ev)})
}

// DeliveryID is the Seira-Delivery of subscription sub's delivery of the
// event of sequence seq: the same on every try and replay.
func DeliveryID(sub string, seq uint64) string { return sub + "-" + uitoa(seq) }

func jsonDetail(v any) json.RawMessage {
	raw, _ := json.Marshal(v) // maps of strings: never fails
	return raw
}
