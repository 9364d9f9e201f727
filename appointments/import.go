package appointments

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/seira-queue/seira/auth"
	"github.com/seira-queue/seira/engine"
	"github.com/seira-queue/seira/httpx"
	"github.com/seira-queue/seira/queue"
)

// importRow is a row as sent, in JSON or CSV.
type importRow struct {
	ExternalID string `json:"external_id"`
	Service    string `json:"service"`
	Start      string `json:"start"`
	Reference  string `json:"reference"`
}

// importRows takes an outside booking system's appointments: a JSON array
// of rows, or CSV with the header external_id,service,start,reference (in
// any order; reference may be left out).
func (h *Handler) importRows(c echo.Context) error {
	branch := c.Param("branch")
	p, err := httpx.RequireAdminOrScope(c, branch, auth.ScopeAppointmentsWrite)
	if err != nil {
		return err
	}
	body, err := httpx.ReadBody(c)
	if err != nil {
		return err
	}
	var rows []importRow
	ct := c.Request().Header.Get(echo.HeaderContentType)
	switch {
	case strings.HasPrefix(ct, "text/csv"):
		if rows, err = parseCSV(body); err != nil {
			return err
		}
	case ct == "" || strings.HasPrefix(ct, echo.MIMEApplicationJSON):
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&rows); err != nil {
			return queue.Errorf(queue.CodeBadRequest, "send a JSON array of {external_id, service, start, reference}: %v", err)
		}
	default:
		return queue.Errorf(queue.CodeBadRequest, "send JSON (application/json) or CSV (text/csv)")
	}
	in := make([]engine.ImportRow, len(rows))
	for i, r := range rows {
		in[i] = engine.ImportRow{ExternalID: strings.TrimSpace(r.ExternalID), Service: strings.TrimSpace(r.Service), Reference: strings.TrimSpace(r.Reference)}
		in[i].Start, in[i].Err = parseStart(strings.TrimSpace(r.Start))
	}
	res, err := h.eng.Import(c.Request().Context(), branch, p.Name(), in)
	if err != nil {
		return err
	}
	if res.Appointments == nil {
		res.Appointments = []engine.ImportedAppt{}
	}
	if res.Refused == nil {
		res.Refused = []engine.ImportRefusal{}
	}
	return c.JSON(http.StatusOK, map[string]any{"created": res.Created, "updated": res.Updated, "unchanged": res.Unchanged,
		"appointments": res.Appointments, "refused": res.Refused})
}

// parseCSV reads rows by the header's names.
func parseCSV(body []byte) ([]importRow, error) {
	r := csv.NewReader(bytes.NewReader(body))
	r.FieldsPerRecord = -1
	r.TrimLeadingSpace = true
	recs, err := r.ReadAll()
	if err != nil {
		return nil, queue.Errorf(queue.CodeBadRequest, "CSV: %v", err)
	}
	if len(recs) == 0 {
		return nil, queue.Errorf(queue.CodeBadRequest, "CSV: no header (external_id,service,start,reference)")
	}
	col := map[string]int{}
	for i, name := range recs[0] {
		col[strings.ToLower(strings.TrimSpace(strings.TrimPrefix(name, "\ufeff")))] = i
	}
	for _, need := range []string{"external_id", "service", "start"} {
		if _, ok := col[need]; !ok {
			return nil, queue.Errorf(queue.CodeBadRequest, "CSV: the header has no %s column", need)
		}
	}
	get := func(rec []string, name string) string {
		if i, ok := col[name]; ok && i < len(rec) {
			return rec[i]
		}
		return ""
	}
	rows := make([]importRow, 0, len(recs)-1)
	for _, rec := range recs[1:] {
		rows = append(rows, importRow{ExternalID: get(rec, "external_id"), Service: get(rec, "service"),
			Start: get(rec, "start"), Reference: get(rec, "reference")})
	}
	return rows, nil
}
