package engine

import (
	"context"
	"errors"
	"time"

	"github.com/seira-queue/seira/queue"
)

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

// What importing a row did.
type imported int

const (
	unchanged imported = iota
	created
	updated
)

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
			if first, dup := seen[r.ExternalID]; err == nil && dup && r.ExternalID != "" {
				err = queue.Errorf(queue.CodeValidation, "external_id %s is also on row %d", r.ExternalID, first)
			}
			if err == nil {
				seen[r.ExternalID] = i + 1
				var code string
				var how imported
				if code, how, err = o.importRow(r); err == nil {
					res.Appointments = append(res.Appointments, ImportedAppt{ExternalID: r.ExternalID, Code: code})
					switch how {
					case unchanged:
						res.Unchanged++
					case created:
						res.Created++
					case updated:
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

// importRow takes one row. It checks everything before it writes, so that
// a refused row writes nothing.
func (o *op) importRow(r ImportRow) (string, imported, error) {
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
		a, err := o.book(svc, req)
		return a.Code, created, err
	}
	if prev.Service == r.Service && prev.Start.Equal(slot.Start) && prev.Reference == r.Reference {
		return prev.Code, unchanged, nil
	}
	if prev.State != queue.ApptBooked {
		return "", 0, queue.Errorf(queue.CodeConflict, "appointment %s is %s: it can no longer change", r.ExternalID, prev.State)
	}
	a := prev
	if err := o.moveTo(&a, svc, slot, true); err != nil {
		return "", 0, err
	}
	a.Reference = r.Reference
	return a.Code, updated, o.putAppt(a, prev, queue.EvApptMoved)
}
