// Package demo describes the office a fresh seira starts with, so that a
// new install can be tried at once: the mid-sized ΚΕΠ of the reference day.
package demo

import "github.com/seira-queue/seira/queue"

// BranchID is the id of the demo branch.
const BranchID = "demo"

// Office returns the demo branch with its services and counters.
func Office() (queue.Branch, []queue.Service, []queue.Counter) {
	br := queue.Branch{
		ID:          BranchID,
		Name:        queue.Text{"el": "ΚΕΠ Επίδειξης", "en": "Demo KEP office"},
		TimeZone:    queue.DefaultTimeZone,
		PriorityCap: queue.DefaultPriorityCap,
		Priorities:  queue.DefaultPriorities(),
		// Where the open-data waits (/waits) put it: a plausible address
		// in the centre of Athens.
		Address: queue.Text{"el": "Αθηνάς 63, 105 52 Αθήνα", "en": "63 Athinas St, 105 52 Athens"},
		Lat:     ptr(37.9793),
		Lon:     ptr(23.7265),
	}
	services := []queue.Service{
		{ID: "certificates", Prefix: "A", Order: 1, Open: true, DefaultServiceS: 240, TargetWaitS: 900,
			Name:         queue.Text{"el": "Πιστοποιητικά - Βεβαιώσεις", "en": "Certificates"},
			Appointments: &queue.AppointmentSettings{Enabled: true, SlotMin: 15, DaysAhead: 30},
			RemoteJoin:   &queue.RemoteJoin{Enabled: true, DailyCap: 50, CloseBeforeMin: 30, BeThereMarginMin: 10}},
		{ID: "signatures", Prefix: "B", Order: 2, Open: true, DefaultServiceS: 180, TargetWaitS: 900,
			Name: queue.Text{"el": "Γνήσιο υπογραφής - Εξουσιοδοτήσεις", "en": "Signatures and authorisations"}},
		{ID: "applications", Prefix: "C", Order: 3, Open: true, DefaultServiceS: 540, TargetWaitS: 1200,
			Name:         queue.Text{"el": "Αιτήσεις - Μεταβιβάσεις", "en": "Applications and transfers"},
			Appointments: &queue.AppointmentSettings{Enabled: true, SlotMin: 30, DaysAhead: 30}},
	}
	counter := func(id string, serves ...string) queue.Counter {
		return queue.Counter{ID: id, Serves: serves, Status: queue.CounterClosed,
			Name: queue.Text{"el": "Γκισέ " + id, "en": "Counter " + id}}
	}
	counters := []queue.Counter{
		counter("1", "certificates", "signatures"),
		counter("2", "certificates", "signatures"),
		counter("3", "signatures", "applications"),
		counter("4", "applications", "certificates"),
	}
	return br, services, counters
}

func ptr(f float64) *float64 { return &f }
