package sim

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/seira-queue/seira/internal/apiclient"
)

// importChunk is how many appointments one import request takes (the
// server takes at most 5000).
const importChunk = 1000

// bookAppointments makes each booked service bookable with the day's slot
// length and books the day's booked citizens through the import API, as
// an outside booking system would: each in the slot of their service the
// plan chose, whatever the slot's size. It returns the codes by the
// citizens' index in plan.
func (p *player) bookAppointments(ctx context.Context, plan []Citizen) (map[int]string, error) {
	codes := map[int]string{}
	if !p.day.Booked() {
		return codes, nil
	}
	for _, s := range p.day.Services {
		if s.BookedShare <= 0 {
			continue
		}
		patch := map[string]any{"appointments": map[string]any{"enabled": true, "slot_min": int(s.Slot() / time.Minute)}}
		if _, err := p.c.Do(ctx, http.MethodPatch, p.branchPath()+"/services/"+s.ID, "PATCH /services/{s}", patch, nil); err != nil {
			return nil, fmt.Errorf("service %s: make it bookable: %w", s.ID, err)
		}
	}
	type row struct {
		ExternalID string `json:"external_id"`
		Service    string `json:"service"`
		Start      string `json:"start"`
		Reference  string `json:"reference"`
	}
	var rows []row
	index := map[string]int{}
	loc, _ := p.day.Location() // checked by Validate
	for i, c := range plan {
		if !c.Booked {
			continue
		}
		id := fmt.Sprintf("sim-%s-%d", p.runID, i)
		index[id] = i
		rows = append(rows, row{ExternalID: id, Service: c.Service, Start: p.at(c.Slot).In(loc).Format(time.RFC3339), Reference: "seira sim"})
	}
	for len(rows) > 0 {
		n := min(len(rows), importChunk)
		var res struct {
			Appointments []struct {
				ExternalID string `json:"external_id"`
				Code       string `json:"code"`
			} `json:"appointments"`
			Refused []struct {
				Row     int    `json:"row"`
				Code    string `json:"code"`
				Message string `json:"message"`
			} `json:"refused"`
		}
		if _, err := p.c.Do(ctx, http.MethodPost, p.branchPath()+"/appointments/import", "POST /appointments/import", rows[:n], &res); err != nil {
			return nil, fmt.Errorf("book the appointments: %w", err)
		}
		if len(res.Refused) > 0 {
			r := res.Refused[0]
			return nil, fmt.Errorf("book the appointments: %d refused, the first (%s at %s): %s %s",
				len(res.Refused), rows[:n][max(r.Row-1, 0)].Service, rows[:n][max(r.Row-1, 0)].Start, r.Code, r.Message)
		}
		for _, a := range res.Appointments {
			if i, ok := index[a.ExternalID]; ok {
				codes[i] = a.Code
			}
		}
		rows = rows[n:]
	}
	return codes, nil
}

// checkinTries bounds the check-ins of a citizen who came too early.
const checkinTries = 20

// checkin checks citizen i's appointment in at the kiosk at their arrival;
// too late, they take the walk-in ticket offered; too early, they come back
// (in a goroutine of wg's, the kiosk goes on).
func (p *player) checkin(ctx context.Context, wg *sync.WaitGroup, i int, cit Citizen, at time.Time, code string) {
	if code == "" {
		p.mu.Lock()
		p.issueFailed++
		p.mu.Unlock()
		return
	}
	walkIn := false
	for try := 0; try < checkinTries; try++ {
		var tv ticketView
		body := map[string]any{"code": code, "walk_in": walkIn}
		_, err := p.c.Do(ctx, http.MethodPost, p.branchPath()+"/checkin", "POST /checkin", body, &tv)
		var ae *apiclient.Error
		switch {
		case err == nil:
			p.lag("checkin", at, tv.IssuedAt)
			p.ledger.issued(p.ticketOf(tv, at, cit, walkIn))
			return
		case ctx.Err() != nil:
			return
		case asAPIError(err, &ae) && ae.Code == "too_late" && !walkIn:
			walkIn = true
			continue
		case asAPIError(err, &ae) && ae.Code == "too_early":
			if try == 0 {
				wg.Go(func() { p.comeBack(ctx, wg, i, cit, at, code) })
				return
			}
		}
		if try > 0 || apiclient.StatusOf(err) < 500 {
			break
		}
	}
	p.mu.Lock()
	p.issueFailed++
	p.mu.Unlock()
}

// comeBack retries a check-in that was too early every retryAfter.
func (p *player) comeBack(ctx context.Context, wg *sync.WaitGroup, i int, cit Citizen, at time.Time, code string) {
	for try := 0; try < checkinTries; try++ {
		if p.clock.sleepUntil(ctx, p.clock.now().Add(retryAfter)) != nil {
			return
		}
		var tv ticketView
		_, err := p.c.Do(ctx, http.MethodPost, p.branchPath()+"/checkin", "POST /checkin", map[string]any{"code": code}, &tv)
		var ae *apiclient.Error
		if err == nil {
			p.ledger.issued(p.ticketOf(tv, at, cit, false))
			return
		}
		if ctx.Err() != nil || !asAPIError(err, &ae) || ae.Code != "too_early" {
			break
		}
	}
	p.mu.Lock()
	p.issueFailed++
	p.mu.Unlock()
}

// ticketOf is what the simulator notes of a ticket issued for cit.
func (p *player) ticketOf(tv ticketView, at time.Time, cit Citizen, lateWalkIn bool) *Ticket {
	tk := &Ticket{Number: tv.Number, Service: tv.Service, Priority: tv.Priority, IssuedAt: tv.IssuedAt,
		AfterClosing: tv.AfterClosing, State: tv.State, Planned: at, token: tv.Token, citizen: cit, NoEstimate: tv.EstimatedWaitS == nil,
		Source: tv.Source, Booked: cit.Booked, LateWalkIn: lateWalkIn}
	if tk.Source == "" {
		tk.Source = "walk_in"
	}
	if tv.EstimatedWaitS != nil {
		tk.EstimateS = *tv.EstimatedWaitS
	}
	if cit.Booked {
		tk.SlotStart = p.at(cit.Slot)
	}
	return tk
}

func asAPIError(err error, ae **apiclient.Error) bool { return errors.As(err, ae) }
