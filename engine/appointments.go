package engine

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/seira-queue/seira/queue"
	"github.com/seira-queue/seira/storage"
)

// What every appointment operation shares: the request and its checks,
// naming an appointment, and its events. Booking, check-in, reads, import
// and the day's sweep are in files of their own.

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

// ApptInfo is an appointment with what a page shows beside it, read in
// the same transaction: its service and its branch's time zone (as
// TicketInfo is a ticket's).
type ApptInfo struct {
	Appointment queue.Appointment
	Service     queue.Service
	Loc         *time.Location
}

// infoOf completes a with its service (one deleted since leaves its id).
func infoOf(b *storage.BranchTx, loc *time.Location, a queue.Appointment) ApptInfo {
	svc, err := b.Service(a.Service)
	if err != nil {
		svc = queue.Service{ID: a.Service}
	}
	return ApptInfo{Appointment: a, Service: svc, Loc: loc}
}

// ApptRef names an appointment: by its holder's token, or by its branch
// and code (staff).
type ApptRef struct {
	Token        string
	Branch, Code string
}

// lookup finds the appointment ref names in tx: its branch and id.
func (ref ApptRef) lookup(tx *storage.Tx) (string, *storage.BranchTx, queue.Appointment, error) {
	if ref.Token != "" {
		branch, id, err := tx.ApptToken(ref.Token)
		if err != nil {
			return "", nil, queue.Appointment{}, err
		}
		b, err := tx.Branch(branch)
		if err != nil {
			return "", nil, queue.Appointment{}, err
		}
		a, err := b.Appointment(id)
		return branch, b, a, err
	}
	b, err := tx.Branch(ref.Branch)
	if err != nil {
		return "", nil, queue.Appointment{}, err
	}
	code, err := normalizedCode(ref.Code)
	if err != nil {
		return "", nil, queue.Appointment{}, err
	}
	a, err := b.AppointmentByCode(code)
	return ref.Branch, b, a, err
}

// normalizedCode reads a typed or scanned code, or answers not_found: a
// string that cannot be a code names no appointment.
func normalizedCode(s string) (string, error) {
	code, ok := queue.NormalizeCode(s)
	if !ok {
		return "", queue.Errorf(queue.CodeNotFound, "%q is not an appointment code (6 letters and digits)", s)
	}
	return code, nil
}

// emitAppt records an appointment event: its service, its id as subject
// and its start, never its code, contact or token.
func (o *op) emitAppt(typ queue.EventType, a queue.Appointment) error {
	return o.emit(queue.Event{Type: typ, Branch: a.Branch, Service: a.Service, Subject: itoa(a.ID),
		Detail: mustJSON(map[string]any{"start": a.Start.In(o.loc), "state": a.State}), Number: a.TicketNumber})
}

// putAppt stores a changed appointment and, when typ is set, records it.
func (o *op) putAppt(a, prev queue.Appointment, typ queue.EventType) error {
	if err := o.b.PutAppointment(a, &prev); err != nil {
		return err
	}
	if typ == "" {
		return nil
	}
	return o.emitAppt(typ, a)
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

// writeAppt runs change on the appointment ref names, in one write of its
// branch: a token leads to its branch within the same transaction.
func (e *Engine) writeAppt(ctx context.Context, ref ApptRef, actor string, change func(o *op, a *queue.Appointment) error) (ApptInfo, error) {
	var info ApptInfo
	err := e.store.Update(ctx, func(tx *storage.Tx) error {
		branch, _, a, err := ref.lookup(tx)
		if err != nil {
			return err
		}
		return e.writeIn(tx, branch, actor, func(o *op) error {
			// Read again through the op: the turn of the day may have
			// changed it (a no-show, contact data gone).
			if a, err = o.b.Appointment(a.ID); err != nil {
				return err
			}
			if err := change(o, &a); err != nil {
				return err
			}
			info = infoOf(o.b, o.loc, a)
			return nil
		})
	})
	return info, err
}
