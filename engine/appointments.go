package engine

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/seira-queue/seira/queue"
	"github.com/seira-queue/seira/storage"
)

// BookRequest asks for an appointment.
type BookRequest struct {
	Service string
	Start   time.Time
	Lang    string // "" for Greek
	// Contact is an optional phone number or e-mail for reminders.
	Contact string
	Actor   string
	// From an outside booking system: its id (the import is idempotent
	// by it) and reference. AnyStart takes any start from today on.
	ExternalID, Reference string
	AnyStart              bool
}

func (r *BookRequest) check() error {
	if r.Lang == "" {
		r.Lang = "el"
	}
	r.Lang = strings.ToLower(r.Lang)
	r.Contact = strings.TrimSpace(r.Contact)
	switch {
	case r.Service == "":
		return queue.Errorf(queue.CodeValidation, "service is required")
	case r.Start.IsZero():
		return queue.Errorf(queue.CodeValidation, "start is required (RFC 3339, e.g. 2026-12-07T09:15:00+02:00)")
	case !validLang(r.Lang):
		return queue.Errorf(queue.CodeValidation, "lang %q is not a language code", r.Lang)
	case utf8.RuneCountInString(r.Contact) > queue.MaxContactLen:
		return queue.Errorf(queue.CodeValidation, "contact is longer than %d characters", queue.MaxContactLen)
	case strings.ContainsAny(r.Contact, "\r\n\x00"):
		return queue.Errorf(queue.CodeValidation, "contact must be one line")
	case utf8.RuneCountInString(r.Reference) > queue.MaxReferenceLen:
		return queue.Errorf(queue.CodeValidation, "reference is longer than %d characters", queue.MaxReferenceLen)
	case len(r.ExternalID) > queue.MaxExternalIDLen:
		return queue.Errorf(queue.CodeValidation, "external_id is longer than %d bytes", queue.MaxExternalIDLen)
	}
	return nil
}

// Book books a place in a slot. The slot's count is read and raised in
// the booking's one transaction, so that no slot is ever oversold.
func (e *Engine) Book(ctx context.Context, branch string, req BookRequest) (queue.Appointment, error) {
	if err := req.check(); err != nil {
		return queue.Appointment{}, err
	}
	var a queue.Appointment
	err := e.write(ctx, branch, req.Actor, func(o *op) error {
		var err error
		a, err = o.book(req)
		return err
	})
	return a, err
}

func (o *op) book(req BookRequest) (queue.Appointment, error) {
	svc, err := o.b.Service(req.Service)
	if err != nil {
		return queue.Appointment{}, err
	}
	slot, err := queue.SlotAt(o.cfg, svc, req.Start, o.loc, queue.BookingLimits{Now: o.now, AnyStart: req.AnyStart})
	if err != nil {
		return queue.Appointment{}, err
	}
	if err := o.takePlace(svc, slot.Start, req.AnyStart); err != nil {
		return queue.Appointment{}, err
	}
	id, err := o.b.NewAppointmentID()
	if err != nil {
		return queue.Appointment{}, err
	}
	code, err := o.newCode()
	if err != nil {
		return queue.Appointment{}, err
	}
	tok, err := o.e.apptToken()
	if err != nil {
		return queue.Appointment{}, err
	}
	a := queue.Appointment{ID: id, Code: code, Token: tok, Branch: o.b.ID(), Service: svc.ID,
		Start: slot.Start.In(o.loc), End: slot.End.In(o.loc), State: queue.ApptBooked, Lang: req.Lang, Contact: req.Contact,
		ExternalID: req.ExternalID, Reference: req.Reference, BookedAt: o.now, Actor: o.actor}
	if err := o.b.PutAppointment(a, nil); err != nil {
		return a, err
	}
	if err := o.tx.PutApptToken(tok, o.b.ID(), id); err != nil {
		return a, err
	}
	return a, o.emitAppt(queue.EvApptBooked, a)
}

// takePlace takes one place of a slot, or answers slot_full; force takes
// it whatever the slot's size (an import: the outside system decides).
func (o *op) takePlace(svc queue.Service, start time.Time, force bool) error {
	taken := o.b.SlotTaken(svc.ID, start)
	if !force {
		if size := o.perSlot(svc); taken >= size {
			return queue.Errorf(queue.CodeSlotFull, "the %s slot is full (%d of %d places)", start.In(o.loc).Format("15:04"), taken, size)
		}
	}
	return o.b.AddSlotTaken(svc.ID, start, 1)
}

