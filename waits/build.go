package waits

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/seira-queue/seira/engine"
	"github.com/seira-queue/seira/queue"
	"github.com/seira-queue/seira/view"
)

// Answer is the JSON of GET /api/v1/waits.
type Answer struct {
	At       time.Time `json:"at"`
	Branches []Branch  `json:"branches"`
}

// Branch is one office: where it is, whether it is open, its services'
// queues and (an extension of API.md) its wait through the day so far.
type Branch struct {
	Branch  string     `json:"branch"`
	Name    queue.Text `json:"name"`
	Address queue.Text `json:"address"`
	Lat     *float64   `json:"lat"`
	Lon     *float64   `json:"lon"`
	// OpenNow: a ticket can be taken now (within the opening hours, at
	// least one service open).
	OpenNow  bool      `json:"open_now"`
	Services []Service `json:"services"`
	Today    []Point   `json:"today"`
}

// Service is one service's queue. Open and AfterClosing extend API.md's
// shape: the kiosk shows a closed service as closed, and so does this.
type Service struct {
	ID      string     `json:"id"`
	Name    queue.Text `json:"name"`
	Open    bool       `json:"open"`
	Waiting int        `json:"waiting"`
	// EstimatedWaitS is null when there is no right figure: no counter
	// serving the service is open, the service is closed, or the
	// counters close before a ticket taken now would be called.
	EstimatedWaitS *int `json:"estimated_wait_s"`
	AfterClosing   bool `json:"after_closing,omitempty"`
	RemoteJoin     bool `json:"remote_join"`
}

// build reads every branch and makes the answer as of at.
func build(ctx context.Context, src Source, at time.Time, log *slog.Logger) (Answer, error) {
	a := Answer{At: at.UTC(), Branches: []Branch{}}
	brs, err := src.Branches(ctx)
	if err != nil {
		return a, fmt.Errorf("waits: the branches: %w", err)
	}
	for _, br := range brs {
		snap, err := src.Summary(ctx, br.ID)
		if err != nil {
			// Deleted since the list was read, or unreadable: left out
			// rather than guessed.
			log.Warn("waits: a branch left out", "branch", br.ID, "err", err)
			continue
		}
		b := branchOf(snap)
		calls, loc, err := src.CallsToday(ctx, br.ID)
		if err != nil {
			log.Warn("waits: no curve of today", "branch", br.ID, "err", err)
		} else {
			b.Today = today(calls, loc)
		}
		a.Branches = append(a.Branches, b)
	}
	return a, nil
}

func branchOf(snap engine.Snapshot) Branch {
	br := snap.Branch
	b := Branch{Branch: br.ID, Name: br.Name, Lat: br.Lat, Lon: br.Lon, Services: []Service{}, Today: []Point{}}
	if !br.Address.Empty() {
		b.Address = br.Address
	}
	for _, st := range snap.Services {
		v := view.ServiceOf(st)
		s := Service{ID: v.ID, Name: v.Name, Open: v.Open, Waiting: v.Waiting, EstimatedWaitS: v.EstimatedWaitS,
			AfterClosing: v.AfterClosing, RemoteJoin: st.Service.RemoteJoin != nil && st.Service.RemoteJoin.Enabled}
		if !s.Open || s.AfterClosing {
			s.EstimatedWaitS = nil
		}
		b.OpenNow = b.OpenNow || s.Open
		b.Services = append(b.Services, s)
	}
	return b
}

// encode serialises the answer once, whole and per branch, each with an
// ETag over its figures but not "at": a client that has the same figures
// gets a 304 even after a rebuild. The ETag is weak for that reason.
func encode(a Answer) (*entry, error) {
	e := &entry{branches: make(map[string]body, len(a.Branches))}
	var err error
	if e.all, err = encodeOne(a.At, a.Branches); err != nil {
		return nil, err
	}
	for _, b := range a.Branches {
		if e.branches[b.Branch], err = encodeOne(a.At, []Branch{b}); err != nil {
			return nil, err
		}
	}
	return e, nil
}

func encodeOne(at time.Time, brs []Branch) (body, error) {
	figures, err := json.Marshal(brs)
	if err != nil {
		return body{}, fmt.Errorf("waits: encode: %w", err)
	}
	sum := sha256.Sum256(figures)
	data, err := json.Marshal(struct {
		At       time.Time       `json:"at"`
		Branches json.RawMessage `json:"branches"`
	}{at, figures})
	if err != nil {
		return body{}, fmt.Errorf("waits: encode: %w", err)
	}
	return body{data: data, etag: `W/"` + hex.EncodeToString(sum[:12]) + `"`}, nil
}
