package storage

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/seira-queue/seira/queue"
)

var update = flag.Bool("update", false, "rewrite the golden records in testdata/golden (only when the format changes on purpose)")

// goldenAt is the time the golden records were made with.
var goldenAt = time.Date(2026, 11, 27, 9, 12, 3, 456_000_000, time.FixedZone("EET", 2*3600))

// golden are one record of each type the store encodes, as values; their
// encodings, written by the version that first stored them, are in
// testdata/golden/<name>.v1.
func golden() map[string]any {
	at := goldenAt
	return map[string]any{
		"branch": queue.Branch{ID: "ilioupoli", Name: queue.Text{"el": "ΚΕΠ Ηλιούπολης", "en": "Ilioupoli KEP"},
			TimeZone: "Europe/Athens", PriorityCap: 3, Priorities: []string{"disability", "senior"},
			Hours:   queue.Hours{"mon": {{From: "08:00", To: "15:00"}}, "tue": {{From: "08:00", To: "12:00"}, {From: "13:00", To: "20:00"}}},
			Message: queue.Text{"el": "Κλειστά την Παρασκευή", "en": "Closed on Friday"}, RetentionDays: 30},
		"service": queue.Service{ID: "certificates", Name: queue.Text{"el": "Πιστοποιητικά", "en": "Certificates"},
			Prefix: "Α", Order: 1, Open: true, DefaultServiceS: 240, DailyLimit: 300, TargetWaitS: 900},
		"counter": queue.Counter{ID: "3", Name: queue.Text{"el": "Γκισέ 3", "en": "Counter 3"}, Serves: []string{"signatures", "applications"},
			Status: queue.CounterPaused, Clerk: "maria", Current: 42, CurrentService: "signatures", CalledAt: at.UTC(),
			PriorityStreak: 2, PausedAt: at.Add(time.Minute).UTC(), LastPause: at.Add(-time.Hour).UTC(),
			Schedules: []queue.Schedule{{Days: []string{"mon", "wed"}, Opens: "09:00", Closes: "15:00",
				Breaks: []queue.Break{{At: "12:00", Minutes: 30}}}, {Days: []string{"tue"}, Opens: "12:00", Closes: "20:00"}}},
		"ticket": queue.Ticket{ID: 42, Token: "AAAAAAAAACo" + "q7Xk9w2mPz4Lr8Ns1Vt6Yb", Branch: "ilioupoli", Service: "applications",
			Number: "Α012", Day: "2026-11-27", Seq: 12, Priority: "senior", Lang: "el", State: queue.StateServing,
			IssuedAt: at.UTC(), CalledAt: at.Add(20 * time.Minute).UTC(), StartedAt: at.Add(21 * time.Minute).UTC(),
			Counter: "3", Clerk: "maria", Recalls: 1, Device: "kiosk-1", FirstCalledAt: at.Add(19 * time.Minute).UTC(),
			Transfers: []queue.Transfer{{From: "signatures", To: "applications", At: at.Add(10 * time.Minute).UTC(), Counter: "2", Clerk: "nikos"}}},
		"event": queue.Event{Seq: 1017, Type: queue.EvTransferred, At: at.Add(10 * time.Minute).UTC(), Branch: "ilioupoli",
			Ticket: 42, Number: "Α012", Service: "applications", Priority: "senior", From: "signatures",
			IssuedAt: at.UTC(), Counter: "2", Actor: "nikos"},
		"admin-event": queue.Event{Seq: 1018, Type: queue.EvServiceUpdated, At: at.Add(11 * time.Minute).UTC(), Branch: "ilioupoli",
			Actor: "admin", Subject: "certificates", Detail: []byte(`{"id":"certificates","open":false}`)},
		"outcome": queue.Outcome{State: queue.StateDone, Priority: true, Service: "applications", FirstService: "signatures",
			Counter: "3", Clerk: "maria", Issued: at.Truncate(time.Millisecond).UTC(), FirstCalled: at.Add(19 * time.Minute).UTC(),
			Called: at.Add(20 * time.Minute).UTC(), Started: at.Add(21 * time.Minute).UTC(), Finished: at.Add(30 * time.Minute).UTC()},
		// Since schema 6 (appointments).
		"appointment-outcome": queue.Outcome{State: queue.StateDone, Service: "certificates", FirstService: "certificates",
			Counter: "1", Clerk: "maria", Issued: at.Truncate(time.Millisecond).UTC(), FirstCalled: at.Add(12 * time.Minute).UTC(),
			Called: at.Add(12 * time.Minute).UTC(), Finished: at.Add(20 * time.Minute).UTC(), Slot: at.Add(10 * time.Minute).Truncate(time.Minute).UTC()},
		// Since the remote tickets' schema: a ticket from home, priority too.
		"remote-outcome": queue.Outcome{State: queue.StateNoShow, Priority: true, Remote: true, Service: "certificates", FirstService: "certificates",
			Counter: "2", Clerk: "nikos", Issued: at.Truncate(time.Millisecond).UTC(), FirstCalled: at.Add(40 * time.Minute).UTC(),
			Called: at.Add(40 * time.Minute).UTC(), Finished: at.Add(45 * time.Minute).UTC()},
		"appointment": queue.Appointment{ID: 7, Code: "K7P3QX", Token: "q7Xk9w2mPz4Lr8Ns1Vt6Yb" + "AAAAAAAAAA", Branch: "ilioupoli",
			Service: "certificates", Start: at.Add(48 * time.Hour).Truncate(time.Minute).UTC(), End: at.Add(48*time.Hour + 15*time.Minute).Truncate(time.Minute).UTC(),
			State: queue.ApptCheckedIn, Lang: "en", Contact: "+30 690 000 0000", ExternalID: "gov-123", Reference: "ΑΒ-77",
			Ticket: 43, TicketNumber: "A013", BookedAt: at.UTC(), CheckedInAt: at.Add(47*time.Hour + 50*time.Minute).UTC(), Actor: "kiosk-1"},
		"appointment-ticket": queue.Ticket{ID: 43, Token: "AAAAAAAAACs" + "q7Xk9w2mPz4Lr8Ns1Vt6Yb", Branch: "ilioupoli", Service: "certificates",
			Number: "A013", Day: "2026-11-29", Seq: 13, Priority: "none", Lang: "en", State: queue.StateWaiting,
			IssuedAt: at.Add(47*time.Hour + 50*time.Minute).UTC(), Device: "kiosk-1", Source: queue.SourceAppointment,
			Appointment: &queue.TicketAppointment{Code: "K7P3QX", Start: at.Add(48 * time.Hour).Truncate(time.Minute).UTC(), Reference: "ΑΒ-77"}},
		// Since the announcements' schema.
		"announcement": queue.Announcement{ID: 3, Text: queue.Text{"el": "Το σύστημα της εφορίας δεν λειτουργεί: αναμονή +20′", "en": "The tax system is down: expect 20 minutes more"},
			To: queue.AudienceWaiting, At: at.UTC(), ExpiresAt: at.Add(time.Hour).UTC(), By: "manager"},
		// Since the schema of remote ticket counts (joining from home).
		"remote-service": queue.Service{ID: "certificates", Name: queue.Text{"el": "Πιστοποιητικά", "en": "Certificates"},
			Prefix: "Α", Order: 1, Open: true, RemoteJoin: &queue.RemoteJoin{Enabled: true, DailyCap: 40, CloseBeforeMin: 30, BeThereMarginMin: 10}},
		"remote-ticket": queue.Ticket{ID: 44, Token: "AAAAAAAAACw" + "q7Xk9w2mPz4Lr8Ns1Vt6Yb", Branch: "ilioupoli", Service: "certificates",
			Number: "A014", Day: "2026-11-27", Seq: 14, Priority: "none", Lang: "en", State: queue.StateWaiting,
			IssuedAt: at.UTC(), Device: "citizen", Source: queue.SourceRemote, BeThereBy: at.Add(35 * time.Minute).Truncate(time.Minute).UTC()},
		// Since the webhooks' schema.
		"webhook": Webhook{ID: "wh_0123456789abcdef", URL: "https://platform.example.gr/seira", Events: []string{"ticket.called", "ticket.issued"},
			Secret: "whsec_ABCDEFGHIJKLMNOPQRSTUVWXYZ", CreatedAt: at.UTC(), CreatedBy: "admin"},
		"delivery": Delivery{Seq: 1017, Type: "ticket.called", State: DeliveryPending, Since: at.UTC(), Attempts: 3,
			NextAt: at.Add(8 * time.Second).UTC(), LastAt: at.Add(4 * time.Second).UTC(), LastStatus: 503, LastError: "answered 503 Service Unavailable"},
	}
}

// TestCodecReadsTheGoldenRecords: each record that an earlier version
// wrote still decodes to its value, and today's encoding of the value is
// the same bytes (a change of format is a migration, not an accident).
func TestCodecReadsTheGoldenRecords(t *testing.T) {
	for name, want := range golden() {
		path := filepath.Join("testdata", "golden", name+".v1")
		enc, err := encodeRecord(want)
		if err != nil {
			t.Fatalf("%s: encode: %v", name, err)
		}
		if *update {
			if err := os.WriteFile(path, enc, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		stored, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%s: %v (go test ./storage -run Golden -update writes it)", name, err)
		}
		got := reflect.New(reflect.TypeOf(want))
		if err := decodeRecord(stored, got.Interface()); err != nil {
			t.Fatalf("%s: decode the stored record: %v", name, err)
		}
		if !reflect.DeepEqual(got.Elem().Interface(), want) {
			t.Errorf("%s: the stored record reads\n%+v\nwant\n%+v", name, got.Elem().Interface(), want)
		}
		if !bytes.Equal(enc, stored) {
			t.Errorf("%s: today's encoding\n%s\ndiffers from the stored\n%s", name, enc, stored)
		}
	}
}