// perSlot is the size of svc's slots now.
func (o *op) perSlot(svc queue.Service) int {
	counters, _ := o.b.Counters()
	return perSlotIn(o.b, counters, svc)
}

func perSlotIn(b *storage.BranchTx, counters []queue.Counter, svc queue.Service) int {
	st, n := b.ServiceTime(svc.ID)
	if n == 0 {
		st = svc.ServiceTime()
	}
	return queue.PerSlotOf(counters, svc, st)
}

// newCode draws a code no appointment of the branch has. With 24⁶ codes a
// second draw is rare, a third rarer still.
func (o *op) newCode() (string, error) {
	for range 20 {
		c, err := queue.NewCode()
		if err != nil {
			return "", queue.Errorf(queue.CodeUnavailable, "no randomness for a code: %v", err)
		}
		if !o.b.CodeTaken(c) {
			return c, nil
		}
	}
	return "", queue.Errorf(queue.CodeUnavailable, "no free appointment code found")
}

// apptToken is an appointment's personal link: 24 random bytes.
func (e *Engine) apptToken() (string, error) {
	b := make([]byte, 24)
	if _, err := io.ReadFull(e.random, b); err != nil {
		return "", queue.Errorf(queue.CodeUnavailable, "no randomness for a token: %v", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// emitAppt records an appointment event: its service, its id as subject
// and its start, never its code, contact or token.
func (o *op) emitAppt(typ queue.EventType, a queue.Appointment) error {
	return o.emit(queue.Event{Type: typ, Branch: a.Branch, Service: a.Service, Subject: itoa(a.ID),
		Detail: mustJSON(map[string]any{"start": a.Start.In(o.loc), "state": a.State}), Number: a.TicketNumber})
}

func itoa(id uint64) string { return strconv.FormatUint(id, 10) }

// mustJSON encodes what cannot fail to encode (maps of times and strings).
func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// AppointmentByToken returns the appointment its holder's link leads to.
func (e *Engine) AppointmentByToken(ctx context.Context, tok string) (queue.Appointment, error) {
	var a queue.Appointment
	err := e.store.View(ctx, func(tx *storage.Tx) error {
		branch, id, err := tx.ApptToken(tok)
		if err != nil {
			return err
		}
		b, err := tx.Branch(branch)
		if err != nil {
			return err
		}
		a, err = b.Appointment(id)
		return err
	})
	return a, err
}

// ApptRef names an appointment: by its holder's token, or by its branch
// and code (staff).
type ApptRef struct {
	Token        string
	Branch, Code string
}

// resolve finds the branch of ref, without a write transaction.
func (e *Engine) resolve(ctx context.Context, ref ApptRef) (string, error) {
	if ref.Token == "" {
		return ref.Branch, nil
	}
	var branch string
	err := e.store.View(ctx, func(tx *storage.Tx) error {
		var err error
		branch, _, err = tx.ApptToken(ref.Token)
		return err
	})
	return branch, err
}

func (o *op) appointment(ref ApptRef) (queue.Appointment, error) {
	if ref.Token != "" {
		_, id, err := o.tx.ApptToken(ref.Token)
		if err != nil {
			return queue.Appointment{}, err
		}
		return o.b.Appointment(id)
	}
	code, ok := queue.NormalizeCode(ref.Code)
	if !ok {
		return queue.Appointment{}, queue.Errorf(queue.CodeNotFound, "no appointment with code %q here", ref.Code)
	}
	return o.b.AppointmentByCode(code)
}

// changeBooked runs change on the booked appointment ref names, in one
// write; an appointment in any other state is a conflict ("it cannot be
// " + verb).
func (e *Engine) changeBooked(ctx context.Context, ref ApptRef, actor, verb string, change func(o *op, a *queue.Appointment) error) (queue.Appointment, error) {
	branch, err := e.resolve(ctx, ref)
	if err != nil {
		return queue.Appointment{}, err
	}
	var a queue.Appointment
	err = e.write(ctx, branch, actor, func(o *op) error {
		var err error
		if a, err = o.appointment(ref); err != nil {
			return err
		}
		if a.State != queue.ApptBooked {
			return queue.Errorf(queue.CodeConflict, "the appointment is %s: it cannot be %s", a.State, verb)
		}
		return change(o, &a)
	})
	return a, err
}

// CancelAppointment cancels a booked appointment and frees its place.
func (e *Engine) CancelAppointment(ctx context.Context, ref ApptRef, actor string) (queue.Appointment, error) {
	return e.changeBooked(ctx, ref, actor, "cancelled", func(o *op, a *queue.Appointment) error {
		prev := *a
		a.State = queue.ApptCancelled
		if err := o.b.AddSlotTaken(a.Service, a.Start, -1); err != nil {
			return err
		}
		if err := o.b.PutAppointment(*a, &prev); err != nil {
			return err
		}
		return o.emitAppt(queue.EvApptCancelled, *a)
	})
}

// MoveAppointment moves a booked appointment to another slot of its
// service: the new place is taken and the old freed in one transaction.
func (e *Engine) MoveAppointment(ctx context.Context, ref ApptRef, start time.Time, actor string) (queue.Appointment, error) {
	if start.IsZero() {
		return queue.Appointment{}, queue.Errorf(queue.CodeValidation, "start is required (RFC 3339)")
	}
	return e.changeBooked(ctx, ref, actor, "moved", func(o *op, a *queue.Appointment) error {
		if a.Start.Equal(start) {
			return nil
		}
		svc, err := o.b.Service(a.Service)
		if err != nil {
			return err
		}
		slot, err := queue.SlotAt(o.cfg, svc, start, o.loc, queue.BookingLimits{Now: o.now})
		if err != nil {
			return err
		}
		if err := o.takePlace(svc, slot.Start, false); err != nil {
			return err
		}
		if err := o.b.AddSlotTaken(a.Service, a.Start, -1); err != nil {
			return err
		}
		prev := *a
		a.Start, a.End = slot.Start.In(o.loc), slot.End.In(o.loc)
		if err := o.b.PutAppointment(*a, &prev); err != nil {
			return err
		}
		return o.emitAppt(queue.EvApptMoved, *a)
	})
}

// CheckinRequest checks an appointment in at the kiosk (or at a counter).
type CheckinRequest struct {
	Code  string
	Actor string
	// WalkIn takes a late appointment as a walk-in ticket: the citizen
	// accepted the offer of a too_late answer.
	WalkIn bool
}

// Checkin issues the ticket of an appointment: marked as one, called
// before walk-ins once its slot has begun. Before the check-in window it
// answers too_early with when to come back; after it, too_late with the
// offer of a walk-in ticket; a second check-in, already_checked_in with
// the ticket's number.
func (e *Engine) Checkin(ctx context.Context, branch string, req CheckinRequest) (TicketInfo, error) {
	code, ok := queue.NormalizeCode(req.Code)
	if !ok {
		return TicketInfo{}, queue.Errorf(queue.CodeNotFound, "%q is not an appointment code (6 letters and digits)", req.Code)
	}
	var t queue.Ticket
	err := e.write(ctx, branch, req.Actor, func(o *op) error {
		a, err := o.b.AppointmentByCode(code)
		if err != nil {
			return err
		}
		switch a.State {
		case queue.ApptCheckedIn, queue.ApptDone:
			return &queue.Error{Code: queue.CodeAlreadyCheckedIn, Message: "this appointment is checked in: ticket " + a.TicketNumber,
				Detail: map[string]any{"ticket": a.TicketNumber}}
		case queue.ApptCancelled, queue.ApptNoShow:
			return queue.Errorf(queue.CodeConflict, "this appointment is %s", a.State)
		}
		svc, err := o.b.Service(a.Service)
		if err != nil {
			return err
		}
		early, late := svc.Booking().CheckinWindow()
		if o.now.Before(a.Start.Add(-early)) {
			back := a.Start.Add(-early).In(o.loc)
			return &queue.Error{Code: queue.CodeTooEarly, Message: "check-in opens at " + back.Format("15:04"),
				Detail: map[string]any{"come_back_at": back}}
		}
		walkIn := o.now.After(a.Start.Add(late))
		if walkIn && !req.WalkIn {
			return &queue.Error{Code: queue.CodeTooLate, Message: "the check-in window closed at " + a.Start.Add(late).In(o.loc).Format("15:04") +
				": the appointment can be taken as a walk-in ticket", Detail: map[string]any{"walk_in_offer": true}}
		}
		ir := IssueRequest{Service: a.Service, Priority: queue.PriorityNone, Lang: a.Lang, Actor: req.Actor}
		if !walkIn {
			ir.appt = &a
		}
		if t, err = o.issue(ir); err != nil {
			return err
		}
		prev := a
		a.State, a.Ticket, a.TicketNumber, a.CheckedInAt = queue.ApptCheckedIn, t.ID, t.Number, o.now
		if err := o.b.PutAppointment(a, &prev); err != nil {
			return err
		}
		return o.emitAppt(queue.EvApptCheckedIn, a)
	})
	if err != nil {
		return TicketInfo{}, err
	}
	return e.info(ctx, t)
}

// Appointments returns a service day's appointments in start order.
func (e *Engine) Appointments(ctx context.Context, branch, day string) ([]queue.Appointment, *time.Location, error) {
	d, err := e.AppointmentDay(ctx, branch, day)
	return d.List, d.Loc, err
}

// DayAppointments are a day's appointments with their services.
type DayAppointments struct {
	Date     string
	List     []queue.Appointment
	Services map[string]queue.Service
	Loc      *time.Location
}

// AppointmentDay returns the appointments of service day date ("" for
// today) in start order.
func (e *Engine) AppointmentDay(ctx context.Context, branch, date string) (DayAppointments, error) {
	var d DayAppointments
	err := e.store.View(ctx, func(tx *storage.Tx) error {
		d = DayAppointments{Date: date, Services: map[string]queue.Service{}}
		b, err := tx.Branch(branch)
		if err != nil {
			return err
		}
		if _, d.Loc, err = e.settingsOf(b); err != nil {
			return err
		}
		if d.Date == "" {
			d.Date = queue.ServiceDay(e.now(), d.Loc)
		}
		from, to, err := queue.DayBounds(d.Date, d.Loc)
		if err != nil {
			return err
		}
		svcs, err := b.Services()
		if err != nil {
			return err
		}
		for _, s := range svcs {
			d.Services[s.ID] = s
		}
		return b.ForEachAppointment(from, to, func(a queue.Appointment) (bool, error) {
			d.List = append(d.List, a)
			return true, nil
		})
	})
	return d, err
}

// AppointmentByCode returns the appointment of branch with code (staff).
func (e *Engine) AppointmentByCode(ctx context.Context, branch, code string) (queue.Appointment, error) {
	var a queue.Appointment
	err := e.store.View(ctx, func(tx *storage.Tx) error {
		b, err := tx.Branch(branch)
		if err != nil {
			return err
		}
		c, ok := queue.NormalizeCode(code)
		if !ok {
			return queue.Errorf(queue.CodeNotFound, "no appointment with code %q here", code)
		}
		a, err = b.AppointmentByCode(c)
		return err
	})
	return a, err
}

// SlotFree is a slot with its free places.
type SlotFree struct {
	queue.Slot
	Free int
}

// Slots returns the slots of service from day from on for days days, with
// their free places; slots already begun and days past the booking
// horizon are left out.
func (e *Engine) Slots(ctx context.Context, branch, service, from string, days int) ([]SlotFree, string, *time.Location, error) {
	if days < 1 || days > 31 {
		return nil, "", nil, queue.Errorf(queue.CodeValidation, "days must be 1 to 31")
	}
	var out []SlotFree
	var loc *time.Location
	var last string
	err := e.store.View(ctx, func(tx *storage.Tx) error {
		b, err := tx.Branch(branch)
		if err != nil {
			return err
		}
		var cfg queue.Branch
		if cfg, loc, err = e.settingsOf(b); err != nil {
			return err
		}
		svc, err := b.Service(service)
		if err != nil {
			return err
		}
		if !svc.Bookable() {
			return queue.Errorf(queue.CodeNotBookable, "service %s takes no appointments", service)
		}
		now := e.now()
		if from == "" {
			from = queue.ServiceDay(now, loc)
		}
		start, _, err := queue.DayBounds(from, loc)
		if err != nil {
			return err
		}
		counters, err := b.Counters()
		if err != nil {
			return err
		}
		size := perSlotIn(b, counters, svc)
		last = queue.LastBookableDay(svc, now, loc)
		y, m, d := start.Date()
		for i := range days {
			day := time.Date(y, m, d+i, 12, 0, 0, 0, loc).Format(queue.DayLayout)
			if day > last {
				break
			}
			slots, err := queue.SlotsOn(cfg, svc, day, loc)
			if err != nil || len(slots) == 0 {
				continue
			}
			taken := b.SlotsTaken(svc.ID, slots[0].Start, slots[len(slots)-1].End)
			for _, s := range slots {
				if !s.Start.After(now) {
					continue
				}
				out = append(out, SlotFree{Slot: queue.Slot{Start: s.Start, End: s.End}, Free: max(size-taken[s.Start.UnixNano()], 0)})
			}
		}
		return nil
	})
	return out, last, loc, err
}

// sweepAppointments, at the turn of a day, marks the booked appointments
// of the days before as no-shows and deletes the contact data of every
// appointment before the day (kept only until the day after).
func (o *op) sweepAppointments() error {
	start, _, err := queue.DayBounds(o.day, o.loc)
	if err != nil {
		return err
	}
	type change struct {
		a, prev queue.Appointment
		noShow  bool
	}
	var changes []change
	err = o.b.ForEachAppointment(o.b.ApptSwept(), start, func(a queue.Appointment) (bool, error) {
		prev := a
		noShow := a.State == queue.ApptBooked
		if noShow {
			a.State = queue.ApptNoShow
		}
		if noShow || a.Contact != "" {
			a.Contact = ""
			changes = append(changes, change{a, prev, noShow})
		}
		return true, nil
	})
	if err != nil {
		return err
	}
	for _, c := range changes {
		if err := o.b.PutAppointment(c.a, &c.prev); err != nil {
			return err
		}
		if c.noShow {
			if err := o.emitAppt(queue.EvApptNoShow, c.a); err != nil {
				return err
			}
		}
	}
	return o.b.PutApptSwept(start)
}

// finishAppointment follows an appointment ticket's end: done, or a
// no-show when the ticket was called and nobody came.
func (o *op) finishAppointment(t queue.Ticket) error {
	if t.Appointment == nil {
		return nil
	}
	a, err := o.b.AppointmentByCode(t.Appointment.Code)
	if err != nil {
		return nil // imported and since deleted: nothing to follow
	}
	prev := a
	switch t.State {
	case queue.StateDone:
		a.State = queue.ApptDone
	case queue.StateNoShow, queue.StateCancelled, queue.StateExpired:
		a.State = queue.ApptNoShow
	default:
		return nil
	}
	if err := o.b.PutAppointment(a, &prev); err != nil {
		return err
	}
	if a.State == queue.ApptNoShow {
		return o.emitAppt(queue.EvApptNoShow, a)
	}
	return nil
}

// ImportRow is one appointment from an outside booking system.
type ImportRow struct {
	ExternalID string
	Service    string
	Start      time.Time
	Reference  string
	// Err is a fault found reading the row (a bad time): it is refused.
	Err error
}

// ImportResult says what an import did, row by row.
type ImportResult struct {
	Created, Updated, Unchanged int
	// Appointments are the codes of the rows taken, by external id.
	Appointments []ImportedAppt
	Refused      []ImportRefusal
}

// ImportedAppt is a row taken.
type ImportedAppt struct {
	ExternalID string `json:"external_id"`
	Code       string `json:"code"`
}

// ImportRefusal is a row refused, and why (row numbers from 1).
type ImportRefusal struct {
	Row     int    `json:"row"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

// MaxImportRows bounds one import.
const MaxImportRows = 5000

// Import books the rows of an outside booking system in one transaction,
// idempotent by external id: a row already imported the same way is left
// unchanged, one whose service, start or reference changed is updated,
// and a bad row is refused with its reason while the others are taken.
// The outside system decides its own slots: any start from today on is
// taken, whatever the slot's size.
func (e *Engine) Import(ctx context.Context, branch, actor string, rows []ImportRow) (ImportResult, error) {
	if len(rows) > MaxImportRows {
		return ImportResult{}, queue.Errorf(queue.CodeTooLarge, "at most %d rows in one import", MaxImportRows)
	}
	var res ImportResult
	err := e.write(ctx, branch, actor, func(o *op) error {
		res = ImportResult{}
		seen := map[string]int{}
		for i, r := range rows {
			err := r.Err
			if err == nil {
				if first, dup := seen[r.ExternalID]; dup && r.ExternalID != "" {
					err = queue.Errorf(queue.CodeValidation, "external_id %s is also on row %d", r.ExternalID, first)
				}
			}
			if err == nil {
				seen[r.ExternalID] = i + 1
				var code string
				var how int
				code, how, err = o.importRow(r)
				if err == nil {
					res.Appointments = append(res.Appointments, ImportedAppt{ExternalID: r.ExternalID, Code: code})
					switch how {
					case 0:
						res.Unchanged++
					case 1:
						res.Created++
					default:
						res.Updated++
					}
					continue
				}
			}
			var qe *queue.Error
			if !errors.As(err, &qe) {
				return err // the store failed: nothing is taken
			}
			res.Refused = append(res.Refused, ImportRefusal{Row: i + 1, Code: string(qe.Code), Message: qe.Message})
		}
		return nil
	})
	return res, err
}

// importRow takes one row: 0 unchanged, 1 created, 2 updated. It checks
// everything before it writes, so that a refused row writes nothing.
func (o *op) importRow(r ImportRow) (string, int, error) {
	req := BookRequest{Service: r.Service, Start: r.Start, ExternalID: r.ExternalID, Reference: r.Reference, AnyStart: true, Actor: o.actor}
	if r.ExternalID == "" {
		return "", 0, queue.Errorf(queue.CodeValidation, "external_id is required")
	}
	if err := req.check(); err != nil {
		return "", 0, err
	}
	svc, err := o.b.Service(r.Service)
	if err != nil {
		return "", 0, err
	}
	slot, err := queue.SlotAt(o.cfg, svc, r.Start, o.loc, queue.BookingLimits{Now: o.now, AnyStart: true})
	if err != nil {
		return "", 0, err
	}
	prev, found, err := o.b.AppointmentByExternalID(r.ExternalID)
	if err != nil {
		return "", 0, err
	}
	if !found {
		a, err := o.book(req)
		return a.Code, 1, err
	}
	if prev.Service == r.Service && prev.Start.Equal(slot.Start) && prev.Reference == r.Reference {
		return prev.Code, 0, nil
	}
	if prev.State != queue.ApptBooked {
		return "", 0, queue.Errorf(queue.CodeConflict, "appointment %s is %s: it can no longer change", r.ExternalID, prev.State)
	}
	a := prev
	if err := o.b.AddSlotTaken(prev.Service, prev.Start, -1); err != nil {
		return "", 0, err
	}
	if err := o.b.AddSlotTaken(svc.ID, slot.Start, 1); err != nil {
		return "", 0, err
	}
	a.Service, a.Start, a.End, a.Reference = svc.ID, slot.Start.In(o.loc), slot.End.In(o.loc), r.Reference
	if err := o.b.PutAppointment(a, &prev); err != nil {
		return "", 0, err
	}
	return a.Code, 2, o.emitAppt(queue.EvApptMoved, a)
}

// ApptInfo is an appointment with what a page shows beside it: its
// service and its branch's time zone.
type ApptInfo struct {
	Appointment queue.Appointment
	Service     queue.Service
	Loc         *time.Location
}

// ApptInfo reads a's service and time zone.
func (e *Engine) ApptInfo(ctx context.Context, a queue.Appointment) (ApptInfo, error) {
	info := ApptInfo{Appointment: a}
	err := e.store.View(ctx, func(tx *storage.Tx) error {
		b, err := tx.Branch(a.Branch)
		if err != nil {
			return err
		}
		if _, info.Loc, err = e.settingsOf(b); err != nil {
			return err
		}
		if info.Service, err = b.Service(a.Service); err != nil {
			info.Service = queue.Service{ID: a.Service} // deleted since
		}
		return nil
	})
	return info, err
}

// DayLoad is, for each hour of service day date ("" for today), the
// counter time planned and the part that the booked appointments take:
// what is left is the walk-ins'.
func (e *Engine) DayLoad(ctx context.Context, branch, date string) (string, []queue.HourLoad, error) {
	var out []queue.HourLoad
	err := e.store.View(ctx, func(tx *storage.Tx) error {
		b, err := tx.Branch(branch)
		if err != nil {
			return err
		}
		cfg, loc, err := e.settingsOf(b)
		if err != nil {
			return err
		}
		if date == "" {
			date = queue.ServiceDay(e.now(), loc)
		}
		from, to, err := queue.DayBounds(date, loc)
		if err != nil {
			return err
		}
		counters, err := b.Counters()
		if err != nil {
			return err
		}
		l := e.load(b, counters)
		var booked []queue.Appointment
		if err := b.ForEachAppointment(from, to, func(a queue.Appointment) (bool, error) {
			if a.State == queue.ApptBooked || a.State == queue.ApptCheckedIn || a.State == queue.ApptDone {
				booked = append(booked, a)
			}
			return true, nil
		}); err != nil {
			return err
		}
		out = queue.DayLoad(cfg, counters, from, booked, l.serviceTime)
		return nil
	})
	return date, out, err
}
